import { describe, expect, it } from '@jest/globals';
import { applyMovement } from '../../../functions/domain/inventory';
import type { InventoryPosition } from '../../../functions/domain/ports';

const position = (overrides: Partial<InventoryPosition> = {}): InventoryPosition => ({
  locationId: 'NMC-OR',
  itemId: 'ITM-10001',
  onHand: 30,
  onOrder: 70,
  parLevel: 100,
  reorderPoint: 40,
  baseUom: 'EA',
  version: 3,
  updatedAt: '2025-03-14T09:30:00.000Z',
  ...overrides,
});

const receive = (p: InventoryPosition, delta: number): InventoryPosition =>
  applyMovement(p, { businessKey: 'RCV|R1|1', correlationId: 'c', delta, reason: 'RECEIPT', at: '2025-03-16T14:00:00.000Z' }).position;

describe('applyMovement for a receipt', () => {
  it('raises on hand and takes what arrived off on order', () => {
    expect([receive(position(), 60).onHand, receive(position(), 60).onOrder, receive(position(), 60).version]).toStrictEqual([90, 10, 4]);
  });

  it('never takes on order below zero (goods ordered outside replenishment)', () => {
    expect(receive(position({ onOrder: 20 }), 50).onOrder).toBe(0);
  });

  it('leaves on order alone for usage and reversals', () => {
    const used = applyMovement(position(), { businessKey: 'EPIC|M|1', correlationId: 'c', delta: -5, reason: 'USAGE', at: 'x' }).position;
    expect([used.onHand, used.onOrder]).toStrictEqual([25, 70]);
  });
});

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

/** A receipt of a replenishment PO: what arrived comes off what that PO line had on order. */
const receive = (p: InventoryPosition, delta: number, onOrderDelta = -delta): InventoryPosition =>
  applyMovement(p, { businessKey: 'RCV|R1|1', correlationId: 'c', delta, reason: 'RECEIPT', onOrderDelta, at: '2025-03-16T14:00:00.000Z' }).position;

describe('applyMovement for a receipt', () => {
  it('raises on hand and takes what arrived off on order', () => {
    expect([receive(position(), 60).onHand, receive(position(), 60).onOrder, receive(position(), 60).version]).toStrictEqual([90, 10, 4]);
  });

  it('never takes on order below zero (goods ordered outside replenishment)', () => {
    expect(receive(position({ onOrder: 20 }), 50).onOrder).toBe(0);
  });

  it('issue #11 regression: a receipt of goods never put on order (a SaaS requisition) leaves another order\'s on order alone', () => {
    const received = applyMovement(position(), { businessKey: 'RCV|R2|1', correlationId: 'c', delta: 60, reason: 'RECEIPT', at: 'x' });
    expect([received.position.onHand, received.position.onOrder]).toStrictEqual([90, 70]);
    expect(received.movement.onOrderDelta).toBe(undefined);
  });

  it('records how much on order a receipt actually took off, never more than there was', () => {
    const received = applyMovement(position({ onOrder: 20 }), { businessKey: 'RCV|R1|1', correlationId: 'c', delta: 50, reason: 'RECEIPT', onOrderDelta: -50, at: 'x' });
    expect([received.movement.onOrderDelta, received.movement.onOrderAfter]).toStrictEqual([-20, 0]);
  });

  it('leaves on order alone for usage and reversals', () => {
    const used = applyMovement(position(), { businessKey: 'EPIC|NMC|M|1', correlationId: 'c', delta: -5, reason: 'USAGE', at: 'x' }).position;
    expect([used.onHand, used.onOrder]).toStrictEqual([25, 70]);
  });
});

describe('applyMovement releasing on order (ON_ORDER_RELEASED)', () => {
  const release = (p: InventoryPosition, quantity: number) =>
    applyMovement(p, { businessKey: 'release|PO-1|1', correlationId: 'c', delta: 0, reason: 'ON_ORDER_RELEASED', onOrderDelta: -quantity, at: 'x' });

  it('gives back on order without moving on hand, and records it as a movement', () => {
    const released = release(position(), 60);
    expect([released.position.onHand, released.position.onOrder, released.position.version]).toStrictEqual([30, 10, 4]);
    expect(released.movement).toStrictEqual({ businessKey: 'release|PO-1|1', correlationId: 'c', delta: 0, onHandAfter: 30, reason: 'ON_ORDER_RELEASED', onOrderDelta: -60, onOrderAfter: 10, at: 'x' });
  });

  it('never takes on order below zero', () => {
    expect(release(position({ onOrder: 20 }), 60).position.onOrder).toBe(0);
  });
});

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { applyMovement, decideReplenishment, openingPosition, purchasePack } from '../../../functions/domain/inventory';
import type { InventoryPosition } from '../../../functions/domain/ports';

const position = (overrides: Partial<InventoryPosition> = {}): InventoryPosition => ({
  locationId: 'NMC-OR',
  itemId: 'ITM-10001',
  onHand: 60,
  onOrder: 0,
  parLevel: 100,
  reorderPoint: 40,
  baseUom: 'EA',
  version: 3,
  updatedAt: '2025-03-14T00:00:00.000Z',
  ...overrides,
});

const usage = (delta: number) => ({
  businessKey: 'EPIC|NMC|MSG00001|1',
  correlationId: 'corr-1',
  delta,
  reason: delta < 0 ? ('USAGE' as const) : ('REVERSAL' as const),
  at: '2025-03-14T09:30:00.000Z',
});

const BOX_OF_10 = { uom: 'BX', factor: 10 };

describe('applyMovement', () => {
  it('decrements on hand, bumps the version and records the movement', () => {
    const result = applyMovement(position(), usage(-6));
    expect(result.position.onHand).toBe(54);
    expect(result.position.version).toBe(4);
    expect(result.position.updatedAt).toBe('2025-03-14T09:30:00.000Z');
    expect(result.movement).toStrictEqual({
      businessKey: 'EPIC|NMC|MSG00001|1',
      correlationId: 'corr-1',
      delta: -6,
      onHandAfter: 54,
      reason: 'USAGE',
      at: '2025-03-14T09:30:00.000Z',
    });
  });

  it('lets on hand go below zero rather than lose documented usage', () => {
    expect(applyMovement(position({ onHand: 2 }), usage(-5)).position.onHand).toBe(-3);
  });

  it('restores on hand when a usage is reversed (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 500 }), (onHand, used) => {
        const after = applyMovement(position({ onHand }), usage(-used)).position;
        const restored = applyMovement(after, usage(used)).position;
        expect(restored.onHand).toBe(onHand);
        expect(restored.version).toBe(position().version + 2);
      }),
    );
  });
});

describe('decideReplenishment', () => {
  it('orders par minus on hand rounded up to whole boxes when on hand falls to the reorder point', () => {
    const decision = decideReplenishment(position({ onHand: 40 }), 'USAGE', BOX_OF_10);
    expect(decision && { quantity: decision.quantity, purchaseQuantity: decision.purchaseQuantity, purchaseUom: decision.purchaseUom, onOrder: decision.position.onOrder }).toStrictEqual({ quantity: 60, purchaseQuantity: 6, purchaseUom: 'BX', onOrder: 60 });
  });

  it('rounds a partial pack up (par 48, on hand 11, box of 12 → 4 boxes = 48)', () => {
    const decision = decideReplenishment(position({ onHand: 11, parLevel: 48, reorderPoint: 12 }), 'USAGE', { uom: 'BX', factor: 12 });
    expect(decision?.quantity).toBe(48);
    expect(decision?.purchaseQuantity).toBe(4);
  });

  it('does not order while on hand is above the reorder point', () => {
    expect(decideReplenishment(position({ onHand: 41 }), 'USAGE', BOX_OF_10)).toBe(undefined);
  });

  it('counts stock on order: no second order while the first covers the reorder point', () => {
    expect(decideReplenishment(position({ onHand: 30, onOrder: 60 }), 'USAGE', BOX_OF_10)).toBe(undefined);
  });

  it('never orders on a reversal, even below the reorder point', () => {
    expect(decideReplenishment(position({ onHand: 5 }), 'REVERSAL', BOX_OF_10)).toBe(undefined);
  });

  it('orders whole packs, restores at least par, and never orders above the reorder point (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          parLevel: fc.integer({ min: 0, max: 5000 }),
          reorderFraction: fc.double({ min: 0, max: 1, noNaN: true }),
          onHand: fc.integer({ min: -500, max: 6000 }),
          onOrder: fc.integer({ min: 0, max: 3000 }),
          factor: fc.integer({ min: 1, max: 250 }),
        }),
        ({ parLevel, reorderFraction, onHand, onOrder, factor }) => {
          const reorderPoint = Math.floor(parLevel * reorderFraction);
          const p = position({ parLevel, reorderPoint, onHand, onOrder });
          const decision = decideReplenishment(p, 'USAGE', { uom: 'CS', factor });
          if (onHand + onOrder > reorderPoint) {
            expect(decision).toBe(undefined);
            return;
          }
          if (decision === undefined) {
            // Only when nothing is short of par.
            expect(onHand + onOrder >= parLevel).toBeTruthy();
            return;
          }
          expect(Number.isInteger(decision.purchaseQuantity) && decision.purchaseQuantity > 0).toBeTruthy();
          expect(decision.quantity).toBe(decision.purchaseQuantity * factor);
          expect(onHand + onOrder + decision.quantity >= parLevel).toBeTruthy();
          // Minimal: one pack less would not restore par.
          expect(onHand + onOrder + decision.quantity - factor < parLevel).toBeTruthy();
          expect(decision.position.onOrder).toBe(onOrder + decision.quantity);
        },
      ),
    );
  });
});

describe('purchasePack', () => {
  it('uses the conversion of the purchase unit', () => {
    expect(purchasePack({ baseUom: 'EA', purchaseUom: 'CS', conversions: [{ uom: 'BX', factor: 10 }, { uom: 'CS', factor: 100 }] })).toStrictEqual({
      uom: 'CS',
      factor: 100,
    });
  });

  it('falls back to the base unit when the purchase unit has no conversion', () => {
    expect(purchasePack({ baseUom: 'EA', purchaseUom: 'PK', conversions: [{ uom: 'BX', factor: 10 }] })).toStrictEqual({ uom: 'EA', factor: 1 });
  });
});

describe('openingPosition', () => {
  it('starts from the par setting with nothing on order at version 0', () => {
    expect(openingPosition({ locationId: 'NMC-OR', itemId: 'ITM-10001', parLevel: 100, reorderPoint: 40, initialOnHand: 60 }, 'EA', 'T')).toStrictEqual(position({ version: 0, updatedAt: 'T' }));
  });
});

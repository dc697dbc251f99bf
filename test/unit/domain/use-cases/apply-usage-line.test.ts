import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CostPostedSchema, InventoryPositionChangedSchema, ReplenishmentRequestedSchema } from '../../../../contracts/events';
import { ConcurrencyError, MappingError } from '../../../../functions/domain/errors';
import { applyUsageLine, outcomeEvents } from '../../../../functions/domain/use-cases/apply-usage-line';
import { fakeDependencies, mappedUsageLine } from '../../fakes';

const line = mappedUsageLine;

describe('applyUsageLine', () => {
  it('decrements the position and prices the cost posting', async () => {
    const deps = fakeDependencies();
    const result = await applyUsageLine(deps, line());

    expect(result.applied).toBe(true);
    expect(result.duplicate).toBe(false);
    const position = await deps.inventory.getPosition('NMC-OR', 'ITM-10001');
    expect(position?.onHand).toBe(54);
    expect(position?.version).toBe(1);

    const changed = InventoryPositionChangedSchema.parse(result.outcome.positionChanged.detail);
    expect([changed.delta, changed.onHand, changed.reason]).toStrictEqual([-6, 54, 'USAGE']);
    const cost = CostPostedSchema.parse(result.outcome.costPosting.detail);
    expect([cost.quantity, cost.unitCost, cost.amount, cost.currency, cost.postingDate]).toStrictEqual([6, 0.45, 2.7, 'USD', '2025-03-14']);
    expect(cost.encounterRef).toBe('enc_0123456789abcdef0123');
    expect(result.outcome.replenishment).toBe(undefined);
    expect(deps.transactions.hopNames('corr-1')).toStrictEqual(['applied']);
    expect(deps.audit.actions()).toStrictEqual(['inventory.decremented']);
  });

  it('decrements the position once when the same line is applied twice', async () => {
    const deps = fakeDependencies();
    const first = await applyUsageLine(deps, line());
    const second = await applyUsageLine(deps, line());

    expect((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onHand).toBe(54);
    expect(second.applied).toBe(false);
    expect(second.duplicate).toBe(true);
    // The same events, with the same idempotency keys, so consumers can deduplicate the re-emission.
    expect(outcomeEvents(second.outcome)).toStrictEqual(outcomeEvents(first.outcome));
    expect(deps.transactions.hopNames('corr-1')).toStrictEqual(['applied', 'duplicate']);
    expect(deps.audit.actions()).toStrictEqual(['inventory.decremented']);
  });

  it('emits ReplenishmentRequested restoring par rounded up to the pack when on hand falls to the reorder point', async () => {
    const deps = fakeDependencies();
    // Gauze at NMC-OR: on hand 60, reorder point 40, par 100, 1 BX = 10 EA. Using 23 leaves 37.
    const result = await applyUsageLine(deps, line({ baseQuantity: 23 }));

    const replenishment = ReplenishmentRequestedSchema.parse(result.outcome.replenishment?.detail);
    expect({
        onHand: replenishment.onHand,
        onOrder: replenishment.onOrder,
        quantity: replenishment.quantity,
        purchaseQuantity: replenishment.purchaseQuantity,
        purchaseUom: replenishment.purchaseUom,
        supplierId: replenishment.supplierId,
        costCenter: replenishment.costCenter,
      }).toStrictEqual({ onHand: 37, onOrder: 0, quantity: 70, purchaseQuantity: 7, purchaseUom: 'BX', supplierId: 'SUP-MEDLINE', costCenter: 'CC-NMC-OR' });
    expect((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onOrder).toBe(70);
    expect(deps.transactions.hopNames('corr-1')).toStrictEqual(['applied', 'reorder']);
  });

  it('does not reorder again while the first order covers the reorder point', async () => {
    const deps = fakeDependencies();
    await applyUsageLine(deps, line({ baseQuantity: 20 }));
    const second = await applyUsageLine(deps, line({ businessKey: 'EPIC|NMC|MSG00001|2', lineNumber: 2, baseQuantity: 5 }));
    expect(second.outcome.replenishment).toBe(undefined);
    expect((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onHand).toBe(35);
  });

  it('restores stock on a credit line without reordering and posts a negative cost', async () => {
    const deps = fakeDependencies();
    const result = await applyUsageLine(deps, line({ baseQuantity: -4, transactionType: 'CREDIT' }));
    expect((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onHand).toBe(64);
    expect(result.outcome.positionChanged.detail.reason).toBe('REVERSAL');
    expect(result.outcome.costPosting.detail.amount).toBe(-1.8);
    expect(result.outcome.replenishment).toBe(undefined);
    expect(deps.audit.actions()).toStrictEqual(['inventory.restored']);
  });

  it('re-reads and retries when another writer moved the position first', async () => {
    const deps = fakeDependencies();
    deps.inventory.collideNext(2);
    const result = await applyUsageLine(deps, line());
    expect(result.applied).toBe(true);
    expect(deps.inventory.applyCalls).toBe(3);
    const position = await deps.inventory.getPosition('NMC-OR', 'ITM-10001');
    expect(position?.onHand).toBe(54);
    expect(position?.version).toBe(3);
  });

  it('gives up with ConcurrencyError when the position keeps moving', async () => {
    const deps = fakeDependencies();
    deps.inventory.collideNext(10);
    await expect(applyUsageLine(deps, line(), { maxAttempts: 3 })).rejects.toThrow(ConcurrencyError);
    expect(deps.inventory.applyCalls).toBe(3);
    expect(deps.transactions.hops).toStrictEqual([]);
  });

  it('opens the position from the par setting when it was never initialised', async () => {
    const deps = fakeDependencies({ initialisePositions: false });
    await applyUsageLine(deps, line());
    const position = await deps.inventory.getPosition('NMC-OR', 'ITM-10001');
    expect([position?.onHand, position?.parLevel, position?.version]).toStrictEqual([54, 100, 1]);
  });

  it('fails with MappingError when the item is not stocked at the location', async () => {
    const deps = fakeDependencies({ initialisePositions: false });
    await expect(applyUsageLine(deps, line({ locationId: 'NMC-ED' }))).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof MappingError && e.reasons[0] === 'NO_PAR_SETTING'));
  });

  it('ends at the initial stock minus the net usage however lines are repeated (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -20, max: 20 }).filter((q) => q !== 0), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (quantities, repeats) => {
          const deps = fakeDependencies();
          const lines = quantities.map((q, i) =>
            line({ businessKey: `EPIC|NMC|P|${i + 1}`, lineNumber: i + 1, baseQuantity: q, transactionType: q < 0 ? 'CREDIT' : 'CHARGE' }),
          );
          for (const l of lines) await applyUsageLine(deps, l);
          // Redeliveries of any lines change nothing.
          for (const r of repeats) await applyUsageLine(deps, lines[r % lines.length]!);
          const position = await deps.inventory.getPosition('NMC-OR', 'ITM-10001');
          expect(position?.onHand).toBe(60 - quantities.reduce((a, b) => a + b, 0));
          expect(position?.version).toBe(lines.length);
          // Every reorder restores par in whole boxes of 10.
          for (const l of lines) {
            const stored = await deps.inventory.findOutcome(l.businessKey);
            const quantity = stored?.replenishment?.detail.quantity;
            if (typeof quantity === 'number') expect(quantity % 10).toBe(0);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

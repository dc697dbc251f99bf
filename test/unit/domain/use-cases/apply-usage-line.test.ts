import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

    assert.equal(result.applied, true);
    assert.equal(result.duplicate, false);
    const position = await deps.inventory.getPosition('NMC-OR', 'ITM-10001');
    assert.equal(position?.onHand, 54);
    assert.equal(position?.version, 1);

    const changed = InventoryPositionChangedSchema.parse(result.outcome.positionChanged.detail);
    assert.deepEqual([changed.delta, changed.onHand, changed.reason], [-6, 54, 'USAGE']);
    const cost = CostPostedSchema.parse(result.outcome.costPosting.detail);
    assert.deepEqual([cost.quantity, cost.unitCost, cost.amount, cost.currency, cost.postingDate], [6, 0.45, 2.7, 'USD', '2025-03-14']);
    assert.equal(cost.encounterRef, 'enc_0123456789abcdef0123');
    assert.equal(result.outcome.replenishment, undefined);
    assert.deepEqual(deps.transactions.hopNames('corr-1'), ['applied']);
    assert.deepEqual(deps.audit.actions(), ['inventory.decremented']);
  });

  it('decrements the position once when the same line is applied twice', async () => {
    const deps = fakeDependencies();
    const first = await applyUsageLine(deps, line());
    const second = await applyUsageLine(deps, line());

    assert.equal((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onHand, 54);
    assert.equal(second.applied, false);
    assert.equal(second.duplicate, true);
    // The same events, with the same idempotency keys, so consumers can deduplicate the re-emission.
    assert.deepEqual(outcomeEvents(second.outcome), outcomeEvents(first.outcome));
    assert.deepEqual(deps.transactions.hopNames('corr-1'), ['applied', 'duplicate']);
    assert.deepEqual(deps.audit.actions(), ['inventory.decremented']);
  });

  it('emits ReplenishmentRequested restoring par rounded up to the pack when on hand falls to the reorder point', async () => {
    const deps = fakeDependencies();
    // Gauze at NMC-OR: on hand 60, reorder point 40, par 100, 1 BX = 10 EA. Using 23 leaves 37.
    const result = await applyUsageLine(deps, line({ baseQuantity: 23 }));

    const replenishment = ReplenishmentRequestedSchema.parse(result.outcome.replenishment?.detail);
    assert.deepEqual(
      {
        onHand: replenishment.onHand,
        onOrder: replenishment.onOrder,
        quantity: replenishment.quantity,
        purchaseQuantity: replenishment.purchaseQuantity,
        purchaseUom: replenishment.purchaseUom,
        supplierId: replenishment.supplierId,
        costCenter: replenishment.costCenter,
      },
      // 100 - 37 = 63 → 7 boxes = 70 EA.
      { onHand: 37, onOrder: 0, quantity: 70, purchaseQuantity: 7, purchaseUom: 'BX', supplierId: 'SUP-MEDLINE', costCenter: 'CC-NMC-OR' },
    );
    assert.equal((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onOrder, 70);
    assert.deepEqual(deps.transactions.hopNames('corr-1'), ['applied', 'reorder']);
  });

  it('does not reorder again while the first order covers the reorder point', async () => {
    const deps = fakeDependencies();
    await applyUsageLine(deps, line({ baseQuantity: 20 }));
    const second = await applyUsageLine(deps, line({ businessKey: 'EPIC|MSG00001|2', lineNumber: 2, baseQuantity: 5 }));
    assert.equal(second.outcome.replenishment, undefined);
    assert.equal((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onHand, 35);
  });

  it('restores stock on a credit line without reordering and posts a negative cost', async () => {
    const deps = fakeDependencies();
    const result = await applyUsageLine(deps, line({ baseQuantity: -4, transactionType: 'CREDIT' }));
    assert.equal((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onHand, 64);
    assert.equal(result.outcome.positionChanged.detail.reason, 'REVERSAL');
    assert.equal(result.outcome.costPosting.detail.amount, -1.8);
    assert.equal(result.outcome.replenishment, undefined);
    assert.deepEqual(deps.audit.actions(), ['inventory.restored']);
  });

  it('re-reads and retries when another writer moved the position first', async () => {
    const deps = fakeDependencies();
    deps.inventory.collideNext(2);
    const result = await applyUsageLine(deps, line());
    assert.equal(result.applied, true);
    assert.equal(deps.inventory.applyCalls, 3);
    const position = await deps.inventory.getPosition('NMC-OR', 'ITM-10001');
    assert.equal(position?.onHand, 54);
    assert.equal(position?.version, 3);
  });

  it('gives up with ConcurrencyError when the position keeps moving', async () => {
    const deps = fakeDependencies();
    deps.inventory.collideNext(10);
    await assert.rejects(applyUsageLine(deps, line(), { maxAttempts: 3 }), ConcurrencyError);
    assert.equal(deps.inventory.applyCalls, 3);
    assert.deepEqual(deps.transactions.hops, []);
  });

  it('opens the position from the par setting when it was never initialised', async () => {
    const deps = fakeDependencies({ initialisePositions: false });
    await applyUsageLine(deps, line());
    const position = await deps.inventory.getPosition('NMC-OR', 'ITM-10001');
    assert.deepEqual([position?.onHand, position?.parLevel, position?.version], [54, 100, 1]);
  });

  it('fails with MappingError when the item is not stocked at the location', async () => {
    const deps = fakeDependencies({ initialisePositions: false });
    await assert.rejects(applyUsageLine(deps, line({ locationId: 'NMC-ED' })), (e: unknown) => e instanceof MappingError && e.reasons[0] === 'NO_PAR_SETTING');
  });

  it('ends at the initial stock minus the net usage however lines are repeated (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -20, max: 20 }).filter((q) => q !== 0), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (quantities, repeats) => {
          const deps = fakeDependencies();
          const lines = quantities.map((q, i) =>
            line({ businessKey: `EPIC|P|${i + 1}`, lineNumber: i + 1, baseQuantity: q, transactionType: q < 0 ? 'CREDIT' : 'CHARGE' }),
          );
          for (const l of lines) await applyUsageLine(deps, l);
          // Redeliveries of any lines change nothing.
          for (const r of repeats) await applyUsageLine(deps, lines[r % lines.length]!);
          const position = await deps.inventory.getPosition('NMC-OR', 'ITM-10001');
          assert.equal(position?.onHand, 60 - quantities.reduce((a, b) => a + b, 0));
          assert.equal(position?.version, lines.length);
          // Every reorder restores par in whole boxes of 10.
          for (const l of lines) {
            const stored = await deps.inventory.findOutcome(l.businessKey);
            const quantity = stored?.replenishment?.detail.quantity;
            if (typeof quantity === 'number') assert.equal(quantity % 10, 0);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

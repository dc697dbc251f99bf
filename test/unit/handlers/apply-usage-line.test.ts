import './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_CATALOG, type EventDetailType } from '../../../contracts/events';
import { ValidationError } from '../../../functions/domain/errors';
import { makeHandler } from '../../../functions/handlers/apply-usage-line';
import { fakeDependencies, lambdaContext, mappedUsageLine } from '../fakes';

const line = mappedUsageLine;

describe('apply-usage-line handler', () => {
  it('returns PutEvents entries whose details match the event catalog, without a bus name', async () => {
    const deps = fakeDependencies();
    const output = await makeHandler(deps)({ line: line() }, lambdaContext());
    assert.equal(output.applied, true);
    assert.deepEqual(output.entries.map((e) => e.DetailType), ['InventoryPositionChanged', 'CostPosted']);
    for (const entry of output.entries) {
      const catalog = EVENT_CATALOG[entry.DetailType as EventDetailType];
      assert.equal(entry.Source, catalog.source);
      assert.equal(catalog.schema.safeParse(entry.Detail).success, true);
      assert.equal('EventBusName' in entry, false);
    }
  });

  it('decrements the position once when the same line is applied twice', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    const first = await handler({ line: line() }, lambdaContext());
    const second = await handler({ line: line() }, lambdaContext());
    assert.equal((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onHand, 54);
    assert.deepEqual([second.applied, second.duplicate], [false, true]);
    assert.deepEqual(second.entries, first.entries);
  });

  it('emits ReplenishmentRequested restoring par rounded up to the pack when on hand falls to the reorder point', async () => {
    const deps = fakeDependencies();
    // 60 on hand - 20 = 40 = reorder point → order 100 - 40 = 60 = 6 BX of 10.
    const output = await makeHandler(deps)({ line: line({ baseQuantity: 20 }) }, lambdaContext());
    assert.deepEqual(output.replenishment, { itemId: 'ITM-10001', locationId: 'NMC-OR', quantity: 60, purchaseQuantity: 6, purchaseUom: 'BX' });
    const entry = output.entries.find((e) => e.DetailType === 'ReplenishmentRequested');
    assert.equal(entry?.Detail.quantity, 60);
    assert.equal(entry?.Detail.idempotencyKey, 'EPIC|MSG00001|1#ReplenishmentRequested');
  });

  it('restores stock on a credit line', async () => {
    const deps = fakeDependencies();
    const output = await makeHandler(deps)({ line: line({ baseQuantity: -2, transactionType: 'CREDIT' }) }, lambdaContext());
    assert.equal((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onHand, 62);
    assert.equal(output.replenishment, undefined);
    assert.equal(output.entries.find((e) => e.DetailType === 'CostPosted')?.Detail.amount, -0.9);
  });

  it('throws ValidationError naming the field when the line is malformed', async () => {
    await assert.rejects(
      makeHandler(fakeDependencies())({ line: { ...line(), baseQuantity: 0 } }, lambdaContext()),
      (e: unknown) => e instanceof ValidationError && e.location === 'line.baseQuantity',
    );
  });
});

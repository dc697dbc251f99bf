import './support';
import { describe, expect, it } from '@jest/globals';
import { EVENT_CATALOG, type EventDetailType } from '../../../contracts/events';
import { ValidationError } from '../../../functions/domain/errors';
import { makeHandler } from '../../../functions/handlers/apply-usage-line';
import { fakeDependencies, lambdaContext, mappedUsageLine } from '../fakes';

const line = mappedUsageLine;

describe('apply-usage-line handler', () => {
  it('returns PutEvents entries whose details match the event catalog, without a bus name', async () => {
    const deps = fakeDependencies();
    const output = await makeHandler(deps)({ line: line() }, lambdaContext());
    expect(output.applied).toBe(true);
    expect(output.entries.map((e) => e.DetailType)).toStrictEqual(['InventoryPositionChanged', 'CostPosted']);
    for (const entry of output.entries) {
      const catalog = EVENT_CATALOG[entry.DetailType as EventDetailType];
      expect(entry.Source).toBe(catalog.source);
      expect(catalog.schema.safeParse(entry.Detail).success).toBe(true);
      expect('EventBusName' in entry).toBe(false);
    }
  });

  it('decrements the position once when the same line is applied twice', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    const first = await handler({ line: line() }, lambdaContext());
    const second = await handler({ line: line() }, lambdaContext());
    expect((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onHand).toBe(54);
    expect([second.applied, second.duplicate]).toStrictEqual([false, true]);
    expect(second.entries).toStrictEqual(first.entries);
  });

  it('emits ReplenishmentRequested restoring par rounded up to the pack when on hand falls to the reorder point', async () => {
    const deps = fakeDependencies();
    // 60 on hand - 20 = 40 = reorder point → order 100 - 40 = 60 = 6 BX of 10.
    const output = await makeHandler(deps)({ line: line({ baseQuantity: 20 }) }, lambdaContext());
    expect(output.replenishment).toStrictEqual({ itemId: 'ITM-10001', locationId: 'NMC-OR', quantity: 60, purchaseQuantity: 6, purchaseUom: 'BX' });
    const entry = output.entries.find((e) => e.DetailType === 'ReplenishmentRequested');
    expect(entry?.Detail.quantity).toBe(60);
    expect(entry?.Detail.idempotencyKey).toBe('EPIC|NMC|MSG00001|1#ReplenishmentRequested');
  });

  it('restores stock on a credit line', async () => {
    const deps = fakeDependencies();
    const output = await makeHandler(deps)({ line: line({ baseQuantity: -2, transactionType: 'CREDIT' }) }, lambdaContext());
    expect((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onHand).toBe(62);
    expect(output.replenishment).toBe(undefined);
    expect(output.entries.find((e) => e.DetailType === 'CostPosted')?.Detail.amount).toBe(-0.9);
  });

  it('throws ValidationError naming the field when the line is malformed', async () => {
    await expect(makeHandler(fakeDependencies())({ line: { ...line(), baseQuantity: 0 } }, lambdaContext())).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof ValidationError && e.location === 'line.baseQuantity'));
  });
});

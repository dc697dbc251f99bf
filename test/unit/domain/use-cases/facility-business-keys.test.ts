import { describe, expect, it } from '@jest/globals';
import { SupplyUsageRecordedSchema } from '../../../../contracts/events';
import type { UsageMessage } from '../../../../contracts/usage';
import { applyUsageLine } from '../../../../functions/domain/use-cases/apply-usage-line';
import { mapUsageLines } from '../../../../functions/domain/use-cases/map-usage-lines';
import { recordUsage } from '../../../../functions/domain/use-cases/record-usage';
import { fakeDependencies, sampleUsage, testReferenceData, type Fakes } from '../../fakes';

/** The test reference data plus a gauze par at SCH-OR (60 on hand), so SCH's OR department maps too. */
const twoFacilityFakes = (): Fakes => {
  const data = testReferenceData();
  return fakeDependencies({
    referenceData: {
      ...data,
      parSettings: [...data.parSettings, { locationId: 'SCH-OR', itemId: 'ITM-10001', parLevel: 100, reorderPoint: 40, initialOnHand: 60 }],
    },
  });
};

/** Ingest → map → apply for one message, as the usage-to-replenishment workflow runs it. */
const runUsage = async (deps: Fakes, usage: UsageMessage, correlationId: string) => {
  deps.events.events.length = 0;
  await recordUsage(deps, { messages: [usage], correlationId, causationId: `req-${correlationId}`, actor: 'epic-interface' });
  const [recorded] = deps.events.ofType('SupplyUsageRecorded');
  const detail = SupplyUsageRecordedSchema.parse(recorded!.detail);
  const mapped = await mapUsageLines(deps, { usage: detail.usage, correlationId, causationId: detail.idempotencyKey });
  expect(mapped.exceptionCount).toBe(0);
  const results = [];
  for (const line of mapped.mappedLines) results.push(await applyUsageLine(deps, line));
  return { messageKey: detail.idempotencyKey, results };
};

describe('usage business keys across facilities', () => {
  it('applies the lines of two facilities that reuse one sourceSystem + messageControlId, and an exact replay of either applies nothing more', async () => {
    const deps = twoFacilityFakes();
    // Same MSH-3 (EPIC) and MSH-10 (MSG00001), different MSH-4: ingest accepts both as two messages.
    const nmc = sampleUsage();
    const sch = sampleUsage({ facilityCode: 'SCH' });
    const onHand = async (locationId: string) => (await deps.inventory.getPosition(locationId, 'ITM-10001'))?.onHand;

    const first = await runUsage(deps, nmc, 'corr-nmc');
    const second = await runUsage(deps, sch, 'corr-sch');

    expect(first.messageKey).toBe('EPIC|NMC|MSG00001#SupplyUsageRecorded');
    expect(second.messageKey).toBe('EPIC|SCH|MSG00001#SupplyUsageRecorded');
    expect(first.results.map((r) => [r.outcome.businessKey, r.applied, r.duplicate])).toStrictEqual([['EPIC|NMC|MSG00001|1', true, false]]);
    expect(second.results.map((r) => [r.outcome.businessKey, r.applied, r.duplicate])).toStrictEqual([['EPIC|SCH|MSG00001|1', true, false]]);
    // Both lines decremented gauze (6 EA each), one at each facility's OR.
    expect(await onHand('NMC-OR')).toBe(54);
    expect(await onHand('SCH-OR')).toBe(54);

    // Exact replays of either message change nothing.
    const replays = [await runUsage(deps, nmc, 'corr-nmc'), await runUsage(deps, sch, 'corr-sch')];
    for (const replay of replays) expect(replay.results.map((r) => [r.applied, r.duplicate])).toStrictEqual([[false, true]]);
    expect(await onHand('NMC-OR')).toBe(54);
    expect(await onHand('SCH-OR')).toBe(54);
    expect(deps.audit.actions().filter((a) => a === 'inventory.decremented').length).toBe(2);
  });
});

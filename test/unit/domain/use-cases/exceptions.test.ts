import { describe, expect, it } from '@jest/globals';
import { SupplyUsageRecordedSchema } from '../../../../contracts/events';
import { ConflictError, NotFoundError } from '../../../../functions/domain/errors';
import { getException, listExceptions, reprocessException } from '../../../../functions/domain/use-cases/exceptions';
import { exceptionIdFor } from '../../../../functions/domain/use-cases/ids';
import { mapUsageLines } from '../../../../functions/domain/use-cases/map-usage-lines';
import { fakeDependencies, sampleUsage } from '../../fakes';

const withUnknownLine = () =>
  sampleUsage({
    lines: [
      { lineNumber: 1, item: { system: 'CHARGE', value: 'CHG-100001' }, quantity: 1, transactionType: 'CHARGE', serviceDate: '2025-03-14T08:15:00.000Z' },
      { lineNumber: 2, item: { system: 'CHARGE', value: 'CHG-999999' }, quantity: 3, transactionType: 'CHARGE', serviceDate: '2025-03-14T08:15:00.000Z' },
    ],
  });

const setUp = async () => {
  const deps = fakeDependencies();
  await mapUsageLines(deps, { usage: withUnknownLine(), correlationId: 'corr-1', causationId: 'evt-1' });
  return { deps, exceptionId: exceptionIdFor('EPIC|NMC|MSG00001|2') };
};

describe('exceptions', () => {
  it('lists open exceptions and gets one by id', async () => {
    const { deps, exceptionId } = await setUp();
    expect((await listExceptions(deps, 'OPEN')).map((e) => e.exceptionId)).toStrictEqual([exceptionId]);
    expect(await listExceptions(deps, 'RESOLVED')).toStrictEqual([]);
    expect((await getException(deps, exceptionId)).lineNumber).toBe(2);
  });

  it('throws NotFoundError for an unknown exception', async () => {
    await expect(getException(fakeDependencies(), 'exc_nope')).rejects.toThrow(NotFoundError);
  });

  it('re-publishes SupplyUsageRecorded with only that line under the same correlation id', async () => {
    const { deps, exceptionId } = await setUp();
    const result = await reprocessException(deps, exceptionId, 'ops-alice');
    expect(result).toStrictEqual({ exceptionId, correlationId: 'corr-1' });

    const [event] = deps.events.ofType('SupplyUsageRecorded');
    const detail = SupplyUsageRecordedSchema.parse(event!.detail);
    expect(detail.correlationId).toBe('corr-1');
    expect(detail.causationId).toBe(exceptionId);
    expect(detail.usage.messageControlId).toBe('MSG00001');
    expect(detail.usage.lines.map((l) => l.lineNumber)).toStrictEqual([2]);
    expect(detail.idempotencyKey).not.toBe('EPIC|NMC|MSG00001#SupplyUsageRecorded');
    expect(deps.transactions.hopNames('corr-1').includes('reprocessed')).toBeTruthy();
    expect(deps.audit.records.at(-1)?.action).toBe('exception.reprocessed');
    expect(deps.audit.records.at(-1)?.actor).toBe('ops-alice');
  });

  it('resolves the exception when the reprocessed line maps after the crosswalk fix', async () => {
    const { deps, exceptionId } = await setUp();
    await deps.referenceData.putChargeCode({ sourceSystem: 'EPIC', chargeCode: 'CHG-999999', itemId: 'ITM-10002' });
    await reprocessException(deps, exceptionId, 'ops-alice');
    const [event] = deps.events.ofType('SupplyUsageRecorded');
    const detail = SupplyUsageRecordedSchema.parse(event!.detail);
    const mapped = await mapUsageLines(deps, { usage: detail.usage, correlationId: detail.correlationId, causationId: 'evt-2' });
    expect(mapped.mappedLines[0]!.businessKey).toBe('EPIC|NMC|MSG00001|2');
    expect((await getException(deps, exceptionId)).status).toBe('RESOLVED');
  });

  it('refuses to reprocess a RESOLVED exception with ConflictError', async () => {
    const { deps, exceptionId } = await setUp();
    await deps.exceptions.markResolved(exceptionId, '2025-03-14T10:00:00.000Z');
    await expect(reprocessException(deps, exceptionId, 'ops-alice')).rejects.toThrow(ConflictError);
    expect(deps.events.ofType('SupplyUsageRecorded').length).toBe(0);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
  return { deps, exceptionId: exceptionIdFor('EPIC|MSG00001|2') };
};

describe('exceptions', () => {
  it('lists open exceptions and gets one by id', async () => {
    const { deps, exceptionId } = await setUp();
    assert.deepEqual((await listExceptions(deps, 'OPEN')).map((e) => e.exceptionId), [exceptionId]);
    assert.deepEqual(await listExceptions(deps, 'RESOLVED'), []);
    assert.equal((await getException(deps, exceptionId)).lineNumber, 2);
  });

  it('throws NotFoundError for an unknown exception', async () => {
    await assert.rejects(getException(fakeDependencies(), 'exc_nope'), NotFoundError);
  });

  it('re-publishes SupplyUsageRecorded with only that line under the same correlation id', async () => {
    const { deps, exceptionId } = await setUp();
    const result = await reprocessException(deps, exceptionId, 'ops-alice');
    assert.deepEqual(result, { exceptionId, correlationId: 'corr-1' });

    const [event] = deps.events.ofType('SupplyUsageRecorded');
    const detail = SupplyUsageRecordedSchema.parse(event!.detail);
    assert.equal(detail.correlationId, 'corr-1');
    assert.equal(detail.causationId, exceptionId);
    assert.equal(detail.usage.messageControlId, 'MSG00001');
    assert.deepEqual(detail.usage.lines.map((l) => l.lineNumber), [2]);
    assert.notEqual(detail.idempotencyKey, 'EPIC|MSG00001#SupplyUsageRecorded');
    assert.ok(deps.transactions.hopNames('corr-1').includes('reprocessed'));
    assert.equal(deps.audit.records.at(-1)?.action, 'exception.reprocessed');
    assert.equal(deps.audit.records.at(-1)?.actor, 'ops-alice');
  });

  it('resolves the exception when the reprocessed line maps after the crosswalk fix', async () => {
    const { deps, exceptionId } = await setUp();
    await deps.referenceData.putChargeCode({ sourceSystem: 'EPIC', chargeCode: 'CHG-999999', itemId: 'ITM-10002' });
    await reprocessException(deps, exceptionId, 'ops-alice');
    const [event] = deps.events.ofType('SupplyUsageRecorded');
    const detail = SupplyUsageRecordedSchema.parse(event!.detail);
    const mapped = await mapUsageLines(deps, { usage: detail.usage, correlationId: detail.correlationId, causationId: 'evt-2' });
    assert.equal(mapped.mappedLines[0]!.businessKey, 'EPIC|MSG00001|2');
    assert.equal((await getException(deps, exceptionId)).status, 'RESOLVED');
  });

  it('refuses to reprocess a RESOLVED exception with ConflictError', async () => {
    const { deps, exceptionId } = await setUp();
    await deps.exceptions.markResolved(exceptionId, '2025-03-14T10:00:00.000Z');
    await assert.rejects(reprocessException(deps, exceptionId, 'ops-alice'), ConflictError);
    assert.equal(deps.events.ofType('SupplyUsageRecorded').length, 0);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageExceptionRaisedSchema } from '../../../../contracts/events';
import { exceptionIdFor } from '../../../../functions/domain/use-cases/ids';
import { mapUsageLines } from '../../../../functions/domain/use-cases/map-usage-lines';
import { fakeDependencies, sampleUsage } from '../../fakes';

const twoLines = () =>
  sampleUsage({
    lines: [
      { lineNumber: 1, item: { system: 'CHARGE', value: 'CHG-100001' }, quantity: 2, uom: 'BX', transactionType: 'CHARGE', serviceDate: '2025-03-14T08:15:00.000Z' },
      { lineNumber: 2, item: { system: 'CHARGE', value: 'CHG-999999' }, quantity: 1, transactionType: 'CHARGE', serviceDate: '2025-03-14T08:15:00.000Z' },
    ],
  });

describe('mapUsageLines', () => {
  it('maps known lines and returns them for the apply step', async () => {
    const deps = fakeDependencies();
    const result = await mapUsageLines(deps, { usage: sampleUsage(), correlationId: 'corr-1', causationId: 'evt-1' });
    assert.equal(result.exceptionCount, 0);
    assert.equal(result.mappedLines.length, 1);
    assert.equal(result.mappedLines[0]!.itemId, 'ITM-10001');
    assert.deepEqual(deps.transactions.hopNames('corr-1'), ['mapped']);
  });

  it('records an exception for an unknown charge code and still maps the other lines', async () => {
    const deps = fakeDependencies();
    const result = await mapUsageLines(deps, { usage: twoLines(), correlationId: 'corr-1', causationId: 'evt-1' });

    assert.equal(result.exceptionCount, 1);
    assert.deepEqual(result.mappedLines.map((l) => l.lineNumber), [1]);
    assert.equal(result.mappedLines[0]!.baseQuantity, 20);

    const exceptionId = exceptionIdFor('EPIC|MSG00001|2');
    const saved = deps.exceptions.byId.get(exceptionId);
    assert.equal(saved?.status, 'OPEN');
    assert.deepEqual(saved?.reasons, ['UNKNOWN_CHARGE_CODE']);
    assert.equal(saved?.lineNumber, 2);
    assert.equal(saved?.correlationId, 'corr-1');

    const [raised] = deps.events.ofType('UsageExceptionRaised');
    const detail = UsageExceptionRaisedSchema.parse(raised!.detail);
    assert.equal(detail.exceptionId, exceptionId);
    assert.equal(detail.businessKey, 'EPIC|MSG00001|2');
    assert.deepEqual(detail.reasons, ['UNKNOWN_CHARGE_CODE']);

    assert.deepEqual(deps.transactions.hopNames('corr-1'), ['mapped', 'exception']);
    assert.deepEqual(deps.transactions.hops[1]!.detail, { lineNumber: 2, exceptionId, reasons: ['UNKNOWN_CHARGE_CODE'] });
    assert.deepEqual(deps.audit.actions(), ['exception.raised']);
  });

  it('derives the same exception id on a replay and keeps the original creation time', async () => {
    const deps = fakeDependencies();
    await mapUsageLines(deps, { usage: twoLines(), correlationId: 'corr-1', causationId: 'evt-1' });
    const first = deps.exceptions.byId.get(exceptionIdFor('EPIC|MSG00001|2'))!;
    deps.clock.advance(60_000);
    await mapUsageLines(deps, { usage: twoLines(), correlationId: 'corr-1', causationId: 'evt-1' });
    assert.equal(deps.exceptions.byId.size, 1);
    assert.equal(deps.exceptions.byId.get(first.exceptionId)!.createdAt, first.createdAt);
  });

  it('resolves an open exception once its line maps after the crosswalk fix', async () => {
    const deps = fakeDependencies();
    await mapUsageLines(deps, { usage: twoLines(), correlationId: 'corr-1', causationId: 'evt-1' });
    await deps.referenceData.putChargeCode({ sourceSystem: 'EPIC', chargeCode: 'CHG-999999', itemId: 'ITM-10002' });

    const result = await mapUsageLines(deps, { usage: twoLines(), correlationId: 'corr-1', causationId: 'evt-2' });
    assert.equal(result.exceptionCount, 0);
    const exception = deps.exceptions.byId.get(exceptionIdFor('EPIC|MSG00001|2'))!;
    assert.equal(exception.status, 'RESOLVED');
    assert.equal(exception.resolvedAt, deps.clock.now().toISOString());
    assert.ok(deps.audit.actions().includes('exception.resolved'));
  });

  it('maps lines identified by GTIN and by item id, with the line department overriding the message one', async () => {
    const deps = fakeDependencies();
    const usage = sampleUsage({
      lines: [
        { lineNumber: 1, item: { system: 'GTIN', value: '10614141000033' }, quantity: 1, uom: 'BX', transactionType: 'CHARGE', serviceDate: '2025-03-14T08:15:00.000Z', departmentCode: 'CATH' },
        { lineNumber: 2, item: { system: 'ITEM', value: 'ITM-10002' }, quantity: 1, transactionType: 'CREDIT', serviceDate: '2025-03-14T08:15:00.000Z' },
      ],
    });
    const result = await mapUsageLines(deps, { usage, correlationId: 'c', causationId: 'e' });
    assert.deepEqual(
      result.mappedLines.map((l) => [l.itemId, l.locationId, l.baseQuantity]),
      [
        ['ITM-10003', 'NMC-CATH', 10],
        ['ITM-10002', 'NMC-OR', -1],
      ],
    );
  });

  it('raises UNKNOWN_DEPARTMENT for a department the crosswalk does not know (XRAY)', async () => {
    const deps = fakeDependencies();
    const result = await mapUsageLines(deps, { usage: sampleUsage({ departmentCode: 'XRAY' }), correlationId: 'c', causationId: 'e' });
    assert.equal(result.exceptionCount, 1);
    assert.deepEqual(deps.events.ofType('UsageExceptionRaised')[0]!.detail.reasons, ['UNKNOWN_DEPARTMENT']);
  });
});

import { describe, expect, it } from '@jest/globals';
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
    expect(result.exceptionCount).toBe(0);
    expect(result.mappedLines.length).toBe(1);
    expect(result.mappedLines[0]!.itemId).toBe('ITM-10001');
    expect(deps.transactions.hopNames('corr-1')).toStrictEqual(['mapped']);
  });

  it('records an exception for an unknown charge code and still maps the other lines', async () => {
    const deps = fakeDependencies();
    const result = await mapUsageLines(deps, { usage: twoLines(), correlationId: 'corr-1', causationId: 'evt-1' });

    expect(result.exceptionCount).toBe(1);
    expect(result.mappedLines.map((l) => l.lineNumber)).toStrictEqual([1]);
    expect(result.mappedLines[0]!.baseQuantity).toBe(20);

    const exceptionId = exceptionIdFor('EPIC|NMC|MSG00001|2');
    const saved = deps.exceptions.byId.get(exceptionId);
    expect(saved?.status).toBe('OPEN');
    expect(saved?.reasons).toStrictEqual(['UNKNOWN_CHARGE_CODE']);
    expect(saved?.lineNumber).toBe(2);
    expect(saved?.correlationId).toBe('corr-1');

    const [raised] = deps.events.ofType('UsageExceptionRaised');
    const detail = UsageExceptionRaisedSchema.parse(raised!.detail);
    expect(detail.exceptionId).toBe(exceptionId);
    expect(detail.businessKey).toBe('EPIC|NMC|MSG00001|2');
    expect(detail.reasons).toStrictEqual(['UNKNOWN_CHARGE_CODE']);

    expect(deps.transactions.hopNames('corr-1')).toStrictEqual(['mapped', 'exception']);
    expect(deps.transactions.hops[1]!.detail).toStrictEqual({ messageKey: 'EPIC|NMC|MSG00001', lineNumber: 2, exceptionId, reasons: ['UNKNOWN_CHARGE_CODE'] });
    expect(deps.audit.actions()).toStrictEqual(['exception.raised']);
  });

  it('derives the same exception id on a replay and keeps the original creation time', async () => {
    const deps = fakeDependencies();
    await mapUsageLines(deps, { usage: twoLines(), correlationId: 'corr-1', causationId: 'evt-1' });
    const first = deps.exceptions.byId.get(exceptionIdFor('EPIC|NMC|MSG00001|2'))!;
    deps.clock.advance(60_000);
    await mapUsageLines(deps, { usage: twoLines(), correlationId: 'corr-1', causationId: 'evt-1' });
    expect(deps.exceptions.byId.size).toBe(1);
    expect(deps.exceptions.byId.get(first.exceptionId)!.createdAt).toBe(first.createdAt);
  });

  it('resolves an open exception once its line maps after the crosswalk fix', async () => {
    const deps = fakeDependencies();
    await mapUsageLines(deps, { usage: twoLines(), correlationId: 'corr-1', causationId: 'evt-1' });
    await deps.referenceData.putChargeCode({ sourceSystem: 'EPIC', chargeCode: 'CHG-999999', itemId: 'ITM-10002' });

    const result = await mapUsageLines(deps, { usage: twoLines(), correlationId: 'corr-1', causationId: 'evt-2' });
    expect(result.exceptionCount).toBe(0);
    const exception = deps.exceptions.byId.get(exceptionIdFor('EPIC|NMC|MSG00001|2'))!;
    expect(exception.status).toBe('RESOLVED');
    expect(exception.resolvedAt).toBe(deps.clock.now().toISOString());
    expect(deps.audit.actions().includes('exception.resolved')).toBeTruthy();
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
    expect(result.mappedLines.map((l) => [l.itemId, l.locationId, l.baseQuantity])).toStrictEqual([
        ['ITM-10003', 'NMC-CATH', 10],
        ['ITM-10002', 'NMC-OR', -1],
      ]);
  });

  it('raises UNKNOWN_DEPARTMENT for a department the crosswalk does not know (XRAY)', async () => {
    const deps = fakeDependencies();
    const result = await mapUsageLines(deps, { usage: sampleUsage({ departmentCode: 'XRAY' }), correlationId: 'c', causationId: 'e' });
    expect(result.exceptionCount).toBe(1);
    expect(deps.events.ofType('UsageExceptionRaised')[0]!.detail.reasons).toStrictEqual(['UNKNOWN_DEPARTMENT']);
  });
});

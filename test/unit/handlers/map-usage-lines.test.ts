import { eventBridgeEvent } from './support';
import { describe, expect, it } from '@jest/globals';
import { supplyUsageRecorded } from '../../../functions/domain/events';
import { ValidationError } from '../../../functions/domain/errors';
import { makeHandler } from '../../../functions/handlers/map-usage-lines';
import { fakeDependencies, lambdaContext, sampleUsage } from '../fakes';

const startedBy = (usage = sampleUsage()) => {
  const event = supplyUsageRecorded(
    { correlationId: 'corr-1', causationId: 'req-1', businessKey: 'EPIC|NMC|MSG00001', occurredAt: '2025-03-14T09:30:00.000Z' },
    usage,
  );
  return eventBridgeEvent(event.source, event.detailType, event.detail, 'evt-0001');
};

describe('map-usage-lines handler', () => {
  it('returns the mapped lines of the SupplyUsageRecorded event for the Map state', async () => {
    const deps = fakeDependencies();
    const output = await makeHandler(deps)(startedBy(), lambdaContext());
    expect(output.correlationId).toBe('corr-1');
    expect(output.exceptionCount).toBe(0);
    expect(output.mappedLines.length).toBe(1);
    expect(output.mappedLines[0]!.causationId).toBe('evt-0001');
    expect(output.mappedLines[0]!.businessKey).toBe('EPIC|NMC|MSG00001|1');
  });

  it('records an exception for an unknown charge code and leaves the line out', async () => {
    const deps = fakeDependencies();
    const usage = sampleUsage({
      lines: [{ lineNumber: 1, item: { system: 'CHARGE', value: 'CHG-999999' }, quantity: 1, transactionType: 'CHARGE', serviceDate: '2025-03-14T08:15:00.000Z' }],
    });
    const output = await makeHandler(deps)(startedBy(usage), lambdaContext());
    expect(output.mappedLines).toStrictEqual([]);
    expect(output.exceptionCount).toBe(1);
    expect(deps.events.ofType('UsageExceptionRaised').length).toBe(1);
    expect([...deps.exceptions.byId.values()][0]?.status).toBe('OPEN');
  });

  it('throws ValidationError (not retried by the ASL) for input that is not a SupplyUsageRecorded event', async () => {
    const deps = fakeDependencies();
    await expect(makeHandler(deps)(eventBridgeEvent('hem.usage', 'SupplyUsageRecorded', { usage: {} }), lambdaContext())).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof ValidationError && e.name === 'ValidationError' && e.location === 'detail.version'));
  });
});

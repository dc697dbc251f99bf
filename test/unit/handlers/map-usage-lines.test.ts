import { eventBridgeEvent } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { supplyUsageRecorded } from '../../../functions/domain/events';
import { ValidationError } from '../../../functions/domain/errors';
import { makeHandler } from '../../../functions/handlers/map-usage-lines';
import { fakeDependencies, lambdaContext, sampleUsage } from '../fakes';

const startedBy = (usage = sampleUsage()) => {
  const event = supplyUsageRecorded(
    { correlationId: 'corr-1', causationId: 'req-1', businessKey: 'EPIC|MSG00001', occurredAt: '2025-03-14T09:30:00.000Z' },
    usage,
  );
  return eventBridgeEvent(event.source, event.detailType, event.detail, 'evt-0001');
};

describe('map-usage-lines handler', () => {
  it('returns the mapped lines of the SupplyUsageRecorded event for the Map state', async () => {
    const deps = fakeDependencies();
    const output = await makeHandler(deps)(startedBy(), lambdaContext());
    assert.equal(output.correlationId, 'corr-1');
    assert.equal(output.exceptionCount, 0);
    assert.equal(output.mappedLines.length, 1);
    assert.equal(output.mappedLines[0]!.causationId, 'evt-0001');
    assert.equal(output.mappedLines[0]!.businessKey, 'EPIC|MSG00001|1');
  });

  it('records an exception for an unknown charge code and leaves the line out', async () => {
    const deps = fakeDependencies();
    const usage = sampleUsage({
      lines: [{ lineNumber: 1, item: { system: 'CHARGE', value: 'CHG-999999' }, quantity: 1, transactionType: 'CHARGE', serviceDate: '2025-03-14T08:15:00.000Z' }],
    });
    const output = await makeHandler(deps)(startedBy(usage), lambdaContext());
    assert.deepEqual(output.mappedLines, []);
    assert.equal(output.exceptionCount, 1);
    assert.equal(deps.events.ofType('UsageExceptionRaised').length, 1);
    assert.equal([...deps.exceptions.byId.values()][0]?.status, 'OPEN');
  });

  it('throws ValidationError (not retried by the ASL) for input that is not a SupplyUsageRecorded event', async () => {
    const deps = fakeDependencies();
    await assert.rejects(
      makeHandler(deps)(eventBridgeEvent('hem.usage', 'SupplyUsageRecorded', { usage: {} }), lambdaContext()),
      (e: unknown) => e instanceof ValidationError && e.name === 'ValidationError' && e.location === 'detail.version',
    );
  });
});

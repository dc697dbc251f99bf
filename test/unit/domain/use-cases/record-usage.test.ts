import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SupplyUsageRecordedSchema } from '../../../../contracts/events';
import { InfrastructureError } from '../../../../functions/domain/errors';
import { recordUsage } from '../../../../functions/domain/use-cases/record-usage';
import { fakeDependencies, sampleUsage } from '../../fakes';

describe('recordUsage', () => {
  it('publishes one SupplyUsageRecorded per message under the caller correlation id', async () => {
    const deps = fakeDependencies();
    const messages = [sampleUsage(), sampleUsage({ messageControlId: 'MSG00002' })];
    const result = await recordUsage(deps, { messages, correlationId: 'corr-1', causationId: 'req-1', actor: 'epic-interface' });

    assert.deepEqual(result, { correlationId: 'corr-1', messages: 2, lines: 2 });
    const events = deps.events.ofType('SupplyUsageRecorded');
    assert.equal(events.length, 2);
    for (const event of events) {
      const detail = SupplyUsageRecordedSchema.parse(event.detail);
      assert.equal(detail.correlationId, 'corr-1');
      assert.equal(detail.causationId, 'req-1');
    }
    assert.deepEqual(
      events.map((e) => e.detail.idempotencyKey),
      ['EPIC|MSG00001#SupplyUsageRecorded', 'EPIC|MSG00002#SupplyUsageRecorded'],
    );
  });

  it("records a 'received' hop and a 'usage.received' audit record per message", async () => {
    const deps = fakeDependencies();
    await recordUsage(deps, { messages: [sampleUsage()], correlationId: 'corr-1', causationId: 'req-1', actor: 'epic-interface' });
    assert.deepEqual(deps.transactions.hopNames('corr-1'), ['received']);
    assert.deepEqual(deps.transactions.hops[0]!.detail, {
      sourceSystem: 'EPIC',
      facilityCode: 'NMC',
      messageControlId: 'MSG00001',
      sourceFormat: 'HL7v2:DFT^P03',
      lines: 1,
    });
    assert.deepEqual(deps.audit.actions(), ['usage.received']);
    assert.equal(deps.audit.records[0]!.actor, 'epic-interface');
  });

  it('fails when the bus refuses the events, so the caller can answer a retryable error', async () => {
    const deps = fakeDependencies();
    deps.events.failNext(new InfrastructureError('PutEvents failed'));
    await assert.rejects(
      recordUsage(deps, { messages: [sampleUsage()], correlationId: 'c', causationId: 'r', actor: 'a' }),
      InfrastructureError,
    );
    assert.equal(deps.events.events.length, 0);
  });
});

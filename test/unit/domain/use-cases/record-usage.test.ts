import { describe, expect, it } from '@jest/globals';
import { SupplyUsageRecordedSchema } from '../../../../contracts/events';
import { InfrastructureError } from '../../../../functions/domain/errors';
import { recordUsage } from '../../../../functions/domain/use-cases/record-usage';
import { fakeDependencies, sampleUsage } from '../../fakes';

describe('recordUsage', () => {
  it('publishes one SupplyUsageRecorded per message under the caller correlation id', async () => {
    const deps = fakeDependencies();
    const messages = [sampleUsage(), sampleUsage({ messageControlId: 'MSG00002' })];
    const result = await recordUsage(deps, { messages, correlationId: 'corr-1', causationId: 'req-1', actor: 'epic-interface' });

    expect(result).toStrictEqual({ correlationId: 'corr-1', messages: 2, lines: 2 });
    const events = deps.events.ofType('SupplyUsageRecorded');
    expect(events.length).toBe(2);
    for (const event of events) {
      const detail = SupplyUsageRecordedSchema.parse(event.detail);
      expect(detail.correlationId).toBe('corr-1');
      expect(detail.causationId).toBe('req-1');
    }
    expect(events.map((e) => e.detail.idempotencyKey)).toStrictEqual(['EPIC|NMC|MSG00001#SupplyUsageRecorded', 'EPIC|NMC|MSG00002#SupplyUsageRecorded']);
  });

  it("records a 'received' hop and a 'usage.received' audit record per message", async () => {
    const deps = fakeDependencies();
    await recordUsage(deps, { messages: [sampleUsage()], correlationId: 'corr-1', causationId: 'req-1', actor: 'epic-interface' });
    expect(deps.transactions.hopNames('corr-1')).toStrictEqual(['received']);
    expect(deps.transactions.hops[0]!.detail).toStrictEqual({
      sourceSystem: 'EPIC',
      facilityCode: 'NMC',
      messageControlId: 'MSG00001',
      sourceFormat: 'HL7v2:DFT^P03',
      lines: 1,
    });
    expect(deps.audit.actions()).toStrictEqual(['usage.received']);
    expect(deps.audit.records[0]!.actor).toBe('epic-interface');
  });

  it('fails when the bus refuses the events, so the caller can answer a retryable error', async () => {
    const deps = fakeDependencies();
    deps.events.failNext(new InfrastructureError('PutEvents failed'));
    await expect(recordUsage(deps, { messages: [sampleUsage()], correlationId: 'c', causationId: 'r', actor: 'a' })).rejects.toThrow(InfrastructureError);
    expect(deps.events.events.length).toBe(0);
  });
});

/**
 * Use case: accept PHI-free usage messages at the ingest edge. Records the 'received' hop and an
 * audit record, then publishes one `SupplyUsageRecorded` per message (which starts the
 * usage-to-replenishment workflow). Idempotency of the request itself is the handler's job.
 */
import type { UsageMessage } from '../../../contracts/usage';
import { supplyUsageRecorded, usageMessageBusinessKey } from '../events';
import type { Dependencies } from '../ports';

/** One accepted request (an HL7 message, a canonical record, or a FHIR Bundle's messages). */
export interface RecordUsageInput {
  messages: readonly UsageMessage[];
  /** One id for the whole business transaction, chosen by the caller (X-Correlation-Id). */
  correlationId: string;
  /** The request that carried the messages (API Gateway request id). */
  causationId: string;
  /** Who sent it (OAuth client id), for the audit trail. */
  actor: string;
}

export interface RecordUsageResult {
  correlationId: string;
  messages: number;
  lines: number;
}

/** Record and publish usage messages. Throws what the ports throw (the publisher fails on any failed entry). */
export const recordUsage = async (
  deps: Pick<Dependencies, 'events' | 'transactions' | 'audit' | 'clock'>,
  input: RecordUsageInput,
): Promise<RecordUsageResult> => {
  const at = deps.clock.now().toISOString();
  const events = [];
  for (const usage of input.messages) {
    const businessKey = usageMessageBusinessKey(usage);
    await deps.transactions.record({
      correlationId: input.correlationId,
      hop: 'received',
      status: 'ok',
      at,
      detail: {
        sourceSystem: usage.sourceSystem,
        facilityCode: usage.facilityCode,
        messageControlId: usage.messageControlId,
        sourceFormat: usage.sourceFormat,
        lines: usage.lines.length,
      },
    });
    await deps.audit.append({
      actor: input.actor,
      action: 'usage.received',
      entity: `usage:${businessKey}`,
      correlationId: input.correlationId,
      payload: usage,
    });
    events.push(
      supplyUsageRecorded({ correlationId: input.correlationId, causationId: input.causationId, businessKey, occurredAt: at }, usage),
    );
  }
  await deps.events.publish(events);
  return {
    correlationId: input.correlationId,
    messages: input.messages.length,
    lines: input.messages.reduce((n, m) => n + m.lines.length, 0),
  };
};

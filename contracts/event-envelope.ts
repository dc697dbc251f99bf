/**
 * The tracing envelope every bus event detail carries. Kept in its own module so that domain event
 * schema modules (`procurement-events.ts`, …) can extend it while `events.ts` imports them into the
 * one `EVENT_CATALOG`, without an import cycle. `events.ts` re-exports everything here.
 */
import * as z from 'zod';

/** Fields every event detail carries. */
export const EventEnvelopeSchema = z.object({
  version: z.literal('1'),
  /** One id per business transaction, end to end (the ingest's X-Correlation-Id). */
  correlationId: z.string().min(1),
  /** The id of the event or request that caused this one. */
  causationId: z.string().min(1),
  /** Business key consumers deduplicate on (never a queue message id). */
  idempotencyKey: z.string().min(1),
  occurredAt: z.string().datetime({ offset: true }),
});
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;

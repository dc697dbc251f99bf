/**
 * `EventPublisher` over EventBridge PutEvents.
 *
 * - Every detail is validated against `EVENT_CATALOG` (known detail-type, the catalog's source, the
 *   detail schema) BEFORE anything is sent: a bug must not put a bad event on the bus, and a batch
 *   with one bad event sends none.
 * - Entries go out in requests of at most 10 entries and 256 KiB (the PutEvents limits).
 * - PutEvents answers 200 even when entries failed: `FailedEntryCount` is checked on every call and
 *   only the failed entries are re-sent, with jittered exponential backoff, up to `maxAttempts`.
 *   Codes that no retry can fix (malformed detail, access denied…) are not retried.
 * - When entries still fail, `InfrastructureError` names the error codes and counts, never a detail.
 *   Entries that did go out stay published: the caller's retry publishes them again, which is safe
 *   because every consumer deduplicates on `detail.idempotencyKey`.
 */
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_CATALOG } from '../../../contracts/events';
import type { BusEvent } from '../../../contracts/events';
import { HemError, InfrastructureError, ValidationError } from '../../domain/errors';
import type { EventPublisher } from '../../domain/ports';
import { jitteredDelay, sleep } from './retry';

/** PutEvents limits. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** Entry error codes a retry cannot fix. */
const PERMANENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'InvalidArgument',
  'MalformedDetail',
  'AccessDeniedException',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
  'ValidationException',
]);

export interface EventBridgePublisherOptions {
  client: EventBridgeClient;
  eventBusName: string;
  /** Sends of one entry (first try included) before giving up. @default 4 */
  maxAttempts?: number;
  /** Backoff base: the n-th retry waits a random time in [0, min(cap, base × 2^n)]. @default 100 */
  baseDelayMs?: number;
  /** @default 2000 */
  maxDelayMs?: number;
}

/** Publishes validated canonical events to the HEM bus. */
export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #eventBusName: string;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;

  constructor(options: EventBridgePublisherOptions) {
    this.#client = options.client;
    this.#eventBusName = options.eventBusName;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.#baseDelayMs = options.baseDelayMs ?? 100;
    this.#maxDelayMs = options.maxDelayMs ?? 2_000;
  }

  async publish(events: readonly BusEvent[]): Promise<void> {
    events.forEach(validateEvent);
    const entries: PutEventsRequestEntry[] = events.map((event) => ({
      EventBusName: this.#eventBusName,
      Source: event.source,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
    }));
    for (const chunk of chunkEntries(entries)) {
      await this.#putWithRetry(chunk);
    }
  }

  async #putWithRetry(entries: PutEventsRequestEntry[]): Promise<void> {
    let pending = entries;
    let errorCodes: string[] = [];
    for (let attempt = 0; attempt < this.#maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 0) {
        await sleep(jitteredDelay(attempt, this.#baseDelayMs, this.#maxDelayMs));
      }
      const result = await this.#send(pending);
      if ((result.FailedEntryCount ?? 0) === 0) {
        return;
      }
      // Entries in the response line up with the request: a failed one carries an ErrorCode.
      const failed = pending.flatMap((entry, i) => {
        const code = result.Entries?.[i]?.ErrorCode;
        return code === undefined ? [] : [{ entry, code }];
      });
      errorCodes = failed.map((f) => f.code);
      pending = failed.map((f) => f.entry);
      if (failed.some((f) => PERMANENT_ERROR_CODES.has(f.code))) {
        break;
      }
    }
    if (pending.length > 0) {
      const distinct = [...new Set(errorCodes)].sort();
      throw new InfrastructureError(
        `EventBridge PutEvents failed for ${pending.length} of ${entries.length} entries (${distinct.join(', ')})`,
        { details: { eventBusName: this.#eventBusName, failed: pending.length, errorCodes: distinct } },
      );
    }
  }

  async #send(entries: PutEventsRequestEntry[]): Promise<{ FailedEntryCount?: number; Entries?: { ErrorCode?: string }[] }> {
    try {
      // Imported on first send, not at module load: a bundler inlines this module into every Lambda
      // that composes the ports, and a static import of an external SDK package is evaluated at init.
      const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
      return await this.#client.send(new PutEventsCommand({ Entries: entries }));
    } catch (error) {
      if (error instanceof HemError) {
        throw error;
      }
      const errorName = error instanceof Error ? error.name : typeof error;
      throw new InfrastructureError(`EventBridge PutEvents failed (${errorName})`, {
        cause: error,
        details: { eventBusName: this.#eventBusName, errorName },
      });
    }
  }
}

/**
 * Throws `ValidationError` unless the event matches the catalog: known detail-type, the catalog's
 * source, a detail that passes the schema. The error names paths and issue codes, never values.
 */
export const validateEvent = (event: BusEvent): void => {
  const entry = (EVENT_CATALOG as Record<string, (typeof EVENT_CATALOG)[keyof typeof EVENT_CATALOG] | undefined>)[event.detailType];
  if (entry === undefined) {
    throw new ValidationError(`unknown event detail-type ${String(event.detailType)}`, {
      details: { detailType: event.detailType },
    });
  }
  if (event.source !== entry.source) {
    throw new ValidationError(`${event.detailType} must be published with source ${entry.source}`, {
      details: { detailType: event.detailType, source: event.source },
    });
  }
  const parsed = entry.schema.safeParse(event.detail);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), code: issue.code }));
    throw new ValidationError(`${event.detailType} detail does not match its schema`, {
      details: { detailType: event.detailType, issues },
    });
  }
};

/** PutEvents' own size formula: Source, DetailType and Detail bytes (plus Resources and Time when set). */
const entrySize = (entry: PutEventsRequestEntry): number =>
  Buffer.byteLength(entry.Source ?? '') +
  Buffer.byteLength(entry.DetailType ?? '') +
  Buffer.byteLength(entry.Detail ?? '') +
  (entry.Resources ?? []).reduce((sum, r) => sum + Buffer.byteLength(r), 0) +
  (entry.Time === undefined ? 0 : 14);

/** Splits entries into PutEvents requests of at most 10 entries and 256 KiB. */
const chunkEntries = (entries: PutEventsRequestEntry[]): PutEventsRequestEntry[][] => {
  const chunks: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let currentBytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > PUT_EVENTS_MAX_BYTES) {
      throw new ValidationError(`${entry.DetailType ?? 'event'} is larger than the 256 KiB PutEvents limit`, {
        details: { detailType: entry.DetailType, bytes: size },
      });
    }
    if (current.length === PUT_EVENTS_MAX_ENTRIES || currentBytes + size > PUT_EVENTS_MAX_BYTES) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += size;
  }
  if (current.length > 0) {
    chunks.push(current);
  }
  return chunks;
};

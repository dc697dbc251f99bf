/**
 * An in-process stand-in for the HEM EventBridge bus: the routing table's patterns, delivery with a
 * retry policy and a dead-letter queue per target, an archive, and replay.
 *
 * What it keeps from EventBridge: `publish` resolves once the events are accepted (like PutEvents),
 * never after delivery; each matching rule gets its own copy, delivered asynchronously; a failed
 * delivery is retried with exponential backoff and jitter up to `maximumRetryAttempts` or
 * `maximumEventAgeSeconds`, then sent to the target's DLQ with EventBridge's attributes (RULE_ARN,
 * TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS); an error the
 * target marks as not retryable goes to the DLQ at once (EventBridge does that for client errors).
 * Events matching the archive pattern are archived; a replay re-delivers a time window with a
 * `replay-name` field added, to the rules (optionally some of them) and never to the archive again.
 * Like our PutEvents adapter, it refuses events that are not in the catalog or fail their schema.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { EventBridgeEvent } from 'aws-lambda';
import { ARCHIVE_PATTERN, ARCHIVE_RETENTION_DAYS } from '../contracts/routing';
import { EVENT_CATALOG } from '../contracts/events';
import type { BusEvent } from '../contracts/events';
import type { EventPublisher } from '../functions/domain/ports';
import { InfrastructureError, ValidationError, isRetryable } from '../functions/domain/errors';
import { safeDeadLetterMessage } from '../functions/domain/dead-letter-error';
import { compilePattern } from './event-pattern';
import type { EventMatcher } from './event-pattern';
import { appendJsonLine, readJsonLines, rewriteJsonLines, stderrLogger } from './persistence';
import type { LocalLogger } from './persistence';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './queue';
import type { LocalQueue } from './queue';

/** An event as EventBridge delivers it to a target. */
export type LocalBusEvent = EventBridgeEvent<string, Record<string, unknown>>;

/** One rule of the bus with its single target. */
export interface LocalBusRule {
  name: string;
  eventPattern: Record<string, unknown>;
  /** Delivers one event; a rejection is a failed delivery (retried per the policy). */
  target: (event: LocalBusEvent) => Promise<void>;
  /** The target's dead-letter queue; without one, an event that exhausts its retries is dropped (and logged). */
  dlq?: LocalQueue;
  /** Shown in the DLQ's TARGET_ARN attribute. */
  targetArn?: string;
  /** Overrides the bus default for this target. */
  maximumRetryAttempts?: number;
  maximumEventAgeSeconds?: number;
}

/** Construction options of `LocalEventBus`; the defaults suit `npm start`, tests shrink the delays. */
export interface LocalEventBusOptions {
  rules: readonly LocalBusRule[];
  /** Bus name (in ARNs, and the only EventBusName `putEvents` accepts besides the ARN). Default `hem-local`. */
  name?: string;
  /** Keep the archive in `<dataDir>/bus/archive.jsonl` across restarts; in memory when absent. */
  dataDir?: string;
  /** Default `ARCHIVE_PATTERN` from the routing table. */
  archivePattern?: Record<string, unknown>;
  /** Default `ARCHIVE_RETENTION_DAYS`. */
  archiveRetentionDays?: number;
  /** Retries after the first attempt (AWS default 185). Default 8. */
  maximumRetryAttempts?: number;
  /** Stop retrying once the event is this old (AWS default 86 400). Default 86 400. */
  maximumEventAgeSeconds?: number;
  /** Backoff before retry n is about base × 2^(n-1), with jitter. Default 1000. */
  retryBaseDelayMs?: number;
  /** Cap of one backoff delay. Default 60 000. */
  retryMaxDelayMs?: number;
  /** Refuse events outside `EVENT_CATALOG` or failing their schema. Default true. */
  validate?: boolean;
  /** Uniform [0, 1) source for the jitter (tests). */
  random?: () => number;
  /** Epoch-ms clock (tests). */
  now?: () => number;
  logger?: LocalLogger;
}

/** One PutEvents request entry (what the Step Functions `events:putEvents` integration sends). */
export interface PutEventsRequestEntry {
  Source: string;
  DetailType: string;
  /** A JSON string, or the object the ASL built (the optimized integration serializes it). */
  Detail: unknown;
  EventBusName?: string;
  Resources?: string[];
  Time?: string | Date;
}

/** One PutEvents result entry: an `EventId`, or an `ErrorCode` and `ErrorMessage`. */
export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

/** The PutEvents response. */
export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

/** An archived event and when the bus accepted it (epoch ms). */
export interface ArchivedEvent {
  acceptedAt: number;
  event: LocalBusEvent;
}

/** A replay of the archive (StartReplay). */
export interface ReplayRequest {
  /** Window start (inclusive), by acceptance time. */
  from: Date | string | number;
  /** Window end (exclusive). */
  to: Date | string | number;
  /** Only these rules (EventBridge's Destination FilterArns); default all. */
  ruleNames?: readonly string[];
  /** The `replay-name` added to each event; default `replay-<timestamp>`. */
  name?: string;
}

/** Delivery counters, for ops and benchmarks. */
export interface BusStats {
  published: number;
  archived: number;
  deliveries: number;
  failedAttempts: number;
  deadLettered: number;
  dropped: number;
}

interface CompiledRule extends LocalBusRule {
  matches: EventMatcher;
  ruleArn: string;
}

/** What EventBridge puts on a DLQ message; values are PHI-free (ids, rule names, error names/messages). */
type DeadLetterAttributes = Record<'RULE_ARN' | 'TARGET_ARN' | 'ERROR_CODE' | 'ERROR_MESSAGE' | 'RETRY_ATTEMPTS', string> & {
  EXHAUSTED_RETRY_CONDITION?: string;
};

// PutEvents limits.
const MAX_ENTRIES_PER_CALL = 10;
const MAX_ENTRY_BYTES = 256 * 1024;
const MAX_ERROR_MESSAGE_CHARS = 1000;

const toMillis = (value: Date | string | number): number => {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ValidationError('replay window bounds must be dates');
  }
  return ms;
};

/** EventBridge's `time`: ISO 8601 UTC to the second. */
const eventTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A problem with one event, PHI-free: catalog/schema paths and codes, never values. */
interface EventProblem {
  code: 'UnknownDetailType' | 'SourceMismatch' | 'SchemaViolation' | 'MalformedDetail' | 'EntryTooLarge';
  message: string;
  issues?: { path: string; code: string; message: string }[];
}

/** Checks an event against the catalog: known detail-type, its source, its schema, the entry size. */
const checkEvent = (source: string, detailType: string, detail: unknown): EventProblem | undefined => {
  const size = Buffer.byteLength(source) + Buffer.byteLength(detailType) + Buffer.byteLength(JSON.stringify(detail) ?? '');
  if (size > MAX_ENTRY_BYTES) {
    return { code: 'EntryTooLarge', message: `event entry of ${size} bytes exceeds the 256 KiB limit` };
  }
  if (!Object.prototype.hasOwnProperty.call(EVENT_CATALOG, detailType)) {
    return { code: 'UnknownDetailType', message: `detail-type ${detailType} is not in the event catalog` };
  }
  const entry = EVENT_CATALOG[detailType as keyof typeof EVENT_CATALOG];
  if (entry.source !== source) {
    return { code: 'SourceMismatch', message: `detail-type ${detailType} must come from ${entry.source}, not ${source}` };
  }
  const parsed = entry.schema.safeParse(detail);
  if (!parsed.success) {
    return {
      code: 'SchemaViolation',
      message: `detail of ${detailType} does not match its schema`,
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), code: issue.code, message: issue.message })),
    };
  }
  return undefined;
};

/** The in-process EventBridge bus; implements the `EventPublisher` port. */
export class LocalEventBus implements EventPublisher {
  readonly name: string;
  readonly arn: string;
  private readonly rules: CompiledRule[];
  private readonly archiveMatcher: EventMatcher;
  private readonly archiveFile: string | undefined;
  private archive: ArchivedEvent[] = [];
  private readonly options: Required<
    Pick<LocalEventBusOptions, 'maximumRetryAttempts' | 'maximumEventAgeSeconds' | 'retryBaseDelayMs' | 'retryMaxDelayMs' | 'validate' | 'random' | 'now'>
  >;
  private readonly logger: LocalLogger;
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly sleeping = new Set<() => void>();
  private closed = false;
  private readonly counters: BusStats = { published: 0, archived: 0, deliveries: 0, failedAttempts: 0, deadLettered: 0, dropped: 0 };

  /** @throws InvalidEventPatternError when a rule or the archive has an invalid pattern. */
  constructor(options: LocalEventBusOptions) {
    this.name = options.name ?? 'hem-local';
    this.arn = `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:event-bus/${this.name}`;
    this.options = {
      maximumRetryAttempts: options.maximumRetryAttempts ?? 8,
      maximumEventAgeSeconds: options.maximumEventAgeSeconds ?? 86_400,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 1000,
      retryMaxDelayMs: options.retryMaxDelayMs ?? 60_000,
      validate: options.validate ?? true,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
    };
    this.logger = options.logger ?? stderrLogger;
    const names = new Set<string>();
    this.rules = options.rules.map((rule) => {
      if (names.has(rule.name)) {
        throw new ValidationError(`duplicate bus rule name: ${rule.name}`);
      }
      names.add(rule.name);
      return {
        ...rule,
        matches: compilePattern(rule.eventPattern),
        ruleArn: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:rule/${this.name}/${rule.name}`,
      };
    });
    this.archiveMatcher = compilePattern(options.archivePattern ?? ARCHIVE_PATTERN);
    const retentionMs = (options.archiveRetentionDays ?? ARCHIVE_RETENTION_DAYS) * 86_400_000;
    if (options.dataDir !== undefined) {
      this.archiveFile = path.join(options.dataDir, 'bus', 'archive.jsonl');
      const cutoff = this.options.now() - retentionMs;
      const stored = readJsonLines<ArchivedEvent>(this.archiveFile, (line) =>
        this.logger.warn('skipped an unreadable archive line', { file: this.archiveFile, line }),
      );
      this.archive = stored.filter((entry) => entry.acceptedAt > cutoff);
      if (this.archive.length < stored.length) {
        // Past retention: EventBridge forgets them, and so does the file.
        rewriteJsonLines(this.archiveFile, this.archive);
      }
    }
  }

  /**
   * Accepts events like PutEvents: validates all of them first, then archives and routes each.
   * Resolves once accepted; deliveries run afterwards.
   * @throws ValidationError when an event is not in the catalog or fails its schema (nothing is accepted).
   * @throws InfrastructureError after `close()`.
   */
  async publish(events: readonly BusEvent[]): Promise<void> {
    this.assertOpen();
    if (this.options.validate) {
      events.forEach((event, index) => {
        const problem = checkEvent(event.source, event.detailType, event.detail);
        if (problem !== undefined) {
          throw new ValidationError(problem.message, {
            details: { entry: index, reason: problem.code, detailType: event.detailType, ...(problem.issues ? { issues: problem.issues } : {}) },
          });
        }
      });
    }
    for (const event of events) {
      this.accept(event.source, event.detailType, structuredClone(event.detail) as Record<string, unknown>, [], this.options.now());
    }
  }

  /**
   * The PutEvents API (what the Step Functions integration calls): per-entry results, an entry that
   * fails validation fails alone (`FailedEntryCount`), the others are accepted.
   * @throws ValidationError for more than 10 entries (PutEvents refuses the whole call).
   */
  async putEvents(entries: readonly PutEventsRequestEntry[]): Promise<PutEventsResult> {
    this.assertOpen();
    if (entries.length === 0 || entries.length > MAX_ENTRIES_PER_CALL) {
      throw new ValidationError(`PutEvents takes 1 to ${MAX_ENTRIES_PER_CALL} entries, got ${entries.length}`);
    }
    const results = entries.map((entry): PutEventsResultEntry => {
      if (entry.EventBusName !== undefined && entry.EventBusName !== this.name && entry.EventBusName !== this.arn) {
        return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${entry.EventBusName} does not exist.` };
      }
      let detail: unknown = entry.Detail;
      if (typeof detail === 'string') {
        try {
          detail = JSON.parse(detail);
        } catch {
          return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
        }
      }
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      if (this.options.validate) {
        const problem = checkEvent(entry.Source, entry.DetailType, detail);
        if (problem !== undefined) {
          return { ErrorCode: problem.code === 'EntryTooLarge' ? 'InvalidArgument' : 'ValidationError', ErrorMessage: problem.message };
        }
      }
      const acceptedAt = this.options.now();
      const time = entry.Time === undefined ? acceptedAt : toMillis(entry.Time);
      const id = this.accept(entry.Source, entry.DetailType, structuredClone(detail) as Record<string, unknown>, entry.Resources ?? [], acceptedAt, time);
      return { EventId: id };
    });
    return { FailedEntryCount: results.filter((r) => r.ErrorCode !== undefined).length, Entries: results };
  }

  /**
   * Re-delivers the archived events accepted in [from, to) to the matching rules, each with a
   * `replay-name` field (so rules can tell replays apart, e.g. `"replay-name": [{"exists": false}]`).
   * Replayed events are not archived again.
   */
  async replay(request: ReplayRequest): Promise<{ replayName: string; eventCount: number; deliveries: number }> {
    this.assertOpen();
    const from = toMillis(request.from);
    const to = toMillis(request.to);
    if (!(from < to)) {
      throw new ValidationError('replay window start must be before its end');
    }
    const unknownRules = (request.ruleNames ?? []).filter((name) => !this.rules.some((rule) => rule.name === name));
    if (unknownRules.length > 0) {
      throw new ValidationError(`unknown rule(s): ${unknownRules.join(', ')}`);
    }
    const replayName = request.name ?? `replay-${this.options.now()}`;
    const rules = request.ruleNames === undefined ? this.rules : this.rules.filter((rule) => request.ruleNames?.includes(rule.name));
    const window = this.archive.filter((entry) => entry.acceptedAt >= from && entry.acceptedAt < to);
    let deliveries = 0;
    const startedAt = this.options.now();
    for (const entry of window) {
      const event: LocalBusEvent = { ...structuredClone(entry.event), 'replay-name': replayName };
      for (const rule of rules) {
        if (rule.matches(event)) {
          this.startDelivery(rule, event, startedAt);
          deliveries += 1;
        }
      }
    }
    return { replayName, eventCount: window.length, deliveries };
  }

  /**
   * Takes the events out of a rule's DLQ and delivers them to its target again, through the same
   * retry policy (our own redriver: SQS redrive cannot send to an EventBridge target).
   * @returns how many events were re-delivered.
   */
  async redriveDeadLetters(ruleName: string): Promise<{ redriven: number }> {
    this.assertOpen();
    const rule = this.rules.find((r) => r.name === ruleName);
    if (rule === undefined) {
      throw new ValidationError(`unknown rule: ${ruleName}`);
    }
    if (rule.dlq === undefined) {
      return { redriven: 0 };
    }
    let redriven = 0;
    for (;;) {
      const batch = rule.dlq.receive(10, { visibilityTimeoutSeconds: 300 });
      if (batch.length === 0) break;
      for (const message of batch) {
        let event: LocalBusEvent;
        try {
          event = JSON.parse(message.body) as LocalBusEvent;
        } catch {
          this.logger.warn('DLQ message is not an event; left in the queue', { rule: ruleName, messageId: message.messageId });
          continue;
        }
        this.startDelivery(rule, event, this.options.now());
        rule.dlq.delete(message.receiptHandle);
        redriven += 1;
      }
    }
    return { redriven };
  }

  /** Archived events, oldest first, optionally within [from, to). */
  listArchive(window: { from?: Date | string | number; to?: Date | string | number } = {}): ArchivedEvent[] {
    const from = window.from === undefined ? Number.NEGATIVE_INFINITY : toMillis(window.from);
    const to = window.to === undefined ? Number.POSITIVE_INFINITY : toMillis(window.to);
    return this.archive.filter((entry) => entry.acceptedAt >= from && entry.acceptedAt < to).map((entry) => structuredClone(entry));
  }

  /** The archived events themselves, oldest first. */
  archivedEvents(): LocalBusEvent[] {
    return this.listArchive().map((entry) => entry.event);
  }

  /** Counters since construction. */
  stats(): BusStats {
    return { ...this.counters };
  }

  /** Resolves when no delivery is pending, retries (and their backoff) included. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Same as `whenIdle` (the name tests reach for). */
  drain(): Promise<void> {
    return this.whenIdle();
  }

  /** Refuses new events and abandons scheduled retries (logged), then resolves when nothing runs. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sleeping.size > 0) {
      this.logger.warn('bus closed with retries still scheduled; those deliveries are abandoned', { pending: this.sleeping.size });
    }
    for (const cancel of [...this.sleeping]) {
      cancel();
    }
    await this.whenIdle();
  }

  // --- internals ---------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) {
      throw new InfrastructureError(`event bus ${this.name} is closed`);
    }
  }

  /** Builds the full event, archives it when it matches the archive pattern, starts one delivery per matching rule. */
  private accept(
    source: string,
    detailType: string,
    detail: Record<string, unknown>,
    resources: string[],
    acceptedAt: number,
    time: number = acceptedAt,
  ): string {
    const event: LocalBusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: LOCAL_ACCOUNT_ID,
      time: eventTime(time),
      region: LOCAL_REGION,
      resources: [...resources],
      detail,
    };
    this.counters.published += 1;
    if (this.archiveMatcher(event)) {
      const entry: ArchivedEvent = { acceptedAt, event };
      if (this.archiveFile !== undefined) {
        appendJsonLine(this.archiveFile, entry);
      }
      this.archive.push(entry);
      this.counters.archived += 1;
    }
    for (const rule of this.rules) {
      if (rule.matches(event)) {
        this.startDelivery(rule, event, acceptedAt);
      }
    }
    return event.id;
  }

  private startDelivery(rule: CompiledRule, event: LocalBusEvent, acceptedAt: number): void {
    this.pending += 1;
    // Delivered on a later turn of the event loop: the publisher never waits for a target.
    setImmediate(() => {
      void this.deliver(rule, event, acceptedAt)
        .catch((error: unknown) => {
          this.logger.error('local bus delivery crashed', { rule: rule.name, eventId: event.id, error: String(error) });
        })
        .finally(() => {
          this.pending -= 1;
          if (this.pending === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            waiters.forEach((resolve) => resolve());
          }
        });
    });
  }

  private async deliver(rule: CompiledRule, event: LocalBusEvent, acceptedAt: number): Promise<void> {
    const maxRetries = rule.maximumRetryAttempts ?? this.options.maximumRetryAttempts;
    const maxAgeMs = (rule.maximumEventAgeSeconds ?? this.options.maximumEventAgeSeconds) * 1000;
    for (let retries = 0; ; retries += 1) {
      try {
        this.counters.deliveries += 1;
        await rule.target(structuredClone(event));
        return;
      } catch (error) {
        this.counters.failedAttempts += 1;
        const reason = error instanceof Error ? error : new Error(String(error));
        this.logger.warn('bus target failed', { rule: rule.name, eventId: event.id, attempt: retries + 1, error: reason.name, reason: reason.message });
        if (!isRetryable(error)) {
          this.deadLetter(rule, event, reason, retries, undefined);
          return;
        }
        if (retries >= maxRetries) {
          this.deadLetter(rule, event, reason, retries, 'MaximumRetryAttempts');
          return;
        }
        const delay = this.backoff(retries + 1);
        if (this.options.now() + delay - acceptedAt > maxAgeMs) {
          this.deadLetter(rule, event, reason, retries, 'MaximumEventAgeInSeconds');
          return;
        }
        if (!(await this.sleep(delay))) {
          return;
        }
      }
    }
  }

  /** Exponential backoff with "equal jitter": between half and all of base × 2^(retry-1), capped. */
  private backoff(retry: number): number {
    const ceiling = Math.min(this.options.retryMaxDelayMs, this.options.retryBaseDelayMs * 2 ** (retry - 1));
    return ceiling / 2 + (this.options.random() * ceiling) / 2;
  }

  /** Resolves true after `ms`, or false when the bus closes first. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const cancel = (): void => {
        clearTimeout(timer);
        this.sleeping.delete(cancel);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.sleeping.delete(cancel);
        resolve(true);
      }, ms);
      this.sleeping.add(cancel);
    });
  }

  private deadLetter(rule: CompiledRule, event: LocalBusEvent, error: Error, retries: number, exhausted: string | undefined): void {
    const attributes: DeadLetterAttributes = {
      RULE_ARN: rule.ruleArn,
      TARGET_ARN: rule.targetArn ?? `${rule.ruleArn}/target`,
      ERROR_CODE: 'ERROR_FROM_TARGET',
      // A code and one line: never the stack or a file path (see functions/domain/dead-letter-error.ts).
      ERROR_MESSAGE: safeDeadLetterMessage(`${error.name}: ${error.message}`).slice(0, MAX_ERROR_MESSAGE_CHARS),
      RETRY_ATTEMPTS: String(retries),
      ...(exhausted === undefined ? {} : { EXHAUSTED_RETRY_CONDITION: exhausted }),
    };
    if (rule.dlq === undefined) {
      this.counters.dropped += 1;
      this.logger.error('bus event dropped: retries exhausted and the target has no DLQ', { rule: rule.name, eventId: event.id, ...attributes });
      return;
    }
    rule.dlq.send(JSON.stringify(event), attributes);
    this.counters.deadLettered += 1;
  }
}

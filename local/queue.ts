/**
 * An in-process stand-in for an SQS standard queue and its Lambda event source mapping.
 *
 * What it keeps from SQS: a received message is invisible for the visibility timeout and comes back
 * when it expires unless deleted with its latest receipt handle; every receive counts, and with a
 * redrive policy the receive after `maxReceiveCount` moves the message to the dead-letter queue
 * instead of delivering it (keeping its id, enqueue time and receive count, tagged with
 * `DeadLetterQueueSourceArn`); redrive moves messages back as new messages (new id, count 0), as
 * StartMessageMoveTask does; retention is counted from the original enqueue time.
 * What it keeps from the Lambda SQS trigger: real `SQSEvent` records, partial batch responses
 * (`batchItemFailures`: only those stay; an invalid response or a thrown error fails the whole batch).
 * Times are plain seconds and may be fractions, so tests shrink a 60 s visibility timeout to 0.05 s.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { ValidationError } from '../functions/domain/errors';
import { DEAD_LETTER_ERROR_ATTRIBUTES, safeDeadLetterCode, safeDeadLetterMessage } from '../functions/domain/dead-letter-error';
import { JsonStateFile, stderrLogger } from './persistence';
import type { LocalLogger } from './persistence';

/** Account of every local ARN. */
export const LOCAL_ACCOUNT_ID = '000000000000';
/** Region of every local ARN. */
export const LOCAL_REGION = 'local';

// SQS limits the local queue enforces.
const MAX_MESSAGE_BYTES = 1_048_576;
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
const MAX_RECEIVE_BATCH = 10;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** A message attribute as `SendMessage` takes it: a plain string, or typed like SQS. */
export type MessageAttributeInput =
  | string
  | { dataType: 'String' | 'Number' | 'Binary' | (string & {}); stringValue?: string; binaryValue?: string };

/** How a message attribute is stored and handed out (binary values are base64). */
export interface StoredAttribute {
  dataType: string;
  stringValue?: string;
  binaryValue?: string;
}

interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, StoredAttribute>;
  md5OfMessageAttributes?: string;
  /** Epoch ms of the original enqueue (kept across a move to the DLQ, as SQS does). */
  sentTimestamp: number;
  firstReceiveTimestamp?: number;
  receiveCount: number;
  /** Epoch ms before which the message is invisible (delayed, or in flight when it has a receipt handle). */
  visibleAt: number;
  /** The latest receipt handle; only it deletes the message. */
  receiptHandle?: string;
  /** Set on messages a source queue moved here (SQS's DeadLetterQueueSourceArn). */
  deadLetterQueueSourceArn?: string;
}

/** A received message, shaped like the SQS `ReceiveMessage` result (lower-camel, as in the Lambda event). */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  attributes: SQSRecordAttributes;
  messageAttributes: Record<string, StoredAttribute>;
}

/** A message seen without receiving it (`hem dlq show`). */
export interface PeekedMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  /** Epoch ms of the original enqueue. */
  sentAt: number;
  /** String values of the message attributes (e.g. EventBridge's ERROR_CODE / ERROR_MESSAGE). */
  attributes: Record<string, string>;
  messageAttributes: Record<string, StoredAttribute>;
  state: 'visible' | 'inFlight' | 'delayed';
  deadLetterQueueSourceArn?: string;
}

/** Construction options of `LocalQueue` (the queue's attributes and redrive policy). */
export interface LocalQueueOptions {
  /** SQS queue name (letters, digits, `-`, `_`; up to 80). */
  name: string;
  /** Default 30; fractions allowed (tests). */
  visibilityTimeoutSeconds?: number;
  /** Redrive policy: receives before a message moves to `dlq`. Ignored without a `dlq`. Default 10. */
  maxReceiveCount?: number;
  dlq?: LocalQueue;
  /** Default 345 600 (4 days), counted from the original enqueue time. */
  retentionSeconds?: number;
  /** Default delivery delay of new messages. Default 0. */
  delaySeconds?: number;
  /** Keep the queue in `<dataDir>/queues/<name>.json` across restarts; in memory when absent. */
  dataDir?: string;
  /** Epoch-ms clock (tests). */
  now?: () => number;
  logger?: LocalLogger;
}

/** The event source mapping's settings. */
export interface ConsumerOptions {
  /** Records per invocation (the event source mapping's BatchSize). Default 10. */
  batchSize?: number;
  /** Longest sleep between polls when nothing is visible; a send wakes the consumer at once. Default 100. */
  pollIntervalMs?: number;
  /** Honour `batchItemFailures` (FunctionResponseTypes: ReportBatchItemFailures). Default true. */
  reportBatchItemFailures?: boolean;
}

/** The Lambda handler an SQS event source mapping invokes. */
export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

interface Consumer {
  stopped: boolean;
  wake: () => void;
}

interface QueueSnapshot {
  version: 1;
  name: string;
  messages: StoredMessage[];
}

const md5 = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

/** SQS's MD5 of message attributes: sorted by name, each length-prefixed with a transport byte. */
const md5OfAttributes = (attributes: Record<string, StoredAttribute>): string | undefined => {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const lengthPrefixed = (bytes: Buffer): void => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const attribute = attributes[name] as StoredAttribute;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(attribute.dataType, 'utf8'));
    const binary = attribute.dataType.startsWith('Binary');
    parts.push(Buffer.from([binary ? 2 : 1]));
    lengthPrefixed(binary ? Buffer.from(attribute.binaryValue ?? '', 'base64') : Buffer.from(attribute.stringValue ?? '', 'utf8'));
  }
  return md5(Buffer.concat(parts));
};

/**
 * Stored attributes. The DLQ error attributes (ERROR_CODE, ERROR_MESSAGE — a workflow's
 * ERROR_MESSAGE is its Step Functions `Cause`, with Lambda's stack trace) are kept as a code and a
 * one-line message, never a stack trace or file path (see functions/domain/dead-letter-error.ts).
 */
const normaliseAttributes = (input: Record<string, MessageAttributeInput> | undefined): Record<string, StoredAttribute> => {
  const out: Record<string, StoredAttribute> = {};
  for (const [name, value] of Object.entries(input ?? {})) {
    if (typeof value === 'string') {
      out[name] = { dataType: 'String', stringValue: value };
    } else if (value.dataType.startsWith('Binary')) {
      out[name] = { dataType: value.dataType, binaryValue: value.binaryValue ?? '' };
    } else {
      out[name] = { dataType: value.dataType, stringValue: value.stringValue ?? '' };
    }
  }
  for (const name of DEAD_LETTER_ERROR_ATTRIBUTES) {
    const stringValue = out[name]?.stringValue;
    if (stringValue !== undefined) {
      out[name] = { dataType: 'String', stringValue: name === 'ERROR_CODE' ? safeDeadLetterCode(stringValue) : safeDeadLetterMessage(stringValue) };
    }
  }
  return out;
};

const sqsError = (code: string, message: string): ValidationError => new ValidationError(message, { details: { sqsError: code } });

/** An SQS standard queue in memory (optionally persisted), with an SQS-to-Lambda poller. */
export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly retentionSeconds: number;
  readonly delaySeconds: number;
  readonly dlq: LocalQueue | undefined;

  private messages: StoredMessage[] = [];
  private readonly sources = new Map<string, LocalQueue>();
  private readonly consumers = new Set<Consumer>();
  private readonly consumerLoops = new Set<Promise<void>>();
  private activeBatches = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly store: JsonStateFile<QueueSnapshot> | undefined;
  private readonly now: () => number;
  private readonly logger: LocalLogger;

  constructor(options: LocalQueueOptions) {
    if (!QUEUE_NAME.test(options.name)) {
      throw sqsError('InvalidParameterValue', `invalid queue name: ${options.name}`);
    }
    this.name = options.name;
    this.arn = `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${options.name}`;
    this.url = `http://sqs.${LOCAL_REGION}.localhost/${LOCAL_ACCOUNT_ID}/${options.name}`;
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 30;
    this.maxReceiveCount = options.maxReceiveCount ?? 10;
    this.retentionSeconds = options.retentionSeconds ?? 345_600;
    this.delaySeconds = options.delaySeconds ?? 0;
    this.dlq = options.dlq;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? stderrLogger;
    if (this.visibilityTimeoutSeconds < 0 || this.visibilityTimeoutSeconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
      throw sqsError('InvalidParameterValue', 'visibilityTimeoutSeconds must be between 0 and 43200');
    }
    if (!Number.isInteger(this.maxReceiveCount) || this.maxReceiveCount < 1) {
      throw sqsError('InvalidParameterValue', 'maxReceiveCount must be a positive integer');
    }
    this.dlq?.sources.set(this.arn, this);
    if (options.dataDir !== undefined) {
      this.store = new JsonStateFile<QueueSnapshot>(path.join(options.dataDir, 'queues', `${options.name}.json`));
      this.messages = this.store.load()?.messages ?? [];
    }
  }

  /**
   * Enqueues a message (SendMessage) and returns its id.
   * @throws ValidationError for an empty or oversized message.
   */
  send(body: string, attributes?: Record<string, MessageAttributeInput>, options: { delaySeconds?: number } = {}): string {
    if (typeof body !== 'string' || body.length === 0) {
      throw sqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
    }
    const messageAttributes = normaliseAttributes(attributes);
    const size =
      Buffer.byteLength(body, 'utf8') +
      Object.entries(messageAttributes).reduce(
        (sum, [name, a]) => sum + Buffer.byteLength(name) + Buffer.byteLength(a.dataType) + Buffer.byteLength(a.stringValue ?? a.binaryValue ?? ''),
        0,
      );
    if (size > MAX_MESSAGE_BYTES) {
      throw sqsError('InvalidParameterValue', `message of ${size} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte limit`);
    }
    const now = this.now();
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5(body),
      messageAttributes,
      md5OfMessageAttributes: md5OfAttributes(messageAttributes),
      sentTimestamp: now,
      receiveCount: 0,
      visibleAt: now + (options.delaySeconds ?? this.delaySeconds) * 1000,
    };
    this.messages.push(message);
    this.changed();
    return message.messageId;
  }

  /**
   * ReceiveMessage: up to `maxNumberOfMessages` (1–10) visible messages, each made invisible for the
   * visibility timeout. A message already received `maxReceiveCount` times moves to the DLQ instead.
   */
  receive(maxNumberOfMessages = 1, options: { visibilityTimeoutSeconds?: number } = {}): ReceivedMessage[] {
    if (!Number.isInteger(maxNumberOfMessages) || maxNumberOfMessages < 1 || maxNumberOfMessages > MAX_RECEIVE_BATCH) {
      throw sqsError('InvalidParameterValue', 'maxNumberOfMessages must be between 1 and 10');
    }
    const visibility = options.visibilityTimeoutSeconds ?? this.visibilityTimeoutSeconds;
    const now = this.now();
    this.expire(now);
    const received: ReceivedMessage[] = [];
    const deadLettered: StoredMessage[] = [];
    for (const message of this.messages) {
      if (received.length >= maxNumberOfMessages) break;
      if (message.visibleAt > now) continue;
      if (this.dlq !== undefined && message.receiveCount >= this.maxReceiveCount) {
        deadLettered.push(message);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.receiptHandle = randomBytes(24).toString('base64url');
      message.visibleAt = now + visibility * 1000;
      received.push(this.toReceived(message));
    }
    if (deadLettered.length > 0) {
      const moved = new Set(deadLettered);
      this.messages = this.messages.filter((m) => !moved.has(m));
      for (const message of deadLettered) {
        (this.dlq as LocalQueue).acceptDeadLetter(message, this.arn);
      }
    }
    if (received.length > 0 || deadLettered.length > 0) {
      this.changed();
    }
    return received;
  }

  /** DeleteMessage: true when the handle was the message's latest one (a stale handle is a silent no-op, as in SQS). */
  delete(receiptHandle: string): boolean {
    const index = this.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (index < 0) return false;
    this.messages.splice(index, 1);
    this.changed();
    return true;
  }

  /**
   * ChangeMessageVisibility of an in-flight message (0 makes it visible now).
   * @throws ValidationError (ReceiptHandleIsInvalid / MessageNotInflight) like SQS.
   */
  changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number): void {
    if (visibilityTimeoutSeconds < 0 || visibilityTimeoutSeconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
      throw sqsError('InvalidParameterValue', 'visibilityTimeoutSeconds must be between 0 and 43200');
    }
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (message === undefined) {
      throw sqsError('ReceiptHandleIsInvalid', 'The receipt handle is not valid for this queue');
    }
    const now = this.now();
    if (message.visibleAt <= now) {
      throw sqsError('MessageNotInflight', 'The message is not in flight');
    }
    message.visibleAt = now + visibilityTimeoutSeconds * 1000;
    this.changed();
  }

  /**
   * Moves this (dead-letter) queue's visible messages back to the queue they came from, or all of
   * them to `toQueue` (StartMessageMoveTask). Moved messages are new messages: new id, receive count 0.
   * Messages with no known source (e.g. EventBridge target failures) stay unless `toQueue` is given.
   * @returns how many moved.
   */
  redrive(toQueue?: LocalQueue): number {
    const now = this.now();
    this.expire(now);
    let moved = 0;
    const remaining: StoredMessage[] = [];
    for (const message of this.messages) {
      const target = toQueue ?? (message.deadLetterQueueSourceArn === undefined ? undefined : this.sources.get(message.deadLetterQueueSourceArn));
      if (target === undefined || message.visibleAt > now) {
        remaining.push(message);
        continue;
      }
      target.acceptRedriven(message);
      moved += 1;
    }
    if (moved > 0) {
      this.messages = remaining;
      this.changed();
    }
    return moved;
  }

  /** Every message, oldest first, without receiving it. */
  peek(): PeekedMessage[] {
    const now = this.now();
    this.expire(now);
    return this.messages.map((m) => ({
      messageId: m.messageId,
      body: m.body,
      receiveCount: m.receiveCount,
      sentAt: m.sentTimestamp,
      attributes: Object.fromEntries(
        Object.entries(m.messageAttributes).flatMap(([name, a]) => (a.stringValue === undefined ? [] : [[name, a.stringValue]])),
      ),
      messageAttributes: structuredClone(m.messageAttributes),
      state: m.visibleAt <= now ? 'visible' : m.receiptHandle === undefined ? 'delayed' : 'inFlight',
      ...(m.deadLetterQueueSourceArn === undefined ? {} : { deadLetterQueueSourceArn: m.deadLetterQueueSourceArn }),
    }));
  }

  /** Messages held: visible, in flight and delayed (what an operator means by a DLQ's depth). */
  depth(): number {
    this.expire(this.now());
    return this.messages.length;
  }

  /** SQS's approximate counters. */
  counts(): { visible: number; inFlight: number; delayed: number } {
    const now = this.now();
    this.expire(now);
    const counts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const m of this.messages) {
      if (m.visibleAt <= now) counts.visible += 1;
      else if (m.receiptHandle === undefined) counts.delayed += 1;
      else counts.inFlight += 1;
    }
    return counts;
  }

  /** PurgeQueue. */
  purge(): void {
    if (this.messages.length === 0) return;
    this.messages = [];
    this.changed();
  }

  /**
   * Starts polling like a Lambda event source mapping and invokes `handler` with real SQS events.
   * Messages the handler fails (thrown error, or listed in `batchItemFailures`) stay and come back
   * after the visibility timeout; the others are deleted.
   * @returns stop(): stops polling and waits for the batch in progress.
   */
  startConsumer(handler: SqsBatchHandler, options: ConsumerOptions = {}): () => Promise<void> {
    const batchSize = options.batchSize ?? 10;
    const pollIntervalMs = options.pollIntervalMs ?? 100;
    const reportBatchItemFailures = options.reportBatchItemFailures ?? true;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw sqsError('InvalidParameterValue', 'batchSize must be a positive integer');
    }
    const consumer: Consumer = { stopped: false, wake: () => undefined };
    this.consumers.add(consumer);
    const loop = async (): Promise<void> => {
      while (!consumer.stopped) {
        const batch = this.receiveBatch(batchSize);
        if (batch.length === 0) {
          await this.waitForWork(consumer, pollIntervalMs);
          continue;
        }
        this.activeBatches += 1;
        try {
          await this.invoke(handler, batch, reportBatchItemFailures);
        } finally {
          this.activeBatches -= 1;
          this.checkIdle();
        }
      }
    };
    const running = loop().catch((error: unknown) => {
      this.logger.error('local queue consumer stopped on an internal error', { queue: this.name, error: String(error) });
    });
    this.consumerLoops.add(running);
    return async (): Promise<void> => {
      consumer.stopped = true;
      consumer.wake();
      await running;
      this.consumerLoops.delete(running);
      this.consumers.delete(consumer);
      this.checkIdle();
    };
  }

  /**
   * Resolves when no batch is being processed and, if a consumer is running, the queue is empty
   * (every message deleted or moved to the DLQ). A queue without a consumer is idle at once.
   */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops every consumer and writes pending state. */
  async close(): Promise<void> {
    for (const consumer of this.consumers) {
      consumer.stopped = true;
      consumer.wake();
    }
    await Promise.all([...this.consumerLoops]);
    this.consumers.clear();
    this.consumerLoops.clear();
    this.store?.flush();
    this.checkIdle();
  }

  /** Writes pending state now (tests reconstruct a queue from the same dataDir right after). */
  flush(): void {
    this.store?.flush();
  }

  // --- internals ---------------------------------------------------------------------------------

  private toReceived(message: StoredMessage): ReceivedMessage {
    const attributes: SQSRecordAttributes = {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentTimestamp),
      SenderId: LOCAL_ACCOUNT_ID,
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? message.sentTimestamp),
    };
    if (message.deadLetterQueueSourceArn !== undefined) {
      attributes.DeadLetterQueueSourceArn = message.deadLetterQueueSourceArn;
    }
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle as string,
      body: message.body,
      md5OfBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes === undefined ? {} : { md5OfMessageAttributes: message.md5OfMessageAttributes }),
      attributes,
      messageAttributes: structuredClone(message.messageAttributes),
    };
  }

  private acceptDeadLetter(message: StoredMessage, sourceArn: string): void {
    const now = this.now();
    const { receiptHandle: _handle, ...kept } = message;
    this.messages.push({ ...kept, visibleAt: now, deadLetterQueueSourceArn: sourceArn });
    this.changed();
  }

  private acceptRedriven(message: StoredMessage): void {
    const now = this.now();
    this.messages.push({
      messageId: randomUUID(),
      body: message.body,
      md5OfBody: message.md5OfBody,
      messageAttributes: message.messageAttributes,
      ...(message.md5OfMessageAttributes === undefined ? {} : { md5OfMessageAttributes: message.md5OfMessageAttributes }),
      sentTimestamp: now,
      receiveCount: 0,
      visibleAt: now,
    });
    this.changed();
  }

  /** Drops messages past the retention period (from their original enqueue time). */
  private expire(now: number): void {
    const cutoff = now - this.retentionSeconds * 1000;
    if (!this.messages.some((m) => m.sentTimestamp <= cutoff)) return;
    const before = this.messages.length;
    this.messages = this.messages.filter((m) => m.sentTimestamp > cutoff);
    this.logger.warn('local queue dropped messages past their retention period', { queue: this.name, dropped: before - this.messages.length });
    this.changed();
  }

  private receiveBatch(batchSize: number): ReceivedMessage[] {
    const batch: ReceivedMessage[] = [];
    while (batch.length < batchSize) {
      const received = this.receive(Math.min(MAX_RECEIVE_BATCH, batchSize - batch.length));
      if (received.length === 0) break;
      batch.push(...received);
    }
    return batch;
  }

  private toRecord(message: ReceivedMessage): SQSRecord {
    const messageAttributes: Record<string, SQSMessageAttribute> = {};
    for (const [name, a] of Object.entries(message.messageAttributes)) {
      messageAttributes[name] = {
        ...(a.stringValue === undefined ? {} : { stringValue: a.stringValue }),
        ...(a.binaryValue === undefined ? {} : { binaryValue: a.binaryValue }),
        stringListValues: [],
        binaryListValues: [],
        dataType: a.dataType,
      };
    }
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle,
      body: message.body,
      attributes: message.attributes,
      messageAttributes,
      md5OfBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes === undefined ? {} : { md5OfMessageAttributes: message.md5OfMessageAttributes }),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: LOCAL_REGION,
    };
  }

  private async invoke(handler: SqsBatchHandler, batch: ReceivedMessage[], reportBatchItemFailures: boolean): Promise<void> {
    let response: unknown;
    try {
      response = await handler({ Records: batch.map((m) => this.toRecord(m)) });
    } catch (error) {
      this.logger.warn('SQS batch failed; its messages return after the visibility timeout', {
        queue: this.name,
        messageIds: batch.map((m) => m.messageId),
        error: error instanceof Error ? error.name : typeof error,
        reason: error instanceof Error ? error.message : undefined,
      });
      return;
    }
    const keep = reportBatchItemFailures ? this.failedItems(response, batch) : new Set<string>();
    if (keep === 'all') {
      this.logger.warn('SQS batch response is invalid; the whole batch counts as failed', { queue: this.name, messageIds: batch.map((m) => m.messageId) });
      return;
    }
    for (const message of batch) {
      if (!keep.has(message.messageId)) {
        this.delete(message.receiptHandle);
      }
    }
  }

  /**
   * Which messages a partial batch response keeps. Success: no response, an empty or null
   * `batchItemFailures`. Whole-batch failure: anything malformed or an identifier not in the batch.
   */
  private failedItems(response: unknown, batch: readonly ReceivedMessage[]): Set<string> | 'all' {
    if (response === undefined || response === null) return new Set();
    if (typeof response !== 'object' || Array.isArray(response)) return 'all';
    const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (failures === undefined || failures === null) return new Set();
    if (!Array.isArray(failures)) return 'all';
    const ids = new Set(batch.map((m) => m.messageId));
    const keep = new Set<string>();
    for (const failure of failures) {
      const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      if (typeof id !== 'string' || id === '' || !ids.has(id)) return 'all';
      keep.add(id);
    }
    return keep;
  }

  /** Sleeps until a message may be visible, the poll interval passes, or a change wakes the consumer. */
  private waitForWork(consumer: Consumer, pollIntervalMs: number): Promise<void> {
    if (consumer.stopped) return Promise.resolve();
    const now = this.now();
    const nextVisible = this.messages.reduce((earliest, m) => Math.min(earliest, m.visibleAt), Number.POSITIVE_INFINITY);
    const delay = Math.max(1, Math.min(pollIntervalMs, nextVisible - now));
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        consumer.wake = () => undefined;
        resolve();
      };
      const timer = setTimeout(done, delay);
      consumer.wake = done;
    });
  }

  private changed(): void {
    this.store?.save(() => ({ version: 1, name: this.name, messages: this.messages }));
    for (const consumer of this.consumers) {
      consumer.wake();
    }
    this.checkIdle();
  }

  private isIdle(): boolean {
    return this.activeBatches === 0 && (this.consumers.size === 0 || this.messages.length === 0);
  }

  private checkIdle(): void {
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  }
}

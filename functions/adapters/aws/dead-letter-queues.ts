/**
 * `DeadLetterQueues` over SQS: depth, a look inside, and a redrive back to where the messages came from.
 *
 * Two redrive paths, declared per DLQ (`DeadLetterQueueConfig.redrive`):
 * - `queue`: a DLQ fed by an SQS redrive policy; its messages go back to the source queue.
 * - `bus`: a DLQ behind an EventBridge rule target, or one a workflow dead-letters its triggering
 *   event into. Its messages are EventBridge events; they are re-published (source, detail-type,
 *   detail) with PutEvents, and the bus routes them again. Consumers deduplicate on
 *   `detail.idempotencyKey`, so an event that reaches a rule that had already handled it changes nothing.
 * A DLQ without `redrive` can be listed and inspected only.
 *
 * Redrive is our own receive → send → delete loop rather than SQS `StartMessageMoveTask`, because
 * that API only moves messages of DLQs fed by an SQS redrive policy (not of DLQs behind EventBridge
 * rule targets), and local emulators do not implement it. A message is deleted from the DLQ only
 * after its destination accepted it, so a crash mid-redrive duplicates at worst (consumers are
 * idempotent) and never loses a message. On the queue path, message attributes (EventBridge's
 * ERROR_CODE, ERROR_MESSAGE, RULE_ARN, TARGET_ARN) travel with the message.
 *
 * ERROR_CODE / ERROR_MESSAGE are read back through `safeDeadLetterAttributes`: a code and a one-line
 * message, never a stack trace or file path (a workflow's ERROR_MESSAGE is the Step Functions
 * `Cause`, which for a Lambda failure holds its stack trace).
 *
 * `peek` receives with VisibilityTimeout 0, so the messages stay visible to everyone; it does
 * increment their receive count (SQS has no read-only look).
 */
import type { Message, SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { ConflictError, HemError, InfrastructureError, NotFoundError } from '../../domain/errors';
import { safeDeadLetterAttributes } from '../../domain/dead-letter-error';
import type { DeadLetterMessage, DeadLetterQueues } from '../../domain/ports';

/** Where a DLQ's messages go back to. */
export type DeadLetterRedrive = { kind: 'queue'; sourceUrl: string } | { kind: 'bus'; eventBusName: string };

/** One DLQ and its redrive path. */
export interface DeadLetterQueueConfig {
  /** Operator-facing name (`hem dlq show <name>`). */
  name: string;
  dlqUrl: string;
  /** Absent: the DLQ can be listed and inspected, not redriven. */
  redrive?: DeadLetterRedrive;
}

export interface SqsDeadLetterQueuesOptions {
  client: SQSClient;
  /** Required when a queue has a `bus` redrive. */
  eventBridge?: EventBridgeClient;
  queues: readonly DeadLetterQueueConfig[];
  /** Upper bound of messages one `redrive` call moves (the rest wait for the next call). @default 1000 */
  maxRedrivePerCall?: number;
  /** How long a message being redriven stays invisible in the DLQ. @default 30 */
  redriveVisibilityTimeoutSeconds?: number;
}

const SQS_BATCH_LIMIT = 10;

/**
 * Lists, peeks into and redrives HEM's dead-letter queues.
 *
 * The SQS commands are imported on each call's first use, not at module load (see
 * EventBridgePublisher#send): esbuild hoists a static import of an external package to the top of the
 * bundle even though this module itself is loaded lazily, so @aws-sdk/client-sqs would be evaluated
 * at init in every Lambda that composes the ports.
 */
export class SqsDeadLetterQueues implements DeadLetterQueues {
  readonly #client: SQSClient;
  readonly #eventBridge: EventBridgeClient | undefined;
  readonly #queues: ReadonlyMap<string, DeadLetterQueueConfig>;
  readonly #maxRedrive: number;
  readonly #redriveVisibility: number;

  /** @throws Error when a queue redrives to the bus and no EventBridge client is given. */
  constructor(options: SqsDeadLetterQueuesOptions) {
    this.#client = options.client;
    this.#eventBridge = options.eventBridge;
    this.#queues = new Map(options.queues.map((q) => [q.name, q]));
    this.#maxRedrive = options.maxRedrivePerCall ?? 1_000;
    this.#redriveVisibility = options.redriveVisibilityTimeoutSeconds ?? 30;
    const busQueue = options.queues.find((q) => q.redrive?.kind === 'bus');
    if (busQueue !== undefined && this.#eventBridge === undefined) {
      throw new Error(`dead-letter queue ${busQueue.name} redrives to the bus: pass an EventBridge client`);
    }
  }

  /** Depth is SQS's `ApproximateNumberOfMessages` (visible messages). */
  async list(): Promise<{ name: string; sourceQueue: string; depth: number }[]> {
    return Promise.all(
      [...this.#queues.values()].map(async (queue) => {
        const result = await this.#call('GetQueueAttributes', async () => {
          const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
          return this.#client.send(
            new GetQueueAttributesCommand({ QueueUrl: queue.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
          );
        });
        return {
          name: queue.name,
          sourceQueue: sourceOf(queue),
          depth: Number(result.Attributes?.ApproximateNumberOfMessages ?? 0),
        };
      }),
    );
  }

  /** Up to `max` distinct messages, left in the queue. */
  async peek(name: string, max: number): Promise<DeadLetterMessage[]> {
    const queue = this.#queue(name);
    const seen = new Map<string, DeadLetterMessage>();
    // VisibilityTimeout 0 can hand the same message back on the next receive: stop once a round
    // brings nothing new (bounded, so a huge queue cannot keep us here).
    for (let round = 0; seen.size < max && round < Math.ceil(max / SQS_BATCH_LIMIT) + 2; round++) {
      const messages = await this.#receive(queue.dlqUrl, Math.min(SQS_BATCH_LIMIT, max - seen.size), 0);
      const before = seen.size;
      for (const message of messages) {
        if (message.MessageId !== undefined && !seen.has(message.MessageId) && seen.size < max) {
          seen.set(message.MessageId, toDeadLetterMessage(message));
        }
      }
      if (seen.size === before) {
        break;
      }
    }
    return [...seen.values()];
  }

  /**
   * Moves messages back to their source (queue or bus) in batches of 10 until the DLQ answers
   * empty or `maxRedrivePerCall` moved. Throws `InfrastructureError` (with `details.moved`) when
   * some messages could not be delivered or deleted; those stay in (or reappear in) the DLQ.
   * @throws ConflictError for a DLQ that has no redrive path.
   */
  async redrive(name: string): Promise<{ moved: number }> {
    const queue = this.#queue(name);
    const redrive = queue.redrive;
    if (redrive === undefined) {
      throw new ConflictError(`dead-letter queue ${name} has no redrive path; inspect its messages and resolve them by hand`, {
        details: { queue: name },
      });
    }
    const deliver =
      redrive.kind === 'queue'
        ? (messages: Message[]): Promise<Set<number>> => this.#sendToQueue(redrive.sourceUrl, messages)
        : (messages: Message[]): Promise<Set<number>> => this.#publishToBus(redrive.eventBusName, messages);
    let moved = 0;
    let failed = 0;
    while (moved + failed < this.#maxRedrive) {
      const messages = await this.#receive(queue.dlqUrl, Math.min(SQS_BATCH_LIMIT, this.#maxRedrive - moved - failed), this.#redriveVisibility);
      if (messages.length === 0) {
        break;
      }
      const delivered = await deliver(messages);
      failed += messages.length - delivered.size;
      const toDelete = messages
        .map((message, i) => ({ message, i }))
        .filter(({ i }) => delivered.has(i))
        .map(({ message, i }) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle ?? '' }));
      if (toDelete.length > 0) {
        const deleted = await this.#call('DeleteMessageBatch', async () => {
          const { DeleteMessageBatchCommand } = await import('@aws-sdk/client-sqs');
          return this.#client.send(new DeleteMessageBatchCommand({ QueueUrl: queue.dlqUrl, Entries: toDelete }));
        });
        const deleteFailures = deleted.Failed?.length ?? 0;
        moved += toDelete.length - deleteFailures;
        // Delivered but not deleted: the copy in the DLQ reappears after the visibility timeout (a duplicate, not a loss).
        failed += deleteFailures;
      }
      if (delivered.size === 0) {
        // Nothing was accepted: the destination is refusing; stop rather than spin on the same messages.
        break;
      }
    }
    if (failed > 0) {
      throw new InfrastructureError(`redrive of ${name} moved ${moved} messages, ${failed} failed`, {
        details: { queue: name, moved, failed },
      });
    }
    return { moved };
  }

  /** SendMessageBatch to the source queue, attributes included; the indexes of the messages it accepted. */
  async #sendToQueue(sourceUrl: string, messages: Message[]): Promise<Set<number>> {
    const fifo = sourceUrl.endsWith('.fifo');
    const entries: SendMessageBatchRequestEntry[] = messages.map((message, i) => ({
      Id: String(i),
      MessageBody: message.Body ?? '',
      ...(message.MessageAttributes === undefined ? {} : { MessageAttributes: message.MessageAttributes }),
      ...(fifo
        ? {
            MessageGroupId: message.Attributes?.MessageGroupId ?? 'redrive',
            MessageDeduplicationId: message.MessageId,
          }
        : {}),
    }));
    const sent = await this.#call('SendMessageBatch', async () => {
      const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
      return this.#client.send(new SendMessageBatchCommand({ QueueUrl: sourceUrl, Entries: entries }));
    });
    return new Set((sent.Successful ?? []).map((s) => Number(s.Id)));
  }

  /**
   * Re-publishes the EventBridge events the messages carry (source, detail-type, detail), in
   * PutEvents requests within its limits; the indexes of the events the bus accepted. A body that
   * is not an EventBridge event stays in the DLQ (counted as failed).
   */
  async #publishToBus(eventBusName: string, messages: Message[]): Promise<Set<number>> {
    const readable = messages.flatMap((message, index) => {
      const entry = toPutEventsEntry(message.Body, eventBusName);
      return entry === undefined ? [] : [{ index, entry }];
    });
    const accepted = new Set<number>();
    // Imported on first use, not at module load (see EventBridgePublisher#send): this module is
    // bundled into every Lambda that composes the ports.
    const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    for (const chunk of putEventsChunks(readable)) {
      const result = await this.#call('PutEvents', () =>
        (this.#eventBridge as EventBridgeClient).send(new PutEventsCommand({ Entries: chunk.map((c) => c.entry) })),
      );
      // Result entries line up with the request: a failed one carries an ErrorCode.
      chunk.forEach(({ index }, i) => {
        if (result.Entries?.[i]?.ErrorCode === undefined && result.Entries?.[i] !== undefined) {
          accepted.add(index);
        }
      });
    }
    return accepted;
  }

  #queue(name: string): DeadLetterQueueConfig {
    const queue = this.#queues.get(name);
    if (queue === undefined) {
      throw new NotFoundError(`no dead-letter queue named ${name}`, { details: { name, known: [...this.#queues.keys()] } });
    }
    return queue;
  }

  async #receive(queueUrl: string, max: number, visibilityTimeout: number): Promise<Message[]> {
    const result = await this.#call('ReceiveMessage', async () => {
      const { ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
      return this.#client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.max(1, Math.min(SQS_BATCH_LIMIT, max)),
          VisibilityTimeout: visibilityTimeout,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
    });
    return result.Messages ?? [];
  }

  async #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof HemError) {
        throw error;
      }
      const errorName = error instanceof Error ? error.name : typeof error;
      throw new InfrastructureError(`SQS ${operation} failed (${errorName})`, { cause: error, details: { operation, errorName } });
    }
  }
}

/** The queue name: the last path segment of its URL. */
const queueNameOf = (queueUrl: string): string => queueUrl.slice(queueUrl.lastIndexOf('/') + 1);

/** Where a DLQ's messages come from, as operators read it: a queue name, `bus:<name>`, or `none`. */
const sourceOf = (queue: DeadLetterQueueConfig): string => {
  switch (queue.redrive?.kind) {
    case 'queue':
      return queueNameOf(queue.redrive.sourceUrl);
    case 'bus':
      return `bus:${queue.redrive.eventBusName}`;
    default:
      return 'none';
  }
};

/** The PutEvents entry of a dead-lettered EventBridge event, or undefined when the body is not one. */
const toPutEventsEntry = (body: string | undefined, eventBusName: string): PutEventsRequestEntry | undefined => {
  let event: unknown;
  try {
    event = JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null) return undefined;
  const { source, 'detail-type': detailType, detail } = event as Record<string, unknown>;
  if (typeof source !== 'string' || typeof detailType !== 'string' || typeof detail !== 'object' || detail === null) {
    return undefined;
  }
  return { EventBusName: eventBusName, Source: source, DetailType: detailType, Detail: JSON.stringify(detail) };
};

// PutEvents limits, as in event-publisher.ts (not imported: that module brings the event catalog's schemas into this bundle).
const PUT_EVENTS_MAX_ENTRIES = 10;
const PUT_EVENTS_MAX_BYTES = 256 * 1024;
const entryBytes = (entry: PutEventsRequestEntry): number =>
  Buffer.byteLength(entry.Source ?? '') + Buffer.byteLength(entry.DetailType ?? '') + Buffer.byteLength(entry.Detail ?? '');

/** Groups entries into PutEvents requests of at most 10 entries and 256 KiB (an oversized one goes alone; EventBridge refuses it). */
const putEventsChunks = <T extends { entry: PutEventsRequestEntry }>(items: readonly T[]): T[][] => {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = entryBytes(item.entry);
    if (current.length > 0 && (current.length === PUT_EVENTS_MAX_ENTRIES || bytes + size > PUT_EVENTS_MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};

const toDeadLetterMessage = (message: Message): DeadLetterMessage => {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) {
      attributes[key] = value.StringValue;
    }
  }
  const sentTimestamp = Number(message.Attributes?.SentTimestamp);
  return {
    messageId: message.MessageId ?? '',
    body: message.Body ?? '',
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentAt: Number.isFinite(sentTimestamp) ? new Date(sentTimestamp).toISOString() : '',
    attributes: safeDeadLetterAttributes(attributes),
  };
};

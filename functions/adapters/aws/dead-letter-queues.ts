/**
 * `DeadLetterQueues` over SQS: depth, a look inside, and a redrive back to the source queue.
 *
 * Redrive is our own receive → send → delete loop rather than SQS `StartMessageMoveTask`, because
 * that API only moves messages of DLQs fed by an SQS redrive policy (not of DLQs behind EventBridge
 * rule targets), and local emulators do not implement it. A message is deleted from the DLQ only
 * after the source queue accepted it, so a crash mid-redrive duplicates at worst (consumers are
 * idempotent) and never loses a message. Message attributes (EventBridge's ERROR_CODE,
 * ERROR_MESSAGE, RULE_ARN, TARGET_ARN) travel with the message.
 *
 * `peek` receives with VisibilityTimeout 0, so the messages stay visible to everyone; it does
 * increment their receive count (SQS has no read-only look).
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import type { Message, SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { HemError, InfrastructureError, NotFoundError } from '../../domain/errors';
import type { DeadLetterMessage, DeadLetterQueues } from '../../domain/ports';

/** One DLQ and the queue its messages belong back on. */
export interface DeadLetterQueueConfig {
  /** Operator-facing name (`hem dlq show <name>`). */
  name: string;
  dlqUrl: string;
  sourceUrl: string;
}

export interface SqsDeadLetterQueuesOptions {
  client: SQSClient;
  queues: readonly DeadLetterQueueConfig[];
  /** Upper bound of messages one `redrive` call moves (the rest wait for the next call). @default 1000 */
  maxRedrivePerCall?: number;
  /** How long a message being redriven stays invisible in the DLQ. @default 30 */
  redriveVisibilityTimeoutSeconds?: number;
}

const SQS_BATCH_LIMIT = 10;

/** Lists, peeks into and redrives HEM's dead-letter queues. */
export class SqsDeadLetterQueues implements DeadLetterQueues {
  readonly #client: SQSClient;
  readonly #queues: ReadonlyMap<string, DeadLetterQueueConfig>;
  readonly #maxRedrive: number;
  readonly #redriveVisibility: number;

  constructor(options: SqsDeadLetterQueuesOptions) {
    this.#client = options.client;
    this.#queues = new Map(options.queues.map((q) => [q.name, q]));
    this.#maxRedrive = options.maxRedrivePerCall ?? 1_000;
    this.#redriveVisibility = options.redriveVisibilityTimeoutSeconds ?? 30;
  }

  /** Depth is SQS's `ApproximateNumberOfMessages` (visible messages). */
  async list(): Promise<{ name: string; sourceQueue: string; depth: number }[]> {
    return Promise.all(
      [...this.#queues.values()].map(async (queue) => {
        const result = await this.#call('GetQueueAttributes', () =>
          this.#client.send(
            new GetQueueAttributesCommand({ QueueUrl: queue.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
          ),
        );
        return {
          name: queue.name,
          sourceQueue: queueNameOf(queue.sourceUrl),
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
   * Moves messages back to the source queue in batches of 10 until the DLQ answers empty or
   * `maxRedrivePerCall` moved. Throws `InfrastructureError` (with `details.moved`) when some
   * messages could not be sent or deleted; those stay in (or reappear in) the DLQ.
   */
  async redrive(name: string): Promise<{ moved: number }> {
    const queue = this.#queue(name);
    const fifo = queue.sourceUrl.endsWith('.fifo');
    let moved = 0;
    let failed = 0;
    while (moved + failed < this.#maxRedrive) {
      const messages = await this.#receive(queue.dlqUrl, Math.min(SQS_BATCH_LIMIT, this.#maxRedrive - moved - failed), this.#redriveVisibility);
      if (messages.length === 0) {
        break;
      }
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
      const sent = await this.#call('SendMessageBatch', () =>
        this.#client.send(new SendMessageBatchCommand({ QueueUrl: queue.sourceUrl, Entries: entries })),
      );
      const sentIndexes = new Set((sent.Successful ?? []).map((s) => Number(s.Id)));
      failed += messages.length - sentIndexes.size;
      const toDelete = messages
        .map((message, i) => ({ message, i }))
        .filter(({ i }) => sentIndexes.has(i))
        .map(({ message, i }) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle ?? '' }));
      if (toDelete.length > 0) {
        const deleted = await this.#call('DeleteMessageBatch', () =>
          this.#client.send(new DeleteMessageBatchCommand({ QueueUrl: queue.dlqUrl, Entries: toDelete })),
        );
        const deleteFailures = deleted.Failed?.length ?? 0;
        moved += toDelete.length - deleteFailures;
        // Sent but not deleted: the copy in the DLQ reappears after the visibility timeout (a duplicate, not a loss).
        failed += deleteFailures;
      }
      if (sentIndexes.size === 0) {
        // Nothing was accepted: the source is refusing; stop rather than spin on the same messages.
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

  #queue(name: string): DeadLetterQueueConfig {
    const queue = this.#queues.get(name);
    if (queue === undefined) {
      throw new NotFoundError(`no dead-letter queue named ${name}`, { details: { name, known: [...this.#queues.keys()] } });
    }
    return queue;
  }

  async #receive(queueUrl: string, max: number, visibilityTimeout: number): Promise<Message[]> {
    const result = await this.#call('ReceiveMessage', () =>
      this.#client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.max(1, Math.min(SQS_BATCH_LIMIT, max)),
          VisibilityTimeout: visibilityTimeout,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      ),
    );
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
    attributes,
  };
};

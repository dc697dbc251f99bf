import type { RemovalPolicy } from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './compliance';

/** SQS keeps messages at most 14 days: dead letters get the maximum so an operator has time to redrive. */
const DLQ_RETENTION = Duration.days(14);

/** Who moves failed messages into a dead-letter queue. */
export type DeadLetterSource = 'sqs-redrive' | 'lambda-async' | 'eventbridge-target' | 'sns-subscription';

export interface DeadLetterQueueProps {
  readonly encryptionKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  /** What fails into this queue, e.g. `the usage-to-replenishment rule target` (used in acknowledgements). */
  readonly purpose: string;
  readonly source: DeadLetterSource;
}

/**
 * A dead-letter queue: KMS-encrypted with the customer key, TLS-only, 14-day retention.
 * It owns the acknowledgements that only make sense for a queue that is itself a DLQ.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
      removalPolicy: props.removalPolicy,
    });
    acknowledge(
      this.queue,
      'Serverless-SQSRedrivePolicy',
      `This queue is the dead-letter queue of ${props.purpose}; a redrive policy on a DLQ would only move the same dead letters again, and its depth is alarmed instead.`,
    );
    if (props.source === 'eventbridge-target' || props.source === 'sns-subscription') {
      acknowledge(
        this.queue,
        'AwsSolutions-SQS3',
        `This queue is the dead-letter queue of ${props.purpose}; cdk-nag only recognises DLQs referenced by an SQS redrive policy or a Lambda DeadLetterConfig, not by an EventBridge target or SNS subscription.`,
      );
    }
  }
}

export interface ResilientQueueProps {
  readonly encryptionKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  /** Must be at least the consumer function's timeout (Lambda rejects the event source otherwise). */
  readonly visibilityTimeout: Duration;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** @default 4 days (must stay below the DLQ's 14 days so a dead letter never expires first). */
  readonly retentionPeriod?: Duration;
  /** What the queue carries, for the DLQ's acknowledgements. */
  readonly purpose: string;
}

/**
 * A work queue with its dead-letter queue: KMS with the customer key, TLS-only, redrive after
 * `maxReceiveCount` receives, DLQ retention longer than the source's.
 */
export class ResilientQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ResilientQueueProps) {
    super(scope, id);
    const retentionPeriod = props.retentionPeriod ?? Duration.days(4);
    if (retentionPeriod.toSeconds() >= DLQ_RETENTION.toSeconds()) {
      throw new Error(`${this.node.path}: retention must be shorter than the DLQ's ${DLQ_RETENTION.toDays()} days`);
    }
    if (!Number.isInteger(props.maxReceiveCount) || props.maxReceiveCount < 1 || props.maxReceiveCount > 1000) {
      throw new Error(`${this.node.path}: maxReceiveCount must be an integer between 1 and 1000`);
    }
    this.deadLetterQueue = new DeadLetterQueue(this, 'Dlq', {
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
      purpose: props.purpose,
      source: 'sqs-redrive',
    }).queue;
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      removalPolicy: props.removalPolicy,
    });
  }
}

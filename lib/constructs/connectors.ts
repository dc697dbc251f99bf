import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { FunctionId } from '../../contracts/functions';
import type { QueueDefinition, QueueId } from '../../contracts/routing';
import { acknowledge } from './compliance';
import { ResilientQueue } from './resilient-queue';
import type { ServiceFunction } from './service-function';

export interface ConnectorsProps {
  /** The connector queues (contracts/routing.ts QUEUES). */
  readonly queues: readonly QueueDefinition[];
  /** Deployed functions by contract id; each queue's `consumer` must be among them. */
  readonly functions: Readonly<Record<FunctionId, ServiceFunction>>;
  readonly encryptionKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  /**
   * Event source `maxConcurrency`: at most the consumer's reserved concurrency, so Lambda never
   * throttles a received batch (a throttled receive still counts towards `maxReceiveCount`).
   */
  readonly maxConcurrency: number;
}

/**
 * The SQS-fed connectors: for every queue of the routing contract, a resilient queue (DLQ after
 * `maxReceiveCount`) feeding its consumer function with partial batch failure reporting.
 */
export class Connectors extends Construct {
  readonly queues: Record<QueueId, ResilientQueue>;

  constructor(scope: Construct, id: string, props: ConnectorsProps) {
    super(scope, id);
    const queues: Partial<Record<QueueId, ResilientQueue>> = {};
    for (const definition of props.queues) {
      const consumer = props.functions[definition.consumer];
      const consumerTimeout = consumer.function.timeout ?? Duration.seconds(3);
      if (definition.visibilityTimeoutSeconds < consumerTimeout.toSeconds()) {
        throw new Error(
          `${definition.id}: visibility timeout ${definition.visibilityTimeoutSeconds}s is shorter than ` +
            `${definition.consumer}'s ${consumerTimeout.toSeconds()}s timeout; Lambda would reject the event source`,
        );
      }
      const queue = new ResilientQueue(this, definition.id, {
        encryptionKey: props.encryptionKey,
        removalPolicy: props.removalPolicy,
        visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
        maxReceiveCount: definition.maxReceiveCount,
        purpose: `the ${definition.id} connector queue`,
      });
      consumer.function.addEventSource(
        new SqsEventSource(queue.queue, {
          batchSize: definition.batchSize,
          reportBatchItemFailures: true,
          maxConcurrency: props.maxConcurrency,
        }),
      );
      const mapping = consumer.function.node.children.filter((c) => c instanceof lambda.EventSourceMapping).at(-1);
      if (mapping === undefined) {
        throw new Error(`${definition.id}: event source mapping was not created`);
      }
      acknowledge(
        mapping,
        'Serverless-LambdaEventSourceMappingDestination',
        `SQS event source mappings do not support on-failure destinations; failed messages reach the queue's own DLQ through its redrive policy after ${definition.maxReceiveCount} receives.`,
      );
      queues[definition.id] = queue;
    }
    this.queues = queues as Record<QueueId, ResilientQueue>;
  }
}

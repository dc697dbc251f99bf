import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueId, RuleDefinition, StateMachineId } from '../../contracts/routing';
import type { DataKey } from './data-key';
import { DeadLetterQueue } from './resilient-queue';
import type { StateMachineFromAsl } from './state-machine-from-asl';

/**
 * Retry budget of every rule target: EventBridge's own maximums, made explicit. Delivery keeps
 * retrying (with backoff and jitter) for a day before the event goes to the target's DLQ.
 */
export const TARGET_RETRY_ATTEMPTS = 185;
export const TARGET_MAX_EVENT_AGE = Duration.hours(24);

export interface BusProps {
  readonly dataKey: DataKey;
  readonly removalPolicy: RemovalPolicy;
  /** Archive filter (everything HEM publishes) — from contracts/routing.ts. */
  readonly archivePattern: Record<string, unknown>;
  readonly archiveRetention: Duration;
}

/** Where each rule of the routing table delivers. */
export interface RouteTargets {
  readonly stateMachines: Record<StateMachineId, StateMachineFromAsl>;
  readonly queues: Record<QueueId, sqs.IQueue>;
}

/**
 * The custom event bus with its replay archive, and the rules of the routing table. Every rule
 * target has an explicit retry policy and its own KMS-encrypted SQS dead-letter queue; the data key
 * lets EventBridge write to both the target queues and those DLQs.
 */
export class Bus extends Construct {
  readonly eventBus: events.EventBus;
  readonly archive: events.Archive;
  /** Rule name → the rule. */
  readonly rules = new Map<string, events.Rule>();
  /** Rule name → dead-letter queue of its target (and of the workflow it starts). */
  readonly targetDeadLetterQueues = new Map<string, sqs.Queue>();
  private readonly props: BusProps;

  constructor(scope: Construct, id: string, props: BusProps) {
    super(scope, id);
    this.props = props;
    this.eventBus = new events.EventBus(this, 'EventBus', {
      description: 'HEM canonical events (PHI-free, versioned)',
    });
    this.archive = this.eventBus.archive('Archive', {
      description: 'Every HEM event, for operator replay of a time window',
      eventPattern: props.archivePattern as events.EventPattern,
      retention: props.archiveRetention,
    });
    props.dataKey.allowEventBridgeDelivery(this.eventBus.eventBusName);
  }

  /**
   * Creates one rule per routing-table entry, delivering to its workflow or queue.
   *
   * @param definitions - the routing table (contracts/routing.ts RULES)
   * @param routeTargets - the deployed workflows and queues, by contract id
   */
  addRoutes(definitions: readonly RuleDefinition[], routeTargets: RouteTargets): void {
    for (const definition of definitions) {
      const dlq = this.targetDeadLetterQueue(definition.name);
      const rule = new events.Rule(this, definition.name, {
        eventBus: this.eventBus,
        description: definition.description,
        eventPattern: definition.eventPattern as events.EventPattern,
      });
      const delivery = { deadLetterQueue: dlq, retryAttempts: TARGET_RETRY_ATTEMPTS, maxEventAge: TARGET_MAX_EVENT_AGE };
      const target = definition.target;
      if (target.kind === 'stateMachine') {
        const workflow = routeTargets.stateMachines[target.id];
        const role = new iam.Role(this, `${definition.name}-target-role`, {
          assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
          description: `EventBridge rule ${definition.name} starts ${target.id}`,
        });
        workflow.grantStartExecution(role);
        rule.addTarget(new targets.SfnStateMachine(workflow.stateMachine, { ...delivery, role }));
      } else {
        rule.addTarget(new targets.SqsQueue(routeTargets.queues[target.id], delivery));
      }
      this.rules.set(definition.name, rule);
    }
  }

  /**
   * The dead-letter queue of a rule's target, created on first use: a workflow the rule starts
   * sends its failed events to the same queue (see contracts/routing.ts `queuePlaceholders`), so
   * the workflow can be built before its rule.
   *
   * @param ruleName - a rule of the routing table
   */
  targetDeadLetterQueue(ruleName: string): sqs.Queue {
    let dlq = this.targetDeadLetterQueues.get(ruleName);
    if (dlq === undefined) {
      dlq = new DeadLetterQueue(this, `${ruleName}-dlq`, {
        encryptionKey: this.props.dataKey.key,
        removalPolicy: this.props.removalPolicy,
        purpose: `the ${ruleName} rule target`,
        source: 'eventbridge-target',
      }).queue;
      this.targetDeadLetterQueues.set(ruleName, dlq);
    }
    return dlq;
  }
}

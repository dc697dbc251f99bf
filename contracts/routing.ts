/**
 * The event routing table: which bus events go to which workflow or queue. CDK turns each rule
 * into an EventBridge rule (with a retry policy and an SQS DLQ on the target); the local bus
 * evaluates the very same patterns.
 */
import type { FunctionId } from './functions';

export type StateMachineId = 'UsageToReplenishment';
export type QueueId = 'FinancePostings';

export interface StateMachineDefinition {
  id: StateMachineId;
  /** ASL file under `state-machines/`. */
  file: string;
  type: 'EXPRESS' | 'STANDARD';
  /** `${Placeholder}` in the ASL → the Lambda whose ARN replaces it. */
  functionPlaceholders: Record<string, FunctionId>;
}

export const STATE_MACHINES: readonly StateMachineDefinition[] = [
  {
    id: 'UsageToReplenishment',
    file: 'state-machines/usage-to-replenishment.asl.json',
    type: 'EXPRESS',
    functionPlaceholders: {
      MapUsageLinesFunctionArn: 'MapUsageLines',
      ApplyUsageLineFunctionArn: 'ApplyUsageLine',
    },
  },
];
/** Placeholder every ASL file may use for the bus name. */
export const EVENT_BUS_PLACEHOLDER = 'EventBusName';

export interface QueueDefinition {
  id: QueueId;
  /** The SQS-fed consumer. */
  consumer: FunctionId;
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the DLQ. */
  maxReceiveCount: number;
  batchSize: number;
}

export const QUEUES: readonly QueueDefinition[] = [
  { id: 'FinancePostings', consumer: 'CostPostingConnector', visibilityTimeoutSeconds: 60, maxReceiveCount: 5, batchSize: 10 },
];

export interface RuleDefinition {
  name: string;
  description: string;
  /** An EventBridge event pattern. */
  eventPattern: Record<string, unknown>;
  target: { kind: 'stateMachine'; id: StateMachineId } | { kind: 'queue'; id: QueueId };
}

export const RULES: readonly RuleDefinition[] = [
  {
    name: 'usage-to-replenishment',
    description: 'Every recorded supply usage runs the usage-to-replenishment workflow',
    eventPattern: { source: ['hem.usage'], 'detail-type': ['SupplyUsageRecorded'] },
    target: { kind: 'stateMachine', id: 'UsageToReplenishment' },
  },
  {
    name: 'cost-postings-to-finance',
    description: 'Cost postings are delivered to the finance ledger through the finance connector queue',
    eventPattern: { source: ['hem.finance'], 'detail-type': ['CostPosted'] },
    target: { kind: 'queue', id: 'FinancePostings' },
  },
];

/** Everything on the bus is archived so an operator can replay a window. */
export const ARCHIVE_PATTERN: Record<string, unknown> = { source: [{ prefix: 'hem.' }] };
export const ARCHIVE_RETENTION_DAYS = 90;

/**
 * The event routing table: which bus events go to which workflow or queue. CDK turns each rule
 * into an EventBridge rule (with a retry policy and an SQS DLQ on the target); the local bus
 * evaluates the very same patterns.
 */
import type { FunctionId } from './functions';

export type StateMachineId = 'UsageToReplenishment' | 'RequisitionToPay' | 'ReceiptToInvoice';
export type QueueId = 'FinancePostings' | 'ProcurementRequests' | 'ErpCommands' | 'SupplierOutbound';

/**
 * A queue an ASL file sends to (`arn:aws:states:::sqs:sendMessage`): a connector queue of `QUEUES`,
 * or the dead-letter queue of a rule's target (a workflow dead-letters its own triggering event
 * there, so an operator sees one DLQ per flow).
 */
export type QueueReference = { queue: QueueId } | { ruleDeadLetterQueue: string };

export interface StateMachineDefinition {
  id: StateMachineId;
  /** ASL file under `state-machines/`. */
  file: string;
  type: 'EXPRESS' | 'STANDARD';
  /** `${Placeholder}` in the ASL → the Lambda whose ARN replaces it. */
  functionPlaceholders: Record<string, FunctionId>;
  /**
   * `${Placeholder}` in the ASL → the queue whose URL replaces it. CDK grants the workflow
   * `sqs:SendMessage` on it; the local runtime delivers to the matching local queue.
   */
  queuePlaceholders?: Record<string, QueueReference>;
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
    // A failed Express execution is not retried by EventBridge: the ASL catches and dead-letters its event here.
    queuePlaceholders: { WorkflowDeadLetterQueueUrl: { ruleDeadLetterQueue: 'usage-to-replenishment' } },
  },
  {
    id: 'RequisitionToPay',
    file: 'state-machines/requisition-to-pay.asl.json',
    type: 'STANDARD',
    functionPlaceholders: {
      EvaluateApprovalFunctionArn: 'EvaluateApproval',
      BuildPurchaseOrderFunctionArn: 'BuildPurchaseOrder',
      RegisterWaitFunctionArn: 'RegisterWait',
      RaiseProcurementAlertFunctionArn: 'RaiseProcurementAlert',
      ClosePurchaseOrderFunctionArn: 'ClosePurchaseOrder',
    },
    // sqs:sendMessage.waitForTaskToken: the connectors answer the task token when the ERP / supplier network took the order.
    queuePlaceholders: {
      ErpCommandsQueueUrl: { queue: 'ErpCommands' },
      SupplierOutboundQueueUrl: { queue: 'SupplierOutbound' },
    },
  },
  {
    // Started by EdiIngest for every accepted 810 (WorkflowControl.start, named after the invoice), not by a rule.
    id: 'ReceiptToInvoice',
    file: 'state-machines/receipt-to-invoice.asl.json',
    type: 'STANDARD',
    functionPlaceholders: {
      MatchInvoiceFunctionArn: 'MatchInvoice',
      PrepareApVoucherFunctionArn: 'PrepareApVoucher',
      RecordApVoucherFunctionArn: 'RecordApVoucher',
      RaiseInvoiceAlertFunctionArn: 'RaiseInvoiceAlert',
      RegisterWaitFunctionArn: 'RegisterWait',
    },
    // sqs:sendMessage.waitForTaskToken: the ERP connector answers when the payables invoice exists, the
    // finance connector when the ledger took the AP voucher.
    queuePlaceholders: {
      ErpCommandsQueueUrl: { queue: 'ErpCommands' },
      FinancePostingsQueueUrl: { queue: 'FinancePostings' },
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
  // GL journal lines (CostPosted events) and AP vouchers (the receipt-to-invoice workflow's PostApVoucher), behind the ledger's circuit breaker.
  { id: 'FinancePostings', consumer: 'FinanceConnector', visibilityTimeoutSeconds: 60, maxReceiveCount: 5, batchSize: 10 },
  // Replenishments become requisitions; the starter only writes HEM's own tables and starts a workflow.
  { id: 'ProcurementRequests', consumer: 'RequisitionStarter', visibilityTimeoutSeconds: 60, maxReceiveCount: 5, batchSize: 10 },
  // Connector visibility (180 s) exceeds 6 × the connector's 30 s timeout, as AWS advises for SQS event sources.
  { id: 'ErpCommands', consumer: 'ErpConnector', visibilityTimeoutSeconds: 180, maxReceiveCount: 5, batchSize: 5 },
  { id: 'SupplierOutbound', consumer: 'SupplierConnector', visibilityTimeoutSeconds: 180, maxReceiveCount: 5, batchSize: 5 },
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
  {
    name: 'replenishment-to-requisition',
    description: 'Every replenishment request becomes a requisition (and its requisition-to-pay workflow) through the procurement requests queue',
    eventPattern: { source: ['hem.inventory'], 'detail-type': ['ReplenishmentRequested'] },
    target: { kind: 'queue', id: 'ProcurementRequests' },
  },
];

/** Everything on the bus is archived so an operator can replay a window. */
/**
 * Dead-letter queue names, the same on AWS and in the local runtime: what operators type
 * (`hem dlq redrive finance-postings-dlq`, `HEM_DLQS`) and part of alarm names. Kebab case.
 */
export const dlqNameOfQueue = (queueId: QueueId): string => `${queueId.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}-dlq`;
/** The DLQ of a routing rule's target (its undeliverable events, and a workflow's failed ones). */
export const dlqNameOfRule = (ruleName: string): string => `${ruleName}-dlq`;

export const ARCHIVE_PATTERN: Record<string, unknown> = { source: [{ prefix: 'hem.' }] };
export const ARCHIVE_RETENTION_DAYS = 90;

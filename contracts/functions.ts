/**
 * The Lambda catalog: every function HEM deploys, its entry file and what triggers it.
 * The CDK app creates one `ServiceFunction` per entry; the local runtime registers the same
 * `makeHandler` of each entry; the bench bundles each entry.
 */

export type FunctionId =
  | 'Hl7Ingest'
  | 'UsageIngest'
  | 'MapUsageLines'
  | 'ApplyUsageLine'
  | 'CostPostingConnector'
  | 'InventoryQuery'
  | 'TransactionQuery'
  | 'OpsExceptions'
  | 'OpsDlq'
  | 'OpenApi';

export interface FunctionDefinition {
  id: FunctionId;
  /** Path from the repository root to the handler module (exports `handler` and `makeHandler`). */
  entry: string;
  description: string;
  /** What invokes it: an API route, a Step Functions task, or an SQS queue. */
  trigger: 'api' | 'stateMachine' | 'queue';
  /** AWS SDK clients the handler's adapters use: the bench's SDK-only baseline bundles exactly these. */
  sdkClients: readonly ('client-dynamodb' | 'lib-dynamodb' | 'client-eventbridge' | 'client-sqs')[];
  timeoutSeconds?: number;
  memoryMb?: number;
}

export const FUNCTIONS: readonly FunctionDefinition[] = [
  {
    id: 'Hl7Ingest',
    entry: 'functions/handlers/hl7-ingest.ts',
    description: 'POST /v1/hl7: HL7 v2 DFT^P03 → PHI-free SupplyUsageRecorded, answers the HL7 ACK',
    trigger: 'api',
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge'],
  },
  {
    id: 'UsageIngest',
    entry: 'functions/handlers/usage-ingest.ts',
    description: 'POST /v1/usage-events: canonical JSON or FHIR R4 → SupplyUsageRecorded',
    trigger: 'api',
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge'],
  },
  {
    id: 'MapUsageLines',
    entry: 'functions/handlers/map-usage-lines.ts',
    description: 'Workflow task: crosswalk each usage line to item, location, cost center and base units',
    trigger: 'stateMachine',
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge'],
  },
  {
    id: 'ApplyUsageLine',
    entry: 'functions/handlers/apply-usage-line.ts',
    description: 'Workflow task: decrement the inventory position exactly once and decide replenishment',
    trigger: 'stateMachine',
    sdkClients: ['client-dynamodb', 'lib-dynamodb'],
  },
  {
    id: 'CostPostingConnector',
    entry: 'functions/handlers/cost-posting-connector.ts',
    description: 'SQS consumer: delivers CostPosted to the finance system over HTTP',
    trigger: 'queue',
    sdkClients: ['client-dynamodb', 'lib-dynamodb'],
    timeoutSeconds: 30,
  },
  {
    id: 'InventoryQuery',
    entry: 'functions/handlers/inventory-query.ts',
    description: 'GET /v1/inventory/{locationId}/{itemId}',
    trigger: 'api',
    sdkClients: ['client-dynamodb', 'lib-dynamodb'],
  },
  {
    id: 'TransactionQuery',
    entry: 'functions/handlers/transaction-query.ts',
    description: 'GET /v1/transactions/{correlationId}',
    trigger: 'api',
    sdkClients: ['client-dynamodb', 'lib-dynamodb'],
  },
  {
    id: 'OpsExceptions',
    entry: 'functions/handlers/ops-exceptions.ts',
    description: '/v1/ops/exceptions and /v1/ops/crosswalks: list, fix the crosswalk, reprocess',
    trigger: 'api',
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge'],
  },
  {
    id: 'OpsDlq',
    entry: 'functions/handlers/ops-dlq.ts',
    description: '/v1/ops/dlqs: list, show and redrive dead-letter queues',
    trigger: 'api',
    sdkClients: ['client-sqs'],
  },
  {
    id: 'OpenApi',
    entry: 'functions/handlers/openapi.ts',
    description: 'GET /v1/openapi.json: the API catalog',
    trigger: 'api',
    sdkClients: [],
  },
];

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
  | 'FinanceConnector'
  | 'InventoryQuery'
  | 'TransactionQuery'
  | 'OpsExceptions'
  | 'OpsDlq'
  | 'OpsAdmin'
  | 'OpenApi'
  | 'EdiIngest'
  | 'PurchaseOrderQuery'
  | 'RequisitionApi'
  | 'RequisitionStarter'
  | 'EvaluateApproval'
  | 'BuildPurchaseOrder'
  | 'RegisterWait'
  | 'RaiseProcurementAlert'
  | 'ClosePurchaseOrder'
  | 'ErpConnector'
  | 'SupplierConnector'
  | 'ReceiptApi'
  | 'InvoiceApi'
  | 'MatchInvoice'
  | 'PrepareApVoucher'
  | 'RecordApVoucher'
  | 'RaiseInvoiceAlert';

export interface FunctionDefinition {
  id: FunctionId;
  /** Path from the repository root to the handler module (exports `handler` and `makeHandler`). */
  entry: string;
  description: string;
  /** What invokes it: an API route, a Step Functions task, or an SQS queue. */
  trigger: 'api' | 'stateMachine' | 'queue';
  /** AWS SDK clients the handler's adapters use: the bench's SDK-only baseline bundles exactly these. */
  sdkClients: readonly ('client-dynamodb' | 'lib-dynamodb' | 'client-eventbridge' | 'client-sqs' | 'client-sfn' | 'client-secrets-manager')[];
  timeoutSeconds?: number;
  memoryMb?: number;
}

export const FUNCTIONS: readonly FunctionDefinition[] = [
  {
    id: 'Hl7Ingest',
    entry: 'functions/handlers/hl7-ingest.ts',
    description: 'POST /v1/hl7: HL7 v2 DFT^P03 → PHI-free SupplyUsageRecorded, answers the HL7 ACK',
    trigger: 'api',
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge', 'client-secrets-manager'],
  },
  {
    id: 'UsageIngest',
    entry: 'functions/handlers/usage-ingest.ts',
    description: 'POST /v1/usage-events: canonical JSON or FHIR R4 → SupplyUsageRecorded',
    trigger: 'api',
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge', 'client-secrets-manager'],
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
    id: 'FinanceConnector',
    entry: 'functions/handlers/finance-connector.ts',
    description: 'SQS consumer: posts CostPosted GL journal lines and the workflow\'s AP vouchers to the finance ledger over HTTP, behind a circuit breaker',
    trigger: 'queue',
    // client-sfn: answers the receipt-to-invoice workflow's task token of an AP voucher.
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-sfn'],
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
    // EventBridge: events dead-lettered by a rule target or a workflow are redriven by re-publishing them.
    sdkClients: ['client-sqs', 'client-eventbridge'],
  },
  {
    id: 'OpsAdmin',
    entry: 'functions/handlers/ops-admin.ts',
    description: '/v1/ops/replays, /v1/ops/audit/verify and /v1/ops/stuck: replay the bus archive, verify the audit hash chain, list stuck transactions',
    trigger: 'api',
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge'],
  },
  {
    id: 'OpenApi',
    entry: 'functions/handlers/openapi.ts',
    description: 'GET /v1/openapi.json: the API catalog',
    trigger: 'api',
    sdkClients: [],
  },
  {
    id: 'EdiIngest',
    entry: 'functions/handlers/edi-ingest.ts',
    description: 'POST /v1/edi/x12: supplier 855/856/810 → 999/997/TA1, applied once to POs and invoice cases',
    trigger: 'api',
    // Step Functions: completes the purchase order's waiting task tokens and starts ReceiptToInvoice.
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge', 'client-sfn'],
    timeoutSeconds: 29,
  },
  {
    id: 'PurchaseOrderQuery',
    entry: 'functions/handlers/purchase-order-query.ts',
    description: 'GET /v1/purchase-orders/{poNumber}: the PO with its receipts and invoice cases (suppliers see only theirs)',
    trigger: 'api',
    sdkClients: ['client-dynamodb', 'lib-dynamodb'],
  },
  {
    id: 'RequisitionApi',
    entry: 'functions/handlers/requisition-api.ts',
    description: '/v1/requisitions: raise a requisition (SaaS tool), read it, approve or reject it',
    trigger: 'api',
    // Step Functions: starts RequisitionToPay and completes the approval task token.
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge', 'client-sfn'],
  },
  {
    id: 'RequisitionStarter',
    entry: 'functions/handlers/requisition-starter.ts',
    description: 'SQS consumer: ReplenishmentRequested → requisition, starts its RequisitionToPay workflow',
    trigger: 'queue',
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge', 'client-sfn'],
  },
  {
    id: 'EvaluateApproval',
    entry: 'functions/handlers/evaluate-approval.ts',
    description: "Workflow task: apply the cost center's approval policy to a requisition",
    trigger: 'stateMachine',
    sdkClients: ['client-dynamodb', 'lib-dynamodb'],
  },
  {
    id: 'BuildPurchaseOrder',
    entry: 'functions/handlers/build-purchase-order.ts',
    description: 'Workflow task: the purchase order of an approved requisition',
    trigger: 'stateMachine',
    sdkClients: ['client-dynamodb', 'lib-dynamodb'],
  },
  {
    id: 'RegisterWait',
    entry: 'functions/handlers/register-wait.ts',
    description: 'Workflow task: keep a task token until the awaited document or decision arrives',
    trigger: 'stateMachine',
    // Step Functions: completes the task at once when the awaited event arrived first.
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-sfn'],
  },
  {
    id: 'RaiseProcurementAlert',
    entry: 'functions/handlers/raise-procurement-alert.ts',
    description: 'Workflow task: escalate an undecided requisition or alert an overdue / refused purchase order',
    trigger: 'stateMachine',
    sdkClients: ['client-dynamodb', 'lib-dynamodb'],
  },
  {
    id: 'ClosePurchaseOrder',
    entry: 'functions/handlers/close-purchase-order.ts',
    description: 'Workflow task: close a fully received and invoiced purchase order',
    trigger: 'stateMachine',
    sdkClients: ['client-dynamodb', 'lib-dynamodb'],
  },
  {
    id: 'ErpConnector',
    entry: 'functions/handlers/erp-connector.ts',
    description: 'SQS consumer: purchase orders, receipts and payables invoices to the ERP over HTTP',
    trigger: 'queue',
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-sfn'],
    timeoutSeconds: 30,
  },
  {
    id: 'SupplierConnector',
    entry: 'functions/handlers/supplier-connector.ts',
    description: 'SQS consumer: purchase orders to suppliers as X12 850 through the supplier network',
    trigger: 'queue',
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge', 'client-sfn'],
    timeoutSeconds: 30,
  },
  {
    id: 'ReceiptApi',
    entry: 'functions/handlers/receipt-api.ts',
    description: 'POST /v1/receipts: goods received at the dock → PO, inventory, GoodsReceived, ERP receipt, waiting workflows resumed',
    trigger: 'api',
    // SQS: the ERP receipt command; SFN: resumes the workflows waiting for the goods.
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge', 'client-sqs', 'client-sfn'],
  },
  {
    id: 'InvoiceApi',
    entry: 'functions/handlers/invoice-api.ts',
    description: '/v1/invoices: list and read invoices (suppliers see their own), AP clerk resolution of match exceptions',
    trigger: 'api',
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-eventbridge', 'client-sfn'],
  },
  {
    id: 'MatchInvoice',
    entry: 'functions/handlers/match-invoice.ts',
    description: 'Workflow task: three-way match of an invoice against its PO, receipts and earlier invoices',
    trigger: 'stateMachine',
    sdkClients: ['client-dynamodb', 'lib-dynamodb'],
  },
  {
    id: 'PrepareApVoucher',
    entry: 'functions/handlers/prepare-ap-voucher.ts',
    description: 'Workflow task: check an invoice is payable and build its AP voucher for the ERP and finance connectors',
    trigger: 'stateMachine',
    sdkClients: ['client-dynamodb', 'lib-dynamodb'],
  },
  {
    id: 'RecordApVoucher',
    entry: 'functions/handlers/record-ap-voucher.ts',
    description: 'Workflow task: the invoice PAID once the ERP and the ledger took its voucher; tells the PO\'s workflow',
    trigger: 'stateMachine',
    sdkClients: ['client-dynamodb', 'lib-dynamodb', 'client-sfn'],
  },
  {
    id: 'RaiseInvoiceAlert',
    entry: 'functions/handlers/raise-invoice-alert.ts',
    description: 'Workflow task: alert an overdue invoice resolution or receipt, or a blocked match or voucher',
    trigger: 'stateMachine',
    sdkClients: ['client-dynamodb', 'lib-dynamodb'],
  },
];

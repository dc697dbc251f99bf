/**
 * The API route table: one source for API Gateway (CDK), the local gateway, the OpenAPI document
 * and the README. Paths use API Gateway's `{param}` syntax.
 */
import type { FunctionId } from './functions';

/** OAuth2 scopes of the `hem` resource server (Cognito) / local issuer. */
export const SCOPES = {
  usageWrite: 'hem/usage.write',
  inventoryRead: 'hem/inventory.read',
  transactionsRead: 'hem/transactions.read',
  catalogRead: 'hem/catalog.read',
  ediWrite: 'hem/edi.write',
  poRead: 'hem/po.read',
  /**
   * Every supplier's purchase orders (hospital clients: procurement tool, dock, AP). Without it a
   * client not bound to a supplier sees no PO at all (deny by default).
   */
  poReadAll: 'hem/po.read.all',
  requisitionWrite: 'hem/requisition.write',
  requisitionApprove: 'hem/requisition.approve',
  receiptWrite: 'hem/receipt.write',
  invoiceRead: 'hem/invoice.read',
  /**
   * Every supplier's invoices (AP clerks). Without it a client not bound to a supplier sees no
   * invoice at all (deny by default); a supplier-bound client sees its own whatever it holds.
   */
  invoiceReadAll: 'hem/invoice.read.all',
  invoiceResolve: 'hem/invoice.resolve',
} as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  functionId: FunctionId;
  /** `jwt` = Cognito OAuth2 access token with one of `scopes`; `iam` = SigV4 (ops). */
  auth: 'jwt' | 'iam';
  scopes?: readonly Scope[];
  /** Request content types accepted (API Gateway request validation + local gateway). */
  contentTypes?: readonly string[];
  summary: string;
}

export const ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: '/v1/hl7',
    functionId: 'Hl7Ingest',
    auth: 'jwt',
    scopes: [SCOPES.usageWrite],
    contentTypes: ['application/hl7-v2', 'x-application/hl7-v2+er7', 'text/plain'],
    summary: 'Submit one HL7 v2 DFT^P03 message; answers the HL7 ACK',
  },
  {
    method: 'POST',
    path: '/v1/usage-events',
    functionId: 'UsageIngest',
    auth: 'jwt',
    scopes: [SCOPES.usageWrite],
    contentTypes: ['application/json', 'application/fhir+json'],
    summary: 'Submit a canonical usage record or FHIR R4 Procedure / ChargeItem / SupplyDelivery / Bundle',
  },
  {
    method: 'GET',
    path: '/v1/inventory/{locationId}/{itemId}',
    functionId: 'InventoryQuery',
    auth: 'jwt',
    scopes: [SCOPES.inventoryRead],
    summary: 'Inventory position: on hand, par level, reorder point, last movements',
  },
  {
    method: 'GET',
    path: '/v1/transactions/{correlationId}',
    functionId: 'TransactionQuery',
    auth: 'jwt',
    scopes: [SCOPES.transactionsRead],
    summary: 'Every hop of one business transaction with status and timestamps',
  },
  { method: 'GET', path: '/v1/openapi.json', functionId: 'OpenApi', auth: 'jwt', scopes: Object.values(SCOPES), summary: 'The API catalog' },
  { method: 'GET', path: '/v1/ops/exceptions', functionId: 'OpsExceptions', auth: 'iam', summary: 'List usage exceptions (?status=OPEN|RESOLVED)' },
  { method: 'GET', path: '/v1/ops/exceptions/{exceptionId}', functionId: 'OpsExceptions', auth: 'iam', summary: 'One usage exception' },
  {
    method: 'POST',
    path: '/v1/ops/exceptions/{exceptionId}/reprocess',
    functionId: 'OpsExceptions',
    auth: 'iam',
    summary: 'Reprocess an exception after its crosswalk was fixed',
  },
  {
    method: 'PUT',
    path: '/v1/ops/crosswalks/charge-codes/{sourceSystem}/{chargeCode}',
    functionId: 'OpsExceptions',
    auth: 'iam',
    contentTypes: ['application/json'],
    summary: 'Create or fix a charge-code → item crosswalk entry',
  },
  {
    method: 'PUT',
    path: '/v1/ops/crosswalks/departments/{sourceSystem}/{facilityCode}/{departmentCode}',
    functionId: 'OpsExceptions',
    auth: 'iam',
    contentTypes: ['application/json'],
    summary: 'Create or fix a department → location and cost center crosswalk entry',
  },
  { method: 'GET', path: '/v1/ops/dlqs', functionId: 'OpsDlq', auth: 'iam', summary: 'Dead-letter queues with their depth' },
  { method: 'GET', path: '/v1/ops/dlqs/{queueName}', functionId: 'OpsDlq', auth: 'iam', summary: 'Messages in one DLQ (PHI-free)' },
  { method: 'POST', path: '/v1/ops/dlqs/{queueName}/redrive', functionId: 'OpsDlq', auth: 'iam', summary: 'Move DLQ messages back to their source queue or bus' },
  {
    method: 'POST',
    path: '/v1/ops/replays',
    functionId: 'OpsAdmin',
    auth: 'iam',
    contentTypes: ['application/json'],
    summary: 'Replay the bus archive over a time window (optionally to some rules only)',
  },
  { method: 'GET', path: '/v1/ops/audit/verify', functionId: 'OpsAdmin', auth: 'iam', summary: 'Recompute the audit hash chain' },
  {
    method: 'GET',
    path: '/v1/ops/stuck',
    functionId: 'OpsAdmin',
    auth: 'iam',
    summary: 'Transactions received longer ago than ?olderThan=10m that are not completed (?limit, ?cursor)',
  },
  {
    method: 'POST',
    path: '/v1/edi/x12',
    functionId: 'EdiIngest',
    auth: 'jwt',
    scopes: [SCOPES.ediWrite],
    contentTypes: ['application/edi-x12', 'application/edi', 'text/plain'],
    summary: 'Submit X12 interchange(s) (855, 856, 810); answers the 999 (005010), 997 (004010) or TA1',
  },
  {
    method: 'GET',
    path: '/v1/purchase-orders/{poNumber}',
    functionId: 'PurchaseOrderQuery',
    auth: 'jwt',
    scopes: [SCOPES.poRead],
    summary: 'A purchase order with its receipts and invoice cases (a supplier sees only its own)',
  },
  {
    method: 'POST',
    path: '/v1/requisitions',
    functionId: 'RequisitionApi',
    auth: 'jwt',
    scopes: [SCOPES.requisitionWrite],
    contentTypes: ['application/json'],
    summary: 'Raise a requisition from a SaaS procurement tool (idempotent on externalRef); starts its requisition-to-pay workflow',
  },
  {
    method: 'GET',
    path: '/v1/requisitions/{requisitionId}',
    functionId: 'RequisitionApi',
    auth: 'jwt',
    scopes: [SCOPES.requisitionWrite, SCOPES.requisitionApprove],
    summary: 'One requisition: lines, total, status, approval and purchase order number',
  },
  {
    method: 'POST',
    path: '/v1/requisitions/{requisitionId}/decision',
    functionId: 'RequisitionApi',
    auth: 'jwt',
    scopes: [SCOPES.requisitionApprove],
    contentTypes: ['application/json'],
    summary: 'Approve or reject a requisition waiting for a human decision; resumes its workflow',
  },
  {
    method: 'POST',
    path: '/v1/receipts',
    functionId: 'ReceiptApi',
    auth: 'jwt',
    scopes: [SCOPES.receiptWrite],
    contentTypes: ['application/json'],
    summary:
      'Record goods received at the dock against a purchase order, counted (lines) or by confirming a ship notice it took (shipmentId: received as the 856 shipped); idempotent on receiptId: inventory, ERP receipt, waiting invoices rematched',
  },
  {
    method: 'GET',
    path: '/v1/invoices',
    functionId: 'InvoiceApi',
    auth: 'jwt',
    scopes: [SCOPES.invoiceRead],
    summary: 'Supplier invoices by status (?status=exception|matched|open|rejected|paid); a supplier sees its own only',
  },
  {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}',
    functionId: 'InvoiceApi',
    auth: 'jwt',
    scopes: [SCOPES.invoiceRead],
    summary: 'One invoice with its three-way match; another supplier\'s invoice is not found',
  },
  {
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/resolution',
    functionId: 'InvoiceApi',
    auth: 'jwt',
    scopes: [SCOPES.invoiceResolve],
    contentTypes: ['application/json'],
    summary: 'An AP clerk resolves a match exception (ACCEPT_VARIANCE, REJECT, WAIT_FOR_RECEIPT); audited, resumes the workflow',
  },
];

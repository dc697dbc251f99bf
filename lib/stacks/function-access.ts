/**
 * Least privilege per function, in one reviewable table. Typed by `FunctionId`, so a new entry in
 * contracts/functions.ts does not compile until someone decides what it may touch.
 */
import type { FunctionId } from '../../contracts/functions';
import type { QueueId } from '../../contracts/routing';
import type { TableId } from '../../contracts/tables';

/**
 * - `read`: GetItem/Query/Scan/BatchGetItem (+ indexes) and kms:Decrypt.
 * - `readWrite`: read plus Put/Update/Delete/BatchWrite/ConditionCheck and kms encrypt/decrypt.
 * - `append`: Put/Get/Query/ConditionCheck only: the audit hash chain can be extended and read,
 *   never rewritten or deleted.
 */
export type TableAccess = 'read' | 'readWrite' | 'append';

export interface FunctionAccess {
  readonly tables: Partial<Record<TableId, TableAccess>>;
  /** PutEvents on the HEM bus. */
  readonly putEvents?: boolean;
  /** Read the encounter-reference HMAC key (ingest pseudonymisation). */
  readonly encounterKey?: boolean;
  /** Inspect and redrive every dead-letter queue (operator API). */
  readonly operateDeadLetterQueues?: boolean;
  /** StartReplay on the bus archive (operator API). */
  readonly replayArchive?: boolean;
  /**
   * StartExecution of these Standard workflows (`WorkflowControl.start`); their ARNs are passed in
   * `HEM_STATE_MACHINE_ARNS`.
   */
  readonly startWorkflows?: readonly ProcurementWorkflow[];
  /**
   * SendTaskSuccess / SendTaskFailure of these workflows' task tokens (`WorkflowControl.succeed/fail`).
   * Every function a workflow hands a token to (a `.waitForTaskToken` Lambda task, or the consumer of
   * a queue it sends to with `.waitForTaskToken`) must list that workflow: the infra tests check it.
   */
  readonly completeWorkflowTasks?: readonly ProcurementWorkflow[];
  /** sqs:SendMessage (and the queue key's kms:GenerateDataKey/Decrypt) on these connector queues: fire-and-forget commands. */
  readonly sendToQueues?: readonly QueueId[];
  /**
   * Recognises suppliers by their OAuth2 client (`ProcurementConfig.findSupplierByClientId`): gets the
   * deployment's client → supplier bindings in `HEM_SUPPLIER_CLIENTS` (from `partners[].supplierId`).
   */
  readonly identifiesSuppliers?: boolean;
  /** HTTPS systems outside AWS the function calls (no IAM): each one's base URL is set from the environment config. */
  readonly calls?: readonly ExternalSystem[];
}

/** Systems reached over HTTPS whose base URL is environment configuration (`lib/config/environment.ts`). */
export type ExternalSystem = 'finance' | 'erp' | 'supplierNetwork';

/** The Standard workflows procurement functions start or call back (names as `WorkflowControl` spells them). */
export type ProcurementWorkflow = 'RequisitionToPay' | 'ReceiptToInvoice';

export const FUNCTION_ACCESS: Readonly<Record<FunctionId, FunctionAccess>> = {
  Hl7Ingest: {
    tables: { Idempotency: 'readWrite', Operations: 'readWrite', Audit: 'append' },
    putEvents: true,
    encounterKey: true,
  },
  UsageIngest: {
    tables: { Idempotency: 'readWrite', Operations: 'readWrite', Audit: 'append' },
    putEvents: true,
    encounterKey: true,
  },
  MapUsageLines: {
    tables: { Reference: 'read', Operations: 'readWrite', Audit: 'append' },
    putEvents: true,
  },
  // Exactly once through the Operations table's movement dedup records (no Powertools store).
  ApplyUsageLine: {
    tables: { Reference: 'read', Operations: 'readWrite', Audit: 'append' },
  },
  // GL journal lines and AP vouchers to the finance ledger over HTTPS (no IAM); once per business key
  // (Idempotency); hops (Operations); answers ReceiptToInvoice's PostApVoucherToFinance task token.
  FinanceConnector: {
    tables: { Idempotency: 'readWrite', Operations: 'readWrite', Audit: 'append' },
    completeWorkflowTasks: ['ReceiptToInvoice'],
    calls: ['finance'],
  },
  // The position record carries its par level and reorder point: no reference data is read.
  InventoryQuery: { tables: { Operations: 'read' } },
  TransactionQuery: { tables: { Operations: 'read' } },
  OpsExceptions: {
    tables: { Operations: 'readWrite', Reference: 'readWrite', Audit: 'append' },
    putEvents: true,
  },
  // OpsDlq touches no table: it moves messages back to their source queue, or re-publishes the
  // events of rule-target and workflow DLQs to the bus (PutEvents).
  OpsDlq: { tables: {}, operateDeadLetterQueues: true, putEvents: true },
  // Replays the archive, reads (never writes) the audit chain to verify it and the transaction hops
  // (Operations) to list stuck transactions.
  OpsAdmin: { tables: { Audit: 'read', Operations: 'read' }, replayArchive: true },
  OpenApi: { tables: {} },
  // Writes POs, invoice cases, the EDI resend guard, waits and its acknowledgments' control numbers
  // (Operations); reads suppliers and the buyer identity (Reference); completes the PO's waiting
  // task tokens and starts the invoice's ReceiptToInvoice execution. For a supplier that receives on
  // ship notice it records the receipt as ReceiptApi does: inventory (Operations), items and par
  // settings (Reference), CreateReceipt to the ERP connector, invoices waiting for goods resumed.
  EdiIngest: {
    // Idempotency: a byte-identical resend is answered with the stored acknowledgment.
    tables: { Idempotency: 'readWrite', Operations: 'readWrite', Reference: 'read', Audit: 'append' },
    putEvents: true,
    startWorkflows: ['ReceiptToInvoice'],
    completeWorkflowTasks: ['RequisitionToPay', 'ReceiptToInvoice'],
    sendToQueues: ['ErpCommands'],
    identifiesSuppliers: true,
  },
  // Reads the PO, its receipts and invoice cases; the caller's supplier from Reference.
  PurchaseOrderQuery: { tables: { Operations: 'read', Reference: 'read' }, identifiesSuppliers: true },
  // Raises SaaS requisitions (Operations; idempotent on externalRef, no Powertools store), reads items,
  // locations, cost centers and suppliers (Reference), publishes RequisitionCreated/Approved/Rejected,
  // starts RequisitionToPay and completes its approval task token.
  RequisitionApi: {
    tables: { Operations: 'readWrite', Reference: 'read', Audit: 'append' },
    putEvents: true,
    startWorkflows: ['RequisitionToPay'],
    completeWorkflowTasks: ['RequisitionToPay'],
  },
  // ReplenishmentRequested → requisition (once per event: Idempotency), RequisitionCreated, workflow start.
  RequisitionStarter: {
    tables: { Idempotency: 'readWrite', Operations: 'readWrite', Reference: 'read', Audit: 'append' },
    putEvents: true,
    startWorkflows: ['RequisitionToPay'],
  },
  // Workflow tasks: no PutEvents (the workflow publishes what they return), no Step Functions rights.
  EvaluateApproval: { tables: { Operations: 'readWrite', Reference: 'read', Audit: 'append' } },
  // Draws the PO number from a counter and writes the PO (Operations); items and facility (Reference).
  BuildPurchaseOrder: { tables: { Operations: 'readWrite', Reference: 'read', Audit: 'append' } },
  // Keeps task tokens in the wait registry; completes a task whose event arrived first (both workflows wait through it).
  RegisterWait: { tables: { Operations: 'readWrite' }, completeWorkflowTasks: ['RequisitionToPay', 'ReceiptToInvoice'] },
  RaiseProcurementAlert: { tables: { Operations: 'readWrite', Audit: 'append' } },
  ClosePurchaseOrder: { tables: { Operations: 'readWrite', Audit: 'append' } },
  // Calls the ERP over HTTPS (no IAM); once per command (Idempotency); answers the waiting task:
  // RequisitionToPay's CreateInErp and ReceiptToInvoice's CreatePayablesInvoiceInErp send with a task
  // token; a dock receipt's CreateReceipt comes without one.
  ErpConnector: {
    tables: { Idempotency: 'readWrite', Operations: 'readWrite', Audit: 'append' },
    completeWorkflowTasks: ['RequisitionToPay', 'ReceiptToInvoice'],
    calls: ['erp'],
  },
  // Calls the supplier network over HTTPS; control numbers and the PO (Operations); suppliers, buyer
  // identity and facility (Reference); publishes PurchaseOrderIssued; answers the waiting task.
  SupplierConnector: {
    tables: { Idempotency: 'readWrite', Operations: 'readWrite', Reference: 'read', Audit: 'append' },
    putEvents: true,
    completeWorkflowTasks: ['RequisitionToPay'],
    calls: ['supplierNetwork'],
  },
  // The dock's receipt: PO and receipt, inventory positions/movements/dedup, waits and hops
  // (Operations); items and par settings (Reference); publishes GoodsReceived and
  // InventoryPositionChanged; sends CreateReceipt to the ERP connector; resumes the PO's workflow and
  // invoices waiting for goods.
  ReceiptApi: {
    tables: { Operations: 'readWrite', Reference: 'read', Audit: 'append' },
    putEvents: true,
    sendToQueues: ['ErpCommands'],
    completeWorkflowTasks: ['RequisitionToPay', 'ReceiptToInvoice'],
  },
  // Invoice cases (Operations); a caller's supplier by client id (Reference); an AP clerk's decision
  // is saved, audited, published (InvoiceMatched) and completes the invoice workflow's task token.
  InvoiceApi: {
    tables: { Operations: 'readWrite', Reference: 'read', Audit: 'append' },
    putEvents: true,
    completeWorkflowTasks: ['ReceiptToInvoice'],
    identifiesSuppliers: true,
  },
  // Workflow tasks of ReceiptToInvoice: no PutEvents (the workflow publishes what they return).
  // The match reads PO, receipts and invoices and saves the case (Operations), tolerances and items (Reference).
  MatchInvoice: { tables: { Operations: 'readWrite', Reference: 'read', Audit: 'append' } },
  // Reads the case and PO (Operations) and the cost center's GL account (Reference) to build the
  // voucher; calls no outside system (the ERP and finance connectors do, behind their queues).
  PrepareApVoucher: { tables: { Operations: 'read', Reference: 'read' } },
  // PAID case, PO totals, hop (Operations) and audit; tells the PO's RequisitionToPay its invoice matched.
  RecordApVoucher: {
    tables: { Operations: 'readWrite', Audit: 'append' },
    completeWorkflowTasks: ['RequisitionToPay'],
  },
  // Reads the case and records the alert's hop (Operations).
  RaiseInvoiceAlert: { tables: { Operations: 'readWrite' } },
};

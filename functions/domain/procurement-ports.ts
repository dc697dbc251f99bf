/**
 * Ports of the procure-to-pay workflows (issue 3), owned by the domain. AWS adapters implement them
 * over DynamoDB (operations table), Step Functions and SQS; the local runtime over its stand-ins;
 * unit tests in memory.
 */
import type {
  ApprovalPolicy,
  Invoice,
  InvoiceCase,
  MatchTolerances,
  PurchaseOrder,
  Receipt,
  Requisition,
  Supplier,
  X12ControlNumbers,
} from '../../contracts/procurement';
import type { ErpCommand } from '../../contracts/procurement-commands';

/** Requisitions, purchase orders, receipts and invoices with optimistic concurrency. */
export interface ProcurementRepository {
  /** Creates the requisition unless one with the same `externalRef` exists; returns the stored one either way. */
  createRequisition(requisition: Requisition): Promise<{ created: boolean; requisition: Requisition }>;
  getRequisition(requisitionId: string): Promise<Requisition | undefined>;
  saveRequisition(requisition: Requisition, expectedStatus: Requisition['status']): Promise<void>;

  /** Creates the PO; `created: false` when the PO number exists (idempotent). */
  createPurchaseOrder(po: PurchaseOrder): Promise<{ created: boolean; purchaseOrder: PurchaseOrder }>;
  getPurchaseOrder(poNumber: string): Promise<(PurchaseOrder & { version: number }) | undefined>;
  /** Conditional on `expectedVersion`; throws ConcurrencyError when it moved. */
  savePurchaseOrder(po: PurchaseOrder, expectedVersion: number): Promise<void>;
  listPurchaseOrdersBySupplier(supplierId: string, limit: number): Promise<PurchaseOrder[]>;

  /** Idempotent on receiptId. */
  saveReceipt(receipt: Receipt): Promise<{ created: boolean }>;
  listReceipts(poNumber: string): Promise<Receipt[]>;

  /**
   * Stores a received invoice with its case, keyed on `caseId` (`invoiceCaseIdFor`: supplier + invoice number +
   * envelope control numbers, so a re-keyed duplicate gets its own case and its own DUPLICATE exception).
   * Idempotent: `created: false` when the case exists.
   */
  saveInvoice(invoice: Invoice, invoiceCase: InvoiceCase): Promise<{ created: boolean }>;
  getInvoiceCase(caseId: string): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase; version: number } | undefined>;
  listInvoicesBySupplier(supplierId: string, limit: number): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase }[]>;
  /**
   * Every invoice naming the PO, oldest first, read consistently: what a PO's totals, view and
   * receipt rematches need, without scanning the supplier's whole invoice history.
   */
  listInvoicesOfPurchaseOrder(poNumber: string): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase }[]>;
  listInvoicesByStatus(status: InvoiceCase['status'], limit: number): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase }[]>;
  /**
   * Conditional on `expectedVersion`; throws ConcurrencyError when it moved. With `matchGuard`, also
   * conditional on the PO's match sequence still being `expectedSequence`, which the same atomic write
   * moves on by one: matches of one PO's invoices are serialised, so two invoices billing the same
   * goods can never both be matched on the same view of the PO's earlier invoices.
   */
  saveInvoiceCase(invoiceCase: InvoiceCase, expectedVersion: number, matchGuard?: PurchaseOrderMatchGuard): Promise<void>;
  /** The PO's match sequence (0 before its first guarded save): read BEFORE the PO's invoices. */
  getPurchaseOrderMatchSequence(poNumber: string): Promise<number>;
}

/** The PO-level condition a decision on one of its invoices is saved under (see `saveInvoiceCase`). */
export interface PurchaseOrderMatchGuard {
  poNumber: string;
  expectedSequence: number;
}

/** Unique, persisted X12 control numbers per trading partner (ISA13 / GS06 / ST02). */
export interface ControlNumberRepository {
  next(partnerId: string): Promise<{ interchange: string; group: string; transactionSet: string }>;
  /**
   * `count` consecutive control numbers in one atomic step (e.g. the TA1/999/997 answers of one
   * inbound payload), in issue order; the same counter as `next`, so they never repeat one.
   */
  reserve(partnerId: string, count: number): Promise<{ interchange: string; group: string; transactionSet: string }[]>;
}

/**
 * Inbound EDI documents already applied, keyed on the envelope's control numbers plus the business
 * key: a resent interchange changes nothing.
 */
export interface EdiDocumentLog {
  /**
   * Records the document; `false` when it had been recorded before (a resend) or is being applied by
   * a concurrent request right now. The record starts as a claim with a lease: when the application
   * neither `markApplied` nor `release`s it (the process died), the claim expires and the supplier's
   * resend applies the document — a document is never lost to a half-finished first attempt.
   */
  recordOnce(key: EdiDocumentKey): Promise<boolean>;
  /** The document recorded by `recordOnce` was applied: every later resend is a no-op for good. */
  markApplied(key: EdiDocumentKey): Promise<void>;
  /** Applying the document recorded by `recordOnce` failed: forget it so the supplier's resend applies it. */
  release(key: EdiDocumentKey): Promise<void>;
}

/** What identifies one inbound EDI document: the sender, the envelope's control numbers and its business key. */
export interface EdiDocumentKey {
  supplierId: string;
  control: X12ControlNumbers;
  /** e.g. `855|<poNumber>`, `856|<shipmentId>`, `810|<invoiceNumber>`. */
  businessKey: string;
}

/** Configuration the workflows read (suppliers, approval policies, tolerances, our own X12 ids). */
export interface ProcurementConfig {
  getSupplier(supplierId: string): Promise<Supplier | undefined>;
  findSupplierByX12(qualifier: string, id: string): Promise<Supplier | undefined>;
  findSupplierByClientId(oauthClientId: string): Promise<Supplier | undefined>;
  approvalPolicy(costCenter: string): Promise<ApprovalPolicy>;
  tolerances(supplierId: string): Promise<MatchTolerances>;
  buyer(): Promise<{ name: string; gln: string; duns: string; isaQualifier: string; isaId: string; gsId: string }>;
}

/** Step Functions callbacks and starts (a task token is opaque; never log it whole). */
export interface WorkflowControl {
  /** Starts a Standard execution named after the business key; starting twice is not an error. */
  start(workflow: 'RequisitionToPay' | 'ReceiptToInvoice', name: string, input: unknown): Promise<{ started: boolean }>;
  /**
   * SendTaskSuccess. Throws NotFoundError when the task no longer waits (it timed out, was completed
   * or its execution ended): callers that stored the arrival in the WaitRegistry first may treat that
   * as "the next wait picks it up".
   */
  succeed(taskToken: string, output: unknown): Promise<void>;
  /** SendTaskFailure (`error` is what the ASL's Catch matches). Throws NotFoundError like `succeed`. */
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

/** Where a workflow waits for an outside event (a supplier document, a human decision, a receipt). */
export interface WaitRegistry {
  /** Stores the token for (entity, awaited); returns an already-arrived payload instead when the event came first. */
  register(entity: string, awaited: string, taskToken: string): Promise<{ alreadyArrived?: unknown }>;
  /** Marks the event arrived; returns the waiting token when a workflow is waiting. */
  arrive(entity: string, awaited: string, payload: unknown): Promise<{ taskToken?: string }>;
}

/** The ERP (Oracle Fusion-like REST). Throws UpstreamUnavailableError (retryable) / UpstreamRejectedError. */
export interface ErpGateway {
  createPurchaseOrder(po: PurchaseOrder, idempotencyKey: string): Promise<{ erpPoId: string }>;
  createReceipt(receipt: Receipt, idempotencyKey: string): Promise<{ erpReceiptId: string }>;
  createPayablesInvoice(invoice: Invoice, approvedAmount: number, idempotencyKey: string): Promise<{ erpInvoiceId: string }>;
}

/** The supplier network: delivers an outbound X12 interchange and returns its synchronous functional ack. */
export interface SupplierNetwork {
  send(supplier: Supplier, interchange: string, idempotencyKey: string): Promise<{ functionalAck?: string }>;
}

/**
 * Fire-and-forget commands to the ERP connector: the `ErpCommands` queue (SQS SendMessage) without a
 * task token, e.g. `CreateReceipt` after a dock receipt. The connector is idempotent on the command's
 * business key (`commandBusinessKey`), so sending a command twice books it once.
 */
export interface ErpCommandQueue {
  /** Enqueues the command; throws InfrastructureError (retryable) when the queue refuses it. */
  send(command: ErpCommand): Promise<void>;
}

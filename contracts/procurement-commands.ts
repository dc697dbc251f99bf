/**
 * Commands on the connector queues (SQS message bodies). A workflow sends them with
 * `arn:aws:states:::sqs:sendMessage.waitForTaskToken` (then `taskToken` is `$$.Task.Token` and the
 * connector answers the workflow with SendTaskSuccess / SendTaskFailure), any other producer sends
 * them fire-and-forget (no `taskToken`). Bodies carry business keys only: the connector reads the
 * documents themselves from the procurement repository, so a message stays small, PHI-free and
 * never stale.
 *
 * Queue `ErpCommands` → ErpConnector (ERP REST): `CreatePurchaseOrder` answers `{ poNumber, erpPoId }`,
 * `CreateReceipt` answers `{ receiptId, erpReceiptId }`, `CreatePayablesInvoice` answers
 * `{ caseId, voucherId, erpInvoiceId }`.
 * Queue `SupplierOutbound` → SupplierConnector (supplier network): `SendPurchaseOrder` builds the X12
 * 850 and answers `{ poNumber, control, functionalAck }`.
 * Queue `FinancePostings` → FinanceConnector (finance ledger): `PostApVoucher` (from the
 * receipt-to-invoice workflow) answers `{ voucherId, journalId }`; the same queue carries the bus's
 * `CostPosted` events (GL journal lines), which are not commands and have no task to answer.
 * `PostApVoucher` is the one command that carries its document: the voucher is derived (deterministically)
 * by the workflow, not stored in HEM, and holds amounts and codes only (no PHI).
 *
 * A command the system refuses for good fails the task with error `ErpRejected` /
 * `SupplierRejected` / `FinanceRejected` (Catch them in the ASL); a retryable failure leaves the
 * message on the queue (redelivered, then its DLQ) and the task waits until its own TimeoutSeconds.
 */
import * as z from 'zod';
import { ApVoucherSchema } from './procurement';

const taskToken = z.string().min(1).max(2048).optional();
const correlationId = z.string().min(1).max(128);

/** Create the purchase order `poNumber` (stored in HEM) in the ERP. Business key: the PO number. */
export const CreatePurchaseOrderCommandSchema = z.object({
  command: z.literal('CreatePurchaseOrder'),
  poNumber: z.string().min(1).max(22),
  correlationId,
  taskToken,
});

/** Book the receipt `receiptId` (stored in HEM, against `poNumber`) in the ERP. Business key: the receipt id. */
export const CreateReceiptCommandSchema = z.object({
  command: z.literal('CreateReceipt'),
  receiptId: z.string().min(1),
  poNumber: z.string().min(1).max(22),
  correlationId,
  taskToken,
});

/**
 * Create the payables invoice of invoice case `caseId` for its approved amount. Business key: the
 * voucher id (`apVoucherIdFor(supplierId, invoiceNumber)`), so a re-keyed duplicate of the same
 * invoice (another case) can never become a second payables invoice.
 */
export const CreatePayablesInvoiceCommandSchema = z.object({
  command: z.literal('CreatePayablesInvoice'),
  caseId: z.string().min(1),
  voucherId: z.string().min(1).max(256),
  correlationId,
  taskToken,
});

/** A message on the `ErpCommands` queue. */
export const ErpCommandSchema = z.discriminatedUnion('command', [
  CreatePurchaseOrderCommandSchema,
  CreateReceiptCommandSchema,
  CreatePayablesInvoiceCommandSchema,
]);
export type ErpCommand = z.infer<typeof ErpCommandSchema>;

/** Send purchase order `poNumber` to its supplier as an X12 850. Business key: the PO number. */
export const SendPurchaseOrderCommandSchema = z.object({
  command: z.literal('SendPurchaseOrder'),
  poNumber: z.string().min(1).max(22),
  correlationId,
  taskToken,
});

/** A message on the `SupplierOutbound` queue. */
export const SupplierCommandSchema = z.discriminatedUnion('command', [SendPurchaseOrderCommandSchema]);
export type SupplierCommand = z.infer<typeof SupplierCommandSchema>;

/** Post the AP voucher `voucher` to the finance ledger. Business key: the voucher id. */
export const PostApVoucherCommandSchema = z.object({
  command: z.literal('PostApVoucher'),
  voucher: ApVoucherSchema,
  correlationId,
  taskToken,
});

/** A command on the `FinancePostings` queue (the queue's other messages are `CostPosted` bus events). */
export const FinanceCommandSchema = z.discriminatedUnion('command', [PostApVoucherCommandSchema]);
export type FinanceCommand = z.infer<typeof FinanceCommandSchema>;

/** The error names a connector fails a waiting task with when the system refused the command for good. */
export const CONNECTOR_REJECTION_ERRORS = { erp: 'ErpRejected', supplier: 'SupplierRejected', finance: 'FinanceRejected' } as const;

/** The business key a command is processed once for (the connectors' idempotency key). */
export const commandBusinessKey = (command: ErpCommand | SupplierCommand | FinanceCommand): string => {
  switch (command.command) {
    case 'CreatePurchaseOrder':
      return `erp|po|${command.poNumber}`;
    case 'CreateReceipt':
      return `erp|receipt|${command.receiptId}`;
    case 'CreatePayablesInvoice':
      return `erp|invoice|${command.voucherId}`;
    case 'SendPurchaseOrder':
      return `supplier|850|${command.poNumber}`;
    case 'PostApVoucher':
      return `finance|voucher|${command.voucher.voucherId}`;
  }
};

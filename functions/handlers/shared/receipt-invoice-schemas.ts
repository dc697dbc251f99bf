/**
 * zod schemas of the receipt-to-invoice payloads validated at the edge of each handler (the receipt
 * and invoice APIs, and the task inputs `state-machines/receipt-to-invoice.asl.json` builds: these are
 * the contract between the two), and the business metrics those handlers emit.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { InvoiceResolutionSchema } from '../../../contracts/procurement';
import { metrics } from './powertools';

const caseId = z.string().min(1).max(128);
const eventBusName = z.string().min(1).max(256);

/** Body of `POST /v1/receipts`: what the receiving dock counted against a PO. */
export const DockReceiptBodySchema = z
  .object({
    receiptId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'receiptId must be 1-64 letters, digits or ._:-')
      .describe("The dock's receipt or packing slip number: the idempotency key, unique across purchase orders"),
    poNumber: z.string().min(1).max(22),
    receivedAt: z.iso.datetime({ offset: true }).optional().describe('When the goods were counted; now when absent'),
    lines: z
      .array(
        z
          .object({
            poLineNumber: z.number().int().min(1),
            quantity: z.number().positive().max(1_000_000),
            uom: z.string().min(1).max(16).describe("The unit counted: the PO line's (e.g. BX) or any unit the item converts from (e.g. EA)"),
          })
          .strict(),
      )
      .min(1)
      .max(200),
  })
  .strict();

/** `?status=` of `GET /v1/invoices`, in any case (`exception`, `EXCEPTION`…), and `?limit=`. */
export const InvoiceListQuerySchema = z.object({
  status: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(['OPEN', 'EXCEPTION', 'MATCHED', 'REJECTED', 'PAID']))
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Body of `POST /v1/invoices/{invoiceId}/resolution`. */
export const InvoiceResolutionBodySchema = InvoiceResolutionSchema.strict();

/** MatchInvoice and PostApVoucher task input. */
export const InvoiceTaskInputSchema = z.object({ caseId, eventBusName });

/** RaiseInvoiceAlert task input. */
export const RaiseInvoiceAlertInputSchema = z.object({
  caseId,
  reason: z.enum(['RESOLUTION', 'RECEIPT', 'VOUCHER', 'MATCH']),
  eventBusName,
});

/**
 * The business metrics of receipts and invoices (EMF, namespace HEM). Alerts count on
 * `PROCUREMENT_METRIC.procurementAlerts` (procurement-metrics.ts), which carries the operator alarm.
 */
export const RECEIPT_INVOICE_METRIC = {
  goodsReceipts: 'GoodsReceipts',
  invoicesMatched: 'InvoicesMatched',
  invoiceExceptions: 'InvoiceExceptions',
  invoiceResolutions: 'InvoiceResolutions',
  apVouchersPosted: 'ApVouchersPosted',
} as const;

/** Adds one to a receipt/invoice metric. */
export const countReceiptInvoice = (name: (typeof RECEIPT_INVOICE_METRIC)[keyof typeof RECEIPT_INVOICE_METRIC]): void => {
  metrics.addMetric(name, MetricUnit.Count, 1);
};

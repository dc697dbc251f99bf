/**
 * zod schemas of the receipt-to-invoice payloads validated at the edge of each handler (the receipt
 * and invoice APIs, and the task inputs `state-machines/receipt-to-invoice.asl.json` builds: these are
 * the contract between the two), and the business metrics those handlers emit.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { ApVoucherSchema, InvoiceResolutionSchema } from '../../../contracts/procurement';
import type { DockReceiptRequest, ShipNoticeConfirmationRequest } from '../../domain/use-cases/procurement/receipts';
import { metrics } from './powertools';

const caseId = z.string().min(1).max(128);
const eventBusName = z.string().min(1).max(256);

const receiptLine = z
  .object({
    poLineNumber: z.number().int().min(1),
    quantity: z.number().positive().max(1_000_000),
    uom: z.string().min(1).max(16).describe("The unit counted: the PO line's (e.g. BX) or any unit the item converts from (e.g. EA)"),
  })
  .strict();

/** What `POST /v1/receipts` asks for, once validated: a count, or the confirmation of a ship notice. */
export type ReceiptBody =
  | { kind: 'COUNT'; request: DockReceiptRequest }
  | { kind: 'SHIP_NOTICE'; request: ShipNoticeConfirmationRequest };

/**
 * Body of `POST /v1/receipts`, one of two shapes:
 * - a dock count: `{ receiptId, poNumber, lines: [{ poLineNumber, quantity, uom }], receivedAt? }`;
 * - a ship notice confirmed: `{ poNumber, shipmentId, receiptId?, receivedAt? }` and no `lines`: the
 *   goods are exactly what that 856 shipped (without `receiptId`, the shipment's own receipt id).
 */
export const DockReceiptBodySchema = z
  .object({
    receiptId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'receiptId must be 1-64 letters, digits or ._:-')
      .optional()
      .describe(
        "The dock's receipt or packing slip number: the idempotency key, unique across purchase orders. Required with `lines`; " +
          'with `shipmentId` it defaults to the shipment\'s own receipt id (ASN:<supplierId>:<shipmentId>)',
      ),
    poNumber: z.string().min(1).max(22),
    receivedAt: z.iso.datetime({ offset: true }).optional().describe('When the goods were counted or confirmed; now when absent'),
    lines: z.array(receiptLine).min(1).max(200).optional().describe('What the dock counted against the PO lines (omit it when confirming a ship notice)'),
    shipmentId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('Confirm a ship notice instead of counting: the 856 shipment id (BSN02) the PO took; the receipt is exactly what it shipped'),
  })
  .strict()
  .transform((body, ctx): ReceiptBody => {
    const refuse = (path: string, message: string): ReceiptBody => {
      ctx.issues.push({ code: 'custom', path: [path], message, input: body });
      return z.NEVER;
    };
    const receivedAt = body.receivedAt === undefined ? {} : { receivedAt: body.receivedAt };
    if (body.shipmentId !== undefined) {
      if (body.lines !== undefined) return refuse('lines', 'must be absent when shipmentId confirms a ship notice (send one or the other)');
      return {
        kind: 'SHIP_NOTICE',
        request: { poNumber: body.poNumber, shipmentId: body.shipmentId, ...receivedAt, ...(body.receiptId === undefined ? {} : { receiptId: body.receiptId }) },
      };
    }
    if (body.lines === undefined) return refuse('lines', 'is required (or shipmentId, to confirm a ship notice)');
    if (body.receiptId === undefined) return refuse('receiptId', 'is required with lines');
    return { kind: 'COUNT', request: { receiptId: body.receiptId, poNumber: body.poNumber, lines: body.lines, ...receivedAt } };
  });

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

/** MatchInvoice task input. */
export const InvoiceTaskInputSchema = z.object({ caseId, eventBusName });

/** PrepareApVoucher task input. */
export const PrepareApVoucherInputSchema = z.object({ caseId });

/** RecordApVoucher task input: the prepared voucher and what the ERP and finance connectors answered. */
export const RecordApVoucherInputSchema = z.object({
  caseId,
  voucher: ApVoucherSchema,
  erpInvoiceId: z.string().min(1).max(256),
  journalId: z.string().min(1).max(256),
  eventBusName,
});

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

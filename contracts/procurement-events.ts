/**
 * Procure-to-pay events (`source` = `hem.procurement`): requisition → purchase order → 855 / 856 →
 * receipt → 810 → three-way match → AP voucher → PurchaseOrderClosed, plus operator alerts.
 * Registered in `EVENT_CATALOG` (contracts/events.ts). Details carry business documents (items,
 * quantities, prices, cost centers) and never PHI or free text: approver comments and AP clerk notes
 * stay out of every event.
 */
import * as z from 'zod';
import { EventEnvelopeSchema } from './event-envelope';
import {
  ApVoucherSchema,
  InvoiceCaseSchema,
  InvoiceSchema,
  MatchReasonSchema,
  MatchResultSchema,
  PoAcknowledgmentSchema,
  PurchaseOrderLineSchema,
  PurchaseOrderSchema,
  ReceiptSchema,
  RequisitionSchema,
  ShipNoticeSchema,
} from './procurement';

export const PROCUREMENT_EVENT_SOURCE = 'hem.procurement';

const isoDateTime = z.iso.datetime({ offset: true });

// Fields an event copies from a canonical document are picked from its schema (keys in the event's
// order), so the two cannot drift apart; a field the event constrains differently is spelled out.

/** What the approval and rejection events say about their requisition. */
const decidedRequisition = RequisitionSchema.pick({ requisitionId: true, costCenter: true, supplierId: true, totalAmount: true, currency: true }).shape;

/** A requisition was raised (from a replenishment or the SaaS procurement tool) and waits for approval. */
export const RequisitionCreatedSchema = EventEnvelopeSchema.extend({
  requisition: RequisitionSchema,
});
export type RequisitionCreated = z.infer<typeof RequisitionCreatedSchema>;

/** Approved by the cost center's policy (AUTO) or by a person (HUMAN). */
export const RequisitionApprovedSchema = EventEnvelopeSchema.extend({
  ...decidedRequisition,
  approval: z.enum(['AUTO', 'HUMAN']),
  /** Who approved: the authenticated client (OAuth client id) or the policy (`hem:auto-approval`). */
  approvedBy: z.string().min(1),
  /** The approver the approving client asserted it acted for: never the actor. */
  onBehalfOf: z.string().min(1).optional(),
});
export type RequisitionApproved = z.infer<typeof RequisitionApprovedSchema>;

export const RequisitionRejectedSchema = EventEnvelopeSchema.extend({
  ...decidedRequisition,
  rejectedBy: z.string().min(1),
});
export type RequisitionRejected = z.infer<typeof RequisitionRejectedSchema>;

/** A purchase order was created in the ERP and is to be sent to the supplier as an X12 850. */
export const PurchaseOrderIssuedSchema = EventEnvelopeSchema.extend({
  purchaseOrder: PurchaseOrderSchema,
});
export type PurchaseOrderIssued = z.infer<typeof PurchaseOrderIssuedSchema>;

/** The supplier's 855 was applied: what is now expected per line. */
export const PurchaseOrderAcknowledgedSchema = EventEnvelopeSchema.extend({
  ...PoAcknowledgmentSchema.pick({ poNumber: true, supplierId: true }).shape,
  /** BAK02 as sent. */
  ackType: z.string().length(2),
  outcome: z.enum(['ACCEPTED', 'ACCEPTED_WITH_CHANGES', 'REJECTED']),
  poStatus: PurchaseOrderSchema.shape.status,
  /** The PO's lines after the 855. */
  lines: z.array(
    PurchaseOrderLineSchema.pick({
      lineNumber: true,
      itemId: true,
      status: true,
      expectedQuantity: true,
      backorderedQuantity: true,
      uom: true,
      unitPrice: true,
      scheduledDate: true,
    })
      // Any number, as the event always took it (the PO line's is non-negative): narrowing a published event breaks consumers.
      .extend({ unitPrice: z.number() }),
  ),
});
export type PurchaseOrderAcknowledged = z.infer<typeof PurchaseOrderAcknowledgedSchema>;

/** An 856 ship notice was applied to its PO. */
export const ShipmentNotifiedSchema = EventEnvelopeSchema.extend({
  ...ShipNoticeSchema.pick({ shipmentId: true, poNumber: true, supplierId: true, shippedAt: true, expectedDeliveryAt: true }).shape,
  lines: z.array(
    z.object({
      poLineNumber: z.number().int().min(1),
      itemId: z.string().min(1),
      quantityShipped: z.number().positive(),
      uom: z.string().min(1),
      baseQuantity: z.number().positive(),
    }),
  ),
});
export type ShipmentNotified = z.infer<typeof ShipmentNotifiedSchema>;

/** Goods were received against a PO (dock count or a confirmed 856); base quantities feed inventory. */
export const GoodsReceivedSchema = EventEnvelopeSchema.extend({
  ...ReceiptSchema.pick({ receiptId: true, poNumber: true, facilityId: true, locationId: true, source: true, receivedAt: true }).shape,
  poStatus: PurchaseOrderSchema.shape.status,
  lines: z
    .array(
      z.object({
        poLineNumber: z.number().int().min(1),
        itemId: z.string().min(1),
        quantity: z.number().positive(),
        uom: z.string().min(1),
        baseQuantity: z.number().positive(),
      }),
    )
    .min(1),
});
export type GoodsReceived = z.infer<typeof GoodsReceivedSchema>;

/** An 810 invoice was accepted for matching. */
export const InvoiceReceivedSchema = EventEnvelopeSchema.extend({
  ...InvoiceSchema.pick({ invoiceNumber: true, supplierId: true, poNumber: true, invoiceDate: true, totalAmount: true, currency: true }).shape,
  lineCount: z.number().int().nonnegative(),
});
export type InvoiceReceived = z.infer<typeof InvoiceReceivedSchema>;

/** The three-way match passed (or an AP clerk accepted the variance): the invoice is payable. */
export const InvoiceMatchedSchema = EventEnvelopeSchema.extend({
  // Optional on the case, always there once it is matched: the PO and the match.
  ...InvoiceCaseSchema.pick({ invoiceNumber: true, supplierId: true, poNumber: true, approvedAmount: true, currency: true, match: true }).extend({
    poNumber: z.string().min(1),
    match: MatchResultSchema,
  }).shape,
});
export type InvoiceMatched = z.infer<typeof InvoiceMatchedSchema>;

/** The match failed: the invoice is listed for AP clerks with its reason codes. */
export const InvoiceExceptionRaisedSchema = EventEnvelopeSchema.extend({
  ...InvoiceCaseSchema.pick({ caseId: true, invoiceNumber: true, supplierId: true, poNumber: true, invoiceAmount: true, currency: true }).shape,
  reasons: z.array(MatchReasonSchema).min(1),
  lines: z.array(MatchResultSchema.shape.lines.element.pick({ invoiceLineNumber: true, poLineNumber: true, reasons: true })),
});
export type InvoiceExceptionRaised = z.infer<typeof InvoiceExceptionRaisedSchema>;

/** The AP voucher was handed to finance. */
export const ApVoucherPostedSchema = EventEnvelopeSchema.extend({
  voucher: ApVoucherSchema,
});
export type ApVoucherPosted = z.infer<typeof ApVoucherPostedSchema>;

/** Every line is received and invoiced (or rejected): the PO is closed. */
export const PurchaseOrderClosedSchema = EventEnvelopeSchema.extend({
  poNumber: z.string().min(1),
  supplierId: z.string().min(1),
  facilityId: z.string().min(1),
  costCenter: z.string().min(1),
  closedAt: isoDateTime,
  /** Whole-PO rejection by the supplier (855 BAK02 RJ/RD) closes it too. */
  rejected: z.boolean(),
});
export type PurchaseOrderClosed = z.infer<typeof PurchaseOrderClosedSchema>;

/** What an operator alert is about. */
export const ProcurementAlertTypeSchema = z.enum([
  'APPROVAL_ESCALATED',
  'ACKNOWLEDGMENT_OVERDUE',
  'SHIP_NOTICE_OVERDUE',
  'INVOICE_OVERDUE',
  'PURCHASE_ORDER_REJECTED',
  'ERP_UNAVAILABLE',
  /** Goods were ordered (and maybe shipped) but not all received by the time the workflow checked. */
  'RECEIPT_OVERDUE',
  /** The supplier network did not take the 850 within the send timeout (it is resent). */
  'SUPPLIER_NETWORK_UNAVAILABLE',
  /** An invoice in exception waited longer than its timeout for an AP clerk's decision (it keeps waiting). */
  'INVOICE_RESOLUTION_OVERDUE',
  /** A payable invoice's AP voucher could not be posted (ERP or finance unavailable: retried; or refused: stopped). */
  'AP_VOUCHER_BLOCKED',
  /** An invoice could not be matched for a while (HEM's own store failing); the match is retried. */
  'INVOICE_MATCH_BLOCKED',
  /**
   * A supplier's 855/856/810 was syntactically fine (acknowledged) but cannot be applied: unknown PO,
   * another supplier's PO, a line or unit the PO does not have, or a PO that is closed or rejected.
   */
  'SUPPLIER_DOCUMENT_UNMATCHED',
  /**
   * A supplier's 855 raised a line's unit price beyond the match tolerances: the 855 is applied, the
   * PO keeps its price and a buyer reviews the increase (`priceChanges`); an invoice at the new price
   * becomes a PRICE_VARIANCE exception for AP.
   */
  'ACKNOWLEDGMENT_PRICE_CHANGE',
]);
export type ProcurementAlertType = z.infer<typeof ProcurementAlertTypeSchema>;

/** A procure-to-pay step is overdue or failed and needs an operator. Structured facts only, no free text. */
export const ProcurementAlertRaisedSchema = EventEnvelopeSchema.extend({
  alertType: ProcurementAlertTypeSchema,
  severity: z.enum(['INFO', 'WARNING', 'CRITICAL']),
  entity: z.object({ kind: z.enum(['REQUISITION', 'PURCHASE_ORDER', 'INVOICE']), id: z.string().min(1) }),
  supplierId: z.string().min(1).optional(),
  costCenter: z.string().min(1).optional(),
  /** When the awaited document or decision was due. */
  dueAt: isoDateTime.optional(),
  /** ACKNOWLEDGMENT_PRICE_CHANGE: the lines whose acknowledged price was held back, prices per the PO line's `uom`. */
  priceChanges: z
    .array(
      z.object({
        ...PurchaseOrderLineSchema.pick({ lineNumber: true, itemId: true, uom: true }).shape,
        /** What HEM expects to pay (kept on the PO). */
        poUnitPrice: z.number().nonnegative(),
        /** What the supplier acknowledged. */
        acknowledgedUnitPrice: z.number().nonnegative(),
      }),
    )
    .min(1)
    .optional(),
});
export type ProcurementAlertRaised = z.infer<typeof ProcurementAlertRaisedSchema>;

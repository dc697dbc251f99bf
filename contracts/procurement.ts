/**
 * Canonical procure-to-pay model: requisitions, purchase orders, supplier documents (X12 855/856/810
 * map to PoAcknowledgment / ShipNotice / Invoice), receipts and three-way match results. Every X12
 * adapter produces these; every workflow step and API speaks them. PHI-free by nature.
 */
import * as z from 'zod';

const money = z.number().finite();
const isoDateTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();

/** Control numbers of the EDI envelope a document came in (or went out) in: the resend guard. */
export const X12ControlNumbersSchema = z.object({
  /** ISA13 interchange control number. */
  interchange: z.string().min(1),
  /** GS06 group control number. */
  group: z.string().min(1),
  /** ST02 transaction set control number. */
  transactionSet: z.string().min(1),
  /** ISA12 / GS08: '00401'/'004010' or '00501'/'005010…'. */
  version: z.string().min(1),
  senderId: z.string().min(1),
  receiverId: z.string().min(1),
});
export type X12ControlNumbers = z.infer<typeof X12ControlNumbersSchema>;

/** A trading partner: a supplier reachable over X12 through a supplier network. */
export const SupplierSchema = z.object({
  supplierId: z.string().min(1),
  name: z.string().min(1),
  duns: z.string().regex(/^\d{9}$/).optional(),
  gln: z.string().regex(/^\d{13}$/).optional(),
  /** ISA05/06 and GS02 of the supplier's interchanges. */
  x12: z.object({ isaQualifier: z.string().length(2), isaId: z.string().min(1).max(15), gsId: z.string().min(1).max(15) }),
  /**
   * OAuth2 client id the supplier (or its network) uses on /v1/edi/x12, /v1/purchase-orders and
   * /v1/invoices, when the configuration data binds it (the local runtime's seed). On AWS, Cognito
   * generates client ids: the stack binds them from `partners[].supplierId` in cdk.json instead.
   */
  oauthClientId: z.string().min(1).optional(),
  /**
   * Evaluated receipt: HEM records the goods receipt itself when the supplier's 856 is applied (what
   * the ship notice says shipped is received, `source: 'ASN'`), for suppliers whose ship notices the
   * hospital trusts without a dock count. Absent = false: the dock receives (`POST /v1/receipts`).
   */
  receiveOnShipNotice: z.boolean().optional(),
});
export type Supplier = z.infer<typeof SupplierSchema>;

/** Per cost center approval policy; `default` applies where no cost center entry exists. */
export const ApprovalPolicySchema = z.object({
  costCenter: z.string().min(1),
  /** Contract items whose requisition total is under this amount are approved without a human. */
  autoApproveContractUnder: money.nonnegative(),
  /** How long a human decision may take before the workflow escalates (ISO 8601 seconds). */
  decisionTimeoutSeconds: z.number().int().positive(),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;

/**
 * Three-way match tolerances (per supplier or the default).
 *
 * Unit price rule (see `functions/domain/procurement/match.ts`): the invoice unit price, per base unit,
 * is compared with the PO price per base unit. A price BELOW the PO price is always accepted (the
 * hospital pays less). A price ABOVE the price ordered raises PRICE_VARIANCE when it exceeds it by
 * more than EITHER the percent or the absolute tolerance (the stricter limit wins: requiring both let
 * cheap items be billed at many times their price).
 */
export const MatchTolerancesSchema = z.object({
  /** Percent over the PO unit price… */
  unitPricePercent: z.number().nonnegative(),
  /** …or absolute amount over the PO unit price, per invoice unit. */
  unitPriceAbsolute: money.nonnegative(),
  /** Invoiced quantity may exceed received quantity by at most this many base units. */
  quantityBaseUnits: z.number().nonnegative(),
  /** Freight lines up to this amount are accepted without a PO line. */
  freightMaxAmount: money.nonnegative(),
  /** Tax lines up to this percent of the merchandise amount are accepted. */
  taxMaxPercent: z.number().nonnegative(),
  /** Fee and other (non-freight, non-tax) charges up to this amount are accepted; absent = 0 (none). */
  otherChargesMaxAmount: money.nonnegative().optional(),
  /** Same supplier + same total within this many days is a suspected duplicate. */
  duplicateWindowDays: z.number().int().nonnegative(),
});
export type MatchTolerances = z.infer<typeof MatchTolerancesSchema>;

export const RequisitionLineSchema = z.object({
  lineNumber: z.number().int().min(1),
  itemId: z.string().min(1),
  /** In `uom` (the purchasing unit, e.g. BX). */
  quantity: z.number().positive(),
  uom: z.string().min(1),
  unitPrice: money.nonnegative(),
  /** On a supplier contract (contract price list). */
  contract: z.boolean(),
});

export const RequisitionSchema = z.object({
  requisitionId: z.string().min(1),
  source: z.enum(['REPLENISHMENT', 'SAAS']),
  /** The business key of what caused it (replenishment event idempotency key or the SaaS tool's id). */
  externalRef: z.string().min(1),
  facilityId: z.string().min(1),
  locationId: z.string().min(1),
  costCenter: z.string().min(1),
  supplierId: z.string().min(1),
  lines: z.array(RequisitionLineSchema).min(1),
  totalAmount: money,
  currency: z.string().length(3),
  status: z.enum(['PENDING_APPROVAL', 'APPROVED', 'REJECTED', 'ESCALATED', 'ORDERED']),
  correlationId: z.string().min(1),
  createdAt: isoDateTime,
  /**
   * The approval decision once made. Free-text comments are never kept here (they could carry PHI):
   * only the audit record's payload hash covers them.
   */
  approval: z
    .object({
      outcome: z.enum(['AUTO_APPROVED', 'APPROVED', 'REJECTED']),
      /** Who decided: the authenticated client (OAuth client id from the token), or `hem:auto-approval` for the policy. */
      by: z.string().min(1),
      /** The approver the deciding client asserted it acted for (the request's `approver`): never the actor. */
      onBehalfOf: z.string().min(1).optional(),
      at: isoDateTime,
    })
    .optional(),
  /** When the decision timeout first escalated it, and how many times it has escalated since. */
  escalatedAt: isoDateTime.optional(),
  escalationCount: z.number().int().nonnegative().optional(),
  /** The purchase order created from it (status ORDERED). */
  poNumber: z.string().min(1).max(22).optional(),
});
export type Requisition = z.infer<typeof RequisitionSchema>;
export type RequisitionLine = z.infer<typeof RequisitionLineSchema>;

/** `POST /v1/requisitions`: a requisition raised in a SaaS procurement tool. Prices come from HEM's contract data. */
export const RequisitionRequestSchema = z.object({
  /** The SaaS tool's requisition id: the idempotency business key. */
  externalRef: z.string().min(1).max(64),
  facilityId: z.string().min(1),
  locationId: z.string().min(1),
  costCenter: z.string().min(1),
  supplierId: z.string().min(1),
  lines: z
    .array(
      z.object({
        itemId: z.string().min(1),
        quantity: z.number().positive(),
        /** Any unit the item has a conversion for (usually its purchasing unit). */
        uom: z.string().min(1).max(16),
      }),
    )
    .min(1)
    .max(200),
});
export type RequisitionRequest = z.infer<typeof RequisitionRequestSchema>;

/** A human approval decision (the answer to the task token). */
export const ApprovalDecisionSchema = z.object({
  decision: z.enum(['APPROVE', 'REJECT']),
  approver: z.string().min(1).max(128),
  /** Kept only in the audit payload hash, never stored or published (may contain free text). */
  comment: z.string().max(1000).optional(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** One contract price: what `supplierId` charges for `itemId` per `uom`. */
export const ContractPriceSchema = z.object({
  supplierId: z.string().min(1),
  itemId: z.string().min(1),
  uom: z.string().min(1).max(16),
  unitPrice: money.nonnegative(),
});
export type ContractPrice = z.infer<typeof ContractPriceSchema>;

export const PoLineStatusSchema = z.enum(['OPEN', 'ACCEPTED', 'CHANGED', 'BACKORDERED', 'REJECTED', 'RECEIVED', 'CLOSED']);

export const PurchaseOrderLineSchema = z.object({
  lineNumber: z.number().int().min(1),
  itemId: z.string().min(1),
  description: z.string().min(1),
  supplierCatalogNumber: z.string().min(1),
  gtin: z.string().regex(/^\d{14}$/),
  /** Ordered, in `uom`. */
  quantity: z.number().positive(),
  uom: z.string().min(1),
  /** Base units per `uom` (pack size), for receipt/invoice conversions. */
  uomFactor: z.number().int().positive(),
  unitPrice: money.nonnegative(),
  /** What the supplier committed to after the 855 (in `uom`); equals `quantity` until acknowledged. */
  expectedQuantity: z.number().nonnegative(),
  /** Received so far, in base units. */
  receivedBaseQuantity: z.number().nonnegative(),
  /** Invoiced so far, in base units. */
  invoicedBaseQuantity: z.number().nonnegative(),
  status: PoLineStatusSchema,
  /** Backordered quantity still to come (in `uom`), from an 855 IB line; not part of `expectedQuantity`. */
  backorderedQuantity: z.number().nonnegative().optional(),
  /** The supplier's scheduled date for the line (855 DTM), kept across a backorder. */
  scheduledDate: isoDate.optional(),
  /** Shipped so far according to 856 ship notices, in base units. */
  shippedBaseQuantity: z.number().nonnegative().optional(),
  /**
   * A price increase the supplier's 855 acknowledged beyond the match tolerances (per `uom`), held
   * back for a buyer: `unitPrice` stays what HEM expects to pay (the contract price), so an invoice at
   * this price becomes a PRICE_VARIANCE for AP. Absent when the 855 sent no price, a lower one or one
   * within tolerance (which then became `unitPrice`).
   */
  acknowledgedUnitPrice: money.nonnegative().optional(),
  /**
   * The price ordered (per `uom`), kept once an 855 has changed `unitPrice`: every later 855 price is
   * held to the tolerances against it, so successive increases each within tolerance cannot add up.
   * Absent while `unitPrice` is still the price ordered.
   */
  orderedUnitPrice: money.nonnegative().optional(),
  /**
   * On order this line has given back (replenishment POs only), as cumulative base units after each
   * release, ascending: what was ordered and will never arrive (rejected, cancelled backorder, closed
   * short). Each step is one inventory movement, so a release is never applied twice
   * (`functions/domain/procurement/on-order.ts`).
   */
  onOrderReleased: z.array(z.number().nonnegative()).optional(),
});
export type PurchaseOrderLine = z.infer<typeof PurchaseOrderLineSchema>;

/** One 856 as its PO keeps it: the shipment and what it shipped, resolved to PO lines. */
export const ShipmentRecordSchema = z.object({
  shipmentId: z.string().min(1),
  shippedAt: isoDate,
  lines: z.array(
    z.object({
      poLineNumber: z.number().int().min(1),
      /** As shipped, in `uom` (the 856 line's unit). */
      quantity: z.number().positive(),
      uom: z.string().min(1),
      /** `quantity` in base units, converted as the 856 was applied. */
      baseQuantity: z.number().nonnegative(),
    }),
  ),
});
export type ShipmentRecord = z.infer<typeof ShipmentRecordSchema>;

export const PurchaseOrderSchema = z.object({
  poNumber: z.string().min(1).max(22),
  requisitionId: z.string().min(1),
  supplierId: z.string().min(1),
  facilityId: z.string().min(1),
  locationId: z.string().min(1),
  costCenter: z.string().min(1),
  shipToGln: z.string().regex(/^\d{13}$/),
  /** The ERP's id once the ERP connector created it. */
  erpPoId: z.string().optional(),
  orderDate: isoDate,
  currency: z.string().length(3),
  lines: z.array(PurchaseOrderLineSchema).min(1),
  status: z.enum(['CREATED', 'ISSUED', 'ACKNOWLEDGED', 'REJECTED', 'SHIPPED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'INVOICED', 'CLOSED']),
  /** Control numbers of the outbound 850. */
  x12: X12ControlNumbersSchema.optional(),
  correlationId: z.string().min(1),
  createdAt: isoDateTime,
  /** Receipts already applied (the receipt resend guard). */
  receiptIds: z.array(z.string().min(1)).optional(),
  /** Ship notices already applied (the 856 resend guard). */
  shipNoticeIds: z.array(z.string().min(1)).optional(),
  /**
   * What each applied 856 shipped, per PO line in the unit shipped (kept so a receipt can be
   * confirmed from the ship notice: `POST /v1/receipts` with `shipmentId`, or evaluated receipt).
   */
  shipments: z.array(ShipmentRecordSchema).optional(),
  closedAt: isoDateTime.optional(),
});
export type PurchaseOrder = z.infer<typeof PurchaseOrderSchema>;

/** X12 855 → canonical. */
export const PoAcknowledgmentSchema = z.object({
  poNumber: z.string().min(1),
  supplierId: z.string().min(1),
  /** BAK02: AC accepted with changes, AD accepted with detail no change, AE/AK/AT accepted, RD/RJ rejected. */
  ackType: z.string().min(2).max(2),
  acknowledgedAt: isoDate,
  lines: z.array(
    z.object({
      lineNumber: z.number().int().min(1),
      status: z.enum(['ACCEPTED', 'CHANGED', 'BACKORDERED', 'REJECTED']),
      /** ACK01 code as sent (IA, IC, IB, IR, IQ, IP, DR…). */
      statusCode: z.string().min(2).max(2),
      quantity: z.number().nonnegative(),
      uom: z.string().min(1),
      unitPrice: money.nonnegative().optional(),
      scheduledDate: isoDate.optional(),
    }),
  ),
  control: X12ControlNumbersSchema,
});
export type PoAcknowledgment = z.infer<typeof PoAcknowledgmentSchema>;

/** X12 856 → canonical. */
export const ShipNoticeSchema = z.object({
  shipmentId: z.string().min(1),
  poNumber: z.string().min(1),
  supplierId: z.string().min(1),
  shippedAt: isoDate,
  expectedDeliveryAt: isoDate.optional(),
  lines: z.array(
    z.object({
      /** PO line number (LIN01/PO line reference), when sent. */
      poLineNumber: z.number().int().min(1).optional(),
      supplierCatalogNumber: z.string().optional(),
      gtin: z.string().optional(),
      quantityShipped: z.number().positive(),
      uom: z.string().min(1),
      lot: z.string().optional(),
      expiresOn: isoDate.optional(),
    }),
  ),
  control: X12ControlNumbersSchema,
});
export type ShipNotice = z.infer<typeof ShipNoticeSchema>;

/** A receipt at the dock (`POST /v1/receipts`) or confirmed from an 856. */
export const ReceiptSchema = z.object({
  receiptId: z.string().min(1),
  poNumber: z.string().min(1),
  facilityId: z.string().min(1),
  locationId: z.string().min(1),
  receivedAt: isoDateTime,
  source: z.enum(['DOCK', 'ASN']),
  /** The 856 shipment this receipt confirms (`source: 'ASN'`): a shipment is received once. */
  shipmentId: z.string().min(1).optional(),
  lines: z.array(
    z.object({
      poLineNumber: z.number().int().min(1),
      quantity: z.number().positive(),
      uom: z.string().min(1),
    }),
  ),
});
export type Receipt = z.infer<typeof ReceiptSchema>;

/** X12 810 → canonical. */
export const InvoiceSchema = z.object({
  invoiceNumber: z.string().min(1),
  supplierId: z.string().min(1),
  poNumber: z.string().min(1).optional(),
  invoiceDate: isoDate,
  currency: z.string().length(3),
  lines: z.array(
    z.object({
      lineNumber: z.number().int().min(1),
      /** IT101 / PO line reference when sent; otherwise matched by catalog number or GTIN. */
      poLineNumber: z.number().int().min(1).optional(),
      supplierCatalogNumber: z.string().optional(),
      gtin: z.string().optional(),
      quantity: z.number(),
      uom: z.string().min(1),
      unitPrice: money,
      amount: money,
    }),
  ),
  /** SAC / TXI charges: freight, tax, fees, discounts (negative). */
  charges: z.array(z.object({ type: z.enum(['FREIGHT', 'TAX', 'FEE', 'DISCOUNT', 'OTHER']), code: z.string().optional(), amount: money })),
  /** TDS total as sent (the match checks it adds up). */
  totalAmount: money,
  control: X12ControlNumbersSchema.optional(),
});
export type Invoice = z.infer<typeof InvoiceSchema>;

export const MatchReasonSchema = z.enum([
  'PRICE_VARIANCE',
  'QTY_NOT_RECEIVED',
  'QTY_OVER_ORDERED',
  'NO_PO',
  'NO_PO_LINE',
  'DUPLICATE',
  'UOM_MISMATCH',
  'FREIGHT_OVER_TOLERANCE',
  'TAX_OVER_TOLERANCE',
  'TOTAL_MISMATCH',
  'SUPPLIER_MISMATCH',
  /** A fee / other charge (or a positive "discount") over `otherChargesMaxAmount`. */
  'CHARGE_OVER_TOLERANCE',
  /** The invoice is in another currency than the PO. */
  'CURRENCY_MISMATCH',
]);
export type MatchReason = z.infer<typeof MatchReasonSchema>;

/** The three-way match of one invoice against its PO and receipts. */
export const MatchResultSchema = z.object({
  invoiceNumber: z.string().min(1),
  supplierId: z.string().min(1),
  poNumber: z.string().optional(),
  status: z.enum(['MATCHED', 'EXCEPTION']),
  reasons: z.array(MatchReasonSchema),
  lines: z.array(
    z.object({
      invoiceLineNumber: z.number().int().min(1),
      poLineNumber: z.number().int().min(1).optional(),
      invoicedBaseQuantity: z.number(),
      receivedBaseQuantity: z.number(),
      orderedBaseQuantity: z.number(),
      /** Invoice unit price converted to the PO unit. */
      invoiceUnitPrice: money,
      poUnitPrice: money,
      reasons: z.array(MatchReasonSchema),
      /** The PO line's item, when the line was found. */
      itemId: z.string().optional(),
      /** Base units earlier accepted invoices already billed on the same PO line. */
      priorInvoicedBaseQuantity: z.number().optional(),
      /** The invoice line's extended amount. */
      amount: money.optional(),
    }),
  ),
  /** Amount payable when matched (merchandise + accepted charges); 0 while in exception. */
  approvedAmount: money,
  /** The verdict on each SAC/TXI charge, in invoice order. */
  charges: z
    .array(z.object({ type: z.enum(['FREIGHT', 'TAX', 'FEE', 'DISCOUNT', 'OTHER']), amount: money, reasons: z.array(MatchReasonSchema) }))
    .optional(),
  /** Reasons an AP clerk accepted (ACCEPT_VARIANCE): the result is MATCHED with these on record. */
  acceptedReasons: z.array(MatchReasonSchema).optional(),
  /** The day the match ran. */
  matchedOn: isoDate.optional(),
});
export type MatchResult = z.infer<typeof MatchResultSchema>;
export type MatchResultLine = MatchResult['lines'][number];

/** What an AP clerk may decide on an invoice in exception (`POST /v1/invoice-exceptions/{id}/resolution`). */
export const InvoiceResolutionSchema = z.object({
  action: z.enum(['ACCEPT_VARIANCE', 'REJECT', 'WAIT_FOR_RECEIPT']),
  clerk: z.string().min(1).max(128),
  /** Kept only in the audit payload hash, never stored or published (may contain free text). */
  note: z.string().max(1000).optional(),
});
export type InvoiceResolution = z.infer<typeof InvoiceResolutionSchema>;

/**
 * An invoice's life in accounts payable: OPEN (received, not matched yet) → MATCHED (payable) or
 * EXCEPTION (listed for AP clerks) → MATCHED / REJECTED by a clerk → PAID once the voucher is posted.
 */
export const InvoiceCaseSchema = z.object({
  caseId: z.string().min(1),
  invoiceNumber: z.string().min(1),
  supplierId: z.string().min(1),
  poNumber: z.string().min(1).optional(),
  invoiceDate: isoDate,
  currency: z.string().length(3),
  /** The invoice total as sent (TDS). */
  invoiceAmount: money,
  status: z.enum(['OPEN', 'MATCHED', 'EXCEPTION', 'REJECTED', 'PAID']),
  /** The open reasons while in EXCEPTION (empty otherwise). */
  reasons: z.array(MatchReasonSchema),
  /** What may be paid: the match's approved amount, or the invoice amount once a variance is accepted. */
  approvedAmount: money,
  /** The latest match. */
  match: MatchResultSchema.optional(),
  /** A clerk chose WAIT_FOR_RECEIPT: rematch when the next receipt for the PO arrives. */
  waitingForReceipt: z.boolean(),
  /** Every clerk decision, oldest first (free-text notes live only in the audit payload hash). */
  decisions: z.array(
    z.object({
      action: z.enum(['ACCEPT_VARIANCE', 'REJECT', 'WAIT_FOR_RECEIPT']),
      /** The authenticated client (OAuth client id from the token) that decided. */
      actor: z.string().min(1),
      /** The clerk that client asserted it acted for (the request's `clerk`): never the actor. */
      onBehalfOf: z.string().min(1),
      at: isoDateTime,
      /** The reasons open when the clerk decided. */
      reasons: z.array(MatchReasonSchema),
    }),
  ),
  correlationId: z.string().min(1),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type InvoiceCase = z.infer<typeof InvoiceCaseSchema>;

/** The posting to finance of an accepted invoice: what AP owes, coded per cost center and GL account. */
export const ApVoucherSchema = z.object({
  /** Deterministic: supplier + invoice number (the finance connector's idempotency key). */
  voucherId: z.string().min(1),
  invoiceNumber: z.string().min(1),
  supplierId: z.string().min(1),
  poNumber: z.string().min(1),
  facilityId: z.string().min(1),
  invoiceDate: isoDate,
  postingDate: isoDate,
  currency: z.string().length(3),
  /** = the match's approved amount = the sum of the lines, to the cent. */
  totalAmount: money,
  lines: z
    .array(
      z.object({
        lineNumber: z.number().int().min(1),
        kind: z.enum(['MERCHANDISE', 'FREIGHT', 'TAX', 'FEE', 'DISCOUNT', 'OTHER', 'VARIANCE']),
        costCenter: z.string().min(1),
        glAccount: z.string().min(1),
        amount: money,
      }),
    )
    .min(1),
  correlationId: z.string().min(1),
});
export type ApVoucher = z.infer<typeof ApVoucherSchema>;

/**
 * Builders of the procure-to-pay bus events (pure), like `functions/domain/events.ts`: version '1',
 * the transaction's correlationId, the causing event/request id, an idempotency key = business key +
 * '#' + detail type, and occurredAt. Each builder derives the business key from the document it
 * reports (requisition id, PO number, shipment id, receipt id, invoice case id, voucher id…) unless
 * the caller passes one, so the same fact always carries the same key.
 */
import type { BusEvent, EVENT_CATALOG, EventDetailType, EventEnvelope } from '../../../contracts/events';
import type {
  ApVoucher,
  InvoiceCase,
  Invoice,
  PoAcknowledgment,
  PurchaseOrder,
  Receipt,
  Requisition,
  ShipNotice,
} from '../../../contracts/procurement';
import type {
  ApVoucherPosted,
  GoodsReceived,
  InvoiceExceptionRaised,
  InvoiceMatched,
  InvoiceReceived,
  ProcurementAlertRaised,
  PurchaseOrderAcknowledged,
  PurchaseOrderClosed,
  PurchaseOrderIssued,
  RequisitionApproved,
  RequisitionCreated,
  RequisitionRejected,
  ShipmentNotified,
} from '../../../contracts/procurement-events';
import { ConflictError, DataError } from '../errors';
import { busEventBuilder, eventIdempotencyKey } from '../events';
import { invoiceCaseIdFor } from './invoice-case';
import { acknowledgmentOutcome, type HeldPriceChange, type ResolvedLine } from './purchase-order';

/** What every builder needs to fill the envelope; `businessKey` overrides the derived one. */
export interface ProcurementEnvelopeInput {
  correlationId: string;
  causationId: string;
  occurredAt: string;
  businessKey?: string;
}

const envelope = (input: ProcurementEnvelopeInput, detailType: EventDetailType, businessKey: string): EventEnvelope => ({
  version: '1',
  correlationId: input.correlationId,
  causationId: input.causationId,
  idempotencyKey: eventIdempotencyKey(input.businessKey ?? businessKey, detailType),
  occurredAt: input.occurredAt,
});

/** The detail types built here. */
type ProcurementEventType =
  | 'RequisitionCreated'
  | 'RequisitionApproved'
  | 'RequisitionRejected'
  | 'PurchaseOrderIssued'
  | 'PurchaseOrderAcknowledged'
  | 'ShipmentNotified'
  | 'GoodsReceived'
  | 'InvoiceReceived'
  | 'InvoiceMatched'
  | 'InvoiceExceptionRaised'
  | 'ApVoucherPosted'
  | 'PurchaseOrderClosed'
  | 'ProcurementAlertRaised';

/**
 * The catalog's source of each detail type built here, typed against `EVENT_CATALOG` so the compiler
 * keeps the two equal. Not read from `EVENT_CATALOG` at run time, as in `functions/domain/events.ts`:
 * importing the catalog's value constructs the zod schema of every event of every domain at cold
 * start, and building an event needs none of them (EventBridgePublisher validates on publish).
 */
const SOURCES: { readonly [T in ProcurementEventType]: (typeof EVENT_CATALOG)[T]['source'] } = {
  RequisitionCreated: 'hem.procurement',
  RequisitionApproved: 'hem.procurement',
  RequisitionRejected: 'hem.procurement',
  PurchaseOrderIssued: 'hem.procurement',
  PurchaseOrderAcknowledged: 'hem.procurement',
  ShipmentNotified: 'hem.procurement',
  GoodsReceived: 'hem.procurement',
  InvoiceReceived: 'hem.procurement',
  InvoiceMatched: 'hem.procurement',
  InvoiceExceptionRaised: 'hem.procurement',
  ApVoucherPosted: 'hem.procurement',
  PurchaseOrderClosed: 'hem.procurement',
  ProcurementAlertRaised: 'hem.procurement',
};

const busEvent = busEventBuilder<ProcurementEventType>(SOURCES);

const requireStatus = <T extends { status: string }>(entity: T, wanted: readonly string[], what: string): void => {
  if (!wanted.includes(entity.status)) {
    throw new ConflictError(`${what} is ${entity.status}: expected ${wanted.join(' or ')}`, { details: { status: entity.status } });
  }
};

/** `RequisitionCreated`: keyed on the requisition id. */
export const requisitionCreated = (input: ProcurementEnvelopeInput, requisition: Requisition): BusEvent => {
  const detail: RequisitionCreated = { ...envelope(input, 'RequisitionCreated', `REQ|${requisition.requisitionId}`), requisition };
  return busEvent('RequisitionCreated', detail);
};

/**
 * `RequisitionApproved`: by policy (AUTO) or a person (HUMAN). `approvedBy` is the actor (the
 * authenticated client, or the policy); `onBehalfOf` the approver that client asserted, if any.
 *
 * @throws ConflictError when the requisition is not approved.
 */
export const requisitionApproved = (input: ProcurementEnvelopeInput, requisition: Requisition): BusEvent => {
  requireStatus(requisition, ['APPROVED', 'ORDERED'], `requisition ${requisition.requisitionId}`);
  const approval = requisition.approval;
  const detail: RequisitionApproved = {
    ...envelope(input, 'RequisitionApproved', `REQ|${requisition.requisitionId}`),
    requisitionId: requisition.requisitionId,
    costCenter: requisition.costCenter,
    supplierId: requisition.supplierId,
    totalAmount: requisition.totalAmount,
    currency: requisition.currency,
    approval: approval?.outcome === 'AUTO_APPROVED' ? 'AUTO' : 'HUMAN',
    approvedBy: approval?.by ?? 'unknown',
    ...(approval?.onBehalfOf === undefined ? {} : { onBehalfOf: approval.onBehalfOf }),
  };
  return busEvent('RequisitionApproved', detail);
};

/**
 * `RequisitionRejected`: an approver said no.
 *
 * @throws ConflictError when the requisition is not rejected.
 */
export const requisitionRejected = (input: ProcurementEnvelopeInput, requisition: Requisition): BusEvent => {
  requireStatus(requisition, ['REJECTED'], `requisition ${requisition.requisitionId}`);
  const detail: RequisitionRejected = {
    ...envelope(input, 'RequisitionRejected', `REQ|${requisition.requisitionId}`),
    requisitionId: requisition.requisitionId,
    costCenter: requisition.costCenter,
    supplierId: requisition.supplierId,
    totalAmount: requisition.totalAmount,
    currency: requisition.currency,
    rejectedBy: requisition.approval?.by ?? 'unknown',
  };
  return busEvent('RequisitionRejected', detail);
};

/** `PurchaseOrderIssued`: the PO as created in the ERP, for the 850 connector. Keyed on the PO number. */
export const purchaseOrderIssued = (input: ProcurementEnvelopeInput, purchaseOrder: PurchaseOrder): BusEvent => {
  const detail: PurchaseOrderIssued = { ...envelope(input, 'PurchaseOrderIssued', `PO|${purchaseOrder.poNumber}`), purchaseOrder };
  return busEvent('PurchaseOrderIssued', detail);
};

/** `PurchaseOrderAcknowledged`: the PO after its 855 (`po` = the result of `applyAcknowledgment`). Keyed on the 855's control numbers. */
export const purchaseOrderAcknowledged = (input: ProcurementEnvelopeInput, po: PurchaseOrder, ack: PoAcknowledgment): BusEvent => {
  const detail: PurchaseOrderAcknowledged = {
    ...envelope(input, 'PurchaseOrderAcknowledged', `PO|${po.poNumber}|855|${ack.control.interchange}|${ack.control.transactionSet}`),
    poNumber: po.poNumber,
    supplierId: po.supplierId,
    ackType: ack.ackType,
    outcome: acknowledgmentOutcome(ack),
    poStatus: po.status,
    lines: po.lines.map((l) => ({
      lineNumber: l.lineNumber,
      itemId: l.itemId,
      status: l.status,
      expectedQuantity: l.expectedQuantity,
      ...(l.backorderedQuantity === undefined ? {} : { backorderedQuantity: l.backorderedQuantity }),
      uom: l.uom,
      unitPrice: l.unitPrice,
      ...(l.scheduledDate === undefined ? {} : { scheduledDate: l.scheduledDate }),
    })),
  };
  return busEvent('PurchaseOrderAcknowledged', detail);
};

/** `ShipmentNotified`: an 856 applied (`lines` = `applyShipNotice(...).lines`). Keyed on supplier + shipment id. */
export const shipmentNotified = (input: ProcurementEnvelopeInput, asn: ShipNotice, lines: readonly ResolvedLine[]): BusEvent => {
  const detail: ShipmentNotified = {
    ...envelope(input, 'ShipmentNotified', `ASN|${asn.supplierId}|${asn.shipmentId}`),
    shipmentId: asn.shipmentId,
    poNumber: asn.poNumber,
    supplierId: asn.supplierId,
    shippedAt: asn.shippedAt,
    ...(asn.expectedDeliveryAt === undefined ? {} : { expectedDeliveryAt: asn.expectedDeliveryAt }),
    lines: lines.map((l) => ({
      poLineNumber: l.poLineNumber,
      itemId: l.itemId,
      quantityShipped: l.quantity,
      uom: l.uom,
      baseQuantity: l.baseQuantity,
    })),
  };
  return busEvent('ShipmentNotified', detail);
};

/** `GoodsReceived`: a receipt applied (`lines` in base units from `applyReceipt`). Keyed on the receipt id. */
export const goodsReceived = (
  input: ProcurementEnvelopeInput,
  receipt: Receipt,
  lines: readonly ResolvedLine[],
  poStatus: PurchaseOrder['status'],
): BusEvent => {
  const detail: GoodsReceived = {
    ...envelope(input, 'GoodsReceived', `RCV|${receipt.receiptId}`),
    receiptId: receipt.receiptId,
    poNumber: receipt.poNumber,
    facilityId: receipt.facilityId,
    locationId: receipt.locationId,
    source: receipt.source,
    receivedAt: receipt.receivedAt,
    poStatus,
    lines: lines.map((l) => ({ poLineNumber: l.poLineNumber, itemId: l.itemId, quantity: l.quantity, uom: l.uom, baseQuantity: l.baseQuantity })),
  };
  return busEvent('GoodsReceived', detail);
};

/** `InvoiceReceived`: an 810 was accepted for matching. Keyed on the invoice's case id. */
export const invoiceReceived = (input: ProcurementEnvelopeInput, invoice: Invoice): BusEvent => {
  const detail: InvoiceReceived = {
    ...envelope(input, 'InvoiceReceived', `INV|${invoiceCaseIdFor(invoice)}`),
    invoiceNumber: invoice.invoiceNumber,
    supplierId: invoice.supplierId,
    ...(invoice.poNumber === undefined ? {} : { poNumber: invoice.poNumber }),
    invoiceDate: invoice.invoiceDate,
    totalAmount: invoice.totalAmount,
    currency: invoice.currency,
    lineCount: invoice.lines.length,
  };
  return busEvent('InvoiceReceived', detail);
};

/**
 * `InvoiceMatched`: the case is payable (matched, or a clerk accepted the variance). Keyed on the case id.
 *
 * @throws ConflictError when the case is not MATCHED, or has no match against a PO.
 */
export const invoiceMatched = (input: ProcurementEnvelopeInput, invoiceCase: InvoiceCase): BusEvent => {
  requireStatus(invoiceCase, ['MATCHED'], `invoice case ${invoiceCase.caseId}`);
  const { match, poNumber } = invoiceCase;
  if (match === undefined || poNumber === undefined) {
    throw new ConflictError(`invoice case ${invoiceCase.caseId} has no match against a PO`, { details: { caseId: invoiceCase.caseId } });
  }
  const detail: InvoiceMatched = {
    ...envelope(input, 'InvoiceMatched', `INV|${invoiceCase.caseId}`),
    invoiceNumber: invoiceCase.invoiceNumber,
    supplierId: invoiceCase.supplierId,
    poNumber,
    approvedAmount: invoiceCase.approvedAmount,
    currency: invoiceCase.currency,
    match,
  };
  return busEvent('InvoiceMatched', detail);
};

/**
 * `InvoiceExceptionRaised`: the case is listed for AP clerks. Keyed on the case id and its reasons, so
 * a rematch that fails for the same reasons is the same fact and a new reason is a new one.
 *
 * @throws ConflictError when the case is not in EXCEPTION.
 */
export const invoiceExceptionRaised = (input: ProcurementEnvelopeInput, invoiceCase: InvoiceCase): BusEvent => {
  requireStatus(invoiceCase, ['EXCEPTION'], `invoice case ${invoiceCase.caseId}`);
  const detail: InvoiceExceptionRaised = {
    ...envelope(input, 'InvoiceExceptionRaised', `INV|${invoiceCase.caseId}|${invoiceCase.reasons.join('+')}`),
    caseId: invoiceCase.caseId,
    invoiceNumber: invoiceCase.invoiceNumber,
    supplierId: invoiceCase.supplierId,
    ...(invoiceCase.poNumber === undefined ? {} : { poNumber: invoiceCase.poNumber }),
    invoiceAmount: invoiceCase.invoiceAmount,
    currency: invoiceCase.currency,
    reasons: invoiceCase.reasons,
    lines: (invoiceCase.match?.lines ?? []).map((l) => ({
      invoiceLineNumber: l.invoiceLineNumber,
      ...(l.poLineNumber === undefined ? {} : { poLineNumber: l.poLineNumber }),
      reasons: l.reasons,
    })),
  };
  return busEvent('InvoiceExceptionRaised', detail);
};

/** `ApVoucherPosted`: the voucher went to finance. Keyed on the voucher id. */
export const apVoucherPosted = (input: ProcurementEnvelopeInput, voucher: ApVoucher): BusEvent => {
  const detail: ApVoucherPosted = { ...envelope(input, 'ApVoucherPosted', voucher.voucherId), voucher };
  return busEvent('ApVoucherPosted', detail);
};

/**
 * `PurchaseOrderClosed`: keyed on the PO number.
 *
 * @throws ConflictError when the PO is not CLOSED.
 */
export const purchaseOrderClosed = (input: ProcurementEnvelopeInput, po: PurchaseOrder): BusEvent => {
  requireStatus(po, ['CLOSED'], `PO ${po.poNumber}`);
  const detail: PurchaseOrderClosed = {
    ...envelope(input, 'PurchaseOrderClosed', `PO|${po.poNumber}`),
    poNumber: po.poNumber,
    supplierId: po.supplierId,
    facilityId: po.facilityId,
    costCenter: po.costCenter,
    closedAt: po.closedAt ?? input.occurredAt,
    rejected: po.lines.every((l) => l.status === 'REJECTED'),
  };
  return busEvent('PurchaseOrderClosed', detail);
};

/** The facts of an operator alert. */
export type ProcurementAlert = Omit<ProcurementAlertRaised, keyof EventEnvelope>;

/** `ProcurementAlertRaised`: keyed on type + entity + due time, so each timeout alerts once. */
export const procurementAlertRaised = (input: ProcurementEnvelopeInput, alert: ProcurementAlert): BusEvent => {
  const detail: ProcurementAlertRaised = {
    ...envelope(input, 'ProcurementAlertRaised', `ALERT|${alert.alertType}|${alert.entity.kind}|${alert.entity.id}|${alert.dueAt ?? ''}`),
    ...alert,
  };
  return busEvent('ProcurementAlertRaised', detail);
};

/**
 * `ProcurementAlertRaised` (ACKNOWLEDGMENT_PRICE_CHANGE, WARNING) for an 855 whose price increases
 * were held back beyond tolerance (`held` = `acknowledgePurchaseOrder(...).heldPriceChanges`): names
 * the PO and, per line, the price the PO keeps and the one the supplier acknowledged, for a buyer to
 * review. Keyed on the PO and the 855's control numbers, like `PurchaseOrderAcknowledged`: a resent
 * or re-applied 855 is the same alert, a later 855 that raises a price again is a new one.
 *
 * @throws DataError when `held` is empty (there is nothing to alert).
 */
export const acknowledgmentPriceChangeAlert = (
  input: ProcurementEnvelopeInput,
  po: PurchaseOrder,
  ack: PoAcknowledgment,
  held: readonly HeldPriceChange[],
): BusEvent => {
  if (held.length === 0) {
    throw new DataError(`855 for PO ${po.poNumber} held back no price change: no alert`, { details: { poNumber: po.poNumber } });
  }
  const alert: ProcurementAlert = {
    alertType: 'ACKNOWLEDGMENT_PRICE_CHANGE',
    severity: 'WARNING',
    entity: { kind: 'PURCHASE_ORDER', id: po.poNumber },
    supplierId: po.supplierId,
    costCenter: po.costCenter,
    priceChanges: held.map((h) => ({
      lineNumber: h.lineNumber,
      itemId: h.itemId,
      uom: h.uom,
      poUnitPrice: h.poUnitPrice,
      acknowledgedUnitPrice: h.acknowledgedUnitPrice,
    })),
  };
  return procurementAlertRaised(
    { ...input, businessKey: input.businessKey ?? `ALERT|${alert.alertType}|PO|${po.poNumber}|855|${ack.control.interchange}|${ack.control.transactionSet}` },
    alert,
  );
};

/** The document a PO step waits for, as operators name it. */
export type AwaitedDocument = 'ACKNOWLEDGMENT' | 'SHIP_NOTICE' | 'INVOICE';

const OVERDUE_ALERTS: Record<AwaitedDocument, ProcurementAlert['alertType']> = {
  ACKNOWLEDGMENT: 'ACKNOWLEDGMENT_OVERDUE',
  SHIP_NOTICE: 'SHIP_NOTICE_OVERDUE',
  INVOICE: 'INVOICE_OVERDUE',
};

/** The alert for an 855 / 856 / 810 that did not arrive by `dueAt` (the workflow's timeout). */
export const overdueAlertFor = (po: PurchaseOrder, awaiting: AwaitedDocument, dueAt: string): ProcurementAlert => ({
  alertType: OVERDUE_ALERTS[awaiting],
  severity: 'WARNING',
  entity: { kind: 'PURCHASE_ORDER', id: po.poNumber },
  supplierId: po.supplierId,
  costCenter: po.costCenter,
  dueAt,
});

/** The alert for a requisition whose approval timed out and escalated. */
export const escalationAlertFor = (requisition: Requisition, dueAt: string): ProcurementAlert => ({
  alertType: 'APPROVAL_ESCALATED',
  severity: 'WARNING',
  entity: { kind: 'REQUISITION', id: requisition.requisitionId },
  supplierId: requisition.supplierId,
  costCenter: requisition.costCenter,
  dueAt,
});

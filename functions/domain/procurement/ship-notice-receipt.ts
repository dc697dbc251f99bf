/**
 * Receipts confirmed from an 856 (pure): the dock confirms a ship notice instead of keying lines
 * (`POST /v1/receipts` with `shipmentId`), or, for a supplier configured to receive on ship notice
 * (evaluated receipt), HEM receives the 856 itself. Either way the receipt is exactly what the
 * shipment shipped — per PO line, in the unit shipped, as the PO kept it when the 856 was applied
 * (`PurchaseOrder.shipments`) — and a shipment is received by one receipt only.
 */
import type { PurchaseOrder, Receipt, ShipmentRecord } from '../../../contracts/procurement';
import { ConflictError, NotFoundError } from '../errors';

/**
 * The receipt id of a shipment received without a dock receipt number (evaluated receipt, or a dock
 * confirmation that names none): `ASN:<supplierId>:<shipmentId>`. Deterministic, so a resent 856 or
 * a second confirmation of the same shipment is the same receipt and never receives twice.
 */
export const shipNoticeReceiptId = (supplierId: string, shipmentId: string): string => `ASN:${supplierId}:${shipmentId}`;

/** The shipment as the PO took it, if it did. */
export const shipmentOf = (po: Pick<PurchaseOrder, 'shipments'>, shipmentId: string): ShipmentRecord | undefined =>
  po.shipments?.find((s) => s.shipmentId === shipmentId);

/**
 * The receipt that received `shipmentId` on this PO: an applied receipt (one the PO holds) that
 * confirmed that shipment. Receipts stored but refused by the PO do not count.
 */
export const receiptOfShipment = (po: Pick<PurchaseOrder, 'receiptIds'>, receipts: readonly Receipt[], shipmentId: string): Receipt | undefined => {
  const applied = new Set(po.receiptIds ?? []);
  return receipts.find((r) => r.shipmentId === shipmentId && applied.has(r.receiptId));
};

/**
 * The receipt of everything shipment `shipmentId` shipped on `po`: one line per 856 line (same PO
 * line, quantity and unit), `source: 'ASN'`, at the PO's facility and location.
 *
 * @throws NotFoundError when the PO took no 856 with that shipment id.
 * @throws ConflictError when the PO applied the shipment before it kept shipments' lines (nothing to
 *   confirm from: the dock counts it instead).
 */
export const receiptForShipment = (po: PurchaseOrder, shipmentId: string, ids: { receiptId: string; receivedAt: string }): Receipt => {
  const shipment = shipmentOf(po, shipmentId);
  if (shipment === undefined) {
    if (po.shipNoticeIds?.includes(shipmentId) === true) {
      throw new ConflictError(`PO ${po.poNumber} holds no lines of shipment ${shipmentId}: receive it with counted lines`, {
        details: { poNumber: po.poNumber, shipmentId },
      });
    }
    throw new NotFoundError(`PO ${po.poNumber} has no ship notice ${shipmentId}`, { details: { poNumber: po.poNumber, shipmentId } });
  }
  return {
    receiptId: ids.receiptId,
    poNumber: po.poNumber,
    facilityId: po.facilityId,
    locationId: po.locationId,
    receivedAt: ids.receivedAt,
    source: 'ASN',
    shipmentId,
    lines: shipment.lines.map((l) => ({ poLineNumber: l.poLineNumber, quantity: l.quantity, uom: l.uom })),
  };
};

/**
 * A shipment is received once: refuses `receipt` when another receipt applied to the PO already
 * confirmed the same shipment. A receipt without a shipment id, or the very receipt that received
 * it (a resend), passes.
 *
 * @throws ConflictError naming the receipt that received the shipment.
 */
export const assertShipmentNotReceivedElsewhere = (po: Pick<PurchaseOrder, 'poNumber' | 'receiptIds'>, receipts: readonly Receipt[], receipt: Receipt): void => {
  if (receipt.shipmentId === undefined) return;
  const holder = receiptOfShipment(po, receipts, receipt.shipmentId);
  if (holder !== undefined && holder.receiptId !== receipt.receiptId) {
    throw new ConflictError(`shipment ${receipt.shipmentId} of PO ${po.poNumber} was received as receipt ${holder.receiptId}`, {
      details: { poNumber: po.poNumber, shipmentId: receipt.shipmentId, receiptId: holder.receiptId },
    });
  }
};

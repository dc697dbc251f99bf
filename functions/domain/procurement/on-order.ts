/**
 * On order of replenishment (pure): what a replenishment requisition or PO still has on order at its
 * par location, and what it gives back.
 *
 * Invariant I2: per par location × item, on order = the open (unreceived, uncancelled) base
 * quantities of its replenishment requisitions and POs. `ReplenishmentRequested` raises it by what it
 * orders; it comes down only
 * - by a receipt of that replenishment's own PO, by at most what the PO line still has on order
 *   (`onOrderTakenByReceipt`) — a receipt of a SaaS requisition's PO takes nothing off; and
 * - by an ON_ORDER_RELEASED movement when goods will never arrive: the requisition is rejected
 *   (`requisitionOnOrderReleases`), a PO line or the whole PO is rejected, a backorder is cancelled, a
 *   line is changed down, or the PO closes short (`recordOnOrderReleases` / `purchaseOrderOnOrderReleases`).
 * Without the releases on order stays up for goods that never come, `onHand + onOrder` stays above the
 * reorder point and the par location never reorders again. A PO line never gives back more than it put
 * on order (the ordered base quantity), and every release is a keyed movement applied once.
 */
import type { PurchaseOrder, PurchaseOrderLine, Requisition } from '../../../contracts/procurement';
import { product, sum } from './decimal';
import { outstandingBaseQuantity } from './purchase-order';

const QUANTITY_PLACES = 6;

/** One on-order release to apply as an ON_ORDER_RELEASED movement at the order's location. */
export interface OnOrderRelease {
  /** The requisition or PO line. */
  lineNumber: number;
  itemId: string;
  /** The movement's business key: applied once, however often the release is retried. */
  businessKey: string;
  /** Base units to give back (> 0). */
  quantity: number;
}

/** Base units the PO line put on order: what it ordered (the replenishment's whole packs). */
export const onOrderRaisedBy = (line: Pick<PurchaseOrderLine, 'quantity' | 'uomFactor'>): number =>
  product(line.quantity, line.uomFactor, QUANTITY_PLACES);

/** Base units of on order the line has given back so far (its last cumulative release). */
export const onOrderReleasedBy = (line: Pick<PurchaseOrderLine, 'onOrderReleased'>): number => line.onOrderReleased?.at(-1) ?? 0;

/**
 * Base units the line ordered that will never arrive: a rejected or closed line gets nothing more than
 * it received; a live line gets what it received or what the supplier still commits to (accepted +
 * backordered), whichever is more. Never more than was ordered.
 */
export const onOrderCancelledBy = (line: PurchaseOrderLine): number => {
  const raised = onOrderRaisedBy(line);
  const finished = line.status === 'REJECTED' || line.status === 'CLOSED';
  const arriving = finished ? line.receivedBaseQuantity : sum([line.receivedBaseQuantity, outstandingBaseQuantity(line)]);
  return Math.max(0, sum([raised, -Math.min(raised, arriving)]));
};

/**
 * The PO with each line's release steps brought up to date (`onOrderReleased`): a line whose
 * cancelled quantity grew gets a new cumulative step. Releases only grow (on order once given back is
 * not raised again), so applying it again changes nothing. For replenishment POs only.
 */
export const recordOnOrderReleases = (po: PurchaseOrder): PurchaseOrder => ({
  ...po,
  lines: po.lines.map((line) => {
    const cancelled = onOrderCancelledBy(line);
    return cancelled > onOrderReleasedBy(line) ? { ...line, onOrderReleased: [...(line.onOrderReleased ?? []), cancelled] } : line;
  }),
});

/**
 * The business key of a PO line's release step: `release|<po>|<line>` for its first, with the
 * cumulative quantity appended for any later one (a backorder cancelled, then the line closed short).
 */
export const purchaseOrderReleaseKey = (poNumber: string, lineNumber: number, step: number, cumulative: number): string =>
  step === 0 ? `release|${poNumber}|${lineNumber}` : `release|${poNumber}|${lineNumber}|${cumulative}`;

/**
 * Every release step the PO's lines recorded, as keyed movements. Applying all of them again is
 * harmless (each key moves stock once), which is how a crash between saving the PO and moving the
 * stock is finished by the retry.
 */
export const purchaseOrderOnOrderReleases = (po: PurchaseOrder): OnOrderRelease[] =>
  po.lines.flatMap((line) =>
    (line.onOrderReleased ?? []).map((cumulative, step, steps) => ({
      lineNumber: line.lineNumber,
      itemId: line.itemId,
      businessKey: purchaseOrderReleaseKey(po.poNumber, line.lineNumber, step, cumulative),
      quantity: sum([cumulative, -(step === 0 ? 0 : (steps[step - 1] ?? 0))]),
    })),
  );

/**
 * Base units a receipt of `baseQuantity` on `line` (the line with the receipt applied) takes off on
 * order: what the line still had on order before it — ordered, less received before, less released —
 * and never more than arrived. An over-receipt takes nothing off another order's quantity.
 *
 * @param receivedAfter base units the line had received once this receipt quantity was in (default
 *   the line's received quantity; less when later lines of the same receipt also went to this line).
 */
export const onOrderTakenByReceipt = (line: PurchaseOrderLine, baseQuantity: number, receivedAfter = line.receivedBaseQuantity): number => {
  const raised = onOrderRaisedBy(line);
  const receivedBefore = Math.max(0, sum([receivedAfter, -baseQuantity]));
  const open = sum([raised, -Math.min(raised, receivedBefore), -onOrderReleasedBy(line)]);
  return Math.max(0, Math.min(baseQuantity, open));
};

/**
 * What a rejected replenishment requisition gives back: each line's quantity in base units (what the
 * replenishment put on order), keyed `release|<requisitionId>|<line>`. None for a SaaS requisition
 * (it never raised on order) or one that is not rejected.
 *
 * @param baseFactor base units per requisition line unit; `undefined` when the unit does not convert
 *   (that line is left alone rather than guessed).
 */
export const requisitionOnOrderReleases = (
  requisition: Requisition,
  baseFactor: (itemId: string, uom: string) => number | undefined,
): OnOrderRelease[] => {
  if (requisition.source !== 'REPLENISHMENT' || requisition.status !== 'REJECTED') return [];
  return requisition.lines.flatMap((line) => {
    const factor = baseFactor(line.itemId, line.uom);
    if (factor === undefined) return [];
    return [
      {
        lineNumber: line.lineNumber,
        itemId: line.itemId,
        businessKey: `release|${requisition.requisitionId}|${line.lineNumber}`,
        quantity: product(line.quantity, factor, QUANTITY_PLACES),
      },
    ];
  });
};

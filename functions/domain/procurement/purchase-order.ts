/**
 * Purchase orders (pure): created from an approved requisition, then changed by what the supplier
 * and the dock say — the 855 acknowledgment (what is now expected per line), the 856 ship notice,
 * receipts (dock counts or confirmed ship notices) — until every line is received and invoiced
 * (or rejected) and the PO closes. Quantities on a line are in its purchasing unit (`uom`), except
 * the running received / invoiced / shipped totals, which are in base units.
 */
import type {
  MatchTolerances,
  PoAcknowledgment,
  PurchaseOrder,
  PurchaseOrderLine,
  MatchResult,
  Receipt,
  Requisition,
  ShipmentRecord,
  ShipNotice,
  X12ControlNumbers,
} from '../../../contracts/procurement';
import type { Facility, Item } from '../../../contracts/reference';
import { ConflictError, DataError } from '../errors';
import { compare, decimal, product, quotient, sum } from './decimal';
import { isPriceVariance } from './match';
import { findPoLine, gtin14, itemUomFactor, lineUomFactor, type UomConversions } from './units';

/** X12 BEG03 (purchase order number) holds at most 22 characters. */
export const PO_NUMBER_MAX_LENGTH = 22;

const QUANTITY_PLACES = 6;
const UNIT_PRICE_PLACES = 4;

/** How far along a PO is; a late document never moves it backwards. */
const STATUS_RANK: Record<PurchaseOrder['status'], number> = {
  CREATED: 0,
  ISSUED: 1,
  ACKNOWLEDGED: 2,
  SHIPPED: 3,
  PARTIALLY_RECEIVED: 4,
  RECEIVED: 5,
  INVOICED: 6,
  CLOSED: 7,
  REJECTED: 7,
};

const atLeast = (current: PurchaseOrder['status'], next: PurchaseOrder['status']): PurchaseOrder['status'] =>
  STATUS_RANK[next] > STATUS_RANK[current] ? next : current;

/**
 * The PO number for a facility's `sequence`-th order: `PO-<facility code>-<sequence, 8+ digits>`,
 * e.g. `poNumberFor(42, 'FAC-NMC')` = `PO-NMC-00000042`. The facility code is the facility id without
 * its `FAC-` prefix, letters and digits only, at most 8 characters. Deterministic, so a retried step
 * that allocated sequence 42 produces the same number.
 *
 * @throws DataError when the sequence is not a positive integer, the facility id has no usable code,
 *   or the number would exceed the 22 characters of BEG03.
 */
export const poNumberFor = (sequence: number, facilityId: string): string => {
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new DataError(`PO sequence must be a positive integer, got ${String(sequence)}`, { details: { sequence } });
  }
  const code = facilityId
    .toUpperCase()
    .replace(/^FAC-/, '')
    .replace(/[^A-Z0-9]/g, '')
    .slice(0, 8);
  if (code === '') throw new DataError(`facility id ${facilityId} gives no PO number prefix`, { details: { facilityId } });
  const poNumber = `PO-${code}-${String(sequence).padStart(8, '0')}`;
  if (poNumber.length > PO_NUMBER_MAX_LENGTH) {
    throw new DataError(`PO number ${poNumber} exceeds ${PO_NUMBER_MAX_LENGTH} characters`, { details: { sequence, facilityId } });
  }
  return poNumber;
};

/**
 * The PO for an approved requisition: one line per requisition line, in the same unit and at the same
 * price, described from the item master (supplier catalog number — else the manufacturer's, else the
 * item id — and GTIN-14), shipped to the facility's GLN. Status CREATED until the ERP has it.
 *
 * @throws ConflictError when the requisition is not approved (or was ordered on another PO).
 * @throws DataError for a PO number over 22 characters, another facility, or a line whose item is
 *   missing, has no GTIN or has no conversion for the line's unit.
 */
export const purchaseOrderFromRequisition = (
  req: Requisition,
  items: ReadonlyMap<string, Item>,
  facility: Facility,
  poNumber: string,
  now: Date,
): PurchaseOrder => {
  const reordered = req.status === 'ORDERED' && req.poNumber === poNumber;
  if (req.status !== 'APPROVED' && !reordered) {
    throw new ConflictError(`requisition ${req.requisitionId} is ${req.status}, not APPROVED`, {
      details: { requisitionId: req.requisitionId, status: req.status },
    });
  }
  if (poNumber.length === 0 || poNumber.length > PO_NUMBER_MAX_LENGTH) {
    throw new DataError(`PO number must have 1 to ${PO_NUMBER_MAX_LENGTH} characters`, { details: { poNumber } });
  }
  if (facility.facilityId !== req.facilityId) {
    throw new DataError(`requisition ${req.requisitionId} is for ${req.facilityId}, not ${facility.facilityId}`, {
      details: { requisitionId: req.requisitionId, facilityId: facility.facilityId },
    });
  }
  const lines = req.lines.map((line): PurchaseOrderLine => {
    const item = items.get(line.itemId);
    const details = { requisitionId: req.requisitionId, lineNumber: line.lineNumber, itemId: line.itemId };
    if (item === undefined) throw new DataError(`requisition line ${line.lineNumber}: unknown item ${line.itemId}`, { details });
    const gtin = gtin14(item.gtin);
    if (gtin === undefined) throw new DataError(`requisition line ${line.lineNumber}: item ${item.itemId} has no valid GTIN`, { details });
    const uomFactor = itemUomFactor(item, line.uom);
    if (uomFactor === undefined) {
      throw new DataError(`requisition line ${line.lineNumber}: item ${item.itemId} has no conversion for ${line.uom}`, { details });
    }
    return {
      lineNumber: line.lineNumber,
      itemId: item.itemId,
      description: item.description,
      supplierCatalogNumber: item.supplierCatalogNumber ?? item.manufacturerCatalogNumber ?? item.itemId,
      gtin,
      quantity: line.quantity,
      uom: line.uom,
      uomFactor,
      unitPrice: line.unitPrice,
      expectedQuantity: line.quantity,
      receivedBaseQuantity: 0,
      invoicedBaseQuantity: 0,
      status: 'OPEN',
    };
  });
  return {
    poNumber,
    requisitionId: req.requisitionId,
    supplierId: req.supplierId,
    facilityId: req.facilityId,
    locationId: req.locationId,
    costCenter: req.costCenter,
    shipToGln: facility.gln,
    orderDate: now.toISOString().slice(0, 10),
    currency: req.currency,
    lines,
    status: 'CREATED',
    correlationId: req.correlationId,
    createdAt: now.toISOString(),
  };
};

/**
 * The ERP accepted the PO (and the 850 went out): CREATED → ISSUED, keeping the ERP's id and the
 * outbound 850's control numbers. A later status is kept (a retried step must not regress it).
 */
export const markIssued = (po: PurchaseOrder, issued: { erpPoId?: string; x12?: X12ControlNumbers }): PurchaseOrder => ({
  ...po,
  ...(issued.erpPoId === undefined ? {} : { erpPoId: issued.erpPoId }),
  ...(issued.x12 === undefined ? {} : { x12: issued.x12 }),
  status: atLeast(po.status, 'ISSUED'),
});

const assertSameOrder = (po: PurchaseOrder, doc: { poNumber: string; supplierId: string }, kind: string): void => {
  if (doc.poNumber !== po.poNumber) {
    throw new DataError(`${kind} is for PO ${doc.poNumber}, not ${po.poNumber}`, { details: { poNumber: doc.poNumber } });
  }
  if (doc.supplierId !== po.supplierId) {
    throw new DataError(`${kind} for PO ${po.poNumber} comes from ${doc.supplierId}, not the PO's supplier`, {
      details: { poNumber: po.poNumber, supplierId: doc.supplierId },
    });
  }
};

const assertNotClosed = (po: PurchaseOrder, kind: string): void => {
  if (po.status === 'CLOSED') {
    throw new ConflictError(`PO ${po.poNumber} is closed: ${kind} not applied`, { details: { poNumber: po.poNumber } });
  }
};

/** BAK02 codes by which the supplier rejects the whole order. */
const WHOLE_ORDER_REJECTIONS = new Set(['RJ', 'RD']);

/** The summary of an 855 for people and events. */
export const acknowledgmentOutcome = (ack: PoAcknowledgment): 'ACCEPTED' | 'ACCEPTED_WITH_CHANGES' | 'REJECTED' => {
  if (WHOLE_ORDER_REJECTIONS.has(ack.ackType.toUpperCase())) return 'REJECTED';
  if (ack.ackType.toUpperCase() === 'AC' || ack.lines.some((l) => l.status !== 'ACCEPTED')) return 'ACCEPTED_WITH_CHANGES';
  return 'ACCEPTED';
};

type AckLine = PoAcknowledgment['lines'][number];

/** An ack quantity in the PO line's unit. */
const inLineUnit = (line: PurchaseOrderLine, quantity: number, factor: number): number =>
  factor === line.uomFactor ? quantity : quotient(product(quantity, factor, QUANTITY_PLACES), line.uomFactor, QUANTITY_PLACES);

/** The price tolerances an 855's price change is held to: the three-way match's, per supplier. */
export type AcknowledgmentPriceTolerances = Pick<MatchTolerances, 'unitPricePercent' | 'unitPriceAbsolute'>;

/** No tolerance: any price increase is held back (`applyAcknowledgment` without tolerances). */
const NO_PRICE_TOLERANCE: AcknowledgmentPriceTolerances = { unitPricePercent: 0, unitPriceAbsolute: 0 };

/** A price increase an 855 acknowledged beyond tolerance and the PO did not take; prices per the PO line's `uom`. */
export interface HeldPriceChange {
  lineNumber: number;
  itemId: string;
  uom: string;
  /** What HEM still expects to pay (the line's `unitPrice`, the contract price). */
  poUnitPrice: number;
  /** What the supplier acknowledged, converted to the line's unit (the line's `acknowledgedUnitPrice`). */
  acknowledgedUnitPrice: number;
}

/** An 855 applied to its PO. */
export interface AcknowledgmentApplication {
  purchaseOrder: PurchaseOrder;
  /** The lines whose price increase this 855 acknowledged beyond tolerance, in PO line order; empty when none. */
  heldPriceChanges: HeldPriceChange[];
}

const withoutHeldPrice = (line: PurchaseOrderLine): PurchaseOrderLine => {
  const { acknowledgedUnitPrice: _held, ...rest } = line;
  return rest;
};

/**
 * The price a CHANGED ack line sends, against the line's: taken when lower or within tolerance
 * (replacing a price held back by an earlier 855), held back beyond it.
 */
const priceAfterAck = (
  line: PurchaseOrderLine,
  entries: readonly { ack: AckLine; factor: number }[],
  tolerances: AcknowledgmentPriceTolerances,
): { line: PurchaseOrderLine; held?: HeldPriceChange } => {
  const changed = entries.find((e) => e.ack.status === 'CHANGED' && e.ack.unitPrice !== undefined);
  const sent = changed?.ack.unitPrice;
  // No price sent: the line keeps its price, and a price held back earlier stays on record.
  if (changed === undefined || sent === undefined) return { line };
  const inLineUnitPrice =
    changed.factor === line.uomFactor ? sent : quotient(product(sent, line.uomFactor, 12), changed.factor, UNIT_PRICE_PLACES);
  // Compared exactly, on the price as sent, the way the three-way match compares an invoice price, and
  // against the price ordered, not the last one taken: increases within tolerance must not compound.
  const orderedUnitPrice = line.orderedUnitPrice ?? line.unitPrice;
  if (!isPriceVariance(sent, changed.factor, { unitPrice: orderedUnitPrice, uomFactor: line.uomFactor }, tolerances)) {
    return { line: { ...withoutHeldPrice(line), unitPrice: inLineUnitPrice, orderedUnitPrice } };
  }
  return {
    line: { ...line, acknowledgedUnitPrice: inLineUnitPrice },
    held: { lineNumber: line.lineNumber, itemId: line.itemId, uom: line.uom, poUnitPrice: line.unitPrice, acknowledgedUnitPrice: inLineUnitPrice },
  };
};

const applyAckLines = (
  line: PurchaseOrderLine,
  entries: readonly { ack: AckLine; factor: number }[],
  tolerances: AcknowledgmentPriceTolerances,
): { line: PurchaseOrderLine; held?: HeldPriceChange } => {
  const statuses = new Set(entries.map((e) => e.ack.status));
  const scheduledDate =
    entries.find((e) => e.ack.status === 'BACKORDERED' && e.ack.scheduledDate !== undefined)?.ack.scheduledDate ??
    entries.find((e) => e.ack.scheduledDate !== undefined)?.ack.scheduledDate ??
    line.scheduledDate;
  const withDate = scheduledDate === undefined ? line : { ...line, scheduledDate };
  if (statuses.size === 1 && statuses.has('REJECTED')) {
    return { line: { ...withDate, expectedQuantity: 0, backorderedQuantity: 0, status: 'REJECTED' } };
  }
  if (statuses.size === 1 && statuses.has('ACCEPTED')) {
    // The supplier echoes the order: what was expected stays expected.
    return { line: { ...withDate, status: 'ACCEPTED' } };
  }
  const quantityOf = (wanted: readonly AckLine['status'][]): number =>
    sum(entries.filter((e) => wanted.includes(e.ack.status)).map((e) => inLineUnit(line, e.ack.quantity, e.factor)));
  const priced = priceAfterAck(withDate, entries, tolerances);
  return {
    line: {
      ...priced.line,
      expectedQuantity: quantityOf(['ACCEPTED', 'CHANGED']),
      backorderedQuantity: quantityOf(['BACKORDERED']),
      status: statuses.has('BACKORDERED') ? 'BACKORDERED' : 'CHANGED',
    },
    ...(priced.held === undefined ? {} : { held: priced.held }),
  };
};

/**
 * Apply the supplier's 855, holding its price increases to the supplier's tolerances. A whole-order
 * rejection (BAK02 RJ/RD) rejects every line and the PO. Otherwise, per PO line (an 855 may send
 * several ACK lines for one PO line, e.g. 6 accepted and 4 backordered):
 * - only ACCEPTED: the expected quantity stays;
 * - CHANGED: expected = the accepted/changed quantities; a unit price sent with it (the first one,
 *   converted to the line's unit) becomes the line's `unitPrice` when it is lower than the line's or
 *   higher within `tolerances` — the same rule as an invoice price in the three-way match
 *   (`isPriceVariance`: over either the percent or the absolute limit per unit sent). An increase beyond
 *   them is a contract price exception: the line keeps its price (what HEM expects to pay), records
 *   the supplier's in `acknowledgedUnitPrice`, and the application lists it in `heldPriceChanges`
 *   for a buyer; an invoice at that price is then a PRICE_VARIANCE for AP. The price is always
 *   compared with the price ordered (`orderedUnitPrice`, kept when a change is taken, else
 *   `unitPrice`), so re-applying an 855 holds (or takes) it again and increases cannot compound;
 * - BACKORDERED: expected = what was accepted alongside (0 for a pure backorder), the backordered
 *   quantity and the scheduled date are kept for when it ships;
 * - only REJECTED: expected 0, line REJECTED.
 * Quantities and prices in another unit than the line's are converted. PO lines the 855 does not
 * mention are accepted as ordered. The PO becomes ACKNOWLEDGED (REJECTED when every line is), unless
 * it has already moved further. Applying the same 855 twice gives the same PO and the same held changes.
 *
 * @throws DataError naming the ACK line that refers to a line the PO does not have, or a unit that
 *   does not convert; or when the 855 belongs to another PO or supplier.
 * @throws ConflictError when the PO is closed, or was rejected and the 855 is not that rejection again.
 */
export const acknowledgePurchaseOrder = (
  po: PurchaseOrder,
  ack: PoAcknowledgment,
  tolerances: AcknowledgmentPriceTolerances,
  conversions?: UomConversions,
): AcknowledgmentApplication => {
  assertSameOrder(po, ack, '855 acknowledgment');
  assertNotClosed(po, '855 acknowledgment');
  const wholeOrderRejected = WHOLE_ORDER_REJECTIONS.has(ack.ackType.toUpperCase());
  if (po.status === 'REJECTED') {
    // A resent rejection changes nothing; anything else after a rejection needs a new PO.
    if (wholeOrderRejected) return { purchaseOrder: po, heldPriceChanges: [] };
    throw new ConflictError(`PO ${po.poNumber} was rejected by the supplier: a new 855 cannot reopen it`, { details: { poNumber: po.poNumber } });
  }
  if (wholeOrderRejected) {
    return {
      purchaseOrder: {
        ...po,
        status: 'REJECTED',
        lines: po.lines.map((l) => ({ ...l, expectedQuantity: 0, backorderedQuantity: 0, status: 'REJECTED' })),
      },
      heldPriceChanges: [],
    };
  }
  const byLine = new Map<number, { ack: AckLine; factor: number }[]>();
  ack.lines.forEach((ackLine, index) => {
    const line = po.lines.find((l) => l.lineNumber === ackLine.lineNumber);
    if (line === undefined) {
      throw new DataError(`855 line ${ackLine.lineNumber} is not a line of PO ${po.poNumber}`, {
        location: `/lines/${index}/lineNumber`,
        details: { poNumber: po.poNumber, lineNumber: ackLine.lineNumber },
      });
    }
    // A rejected line's quantity means nothing, so neither does its unit.
    const factor = ackLine.status === 'REJECTED' ? line.uomFactor : lineUomFactor(line, ackLine.uom, conversions);
    if (factor === undefined) {
      throw new DataError(`855 line ${ackLine.lineNumber}: unit ${ackLine.uom} does not convert for item ${line.itemId}`, {
        location: `/lines/${index}/uom`,
        details: { poNumber: po.poNumber, lineNumber: ackLine.lineNumber, uom: ackLine.uom },
      });
    }
    byLine.set(line.lineNumber, [...(byLine.get(line.lineNumber) ?? []), { ack: ackLine, factor }]);
  });
  const applied = po.lines.map((line): { line: PurchaseOrderLine; held?: HeldPriceChange } => {
    const entries = byLine.get(line.lineNumber);
    if (entries !== undefined) return applyAckLines(line, entries, tolerances);
    return { line: line.status === 'OPEN' ? { ...line, status: 'ACCEPTED' } : line };
  });
  const lines = applied.map((a) => a.line);
  const allRejected = lines.every((l) => l.status === 'REJECTED');
  return {
    purchaseOrder: { ...po, lines, status: allRejected ? 'REJECTED' : atLeast(po.status, 'ACKNOWLEDGED') },
    heldPriceChanges: applied.flatMap((a) => (a.held === undefined ? [] : [a.held])),
  };
};

/**
 * Apply the supplier's 855 (see `acknowledgePurchaseOrder`) and return the PO. Without `tolerances`
 * no price increase is taken: any higher price the 855 sends is held back on the line.
 */
export const applyAcknowledgment = (
  po: PurchaseOrder,
  ack: PoAcknowledgment,
  conversions?: UomConversions,
  tolerances: AcknowledgmentPriceTolerances = NO_PRICE_TOLERANCE,
): PurchaseOrder => acknowledgePurchaseOrder(po, ack, tolerances, conversions).purchaseOrder;

/** A supplier document or receipt line resolved to its PO line, with its base quantity. */
export interface ResolvedLine {
  poLineNumber: number;
  itemId: string;
  quantity: number;
  uom: string;
  baseQuantity: number;
}

/** A ship notice applied to its PO. */
export interface ShipNoticeApplication {
  purchaseOrder: PurchaseOrder;
  /** false when this shipment id had been applied already: the PO is unchanged. */
  applied: boolean;
  lines: ResolvedLine[];
}

/**
 * `quantity` of `uom` on a PO line, resolved to the line's item in base units.
 * @throws DataError at `/lines/<index>/uom` when the unit does not convert for the item.
 */
const resolveLine = (
  line: PurchaseOrderLine,
  quantity: number,
  uom: string,
  conversions: UomConversions | undefined,
  at: { label: string; index: number; details: Record<string, unknown> },
): ResolvedLine => {
  const factor = lineUomFactor(line, uom, conversions);
  if (factor === undefined) {
    throw new DataError(`${at.label}: unit ${uom} does not convert for item ${line.itemId}`, { location: `/lines/${at.index}/uom`, details: at.details });
  }
  return { poLineNumber: line.lineNumber, itemId: line.itemId, quantity, uom, baseQuantity: product(quantity, factor, QUANTITY_PLACES) };
};

const resolveShipNoticeLines = (po: PurchaseOrder, asn: ShipNotice, conversions?: UomConversions): ResolvedLine[] =>
  asn.lines.map((asnLine, index) => {
    const line = findPoLine(po, asnLine);
    if (line === undefined) {
      const ref = asnLine.poLineNumber ?? asnLine.supplierCatalogNumber ?? asnLine.gtin ?? 'no reference';
      throw new DataError(`856 line ${index + 1} (${String(ref)}) matches no line of PO ${po.poNumber}`, {
        location: `/lines/${index}`,
        details: { poNumber: po.poNumber, shipmentId: asn.shipmentId },
      });
    }
    return resolveLine(line, asnLine.quantityShipped, asnLine.uom, conversions, {
      label: `856 line ${index + 1}`,
      index,
      details: { poNumber: po.poNumber, shipmentId: asn.shipmentId, uom: asnLine.uom },
    });
  });

const totalsByLine = (lines: readonly ResolvedLine[]): Map<number, number> => {
  const grouped = new Map<number, number[]>();
  for (const l of lines) grouped.set(l.poLineNumber, [...(grouped.get(l.poLineNumber) ?? []), l.baseQuantity]);
  return new Map([...grouped].map(([lineNumber, quantities]) => [lineNumber, sum(quantities)]));
};

/** Base units the supplier has committed to ship on the line (expected + still backordered). */
const committedBaseQuantity = (line: PurchaseOrderLine): number =>
  product(sum([line.expectedQuantity, line.backorderedQuantity ?? 0]), line.uomFactor, QUANTITY_PLACES);

/** Base units still to be received on the line (0 when complete, rejected or over-received). */
export const outstandingBaseQuantity = (line: PurchaseOrderLine): number => {
  const remaining = sum([committedBaseQuantity(line), -line.receivedBaseQuantity]);
  return remaining > 0 ? remaining : 0;
};

/**
 * Apply an 856: the PO is SHIPPED (unless it has moved further), each line's shipped base quantity
 * grows. Lines are found by PO line number, else supplier catalog number, else GTIN. When more ships
 * than was expected on a BACKORDERED line, the difference (up to the backordered quantity) comes off
 * the backorder and becomes expected again. The PO keeps what the shipment shipped (`shipments`), for
 * a receipt confirmed from it. A ship notice already applied (same shipment id) changes nothing.
 *
 * @throws DataError naming the 856 line that matches no PO line or whose unit does not convert, or
 *   when the 856 belongs to another PO or supplier.
 * @throws ConflictError when the PO is closed or was rejected.
 */
export const applyShipNotice = (po: PurchaseOrder, asn: ShipNotice, conversions?: UomConversions): ShipNoticeApplication => {
  assertSameOrder(po, asn, '856 ship notice');
  assertNotClosed(po, '856 ship notice');
  if (po.status === 'REJECTED') {
    throw new ConflictError(`PO ${po.poNumber} was rejected by the supplier: 856 ${asn.shipmentId} not applied`, {
      details: { poNumber: po.poNumber, shipmentId: asn.shipmentId },
    });
  }
  const lines = resolveShipNoticeLines(po, asn, conversions);
  if (po.shipNoticeIds?.includes(asn.shipmentId) === true) return { purchaseOrder: po, applied: false, lines };
  const shipped = totalsByLine(lines);
  const poLines = po.lines.map((line): PurchaseOrderLine => {
    const more = shipped.get(line.lineNumber);
    if (more === undefined) return line;
    const shippedBaseQuantity = sum([line.shippedBaseQuantity ?? 0, more]);
    const backordered = line.backorderedQuantity ?? 0;
    if (backordered === 0) return { ...line, shippedBaseQuantity };
    const expectedBase = product(line.expectedQuantity, line.uomFactor, QUANTITY_PLACES);
    const beyondExpected = quotient(sum([shippedBaseQuantity, -expectedBase]), line.uomFactor, QUANTITY_PLACES);
    const released = Math.min(backordered, Math.max(0, beyondExpected));
    const backorderedQuantity = sum([backordered, -released]);
    return {
      ...line,
      shippedBaseQuantity,
      expectedQuantity: sum([line.expectedQuantity, released]),
      backorderedQuantity,
      status: line.status === 'BACKORDERED' && backorderedQuantity === 0 ? 'ACCEPTED' : line.status,
    };
  });
  const shipment: ShipmentRecord = {
    shipmentId: asn.shipmentId,
    shippedAt: asn.shippedAt,
    lines: lines.map((l) => ({ poLineNumber: l.poLineNumber, quantity: l.quantity, uom: l.uom, baseQuantity: l.baseQuantity })),
  };
  return {
    purchaseOrder: {
      ...po,
      lines: poLines,
      status: atLeast(po.status, 'SHIPPED'),
      shipNoticeIds: [...(po.shipNoticeIds ?? []), asn.shipmentId],
      shipments: [...(po.shipments ?? []), shipment],
    },
    applied: true,
    lines,
  };
};

/**
 * The receipt an 856 stands for when the facility confirms ship notices instead of counting at the
 * dock: one receipt line per 856 line, in the unit shipped, to the PO's location.
 *
 * @throws DataError as `applyShipNotice` does for lines that match no PO line.
 */
export const receiptFromShipNotice = (
  po: PurchaseOrder,
  asn: ShipNotice,
  ids: { receiptId: string },
  now: Date,
  conversions?: UomConversions,
): Receipt => {
  assertSameOrder(po, asn, '856 ship notice');
  return {
    receiptId: ids.receiptId,
    poNumber: po.poNumber,
    facilityId: po.facilityId,
    locationId: po.locationId,
    receivedAt: now.toISOString(),
    source: 'ASN',
    lines: resolveShipNoticeLines(po, asn, conversions).map((l) => ({ poLineNumber: l.poLineNumber, quantity: l.quantity, uom: l.uom })),
  };
};

/** A receipt applied to its PO. */
export interface ReceiptApplication {
  purchaseOrder: PurchaseOrder;
  /** false when this receipt id had been applied already: the PO is unchanged. */
  applied: boolean;
  /** The receipt's lines in base units: what goes into inventory. */
  lines: ResolvedLine[];
}

/** Receiving options. */
export interface ReceiptOptions {
  /** Base units a line may be over-received by (beyond expected + backordered). Default 0. */
  overReceiptBaseUnits?: number;
}

const isLineComplete = (line: PurchaseOrderLine): boolean => outstandingBaseQuantity(line) === 0;

/**
 * Apply a receipt. Each receipt line converts to base units through the PO line's pack factor (a
 * receipt in the line's unit) or the item's conversions (e.g. 25 EA against a BX line). Receiving may
 * not exceed what the supplier committed to (expected + backordered) plus the over-receipt
 * tolerance. A line is RECEIVED when nothing is outstanding; the PO is RECEIVED when every line is,
 * PARTIALLY_RECEIVED otherwise. A receipt already applied (same receipt id) changes nothing, even
 * after the PO closed.
 *
 * @throws DataError naming the receipt line for an unknown PO line, a unit that does not convert, or
 *   an over-receipt; or when the receipt is for another PO or facility.
 * @throws ConflictError when the PO is closed (for a receipt it has not taken).
 */
export const applyReceipt = (
  po: PurchaseOrder,
  receipt: Receipt,
  conversions?: UomConversions,
  options: ReceiptOptions = {},
): ReceiptApplication => {
  if (receipt.poNumber !== po.poNumber) {
    throw new DataError(`receipt ${receipt.receiptId} is for PO ${receipt.poNumber}, not ${po.poNumber}`, {
      details: { receiptId: receipt.receiptId },
    });
  }
  if (receipt.facilityId !== po.facilityId) {
    throw new DataError(`receipt ${receipt.receiptId} was taken at ${receipt.facilityId}, PO ${po.poNumber} ships to ${po.facilityId}`, {
      details: { receiptId: receipt.receiptId, facilityId: receipt.facilityId },
    });
  }
  const lines = receipt.lines.map((receiptLine, index): ResolvedLine => {
    const line = po.lines.find((l) => l.lineNumber === receiptLine.poLineNumber);
    if (line === undefined) {
      throw new DataError(`receipt line ${index + 1}: PO ${po.poNumber} has no line ${receiptLine.poLineNumber}`, {
        location: `/lines/${index}/poLineNumber`,
        details: { receiptId: receipt.receiptId, poLineNumber: receiptLine.poLineNumber },
      });
    }
    return resolveLine(line, receiptLine.quantity, receiptLine.uom, conversions, {
      label: `receipt line ${index + 1}`,
      index,
      details: { receiptId: receipt.receiptId, poLineNumber: line.lineNumber, uom: receiptLine.uom },
    });
  });
  // A resend is harmless even once the PO has closed: the dock (or its integration) retries blindly.
  if (po.receiptIds?.includes(receipt.receiptId) === true) return { purchaseOrder: po, applied: false, lines };
  assertNotClosed(po, `receipt ${receipt.receiptId}`);
  const received = totalsByLine(lines);
  const tolerance = options.overReceiptBaseUnits ?? 0;
  const poLines = po.lines.map((line): PurchaseOrderLine => {
    const more = received.get(line.lineNumber);
    if (more === undefined) return line;
    const receivedBaseQuantity = sum([line.receivedBaseQuantity, more]);
    const limit = sum([committedBaseQuantity(line), tolerance]);
    if (compare(decimal(receivedBaseQuantity), decimal(limit)) > 0) {
      throw new DataError(
        `receipt ${receipt.receiptId}: PO ${po.poNumber} line ${line.lineNumber} would reach ${receivedBaseQuantity} base units received, ` +
          `more than the ${committedBaseQuantity(line)} expected plus ${tolerance} tolerance`,
        { details: { receiptId: receipt.receiptId, poLineNumber: line.lineNumber, receivedBaseQuantity, limit } },
      );
    }
    const updated = { ...line, receivedBaseQuantity };
    return isLineComplete(updated) && updated.status !== 'REJECTED' ? { ...updated, status: 'RECEIVED' } : updated;
  });
  const complete = poLines.every(isLineComplete);
  const status = po.status === 'INVOICED' ? po.status : complete ? 'RECEIVED' : 'PARTIALLY_RECEIVED';
  return {
    purchaseOrder: { ...po, lines: poLines, status, receiptIds: [...(po.receiptIds ?? []), receipt.receiptId] },
    applied: true,
    lines,
  };
};

/**
 * Base units invoiced per PO line by the MATCHED results (clerk-accepted variances included) of
 * this PO. A result listed twice for the same supplier + invoice number counts once.
 */
export const invoicedBaseByLine = (po: Pick<PurchaseOrder, 'poNumber'>, matchedInvoices: readonly MatchResult[]): Map<number, number> => {
  const latest = new Map<string, MatchResult>();
  for (const m of matchedInvoices) {
    if (m.status === 'MATCHED' && m.poNumber === po.poNumber) latest.set(`${m.supplierId}|${m.invoiceNumber}`, m);
  }
  const grouped = new Map<number, number[]>();
  for (const m of latest.values()) {
    for (const l of m.lines) {
      if (l.poLineNumber !== undefined) grouped.set(l.poLineNumber, [...(grouped.get(l.poLineNumber) ?? []), l.invoicedBaseQuantity]);
    }
  }
  return new Map([...grouped].map(([lineNumber, quantities]) => [lineNumber, sum(quantities)]));
};

const withInvoiced = (po: PurchaseOrder, matchedInvoices: readonly MatchResult[]): PurchaseOrderLine[] => {
  const invoiced = invoicedBaseByLine(po, matchedInvoices);
  return po.lines.map((l) => ({ ...l, invoicedBaseQuantity: invoiced.get(l.lineNumber) ?? 0 }));
};

const lineDone = (line: PurchaseOrderLine): boolean =>
  isLineComplete(line) && compare(decimal(line.invoicedBaseQuantity), decimal(line.receivedBaseQuantity)) >= 0;

/**
 * Can the PO close? Yes when every line has nothing left to receive (received what the supplier
 * committed, or rejected / changed to nothing) and is invoiced for at least what was received, by
 * the given matched invoices. A PO the supplier rejected as a whole can close at once.
 */
export const canClose = (po: PurchaseOrder, matchedInvoices: readonly MatchResult[]): boolean =>
  po.status !== 'CLOSED' && withInvoiced(po, matchedInvoices).every(lineDone);

/**
 * Bring the PO's invoiced totals up to date from its matched invoices (recomputed, so calling it
 * again with the same list changes nothing); the PO is INVOICED once every line is done.
 */
export const recordInvoiceMatches = (po: PurchaseOrder, matchedInvoices: readonly MatchResult[]): PurchaseOrder => {
  const lines = withInvoiced(po, matchedInvoices);
  const done = po.status !== 'REJECTED' && po.status !== 'CLOSED' && lines.every(lineDone);
  return { ...po, lines, status: done ? 'INVOICED' : po.status };
};

/**
 * Close the PO (every line CLOSED, rejected lines stay REJECTED). Closing a closed PO returns it.
 *
 * @throws ConflictError when a line still waits for goods or an invoice (see `canClose`).
 */
export const closePurchaseOrder = (po: PurchaseOrder, matchedInvoices: readonly MatchResult[], now: Date): PurchaseOrder => {
  if (po.status === 'CLOSED') return po;
  if (!canClose(po, matchedInvoices)) {
    const waiting = withInvoiced(po, matchedInvoices)
      .filter((l) => !lineDone(l))
      .map((l) => l.lineNumber);
    throw new ConflictError(`PO ${po.poNumber} cannot close: lines ${waiting.join(', ')} wait for goods or invoices`, {
      details: { poNumber: po.poNumber, lines: waiting },
    });
  }
  return {
    ...po,
    lines: withInvoiced(po, matchedInvoices).map((l) => (l.status === 'REJECTED' ? l : { ...l, status: 'CLOSED' })),
    status: 'CLOSED',
    closedAt: now.toISOString(),
  };
};

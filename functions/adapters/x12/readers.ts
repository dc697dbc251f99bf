/**
 * Readers from X12 transaction sets to HEM's canonical procurement model (contracts/procurement.ts):
 * 855 → PoAcknowledgment, 856 → ShipNotice (one per purchase order the shipment serves),
 * 810 → Invoice; plus 850 (what a supplier reads of HEM's own POs) and 997/999 (what a supplier
 * says of them).
 *
 * Readers never throw. Whatever they cannot map is a finding pointing at the segment (IK3) and
 * element (IK4) at fault, so the 999 names them and the set is rejected rather than half-applied.
 * Every canonical document is checked with its zod schema before it leaves.
 */
import { InvoiceSchema, PoAcknowledgmentSchema, ShipNoticeSchema } from '../../../contracts/procurement';
import { postingAmount } from '../../domain/costing';
import type { ZodType } from 'zod';
import type { Invoice, PoAcknowledgment, ShipNotice, X12ControlNumbers } from '../../../contracts/procurement';
import { ElementError, SegmentError, SetError } from './codes';
import { x12DateToIso } from './datetime';
import { setSpec } from './dictionary';
import { numberAt, textAt } from './parser';
import type { X12Delimiters, X12Finding, X12Segment, X12TransactionSet } from './types';
import { elementFinding, loopIdsOf, safeCopy, segmentFinding } from './validate';

/** What a reader needs besides the set: who sent it and under which control numbers. */
export interface X12ReadContext {
  /** HEM's supplier id for the interchange sender (from `resolveSupplier`). */
  supplierId: string;
  /** The envelope's control numbers, copied into every document (the resend guard). */
  control: X12ControlNumbers;
  delimiters: X12Delimiters;
}

/** A reader's outcome: the documents when the set maps, and findings (errors mean: reject the set). */
export interface X12ReadResult<T> {
  documents: T[];
  findings: X12Finding[];
}

/** ACK01 line item status (668) → canonical line status. Codes per the X12 code list, not guessed. */
export const LINE_STATUS: Readonly<Record<string, PoAcknowledgment['lines'][number]['status']>> = {
  IA: 'ACCEPTED', // Item Accepted
  AC: 'ACCEPTED', // Item Accepted and Shipped
  AR: 'ACCEPTED', // Item Accepted and Released for Shipment
  AA: 'ACCEPTED', // Item Accepted - Order Forwarded to Alternate Supplier Location
  IE: 'ACCEPTED', // Item Accepted, Price Pending
  SP: 'ACCEPTED', // Item Accepted - Schedule Date Pending
  IC: 'CHANGED', // Item Accepted - Changes Made
  IP: 'CHANGED', // Item Accepted - Price Changed
  IQ: 'CHANGED', // Item Accepted - Quantity Changed
  IS: 'CHANGED', // Item Accepted - Substitution Made
  DR: 'CHANGED', // Item Accepted - Date Rescheduled
  IB: 'BACKORDERED', // Item Backordered
  BP: 'BACKORDERED', // Item Accepted - Partial Shipment, Balance Backordered
  IH: 'BACKORDERED', // Item on Hold
  IF: 'BACKORDERED', // Item on Hold, Incomplete Description
  IW: 'BACKORDERED', // Item on Hold - Waiver Required
  IR: 'REJECTED', // Item Rejected
  ID: 'REJECTED', // Item Deleted
  R1: 'REJECTED', // Item Rejected, Not a Contract Item
  R2: 'REJECTED', // Item Rejected, Invalid Item Product Number
  R3: 'REJECTED', // Item Rejected, Invalid Unit of Issue
  R4: 'REJECTED', // Item Rejected, Contract Item not Available
  R5: 'REJECTED', // Item Rejected, Reorder Item as a Just in Time (JIT) Order
  R6: 'REJECTED', // Item Rejected, Reorder Item as an Extended Delivery Order (EDO)
  R7: 'REJECTED', // Item Rejected, Reorder Item as a Drop Shipment
  R8: 'REJECTED', // Item Rejected, Reorder Item as a Surge Order
};

/** BAK02 codes that reject the whole order (lines without ACK are then rejected). */
const REJECTING_ACK_TYPES = new Set(['RD', 'RJ', 'RF', 'RO', 'RV', 'RN']);

/** Product id qualifiers (235) HEM reads from PO1/LIN/IT1 pairs. */
export interface ProductIds {
  /** VN vendor's item number, else VP vendor's part number. */
  supplierCatalogNumber?: string;
  /** GTIN-14: UK as sent; EN (GTIN-13) and UP (UPC-A) left-padded with zeros. */
  gtin?: string;
  /** IN buyer's item number (HEM's item id on its own 850s). */
  buyerItemId?: string;
  /** PL purchaser's order line number. */
  poLineNumber?: number;
}

/** Reads the qualifier/id pairs of a segment from element `first` on. */
export const productIds = (segment: X12Segment, first: number): ProductIds => {
  const ids: Record<string, string> = {};
  for (let p = first; p + 1 <= segment.elements.length; p += 2) {
    const qualifier = textAt(segment, p);
    const value = textAt(segment, p + 1);
    if (qualifier !== undefined && value !== undefined && ids[qualifier] === undefined) ids[qualifier] = value;
  }
  const catalog = ids['VN'] ?? ids['VP'];
  const gtin = normalizeGtin(ids['UK'], 14) ?? normalizeGtin(ids['EN'], 13) ?? normalizeGtin(ids['UP'], 12);
  const pl = positiveInteger(ids['PL']);
  return {
    ...(catalog === undefined ? {} : { supplierCatalogNumber: catalog }),
    ...(gtin === undefined ? {} : { gtin }),
    ...(ids['IN'] === undefined ? {} : { buyerItemId: ids['IN'] }),
    ...(pl === undefined ? {} : { poLineNumber: pl }),
  };
};

const normalizeGtin = (value: string | undefined, length: number): string | undefined =>
  value !== undefined && new RegExp(`^\\d{${length}}$`).test(value) ? value.padStart(14, '0') : undefined;

const positiveInteger = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\d{1,9}$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return n >= 1 ? n : undefined;
};

/** Shared plumbing of the readers: loop ids by position and finding builders bound to the set. */
class SetReader {
  readonly findings: X12Finding[] = [];
  private readonly loops: (string | undefined)[];

  constructor(
    readonly set: X12TransactionSet,
    readonly delimiters: X12Delimiters,
  ) {
    const spec = setSpec(set.id);
    this.loops = spec === undefined ? [] : loopIdsOf(set, spec);
  }

  loopOf(segment: X12Segment): string | undefined {
    return segment.positionInSet === undefined ? undefined : this.loops[segment.positionInSet - 1];
  }

  first(id: string): X12Segment | undefined {
    return this.set.segments.find((s) => s.id === id);
  }

  /** An element the mapping needs: reports IK4 code 1 when blank. */
  required(segment: X12Segment, position: number, reference: number, what: string): string | undefined {
    const value = textAt(segment, position);
    if (value === undefined) {
      this.findings.push(elementFinding(segment, this.loopOf(segment), position, reference, ElementError.MandatoryMissing, `${what} (${segment.id}${pad(position)}) is missing`));
    }
    return value;
  }

  /** A date element: ISO date, or IK4 code 8 when present but not a date. */
  date(segment: X12Segment, position: number, what: string, mandatory: boolean): string | undefined {
    const value = mandatory ? this.required(segment, position, 373, what) : textAt(segment, position);
    if (value === undefined) return undefined;
    const iso = x12DateToIso(value);
    if (iso === undefined) {
      this.findings.push(elementFinding(segment, this.loopOf(segment), position, 373, ElementError.InvalidDate, `${what} (${segment.id}${pad(position)}) is not a date`, safeCopy(value, this.delimiters, 8)));
    }
    return iso;
  }

  /** A number element: IK4 code 6 when present but not a number, code 1 when mandatory and blank. */
  number(segment: X12Segment, position: number, reference: number, what: string, options: { mandatory?: boolean; impliedDecimals?: number; min?: number } = {}): number | undefined {
    const raw = options.mandatory === true ? this.required(segment, position, reference, what) : textAt(segment, position);
    if (raw === undefined) return undefined;
    const value = numberAt(segment, position, options.impliedDecimals ?? 0);
    if (value === undefined || (options.min !== undefined && value < options.min)) {
      this.findings.push(
        elementFinding(segment, this.loopOf(segment), position, reference, ElementError.InvalidCharacter, `${what} (${segment.id}${pad(position)}) is not a valid amount`, safeCopy(raw, this.delimiters, 18)),
      );
      return undefined;
    }
    return value;
  }

  missingSegment(id: string, after: X12Segment | undefined, what: string): void {
    const position = after?.positionInSet === undefined ? undefined : after.positionInSet + 1;
    this.findings.push(segmentFinding(id, position, after === undefined ? undefined : this.loopOf(after), SegmentError.MandatoryMissing, `${what}: ${id} is missing`));
  }

  warn(segment: X12Segment, message: string): void {
    this.findings.push({ ...segmentFinding(segment.id, segment.positionInSet, this.loopOf(segment), SegmentError.HasElementErrors, message, segment), severity: 'warning' });
  }

  /** Checks a document with its schema; a failure (a reader bug, not a supplier error) rejects the set. */
  checked<T>(schema: ZodType<T>, doc: unknown): T | undefined {
    const result = schema.safeParse(doc);
    if (result.success) return result.data;
    const paths = result.error.issues.map((i) => i.path.map(String).join('.')).join(', ');
    this.findings.push({ level: 'set', severity: 'error', code: SetError.SegmentsInError, message: `document does not fit the canonical model at ${paths}` });
    return undefined;
  }

  hasErrors(): boolean {
    return this.findings.some((f) => f.severity === 'error');
  }
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * 855 Purchase Order Acknowledgment → {@link PoAcknowledgment}. BAK03 PO number, BAK02 ack type,
 * BAK04 date; one line per ACK of each PO1 loop (ACK01 status, ACK02/03 quantity and unit, ACK05
 * when ACK04 is 068 current schedule ship). A PO1 without ACK takes its status from BAK02.
 */
export const read855 = (set: X12TransactionSet, context: X12ReadContext): X12ReadResult<PoAcknowledgment> => {
  const r = new SetReader(set, context.delimiters);
  const bak = r.first('BAK');
  if (bak === undefined) {
    r.missingSegment('BAK', set.header, 'an 855 starts with BAK');
    return { documents: [], findings: r.findings };
  }
  const ackType = r.required(bak, 2, 587, 'acknowledgment type');
  const poNumber = r.required(bak, 3, 324, 'purchase order number');
  const acknowledgedAt = r.date(bak, 4, 'acknowledgment date', true);
  const orderRejected = ackType !== undefined && REJECTING_ACK_TYPES.has(ackType);
  const lines: PoAcknowledgment['lines'] = [];
  let po1: X12Segment | undefined;
  let acks: X12Segment[] = [];
  let ordinal = 0;
  const flush = (): void => {
    if (po1 === undefined) return;
    const line = po1;
    ordinal += 1;
    let lineNumber = positiveInteger(textAt(line, 1));
    if (lineNumber === undefined) {
      lineNumber = ordinal;
      r.warn(line, `PO101 is not a line number; line ${ordinal} assumed by order`);
    }
    const orderedQuantity = r.number(line, 2, 330, 'quantity ordered', { min: 0 });
    const orderedUom = textAt(line, 3);
    const unitPrice = r.number(line, 4, 212, 'unit price', { min: 0 });
    const price = unitPrice === undefined ? {} : { unitPrice };
    if (acks.length === 0) {
      const quantity = orderedQuantity ?? (textAt(line, 2) === undefined ? r.number(line, 2, 330, 'quantity ordered', { mandatory: true }) : undefined);
      const uom = orderedUom ?? r.required(line, 3, 355, 'unit of measure');
      if (quantity !== undefined && uom !== undefined) {
        lines.push({ lineNumber, status: orderRejected ? 'REJECTED' : 'ACCEPTED', statusCode: orderRejected ? 'IR' : 'IA', quantity, uom, ...price });
      }
    }
    for (const ack of acks) {
      const statusCode = r.required(ack, 1, 668, 'line item status');
      const status = statusCode === undefined ? undefined : LINE_STATUS[statusCode];
      if (statusCode !== undefined && status === undefined) {
        r.findings.push(elementFinding(ack, r.loopOf(ack), 1, 668, ElementError.InvalidCode, 'ACK01 is not a line item status code HEM knows', safeCopy(statusCode, context.delimiters, 2)));
      }
      const quantity = r.number(ack, 2, 380, 'acknowledged quantity', { min: 0 }) ?? orderedQuantity;
      const uom = textAt(ack, 3) ?? orderedUom;
      if (quantity === undefined) r.findings.push(elementFinding(ack, r.loopOf(ack), 2, 380, ElementError.MandatoryMissing, 'neither ACK02 nor PO102 gives a quantity'));
      if (uom === undefined) r.findings.push(elementFinding(ack, r.loopOf(ack), 3, 355, ElementError.MandatoryMissing, 'neither ACK03 nor PO103 gives a unit of measure'));
      const scheduledDate = textAt(ack, 4) === '068' ? r.date(ack, 5, 'current schedule ship date', true) : undefined;
      if (status !== undefined && statusCode !== undefined && quantity !== undefined && uom !== undefined) {
        lines.push({ lineNumber, status, statusCode, quantity, uom, ...price, ...(scheduledDate === undefined ? {} : { scheduledDate }) });
      }
    }
  };
  for (const segment of set.segments) {
    if (segment.id === 'PO1') {
      flush();
      po1 = segment;
      acks = [];
    } else if (segment.id === 'ACK') {
      if (po1 === undefined) {
        r.findings.push(segmentFinding('ACK', segment.positionInSet, r.loopOf(segment), SegmentError.Unexpected, 'ACK outside a PO1 loop', segment));
      } else acks.push(segment);
    } else if (segment.id === 'CTT') {
      flush();
      po1 = undefined;
    }
  }
  flush();
  if (r.hasErrors() || poNumber === undefined || ackType === undefined || acknowledgedAt === undefined) return { documents: [], findings: r.findings };
  const doc = r.checked<PoAcknowledgment>(PoAcknowledgmentSchema, {
    poNumber,
    supplierId: context.supplierId,
    ackType,
    acknowledgedAt,
    lines,
    control: context.control,
  });
  return { documents: doc === undefined ? [] : [doc], findings: r.findings };
};

interface HlNode {
  segment: X12Segment;
  id: string;
  parent?: string;
  level: string;
  segments: X12Segment[];
}

/**
 * 856 Ship Notice/Manifest → {@link ShipNotice}s, one per purchase order (PRF01 of each O level).
 * BSN02 shipment id; shipped date DTM*011 when sent, else BSN03; DTM*017/067 expected delivery.
 * Items (HL level I, under their O level through any P/T levels): LIN pairs VN/VP/UK/EN/UP/PL,
 * LIN01 PO line; SN1 quantity and unit; REF*LT lot and DTM*036 expiry on the item or on lot
 * levels below it (one line per lot level that carries its own SN1).
 */
export const read856 = (set: X12TransactionSet, context: X12ReadContext): X12ReadResult<ShipNotice> => {
  const r = new SetReader(set, context.delimiters);
  const bsn = r.first('BSN');
  if (bsn === undefined) {
    r.missingSegment('BSN', set.header, 'an 856 starts with BSN');
    return { documents: [], findings: r.findings };
  }
  const shipmentId = r.required(bsn, 2, 396, 'shipment id');
  const bsnDate = r.date(bsn, 3, 'ship notice date', true);

  const nodes: HlNode[] = [];
  const header: X12Segment[] = [];
  for (const segment of set.segments) {
    if (segment.id === 'HL') {
      const id = textAt(segment, 1) ?? `#${nodes.length + 1}`;
      const parent = textAt(segment, 2);
      nodes.push({ segment, id, level: textAt(segment, 3) ?? '', segments: [], ...(parent === undefined ? {} : { parent }) });
    } else if (nodes.length > 0) (nodes[nodes.length - 1] as HlNode).segments.push(segment);
    else header.push(segment);
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const node of nodes) {
    if (node.parent !== undefined && !byId.has(node.parent)) {
      r.findings.push(elementFinding(node.segment, r.loopOf(node.segment), 2, 734, ElementError.InvalidCode, 'HL02 names no earlier HL', safeCopy(node.parent, context.delimiters, 12)));
    }
  }
  const ancestors = (node: HlNode): HlNode[] => {
    const chain: HlNode[] = [];
    const seen = new Set<string>([node.id]);
    let current = node.parent === undefined ? undefined : byId.get(node.parent);
    while (current !== undefined && !seen.has(current.id)) {
      chain.push(current);
      seen.add(current.id);
      current = current.parent === undefined ? undefined : byId.get(current.parent);
    }
    return chain;
  };
  const dtm = (segments: X12Segment[], qualifier: string, what: string): string | undefined => {
    const found = segments.find((s) => s.id === 'DTM' && textAt(s, 1) === qualifier);
    return found === undefined ? undefined : r.date(found, 2, what, true);
  };
  const shipmentLevel = [...header, ...nodes.filter((n) => n.level === 'S').flatMap((n) => n.segments)];
  const shippedAt = dtm(shipmentLevel, '011', 'shipped date') ?? bsnDate;
  const expectedDeliveryAt = dtm(shipmentLevel, '017', 'estimated delivery date') ?? dtm(shipmentLevel, '067', 'current schedule delivery date');

  const orders = nodes.filter((n) => n.level === 'O');
  const poOf = new Map<string, string>();
  for (const order of orders) {
    const prf = order.segments.find((s) => s.id === 'PRF');
    if (prf === undefined) r.missingSegment('PRF', order.segment, 'an order level names its purchase order');
    else {
      const po = r.required(prf, 1, 324, 'purchase order number');
      if (po !== undefined) poOf.set(order.id, po);
    }
  }
  const setWidePrf = set.segments.find((s) => s.id === 'PRF');
  const fallbackPo = orders.length === 0 && setWidePrf !== undefined ? textAt(setWidePrf, 1) : undefined;

  const lines = new Map<string, ShipNotice['lines']>();
  const items = nodes.filter((n) => n.level === 'I');
  for (const item of items) {
    const order = ancestors(item).find((a) => a.level === 'O');
    const po = order === undefined ? (fallbackPo ?? (orders.length === 1 ? poOf.get((orders[0] as HlNode).id) : undefined)) : poOf.get(order.id);
    if (po === undefined && order === undefined) {
      r.findings.push(segmentFinding('PRF', item.segment.positionInSet, r.loopOf(item.segment), SegmentError.MandatoryMissing, `item level ${item.id} is under no order level with a PRF`, item.segment));
      continue;
    }
    const lin = item.segments.find((s) => s.id === 'LIN');
    const ids = lin === undefined ? {} : productIds(lin, 2);
    const poLineNumber = (lin === undefined ? undefined : positiveInteger(textAt(lin, 1))) ?? ids.poLineNumber;
    const lotLevels = nodes.filter((n) => n.level !== 'I' && n.segments.some((s) => s.id === 'SN1') && ancestors(n).includes(item));
    const carriers = lotLevels.length > 0 ? lotLevels : [item];
    for (const carrier of carriers) {
      const sn1 = carrier.segments.find((s) => s.id === 'SN1');
      if (sn1 === undefined) {
        r.missingSegment('SN1', lin ?? carrier.segment, `item level ${carrier.id} says how many units shipped`);
        continue;
      }
      const quantity = r.number(sn1, 2, 382, 'units shipped', { mandatory: true, min: 0 });
      const uom = r.required(sn1, 3, 355, 'unit of measure');
      if (quantity === undefined || uom === undefined) continue;
      if (quantity === 0) {
        r.warn(sn1, 'SN102 is zero: nothing shipped for this item, no line');
        continue;
      }
      const scope = carrier === item ? item.segments : [...carrier.segments, ...item.segments];
      const lotRef = scope.find((s) => s.id === 'REF' && textAt(s, 1) === 'LT');
      const lot = lotRef === undefined ? undefined : textAt(lotRef, 2);
      const expiresOn = dtm(scope, '036', 'expiration date');
      const line: ShipNotice['lines'][number] = {
        quantityShipped: quantity,
        uom,
        ...(poLineNumber === undefined ? {} : { poLineNumber }),
        ...(ids.supplierCatalogNumber === undefined ? {} : { supplierCatalogNumber: ids.supplierCatalogNumber }),
        ...(ids.gtin === undefined ? {} : { gtin: ids.gtin }),
        ...(lot === undefined ? {} : { lot }),
        ...(expiresOn === undefined ? {} : { expiresOn }),
      };
      const key = po ?? '';
      lines.set(key, [...(lines.get(key) ?? []), line]);
    }
  }
  for (const po of poOf.values()) if (!lines.has(po)) lines.set(po, []);
  if (fallbackPo !== undefined && !lines.has(fallbackPo)) lines.set(fallbackPo, []);
  if (lines.size === 0 && !r.hasErrors()) {
    r.missingSegment('PRF', set.header, 'a ship notice names the purchase order it ships');
  }
  if (r.hasErrors() || shipmentId === undefined || shippedAt === undefined) return { documents: [], findings: r.findings };
  const documents: ShipNotice[] = [];
  for (const [poNumber, poLines] of lines) {
    const doc = r.checked<ShipNotice>(ShipNoticeSchema, {
      shipmentId,
      poNumber,
      supplierId: context.supplierId,
      shippedAt,
      ...(expectedDeliveryAt === undefined ? {} : { expectedDeliveryAt }),
      lines: poLines,
      control: context.control,
    });
    if (doc !== undefined) documents.push(doc);
  }
  return { documents: r.hasErrors() ? [] : documents, findings: r.findings };
};

/** SAC02 service/promotion/allowance/charge codes (1300) with a canonical charge type of their own. */
const CHARGE_TYPES: Readonly<Record<string, Invoice['charges'][number]['type']>> = {
  D240: 'FREIGHT', // Freight
  D242: 'FREIGHT', // Freight, Based on Dollar Amount
  D500: 'FEE', // Handling
  H850: 'TAX', // Tax
  H770: 'TAX', // Tax - State Tax
  H650: 'TAX', // Tax - Local Tax
  C310: 'DISCOUNT', // Discount
  F800: 'OTHER', // Promotional allowance
};

/**
 * 810 Invoice → {@link Invoice}. BIG01 invoice date, BIG02 invoice number, BIG04 PO number;
 * CUR02 currency (USD when absent); IT1 lines (IT101 PO line when it is a number — it may be
 * blank — IT102 quantity, IT103 unit, IT104 unit price, IT106… pairs VN/VP/UK/EN/UP);
 * SAC charges and allowances (SAC05, 2 implied decimals; allowances negative) and TXI taxes
 * (TXI02) at any level; TDS01 total (2 implied decimals).
 */
export const read810 = (set: X12TransactionSet, context: X12ReadContext): X12ReadResult<Invoice> => {
  const r = new SetReader(set, context.delimiters);
  const big = r.first('BIG');
  if (big === undefined) {
    r.missingSegment('BIG', set.header, 'an 810 starts with BIG');
    return { documents: [], findings: r.findings };
  }
  const invoiceDate = r.date(big, 1, 'invoice date', true);
  const invoiceNumber = r.required(big, 2, 76, 'invoice number');
  const poNumber = textAt(big, 4);
  const cur = set.segments.find((s) => s.id === 'CUR');
  const currency = (cur === undefined ? undefined : textAt(cur, 2)) ?? 'USD';
  const lines: Invoice['lines'] = [];
  const charges: Invoice['charges'] = [];
  for (const segment of set.segments) {
    if (segment.id === 'IT1') {
      const quantity = r.number(segment, 2, 358, 'quantity invoiced', { mandatory: true });
      const uom = r.required(segment, 3, 355, 'unit of measure');
      const unitPrice = r.number(segment, 4, 212, 'unit price', { mandatory: true });
      const ids = productIds(segment, 6);
      const poLineNumber = positiveInteger(textAt(segment, 1)) ?? ids.poLineNumber;
      if (quantity === undefined || uom === undefined || unitPrice === undefined) continue;
      lines.push({
        lineNumber: lines.length + 1,
        quantity,
        uom,
        unitPrice,
        // Exact decimal product, half away from zero: the very amount the three-way match expects
        // (a float product rounds 1 × 4.145 to 4.14 and raised a false TOTAL_MISMATCH).
        amount: postingAmount(quantity, unitPrice),
        ...(poLineNumber === undefined ? {} : { poLineNumber }),
        ...(ids.supplierCatalogNumber === undefined ? {} : { supplierCatalogNumber: ids.supplierCatalogNumber }),
        ...(ids.gtin === undefined ? {} : { gtin: ids.gtin }),
      });
    } else if (segment.id === 'SAC') {
      const indicator = textAt(segment, 1);
      if (indicator !== 'A' && indicator !== 'C') continue;
      const amount = r.number(segment, 5, 610, 'allowance or charge amount', { impliedDecimals: 2 });
      const code = textAt(segment, 2);
      if (amount === undefined) {
        r.warn(segment, 'SAC without an amount (SAC05) is not a charge HEM can post');
        continue;
      }
      const type = indicator === 'A' ? 'DISCOUNT' : ((code === undefined ? undefined : CHARGE_TYPES[code]) ?? 'FEE');
      charges.push({ type, amount: indicator === 'A' ? -Math.abs(amount) : amount, ...(code === undefined ? {} : { code }) });
    } else if (segment.id === 'TXI') {
      const amount = r.number(segment, 2, 782, 'tax amount');
      const code = textAt(segment, 1);
      if (amount !== undefined) charges.push({ type: 'TAX', amount, ...(code === undefined ? {} : { code }) });
    }
  }
  const tds = r.first('TDS');
  if (tds === undefined) r.missingSegment('TDS', set.trailer ?? set.segments[set.segments.length - 1], 'an 810 states its total in TDS');
  const totalAmount = tds === undefined ? undefined : r.number(tds, 1, 610, 'total invoice amount', { mandatory: true, impliedDecimals: 2 });
  if (r.hasErrors() || invoiceDate === undefined || invoiceNumber === undefined || totalAmount === undefined) return { documents: [], findings: r.findings };
  const doc = r.checked<Invoice>(InvoiceSchema, {
    invoiceNumber,
    supplierId: context.supplierId,
    ...(poNumber === undefined ? {} : { poNumber }),
    invoiceDate,
    currency,
    lines,
    charges,
    totalAmount,
    control: context.control,
  });
  return { documents: doc === undefined ? [] : [doc], findings: r.findings };
};

/** An 850 as a supplier reads it: what HEM ordered (the supplier simulator and round-trip tests use it). */
export interface PurchaseOrder850 {
  poNumber: string;
  /** BEG01 purpose (00 original) and BEG02 type (SA stand-alone). */
  purpose: string;
  orderType: string;
  orderDate: string;
  currency: string;
  /** REF*DP department / cost center. */
  costCenter?: string;
  /** N1*ST / N1*BT / N1*SE party ids by qualifier (`UL` GLN, `1` DUNS). */
  parties: { entity: string; name?: string; qualifier?: string; id?: string }[];
  lines: {
    lineNumber: string;
    quantity: number;
    uom: string;
    unitPrice: number;
    supplierCatalogNumber?: string;
    gtin?: string;
    buyerItemId?: string;
    description?: string;
  }[];
  /** CTT01 and CTT02 as sent. */
  lineCount?: number;
  hashTotal?: number;
}

/** 850 → {@link PurchaseOrder850}; findings name what is missing (never throws). */
export const read850 = (set: X12TransactionSet, delimiters: X12Delimiters): X12ReadResult<PurchaseOrder850> => {
  const r = new SetReader(set, delimiters);
  const beg = r.first('BEG');
  if (beg === undefined) {
    r.missingSegment('BEG', set.header, 'an 850 starts with BEG');
    return { documents: [], findings: r.findings };
  }
  const poNumber = r.required(beg, 3, 324, 'purchase order number');
  const orderDate = r.date(beg, 5, 'order date', true);
  const cur = r.first('CUR');
  const dp = set.segments.find((s) => s.id === 'REF' && textAt(s, 1) === 'DP');
  const costCenter = dp === undefined ? undefined : textAt(dp, 2);
  const parties: PurchaseOrder850['parties'] = set.segments
    .filter((s) => s.id === 'N1')
    .map((s) => {
      const name = textAt(s, 2);
      const qualifier = textAt(s, 3);
      const id = textAt(s, 4);
      return { entity: textAt(s, 1) ?? '', ...(name === undefined ? {} : { name }), ...(qualifier === undefined ? {} : { qualifier }), ...(id === undefined ? {} : { id }) };
    });
  const lines: PurchaseOrder850['lines'] = [];
  for (const segment of set.segments) {
    if (segment.id === 'PO1') {
      const quantity = r.number(segment, 2, 330, 'quantity ordered', { mandatory: true });
      const uom = r.required(segment, 3, 355, 'unit of measure');
      const unitPrice = r.number(segment, 4, 212, 'unit price', { mandatory: true });
      const ids = productIds(segment, 6);
      if (quantity === undefined || uom === undefined || unitPrice === undefined) continue;
      lines.push({
        lineNumber: textAt(segment, 1) ?? String(lines.length + 1),
        quantity,
        uom,
        unitPrice,
        ...(ids.supplierCatalogNumber === undefined ? {} : { supplierCatalogNumber: ids.supplierCatalogNumber }),
        ...(ids.gtin === undefined ? {} : { gtin: ids.gtin }),
        ...(ids.buyerItemId === undefined ? {} : { buyerItemId: ids.buyerItemId }),
      });
    } else if (segment.id === 'PID' && lines.length > 0 && textAt(segment, 1) === 'F') {
      const description = textAt(segment, 5);
      if (description !== undefined) (lines[lines.length - 1] as PurchaseOrder850['lines'][number]).description = description;
    }
  }
  const ctt = r.first('CTT');
  const lineCount = ctt === undefined ? undefined : numberAt(ctt, 1);
  const hashTotal = ctt === undefined ? undefined : numberAt(ctt, 2);
  if (r.hasErrors() || poNumber === undefined || orderDate === undefined) return { documents: [], findings: r.findings };
  return {
    documents: [
      {
        poNumber,
        purpose: textAt(beg, 1) ?? '',
        orderType: textAt(beg, 2) ?? '',
        orderDate,
        currency: (cur === undefined ? undefined : textAt(cur, 2)) ?? 'USD',
        ...(costCenter === undefined ? {} : { costCenter }),
        parties,
        lines,
        ...(lineCount === undefined ? {} : { lineCount }),
        ...(hashTotal === undefined ? {} : { hashTotal }),
      },
    ],
    findings: r.findings,
  };
};

/** What a partner's 997 or 999 says about one of HEM's groups (e.g. its 850s). */
export interface FunctionalAckSummary {
  /** 997 or 999. */
  type: string;
  /** AK101/AK102: the functional id and control number of the acknowledged group. */
  functionalId: string;
  groupControlNumber: string;
  /** AK901: A accepted, E accepted with errors, P partially accepted, R rejected. */
  groupStatus: string;
  groupErrors: string[];
  sets: {
    setId: string;
    controlNumber: string;
    /** IK501/AK501. */
    status: string;
    errors: string[];
    segments: { segmentId: string; position?: number; loopId?: string; code: string; elements: { position: string; reference?: string; code: string; badValue?: string }[] }[];
  }[];
}

/** 997/999 → {@link FunctionalAckSummary}. */
export const readFunctionalAck = (set: X12TransactionSet, delimiters: X12Delimiters): X12ReadResult<FunctionalAckSummary> => {
  const r = new SetReader(set, delimiters);
  const ak1 = r.first('AK1');
  const ak9 = r.first('AK9');
  if (ak1 === undefined) r.missingSegment('AK1', set.header, 'a functional acknowledgment names the group it acknowledges');
  if (ak9 === undefined) r.missingSegment('AK9', set.segments[set.segments.length - 2], 'a functional acknowledgment ends with AK9');
  if (ak1 === undefined || ak9 === undefined) return { documents: [], findings: r.findings };
  const summary: FunctionalAckSummary = {
    type: set.id,
    functionalId: textAt(ak1, 1) ?? '',
    groupControlNumber: textAt(ak1, 2) ?? '',
    groupStatus: textAt(ak9, 1) ?? '',
    groupErrors: ak9.elements.slice(4).map((e) => e.trim()).filter((e) => e !== ''),
    sets: [],
  };
  type SetAck = FunctionalAckSummary['sets'][number];
  let current: SetAck | undefined;
  let segment: SetAck['segments'][number] | undefined;
  for (const s of set.segments) {
    if (s.id === 'AK2') {
      current = { setId: textAt(s, 1) ?? '', controlNumber: textAt(s, 2) ?? '', status: '', errors: [], segments: [] };
      summary.sets.push(current);
      segment = undefined;
    } else if ((s.id === 'IK3' || s.id === 'AK3') && current !== undefined) {
      const position = positiveInteger(textAt(s, 2));
      const loopId = textAt(s, 3);
      segment = { segmentId: textAt(s, 1) ?? '', code: textAt(s, 4) ?? '', elements: [], ...(position === undefined ? {} : { position }), ...(loopId === undefined ? {} : { loopId }) };
      current.segments.push(segment);
    } else if ((s.id === 'IK4' || s.id === 'AK4') && segment !== undefined) {
      const reference = textAt(s, 2);
      const badValue = textAt(s, 4);
      segment.elements.push({ position: textAt(s, 1) ?? '', code: textAt(s, 3) ?? '', ...(reference === undefined ? {} : { reference }), ...(badValue === undefined ? {} : { badValue }) });
    } else if ((s.id === 'IK5' || s.id === 'AK5') && current !== undefined) {
      current.status = textAt(s, 1) ?? '';
      current.errors = s.elements.slice(1).map((e) => e.trim()).filter((e) => e !== '');
    }
  }
  return { documents: [summary], findings: r.findings };
};

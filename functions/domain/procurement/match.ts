/**
 * The three-way match (pure): an invoice (X12 810) against its purchase order and the receipts taken
 * against it, line by line, with the AP department's tolerances. The verdict is MATCHED (payable:
 * `approvedAmount` = the invoice total, to the cent) or EXCEPTION with reason codes an AP clerk
 * works through (`invoice-case.ts`).
 *
 * Rules, and the choices made where the business had to choose:
 * - NO_PO: no PO, or not the PO the invoice names. SUPPLIER_MISMATCH / CURRENCY_MISMATCH: the PO is
 *   another supplier's or in another currency.
 * - DUPLICATE: an earlier accepted invoice of the supplier has the same invoice number (compared
 *   without case, spaces or punctuation: "inv-001" = "INV 001"), or bills the same PO with the same
 *   total and the same line amounts in any line order, dated within `duplicateWindowDays` of this one.
 *   Same amounts on another PO are not a duplicate: hospitals restock the same items at several par
 *   locations, each on its own PO, and those invoices are legitimately identical.
 * - Each invoice line finds its PO line by PO line number, else supplier catalog number, else GTIN
 *   (NO_PO_LINE when none, or when the line number points at a line whose item the invoice line's
 *   catalog number / GTIN contradicts). Quantities and prices convert to base units through the PO
 *   line's pack factor or the item's conversions (UOM_MISMATCH when the unit does not convert).
 * - Quantity, per PO line over all of this invoice's lines on it plus earlier accepted invoices of the
 *   PO plus `reservedInvoices` (earlier invoices of the PO still in EXCEPTION: goods they bill are
 *   reserved for them until a clerk rejects them, so a second invoice cannot be paid for them):
 *   invoiced ≤ received + `quantityBaseUnits` (else QTY_NOT_RECEIVED) and invoiced ≤ ordered (else
 *   QTY_OVER_ORDERED; ordered = the larger of the order and what the supplier committed in its 855,
 *   no tolerance: paying beyond the order is a clerk's call). Invoicing less than received is a
 *   normal partial invoice. Received = the sum over every receipt line of the PO line, exact, so the
 *   order receipts arrive in never matters; a receipt listed twice (same id) counts once.
 * - Price: BELOW the price ordered is always accepted (the hospital pays less, and the voucher carries
 *   the invoiced amount). ABOVE it is a PRICE_VARIANCE when the excess is more than EITHER
 *   `unitPricePercent` of the price ordered OR `unitPriceAbsolute` per INVOICE unit: the stricter
 *   limit wins, so a 0.04/EA item billed at 0.54/EA is caught by the percent and a 0.2 % excess on
 *   an implant by the absolute limit. The reference is always the price ORDERED (`orderedUnitPrice`,
 *   else `unitPrice`): an 855 price taken within tolerance becomes the expected `unitPrice`, but the
 *   tolerance is measured once, from the order, so 855 and invoice tolerances never compound (4.50
 *   ordered, 5.00 acknowledged, 5.50 invoiced is measured as 5.50 against 4.50). The verdict is
 *   symmetric within tolerance and deliberately asymmetric beyond it. Comparisons are exact.
 * - A line's amount must be its quantity × unit price to the cent, computed exactly and rounded half
 *   away from zero (TOTAL_MISMATCH on the line); the 810 reader computes amounts the same way.
 * - Charges: freight in total ≤ `freightMaxAmount` (FREIGHT_OVER_TOLERANCE), tax in total ≤
 *   `taxMaxPercent` of the merchandise amount (TAX_OVER_TOLERANCE), fees, other charges and positive
 *   "discounts" in total ≤ `otherChargesMaxAmount`, default 0 (CHARGE_OVER_TOLERANCE); discounts
 *   (negative) are always accepted.
 * - TOTAL_MISMATCH: line amounts + charges ≠ the invoice total, to the cent.
 * - approvedAmount: the invoice total when MATCHED, 0 in EXCEPTION (nothing is payable until a clerk
 *   decides). All money in integer cents. A clerk accepting a variance accepts the price (and
 *   charge) difference only: the quantity checks are run again at that moment (`invoice-case.ts`).
 * - Without a PO the lines report their quantity and price as invoiced (nothing to convert them with).
 */
import {
  MatchReasonSchema,
  type Invoice,
  type MatchReason,
  type MatchResult,
  type MatchResultLine,
  type MatchTolerances,
  type PurchaseOrder,
  type PurchaseOrderLine,
  type Receipt,
} from '../../../contracts/procurement';
import { amountInCents } from '../costing';
import { compare, decimal, multiply, product, quotient, subtract, sum } from './decimal';
import { findPoLine, identifiesAnotherItem, lineUomFactor, type UomConversions } from './units';

/** Everything the match looks at. */
export interface MatchInput {
  /** The PO the invoice names; absent when none was found. */
  po?: PurchaseOrder | undefined;
  /** Receipts taken against the PO (others are ignored), in any order. */
  receipts: readonly Receipt[];
  invoice: Invoice;
  /** The supplier's earlier invoices that were accepted (matched or accepted by a clerk). */
  priorInvoices: readonly Invoice[];
  /**
   * Earlier invoices of the PO still in EXCEPTION: not payable, but the goods they bill are reserved
   * for them (quantity checks only; absent = none).
   */
  reservedInvoices?: readonly Invoice[] | undefined;
  tolerances: MatchTolerances;
  conversions: UomConversions;
  /** The day the match runs (ISO date). */
  today: string;
}

const REASON_ORDER: readonly MatchReason[] = MatchReasonSchema.options;

/** Reasons once each, in the catalog's order, so equal verdicts compare equal. */
const ordered = (reasons: Iterable<MatchReason>): MatchReason[] => {
  const set = new Set(reasons);
  return REASON_ORDER.filter((r) => set.has(r));
};

const cents = (amount: number): number => amountInCents(1, amount);

/** An invoice number as AP compares it: no case, spaces or punctuation. */
export const normalisedInvoiceNumber = (invoiceNumber: string): string => invoiceNumber.toUpperCase().replace(/[^A-Z0-9]/g, '');

const DAY_MS = 86_400_000;
const daysApart = (a: string, b: string): number => Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / DAY_MS;

const lineAmountsKey = (invoice: Invoice): string =>
  invoice.lines
    .map((l) => cents(l.amount))
    .sort((a, b) => a - b)
    .join(',');

/**
 * The earlier accepted invoice this one duplicates, if any: same supplier and the same invoice
 * number (normalised), or the same PO, total and multiset of line amounts within the window.
 */
export const findDuplicate = (invoice: Invoice, priorInvoices: readonly Invoice[], duplicateWindowDays: number): Invoice | undefined => {
  const number = normalisedInvoiceNumber(invoice.invoiceNumber);
  const total = cents(invoice.totalAmount);
  const amounts = lineAmountsKey(invoice);
  return priorInvoices.find(
    (prior) =>
      prior.supplierId === invoice.supplierId &&
      (normalisedInvoiceNumber(prior.invoiceNumber) === number ||
        (prior.poNumber === invoice.poNumber &&
          cents(prior.totalAmount) === total &&
          lineAmountsKey(prior) === amounts &&
          daysApart(prior.invoiceDate, invoice.invoiceDate) <= duplicateWindowDays)),
  );
};

/**
 * Is the invoice price over the price ordered by more than EITHER tolerance allows? `invoiceFactor`
 * is base units per invoice unit; the percent applies to the price, the absolute limit per invoice
 * unit. The reference is `orderedUnitPrice` when the line has one (an 855 price taken within
 * tolerance must not move the point the tolerance is measured from), else `unitPrice`. Exact.
 */
export const isPriceVariance = (
  invoiceUnitPrice: number,
  invoiceFactor: number,
  poLine: Pick<PurchaseOrderLine, 'unitPrice' | 'uomFactor' | 'orderedUnitPrice'>,
  tolerances: Pick<MatchTolerances, 'unitPricePercent' | 'unitPriceAbsolute'>,
): boolean => {
  // invoice/f − po/F > 0  ⇔  invoice×F − po×f > 0 (f, F > 0): compare without dividing.
  const poPrice = decimal(poLine.orderedUnitPrice ?? poLine.unitPrice);
  const f = decimal(invoiceFactor);
  const F = decimal(poLine.uomFactor);
  const excess = subtract(multiply(decimal(invoiceUnitPrice), F), multiply(poPrice, f));
  if (compare(excess, decimal(0)) <= 0) return false;
  // excess/(f×F) > pct/100 × po/F  ⇔  excess × 100 > pct × po × f
  const overPercent = compare(multiply(excess, decimal(100)), multiply(multiply(decimal(tolerances.unitPricePercent), poPrice), f)) > 0;
  // per invoice unit: invoice − po×f/F > abs  ⇔  excess > abs × F
  const overAbsolute = compare(excess, multiply(decimal(tolerances.unitPriceAbsolute), F)) > 0;
  return overPercent || overAbsolute;
};

/** One invoice line as the match sees it. */
interface LineWork {
  line: Invoice['lines'][number];
  poLine?: PurchaseOrderLine;
  /** Base units per invoice unit; undefined when the unit does not convert. */
  factor?: number;
  baseQuantity: number;
  reasons: Set<MatchReason>;
}

/** The lines that found their PO line and converted, as (PO line, base units). */
const convertedEntries = (work: readonly LineWork[]): { poLine: number; baseQuantity: number }[] =>
  work.flatMap((w) => (w.poLine === undefined || w.factor === undefined ? [] : [{ poLine: w.poLine.lineNumber, baseQuantity: w.baseQuantity }]));

const resolveLine = (po: PurchaseOrder, line: Invoice['lines'][number], conversions: UomConversions): LineWork => {
  const reasons = new Set<MatchReason>();
  const poLine = findPoLine(po, line);
  if (poLine === undefined || (line.poLineNumber !== undefined && identifiesAnotherItem(line, poLine))) {
    reasons.add('NO_PO_LINE');
    return { line, baseQuantity: 0, reasons };
  }
  const factor = lineUomFactor(poLine, line.uom, conversions);
  if (factor === undefined) {
    reasons.add('UOM_MISMATCH');
    return { line, poLine, baseQuantity: 0, reasons };
  }
  return { line, poLine, factor, baseQuantity: product(line.quantity, factor), reasons };
};

/** Base units per PO line over a set of documents' lines that resolve to it. */
const baseByPoLine = (entries: readonly { poLine: number; baseQuantity: number }[]): Map<number, number> => {
  const grouped = new Map<number, number[]>();
  for (const e of entries) grouped.set(e.poLine, [...(grouped.get(e.poLine) ?? []), e.baseQuantity]);
  return new Map([...grouped].map(([k, v]) => [k, sum(v)]));
};

const priorInvoicedByPoLine = (po: PurchaseOrder, priors: readonly Invoice[], conversions: UomConversions): Map<number, number> =>
  baseByPoLine(
    priors
      .filter((p) => p.poNumber === po.poNumber && p.supplierId === po.supplierId)
      .flatMap((p) => convertedEntries(p.lines.map((l) => resolveLine(po, l, conversions)))),
  );

/** Received base units per PO line, and the PO lines some receipt line of which did not convert. */
interface Received {
  received: Map<number, number>;
  unconvertible: Set<number>;
}

const receivedByPoLine = (po: PurchaseOrder | undefined, receipts: readonly Receipt[], conversions: UomConversions): Received => {
  if (po === undefined) return { received: new Map(), unconvertible: new Set() };
  const unique = new Map<string, Receipt>();
  for (const r of receipts) if (r.poNumber === po.poNumber && !unique.has(r.receiptId)) unique.set(r.receiptId, r);
  const unconvertible = new Set<number>();
  const entries: { poLine: number; baseQuantity: number }[] = [];
  for (const receipt of unique.values()) {
    for (const l of receipt.lines) {
      const poLine = po.lines.find((p) => p.lineNumber === l.poLineNumber);
      if (poLine === undefined) continue;
      const factor = lineUomFactor(poLine, l.uom, conversions);
      if (factor === undefined) unconvertible.add(poLine.lineNumber);
      else entries.push({ poLine: poLine.lineNumber, baseQuantity: product(l.quantity, factor) });
    }
  }
  return { received: baseByPoLine(entries), unconvertible };
};

const orderedBaseQuantity = (line: PurchaseOrderLine): number =>
  product(Math.max(line.quantity, sum([line.expectedQuantity, line.backorderedQuantity ?? 0])), line.uomFactor);

const exceeds = (a: number, b: number): boolean => compare(decimal(a), decimal(b)) > 0;

/** Charges with their verdicts. */
const checkCharges = (invoice: Invoice, merchandiseCents: number, tolerances: MatchTolerances): NonNullable<MatchResult['charges']> => {
  const totalOf = (pick: (c: Invoice['charges'][number]) => boolean): number =>
    invoice.charges.filter(pick).reduce((t, c) => t + cents(c.amount), 0);
  const isOther = (c: Invoice['charges'][number]): boolean => c.type === 'FEE' || c.type === 'OTHER' || (c.type === 'DISCOUNT' && c.amount > 0);
  const freightOver = totalOf((c) => c.type === 'FREIGHT') > cents(tolerances.freightMaxAmount);
  // tax ≤ pct% of merchandise  ⇔  tax × 100 ≤ pct × merchandise (exact)
  const taxCents = totalOf((c) => c.type === 'TAX');
  const taxOver = compare(decimal(taxCents * 100), multiply(decimal(tolerances.taxMaxPercent), decimal(Math.max(merchandiseCents, 0)))) > 0;
  const otherOver = totalOf(isOther) > cents(tolerances.otherChargesMaxAmount ?? 0);
  return invoice.charges.map((c) => {
    const reasons: MatchReason[] = [];
    if (c.type === 'FREIGHT' && freightOver) reasons.push('FREIGHT_OVER_TOLERANCE');
    if (c.type === 'TAX' && taxOver) reasons.push('TAX_OVER_TOLERANCE');
    if (isOther(c) && otherOver) reasons.push('CHARGE_OVER_TOLERANCE');
    return { type: c.type, amount: c.amount, reasons };
  });
};

/**
 * Three-way match one invoice (see the module comment for every rule). Never throws on business
 * data: whatever is wrong becomes a reason code for an AP clerk.
 */
export const threeWayMatch = (input: MatchInput): MatchResult => {
  const { invoice, tolerances, conversions } = input;
  const po = input.po !== undefined && input.po.poNumber === invoice.poNumber ? input.po : undefined;
  const header = new Set<MatchReason>();
  if (po === undefined) header.add('NO_PO');
  if (po !== undefined && po.supplierId !== invoice.supplierId) header.add('SUPPLIER_MISMATCH');
  if (po !== undefined && po.currency !== invoice.currency) header.add('CURRENCY_MISMATCH');
  if (findDuplicate(invoice, input.priorInvoices, tolerances.duplicateWindowDays) !== undefined) header.add('DUPLICATE');

  const work: LineWork[] =
    po === undefined
      ? invoice.lines.map((line) => ({ line, baseQuantity: line.quantity, reasons: new Set<MatchReason>() }))
      : invoice.lines.map((line) => resolveLine(po, line, conversions));

  for (const w of work) {
    if (cents(w.line.amount) !== amountInCents(w.line.quantity, w.line.unitPrice)) w.reasons.add('TOTAL_MISMATCH');
    if (w.poLine !== undefined && w.factor !== undefined && isPriceVariance(w.line.unitPrice, w.factor, w.poLine, tolerances)) {
      w.reasons.add('PRICE_VARIANCE');
    }
  }

  const thisInvoice = baseByPoLine(convertedEntries(work));
  const prior =
    po === undefined ? new Map<number, number>() : priorInvoicedByPoLine(po, [...input.priorInvoices, ...(input.reservedInvoices ?? [])], conversions);
  const { received, unconvertible } = receivedByPoLine(po, input.receipts, conversions);

  for (const w of work) {
    if (w.poLine === undefined || w.factor === undefined) continue;
    const n = w.poLine.lineNumber;
    if (unconvertible.has(n)) w.reasons.add('UOM_MISMATCH');
    const invoiced = sum([thisInvoice.get(n) ?? 0, prior.get(n) ?? 0]);
    if (exceeds(invoiced, sum([received.get(n) ?? 0, tolerances.quantityBaseUnits]))) w.reasons.add('QTY_NOT_RECEIVED');
    if (exceeds(invoiced, orderedBaseQuantity(w.poLine))) w.reasons.add('QTY_OVER_ORDERED');
  }

  const merchandiseCents = invoice.lines.reduce((t, l) => t + cents(l.amount), 0);
  const charges = checkCharges(invoice, merchandiseCents, tolerances);
  const chargesCents = invoice.charges.reduce((t, c) => t + cents(c.amount), 0);
  if (merchandiseCents + chargesCents !== cents(invoice.totalAmount)) header.add('TOTAL_MISMATCH');

  const lines = work.map((w): MatchResultLine => {
    const poLine = w.poLine;
    const n = poLine?.lineNumber;
    return {
      invoiceLineNumber: w.line.lineNumber,
      ...(n === undefined ? {} : { poLineNumber: n }),
      invoicedBaseQuantity: w.baseQuantity,
      receivedBaseQuantity: n === undefined ? 0 : (received.get(n) ?? 0),
      orderedBaseQuantity: poLine === undefined ? 0 : orderedBaseQuantity(poLine),
      invoiceUnitPrice:
        poLine === undefined || w.factor === undefined
          ? w.line.unitPrice
          : w.factor === poLine.uomFactor
            ? w.line.unitPrice
            : quotient(product(w.line.unitPrice, poLine.uomFactor, 12), w.factor),
      poUnitPrice: poLine?.unitPrice ?? 0,
      reasons: ordered(w.reasons),
      ...(poLine === undefined ? {} : { itemId: poLine.itemId }),
      ...(n === undefined ? {} : { priorInvoicedBaseQuantity: prior.get(n) ?? 0 }),
      amount: w.line.amount,
    };
  });

  const reasons = ordered([...header, ...lines.flatMap((l) => l.reasons), ...charges.flatMap((c) => c.reasons)]);
  const status = reasons.length === 0 ? 'MATCHED' : 'EXCEPTION';
  return {
    invoiceNumber: invoice.invoiceNumber,
    supplierId: invoice.supplierId,
    ...(invoice.poNumber === undefined ? {} : { poNumber: invoice.poNumber }),
    status,
    reasons,
    lines,
    approvedAmount: status === 'MATCHED' ? (merchandiseCents + chargesCents) / 100 : 0,
    charges,
    matchedOn: input.today,
  };
};

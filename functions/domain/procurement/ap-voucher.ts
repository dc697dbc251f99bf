/**
 * AP vouchers (pure): the posting to finance of an invoice that matched (or whose variance an AP
 * clerk accepted). Merchandise is coded per cost center and GL account, charges per type, and any
 * accepted variance between the approved amount and the coded lines gets its own line, so the
 * voucher always adds up to the approved amount to the cent.
 */
import type { ApVoucher, Invoice, MatchResult, PurchaseOrder } from '../../../contracts/procurement';
import { amountInCents } from '../costing';
import { ConflictError, DataError } from '../errors';

type VoucherKind = ApVoucher['lines'][number]['kind'];

/** Where the voucher's amounts are charged. */
export interface VoucherCoding {
  /** The PO's cost center and its GL account (the default for every line). */
  costCenter: string;
  glAccount: string;
  /** Per item overrides (e.g. implants to another account or cost center). */
  byItem?: ReadonlyMap<string, { costCenter?: string; glAccount: string }>;
  /** GL accounts of charges and of the accepted variance; absent → `glAccount`. */
  chargeGlAccounts?: Partial<Record<Exclude<VoucherKind, 'MERCHANDISE'>, string>>;
}

/** The voucher id of an invoice: stable, so the finance connector can post it exactly once. */
export const apVoucherIdFor = (supplierId: string, invoiceNumber: string): string => `APV|${supplierId}|${invoiceNumber}`;

const cents = (amount: number): number => amountInCents(1, amount);

/**
 * The AP voucher of a MATCHED invoice: one MERCHANDISE line per (cost center, GL account), one line
 * per charge type, and a VARIANCE line for the difference between the approved amount and those
 * (an accepted price or total variance), all in integer cents. `totalAmount` = `match.approvedAmount`.
 *
 * @throws ConflictError when the match is not MATCHED.
 * @throws DataError when the match, invoice and PO are not the same invoice and order.
 */
export const apVoucherFromMatch = (
  invoice: Invoice,
  match: MatchResult,
  po: PurchaseOrder,
  coding: VoucherCoding,
  context: { postingDate: string; correlationId: string },
): ApVoucher => {
  if (match.status !== 'MATCHED') {
    throw new ConflictError(`invoice ${invoice.invoiceNumber} is not matched: no voucher`, {
      details: { invoiceNumber: invoice.invoiceNumber, supplierId: invoice.supplierId, reasons: match.reasons },
    });
  }
  if (match.invoiceNumber !== invoice.invoiceNumber || match.supplierId !== invoice.supplierId || invoice.poNumber !== po.poNumber) {
    throw new DataError(`match, invoice ${invoice.invoiceNumber} and PO ${po.poNumber} do not belong together`, {
      details: { invoiceNumber: invoice.invoiceNumber, poNumber: po.poNumber },
    });
  }
  const itemOf = new Map(match.lines.map((l) => [l.invoiceLineNumber, l.itemId]));
  const groups = new Map<string, { kind: VoucherKind; costCenter: string; glAccount: string; cents: number }>();
  const addTo = (kind: VoucherKind, costCenter: string, glAccount: string, amount: number): void => {
    const key = `${kind}|${costCenter}|${glAccount}`;
    const group = groups.get(key) ?? { kind, costCenter, glAccount, cents: 0 };
    groups.set(key, { ...group, cents: group.cents + amount });
  };
  for (const line of invoice.lines) {
    const itemId = itemOf.get(line.lineNumber);
    const override = itemId === undefined ? undefined : coding.byItem?.get(itemId);
    addTo('MERCHANDISE', override?.costCenter ?? coding.costCenter, override?.glAccount ?? coding.glAccount, cents(line.amount));
  }
  for (const charge of invoice.charges) {
    addTo(charge.type, coding.costCenter, coding.chargeGlAccounts?.[charge.type] ?? coding.glAccount, cents(charge.amount));
  }
  const coded = [...groups.values()].reduce((t, g) => t + g.cents, 0);
  const variance = cents(match.approvedAmount) - coded;
  if (variance !== 0) addTo('VARIANCE', coding.costCenter, coding.chargeGlAccounts?.VARIANCE ?? coding.glAccount, variance);
  const kept = [...groups.values()].filter((g) => g.cents !== 0 || g.kind === 'MERCHANDISE');
  // A voucher has at least one line, even for a zero invoice of charges that cancel out.
  if (kept.length === 0) kept.push({ kind: 'MERCHANDISE', costCenter: coding.costCenter, glAccount: coding.glAccount, cents: 0 });
  const lines = kept
    .map((g, index) => ({ lineNumber: index + 1, kind: g.kind, costCenter: g.costCenter, glAccount: g.glAccount, amount: g.cents / 100 }));
  return {
    voucherId: apVoucherIdFor(invoice.supplierId, invoice.invoiceNumber),
    invoiceNumber: invoice.invoiceNumber,
    supplierId: invoice.supplierId,
    poNumber: po.poNumber,
    facilityId: po.facilityId,
    invoiceDate: invoice.invoiceDate,
    postingDate: context.postingDate,
    currency: invoice.currency,
    totalAmount: cents(match.approvedAmount) / 100,
    lines,
    correlationId: context.correlationId,
  };
};

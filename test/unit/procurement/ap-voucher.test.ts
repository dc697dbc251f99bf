import { describe, expect, it } from '@jest/globals';
import { ApVoucherSchema } from '../../../contracts/procurement';
import { amountInCents } from '../../../functions/domain/costing';
import { ConflictError, DataError } from '../../../functions/domain/errors';
import { apVoucherFromMatch } from '../../../functions/domain/procurement/ap-voucher';
import { resolveException, openInvoiceCase, recordMatch } from '../../../functions/domain/procurement/invoice-case';
import { threeWayMatch } from '../../../functions/domain/procurement/match';
import { NOW, TODAY, conversions, gloves, invoice, receipt, standardPo, tolerances } from './fixtures';

const po = standardPo();
const full = [
  receipt('RCV-1', [
    { poLineNumber: 1, quantity: 6, uom: 'BX' },
    { poLineNumber: 2, quantity: 4, uom: 'BX' },
    { poLineNumber: 3, quantity: 2, uom: 'CS' },
  ]),
];
const inv = invoice(
  'INV-8001',
  [
    { poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 },
    { poLineNumber: 2, quantity: 4, uom: 'BX', unitPrice: 37.2 },
    { poLineNumber: 3, quantity: 2, uom: 'CS', unitPrice: 80 },
  ],
  { charges: [{ type: 'FREIGHT', amount: 12.5 }, { type: 'DISCOUNT', amount: -3.36 }] },
);
const coding = { costCenter: 'CC-NMC-OR', glAccount: '6100-100', chargeGlAccounts: { FREIGHT: '6190-100' } };
const context = { postingDate: TODAY, correlationId: 'corr-inv-8001' };
const result = threeWayMatch({ po, receipts: full, invoice: inv, priorInvoices: [], tolerances, conversions, today: TODAY });

describe('AP voucher', () => {
  it('posts merchandise per cost center and GL account and charges per type, adding up to the approved amount', () => {
    const voucher = apVoucherFromMatch(inv, result, po, coding, context);
    expect(ApVoucherSchema.safeParse(voucher).success).toBe(true);
    expect(voucher.voucherId).toBe('APV|SUP-MEDLINE|INV-8001');
    expect(voucher.lines.map((l) => [l.kind, l.costCenter, l.glAccount, l.amount])).toStrictEqual([
        ['MERCHANDISE', 'CC-NMC-OR', '6100-100', 335.8],
        ['FREIGHT', 'CC-NMC-OR', '6190-100', 12.5],
        ['DISCOUNT', 'CC-NMC-OR', '6100-100', -3.36],
      ]);
    expect(voucher.totalAmount).toBe(344.94);
    expect(voucher.lines.reduce((t, l) => t + amountInCents(1, l.amount), 0)).toBe(amountInCents(1, voucher.totalAmount));
  });

  it('splits merchandise by item overrides (gloves to another cost center)', () => {
    const byItem = new Map([[gloves.itemId, { costCenter: 'CC-NMC-ED', glAccount: '6120-300' }]]);
    const voucher = apVoucherFromMatch(inv, result, po, { ...coding, byItem }, context);
    expect(voucher.lines.filter((l) => l.kind === 'MERCHANDISE').map((l) => [l.costCenter, l.glAccount, l.amount])).toStrictEqual([
        ['CC-NMC-OR', '6100-100', 175.8],
        ['CC-NMC-ED', '6120-300', 160],
      ]);
  });

  it('adds a VARIANCE line for an accepted variance so the voucher still adds up to the approved amount', () => {
    const mismatched = { ...inv, totalAmount: 345 };
    const exception = threeWayMatch({ po, receipts: full, invoice: mismatched, priorInvoices: [], tolerances, conversions, today: TODAY });
    const opened = recordMatch(openInvoiceCase(mismatched, { caseId: 'c-1', correlationId: 'corr' }, NOW), exception, NOW).invoiceCase;
    const accepted = resolveException(opened, { action: 'ACCEPT_VARIANCE', clerk: 'ap.nguyen' }, 'ap-clerk', NOW).invoiceCase;
    const voucher = apVoucherFromMatch(mismatched, accepted.match!, po, coding, context);
    expect(voucher.totalAmount).toBe(345);
    expect(voucher.lines.at(-1)).toStrictEqual({ lineNumber: 4, kind: 'VARIANCE', costCenter: 'CC-NMC-OR', glAccount: '6100-100', amount: 0.06 });
  });

  it('refuses an invoice in exception, and a match of another invoice or PO', () => {
    const exception = threeWayMatch({ po, receipts: [], invoice: inv, priorInvoices: [], tolerances, conversions, today: TODAY });
    expect(() => apVoucherFromMatch(inv, exception, po, coding, context)).toThrow(ConflictError);
    expect(() => apVoucherFromMatch({ ...inv, invoiceNumber: 'INV-8002' }, result, po, coding, context)).toThrow(DataError);
    expect(() => apVoucherFromMatch(inv, result, { ...po, poNumber: 'PO-NMC-00000002' }, coding, context)).toThrow(DataError);
  });
});

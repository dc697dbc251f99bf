/**
 * Issue #11 "Finance-grade correctness", the invoice/match side: one named regression per reproduced
 * defect, each against the real domain functions (and use cases on the in-memory procurement fakes).
 * Every test here failed on the code before the fix.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { MatchTolerances, PoAcknowledgment } from '../../../contracts/procurement';
import { parseX12, read810 } from '../../../functions/adapters/x12';
import { erpInvoiceBody } from '../../../functions/adapters/connectors/erp-client';
import { amountInCents } from '../../../functions/domain/costing';
import { ConflictError } from '../../../functions/domain/errors';
import { openInvoiceCase, recordMatch, resolveException } from '../../../functions/domain/procurement/invoice-case';
import { threeWayMatch } from '../../../functions/domain/procurement/match';
import { acknowledgePurchaseOrder } from '../../../functions/domain/procurement/purchase-order';
import { matchInvoice, resolveInvoice } from '../../../functions/domain/use-cases/procurement/invoices';
import { receiveAtDock } from '../../../functions/domain/use-cases/procurement/receipts';
import { readX12Fixture } from '../x12/support';
import { NOW, TODAY, control, conversions, gloves, invoice, receipt, standardPo, tolerances } from './fixtures';
import { dockReceipt, glovesInvoice, receiptInvoiceFakes, receiveInvoice, type ReceiptInvoiceFakes } from './receipt-invoice-fixtures';

const BUS = 'hem-test';
const AP = { kind: 'AP' } as const;
const DOCK = { actor: 'dock-nmc', causationId: 'req-1' };

describe('issue #11: a price variance is raised when EITHER tolerance is exceeded', () => {
  const cheap: MatchTolerances = { ...tolerances, unitPricePercent: 2, unitPriceAbsolute: 0.5 };
  // Gloves ordered by the each at 0.04.
  const po = standardPo([{ lineNumber: 1, itemId: gloves.itemId, quantity: 1000, uom: 'EA', unitPrice: 0.04, contract: true }]);
  const goods = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 1000, uom: 'EA' }])];
  const billedAt = (unitPrice: number, t: MatchTolerances): ReturnType<typeof threeWayMatch> =>
    threeWayMatch({
      po,
      receipts: goods,
      invoice: invoice('INV-CHEAP', [{ poLineNumber: 1, quantity: 1000, uom: 'EA', unitPrice }]),
      priorInvoices: [],
      tolerances: t,
      conversions,
      today: TODAY,
    });

  it('raises PRICE_VARIANCE for a 0.04/EA item invoiced at 0.54/EA with 2 % / 0.50 tolerances (was MATCHED)', () => {
    const result = billedAt(0.54, cheap);
    expect(result.status).toBe('EXCEPTION');
    expect(result.reasons).toStrictEqual(['PRICE_VARIANCE']);
    expect(result.approvedAmount).toBe(0);
  });

  it('measures the absolute tolerance per invoice unit: 0.10 per BX over a 0.05 limit is a variance (was 0.01 per EA, matched)', () => {
    // Gauze ordered at 4.50/BX; a 100 % limit keeps the percent one out of play.
    const absoluteOnly: MatchTolerances = { ...tolerances, unitPricePercent: 100, unitPriceAbsolute: 0.05 };
    const result = threeWayMatch({
      po: standardPo(),
      receipts: [receipt('RCV-1', [{ poLineNumber: 1, quantity: 6, uom: 'BX' }])],
      invoice: invoice('INV-GAUZE', [{ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.6 }]),
      priorInvoices: [],
      tolerances: absoluteOnly,
      conversions,
      today: TODAY,
    });
    expect(result.reasons).toStrictEqual(['PRICE_VARIANCE']);
  });
});

describe('issue #11: tolerances are measured once, from the price ordered', () => {
  const t: MatchTolerances = { ...tolerances, unitPricePercent: 12, unitPriceAbsolute: 0.5 };
  const ack: PoAcknowledgment = {
    poNumber: 'PO-NMC-00000001',
    supplierId: 'SUP-MEDLINE',
    ackType: 'AC',
    acknowledgedAt: TODAY,
    lines: [{ lineNumber: 1, status: 'CHANGED', statusCode: 'IP', quantity: 6, uom: 'BX', unitPrice: 5 }],
    control: control(855),
  };
  const acknowledged = acknowledgePurchaseOrder(standardPo(), ack, t, conversions).purchaseOrder;
  const invoicedAt = (unitPrice: number): ReturnType<typeof threeWayMatch> =>
    threeWayMatch({
      po: acknowledged,
      receipts: [receipt('RCV-1', [{ poLineNumber: 1, quantity: 6, uom: 'BX' }])],
      invoice: invoice('INV-COMPOUND', [{ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice }]),
      priorInvoices: [],
      tolerances: t,
      conversions,
      today: TODAY,
    });

  it('raises PRICE_VARIANCE for 5.50 invoiced after 4.50 ordered and 5.00 acknowledged within tolerance (was MATCHED, 22 % over the order)', () => {
    expect([acknowledged.lines[0]!.unitPrice, acknowledged.lines[0]!.orderedUnitPrice]).toStrictEqual([5, 4.5]);
    expect(invoicedAt(5.5).reasons).toStrictEqual(['PRICE_VARIANCE']);
  });

  it('still pays the acknowledged in-tolerance price as the expected one', () => {
    expect(invoicedAt(5).status).toBe('MATCHED');
  });
});

/** Gloves: 20 BX ordered at 12.00/BX, all 200 EA received; A and B each bill all of it (2 CS). */
const twoInvoicesForTheSameGoods = async (): Promise<{ deps: ReceiptInvoiceFakes; first: string; second: string }> => {
  const deps = receiptInvoiceFakes();
  await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 20, uom: 'BX' }]), DOCK);
  const first = await receiveInvoice(deps, glovesInvoice('INV-A-1', [{ quantity: 2, uom: 'CS', unitPrice: 120 }]));
  deps.clock.advance(60_000);
  const second = await receiveInvoice(deps, glovesInvoice('INV-B-2', [{ quantity: 2, uom: 'CS', unitPrice: 125 }]));
  return { deps, first, second };
};

describe('issue #11: accepting a variance accepts the price only, never goods not received or already paid', () => {
  it('refuses ACCEPT_VARIANCE when the match run again at the decision finds the goods already invoiced (domain)', () => {
    const inv = invoice('INV-PRICEY', [{ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 5 }]);
    const goods = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 6, uom: 'BX' }])];
    const matchWith = (priorInvoices: ReturnType<typeof invoice>[]): ReturnType<typeof threeWayMatch> =>
      threeWayMatch({ po: standardPo(), receipts: goods, invoice: inv, priorInvoices, tolerances, conversions, today: TODAY });
    const exception = recordMatch(openInvoiceCase(inv, { caseId: 'c-pricey', correlationId: 'corr' }, NOW), matchWith([]), NOW).invoiceCase;
    expect(exception.reasons).toStrictEqual(['PRICE_VARIANCE']);
    // Meanwhile another invoice for the same 6 BX was matched and paid.
    const paidMeanwhile = invoice('INV-OTHER', [{ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 }]);
    const now = matchWith([paidMeanwhile]);
    expect(now.reasons).toStrictEqual(['PRICE_VARIANCE', 'QTY_NOT_RECEIVED', 'QTY_OVER_ORDERED']);
    expect(() => resolveException(exception, { action: 'ACCEPT_VARIANCE', clerk: 'ap.nguyen' }, 'ap-clerk', NOW, now)).toThrow(ConflictError);
    // The clerk can still reject it.
    expect(resolveException(exception, { action: 'REJECT', clerk: 'ap.nguyen' }, 'ap-clerk', NOW, now).invoiceCase.status).toBe('REJECTED');
  });

  it('refuses ACCEPT_VARIANCE of goods not received, however the clerk notes it', () => {
    const inv = invoice('INV-SHORT', [{ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 }]);
    const short = threeWayMatch({ po: standardPo(), receipts: [], invoice: inv, priorInvoices: [], tolerances, conversions, today: TODAY });
    const exception = recordMatch(openInvoiceCase(inv, { caseId: 'c-short', correlationId: 'corr' }, NOW), short, NOW).invoiceCase;
    expect(() => resolveException(exception, { action: 'ACCEPT_VARIANCE', clerk: 'ap.nguyen', note: 'credit agreed' }, 'ap-clerk', NOW)).toThrow(ConflictError);
  });

  it('refuses a clerk’s ACCEPT_VARIANCE on an invoice whose goods another invoice was paid for since the exception (was MATCHED: paid twice)', async () => {
    const { deps, first, second } = await twoInvoicesForTheSameGoods();
    // B (price variance) is matched first: an exception; then A, which arrived before B, is matched and payable.
    expect((await matchInvoice(deps, { caseId: second, eventBusName: BUS })).reasons).toStrictEqual(['PRICE_VARIANCE']);
    expect((await matchInvoice(deps, { caseId: first, eventBusName: BUS })).status).toBe('MATCHED');
    await expect(resolveInvoice(deps, AP, second, { action: 'ACCEPT_VARIANCE', clerk: 'ap.nguyen' }, { correlationId: 'r', actor: 'ap-clerk' })).rejects.toThrow(ConflictError);
    const stored = await deps.procurement.getInvoiceCase(second);
    expect([stored?.invoiceCase.status, stored?.invoiceCase.approvedAmount]).toStrictEqual(['EXCEPTION', 0]);
  });
});

describe('issue #11: matches of one PO are serialised', () => {
  it('pays exactly one of two invoices for the same received goods matched concurrently; the other becomes an exception (was: both MATCHED)', async () => {
    const { deps, first, second } = await twoInvoicesForTheSameGoods();
    // Same price on both so only the quantities can tell them apart.
    const stored = await deps.procurement.getInvoiceCase(second);
    const samePrice = glovesInvoice('INV-B-2', [{ quantity: 2, uom: 'CS', unitPrice: 120 }]);
    deps.procurement.invoices.set(second, { ...stored!, invoice: { ...samePrice, control: stored!.invoice.control } });
    const outcomes = await Promise.all([first, second].map((caseId) => matchInvoice(deps, { caseId, eventBusName: BUS })));
    expect(outcomes.map((o) => o.status).sort()).toStrictEqual(['EXCEPTION', 'MATCHED']);
    // Billing the same goods with the same amounts, the loser is also a suspected duplicate.
    expect(outcomes.find((o) => o.status === 'EXCEPTION')?.reasons).toStrictEqual(['QTY_NOT_RECEIVED', 'QTY_OVER_ORDERED', 'DUPLICATE']);
  });

  it('counts an earlier invoice still in EXCEPTION as reserving the goods it bills', async () => {
    const { deps, first, second } = await twoInvoicesForTheSameGoods();
    // A (earlier) is billed at 130/CS: in exception for its price, it still reserves the goods B bills too.
    const a = await deps.procurement.getInvoiceCase(first);
    deps.procurement.invoices.set(first, { ...a!, invoice: glovesInvoice('INV-A-1', [{ quantity: 2, uom: 'CS', unitPrice: 130 }], { control: a!.invoice.control }) });
    expect((await matchInvoice(deps, { caseId: first, eventBusName: BUS })).reasons).toStrictEqual(['PRICE_VARIANCE']);
    expect((await matchInvoice(deps, { caseId: second, eventBusName: BUS })).reasons).toStrictEqual(['PRICE_VARIANCE', 'QTY_NOT_RECEIVED', 'QTY_OVER_ORDERED']);
  });
});

describe('issue #11: money is exact decimal, half away from zero, everywhere it is computed', () => {
  const fixture = readX12Fixture('medline_810_5010.edi');
  /** The first IT1 line of the 5010 fixture re-priced, read by the 810 reader. */
  const readLine = (quantity: string, unitPrice: string): { amount: number; quantity: number; unitPrice: number } => {
    const text = fixture.replace('IT1*1*10*BX*4.5', `IT1*1*${quantity}*BX*${unitPrice}`);
    const [interchange] = parseX12(text).interchanges;
    const set = interchange!.groups[0]!.sets[0]!;
    const { documents } = read810(set, {
      supplierId: 'SUP-MEDLINE',
      delimiters: interchange!.delimiters,
      control: { interchange: '000000001', group: '1', transactionSet: set.controlNumber, version: '005010', senderId: 'MEDLINE', receiverId: 'HEMHOSPITAL' },
    });
    const line = documents[0]!.lines[0]!;
    return { amount: line.amount, quantity: line.quantity, unitPrice: line.unitPrice };
  };

  it('reads 1 × 4.145 as 4.15, the amount the match expects (was 4.14: a false TOTAL_MISMATCH)', () => {
    const line = readLine('1', '4.145');
    expect(line.amount).toBe(4.15);
    const inv = invoice('INV-HALF', [{ poLineNumber: 1, quantity: 1, uom: 'BX', unitPrice: 4.145, amount: line.amount }]);
    const result = threeWayMatch({ po: standardPo(), receipts: [], invoice: inv, priorInvoices: [], tolerances, conversions, today: TODAY });
    expect(result.lines[0]!.reasons.includes('TOTAL_MISMATCH')).toBe(false);
  });

  it('rounds a negative half away from zero: -1 × 4.145 is -4.15 (was -4.14)', () => {
    expect(readLine('-1', '4.145').amount).toBe(-4.15);
  });

  it('reads every line amount as the match’s exact amount for quantities × 3-decimal prices', () => {
    fc.assert(
      fc.property(fc.integer({ min: -500, max: 5_000 }), fc.integer({ min: 1, max: 9_999_999 }), (quantity, priceMils) => {
        fc.pre(quantity !== 0);
        const unitPrice = priceMils / 1000;
        const line = readLine(String(quantity), String(unitPrice));
        expect(amountInCents(1, line.amount)).toBe(amountInCents(line.quantity, line.unitPrice));
      }),
      { numRuns: 300 },
    );
  });

  it('sends the ERP line amounts rounded half away from zero, exactly (1.005 is 1.01, -0.005 is -0.01)', () => {
    const inv = invoice('INV-ERP', [
      { poLineNumber: 1, quantity: 1, uom: 'BX', unitPrice: 1.005, amount: 1.005 },
      { poLineNumber: 2, quantity: 1, uom: 'BX', unitPrice: -0.005, amount: -0.005 },
    ]);
    const body = erpInvoiceBody(inv, 1);
    const lines = body.invoiceLines as { LineAmount: number }[];
    expect(lines.map((l) => l.LineAmount)).toStrictEqual([1.01, -0.01]);
  });
});

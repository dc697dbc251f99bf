import { describe, expect, it } from '@jest/globals';
import type { Invoice, MatchTolerances, PurchaseOrder, Receipt } from '../../../contracts/procurement';
import { findDuplicate, isPriceVariance, normalisedInvoiceNumber, threeWayMatch, type MatchInput } from '../../../functions/domain/procurement/match';
import { applyAcknowledgment } from '../../../functions/domain/procurement/purchase-order';
import { TODAY, control, conversions, gauze, gloves, invoice, receipt, standardPo, suture, tolerances } from './fixtures';

/** Everything received: 6 BX gauze, 4 BX suture, 2 CS gloves. */
const fullReceipt = (): Receipt =>
  receipt('RCV-1', [
    { poLineNumber: 1, quantity: 6, uom: 'BX' },
    { poLineNumber: 2, quantity: 4, uom: 'BX' },
    { poLineNumber: 3, quantity: 2, uom: 'CS' },
  ]);

const fullInvoice = (overrides: Partial<Omit<Invoice, 'lines'>> = {}): Invoice =>
  invoice(
    'INV-1001',
    [
      { poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 },
      { poLineNumber: 2, quantity: 4, uom: 'BX', unitPrice: 37.2 },
      { poLineNumber: 3, quantity: 2, uom: 'CS', unitPrice: 80 },
    ],
    overrides,
  );

const match = (partial: Partial<MatchInput> & Pick<MatchInput, 'invoice'>): ReturnType<typeof threeWayMatch> =>
  threeWayMatch({ po: standardPo(), receipts: [fullReceipt()], priorInvoices: [], tolerances, conversions, today: TODAY, ...partial });

const oneLine = (line: Omit<Invoice['lines'][number], 'lineNumber' | 'amount'> & { amount?: number }, number = 'INV-2001'): Invoice =>
  invoice(number, [line]);

describe('three-way match: the happy path', () => {
  it('matches an invoice for exactly what was ordered and received, approving the invoice total to the cent', () => {
    const result = match({ invoice: fullInvoice({ charges: [{ type: 'FREIGHT', amount: 12.5 }] }) });
    expect(result.status).toBe('MATCHED');
    expect(result.reasons).toStrictEqual([]);
    // 6 × 4.50 + 4 × 37.20 + 2 × 80.00 + 12.50 freight
    expect(result.approvedAmount).toBe(348.3);
    expect(result.lines.map((l) => [l.poLineNumber, l.invoicedBaseQuantity, l.receivedBaseQuantity, l.orderedBaseQuantity, l.itemId])).toStrictEqual([
        [1, 60, 60, 60, gauze.itemId],
        [2, 48, 48, 48, suture.itemId],
        [3, 2000, 2000, 2000, gloves.itemId],
      ]);
    expect(result.matchedOn).toBe(TODAY);
  });

  it('matches an invoice in CS against receipts in EA', () => {
    const receipts = [receipt('RCV-1', [{ poLineNumber: 3, quantity: 1200, uom: 'EA' }]), receipt('RCV-2', [{ poLineNumber: 3, quantity: 800, uom: 'EA' }])];
    const result = match({ receipts, invoice: oneLine({ poLineNumber: 3, quantity: 2, uom: 'CS', unitPrice: 80 }) });
    expect(result.status).toBe('MATCHED');
    expect(result.lines[0]!.receivedBaseQuantity).toBe(2000);
    expect(result.lines[0]!.invoicedBaseQuantity).toBe(2000);
  });

  it('matches an invoice in EA against a PO in CS, reporting the invoice price in the PO unit', () => {
    const result = match({ invoice: oneLine({ poLineNumber: 3, quantity: 2000, uom: 'EA', unitPrice: 0.08 }) });
    expect(result.status).toBe('MATCHED');
    expect(result.lines[0]!.invoiceUnitPrice).toBe(80);
    expect(result.lines[0]!.poUnitPrice).toBe(80);
    expect(result.approvedAmount).toBe(160);
  });

  it('sums multiple receipts per line, in any units the item converts', () => {
    const receipts = [
      receipt('RCV-1', [{ poLineNumber: 1, quantity: 2, uom: 'BX' }]),
      receipt('RCV-2', [{ poLineNumber: 1, quantity: 25, uom: 'EA' }]),
      receipt('RCV-3', [{ poLineNumber: 1, quantity: 15, uom: 'EA' }]),
    ];
    const result = match({ receipts, invoice: oneLine({ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 }) });
    expect(result.status).toBe('MATCHED');
    expect(result.lines[0]!.receivedBaseQuantity).toBe(60);
  });

  it('matches a partial invoice for part of a partial receipt', () => {
    const receipts = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 3, uom: 'BX' }])];
    const result = match({ receipts, invoice: oneLine({ poLineNumber: 1, quantity: 2, uom: 'BX', unitPrice: 4.5 }) });
    expect(result.status).toBe('MATCHED');
    expect(result.approvedAmount).toBe(9);
  });

  it('finds the PO line by supplier catalog number, or by GTIN, when the invoice sends no PO line number', () => {
    const byCatalog = match({ invoice: oneLine({ supplierCatalogNumber: 'mdl1015838', quantity: 4, uom: 'BX', unitPrice: 37.2 }) });
    expect(byCatalog.status).toBe('MATCHED');
    expect(byCatalog.lines[0]!.poLineNumber).toBe(2);
    const byGtin = match({ invoice: oneLine({ gtin: '614141000036', quantity: 2, uom: 'CS', unitPrice: 80 }) });
    expect(byGtin.status).toBe('MATCHED');
    expect(byGtin.lines[0]!.poLineNumber).toBe(3);
  });

  it('ignores receipts of other POs and counts a receipt listed twice once', () => {
    const receipts = [
      receipt('RCV-1', [{ poLineNumber: 1, quantity: 3, uom: 'BX' }]),
      receipt('RCV-1', [{ poLineNumber: 1, quantity: 3, uom: 'BX' }]),
      receipt('RCV-9', [{ poLineNumber: 1, quantity: 3, uom: 'BX' }], 'PO-NMC-00000099'),
    ];
    const result = match({ receipts, invoice: oneLine({ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 }) });
    expect(result.lines[0]!.receivedBaseQuantity).toBe(30);
    expect(result.reasons).toStrictEqual(['QTY_NOT_RECEIVED']);
  });
});

describe('three-way match: quantities', () => {
  it('raises QTY_NOT_RECEIVED when the invoice bills more than was received', () => {
    const receipts = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 3, uom: 'BX' }])];
    const result = match({ receipts, invoice: oneLine({ poLineNumber: 1, quantity: 4, uom: 'BX', unitPrice: 4.5 }) });
    expect(result.status).toBe('EXCEPTION');
    expect(result.reasons).toStrictEqual(['QTY_NOT_RECEIVED']);
    expect(result.lines[0]!.reasons).toStrictEqual(['QTY_NOT_RECEIVED']);
    expect(result.approvedAmount).toBe(0);
  });

  it('accepts invoicing beyond receipts within the quantity tolerance, and not one base unit more', () => {
    const receipts = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 55, uom: 'EA' }])];
    const loose: MatchTolerances = { ...tolerances, quantityBaseUnits: 5 };
    const within = match({ receipts, tolerances: loose, invoice: oneLine({ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 }) });
    expect(within.status).toBe('MATCHED');
    const beyond = match({ receipts, tolerances: { ...loose, quantityBaseUnits: 4 }, invoice: oneLine({ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 }) });
    expect(beyond.reasons).toStrictEqual(['QTY_NOT_RECEIVED']);
  });

  it('counts earlier accepted invoices on the same PO line against what was received', () => {
    const receipts = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 4, uom: 'BX' }])];
    const first = oneLine({ poLineNumber: 1, quantity: 3, uom: 'BX', unitPrice: 4.5 }, 'INV-3001');
    const second = oneLine({ poLineNumber: 1, quantity: 3, uom: 'BX', unitPrice: 4.5 }, 'INV-3002');
    const waiting = match({ receipts, invoice: { ...second, invoiceDate: '2025-05-30' }, priorInvoices: [first] });
    expect(waiting.reasons).toStrictEqual(['QTY_NOT_RECEIVED']);
    expect(waiting.lines[0]!.priorInvoicedBaseQuantity).toBe(30);
    const moreReceived = [...receipts, receipt('RCV-2', [{ poLineNumber: 1, quantity: 20, uom: 'EA' }])];
    const matched = match({ receipts: moreReceived, invoice: { ...second, invoiceDate: '2025-05-30' }, priorInvoices: [first] });
    expect(matched.status).toBe('MATCHED');
  });

  it('adds up several lines of one invoice billing the same PO line', () => {
    const receipts = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 5, uom: 'BX' }])];
    const twoLines = invoice('INV-4001', [
      { poLineNumber: 1, quantity: 3, uom: 'BX', unitPrice: 4.5 },
      { poLineNumber: 1, quantity: 30, uom: 'EA', unitPrice: 0.45 },
    ]);
    const result = match({ receipts, invoice: twoLines });
    expect(result.lines.map((l) => l.reasons)).toStrictEqual([['QTY_NOT_RECEIVED'], ['QTY_NOT_RECEIVED']]);
  });

  it('raises QTY_OVER_ORDERED when the invoice bills more than was ordered, even if that much arrived', () => {
    const receipts = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 7, uom: 'BX' }])];
    const result = match({ receipts, invoice: oneLine({ poLineNumber: 1, quantity: 7, uom: 'BX', unitPrice: 4.5 }) });
    expect(result.reasons).toStrictEqual(['QTY_OVER_ORDERED']);
    expect(result.lines[0]!.orderedBaseQuantity).toBe(60);
  });

  it('measures ordered against the larger of the order and the supplier commitment (an 855 raising the quantity)', () => {
    const po = applyAcknowledgment(standardPo(), {
      poNumber: 'PO-NMC-00000001',
      supplierId: 'SUP-MEDLINE',
      ackType: 'AC',
      acknowledgedAt: TODAY,
      lines: [{ lineNumber: 1, status: 'CHANGED', statusCode: 'IQ', quantity: 8, uom: 'BX' }],
      control: control(1),
    });
    const receipts = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 8, uom: 'BX' }])];
    const result = match({ po, receipts, invoice: oneLine({ poLineNumber: 1, quantity: 8, uom: 'BX', unitPrice: 4.5 }) });
    expect(result.status).toBe('MATCHED');
    expect(result.lines[0]!.orderedBaseQuantity).toBe(80);
  });
});

describe('three-way match: prices', () => {
  // Gauze: PO 4.50/BX = 0.45/EA. Tolerances: 2 % or 0.05 per invoice unit, whichever is stricter.
  const gauzeAt = (unitPrice: number, t: MatchTolerances = tolerances): ReturnType<typeof threeWayMatch> =>
    match({ tolerances: t, invoice: oneLine({ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice }) });

  it('raises PRICE_VARIANCE when the unit price exceeds both tolerances', () => {
    // 5.10/BX: 0.60 over (> 0.05) and 13.3 % over (> 2 %).
    const result = gauzeAt(5.1);
    expect(result.reasons).toStrictEqual(['PRICE_VARIANCE']);
    expect(result.lines[0]!.invoiceUnitPrice).toBe(5.1);
    expect(result.lines[0]!.poUnitPrice).toBe(4.5);
  });

  // Issue #11: these two were MATCHED while a variance needed BOTH limits exceeded.
  it('raises PRICE_VARIANCE over the percent tolerance even within the absolute one (a cheap item billed at many times its price)', () => {
    // 0.46/EA against 0.45/EA: 0.01 per EA (within 0.05) but 2.2 % over (> 2 %).
    expect(match({ invoice: oneLine({ poLineNumber: 1, quantity: 60, uom: 'EA', unitPrice: 0.46 }) }).reasons).toStrictEqual(['PRICE_VARIANCE']);
  });

  it('raises PRICE_VARIANCE over the absolute tolerance even within the percent one (a dear item)', () => {
    // Suture 37.20/BX; 37.92/BX is 0.72 per BX over (> 0.05) but 1.94 % (< 2 %).
    const result = match({ invoice: oneLine({ poLineNumber: 2, quantity: 4, uom: 'BX', unitPrice: 37.92 }) });
    expect(result.reasons).toStrictEqual(['PRICE_VARIANCE']);
  });

  it('accepts a price within both tolerances', () => {
    // 4.55/BX: 0.05 per BX over (not more than 0.05) and 1.1 % (< 2 %).
    expect(gauzeAt(4.55).status).toBe('MATCHED');
  });

  it('accepts exactly the tolerance limits (over means strictly over), the absolute one per invoice unit', () => {
    // 0.05 per BX over = 4.55/BX, with a 100 % limit so only the absolute one is in play.
    const absoluteOnly: MatchTolerances = { ...tolerances, unitPricePercent: 100 };
    expect(gauzeAt(4.55, absoluteOnly).status).toBe('MATCHED');
    expect(gauzeAt(4.56, absoluteOnly).reasons).toStrictEqual(['PRICE_VARIANCE']);
    // 10 % over = 4.95/BX, with a large absolute limit so only the percent one is in play.
    const percentOnly: MatchTolerances = { ...tolerances, unitPricePercent: 10, unitPriceAbsolute: 100 };
    expect(gauzeAt(4.95, percentOnly).status).toBe('MATCHED');
    expect(gauzeAt(4.96, percentOnly).reasons).toStrictEqual(['PRICE_VARIANCE']);
  });

  it('accepts a price under the PO price however far under, and approves the lower invoiced amount', () => {
    const result = gauzeAt(3);
    expect(result.status).toBe('MATCHED');
    expect(result.approvedAmount).toBe(18);
  });

  it('compares prices per base unit across units (an EA price against a CS PO price)', () => {
    // Gloves PO 80/CS = 0.08/EA: the same price per EA matches.
    expect(match({ invoice: oneLine({ poLineNumber: 3, quantity: 2000, uom: 'EA', unitPrice: 0.08 }) }).status).toBe('MATCHED');
    // 0.14/EA is 0.06 over and 75 % over.
    const over = match({ invoice: oneLine({ poLineNumber: 3, quantity: 2000, uom: 'EA', unitPrice: 0.14 }) });
    expect(over.reasons).toStrictEqual(['PRICE_VARIANCE']);
    expect(over.lines[0]!.invoiceUnitPrice).toBe(140);
  });

  it('flags any price over a zero PO price (any excess is over 2 % of nothing), and none at zero', () => {
    const freebie = { unitPrice: 0, uomFactor: 10 };
    expect(isPriceVariance(0.4, 1, freebie, tolerances)).toBe(true);
    expect(isPriceVariance(0.01, 1, freebie, tolerances)).toBe(true);
    expect(isPriceVariance(0, 1, freebie, tolerances)).toBe(false);
  });
});

describe('three-way match: documents that do not fit', () => {
  it('raises NO_PO when there is no PO, or the PO is not the one the invoice names', () => {
    const none = threeWayMatch({ receipts: [], invoice: fullInvoice(), priorInvoices: [], tolerances, conversions, today: TODAY });
    expect(none.reasons).toStrictEqual(['NO_PO']);
    expect(none.approvedAmount).toBe(0);
    const other = match({ invoice: fullInvoice({ poNumber: 'PO-NMC-00000099' }) });
    expect(other.reasons).toStrictEqual(['NO_PO']);
  });

  it('raises NO_PO_LINE for a PO line number the PO does not have, or an item it did not order', () => {
    expect(match({ invoice: oneLine({ poLineNumber: 9, quantity: 1, uom: 'BX', unitPrice: 4.5 }) }).reasons).toStrictEqual(['NO_PO_LINE']);
    expect(match({ invoice: oneLine({ supplierCatalogNumber: 'MDL9999999', quantity: 1, uom: 'BX', unitPrice: 4.5 }) }).reasons).toStrictEqual(['NO_PO_LINE']);
    const wrongItem = match({ invoice: oneLine({ poLineNumber: 1, supplierCatalogNumber: suture.supplierCatalogNumber!, quantity: 1, uom: 'BX', unitPrice: 4.5 }) });
    expect(wrongItem.reasons).toStrictEqual(['NO_PO_LINE']);
  });

  it('raises UOM_MISMATCH when the invoice unit does not convert for the item', () => {
    const result = match({ invoice: oneLine({ poLineNumber: 1, quantity: 1, uom: 'PK', unitPrice: 4.5 }) });
    expect(result.reasons).toStrictEqual(['UOM_MISMATCH']);
  });

  it('raises UOM_MISMATCH when a receipt of the line was taken in a unit that does not convert', () => {
    const receipts = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 6, uom: 'BX' }, { poLineNumber: 1, quantity: 1, uom: 'PL' }])];
    const result = match({ receipts, invoice: oneLine({ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 }) });
    expect(result.reasons).toStrictEqual(['UOM_MISMATCH']);
  });

  it('raises SUPPLIER_MISMATCH when another supplier invoices the PO', () => {
    expect(match({ invoice: fullInvoice({ supplierId: 'SUP-CARDINAL' }) }).reasons.includes('SUPPLIER_MISMATCH')).toBeTruthy();
  });

  it('raises CURRENCY_MISMATCH when the invoice is in another currency than the PO', () => {
    expect(match({ invoice: fullInvoice({ currency: 'CAD' }) }).reasons).toStrictEqual(['CURRENCY_MISMATCH']);
  });
});

describe('three-way match: duplicates', () => {
  const original = fullInvoice();

  it('raises DUPLICATE for the same supplier and invoice number, however it is punctuated', () => {
    const again = { ...original, invoiceNumber: 'inv 1001', invoiceDate: '2025-09-01' };
    // Billed a second time on top of the accepted original, it also exceeds what was received and ordered.
    expect(match({ invoice: again, priorInvoices: [original] }).reasons).toStrictEqual(['QTY_NOT_RECEIVED', 'QTY_OVER_ORDERED', 'DUPLICATE']);
    expect(normalisedInvoiceNumber('inv-1001')).toBe('INV1001');
  });

  it('raises DUPLICATE for the same total and line amounts within the window, in any line order', () => {
    const rekeyed = { ...original, invoiceNumber: 'INV-1001A', invoiceDate: '2025-04-10', lines: [...original.lines].reverse() };
    expect(match({ invoice: rekeyed, priorInvoices: [original] }).reasons.includes('DUPLICATE')).toBeTruthy();
  });

  it('does not call same amounts a duplicate outside the window, nor another supplier’s invoice', () => {
    const later = { ...original, invoiceNumber: 'INV-2002', invoiceDate: '2025-04-30' };
    expect(findDuplicate(later, [original], 30)).toBe(undefined);
    const otherSupplier = { ...original, supplierId: 'SUP-CARDINAL' };
    expect(findDuplicate(original, [otherSupplier], 30)).toBe(undefined);
  });

  it('does not call same amounts on another PO a duplicate (the same restock at another par location)', () => {
    const otherLocation = { ...original, invoiceNumber: 'INV-1002', poNumber: 'PO-SCH-00000099' };
    expect(findDuplicate(otherLocation, [original], 30)).toBe(undefined);
    // The same invoice number is a duplicate whatever PO it names.
    expect(findDuplicate({ ...otherLocation, invoiceNumber: original.invoiceNumber }, [original], 30)).toBe(original);
  });
});

describe('three-way match: charges and totals', () => {
  it('raises FREIGHT_OVER_TOLERANCE when freight exceeds the maximum', () => {
    const result = match({ invoice: fullInvoice({ charges: [{ type: 'FREIGHT', amount: 20 }, { type: 'FREIGHT', amount: 5.01 }] }) });
    expect(result.reasons).toStrictEqual(['FREIGHT_OVER_TOLERANCE']);
    expect(result.charges!.map((c) => c.reasons)).toStrictEqual([['FREIGHT_OVER_TOLERANCE'], ['FREIGHT_OVER_TOLERANCE']]);
  });

  it('accepts tax up to the percent of merchandise and raises TAX_OVER_TOLERANCE above it', () => {
    // Merchandise 335.80; 8 % = 26.864.
    const taxed = (amount: number): ReturnType<typeof threeWayMatch> =>
      match({ tolerances: { ...tolerances, taxMaxPercent: 8 }, invoice: fullInvoice({ charges: [{ type: 'TAX', amount }] }) });
    expect(taxed(26.86).status).toBe('MATCHED');
    expect(taxed(26.87).reasons).toStrictEqual(['TAX_OVER_TOLERANCE']);
    expect(match({ invoice: fullInvoice({ charges: [{ type: 'TAX', amount: 0.01 }] }) }).reasons).toStrictEqual(['TAX_OVER_TOLERANCE']);
  });

  it('raises CHARGE_OVER_TOLERANCE for fees beyond the other-charges maximum and always accepts discounts', () => {
    expect(match({ invoice: fullInvoice({ charges: [{ type: 'FEE', amount: 5 }] }) }).reasons).toStrictEqual(['CHARGE_OVER_TOLERANCE']);
    const allowed = match({ tolerances: { ...tolerances, otherChargesMaxAmount: 5 }, invoice: fullInvoice({ charges: [{ type: 'FEE', amount: 5 }] }) });
    expect(allowed.status).toBe('MATCHED');
    const discounted = match({ invoice: fullInvoice({ charges: [{ type: 'DISCOUNT', amount: -6.72 }] }) });
    expect(discounted.status).toBe('MATCHED');
    expect(discounted.approvedAmount).toBe(329.08);
  });

  it('raises TOTAL_MISMATCH when lines and charges do not add up to the invoice total, to the cent', () => {
    const result = match({ invoice: fullInvoice({ totalAmount: 335.81 }) });
    expect(result.reasons).toStrictEqual(['TOTAL_MISMATCH']);
    expect(result.lines.flatMap((l) => l.reasons)).toStrictEqual([]);
  });

  it('raises TOTAL_MISMATCH on a line whose amount is not its quantity times its price', () => {
    const bad = invoice('INV-5001', [{ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5, amount: 27.5 }]);
    const result = match({ invoice: bad });
    expect(result.reasons).toStrictEqual(['TOTAL_MISMATCH']);
    expect(result.lines[0]!.reasons).toStrictEqual(['TOTAL_MISMATCH']);
  });

  it('lists every reason once, in the catalog order, and the lines’ own reasons per line', () => {
    const receipts = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 1, uom: 'BX' }])];
    const messy = invoice(
      'INV-6001',
      [
        { poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 6 },
        { poLineNumber: 7, quantity: 1, uom: 'BX', unitPrice: 1 },
      ],
      { charges: [{ type: 'FREIGHT', amount: 40 }] },
    );
    const result = match({ receipts, invoice: messy });
    expect(result.reasons).toStrictEqual(['PRICE_VARIANCE', 'QTY_NOT_RECEIVED', 'NO_PO_LINE', 'FREIGHT_OVER_TOLERANCE']);
    expect(result.lines.map((l) => l.reasons)).toStrictEqual([['PRICE_VARIANCE', 'QTY_NOT_RECEIVED'], ['NO_PO_LINE']]);
  });
});

describe('three-way match: backorders', () => {
  it('lets the backordered quantity count as ordered once it ships', () => {
    const po: PurchaseOrder = applyAcknowledgment(standardPo(), {
      poNumber: 'PO-NMC-00000001',
      supplierId: 'SUP-MEDLINE',
      ackType: 'AC',
      acknowledgedAt: TODAY,
      lines: [
        { lineNumber: 1, status: 'ACCEPTED', statusCode: 'IA', quantity: 4, uom: 'BX' },
        { lineNumber: 1, status: 'BACKORDERED', statusCode: 'IB', quantity: 2, uom: 'BX', scheduledDate: '2025-03-28' },
      ],
      control: control(2),
    });
    const result = match({ po, invoice: oneLine({ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 }) });
    expect(result.lines[0]!.orderedBaseQuantity).toBe(60);
    expect(result.status).toBe('MATCHED');
  });
});

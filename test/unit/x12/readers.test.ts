import { describe, expect, it } from '@jest/globals';
import { InvoiceSchema, PoAcknowledgmentSchema, ShipNoticeSchema } from '../../../contracts/procurement';
import type { Invoice, PoAcknowledgment, ShipNotice } from '../../../contracts/procurement';
import { parseX12, read810, read855, read856 } from '../../../functions/adapters/x12';
import type { AcceptedSet, X12ReadContext, X12TransactionSet } from '../../../functions/adapters/x12';
import { ackText, readX12Fixture } from './support';

const acceptedOf = (name: string): AcceptedSet => {
  const result = ackText(readX12Fixture(name));
  expect(result.rejected).toStrictEqual([]);
  expect(result.accepted.length).toBe(1);
  return result.accepted[0] as AcceptedSet;
};

const acknowledgmentOf = (name: string): PoAcknowledgment => {
  const set = acceptedOf(name);
  expect(set.kind).toBe('PoAcknowledgment');
  return PoAcknowledgmentSchema.parse(set.documents[0]);
};
const shipNoticesOf = (name: string): ShipNotice[] => {
  const set = acceptedOf(name);
  expect(set.kind).toBe('ShipNotice');
  return set.documents.map((d) => ShipNoticeSchema.parse(d));
};
const invoiceOf = (name: string): Invoice => {
  const set = acceptedOf(name);
  expect(set.kind).toBe('Invoice');
  return InvoiceSchema.parse(set.documents[0]);
};

/** The single set of a one-set text, and a read context for it. */
const firstSet = (text: string): { set: X12TransactionSet; context: X12ReadContext } => {
  const [interchange] = parseX12(text).interchanges;
  const set = interchange?.groups[0]?.sets[0];
  expect(interchange && set).toBeTruthy();
  return {
    set,
    context: {
      supplierId: 'SUP-MEDLINE',
      delimiters: interchange.delimiters,
      control: { interchange: '000000001', group: '1', transactionSet: set.controlNumber, version: '005010', senderId: 'MEDLINE', receiverId: 'HEMHOSPITAL' },
    },
  };
};

describe('read855', () => {
  it('maps BAK and every PO1/ACK of the 5010 fixture: accepted, quantity changed, backordered, rejected', () => {
    const ack = acknowledgmentOf('medline_855_5010.edi');
    expect(ack.poNumber).toBe('HEM-PO-000123');
    expect(ack.supplierId).toBe('SUP-MEDLINE');
    expect(ack.ackType).toBe('AC');
    expect(ack.acknowledgedAt).toBe('2026-03-05');
    expect(ack.lines).toStrictEqual([
      { lineNumber: 1, status: 'ACCEPTED', statusCode: 'IA', quantity: 10, uom: 'BX', unitPrice: 4.5, scheduledDate: '2026-03-09' },
      { lineNumber: 2, status: 'CHANGED', statusCode: 'IQ', quantity: 3, uom: 'BX', unitPrice: 2.2, scheduledDate: '2026-03-09' },
      { lineNumber: 3, status: 'BACKORDERED', statusCode: 'IB', quantity: 2, uom: 'CS', unitPrice: 4, scheduledDate: '2026-03-20' },
      { lineNumber: 4, status: 'REJECTED', statusCode: 'IR', quantity: 0, uom: 'BX', unitPrice: 3.1 },
    ]);
    expect(ack.control).toStrictEqual({ interchange: '000004711', group: '4711', transactionSet: '0001', version: '005010', senderId: 'MEDLINE', receiverId: 'HEMHOSPITAL' });
  });

  it('maps the 4010 fixture (BAK AD, every line accepted)', () => {
    const ack = acknowledgmentOf('medline_855_4010.edi');
    expect(ack.ackType).toBe('AD');
    expect(ack.control.version).toBe('004010');
    expect(ack.lines.map((l) => [l.lineNumber, l.status, l.quantity, l.uom])).toStrictEqual([
        [1, 'ACCEPTED', 4, 'BX'],
        [2, 'ACCEPTED', 1, 'CS'],
      ]);
  });

  it('takes the status of a PO1 without ACK from BAK02 (rejected order → rejected lines)', () => {
    const text = readX12Fixture('medline_855_4010.edi').replace('BAK*00*AD', 'BAK*00*RJ').replace(/ACK\*IA\*[^~]*~\n/g, '').replace('SE*8*0001', 'SE*6*0001');
    const { set, context } = firstSet(text);
    const { documents, findings } = read855(set, context);
    expect(findings).toStrictEqual([]);
    expect(documents[0]?.lines.map((l) => [l.status, l.statusCode])).toStrictEqual([
        ['REJECTED', 'IR'],
        ['REJECTED', 'IR'],
      ]);
  });

  it('returns a finding, not a document, when BAK is missing', () => {
    const text = readX12Fixture('medline_855_4010.edi').replace(/BAK\*[^~]*~\n/, '');
    const { set, context } = firstSet(text);
    const { documents, findings } = read855(set, context);
    expect(documents).toStrictEqual([]);
    expect(findings.map((f) => [f.level, f.segmentId, f.segmentPosition, f.code])).toStrictEqual([['segment', 'BAK', 2, '3']]);
  });
});

describe('read856', () => {
  it('walks the S/O/P/I hierarchy: PRF PO number, LIN ids, SN1 quantities, lot and expiry', () => {
    const [notice] = shipNoticesOf('medline_856_5010.edi');
    expect(notice).toStrictEqual({
      shipmentId: 'SHP-55120',
      poNumber: 'HEM-PO-000123',
      supplierId: 'SUP-MEDLINE',
      shippedAt: '2026-03-06',
      expectedDeliveryAt: '2026-03-09',
      lines: [
        { poLineNumber: 1, supplierCatalogNumber: 'PRM21430', gtin: '00861201100070', quantityShipped: 10, uom: 'BX', lot: 'LOT24A117', expiresOn: '2029-01-31' },
        { poLineNumber: 2, supplierCatalogNumber: 'PRM21431', gtin: '00861201100148', quantityShipped: 3, uom: 'BX', lot: 'LOT24B009', expiresOn: '2028-11-30' },
      ],
      control: { interchange: '000004721', group: '4721', transactionSet: '0001', version: '005010', senderId: 'MEDLINE', receiverId: 'HEMHOSPITAL' },
    });
  });

  it('reads 4010 LIN qualifiers: PL line number, EN and UP padded to GTIN-14, VP catalog number', () => {
    const [notice] = shipNoticesOf('medline_856_4010.edi');
    expect(notice?.lines).toStrictEqual([
      { poLineNumber: 1, supplierCatalogNumber: 'PRM21430', gtin: '00861201100070', quantityShipped: 4, uom: 'BX' },
      { poLineNumber: 2, supplierCatalogNumber: 'PRM21433', gtin: '00861201100285', quantityShipped: 1, uom: 'CS' },
    ]);
  });

  it('reads the messy newline-terminated fixture like a clean one', () => {
    const [notice] = shipNoticesOf('medline_856_messy_newlines.edi');
    expect(notice?.poNumber).toBe('HEM-PO-000125');
    expect(notice?.lines).toStrictEqual([{ poLineNumber: 1, supplierCatalogNumber: 'PRM21430', gtin: '00861201100070', quantityShipped: 6, uom: 'BX', lot: 'LOT24C221', expiresOn: '2029-01-31' }]);
  });

  it('makes one ship notice per order level and one line per lot level under an item', () => {
    const body = [
      'BSN*00*SHP-9*20260306*1015',
      'HL*1**S',
      'HL*2*1*O',
      'PRF*PO-A',
      'HL*3*2*I',
      'LIN*1*VN*CAT-1',
      'HL*4*3*Q',
      'SN1**4*BX',
      'REF*LT*L1',
      'HL*5*3*Q',
      'SN1**6*BX',
      'REF*LT*L2',
      'DTM*036*20300101',
      'HL*6*1*O',
      'PRF*PO-B',
      'HL*7*6*I',
      'LIN*3*VN*CAT-3',
      'SN1*3*1*CS',
    ];
    const segments = ['ST*856*0001', ...body];
    segments.push(`SE*${segments.length + 1}*0001`);
    const text = [
      'ISA*00*          *00*          *ZZ*MEDLINE        *ZZ*HEMHOSPITAL    *260305*1432*^*00501*000000401*0*P*:',
      'GS*SH*MEDLINE*HEMHOSPITAL*20260305*1432*401*X*005010',
      ...segments,
      'GE*1*401',
      'IEA*1*000000401',
    ].join('~');
    const { set, context } = firstSet(text);
    const { documents, findings } = read856(set, context);
    expect(findings).toStrictEqual([]);
    expect(documents.map((d) => [d.poNumber, d.lines.map((l) => [l.poLineNumber, l.supplierCatalogNumber, l.quantityShipped, l.uom, l.lot ?? null, l.expiresOn ?? null])])).toStrictEqual([
        [
          'PO-A',
          [
            [1, 'CAT-1', 4, 'BX', 'L1', null],
            [1, 'CAT-1', 6, 'BX', 'L2', '2030-01-01'],
          ],
        ],
        ['PO-B', [[3, 'CAT-3', 1, 'CS', null, null]]],
      ]);
  });

  it('points at the order level when its PRF is missing', () => {
    const text = readX12Fixture('medline_856_4010.edi').replace('PRF*HEM-PO-000124~\n', '').replace('SE*14*0001', 'SE*13*0001');
    const { set, context } = firstSet(text);
    const { documents, findings } = read856(set, context);
    expect(documents).toStrictEqual([]);
    expect(findings.filter((f) => f.severity === 'error').map((f) => [f.segmentId, f.segmentPosition, f.code])).toStrictEqual([['PRF', 6, '3']]);
  });
});

describe('read810', () => {
  it('maps BIG, IT1 lines (IT101 may be blank), SAC freight, TXI tax, TDS total and CUR', () => {
    const invoice = invoiceOf('medline_810_5010.edi');
    expect(invoice).toStrictEqual({
      invoiceNumber: 'INV-7781204',
      supplierId: 'SUP-MEDLINE',
      poNumber: 'HEM-PO-000123',
      invoiceDate: '2026-03-07',
      currency: 'USD',
      lines: [
        { lineNumber: 1, poLineNumber: 1, supplierCatalogNumber: 'PRM21430', gtin: '00861201100070', quantity: 10, uom: 'BX', unitPrice: 4.5, amount: 45 },
        { lineNumber: 2, supplierCatalogNumber: 'PRM21431', gtin: '00861201100148', quantity: 3, uom: 'BX', unitPrice: 2.2, amount: 6.6 },
      ],
      charges: [
        { type: 'TAX', code: 'ST', amount: 3.1 },
        { type: 'FREIGHT', code: 'D240', amount: 12.5 },
      ],
      totalAmount: 67.2,
      control: { interchange: '000004731', group: '4731', transactionSet: '0001', version: '005010', senderId: 'MEDLINE', receiverId: 'HEMHOSPITAL' },
    });
    const merchandise = invoice.lines.reduce((a, l) => a + l.amount, 0);
    const charges = invoice.charges.reduce((a, c) => a + c.amount, 0);
    expect(Math.round((merchandise + charges) * 100)).toBe(Math.round(invoice.totalAmount * 100));
  });

  it('maps a 4010 allowance (SAC*A) to a negative discount and defaults the currency to USD', () => {
    const invoice = invoiceOf('medline_810_4010.edi');
    expect(invoice.charges).toStrictEqual([{ type: 'DISCOUNT', code: 'C310', amount: -1 }]);
    expect(invoice.currency).toBe('USD');
    expect(invoice.totalAmount).toBe(21);
  });

  it('reads the currency from CUR02', () => {
    const text = readX12Fixture('medline_810_5010.edi').replace('CUR*SE*USD', 'CUR*SE*CAD');
    const { set, context } = firstSet(text);
    expect(read810(set, context).documents[0]?.currency).toBe('CAD');
  });

  it('reports a non-numeric unit price on IT104 and yields no invoice', () => {
    const text = readX12Fixture('medline_810_5010.edi').replace('IT1**3*BX*2.2', 'IT1**3*BX*TWO');
    const { set, context } = firstSet(text);
    const { documents, findings } = read810(set, context);
    expect(documents).toStrictEqual([]);
    expect(findings.map((f) => [f.segmentId, f.segmentPosition, f.elementPosition, f.elementReference, f.code, f.badValue])).toStrictEqual([['IT1', 11, 4, 212, '6', 'TWO']]);
  });
});

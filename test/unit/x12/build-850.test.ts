import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { PurchaseOrder, PurchaseOrderLine } from '../../../contracts/procurement';
import { build850, controlNumbersOf850, formatX12Date, formatX12Time, parseX12, read850 } from '../../../functions/adapters/x12';
import type { Build850Parties } from '../../../functions/adapters/x12';
import { ValidationError } from '../../../functions/domain/errors';
import { MEDLINE, nodeX12Parse } from './support';

const PARTIES: Build850Parties = {
  buyer: { name: 'HEM Health System', gln: '0861200000005', duns: '804512336', isaQualifier: 'ZZ', isaId: 'HEMHOSPITAL', gsId: 'HEMHOSPITAL' },
  supplier: MEDLINE,
  shipTo: { name: 'North Medical Center', gln: '0861200000012' },
  contact: { name: 'Supply Chain Desk', phone: '5555550100', email: 'buyer@hem.example' },
};

const CONTROL = { interchange: '812', group: '812', transactionSet: '0001' };
const NOW = new Date('2026-03-05T14:32:09Z');

const line = (overrides: Partial<PurchaseOrderLine> = {}): PurchaseOrderLine => ({
  lineNumber: 1,
  itemId: 'ITM-10001',
  description: 'Sponge, gauze 4x4 in, sterile',
  supplierCatalogNumber: 'PRM21430',
  gtin: '00861201100070',
  quantity: 10,
  uom: 'BX',
  uomFactor: 10,
  unitPrice: 4.5,
  expectedQuantity: 10,
  receivedBaseQuantity: 0,
  invoicedBaseQuantity: 0,
  status: 'OPEN',
  ...overrides,
});

const purchaseOrder = (lines: PurchaseOrderLine[] = [line(), line({ lineNumber: 2, itemId: 'ITM-10005', description: 'Sponge, gauze 4x4 in, non-sterile', supplierCatalogNumber: 'PRM21433', gtin: '00861201100285', quantity: 2, uom: 'CS', uomFactor: 100, unitPrice: 4, expectedQuantity: 2 })]): PurchaseOrder => ({
  poNumber: 'HEM-PO-000123',
  requisitionId: 'REQ-000123',
  supplierId: 'SUP-MEDLINE',
  facilityId: 'FAC-NMC',
  locationId: 'NMC-OR',
  costCenter: 'CC-NMC-OR',
  shipToGln: '0861200000012',
  orderDate: '2026-03-05',
  currency: 'USD',
  lines,
  status: 'CREATED',
  correlationId: 'corr-1',
  createdAt: '2026-03-05T14:30:00Z',
});

describe('build850', () => {
  const text = build850(purchaseOrder(), PARTIES, CONTROL, NOW);

  it('writes the expected 005010 document, segment by segment', () => {
    expect(text).toBe([
        'ISA*00*          *00*          *ZZ*HEMHOSPITAL    *ZZ*MEDLINE        *260305*1432*^*00501*000000812*0*P*:~',
        'GS*PO*HEMHOSPITAL*MEDLINE*20260305*1432*812*X*005010~',
        'ST*850*0001~',
        'BEG*00*SA*HEM-PO-000123**20260305~',
        'REF*DP*CC-NMC-OR~',
        'PER*BD*Supply Chain Desk*TE*5555550100*EM*buyer@hem.example~',
        'N1*ST*North Medical Center*UL*0861200000012~',
        'N1*BT*HEM Health System*UL*0861200000005~',
        'N1*SE*Medline Industries*1*100200301~',
        'PO1*1*10*BX*4.5**VN*PRM21430*UK*00861201100070*EN*0861201100070*IN*ITM-10001~',
        'PID*F****Sponge, gauze 4x4 in, sterile~',
        'PO1*2*2*CS*4**VN*PRM21433*UK*00861201100285*EN*0861201100285*IN*ITM-10005~',
        'PID*F****Sponge, gauze 4x4 in, non-sterile~',
        'CTT*2*12~',
        'SE*13*0001~',
        'GE*1*812~',
        'IEA*1*000000812~',
        '',
      ].join('\n'));
  });

  it('parses back with node-x12: ISA 106 wide, counts that check out, qualifiers and CTT hash', () => {
    const node = nodeX12Parse(text);
    expect(text.indexOf('~')).toBe(105);
    expect(node.header.valueOf(12)).toBe('00501');
    expect(node.header.valueOf(11)).toBe('^');
    expect(node.header.valueOf(16)).toBe(':');
    const group = node.functionalGroups[0];
    expect(group).toBeTruthy();
    expect(group.header.valueOf(8)).toBe('005010');
    expect(Number(group.trailer.valueOf(1))).toBe(group.transactions.length);
    expect(Number(node.trailer.valueOf(1))).toBe(node.functionalGroups.length);
    const set = group.transactions[0];
    expect(set).toBeTruthy();
    expect(Number(set.trailer.valueOf(1))).toBe(set.segments.length + 2);
    const po1s = set.segments.filter((s) => s.tag === 'PO1');
    expect(po1s.map((s) => [s.valueOf(6), s.valueOf(8), s.valueOf(10), s.valueOf(12)])).toStrictEqual([
        ['VN', 'UK', 'EN', 'IN'],
        ['VN', 'UK', 'EN', 'IN'],
      ]);
    const ctt = set.segments.find((s) => s.tag === 'CTT');
    expect(Number(ctt?.valueOf(1))).toBe(po1s.length);
    expect(Number(ctt?.valueOf(2))).toBe(po1s.reduce((a, s) => a + Number(s.valueOf(2)), 0));
    const n1 = set.segments.filter((s) => s.tag === 'N1').map((s) => [s.valueOf(1), s.valueOf(3), s.valueOf(4)]);
    expect(n1).toStrictEqual([
      ['ST', 'UL', '0861200000012'],
      ['BT', 'UL', '0861200000005'],
      ['SE', '1', '100200301'],
    ]);
  });

  it('parses back with our parser without a single finding, and reads back as the same order', () => {
    const parsed = parseX12(text);
    const [interchange] = parsed.interchanges;
    expect(interchange).toBeTruthy();
    expect([...parsed.findings, ...interchange.findings, ...interchange.groups.flatMap((g) => [...g.findings, ...g.sets.flatMap((s) => s.findings)])]).toStrictEqual([]);
    const set = interchange.groups[0]?.sets[0];
    expect(set).toBeTruthy();
    const { documents, findings } = read850(set, interchange.delimiters);
    expect(findings).toStrictEqual([]);
    expect(documents[0]).toStrictEqual({
      poNumber: 'HEM-PO-000123',
      purpose: '00',
      orderType: 'SA',
      orderDate: '2026-03-05',
      currency: 'USD',
      costCenter: 'CC-NMC-OR',
      parties: [
        { entity: 'ST', name: 'North Medical Center', qualifier: 'UL', id: '0861200000012' },
        { entity: 'BT', name: 'HEM Health System', qualifier: 'UL', id: '0861200000005' },
        { entity: 'SE', name: 'Medline Industries', qualifier: '1', id: '100200301' },
      ],
      lines: [
        { lineNumber: '1', quantity: 10, uom: 'BX', unitPrice: 4.5, supplierCatalogNumber: 'PRM21430', gtin: '00861201100070', buyerItemId: 'ITM-10001', description: 'Sponge, gauze 4x4 in, sterile' },
        { lineNumber: '2', quantity: 2, uom: 'CS', unitPrice: 4, supplierCatalogNumber: 'PRM21433', gtin: '00861201100285', buyerItemId: 'ITM-10005', description: 'Sponge, gauze 4x4 in, non-sterile' },
      ],
      lineCount: 2,
      hashTotal: 12,
    });
  });

  it('writes the supplier GLN when it has no DUNS, CUR for non-USD orders, T usage and no PER without a contact', () => {
    const { duns: _duns, ...noDuns } = MEDLINE;
    const out = build850({ ...purchaseOrder(), currency: 'CAD' }, { ...PARTIES, supplier: noDuns, contact: undefined }, CONTROL, NOW, { usage: 'T' });
    expect(out).toMatch(/\nN1\*SE\*Medline Industries\*UL\*0861201000011~/);
    expect(out).toMatch(/\nBEG\*[^~]*~\nCUR\*BY\*CAD~/);
    expect(out).toMatch(/\*0\*T\*:~\n/);
    expect(out).not.toMatch(/PER\*/);
  });

  it('reports the control numbers the document carries, for PurchaseOrder.x12', () => {
    expect(controlNumbersOf850(PARTIES, CONTROL)).toStrictEqual({ interchange: '000000812', group: '812', transactionSet: '0001', version: '005010', senderId: 'HEMHOSPITAL', receiverId: 'MEDLINE' });
  });

  it('strips delimiters from free text but refuses identifiers that contain one', () => {
    const out = build850(purchaseOrder([line({ description: 'Gauze *4x4* ~sterile~ a:b^c' })]), PARTIES, CONTROL, NOW);
    expect(out).toMatch(/\nPID\*F\*\*\*\*Gauze 4x4 sterile abc~/);
    expect(() => build850(purchaseOrder([line({ supplierCatalogNumber: 'PRM*21430' })]), PARTIES, CONTROL, NOW)).toThrow(ValidationError);
  });

  it('throws a ValidationError for an order that does not fit: schema, supplier, dock, unit, control numbers', () => {
    const bad: [string, () => string][] = [
      ['no lines', () => build850({ ...purchaseOrder(), lines: [] }, PARTIES, CONTROL, NOW)],
      ['other supplier', () => build850({ ...purchaseOrder(), supplierId: 'SUP-BD' }, PARTIES, CONTROL, NOW)],
      ['other dock', () => build850({ ...purchaseOrder(), shipToGln: '0861200000029' }, PARTIES, CONTROL, NOW)],
      ['3-letter unit', () => build850(purchaseOrder([line({ uom: 'BOX' })]), PARTIES, CONTROL, NOW)],
      ['ISA13 not digits', () => build850(purchaseOrder(), PARTIES, { ...CONTROL, interchange: 'A1' }, NOW)],
      ['ISA13 too long', () => build850(purchaseOrder(), PARTIES, { ...CONTROL, interchange: '1234567890' }, NOW)],
      ['ST02 too short', () => build850(purchaseOrder(), PARTIES, { ...CONTROL, transactionSet: '1' }, NOW)],
      ['quantity too long', () => build850(purchaseOrder([line({ quantity: 1e16 })]), PARTIES, CONTROL, NOW)],
    ];
    for (const [, build] of bad) expect(build).toThrow(ValidationError);
  });

  it('re-parses any valid purchase order to the same lines, with both parsers (property)', () => {
    const catalog = fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{0,19}$/);
    const lineArb = fc.record({
      itemId: fc.stringMatching(/^ITM-\d{5}$/),
      description: fc.string({ minLength: 1, maxLength: 100 }),
      supplierCatalogNumber: catalog,
      gtin: fc.stringMatching(/^\d{14}$/),
      quantity: fc.integer({ min: 1, max: 10_000_000 }).map((n) => n / 100),
      uom: fc.constantFrom('EA', 'BX', 'CS', 'PK'),
      unitPrice: fc.integer({ min: 0, max: 1_000_000_000 }).map((n) => n / 10_000),
    });
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 25 }), fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{0,21}$/), (arbLines, poNumber) => {
        const lines = arbLines.map((l, i) => line({ ...l, lineNumber: i + 1, expectedQuantity: l.quantity }));
        const out = build850({ ...purchaseOrder(lines), poNumber }, PARTIES, CONTROL, NOW);
        const [interchange] = parseX12(out).interchanges;
        expect(interchange).toBeTruthy();
        expect(interchange.findings).toStrictEqual([]);
        const set = interchange.groups[0]?.sets[0];
        expect(set).toBeTruthy();
        expect(set.findings).toStrictEqual([]);
        const doc = read850(set, interchange.delimiters).documents[0];
        expect(doc).toBeTruthy();
        expect(doc.poNumber).toBe(poNumber);
        expect(doc.lines.map((l) => [l.lineNumber, l.quantity, l.uom, l.unitPrice, l.supplierCatalogNumber, l.gtin, l.buyerItemId])).toStrictEqual(lines.map((l) => [String(l.lineNumber), l.quantity, l.uom, l.unitPrice, l.supplierCatalogNumber, l.gtin, l.itemId]));
        expect(doc.lineCount).toBe(lines.length);
        expect(doc.hashTotal).toBe(Number(lines.reduce((a, l) => a + l.quantity, 0).toFixed(6)));
        const node = nodeX12Parse(out);
        const nodeSet = node.functionalGroups[0]?.transactions[0];
        expect(nodeSet).toBeTruthy();
        expect(Number(nodeSet.trailer.valueOf(1))).toBe(nodeSet.segments.length + 2);
        expect(nodeSet.segments.filter((s) => s.tag === 'PO1').map((s) => [Number(s.valueOf(2)), s.valueOf(7), s.valueOf(9)])).toStrictEqual(lines.map((l) => [l.quantity, l.supplierCatalogNumber, l.gtin]));
      }),
      { numRuns: 150 },
    );
  });
});

describe('formatX12Date / formatX12Time', () => {
  it('formats UTC dates as CCYYMMDD or YYMMDD and times as HHMM or HHMMSS', () => {
    const at = new Date('2026-01-02T03:04:05Z');
    expect(formatX12Date(at)).toBe('20260102');
    expect(formatX12Date(at, 'YYMMDD')).toBe('260102');
    expect(formatX12Time(at)).toBe('0304');
    expect(formatX12Time(at, 'HHMMSS')).toBe('030405');
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { X12Parser } from 'node-x12';
import type { X12Interchange, X12Segment, X12Transaction } from 'node-x12';
import { startSupplierNetwork } from '../../../local/simulators/supplier-network';
import type { Scenario, SupplierNetwork } from '../../../local/simulators/supplier-network';
import { expectTruthy } from '../../support/expect-narrowing';

/**
 * What HEM sends a supplier: a 005010 850, written by hand from the standard (not by HEM's writer
 * or the simulator's), one segment per line as many partners send it.
 */
const PO_850_005010 = `ISA*00*          *00*          *ZZ*HEMHOSPITAL    *ZZ*MEDLINE        *261126*0930*^*00501*000004711*0*T*>~
GS*PO*HEMHOSPITAL*MEDLINE*20261126*0930*4711*X*005010~
ST*850*0001~
BEG*00*SA*PO-NMC-000123**20261126~
CUR*BY*USD~
REF*DP*CC-NMC-OR~
DTM*002*20261130~
N1*BY*HEM Health System*UL*0861200000005~
N1*ST*North Medical Center*UL*0861200000012~
PO1*1*10*BX*4.5**VN*PRM21430*UK*00861201100070*BP*ITM-10001~
PID*F****Sponge, gauze 4x4 in, sterile~
PO1*2*4*BX*5.5**VN*PRM21431*UK*00861201100148*BP*ITM-10003~
PID*F****Sponge, gauze 2x2 in, sterile~
PO1*3*10*BX*8**VN*PRM21433*UK*00861201100285*BP*ITM-10005~
PID*F****Sponge, gauze 4x4 in, non-sterile~
CTT*3~
SE*15*0001~
GE*1*4711~
IEA*1*000004711~
`;

const ORDERED = new Map([
  [1, { quantity: 10, uom: 'BX', price: 4.5, vn: 'PRM21430', uk: '00861201100070' }],
  [2, { quantity: 4, uom: 'BX', price: 5.5, vn: 'PRM21431', uk: '00861201100148' }],
  [3, { quantity: 10, uom: 'BX', price: 8, vn: 'PRM21433', uk: '00861201100285' }],
]);

let poCounter = 200;
/** The fixture with its own PO number and control numbers, so every test plays a fresh order. */
const next850 = (edit: (text: string) => string = (t) => t): { poNumber: string; text: string } => {
  poCounter += 1;
  const poNumber = `PO-NMC-000${poCounter}`;
  const control = String(4711 + poCounter);
  const text = PO_850_005010.replace('PO-NMC-000123', poNumber)
    .replaceAll('000004711', control.padStart(9, '0'))
    .replace('*4711*X*', `*${control}*X*`)
    .replace('GE*1*4711', `GE*1*${control}`);
  return { poNumber, text: edit(text) };
};

/** ISA13 as sent (node-x12 drops its leading zeros). */
const isa13Of = (text: string): string => text.split('*')[13] ?? '';

/** Parses strictly with node-x12 (it checks SE01 itself) and checks every count and control pair. */
const parseChecked = (text: string): X12Interchange => {
  const interchange = new X12Parser(true).parse(text) as X12Interchange;
  expect(isa13Of(text)).toMatch(/^\d{9}$/);
  expect(text.match(/IEA\*\d+\*(\d+)~/)?.[1]).toBe(isa13Of(text));
  expect(interchange.trailer.valueOf(1)).toBe(String(interchange.functionalGroups.length));
  expect(interchange.trailer.valueOf(2)).toBe(interchange.header.valueOf(13));
  for (const group of interchange.functionalGroups) {
    expect(group.trailer.valueOf(1)).toBe(String(group.transactions.length));
    expect(group.trailer.valueOf(2)).toBe(group.header.valueOf(6));
    for (const set of group.transactions) {
      expect(set.trailer.valueOf(1)).toBe(String(set.segments.length + 2));
      expect(set.trailer.valueOf(2)).toBe(set.header.valueOf(2));
    }
  }
  return interchange;
};

const only = (interchange: X12Interchange): X12Transaction => {
  const set = interchange.functionalGroups[0]?.transactions[0];
  expect(set).toBeTruthy();
  return set;
};

const segs = (set: X12Transaction, tag: string): X12Segment[] => set.segments.filter((s) => s.tag === tag);
const values = (segment: X12Segment | undefined): string[] => (segment === undefined ? [] : segment.elements.map((e) => e.value));

interface HemDocument {
  authorization: string | undefined;
  contentType: string | undefined;
  text: string;
  interchange: X12Interchange;
  set: X12Transaction;
  type: string;
  poNumber: string;
}

/** A stand-in for HEM's POST /v1/edi/x12: checks every document and answers a 999. */
interface FakeHem {
  url: string;
  documents: HemDocument[];
  /** Answer the next N posts with 503. */
  failNext: number;
  /** Documents the fake could not read (it answers them 400). */
  errors: string[];
  posts: number;
  stop(): Promise<void>;
}

const poNumberOf = (set: X12Transaction): string => {
  switch (set.header.valueOf(1)) {
    case '855':
      return segs(set, 'BAK')[0]?.valueOf(3) ?? '';
    case '856':
      return segs(set, 'PRF')[0]?.valueOf(1) ?? '';
    case '810':
      return segs(set, 'BIG')[0]?.valueOf(4) ?? '';
    default:
      return '';
  }
};

const startFakeHem = async (): Promise<FakeHem> => {
  const fake: FakeHem = { url: '', documents: [], failNext: 0, errors: [], posts: 0, stop: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      fake.posts += 1;
      if (req.url !== '/v1/edi/x12' || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      if (fake.failNext > 0) {
        fake.failNext -= 1;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let interchange: X12Interchange;
      let set: X12Transaction;
      try {
        interchange = parseChecked(text);
        set = only(interchange);
      } catch (error) {
        // Answer (so the network never waits) and keep the reason for the test to report.
        fake.errors.push(error instanceof Error ? error.message : String(error));
        res.writeHead(400, { 'content-type': 'text/plain' }).end('unreadable');
        return;
      }
      fake.documents.push({
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        text,
        interchange,
        set,
        type: set.header.valueOf(1),
        poNumber: poNumberOf(set),
      });
      const gs = interchange.functionalGroups[0]?.header;
      const ack =
        'ISA*00*          *00*          *ZZ*HEMHOSPITAL    *ZZ*MEDLINE        *261126*0930*^*00501*000000001*0*T*>~' +
        'GS*FA*HEMHOSPITAL*MEDLINE*20261126*0930*1*X*005010X231A1~ST*999*0001*005010X231A1~' +
        `AK1*${gs?.valueOf(1) ?? ''}*${gs?.valueOf(6) ?? ''}*005010~AK2*${set.header.valueOf(1)}*${set.header.valueOf(2)}~IK5*A~AK9*A*1*1*1~` +
        'SE*6*0001~GE*1*1~IEA*1*000000001~';
      res.writeHead(200, { 'content-type': 'application/edi-x12' }).end(ack);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
};

const FAST: Scenario = { delaysMs: { ack: 5, asn: 5, invoice: 5 } };

const post850 = (network: SupplierNetwork, text: string): Promise<Response> =>
  fetch(`${network.url}/edi/inbound`, { method: 'POST', headers: { 'content-type': 'application/edi-x12' }, body: text });

describe('supplier network simulator', () => {
  let hem: FakeHem;
  let network: SupplierNetwork;
  const tokensAskedFor: string[] = [];

  beforeAll(async () => {
    hem = await startFakeHem();
  });
  afterAll(async () => {
    await hem.stop();
  });
  beforeEach(async () => {
    hem.documents = [];
    hem.errors = [];
    hem.failNext = 0;
    tokensAskedFor.length = 0;
    network = await startSupplierNetwork({
      hemBaseUrl: hem.url,
      tokenFor: (supplierId) => {
        tokensAskedFor.push(supplierId);
        return Promise.resolve(`token-for-${supplierId}`);
      },
      scenario: FAST,
      controlNumberStart: 1001,
      retry: { attempts: 3, backoffMs: 5 },
    });
  });
  afterEach(async () => {
    await network.stop();
  });

  /** Posts an 850, waits for the whole play, returns HEM's documents for that PO. */
  const play = async (scenario: Scenario = {}, edit?: (text: string) => string): Promise<{ poNumber: string; docs: HemDocument[] }> => {
    network.setScenario({ ...FAST, ...scenario });
    const { poNumber, text } = next850(edit);
    const res = await post850(network, text);
    expect(res.status).toBe(200);
    await network.whenIdle();
    expect(hem.errors).toStrictEqual([]);
    return { poNumber, docs: hem.documents.filter((d) => d.poNumber === poNumber) };
  };

  it('answers an 850 synchronously with a 999 that accepts it, addressed back to HEM', async () => {
    const { poNumber, text } = next850();
    const res = await post850(network, text);
    expect(res.status).toBe(200);
    const ack = parseChecked(await res.text());
    expect(ack.header.valueOf(6).trim()).toBe('MEDLINE');
    expect(ack.header.valueOf(8).trim()).toBe('HEMHOSPITAL');
    expect(ack.header.valueOf(15)).toBe('T');
    const set = only(ack);
    expect(set.header.valueOf(1)).toBe('999');
    expect(set.header.valueOf(3)).toBe('005010X231A1');
    const gs06 = text.match(/GS\*PO\*HEMHOSPITAL\*MEDLINE\*\d+\*\d+\*(\d+)\*/)?.[1];
    expect(values(segs(set, 'AK1')[0])).toStrictEqual(['PO', gs06, '005010']);
    expect(network.inbox()[0]?.control.interchange).toBe(isa13Of(text));
    expect(values(segs(set, 'AK2')[0])).toStrictEqual(['850', '0001']);
    expect(values(segs(set, 'IK5')[0])).toStrictEqual(['A']);
    expect(values(segs(set, 'AK9')[0])).toStrictEqual(['A', '1', '1', '1']);
    await network.whenIdle();
    const [entry] = network.inbox();
    expect(entry?.poNumber).toBe(poNumber);
    expect(entry?.supplierId).toBe('SUP-MEDLINE');
    expect(entry?.control.senderId).toBe('HEMHOSPITAL');
    expect(entry?.control.receiverId).toBe('MEDLINE');
    expect(entry?.orderDate).toBe('2026-11-26');
    expect(entry?.parties.find((p) => p.code === 'ST')).toStrictEqual({ code: 'ST', name: 'North Medical Center', idQualifier: 'UL', id: '0861200000012' });
    expect(entry?.lines[0]).toStrictEqual({
      lineNumber: 1,
      quantity: 10,
      uom: 'BX',
      unitPrice: 4.5,
      supplierCatalogNumber: 'PRM21430',
      gtin: '00861201100070',
      buyerItemId: 'ITM-10001',
      description: 'Sponge, gauze 4x4 in, sterile',
    });
  });

  it('sends HEM an 855, an 856 and an 810 in that order, each with fresh control numbers, the supplier token and X12 content type', async () => {
    const { poNumber, docs } = await play();
    expect(docs.map((d) => d.type)).toStrictEqual(['855', '856', '810']);
    for (const doc of docs) {
      expect(doc.authorization).toBe('Bearer token-for-SUP-MEDLINE');
      expect(doc.contentType).toBe('application/edi-x12');
      expect(doc.interchange.header.valueOf(6).trim()).toBe('MEDLINE');
      expect(doc.interchange.header.valueOf(8).trim()).toBe('HEMHOSPITAL');
      expect(doc.interchange.header.valueOf(12)).toBe('00501');
      expect(doc.interchange.functionalGroups[0]?.header.valueOf(8)).toBe('005010');
    }
    expect(docs.map((d) => d.interchange.functionalGroups[0]?.header.valueOf(1))).toStrictEqual(['PR', 'SH', 'IN']);
    const isa13s = docs.map((d) => isa13Of(d.text));
    const gs06s = docs.map((d) => d.interchange.functionalGroups[0]?.header.valueOf(6));
    const st02s = docs.map((d) => d.set.header.valueOf(2));
    for (const numbers of [isa13s, gs06s, st02s]) {
      expect(new Set(numbers).size).toBe(3);
    }
    expect(tokensAskedFor.every((id) => id === 'SUP-MEDLINE')).toBeTruthy();

    const outbox = network.outbox();
    expect(outbox.map((o) => o.documentType)).toStrictEqual(['855', '856', '810']);
    for (const sent of outbox) {
      expect(sent.poNumber).toBe(poNumber);
      expect(sent.httpStatus).toBe(200);
      expect(sent.hemAck.type).toBe('999');
      expect(sent.hemAck.code).toBe('A');
      expect(sent.response ?? '').toMatch(/IK5\*A/);
      const received = docs.find((d) => d.type === sent.documentType);
      expectTruthy(received);
      expect(sent.control.interchange).toBe(isa13Of(received.text));
    }
  });

  it('acknowledges every line IA with BAK*00*AD when nothing changes', async () => {
    const { poNumber, docs } = await play();
    const ack = docs.find((d) => d.type === '855');
    expectTruthy(ack);
    const bak = values(segs(ack.set, 'BAK')[0]);
    expect(bak.slice(0, 4)).toStrictEqual(['00', 'AD', poNumber, '20261126']);
    expect(segs(ack.set, 'PO1').map((s) => values(s).slice(0, 9))).toStrictEqual([...ORDERED].map(([line, o]) => [String(line), String(o.quantity), o.uom, String(o.price), '', 'VN', o.vn, 'UK', o.uk]));
    expect(segs(ack.set, 'ACK').map((s) => values(s).slice(0, 4))).toStrictEqual([...ORDERED.values()].map((o) => ['IA', String(o.quantity), o.uom, '068']));
    expect(values(segs(ack.set, 'CTT')[0])).toStrictEqual(['3']);
  });

  it('ships every line in one 856 with HL S/O/I, PRF PO number, LIN VN/UK, SN1 quantities and lot/expiry', async () => {
    const { poNumber, docs } = await play();
    const asn = docs.find((d) => d.type === '856');
    expectTruthy(asn);
    expect(values(segs(asn.set, 'BSN')[0])[1]).toBe(`ASN-${poNumber}-1`);
    expect(segs(asn.set, 'HL').map((s) => s.valueOf(3))).toStrictEqual(['S', 'O', 'I', 'I', 'I']);
    expect(values(segs(asn.set, 'PRF')[0])[0]).toStrictEqual(poNumber);
    expect(values(segs(asn.set, 'N1').find((s) => s.valueOf(1) === 'ST'))).toStrictEqual(['ST', 'North Medical Center', 'UL', '0861200000012']);
    expect(segs(asn.set, 'LIN').map((s) => values(s))).toStrictEqual([...ORDERED].map(([line, o]) => [String(line), 'VN', o.vn, 'UK', o.uk]));
    expect(segs(asn.set, 'SN1').map((s) => values(s))).toStrictEqual([...ORDERED.values()].map((o) => ['', String(o.quantity), o.uom]));
    expect(segs(asn.set, 'REF').filter((s) => s.valueOf(1) === 'LT').length).toBe(3);
    expect(segs(asn.set, 'DTM').filter((s) => s.valueOf(1) === '036').length).toBe(3);
  });

  it('invoices in an 810: BIG invoice number and PO, IT1 per PO line, TDS total in cents', async () => {
    const { poNumber, docs } = await play();
    const inv = docs.find((d) => d.type === '810');
    expectTruthy(inv);
    const big = values(segs(inv.set, 'BIG')[0]);
    expect(big[0] ?? '').toMatch(/^\d{8}$/);
    expect(big[1]).toBe(`INV-${poNumber}`);
    expect(big[2]).toBe('20261126');
    expect(big[3]).toBe(poNumber);
    expect(segs(inv.set, 'IT1').map((s) => values(s))).toStrictEqual([...ORDERED].map(([line, o]) => [String(line), String(o.quantity), o.uom, String(o.price), '', 'VN', o.vn, 'UK', o.uk]));
    // 10 × 4.50 + 4 × 5.50 + 10 × 8.00 = 147.00
    expect(values(segs(inv.set, 'TDS')[0])).toStrictEqual(['14700']);
    expect(segs(inv.set, 'SAC').length).toBe(0);
  });

  it('acknowledges backordered lines IB and rejected lines IR with BAK AC, and neither ships nor invoices them', async () => {
    const { docs } = await play({ backorderLines: [2], rejectLines: [3] });
    expect(docs.map((d) => d.type)).toStrictEqual(['855', '856', '810']);
    const [ack, asn, inv] = docs;
    expect(ack && asn && inv).toBeTruthy();
    expect(segs(ack.set, 'BAK')[0]?.valueOf(2)).toBe('AC');
    expect(segs(ack.set, 'ACK').map((s) => [s.valueOf(1), s.valueOf(2)])).toStrictEqual([
        ['IA', '10'],
        ['IB', '4'],
        ['IR', '0'],
      ]);
    expect(segs(asn.set, 'LIN').map((s) => s.valueOf(1))).toStrictEqual(['1']);
    expect(segs(inv.set, 'IT1').map((s) => s.valueOf(1))).toStrictEqual(['1']);
    expect(values(segs(inv.set, 'TDS')[0])).toStrictEqual(['4500']);
  });

  it('sends only an 855 with BAK RD when every line is rejected', async () => {
    const { docs } = await play({ rejectLines: [1, 2, 3] });
    expect(docs.map((d) => d.type)).toStrictEqual(['855']);
    expect(segs(docs[0]?.set ?? only(docs[0]!.interchange), 'BAK')[0]?.valueOf(2)).toBe('RD');
  });

  it('acknowledges a price change IC with the new price and invoices at it', async () => {
    const { docs } = await play({ priceChangePercent: 10 });
    const ack = docs.find((d) => d.type === '855');
    const inv = docs.find((d) => d.type === '810');
    expectTruthy(ack);
    expectTruthy(inv);
    expect(segs(ack.set, 'BAK')[0]?.valueOf(2)).toBe('AC');
    expect(segs(ack.set, 'ACK').map((s) => s.valueOf(1))).toStrictEqual(['IC', 'IC', 'IC']);
    expect(segs(ack.set, 'PO1').map((s) => s.valueOf(4))).toStrictEqual(['4.95', '6.05', '8.8']);
    expect(segs(inv.set, 'IT1').map((s) => s.valueOf(4))).toStrictEqual(['4.95', '6.05', '8.8']);
    // 10 × 4.95 + 4 × 6.05 + 10 × 8.80 = 161.70
    expect(values(segs(inv.set, 'TDS')[0])).toStrictEqual(['16170']);
  });

  it('ships a partial shipment as two 856s whose quantities add up to the order, then invoices the whole', async () => {
    const { poNumber, docs } = await play({ partialShipment: { fraction: 0.5 } });
    expect(docs.map((d) => d.type)).toStrictEqual(['855', '856', '856', '810']);
    const asns = docs.filter((d) => d.type === '856');
    expect(asns.map((a) => segs(a.set, 'BSN')[0]?.valueOf(2))).toStrictEqual([`ASN-${poNumber}-1`, `ASN-${poNumber}-2`]);
    const shipped = new Map<string, number>();
    for (const asn of asns) {
      const lins = segs(asn.set, 'LIN');
      const sn1s = segs(asn.set, 'SN1');
      expect(lins.length).toBe(sn1s.length);
      lins.forEach((lin, index) => {
        shipped.set(lin.valueOf(1), (shipped.get(lin.valueOf(1)) ?? 0) + Number(sn1s[index]?.valueOf(2)));
      });
    }
    expect([...shipped].sort()).toStrictEqual([...ORDERED].map(([line, o]) => [String(line), o.quantity]));
    expect(segs(asns[0]!.set, 'SN1').map((s) => s.valueOf(2))).toStrictEqual(['5', '2', '5']);
    const inv = docs.find((d) => d.type === '810');
    expect(segs(inv!.set, 'IT1').map((s) => s.valueOf(2))).toStrictEqual(['10', '4', '10']);
  });

  it('sends a duplicate invoice as two 810s with the same BIG02 and new control numbers', async () => {
    const { docs } = await play({ duplicateInvoice: true });
    const invoices = docs.filter((d) => d.type === '810');
    expect(invoices.length).toBe(2);
    const [first, second] = invoices;
    expect(first && second).toBeTruthy();
    expect(segs(first.set, 'BIG')[0]?.valueOf(2)).toBe(segs(second.set, 'BIG')[0]?.valueOf(2));
    expect(isa13Of(first.text)).not.toBe(isa13Of(second.text));
    expect(first.interchange.functionalGroups[0]?.header.valueOf(6)).not.toBe(second.interchange.functionalGroups[0]?.header.valueOf(6));
    expect(first.set.header.valueOf(2)).not.toBe(second.set.header.valueOf(2));
    expect(network.outbox().filter((o) => o.documentType === '810').map((o) => o.sequence)).toStrictEqual([1, 2]);
  });

  it('adds freight as SAC*C*D240 and includes it in the TDS total', async () => {
    const { docs } = await play({ freight: 12.5 });
    const inv = docs.find((d) => d.type === '810');
    expectTruthy(inv);
    expect(values(segs(inv.set, 'SAC')[0])).toStrictEqual(['C', 'D240', '', '', '1250']);
    expect(values(segs(inv.set, 'TDS')[0])).toStrictEqual(['15950']);
  });

  it('invoices in cases: converts where the item master knows the case pack exactly, relabels the unit otherwise', async () => {
    const { docs } = await play({ invoiceUom: 'CS' });
    const inv = docs.find((d) => d.type === '810');
    expectTruthy(inv);
    expect(segs(inv.set, 'IT1').map((s) => values(s).slice(0, 4))).toStrictEqual([
        ['1', '10', 'CS', '4.5'],
        ['2', '4', 'CS', '5.5'],
        // ITM-10005: 10 BX × 200 EA = 2000 EA = 1 CS.
        ['3', '1', 'CS', '80'],
      ]);
  });

  it('sends no 810 when sendInvoice is false', async () => {
    const { docs } = await play({ sendInvoice: false });
    expect(docs.map((d) => d.type)).toStrictEqual(['855', '856']);
  });

  it('writes the 855 in 004010 when ackVersion says so, and the 856/810 in documentVersion', async () => {
    const { docs } = await play({ ackVersion: '004010' });
    const [ack, asn] = docs;
    expect(ack && asn).toBeTruthy();
    expect(ack.interchange.header.valueOf(11)).toBe('U');
    expect(ack.interchange.header.valueOf(12)).toBe('00401');
    expect(ack.interchange.functionalGroups[0]?.header.valueOf(8)).toBe('004010');
    expect(asn.interchange.header.valueOf(12)).toBe('00501');
    const all4010 = await play({ ackVersion: '004010', documentVersion: '004010' });
    expect(all4010.docs.map((d) => d.interchange.functionalGroups[0]?.header.valueOf(8))).toStrictEqual(['004010', '004010', '004010']);
  });

  it('answers a 004010 850 with a 997', async () => {
    const { text } = next850((t) =>
      t
        .replace('*^*00501*', '*U*00401*')
        .replace('*X*005010~', '*X*004010~'),
    );
    const res = await post850(network, text);
    expect(res.status).toBe(200);
    const ack = parseChecked(await res.text());
    expect(ack.header.valueOf(12)).toBe('00401');
    const set = only(ack);
    expect(set.header.valueOf(1)).toBe('997');
    expect(segs(set, 'AK5')[0]?.valueOf(1)).toBe('A');
    expect(values(segs(set, 'AK1')[0]).length).toStrictEqual(2);
    await network.whenIdle();
  });

  it('rejects an 850 whose SE01 is wrong (IK5*R*4), and plays nothing', async () => {
    const { text } = next850((t) => t.replace('SE*15*', 'SE*14*'));
    const res = await post850(network, text);
    expect(res.status).toBe(200);
    const set = only(parseChecked(await res.text()));
    expect(values(segs(set, 'IK5')[0])).toStrictEqual(['R', '4']);
    expect(segs(set, 'AK9')[0]?.valueOf(1)).toBe('R');
    await network.whenIdle();
    expect(hem.documents.length).toBe(0);
    expect(network.inbox()[0]?.ackCode).toBe('R');
  });

  it('rejects an 850 without PO1 lines, naming the missing segment in IK3', async () => {
    const { text } = next850((t) =>
      t
        .split('\n')
        .filter((segment) => !segment.startsWith('PO1') && !segment.startsWith('PID') && !segment.startsWith('CTT'))
        .join('\n')
        .replace('SE*15*', 'SE*8*'),
    );
    const res = await post850(network, text);
    const set = only(parseChecked(await res.text()));
    expect(segs(set, 'IK3')[0]?.valueOf(1)).toBe('PO1');
    expect(segs(set, 'IK3')[0]?.valueOf(4)).toBe('3');
    expect(values(segs(set, 'IK5')[0])).toStrictEqual(['R', '5']);
  });

  it('answers a TA1 with note 008 and 400 when the interchange is addressed to an unknown receiver', async () => {
    const { text } = next850((t) => t.replace('*ZZ*MEDLINE        *', '*ZZ*NOBODY         *'));
    const res = await post850(network, text);
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toMatch(/TA1\*\d{9}\*\d{6}\*\d{4}\*R\*008~/);
  });

  it('answers 400 when the body is not X12', async () => {
    const res = await post850(network, 'hello, supplier');
    expect(res.status).toBe(400);
    expect(network.inbox().length).toBe(0);
  });

  it('acknowledges a resent 850 for the same PO again but plays it only once', async () => {
    network.setScenario(FAST);
    const { poNumber, text } = next850();
    expect((await post850(network, text)).status).toBe(200);
    const again = await post850(network, text);
    expect(again.status).toBe(200);
    expect(segs(only(parseChecked(await again.text())), 'IK5')[0]?.valueOf(1)).toBe('A');
    await network.whenIdle();
    expect(network.inbox().map((e) => e.duplicate)).toStrictEqual([false, true]);
    expect(hem.documents.filter((d) => d.poNumber === poNumber).map((d) => d.type)).toStrictEqual(['855', '856', '810']);
  });

  it('resends a document HEM answered 503 with the same control numbers, and records the attempts', async () => {
    hem.failNext = 2;
    const { docs } = await play({ sendInvoice: false });
    expect(docs.map((d) => d.type)).toStrictEqual(['855', '856']);
    const [ack] = network.outbox();
    expect(ack?.attempts).toBe(3);
    expect(ack?.httpStatus).toBe(200);
    expect(ack?.control.interchange).toBe(isa13Of(docs[0]?.text ?? ''));
  });

  it('validates scenarios posted to /_scenario and applies them to later orders', async () => {
    const bad = await fetch(`${network.url}/_scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ partialShipment: { fraction: 2 } }) });
    expect(bad.status).toBe(400);
    const good = await fetch(`${network.url}/_scenario`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...FAST, sendInvoice: false }),
    });
    expect(good.status).toBe(200);
    expect(((await good.json()) as { sendInvoice: boolean }).sendInvoice).toBe(false);
    const { poNumber, text } = next850();
    await post850(network, text);
    await network.whenIdle();
    expect(hem.documents.filter((d) => d.poNumber === poNumber).map((d) => d.type)).toStrictEqual(['855', '856']);
  });

  it('fails inbound posts on purpose when faults are set, then accepts again', async () => {
    const set = await fetch(`${network.url}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 1, status: 503 }) });
    expect(set.status).toBe(200);
    const { text } = next850();
    expect((await post850(network, text)).status).toBe(503);
    expect(network.inbox().length).toBe(0);
    expect((await post850(network, text)).status).toBe(200);
    await network.whenIdle();
  });

  it('resolves whenIdle at once when nothing is scheduled, and cancels scheduled documents on stop', async () => {
    await network.whenIdle();
    network.setScenario({ delaysMs: { ack: 60_000, asn: 5, invoice: 5 } });
    const { text } = next850();
    await post850(network, text);
    const idle = network.whenIdle();
    await network.stop();
    await idle;
    expect(hem.documents.length).toBe(0);
    network = await startSupplierNetwork({ hemBaseUrl: hem.url, tokenFor: () => Promise.resolve('t') });
  });
});

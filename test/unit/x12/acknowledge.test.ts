import { describe, expect, it } from '@jest/globals';
import { X12Parser } from 'node-x12';
import { acknowledge, MAX_X12_TRANSACTION_SETS, parseX12, purchaseOrderReferences } from '../../../functions/adapters/x12';
import type { X12Interchange } from '../../../functions/adapters/x12';
import { expectTruthy } from '../../support/expect-narrowing';
import { HEM_IDS, NOW, ackText, counter, medline810s, nodeX12Parse, nodeX12Rows, readX12Fixture, resolveMedline } from './support';

/** Our own reading of an acknowledgment: one interchange, no findings at any level, its set rows. */
const readAck = (text: string): { interchange: X12Interchange; rows: string[][] } => {
  const parsed = parseX12(text);
  expect(parsed.findings).toStrictEqual([]);
  expect(parsed.interchanges.length).toBe(1);
  const interchange = parsed.interchanges[0] as X12Interchange;
  expect(interchange.findings).toStrictEqual([]);
  for (const group of interchange.groups) {
    expect(group.findings).toStrictEqual([]);
    for (const set of group.sets) expect(set.findings).toStrictEqual([]);
  }
  const rows = interchange.groups.flatMap((g) => g.sets.flatMap((s) => s.segments.map((seg) => [seg.id, ...seg.elements])));
  return { interchange, rows };
};

/** The acknowledgment set body (between ST and SE) as node-x12 reads it. */
const nodeBody = (text: string): string[][] => {
  const rows = nodeX12Rows(nodeX12Parse(text));
  expect(rows.length).toBe(1);
  return rows[0] as string[][];
};

/** A 5010 855 from Medline with the given body segments, counts computed. */
const medline855 = (body: string[], options: { isa14?: string; sender?: string; receiver?: string } = {}): string => {
  const segments = ['ST*855*0001', ...body];
  segments.push(`SE*${segments.length + 1}*0001`);
  return [
    `ISA*00*          *00*          *ZZ*${(options.sender ?? 'MEDLINE').padEnd(15)}*ZZ*${(options.receiver ?? 'HEMHOSPITAL').padEnd(15)}*260305*1432*^*00501*000000301*${options.isa14 ?? '0'}*P*:`,
    'GS*PR*MEDLINE*HEMHOSPITAL*20260305*1432*301*X*005010',
    ...segments,
    'GE*1*301',
    'IEA*1*000000301',
  ]
    .map((s) => `${s}~\n`)
    .join('');
};

const GOOD_855_BODY = ['BAK*00*AC*HEM-PO-000200*20260305', 'PO1*1*10*BX*4.5**VN*PRM21430*UK*00861201100070', 'ACK*IA*10*BX*068*20260309', 'CTT*1*10'];

describe('acknowledge: 999 for 005010 groups', () => {
  it('accepts a valid 855 with a 999 that node-x12 and our parser both read: swapped parties, AK1/AK2/IK5/AK9', () => {
    const result = ackText(readX12Fixture('medline_855_5010.edi'));
    expect(result.ta1).toBe(undefined);
    expect(result.functionalAcks.length).toBe(1);
    const ack = result.functionalAcks[0] as string;
    const node = nodeX12Parse(ack);
    expect(node.header.valueOf(6)?.trim()).toBe('HEMHOSPITAL');
    expect(node.header.valueOf(8)?.trim()).toBe('MEDLINE');
    expect(node.header.valueOf(12)).toBe('00501');
    const group = node.functionalGroups[0];
    expect(group?.header.valueOf(1)).toBe('FA');
    expect(group?.header.valueOf(8)).toBe('005010X231A1');
    expect(group?.transactions[0]?.header.valueOf(3)).toBe('005010X231A1');
    expect(nodeBody(ack)).toStrictEqual([
      ['AK1', 'PR', '4711', '005010'],
      ['AK2', '855', '0001'],
      ['IK5', 'A'],
      ['AK9', 'A', '1', '1', '1'],
    ]);
    const { interchange, rows } = readAck(ack);
    expect(interchange.header.senderId).toBe('HEMHOSPITAL');
    expect(interchange.groups[0]?.receiverId).toBe('MEDLINE');
    expect(rows.at(-1)).toStrictEqual(['SE', '6', '0001']);
    expect(result.accepted.length).toBe(1);
    expect(result.rejected.length).toBe(0);
    expect(result.response).toBe(ack);
  });

  it('names the segment and element of a missing mandatory element: IK3*BIG*2**8, IK4*2*76*1, IK5*R*5', () => {
    const result = ackText(readX12Fixture('medline_810_missing_mandatory.edi'));
    const ack = result.functionalAcks[0] as string;
    expect(nodeBody(ack)).toStrictEqual([
      ['AK1', 'IN', '4771', '005010'],
      ['AK2', '810', '0001'],
      ['IK3', 'BIG', '2', '', '8'],
      ['IK4', '2', '76', '1'],
      ['IK5', 'R', '5'],
      ['AK9', 'R', '1', '1', '0'],
    ]);
    readAck(ack);
    expect(result.accepted.length).toBe(0);
    expect(result.rejected[0]?.reason).toBe('SYNTAX');
    expect(result.rejected[0]?.note ?? '').toMatch(/BIG02/);
  });

  it('rejects a set whose SE01 is wrong with IK5*R*4 and applies nothing', () => {
    const result = ackText(readX12Fixture('medline_855_bad_se_count.edi'));
    expect(nodeBody(result.functionalAcks[0] as string).slice(1)).toStrictEqual([
      ['AK2', '855', '0001'],
      ['IK5', 'R', '4'],
      ['AK9', 'R', '1', '1', '0'],
    ]);
    expect(result.accepted.length).toBe(0);
    expect(result.rejected[0]?.reason).toBe('ENVELOPE');
  });

  it('rejects an unsupported 832 with IK5*R*1 (transaction set not supported)', () => {
    const result = ackText(readX12Fixture('medline_832_unsupported.edi'));
    expect(nodeBody(result.functionalAcks[0] as string)).toStrictEqual([
      ['AK1', 'SC', '4781', '005010'],
      ['AK2', '832', '0001'],
      ['IK5', 'R', '1'],
      ['AK9', 'R', '1', '1', '0'],
    ]);
    expect(result.rejected[0]?.reason).toBe('UNSUPPORTED');
  });

  it('rejects sets from an unknown sender with IK5*R*1 and a note naming the sender', () => {
    const result = ackText(readX12Fixture('medline_855_5010.edi'), { resolveSupplier: () => undefined });
    expect(nodeBody(result.functionalAcks[0] as string).slice(2)).toStrictEqual([
      ['IK5', 'R', '1'],
      ['AK9', 'R', '1', '1', '0'],
    ]);
    expect(result.rejected[0]?.reason).toBe('UNKNOWN_SENDER');
    expect(result.rejected[0]?.note ?? '').toMatch(/unknown sender ZZ:MEDLINE/);
  });

  it('reports bad values with the element, its reference number, the code and a copy never longer than the element', () => {
    const body = ['BAK*00*ZZZZZZZZZZZZZZZZZZZZ*HEM-PO-000200*20260231', 'PO1*1*10*B:X*4.5**VN*PRM21430', 'ACK*QQ*10*BX', 'CTT*1*10'];
    const result = ackText(medline855(body));
    expect(nodeBody(result.functionalAcks[0] as string)).toStrictEqual([
      ['AK1', 'PR', '301', '005010'],
      ['AK2', '855', '0001'],
      ['IK3', 'BAK', '2', '', '8'],
      ['IK4', '2', '587', '7', 'ZZ'],
      ['IK4', '4', '373', '8', '20260231'],
      ['IK3', 'PO1', '3', 'PO1', '8'],
      ['IK4', '3', '355', '6', 'BX'],
      ['IK3', 'ACK', '4', 'ACK', '8'],
      ['IK4', '1', '668', '7', 'QQ'],
      ['IK5', 'R', '5'],
      ['AK9', 'R', '1', '1', '0'],
    ]);
  });

  it('reports unrecognized (1), unexpected (2) and over-used (5) segments and a missing mandatory one (3)', () => {
    const body = ['REF*ZZ*X', 'BEG*00*SA*X**20260305', 'ZZQ*1', 'CTT*1', 'CTT*1'];
    const result = ackText(medline855(body));
    const rows = nodeBody(result.functionalAcks[0] as string);
    expect(rows.filter((r) => r[0] === 'IK3')).toStrictEqual([
        ['IK3', 'BAK', '2', '', '3'],
        ['IK3', 'BEG', '3', '', '2'],
        ['IK3', 'ZZQ', '4', '', '1'],
        ['IK3', 'CTT', '6', 'CTT', '5'],
      ]);
  });

  it('accepts part of a group: AK9*P with one set accepted and one rejected', () => {
    const good = ['ST*855*0001', ...GOOD_855_BODY, 'SE*6*0001'];
    const bad = ['ST*855*0002', 'BAK*00*AC**20260305', 'SE*3*0002'];
    const text = [
      'ISA*00*          *00*          *ZZ*MEDLINE        *ZZ*HEMHOSPITAL    *260305*1432*^*00501*000000302*0*P*:',
      'GS*PR*MEDLINE*HEMHOSPITAL*20260305*1432*302*X*005010',
      ...good,
      ...bad,
      'GE*2*302',
      'IEA*1*000000302',
    ].join('~');
    const result = ackText(text);
    expect(nodeBody(result.functionalAcks[0] as string)).toStrictEqual([
      ['AK1', 'PR', '302', '005010'],
      ['AK2', '855', '0001'],
      ['IK5', 'A'],
      ['AK2', '855', '0002'],
      ['IK3', 'BAK', '2', '', '8'],
      ['IK4', '3', '324', '1'],
      ['IK5', 'R', '5'],
      ['AK9', 'P', '2', '2', '1'],
    ]);
    expect(result.accepted.map((a) => a.control.transactionSet)).toStrictEqual(['0001']);
    expect(result.rejected.map((r) => r.control.transactionSet)).toStrictEqual(['0002']);
  });

  it('rejects an 855 sent in an invoice group (GS01 IN) with IK5*R*18', () => {
    const result = ackText(medline855(GOOD_855_BODY).replace('GS*PR*', 'GS*IN*'));
    expect(nodeBody(result.functionalAcks[0] as string).slice(2)).toStrictEqual([
      ['IK5', 'R', '18'],
      ['AK9', 'R', '1', '1', '0'],
    ]);
  });

  it('accepts the messy newline-terminated 856 and passes its tolerated messiness on as warnings', () => {
    const result = ackText(readX12Fixture('medline_856_messy_newlines.edi'));
    expect(result.accepted.length).toBe(1);
    const warnings = result.accepted[0]?.warnings.map((w) => w.message) ?? [];
    expect(warnings.some((m) => /not padded/.test(m))).toBeTruthy();
    expect(warnings.some((m) => /empty segment/.test(m))).toBeTruthy();
    expect(warnings.some((m) => /REF ends with a stray element separator/.test(m))).toBeTruthy();
    const ack = result.functionalAcks[0] as string;
    expect(ack.startsWith('ISA|00|')).toBeTruthy();
    expect(nodeBody(ack).slice(1)).toStrictEqual([
      ['AK2', '856', '0001'],
      ['IK5', 'A'],
      ['AK9', 'A', '1', '1', '1'],
    ]);
  });

  it('rejects a whole group whose GE02 disagrees with GS06: AK9*R with code 4, no set applied', () => {
    const text = medline855(GOOD_855_BODY).replace('GE*1*301', 'GE*1*309');
    const result = ackText(text);
    expect(nodeBody(result.functionalAcks[0] as string)).toStrictEqual([
      ['AK1', 'PR', '301', '005010'],
      ['AK9', 'R', '1', '1', '0', '4'],
    ]);
    expect(result.rejected[0]?.reason).toBe('GROUP_REJECTED');
  });
});

describe('acknowledge: 997 for 004010 groups', () => {
  it('answers a 4010 855 with a 997 in 004010 (AK1 without version, AK5)', () => {
    const result = ackText(readX12Fixture('medline_855_4010.edi'));
    const ack = result.functionalAcks[0] as string;
    const node = nodeX12Parse(ack);
    expect(node.header.valueOf(12)).toBe('00401');
    expect(node.header.valueOf(11)).toBe('U');
    expect(node.functionalGroups[0]?.header.valueOf(8)).toBe('004010');
    expect(node.functionalGroups[0]?.transactions[0]?.header.valueOf(1)).toBe('997');
    expect(nodeBody(ack)).toStrictEqual([
      ['AK1', 'PR', '4712'],
      ['AK2', '855', '0001'],
      ['AK5', 'A'],
      ['AK9', 'A', '1', '1', '1'],
    ]);
    readAck(ack);
  });

  it('uses AK3/AK4/AK5 for errors in a 4010 set', () => {
    const text = readX12Fixture('medline_810_4010.edi').replace('BIG*20260308*INV-7781290', 'BIG*20261308*INV-7781290');
    const ack = ackText(text).functionalAcks[0] as string;
    expect(nodeBody(ack).slice(1)).toStrictEqual([
      ['AK2', '810', '0001'],
      ['AK3', 'BIG', '2', '', '8'],
      ['AK4', '1', '373', '8', '20261308'],
      ['AK5', 'R', '5'],
      ['AK9', 'R', '1', '1', '0'],
    ]);
  });
});

describe('acknowledge: TA1', () => {
  it('rejects an interchange whose IEA02 disagrees with ISA13 with TA1*R*001 and no functional ack', () => {
    const result = ackText(readX12Fixture('medline_810_bad_iea_control.edi'));
    expect(result.functionalAcks).toStrictEqual([]);
    expectTruthy(result.ta1);
    const { interchange } = readAck(result.ta1);
    expect(interchange.groups.length).toBe(0);
    expect(interchange.iea?.elements[0]).toBe('0');
    expect(result.ta1).toMatch(/\nTA1\*000004761\*260305\*1432\*R\*001~\n/);
    // node-x12 reads the envelope (it drops TA1s outside groups in loose mode and refuses them in strict mode).
    const node = new X12Parser(false).parse(result.ta1);
    expectTruthy(!Array.isArray(node));
    // (node-x12 hands ISA13 back without its padding zeros.)
    expect(Number(node.header.valueOf(13))).toBe(Number(interchange.header.controlNumber));
    expect(Number(node.trailer.valueOf(1))).toBe(0);
    expect(result.accepted.length).toBe(0);
    expect(result.rejected[0]?.reason).toBe('INTERCHANGE_REJECTED');
  });

  it('rejects an interchange whose IEA01 group count is wrong with TA1 note 021', () => {
    const result = ackText(medline855(GOOD_855_BODY).replace('IEA*1*', 'IEA*2*'));
    expect(result.ta1 ?? '').toMatch(/TA1\*000000301\*260305\*1432\*R\*021~/);
    expect(result.accepted.length).toBe(0);
  });

  it('rejects an interchange not addressed to HEM with TA1 note 009', () => {
    const result = ackText(medline855(GOOD_855_BODY, { receiver: 'SOMEONEELSE' }));
    expect(result.ta1 ?? '').toMatch(/\*R\*009~/);
    expect(result.accepted.length).toBe(0);
  });

  it('answers ISA14=1 with TA1*A*000 besides the 999', () => {
    const result = ackText(medline855(GOOD_855_BODY, { isa14: '1' }));
    expect(result.ta1 ?? '').toMatch(/TA1\*000000301\*260305\*1432\*A\*000~/);
    expect(result.functionalAcks.length).toBe(1);
    expect(result.accepted.length).toBe(1);
    expect(result.response.startsWith(result.ta1 ?? 'x')).toBeTruthy();
  });

  it('rejects the second of two interchanges with the same ISA13 from the same sender (025)', () => {
    const text = medline855(GOOD_855_BODY);
    const result = ackText(`${text}${text}`);
    expect(result.accepted.length).toBe(1);
    expect(result.interchanges[1]?.ta1Note).toBe('025');
    expect(result.rejected[0]?.reason).toBe('INTERCHANGE_REJECTED');
  });

  it('answers an envelope whose segment terminator is unusable with TA1*R*004', () => {
    const text = medline855(GOOD_855_BODY).replace('*P*:~\n', '*P*:A\n');
    const result = ackText(text);
    expect(result.ta1 ?? '').toMatch(/TA1\*000000301\*260305\*1432\*R\*004~/);
    readAck(result.ta1 ?? '');
    expect(result.functionalAcks).toStrictEqual([]);
    expect(result.accepted.length).toBe(0);
  });

  it('answers nothing and says unreadable when no ISA can be found', () => {
    const result = ackText('GS*PR*MEDLINE~ST*855*0001~');
    expect(result.readable).toBe(false);
    expect(result.response).toBe('');
    expect(result.findings.length > 0).toBeTruthy();
  });
});

describe('acknowledge: exactly-once keys', () => {
  it('gives a resend the same envelope and business keys, and new control numbers only the same business key', () => {
    const text = readX12Fixture('medline_856_5010.edi');
    const first = ackText(text).accepted[0];
    const again = ackText(text).accepted[0];
    const renumbered = ackText(text.replaceAll('000004721', '000004799')).accepted[0];
    expect(first && again && renumbered).toBeTruthy();
    expect(again.envelopeKey).toBe(first.envelopeKey);
    expect(again.businessKeys).toStrictEqual(first.businessKeys);
    expect(renumbered.envelopeKey).not.toBe(first.envelopeKey);
    expect(renumbered.businessKeys).toStrictEqual(first.businessKeys);
    expect(first.envelopeKey).toBe('ZZ:MEDLINE|000004721|4721|0001');
    expect(first.businessKeys).toStrictEqual(['856|SUP-MEDLINE|SHP-55120|HEM-PO-000123']);
  });

  it('draws one control number per acknowledgment interchange from the source', () => {
    const numbers = counter(41);
    const result = acknowledge(parseX12(`${readX12Fixture('medline_855_5010.edi')}${readX12Fixture('medline_810_bad_iea_control.edi')}`), HEM_IDS, numbers, NOW, { resolveSupplier: resolveMedline, ownsPurchaseOrder: () => true });
    expect(numbers.issued).toStrictEqual(['41', '42']);
    expect(result.functionalAcks[0] as string).toMatch(/\*000000041\*0\*P\*:~/);
    expect(result.ta1 ?? '').toMatch(/\*000000042\*0\*P\*:~/);
  });

  it('throws a ValidationError when the control number source yields something that is not 1-9 digits', () => {
    expect(() => acknowledge(parseX12(readX12Fixture('medline_855_5010.edi')), HEM_IDS, { next: () => 'ABC' }, NOW, { resolveSupplier: resolveMedline, ownsPurchaseOrder: () => true })).toThrow(expect.toSatisfy((e: unknown) => e instanceof Error && e.name === 'ValidationError'));
  });
});

describe('acknowledge: partner trust (#12)', () => {
  const onlyPo123 = (supplierId: string, poNumber: string): boolean => supplierId === 'SUP-MEDLINE' && poNumber === 'HEM-PO-000123';

  it('rejects an 810 whose BIG04 names no PO of the sender: IK3*BIG*2**8, IK4*4*324*7 with the value, IK5*R*5', () => {
    const result = ackText(readX12Fixture('medline_810_5010.edi'), { ownsPurchaseOrder: () => false });
    const ack = result.functionalAcks[0] as string;
    expect(nodeBody(ack).slice(1)).toStrictEqual([
      ['AK2', '810', '0001'],
      ['IK3', 'BIG', '2', '', '8'],
      ['IK4', '4', '324', '7', 'HEM-PO-000123'],
      ['IK5', 'R', '5'],
      ['AK9', 'R', '1', '1', '0'],
    ]);
    readAck(ack);
    expect(result.accepted.length).toBe(0);
    expect(result.rejected[0]?.reason).toBe('UNKNOWN_PURCHASE_ORDER');
    expect(result.rejected[0]?.note ?? '').toMatch(/BIG04 does not name a purchase order of the sending supplier/);
  });

  it('asks about the PO for the supplier the interchange sender resolved to', () => {
    const asked: string[] = [];
    ackText(readX12Fixture('medline_855_5010.edi'), { ownsPurchaseOrder: (supplierId, poNumber) => (asked.push(`${supplierId}|${poNumber}`), true) });
    expect(asked).toStrictEqual(['SUP-MEDLINE|HEM-PO-000123']);
  });

  it('rejects an 810 that names no PO at all (BIG04 empty) with IK4*4*324*1', () => {
    const text = readX12Fixture('medline_810_5010.edi').replace('BIG*20260307*INV-7781204*20260305*HEM-PO-000123~', 'BIG*20260307*INV-7781204*20260305~');
    const result = ackText(text, { ownsPurchaseOrder: onlyPo123 });
    expect(nodeBody(result.functionalAcks[0] as string).slice(2, 5)).toStrictEqual([
      ['IK3', 'BIG', '2', '', '8'],
      ['IK4', '4', '324', '1'],
      ['IK5', 'R', '5'],
    ]);
    expect(result.rejected[0]?.reason).toBe('UNKNOWN_PURCHASE_ORDER');
  });

  it('rejects an 855 on a PO not of the sender with IK4 on BAK03 and an 856 with IK4 on PRF01 in its HL loop', () => {
    const ack855 = ackText(readX12Fixture('medline_855_5010.edi'), { ownsPurchaseOrder: () => false });
    const ack856 = ackText(readX12Fixture('medline_856_5010.edi'), { ownsPurchaseOrder: () => false });
    expect(nodeBody(ack855.functionalAcks[0] as string).slice(2, 5)).toStrictEqual([
      ['IK3', 'BAK', '2', '', '8'],
      ['IK4', '3', '324', '7', 'HEM-PO-000123'],
      ['IK5', 'R', '5'],
    ]);
    expect(nodeBody(ack856.functionalAcks[0] as string).slice(2, 5)).toStrictEqual([
      ['IK3', 'PRF', '12', 'HL', '8'],
      ['IK4', '1', '324', '7', 'HEM-PO-000123'],
      ['IK5', 'R', '5'],
    ]);
    expect([ack855.accepted.length, ack856.accepted.length]).toStrictEqual([0, 0]);
  });

  it('rejects every set of a group whose GS02 is not the interchange sender ISA06: IK5*R*1 and AK9*R', () => {
    const result = ackText(readX12Fixture('medline_855_5010.edi').replace('GS*PR*MEDLINE*', 'GS*PR*CARDINAL*'));
    expect(nodeBody(result.functionalAcks[0] as string).slice(1)).toStrictEqual([
      ['AK2', '855', '0001'],
      ['IK5', 'R', '1'],
      ['AK9', 'R', '1', '1', '0'],
    ]);
    expect(result.accepted.length).toBe(0);
    expect(result.rejected[0]?.reason).toBe('GROUP_SENDER_MISMATCH');
    expect(result.rejected[0]?.note ?? '').toMatch(/GS02 .* does not match the interchange sender ISA06/);
  });

  it(`TA1-rejects (024) the interchange that brings a payload over ${MAX_X12_TRANSACTION_SETS} sets, and every later one, but answers those before`, () => {
    const text = medline810s(1, { control: 1 }) + medline810s(MAX_X12_TRANSACTION_SETS, { control: 2 }) + medline810s(1, { control: 3 });
    const result = ackText(text);
    expect(result.interchanges.map((i) => i.ta1Code ?? '-')).toStrictEqual(['-', 'R', 'R']);
    expect(result.interchanges.map((i) => i.ta1Note ?? '-')).toStrictEqual(['-', '024', '024']);
    expect(result.functionalAcks.length).toBe(1);
    expect(result.accepted.length).toBe(1);
    expect(result.rejected.length).toBe(MAX_X12_TRANSACTION_SETS + 1);
    expect(new Set(result.rejected.map((r) => r.reason))).toStrictEqual(new Set(['TOO_MANY_TRANSACTION_SETS']));
    expect(result.rejected[0]?.note ?? '').toContain(`more than ${MAX_X12_TRANSACTION_SETS} transaction sets`);
  });

  it(`accepts exactly ${MAX_X12_TRANSACTION_SETS} sets in one payload`, () => {
    const result = ackText(medline810s(MAX_X12_TRANSACTION_SETS));
    expect(result.accepted.length).toBe(MAX_X12_TRANSACTION_SETS);
    expect(result.ta1).toBeUndefined();
  });

  it('lists the distinct PO numbers the 855/856/810 sets name, only from interchanges within the cap', () => {
    const within = readX12Fixture('medline_855_5010.edi') + readX12Fixture('medline_810_4010.edi') + readX12Fixture('medline_856_5010.edi');
    expect(purchaseOrderReferences(parseX12(within)).sort()).toStrictEqual(['HEM-PO-000123', 'HEM-PO-000124']);
    const beyond = medline810s(MAX_X12_TRANSACTION_SETS, { control: 1 }) + medline810s(1, { control: 2, poNumber: 'HEM-PO-000777' });
    expect(purchaseOrderReferences(parseX12(beyond))).toStrictEqual(['HEM-PO-000123']);
  });
});

describe('acknowledge: an envelope whose sender cannot be read', () => {
  it('answers a TA1 R addressed to ZZ UNKNOWN that parses cleanly, not one with a blank ISA08 (fuzz counterexample)', () => {
    const text0 = readX12Fixture('medline_856_messy_newlines.edi');
    const at = 1690178570 % text0.length;
    const damaged = `${text0.slice(0, at)}${text0.slice(at + 39)}`;
    const result = acknowledge(parseX12(damaged), HEM_IDS, counter(), NOW, { resolveSupplier: resolveMedline, ownsPurchaseOrder: () => true });
    expectTruthy(result.ta1);
    expect(result.ta1).toMatch(/^ISA\*00\*[ ]{10}\*00\*[ ]{10}\*ZZ\*HEMHOSPITAL {4}\*ZZ\*UNKNOWN {8}\*/);
    expect(result.ta1).toMatch(/TA1\*\d{9}\*\d{6}\*\d{4}\*R\*/);
    const reparsed = parseX12(result.ta1);
    const errors = reparsed.interchanges.flatMap((i) => i.findings).filter((f) => f.severity === 'error');
    expect(errors).toStrictEqual([]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { UsageMessageSchema } from '../../../contracts/usage';
import { parseDftP03 } from '../../../functions/adapters/hl7v2';
import { DataError, UnparseableMessageError } from '../../../functions/domain/errors';
import { encounterRef } from '../../../functions/domain/encounter-ref';
import { expectInstanceOf } from '../../support/expect-narrowing';
import { dft, encounterKey, ft1, pv1, readFixture, thrown } from './support';

const parse = (text: string): ReturnType<typeof parseDftP03> => parseDftP03(text, { encounterKey });

/** The DataError `fn` throws, with its location and table 0357 code. */
const dataErrorOf = (fn: () => unknown): { location: string | undefined; code: unknown; message: string } => {
  const e = thrown(fn);
  expectInstanceOf(e, DataError);
  return { location: e.location, code: e.details['hl7ErrorCode'], message: e.message };
};

/** Rewrites a default-delimiter message to other delimiters, character for character. */
const withDelimiters = (text: string, to: { field: string; component: string; repetition: string; escape: string; subcomponent: string }): string => {
  const map: Record<string, string> = { '|': to.field, '^': to.component, '~': to.repetition, '\\': to.escape, '&': to.subcomponent };
  return [...text].map((ch) => map[ch] ?? ch).join('');
};

describe('parseDftP03 — fixtures', () => {
  it('maps a v2.3 Epic DFT^P03 (CR separators) field by field', () => {
    const message = parse(readFixture('hl7/dft-p03-v23.hl7'));
    expect(message).toStrictEqual({
      sourceSystem: 'EPIC',
      facilityCode: 'NMC',
      messageControlId: 'NMC-DFT-0001',
      sourceFormat: 'HL7v2:DFT^P03',
      occurredAt: '2026-11-26T13:30:00.000Z',
      departmentCode: 'OR',
      encounterRef: encounterRef(encounterKey, 'NMC', 'V20261126-0042'),
      procedureCode: '44970',
      lines: [
        { lineNumber: 1, item: { system: 'CHARGE', value: 'CHG-100001' }, quantity: 4, transactionType: 'CHARGE', serviceDate: '2026-11-26T13:15:00.000Z' },
        { lineNumber: 2, item: { system: 'CHARGE', value: 'CHG-100002' }, quantity: 2, transactionType: 'CHARGE', serviceDate: '2026-11-26T13:20:00.000Z' },
      ],
    });
  });

  it('maps a v2.5.1 message with CRLF separators, CQ quantities and an FT1-13 department override', () => {
    const message = parse(readFixture('hl7/dft-p03-v251-crlf.hl7'));
    expect(message.facilityCode).toBe('SCH');
    expect(message.messageControlId).toBe('SCH-DFT-0002');
    expect(message.occurredAt).toBe('2026-11-26T14:15:12.345Z');
    expect(message.departmentCode).toBe('ICU');
    expect(message.procedureCode).toBe('36556');
    expect(message.lines.map((l) => [l.lineNumber, l.item.value, l.quantity, l.uom, l.departmentCode])).toStrictEqual([
        [1, 'CHG-100003', 1, undefined, undefined],
        [2, 'CHG-100004', 2, 'EA', undefined],
        [3, 'CHG-100005', 1, 'BX', 'OR'],
      ]);
  });

  it('reads a v2.8 message whose delimiters are # ~ ! @ $ (MSH-1/MSH-2) and unescapes @F@', () => {
    const text = readFixture('hl7/dft-p03-v28-custom-delims.hl7');
    expect(text.startsWith('MSH#~!@$#')).toBeTruthy();
    const message = parse(text);
    expect(message.sourceSystem).toBe('EPIC');
    expect(message.departmentCode).toBe('CATH');
    expect(message.procedureCode).toBe('93458');
    // MSH-7 is +0100; FT1-4 has no offset and takes the sender's (MSH-7) offset.
    expect(message.occurredAt).toBe('2026-11-26T09:15:00.000Z');
    expect(message.lines.map((l) => [l.item.value, l.quantity, l.serviceDate])).toStrictEqual([
        ['CHG-100001', 3, '2026-11-26T09:05:00.000Z'],
        ['CHG-100006', 1, '2026-11-26T09:10:00.000Z'],
      ]);
  });

  it('turns a CD (credit) line into a CREDIT with a negative quantity', () => {
    const [line] = parse(readFixture('hl7/dft-p03-credit.hl7')).lines;
    expect(line).toStrictEqual({
      lineNumber: 1,
      item: { system: 'CHARGE', value: 'CHG-100001' },
      quantity: -2,
      transactionType: 'CREDIT',
      serviceDate: '2026-11-26T15:55:00.000Z',
    });
  });

  it('passes unknown charge codes and departments through: mapping them is not the parser’s job', () => {
    expect(parse(readFixture('hl7/dft-p03-unknown-charge.hl7')).lines[0]?.item.value).toBe('CHG-999999');
    expect(parse(readFixture('hl7/dft-p03-unknown-dept.hl7')).departmentCode).toBe('XRAY');
  });

  it('names FT1[2]-10 when the second FT1 has a non-numeric quantity', () => {
    expect(dataErrorOf(() => parse(readFixture('hl7/dft-p03-bad-qty.hl7')))).toStrictEqual({
      location: 'FT1[2]-10',
      code: '102',
      message: 'FT1[2]-10: quantity is not a number',
    });
  });

  it('rejects text that is not HL7 as unparseable', () => {
    const e = thrown(() => parse(readFixture('hl7/not-hl7.txt')));
    expect(e).toBeInstanceOf(UnparseableMessageError);
  });

  it('returns messages that satisfy UsageMessageSchema and carry no patient data', () => {
    for (const name of ['dft-p03-v23.hl7', 'dft-p03-v251-crlf.hl7', 'dft-p03-v28-custom-delims.hl7', 'dft-p03-credit.hl7']) {
      const message = parse(readFixture(`hl7/${name}`));
      expect(UsageMessageSchema.safeParse(message).success).toBeTruthy();
      const json = JSON.stringify(message).toUpperCase();
      for (const phi of ['HALVORSEN', 'BRIGITTA', 'ACHTERBERG', 'QUINTERO', 'MRN', '1967', '19670412', 'LAKESHORE', '555-01', '472-18', 'V20261126', 'ANXIOUS', 'NEEL', 'OYELARAN']) {
        expect(!json.includes(phi)).toBeTruthy();
      }
    }
  });
});

describe('parseDftP03 — delimiters and segment separators', () => {
  const base = dft({ ft1: [ft1({ 1: '1', 4: '20261126081500', 6: 'CG', 7: 'CHG-100001^Sponge^HEMCHG', 10: '2^EA&each&ANSI', 13: 'CATH' })] });
  const expected = parse(base);

  it('reads the same message with CR, LF or CRLF separators, blank lines and MLLP framing', () => {
    const variants = [
      base.replaceAll('\r', '\n'),
      base.replaceAll('\r', '\r\n'),
      `${base}\r\n\r\n\n`,
      base.replaceAll('\r', '\r\n\r\n'),
      `\u000b${base}\u001c\r`,
      `\uFEFF${base}`,
    ];
    for (const variant of variants) expect(parse(variant)).toStrictEqual(expected);
  });

  it('discovers swapped delimiters from MSH-1/MSH-2 (MSH^~|\\&, as in the HAPI sample)', () => {
    const swapped = withDelimiters(base, { field: '^', component: '~', repetition: '|', escape: '\\', subcomponent: '&' });
    expect(swapped.startsWith('MSH^~|\\&^EPIC^NMC')).toBeTruthy();
    expect(parse(swapped)).toStrictEqual(expected);
  });

  it('discovers a non-standard set (MSH#~!@$) and the subcomponent separator inside a CQ unit', () => {
    const custom = withDelimiters(base, { field: '#', component: '~', repetition: '!', escape: '@', subcomponent: '$' });
    expect(parse(custom)).toStrictEqual(expected);
    expect(expected.lines[0]?.uom).toBe('EA');
  });

  it('unescapes \\S\\ \\T\\ \\F\\ \\R\\ \\E\\ in the codes it reads', () => {
    const message = parse(dft({ ft1: [ft1({ 1: '1', 6: 'CG', 7: 'A\\S\\B\\T\\C\\F\\D\\R\\E\\E\\F', 10: '1' })] }));
    expect(message.lines[0]?.item.value).toBe('A^B&C|D~E\\F');
  });
});

describe('parseDftP03 — versions', () => {
  for (const version of ['2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.7.1', '2.8', '2.8.2']) {
    it(`accepts MSH-12 ${version}`, () => {
      expect(parse(dft({ version })).lines.length).toBe(1);
    });
  }

  it('rejects versions outside 2.3–2.8 with MSH-12 and code 203', () => {
    for (const version of ['2.2', '2.9', '3.0', 'x']) {
      expect(dataErrorOf(() => parse(dft({ version }))).location).toStrictEqual('MSH-12');
      expect(dataErrorOf(() => parse(dft({ version }))).code).toBe('203');
    }
  });

  it('reports a missing MSH-12 as a required field (101)', () => {
    expect(dataErrorOf(() => parse(dft({ version: '' }))).code).toStrictEqual('101');
  });
});

describe('parseDftP03 — FT1 lines', () => {
  const line = (fields: Record<number, string>) => parse(dft({ ft1: [ft1(fields)] })).lines[0];

  it('treats a negative quantity on a charge as a credit', () => {
    expect([line({ 1: '1', 6: 'CG', 7: 'CHG-100001', 10: '-3' })?.transactionType, line({ 1: '1', 6: 'CG', 7: 'CHG-100001', 10: '-3' })?.quantity]).toStrictEqual(['CREDIT', -3]);
  });

  it('keeps a credit negative when the sender already signed its quantity', () => {
    expect(line({ 1: '1', 6: 'CD', 7: 'CHG-100001', 10: '-3' })?.quantity).toBe(-3);
  });

  it('accepts CH, CHARGE, CR and CREDIT spellings of the transaction type', () => {
    expect(line({ 6: 'CH', 7: 'X', 10: '1' })?.transactionType).toBe('CHARGE');
    expect(line({ 6: 'charge', 7: 'X', 10: '1' })?.transactionType).toBe('CHARGE');
    expect(line({ 6: 'CR', 7: 'X', 10: '1' })?.transactionType).toBe('CREDIT');
    expect(line({ 6: 'Credit', 7: 'X', 10: '1' })?.transactionType).toBe('CREDIT');
  });

  it('defaults an empty FT1-10 to 1, an empty FT1-1 to the ordinal and an empty FT1-4 to MSH-7', () => {
    const message = parse(dft({ ft1: [ft1({ 6: 'CG', 7: 'A' }), ft1({ 6: 'CG', 7: 'B' })] }));
    expect(message.lines.map((l) => [l.lineNumber, l.quantity, l.serviceDate])).toStrictEqual([
        [1, 1, message.occurredAt],
        [2, 1, message.occurredAt],
      ]);
  });

  it('reads a decimal quantity', () => {
    expect(line({ 1: '1', 6: 'CG', 7: 'A', 10: '2.5' })?.quantity).toBe(2.5);
  });

  it('maps FT1-7 to a GTIN when FT1-7.3 names GTIN or GS1', () => {
    expect(line({ 1: '1', 6: 'CG', 7: '10881234500019^Stent^GTIN', 10: '1' })?.item).toStrictEqual({ system: 'GTIN', value: '10881234500019' });
    expect(line({ 1: '1', 6: 'CG', 7: '00881234500029^Guidewire^gs1', 10: '1' })?.item).toStrictEqual({ system: 'GTIN', value: '00881234500029' });
  });

  it('rejects a GTIN-coded FT1-7 that is not 8, 12, 13 or 14 digits', () => {
    expect(dataErrorOf(() => line({ 1: '1', 6: 'CG', 7: 'ABC123^Stent^GTIN', 10: '1' })).location).toBe('FT1[1]-7');
  });

  it('reads a CQ-style quantity^unit and leaves uom undefined without one', () => {
    expect(line({ 1: '1', 6: 'CG', 7: 'A', 10: '2^CS' })?.uom).toBe('CS');
    expect('uom' in (line({ 1: '1', 6: 'CG', 7: 'A', 10: '2' }) ?? {})).toBe(false);
  });

  it('names the field and FT1 repetition of each line error', () => {
    const twoLines = (second: Record<number, string>) => dft({ ft1: [ft1({ 1: '1', 6: 'CG', 7: 'A', 10: '1' }), ft1(second)] });
    const cases: [Record<number, string>, string, string][] = [
      [{ 1: '2', 6: 'CG', 7: 'B', 10: 'ten' }, 'FT1[2]-10', '102'],
      [{ 1: '2', 6: 'CG', 7: 'B', 10: '0' }, 'FT1[2]-10', '102'],
      [{ 1: '2', 6: 'CG', 7: 'B', 10: '1e3' }, 'FT1[2]-10', '102'],
      [{ 1: '2', 6: 'PY', 7: 'B', 10: '1' }, 'FT1[2]-6', '103'],
      [{ 1: '2', 6: '', 7: 'B', 10: '1' }, 'FT1[2]-6', '101'],
      [{ 1: '2', 6: 'CG', 7: '', 10: '1' }, 'FT1[2]-7', '101'],
      [{ 1: '2', 6: 'CG', 7: 'B'.repeat(65), 10: '1' }, 'FT1[2]-7', '102'],
      [{ 1: 'two', 6: 'CG', 7: 'B', 10: '1' }, 'FT1[2]-1', '102'],
      [{ 1: '1', 6: 'CG', 7: 'B', 10: '1' }, 'FT1[2]-1', '205'],
      [{ 1: '2', 4: '2026-11-26', 6: 'CG', 7: 'B', 10: '1' }, 'FT1[2]-4', '102'],
      [{ 1: '2', 4: '20261131', 6: 'CG', 7: 'B', 10: '1' }, 'FT1[2]-4', '102'],
      [{ 1: '2', 6: 'CG', 7: 'B', 10: '1^ABCDEFGHIJKLMNOPQ' }, 'FT1[2]-10', '102'],
      [{ 1: '2', 6: 'CG', 7: 'B', 10: '1', 13: 'D'.repeat(33) }, 'FT1[2]-13', '102'],
    ];
    for (const [fields, location, code] of cases) {
      const error = dataErrorOf(() => parse(twoLines(fields)));
      expect([error.location, error.code]).toStrictEqual([location, code]);
    }
  });
});

describe('parseDftP03 — message-level errors', () => {
  it('rejects another message type on MSH-9 (200) and another trigger event (201)', () => {
    expect(dataErrorOf(() => parse(dft({ messageType: 'ADT^A01' })))).toStrictEqual({ location: 'MSH-9', code: '200', message: 'MSH-9: message type must be DFT^P03' });
    expect(dataErrorOf(() => parse(dft({ messageType: 'DFT^P11^DFT_P11' }))).code).toBe('201');
    expect(dataErrorOf(() => parse(dft({ messageType: '' }))).code).toBe('101');
  });

  it('requires MSH-10, MSH-3, MSH-4 and a valid MSH-7', () => {
    expect(dataErrorOf(() => parse(dft({ controlId: '' }))).location).toBe('MSH-10');
    expect(dataErrorOf(() => parse(dft({ facility: '' }))).location).toBe('MSH-4');
    expect(dataErrorOf(() => parse(dft({ time: '' }))).location).toBe('MSH-7');
    expect(dataErrorOf(() => parse(dft({ time: '20261340' }))).location).toBe('MSH-7');
    expect(dataErrorOf(() => parse(dft({ time: '20261126083000-9900' }))).location).toBe('MSH-7');
    expect(dataErrorOf(() => parse(dft().replace('|EPIC|', '||'))).location).toBe('MSH-3');
  });

  it('takes the universal id of an HD when its namespace is empty', () => {
    expect(parse(dft().replace('|EPIC|', '|^EPIC-UID^ISO|')).sourceSystem).toBe('EPIC-UID');
  });

  it('requires at least one FT1 segment', () => {
    expect(dataErrorOf(() => parse(dft({ ft1: [] })))).toStrictEqual({ location: 'FT1', code: '100', message: 'FT1: a DFT^P03 needs at least one FT1 segment' });
  });

  it('refuses two messages in one body', () => {
    expect(dataErrorOf(() => parse(`${dft()}\r${dft({ controlId: 'CTRL-2' })}`)).location).toBe('MSH');
  });

  it('leaves departmentCode and encounterRef out without PV1, and encounterRef out without PV1-19', () => {
    const noPv1 = parse(dft({ pv1: null, pr1: null }));
    expect('departmentCode' in noPv1 || 'encounterRef' in noPv1 || 'procedureCode' in noPv1).toBe(false);
    const noVisit = parse(dft({ pv1: pv1('ED', '') }));
    expect(noVisit.departmentCode).toBe('ED');
    expect('encounterRef' in noVisit).toBe(false);
  });

  it('derives the encounter reference from facility and visit number only', () => {
    const a = parse(dft({ pv1: pv1('OR', 'V123'), controlId: 'A' }));
    const b = parse(dft({ pv1: pv1('CATH', 'V123', { 7: 'DOC^OTHER' }), controlId: 'B' }));
    const c = parse(dft({ pv1: pv1('OR', 'V123'), facility: 'SCH' }));
    expect(a.encounterRef).toBe(b.encounterRef);
    expect(a.encounterRef).not.toBe(c.encounterRef);
    expect(a.encounterRef).toBe(encounterRef(encounterKey, 'NMC', 'V123'));
  });

  it('rejects non-HL7 input as unparseable (UnparseableMessageError, not a crash)', () => {
    for (const text of ['', '   ', 'hello world', 'MSH', 'MSHELLO|^~\\&|', 'MSH|', 'MSH|abc|EPIC', '{"resourceType":"Procedure"}', 'PID|1||123']) {
      expect(thrown(() => parse(text))).toBeInstanceOf(UnparseableMessageError);
    }
  });
});

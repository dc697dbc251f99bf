import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageMessageSchema } from '../../../contracts/usage';
import { parseDftP03 } from '../../../functions/adapters/hl7v2';
import { DataError, UnparseableMessageError } from '../../../functions/domain/errors';
import { encounterRef } from '../../../functions/domain/encounter-ref';
import { dft, encounterKey, ft1, pv1, readFixture, thrown } from './support';

const parse = (text: string): ReturnType<typeof parseDftP03> => parseDftP03(text, { encounterKey });

/** The DataError `fn` throws, with its location and table 0357 code. */
const dataErrorOf = (fn: () => unknown): { location: string | undefined; code: unknown; message: string } => {
  const e = thrown(fn);
  assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
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
    assert.deepEqual(message, {
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
    assert.equal(message.facilityCode, 'SCH');
    assert.equal(message.messageControlId, 'SCH-DFT-0002');
    assert.equal(message.occurredAt, '2026-11-26T14:15:12.345Z');
    assert.equal(message.departmentCode, 'ICU');
    assert.equal(message.procedureCode, '36556');
    assert.deepEqual(
      message.lines.map((l) => [l.lineNumber, l.item.value, l.quantity, l.uom, l.departmentCode]),
      [
        [1, 'CHG-100003', 1, undefined, undefined],
        [2, 'CHG-100004', 2, 'EA', undefined],
        [3, 'CHG-100005', 1, 'BX', 'OR'],
      ],
    );
  });

  it('reads a v2.8 message whose delimiters are # ~ ! @ $ (MSH-1/MSH-2) and unescapes @F@', () => {
    const text = readFixture('hl7/dft-p03-v28-custom-delims.hl7');
    assert.ok(text.startsWith('MSH#~!@$#'));
    const message = parse(text);
    assert.equal(message.sourceSystem, 'EPIC');
    assert.equal(message.departmentCode, 'CATH');
    assert.equal(message.procedureCode, '93458');
    // MSH-7 is +0100; FT1-4 has no offset and takes the sender's (MSH-7) offset.
    assert.equal(message.occurredAt, '2026-11-26T09:15:00.000Z');
    assert.deepEqual(
      message.lines.map((l) => [l.item.value, l.quantity, l.serviceDate]),
      [
        ['CHG-100001', 3, '2026-11-26T09:05:00.000Z'],
        ['CHG-100006', 1, '2026-11-26T09:10:00.000Z'],
      ],
    );
  });

  it('turns a CD (credit) line into a CREDIT with a negative quantity', () => {
    const [line] = parse(readFixture('hl7/dft-p03-credit.hl7')).lines;
    assert.deepEqual(line, {
      lineNumber: 1,
      item: { system: 'CHARGE', value: 'CHG-100001' },
      quantity: -2,
      transactionType: 'CREDIT',
      serviceDate: '2026-11-26T15:55:00.000Z',
    });
  });

  it('passes unknown charge codes and departments through: mapping them is not the parser’s job', () => {
    assert.equal(parse(readFixture('hl7/dft-p03-unknown-charge.hl7')).lines[0]?.item.value, 'CHG-999999');
    assert.equal(parse(readFixture('hl7/dft-p03-unknown-dept.hl7')).departmentCode, 'XRAY');
  });

  it('names FT1[2]-10 when the second FT1 has a non-numeric quantity', () => {
    assert.deepEqual(dataErrorOf(() => parse(readFixture('hl7/dft-p03-bad-qty.hl7'))), {
      location: 'FT1[2]-10',
      code: '102',
      message: 'FT1[2]-10: quantity is not a number',
    });
  });

  it('rejects text that is not HL7 as unparseable', () => {
    const e = thrown(() => parse(readFixture('hl7/not-hl7.txt')));
    assert.ok(e instanceof UnparseableMessageError);
  });

  it('returns messages that satisfy UsageMessageSchema and carry no patient data', () => {
    for (const name of ['dft-p03-v23.hl7', 'dft-p03-v251-crlf.hl7', 'dft-p03-v28-custom-delims.hl7', 'dft-p03-credit.hl7']) {
      const message = parse(readFixture(`hl7/${name}`));
      assert.ok(UsageMessageSchema.safeParse(message).success, name);
      const json = JSON.stringify(message).toUpperCase();
      for (const phi of ['HALVORSEN', 'BRIGITTA', 'ACHTERBERG', 'QUINTERO', 'MRN', '1967', '19670412', 'LAKESHORE', '555-01', '472-18', 'V20261126', 'ANXIOUS', 'NEEL', 'OYELARAN']) {
        assert.ok(!json.includes(phi), `${name} leaks ${phi}`);
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
    for (const variant of variants) assert.deepEqual(parse(variant), expected);
  });

  it('discovers swapped delimiters from MSH-1/MSH-2 (MSH^~|\\&, as in the HAPI sample)', () => {
    const swapped = withDelimiters(base, { field: '^', component: '~', repetition: '|', escape: '\\', subcomponent: '&' });
    assert.ok(swapped.startsWith('MSH^~|\\&^EPIC^NMC'));
    assert.deepEqual(parse(swapped), expected);
  });

  it('discovers a non-standard set (MSH#~!@$) and the subcomponent separator inside a CQ unit', () => {
    const custom = withDelimiters(base, { field: '#', component: '~', repetition: '!', escape: '@', subcomponent: '$' });
    assert.deepEqual(parse(custom), expected);
    assert.equal(expected.lines[0]?.uom, 'EA');
  });

  it('unescapes \\S\\ \\T\\ \\F\\ \\R\\ \\E\\ in the codes it reads', () => {
    const message = parse(dft({ ft1: [ft1({ 1: '1', 6: 'CG', 7: 'A\\S\\B\\T\\C\\F\\D\\R\\E\\E\\F', 10: '1' })] }));
    assert.equal(message.lines[0]?.item.value, 'A^B&C|D~E\\F');
  });
});

describe('parseDftP03 — versions', () => {
  for (const version of ['2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.7.1', '2.8', '2.8.2']) {
    it(`accepts MSH-12 ${version}`, () => {
      assert.equal(parse(dft({ version })).lines.length, 1);
    });
  }

  it('rejects versions outside 2.3–2.8 with MSH-12 and code 203', () => {
    for (const version of ['2.2', '2.9', '3.0', 'x']) {
      assert.deepEqual(dataErrorOf(() => parse(dft({ version }))).location, 'MSH-12');
      assert.equal(dataErrorOf(() => parse(dft({ version }))).code, '203');
    }
  });

  it('reports a missing MSH-12 as a required field (101)', () => {
    assert.deepEqual(dataErrorOf(() => parse(dft({ version: '' }))).code, '101');
  });
});

describe('parseDftP03 — FT1 lines', () => {
  const line = (fields: Record<number, string>) => parse(dft({ ft1: [ft1(fields)] })).lines[0];

  it('treats a negative quantity on a charge as a credit', () => {
    assert.deepEqual([line({ 1: '1', 6: 'CG', 7: 'CHG-100001', 10: '-3' })?.transactionType, line({ 1: '1', 6: 'CG', 7: 'CHG-100001', 10: '-3' })?.quantity], ['CREDIT', -3]);
  });

  it('keeps a credit negative when the sender already signed its quantity', () => {
    assert.equal(line({ 1: '1', 6: 'CD', 7: 'CHG-100001', 10: '-3' })?.quantity, -3);
  });

  it('accepts CH, CHARGE, CR and CREDIT spellings of the transaction type', () => {
    assert.equal(line({ 6: 'CH', 7: 'X', 10: '1' })?.transactionType, 'CHARGE');
    assert.equal(line({ 6: 'charge', 7: 'X', 10: '1' })?.transactionType, 'CHARGE');
    assert.equal(line({ 6: 'CR', 7: 'X', 10: '1' })?.transactionType, 'CREDIT');
    assert.equal(line({ 6: 'Credit', 7: 'X', 10: '1' })?.transactionType, 'CREDIT');
  });

  it('defaults an empty FT1-10 to 1, an empty FT1-1 to the ordinal and an empty FT1-4 to MSH-7', () => {
    const message = parse(dft({ ft1: [ft1({ 6: 'CG', 7: 'A' }), ft1({ 6: 'CG', 7: 'B' })] }));
    assert.deepEqual(
      message.lines.map((l) => [l.lineNumber, l.quantity, l.serviceDate]),
      [
        [1, 1, message.occurredAt],
        [2, 1, message.occurredAt],
      ],
    );
  });

  it('reads a decimal quantity', () => {
    assert.equal(line({ 1: '1', 6: 'CG', 7: 'A', 10: '2.5' })?.quantity, 2.5);
  });

  it('maps FT1-7 to a GTIN when FT1-7.3 names GTIN or GS1', () => {
    assert.deepEqual(line({ 1: '1', 6: 'CG', 7: '10881234500019^Stent^GTIN', 10: '1' })?.item, { system: 'GTIN', value: '10881234500019' });
    assert.deepEqual(line({ 1: '1', 6: 'CG', 7: '00881234500029^Guidewire^gs1', 10: '1' })?.item, { system: 'GTIN', value: '00881234500029' });
  });

  it('rejects a GTIN-coded FT1-7 that is not 8, 12, 13 or 14 digits', () => {
    assert.equal(dataErrorOf(() => line({ 1: '1', 6: 'CG', 7: 'ABC123^Stent^GTIN', 10: '1' })).location, 'FT1[1]-7');
  });

  it('reads a CQ-style quantity^unit and leaves uom undefined without one', () => {
    assert.equal(line({ 1: '1', 6: 'CG', 7: 'A', 10: '2^CS' })?.uom, 'CS');
    assert.equal('uom' in (line({ 1: '1', 6: 'CG', 7: 'A', 10: '2' }) ?? {}), false);
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
      assert.deepEqual([error.location, error.code], [location, code], JSON.stringify(fields));
    }
  });
});

describe('parseDftP03 — message-level errors', () => {
  it('rejects another message type on MSH-9 (200) and another trigger event (201)', () => {
    assert.deepEqual(dataErrorOf(() => parse(dft({ messageType: 'ADT^A01' }))), { location: 'MSH-9', code: '200', message: 'MSH-9: message type must be DFT^P03' });
    assert.equal(dataErrorOf(() => parse(dft({ messageType: 'DFT^P11^DFT_P11' }))).code, '201');
    assert.equal(dataErrorOf(() => parse(dft({ messageType: '' }))).code, '101');
  });

  it('requires MSH-10, MSH-3, MSH-4 and a valid MSH-7', () => {
    assert.equal(dataErrorOf(() => parse(dft({ controlId: '' }))).location, 'MSH-10');
    assert.equal(dataErrorOf(() => parse(dft({ facility: '' }))).location, 'MSH-4');
    assert.equal(dataErrorOf(() => parse(dft({ time: '' }))).location, 'MSH-7');
    assert.equal(dataErrorOf(() => parse(dft({ time: '20261340' }))).location, 'MSH-7');
    assert.equal(dataErrorOf(() => parse(dft({ time: '20261126083000-9900' }))).location, 'MSH-7');
    assert.equal(dataErrorOf(() => parse(dft().replace('|EPIC|', '||'))).location, 'MSH-3');
  });

  it('takes the universal id of an HD when its namespace is empty', () => {
    assert.equal(parse(dft().replace('|EPIC|', '|^EPIC-UID^ISO|')).sourceSystem, 'EPIC-UID');
  });

  it('requires at least one FT1 segment', () => {
    assert.deepEqual(dataErrorOf(() => parse(dft({ ft1: [] }))), { location: 'FT1', code: '100', message: 'FT1: a DFT^P03 needs at least one FT1 segment' });
  });

  it('refuses two messages in one body', () => {
    assert.equal(dataErrorOf(() => parse(`${dft()}\r${dft({ controlId: 'CTRL-2' })}`)).location, 'MSH');
  });

  it('leaves departmentCode and encounterRef out without PV1, and encounterRef out without PV1-19', () => {
    const noPv1 = parse(dft({ pv1: null, pr1: null }));
    assert.equal('departmentCode' in noPv1 || 'encounterRef' in noPv1 || 'procedureCode' in noPv1, false);
    const noVisit = parse(dft({ pv1: pv1('ED', '') }));
    assert.equal(noVisit.departmentCode, 'ED');
    assert.equal('encounterRef' in noVisit, false);
  });

  it('derives the encounter reference from facility and visit number only', () => {
    const a = parse(dft({ pv1: pv1('OR', 'V123'), controlId: 'A' }));
    const b = parse(dft({ pv1: pv1('CATH', 'V123', { 7: 'DOC^OTHER' }), controlId: 'B' }));
    const c = parse(dft({ pv1: pv1('OR', 'V123'), facility: 'SCH' }));
    assert.equal(a.encounterRef, b.encounterRef);
    assert.notEqual(a.encounterRef, c.encounterRef);
    assert.equal(a.encounterRef, encounterRef(encounterKey, 'NMC', 'V123'));
  });

  it('rejects non-HL7 input as unparseable (UnparseableMessageError, not a crash)', () => {
    for (const text of ['', '   ', 'hello world', 'MSH', 'MSHELLO|^~\\&|', 'MSH|', 'MSH|abc|EPIC', '{"resourceType":"Procedure"}', 'PID|1||123']) {
      assert.ok(thrown(() => parse(text)) instanceof UnparseableMessageError, JSON.stringify(text));
    }
  });
});

import { describe, expect, it } from '@jest/globals';
import { parseX12, repetitionsAt, textAt } from '../../../functions/adapters/x12';
import { expectTruthy } from '../../support/expect-narrowing';
import { nodeX12Parse, nodeX12Rows, readX12Fixture } from './support';

const ISA_5010 = 'ISA*00*          *00*          *ZZ*MEDLINE        *ZZ*HEMHOSPITAL    *260305*1432*^*00501*000000101*0*P*:~';

/** A one-set 855 interchange with the given envelope pieces. */
const interchange855 = (options: { isa?: string; se?: string; ge?: string; iea?: string; sep?: string } = {}): string =>
  [
    options.isa ?? ISA_5010,
    'GS*PR*MEDLINE*HEMHOSPITAL*20260305*1432*101*X*005010~',
    'ST*855*0001~',
    'BAK*00*AD*HEM-PO-1*20260305~',
    options.se ?? 'SE*3*0001~',
    options.ge ?? 'GE*1*101~',
    options.iea ?? 'IEA*1*000000101~',
  ].join(options.sep ?? '\n');

describe('parseX12', () => {
  it('takes every delimiter from the ISA: element, component, terminator and the line break after it', () => {
    const result = parseX12(readX12Fixture('medline_855_5010.edi'));
    expect(result.findings.length).toBe(0);
    const [ic] = result.interchanges;
    expect(ic).toBeTruthy();
    expect(ic.delimiters).toStrictEqual({ element: '*', component: ':', segment: '~', repetition: '^', lineBreak: '\n' });
    expect(ic.header.senderId).toBe('MEDLINE');
    expect(ic.header.receiverId).toBe('HEMHOSPITAL');
    expect(ic.header.version).toBe('00501');
    expect(ic.header.controlNumber).toBe('000004711');
    expect(ic.findings).toStrictEqual([]);
  });

  it('numbers segments from ST = 1 inside the set and from ISA = 1 in the interchange', () => {
    const [ic] = parseX12(readX12Fixture('medline_855_5010.edi')).interchanges;
    const set = ic?.groups[0]?.sets[0];
    expect(set).toBeTruthy();
    expect(set.segments.map((s) => s.positionInSet)).toStrictEqual(set.segments.map((_, i) => i + 1));
    expect(set.segments[0]?.id).toBe('ST');
    expect(set.segments[0]?.indexInInterchange).toBe(3);
    expect(set.segments[1]?.id).toBe('BAK');
    expect(set.trailer?.id).toBe('SE');
    expect(set.trailer?.positionInSet).toBe(set.segments.length);
  });

  it('reads the same segments as node-x12 for every well-formed Medline fixture', () => {
    for (const name of ['medline_855_5010.edi', 'medline_855_4010.edi', 'medline_856_5010.edi', 'medline_856_4010.edi', 'medline_810_5010.edi', 'medline_810_4010.edi']) {
      const text = readX12Fixture(name);
      const ours = parseX12(text).interchanges.flatMap((i) => i.groups.flatMap((g) => g.sets.map((s) => s.segments.slice(1, -1).map((seg) => [seg.id, ...seg.elements]))));
      expect(ours).toStrictEqual(nodeX12Rows(nodeX12Parse(text)));
    }
  });

  it('reads a newline-terminated interchange with | and } delimiters, an unpadded ISA06, a BOM, a blank line and a CR', () => {
    const result = parseX12(readX12Fixture('medline_856_messy_newlines.edi'));
    const [ic] = result.interchanges;
    expect(ic).toBeTruthy();
    expect(ic.delimiters).toStrictEqual({ element: '|', component: '}', segment: '\n', repetition: '^', lineBreak: '' });
    expect(ic.header.senderId).toBe('MEDLINE');
    expect(ic.iea?.elements[1]).toBe('000004741');
    expect(ic.findings.filter((f) => f.severity === 'error').length).toBe(0);
    expect(ic.findings.some((f) => f.severity === 'warning' && /not padded/.test(f.message))).toBeTruthy();
    const set = ic.groups[0]?.sets[0];
    expect(set?.findings).toStrictEqual([]);
    const sn1 = set?.segments.find((s) => s.id === 'SN1');
    expect(sn1?.elements).toStrictEqual(['1', '6', 'BX']);
  });

  it('finds several interchanges, groups and sets in one payload, each with its own delimiters', () => {
    const other = interchange855({ sep: '' }).replaceAll('*', '!');
    const payload = `${readX12Fixture('medline_855_4010.edi')}${readX12Fixture('medline_810_5010.edi')}\r\n${other}`;
    const result = parseX12(payload);
    expect(result.interchanges.length).toBe(3);
    expect(result.interchanges.map((i) => i.delimiters.element)).toStrictEqual(['*', '*', '!']);
    expect(result.interchanges.map((i) => i.groups.flatMap((g) => g.sets.map((s) => s.id)))).toStrictEqual([['855'], ['810'], ['855']]);
  });

  it('keeps a value containing the ISA11 repetition separator whole (4060, ISA11 "-")', () => {
    const text = readX12Fixture('medline_856_4010.edi').replace('*U*00401*', '*-*00406*').replace('PRF*HEM-PO-000124', 'PRF*999999-001');
    const [ic] = parseX12(text).interchanges;
    expect(ic?.delimiters.repetition).toBe('-');
    const prf = ic?.groups[0]?.sets[0]?.segments.find((s) => s.id === 'PRF');
    expectTruthy(prf);
    expect(textAt(prf, 1)).toBe('999999-001');
    expect(repetitionsAt(prf, 1, ic.delimiters)).toStrictEqual(['999999', '001']);
  });

  it('treats ISA11 as the standards id, not a separator, before 00402', () => {
    const [ic] = parseX12(readX12Fixture('medline_855_4010.edi')).interchanges;
    expect(ic?.header.isa11).toBe('U');
    expect(ic?.delimiters.repetition).toBe(undefined);
  });

  it('reports SE01 and SE02 that disagree with the set as set findings 4 and 3', () => {
    const [ic] = parseX12(interchange855({ se: 'SE*4*0002~' })).interchanges;
    const findings = ic?.groups[0]?.sets[0]?.findings ?? [];
    expect(findings.map((f) => [f.code, f.segmentId, f.segmentPosition, f.elementPosition])).toStrictEqual([
        ['4', 'SE', 3, 1],
        ['3', 'SE', 3, 2],
      ]);
  });

  it('reports GE01/GE02 and IEA01/IEA02 that disagree as group codes 5/4 and TA1 notes 021/001', () => {
    const [ic] = parseX12(interchange855({ ge: 'GE*2*102~', iea: 'IEA*3*000000102~' })).interchanges;
    expect(ic?.groups[0]?.findings.map((f) => f.code)).toStrictEqual(['5', '4']);
    expect(ic?.findings.map((f) => f.code)).toStrictEqual(['021', '001']);
  });

  it('reports missing SE, GE and IEA trailers instead of throwing', () => {
    const text = [ISA_5010, 'GS*PR*MEDLINE*HEMHOSPITAL*20260305*1432*101*X*005010~', 'ST*855*0001~', 'BAK*00*AD*HEM-PO-1*20260305~'].join('\n');
    const [ic] = parseX12(text).interchanges;
    expect(ic?.groups[0]?.sets[0]?.findings.map((f) => f.code)).toStrictEqual(['2']);
    expect(ic?.groups[0]?.findings.map((f) => f.code)).toStrictEqual(['3']);
    expect(ic?.findings.map((f) => f.code)).toStrictEqual(['023']);
  });

  it('reports segments outside any transaction set as invalid interchange content (024)', () => {
    const text = interchange855().replace('GE*1*101~', 'REF*ZZ*STRAY~\nGE*1*101~');
    const [ic] = parseX12(text).interchanges;
    expect(ic?.findings[0]?.code).toBe('024');
    expect(ic?.findings[0]?.segmentId).toBe('REF');
    expect(ic?.findings[0]?.interchangeIndex).toBe(6);
  });

  it('flags a truncated ISA as premature end of file and a payload without ISA as unreadable', () => {
    const truncated = parseX12(ISA_5010.slice(0, 60));
    expect(truncated.interchanges[0]?.findings[0]?.code).toBe('023');
    const none = parseX12('hello, this is not EDI');
    expect(none.interchanges.length).toBe(0);
    expect(none.findings.at(-1)?.message).toBe('no ISA interchange header found');
    expect(parseX12('').interchanges).toStrictEqual([]);
  });

  it('rejects a segment terminator that is a letter (004) and resumes at the next ISA', () => {
    const bad = ISA_5010.replace(':~', ':X');
    const result = parseX12(`${bad}GS*PR~\n${interchange855()}`);
    expect(result.interchanges.length).toBe(2);
    expect(result.interchanges[0]?.findings[0]?.code).toBe('004');
    expect(result.interchanges[1]?.findings).toStrictEqual([]);
  });

  it('does not take "ISA" inside data for an interchange header', () => {
    const text = interchange855().replace('BAK*00*AD*HEM-PO-1', 'BAK*00*AD*DISA*BLE');
    const result = parseX12(text);
    expect(result.interchanges.length).toBe(1);
  });
});

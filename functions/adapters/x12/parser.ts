/**
 * The X12 tokenizer and envelope reader: `parseX12` finds every interchange of a payload, takes
 * each one's delimiters from its own ISA, and splits it into groups and transaction sets, keeping
 * every segment's position for the acknowledgments.
 *
 * Written here rather than on node-x12: node-x12 throws on an ISA whose ISA06/ISA08 is not padded
 * (and mis-reads its delimiters in loose mode), merges several interchanges into one in loose mode,
 * and reports problems as exceptions, while a supplier endpoint needs every problem as a finding
 * with its segment position. node-x12 stays the independent parser the tests check against.
 *
 * Messiness tolerated (with a warning finding where a partner may want to know):
 * - any delimiters, as long as they are distinct punctuation;
 * - CR/LF (and blanks) between segments, or a newline as the terminator itself;
 * - an ISA not 106 characters wide (ISA06/ISA08 not padded);
 * - ISA11 `-` or any other repetition separator that also occurs in data: values are never split
 *   on it here (only {@link repetitionsAt} splits, for elements defined as repeating);
 * - empty segments (doubled terminators), a missing final terminator, a BOM, junk around interchanges.
 */
import { InterchangeNote, GroupError, SetError } from './codes';
import { isValidX12Time, x12DateToIso } from './datetime';
import type {
  X12Delimiters,
  X12Finding,
  X12FunctionalGroup,
  X12Interchange,
  X12InterchangeHeader,
  X12ParseResult,
  X12Segment,
  X12TransactionSet,
} from './types';

/** ISA fixed width including its terminator, and the furthest we look for its 16 separators. */
const ISA_WIDTH = 106;
const ISA_SCAN_LIMIT = 300;

const isAlphanumeric = (char: string): boolean => /^[A-Za-z0-9]$/.test(char);
const isBlank = (char: string | undefined): boolean => char === '\r' || char === '\n' || char === ' ' || char === '\t' || char === '\uFEFF';

/** Interchange id qualifiers (I05) HEM accepts in ISA05/ISA07. */
const ID_QUALIFIERS = new Set([
  '01', '02', '03', '04', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20',
  '21', '22', '23', '24', '25', '26', '27', '28', '29', '30', '31', '32', '33', '34', '35', '36', '37', '38', 'AM', 'NR', 'SA', 'SN', 'ZZ',
]);

/** True for an interchange id qualifier (I05) HEM accepts in ISA05/ISA07. */
export const isKnownIdQualifier = (value: string): boolean => ID_QUALIFIERS.has(value);

/** Where the next interchange header starts at or after `from`: `ISA` followed by punctuation. */
const findIsa = (text: string, from: number): number => {
  let at = text.indexOf('ISA', from);
  while (at >= 0) {
    const next = text[at + 3];
    const before = at === 0 ? undefined : text[at - 1];
    // "ISA" inside data (DISABLE*…) is not a header: a header starts a segment.
    const startsSegment = before === undefined || !isAlphanumeric(before);
    if (next !== undefined && !isAlphanumeric(next) && !isBlank(next) && startsSegment) return at;
    at = text.indexOf('ISA', at + 1);
  }
  return -1;
};

const skipBlanks = (text: string, from: number, keep?: string): number => {
  let at = from;
  while (at < text.length && isBlank(text[at]) && text[at] !== keep) at += 1;
  return at;
};

/** Reads the element at 1-based `position` of a segment, raw; undefined when absent. */
export const elementAt = (segment: X12Segment, position: number): string | undefined => segment.elements[position - 1];

/** The element at 1-based `position`, trimmed; undefined when absent or blank. */
export const textAt = (segment: X12Segment, position: number): string | undefined => {
  const value = segment.elements[position - 1]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/** Splits a composite element into its components (1-based component n is `result[n - 1]`). */
export const componentsAt = (segment: X12Segment, position: number, delimiters: X12Delimiters): string[] =>
  (segment.elements[position - 1] ?? '').split(delimiters.component);

/**
 * Splits an element defined as repeating on the repetition separator. Only for elements whose
 * definition repeats: a separator that also appears in data (ISA11 `-` and `999999-001`) must not
 * cut an ordinary value.
 */
export const repetitionsAt = (segment: X12Segment, position: number, delimiters: X12Delimiters): string[] => {
  const value = segment.elements[position - 1] ?? '';
  return delimiters.repetition === undefined ? [value] : value.split(delimiters.repetition);
};

/** A number read from an N0/N2/R element; undefined when blank or not a number. */
export const numberAt = (segment: X12Segment, position: number, impliedDecimals = 0): number | undefined => {
  const value = textAt(segment, position);
  if (value === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)([Ee][+-]?\d+)?$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n / 10 ** impliedDecimals : undefined;
};

interface IsaRead {
  fields: string[];
  delimiters?: X12Delimiters;
  /** Where the first segment after the ISA starts. */
  next: number;
  findings: X12Finding[];
  /** The ISA could not be read far enough to tokenize the rest. */
  fatal: boolean;
}

const interchangeFinding = (code: string, message: string, offset: number, severity: 'error' | 'warning' = 'error'): X12Finding => ({
  level: 'interchange',
  severity,
  code,
  message,
  segmentId: 'ISA',
  interchangeIndex: 1,
  offset,
});

/** Reads an ISA at `start`: delimiters first (fixed width when it is, by counting separators when not). */
const readIsa = (text: string, start: number): IsaRead => {
  const findings: X12Finding[] = [];
  const element = text[start + 3] as string;
  if (isBlank(element) || isAlphanumeric(element)) {
    findings.push(interchangeFinding(InterchangeNote.InvalidElementSeparator, 'ISA data element separator is not a punctuation character', start));
    return { fields: [], next: start + 3, findings, fatal: true };
  }
  let sixteenth = -1;
  if (text[start + ISA_WIDTH - 3] === element && text.slice(start, start + ISA_WIDTH - 3).split(element).length === 16) {
    sixteenth = start + ISA_WIDTH - 3;
  } else {
    let count = 0;
    for (let at = start + 3; at < Math.min(text.length, start + ISA_SCAN_LIMIT); at += 1) {
      if (text[at] === element) {
        count += 1;
        if (count === 16) {
          sixteenth = at;
          break;
        }
      }
    }
  }
  if (sixteenth < 0) {
    const premature = text.length - start < ISA_SCAN_LIMIT;
    findings.push(
      interchangeFinding(
        premature ? InterchangeNote.PrematureEndOfFile : InterchangeNote.InvalidControlStructure,
        premature ? 'payload ends inside the ISA segment' : 'ISA segment does not have 16 elements',
        start,
      ),
    );
    return { fields: text.slice(start, Math.min(text.length, start + ISA_WIDTH)).split(element), next: text.length, findings, fatal: true };
  }
  const fields = text.slice(start, sixteenth).split(element);
  const component = text[sixteenth + 1];
  const segment = text[sixteenth + 2];
  if (component === undefined || segment === undefined) {
    findings.push(interchangeFinding(InterchangeNote.PrematureEndOfFile, 'payload ends inside the ISA segment, before its segment terminator', start));
    return { fields, next: text.length, findings, fatal: true };
  }
  fields.push(component);
  if (isAlphanumeric(segment) || segment === element || segment === ' ' || segment === component) {
    findings.push(interchangeFinding(InterchangeNote.InvalidSegmentTerminator, 'segment terminator after ISA16 is not a distinct punctuation character', start));
    return { fields, next: sixteenth + 3, findings, fatal: true };
  }
  if (isAlphanumeric(component) || component === element || isBlank(component)) {
    findings.push(interchangeFinding(InterchangeNote.InvalidComponentSeparator, 'ISA16 component separator is not a distinct punctuation character', start));
  }
  if (sixteenth + 3 - start !== ISA_WIDTH) {
    findings.push(
      interchangeFinding(
        InterchangeNote.InvalidControlStructure,
        `ISA is ${sixteenth + 3 - start} characters instead of ${ISA_WIDTH} (ISA06/ISA08 not padded?); read by its separators`,
        start,
        'warning',
      ),
    );
  }
  let next = sixteenth + 3;
  let lineBreak = '';
  while ((text[next] === '\r' || text[next] === '\n') && text[next] !== segment && lineBreak.length < 2) {
    lineBreak += text[next];
    next += 1;
  }
  const version = (fields[12] ?? '').trim();
  const isa11 = fields[11] ?? '';
  const repetitionCandidate = version >= '00402' && isa11.length === 1 && !isAlphanumeric(isa11) && !isBlank(isa11);
  const repetition = repetitionCandidate && isa11 !== element && isa11 !== component && isa11 !== segment ? isa11 : undefined;
  return {
    fields,
    delimiters: { element, component, segment, lineBreak, ...(repetition === undefined ? {} : { repetition }) },
    next,
    findings,
    fatal: false,
  };
};

/** Field-level checks of the ISA, with the TA105 note code each one earns. */
const checkIsaFields = (header: X12InterchangeHeader, fields: string[], offset: number): X12Finding[] => {
  const findings: X12Finding[] = [];
  const fail = (code: string, message: string): void => {
    findings.push(interchangeFinding(code, message, offset));
  };
  if (fields.length !== 17) fail(InterchangeNote.InvalidControlStructure, `ISA has ${fields.length - 1} elements instead of 16`);
  if (!['00', '01', '02', '03', '04', '05', '06'].includes(header.authorizationQualifier)) fail(InterchangeNote.InvalidAuthorizationQualifier, 'ISA01 authorization qualifier is not a known code');
  if (!['00', '01'].includes(header.securityQualifier)) fail(InterchangeNote.InvalidSecurityQualifier, 'ISA03 security qualifier is not a known code');
  if (!ID_QUALIFIERS.has(header.senderQualifier)) fail(InterchangeNote.InvalidSenderQualifier, 'ISA05 sender id qualifier is not a known code');
  if (header.senderId === '' || header.senderId.length > 15) fail(InterchangeNote.InvalidSenderId, 'ISA06 sender id is blank or longer than 15');
  if (!ID_QUALIFIERS.has(header.receiverQualifier)) fail(InterchangeNote.InvalidReceiverQualifier, 'ISA07 receiver id qualifier is not a known code');
  if (header.receiverId === '' || header.receiverId.length > 15) fail(InterchangeNote.InvalidReceiverId, 'ISA08 receiver id is blank or longer than 15');
  if (x12DateToIso(header.date) === undefined || header.date.length !== 6) fail(InterchangeNote.InvalidDate, 'ISA09 is not a valid YYMMDD date');
  if (header.time.length !== 4 || !isValidX12Time(header.time)) fail(InterchangeNote.InvalidTime, 'ISA10 is not a valid HHMM time');
  if (!/^\d{5}$/.test(header.version)) fail(InterchangeNote.InvalidVersionId, 'ISA12 version is not 5 digits');
  if (!/^\d{9}$/.test(header.controlNumber)) fail(InterchangeNote.InvalidControlNumber, 'ISA13 control number is not 9 digits');
  if (!['0', '1'].includes(header.acknowledgmentRequested)) fail(InterchangeNote.InvalidAckRequested, 'ISA14 acknowledgment requested is not 0 or 1');
  if (!['P', 'T', 'I'].includes(header.usage)) fail(InterchangeNote.InvalidTestIndicator, 'ISA15 usage indicator is not P, T or I');
  return findings;
};

const headerOf = (fields: string[]): X12InterchangeHeader => ({
  authorizationQualifier: (fields[1] ?? '').trim(),
  securityQualifier: (fields[3] ?? '').trim(),
  senderQualifier: (fields[5] ?? '').trim(),
  senderId: (fields[6] ?? '').trim(),
  receiverQualifier: (fields[7] ?? '').trim(),
  receiverId: (fields[8] ?? '').trim(),
  date: (fields[9] ?? '').trim(),
  time: (fields[10] ?? '').trim(),
  isa11: fields[11] ?? '',
  version: (fields[12] ?? '').trim(),
  controlNumber: (fields[13] ?? '').trim(),
  acknowledgmentRequested: (fields[14] ?? '').trim(),
  usage: (fields[15] ?? '').trim(),
});

/** Reads a trailer count (SE01, GE01, IEA01); NaN when it is not digits. */
const count = (value: string | undefined): number => (value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN);

/** GE02 and GS06 (N0 elements) agree: numerically when both are digits, else as text. */
const sameControlNumber = (a: string | undefined, b: string | undefined): boolean => {
  const x = (a ?? '').trim();
  const y = (b ?? '').trim();
  return /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) === Number(y) : x === y;
};

interface InterchangeRead {
  interchange: X12Interchange;
  next: number;
}

/** Tokenizes one interchange starting at the ISA at `start`. */
const readInterchange = (text: string, start: number, index: number): InterchangeRead => {
  const isaRead = readIsa(text, start);
  const header = headerOf(isaRead.fields);
  const isa: X12Segment = { id: 'ISA', elements: isaRead.fields.slice(1), offset: start, indexInInterchange: 1 };
  const delimiters: X12Delimiters = isaRead.delimiters ?? { element: text[start + 3] ?? '*', component: ':', segment: '~', lineBreak: '' };
  const interchange: X12Interchange = { header, delimiters, isa, groups: [], offset: start, index, findings: [...isaRead.findings] };
  if (isaRead.fatal) {
    // Without trustworthy delimiters nothing after the ISA can be split: resume at the next ISA.
    const resume = findIsa(text, start + 3);
    return { interchange, next: resume < 0 ? text.length : resume };
  }
  interchange.findings.push(...checkIsaFields(header, isaRead.fields, start));

  const { element, segment: terminator } = delimiters;
  let at = isaRead.next;
  let segmentIndex = 1;
  let group: X12FunctionalGroup | undefined;
  let set: X12TransactionSet | undefined;
  let setControlNumbers = new Set<string>();
  const groupControlNumbers = new Set<string>();
  let groupsCounted = 0;
  let strayReported = false;

  const outsideFinding = (seg: X12Segment, where: string): void => {
    if (strayReported) return;
    strayReported = true;
    interchange.findings.push({
      level: 'interchange',
      severity: 'error',
      code: InterchangeNote.InvalidContent,
      message: `segment ${seg.id} at interchange index ${seg.indexInInterchange} is ${where}`,
      segmentId: seg.id,
      interchangeIndex: seg.indexInInterchange,
      offset: seg.offset,
    });
  };
  const closeSet = (trailer: X12Segment | undefined): void => {
    if (set === undefined) return;
    const open = set;
    set = undefined;
    if (trailer === undefined) {
      open.findings.push({
        level: 'set',
        severity: 'error',
        code: SetError.TrailerMissing,
        message: `transaction set ${open.controlNumber} has no SE trailer`,
        segmentId: 'SE',
        segmentPosition: open.segments.length + 1,
      });
      return;
    }
    open.trailer = trailer;
    const declared = count(trailer.elements[0]);
    if (declared !== open.segments.length) {
      open.findings.push({
        level: 'set',
        severity: 'error',
        code: SetError.SegmentCountMismatch,
        message: `SE01 says ${Number.isNaN(declared) ? 'no number' : declared} segments, the set has ${open.segments.length}`,
        segmentId: 'SE',
        segmentPosition: trailer.positionInSet,
        elementPosition: 1,
        interchangeIndex: trailer.indexInInterchange,
      });
    }
    if ((trailer.elements[1] ?? '').trim() !== open.controlNumber) {
      open.findings.push({
        level: 'set',
        severity: 'error',
        code: SetError.ControlNumberMismatch,
        message: 'SE02 does not match ST02',
        segmentId: 'SE',
        segmentPosition: trailer.positionInSet,
        elementPosition: 2,
        interchangeIndex: trailer.indexInInterchange,
      });
    }
  };
  const closeGroup = (trailer: X12Segment | undefined): void => {
    closeSet(undefined);
    if (group === undefined) return;
    const open = group;
    group = undefined;
    if (trailer === undefined) {
      open.findings.push({ level: 'group', severity: 'error', code: GroupError.TrailerMissing, message: `functional group ${open.controlNumber} has no GE trailer`, segmentId: 'GE' });
      return;
    }
    open.trailer = trailer;
    const declared = count(trailer.elements[0]);
    if (declared !== open.sets.length) {
      open.findings.push({
        level: 'group',
        severity: 'error',
        code: GroupError.SetCountMismatch,
        message: `GE01 says ${Number.isNaN(declared) ? 'no number' : declared} transaction sets, the group has ${open.sets.length}`,
        segmentId: 'GE',
        interchangeIndex: trailer.indexInInterchange,
        elementPosition: 1,
      });
    }
    if (!sameControlNumber(trailer.elements[1], open.controlNumber)) {
      open.findings.push({
        level: 'group',
        severity: 'error',
        code: GroupError.ControlNumberMismatch,
        message: 'GE02 does not match GS06',
        segmentId: 'GE',
        interchangeIndex: trailer.indexInInterchange,
        elementPosition: 2,
      });
    }
  };

  for (;;) {
    at = skipBlanks(text, at, terminator);
    if (at >= text.length) {
      closeGroup(undefined);
      interchange.findings.push({
        level: 'interchange',
        severity: 'error',
        code: InterchangeNote.PrematureEndOfFile,
        message: `interchange ${header.controlNumber} has no IEA trailer`,
        segmentId: 'IEA',
        offset: text.length,
      });
      return { interchange, next: text.length };
    }
    // A new ISA before this one's IEA: the IEA is missing; the outer loop reads the new interchange.
    if (text.startsWith('ISA', at) && findIsa(text, at) === at) {
      closeGroup(undefined);
      interchange.findings.push({
        level: 'interchange',
        severity: 'error',
        code: InterchangeNote.PrematureEndOfFile,
        message: `interchange ${header.controlNumber} has no IEA trailer before the next ISA`,
        segmentId: 'IEA',
        offset: at,
      });
      return { interchange, next: at };
    }
    let end = text.indexOf(terminator, at);
    const terminated = end >= 0;
    if (!terminated) end = text.length;
    let raw = text.slice(at, end);
    while (raw.endsWith('\r') || raw.endsWith('\n')) raw = raw.slice(0, -1);
    const offset = at;
    at = terminated ? end + 1 : end;
    if (raw.trim() === '') {
      interchange.findings.push({ level: 'interchange', severity: 'warning', code: InterchangeNote.InvalidContent, message: 'empty segment (doubled terminator) ignored', offset });
      continue;
    }
    const parts = raw.split(element);
    segmentIndex += 1;
    const seg: X12Segment = { id: (parts[0] as string).trim(), elements: parts.slice(1), offset, indexInInterchange: segmentIndex };
    if (!terminated) {
      interchange.findings.push({
        level: 'interchange',
        severity: 'warning',
        code: InterchangeNote.InvalidSegmentTerminator,
        message: `last segment ${seg.id} has no segment terminator`,
        segmentId: seg.id,
        interchangeIndex: segmentIndex,
        offset,
      });
    }
    switch (seg.id) {
      case 'IEA': {
        closeGroup(undefined);
        interchange.iea = seg;
        const declared = count(seg.elements[0]);
        if (declared !== groupsCounted) {
          interchange.findings.push({
            level: 'interchange',
            severity: 'error',
            code: InterchangeNote.InvalidGroupCount,
            message: `IEA01 says ${Number.isNaN(declared) ? 'no number' : declared} functional groups, the interchange has ${groupsCounted}`,
            segmentId: 'IEA',
            interchangeIndex: segmentIndex,
            elementPosition: 1,
            offset,
          });
        }
        if ((seg.elements[1] ?? '').trim() !== header.controlNumber) {
          interchange.findings.push({
            level: 'interchange',
            severity: 'error',
            code: InterchangeNote.ControlNumberMismatch,
            message: 'IEA02 does not match ISA13',
            segmentId: 'IEA',
            interchangeIndex: segmentIndex,
            elementPosition: 2,
            offset,
          });
        }
        return { interchange, next: at };
      }
      case 'GS': {
        closeGroup(undefined);
        groupsCounted += 1;
        const controlNumber = (seg.elements[5] ?? '').trim();
        group = {
          functionalId: (seg.elements[0] ?? '').trim(),
          senderId: (seg.elements[1] ?? '').trim(),
          receiverId: (seg.elements[2] ?? '').trim(),
          controlNumber,
          version: (seg.elements[7] ?? '').trim(),
          header: seg,
          sets: [],
          findings: [],
        };
        if (!/^\d{1,9}$/.test(controlNumber)) {
          group.findings.push({ level: 'group', severity: 'error', code: GroupError.ControlNumberInvalid, message: 'GS06 is not 1–9 digits', segmentId: 'GS', elementPosition: 6 });
        } else if (groupControlNumbers.has(controlNumber)) {
          group.findings.push({ level: 'group', severity: 'error', code: GroupError.ControlNumberNotUnique, message: 'GS06 repeats an earlier group of this interchange', segmentId: 'GS', elementPosition: 6 });
        }
        groupControlNumbers.add(controlNumber);
        setControlNumbers = new Set();
        interchange.groups.push(group);
        break;
      }
      case 'GE':
        if (group === undefined) outsideFinding(seg, 'a GE without a GS');
        else closeGroup(seg);
        break;
      case 'ST': {
        if (group === undefined) {
          outsideFinding(seg, 'a transaction set outside any functional group');
          break;
        }
        closeSet(undefined);
        seg.positionInSet = 1;
        const controlNumber = (seg.elements[1] ?? '').trim();
        const implementationReference = seg.elements[2]?.trim();
        set = {
          id: (seg.elements[0] ?? '').trim(),
          controlNumber,
          ...(implementationReference ? { implementationReference } : {}),
          header: seg,
          segments: [seg],
          findings: [],
        };
        if (!/^\d{3}$/.test(set.id)) {
          set.findings.push({ level: 'set', severity: 'error', code: SetError.InvalidSetId, message: 'ST01 is not a 3-digit transaction set id', segmentId: 'ST', segmentPosition: 1, elementPosition: 1 });
        }
        if (controlNumber.length < 4 || controlNumber.length > 9) {
          set.findings.push({ level: 'set', severity: 'error', code: SetError.InvalidControlNumber, message: 'ST02 is not 4–9 characters', segmentId: 'ST', segmentPosition: 1, elementPosition: 2 });
        } else if (setControlNumbers.has(controlNumber)) {
          set.findings.push({ level: 'set', severity: 'error', code: SetError.ControlNumberNotUnique, message: 'ST02 repeats an earlier set of this group', segmentId: 'ST', segmentPosition: 1, elementPosition: 2 });
        }
        setControlNumbers.add(controlNumber);
        group.sets.push(set);
        break;
      }
      case 'SE':
        if (set === undefined) {
          outsideFinding(seg, 'an SE without an ST');
          break;
        }
        seg.positionInSet = set.segments.length + 1;
        set.segments.push(seg);
        closeSet(seg);
        break;
      case 'TA1':
        // A TA1 may travel between the ISA and the first GS; anywhere else it is misplaced.
        if (group !== undefined || interchange.groups.length > 0) outsideFinding(seg, 'a TA1 after a functional group');
        break;
      default:
        if (set !== undefined) {
          seg.positionInSet = set.segments.length + 1;
          set.segments.push(seg);
        } else {
          outsideFinding(seg, group === undefined ? 'outside any functional group' : 'outside any transaction set');
        }
    }
  }
};

/**
 * Parses an X12 payload: every interchange it holds, each with its own delimiters from its ISA,
 * split into functional groups and transaction sets. Never throws: unreadable envelopes, missing
 * or wrong trailers and stray content become {@link X12Finding}s on the level that reports them.
 *
 * @param text the payload as received (any mix of CR/LF between segments is fine)
 */
export const parseX12 = (text: string): X12ParseResult => {
  const result: X12ParseResult = { interchanges: [], findings: [] };
  if (typeof text !== 'string') {
    result.findings.push({ level: 'payload', severity: 'error', code: InterchangeNote.InvalidControlStructure, message: 'payload is not text' });
    return result;
  }
  let at = 0;
  while (at < text.length) {
    at = skipBlanks(text, at);
    if (at >= text.length) break;
    const isa = findIsa(text, at);
    if (isa < 0 || isa > at) {
      result.findings.push({
        level: 'payload',
        severity: result.interchanges.length === 0 ? 'error' : 'warning',
        code: InterchangeNote.InvalidControlStructure,
        message: `${(isa < 0 ? text.length : isa) - at} characters at offset ${at} are not part of any interchange`,
        offset: at,
      });
      if (isa < 0) break;
    }
    const { interchange, next } = readInterchange(text, isa, result.interchanges.length + 1);
    result.interchanges.push(interchange);
    at = Math.max(next, isa + 3);
  }
  if (result.interchanges.length === 0) {
    result.findings.push({ level: 'payload', severity: 'error', code: InterchangeNote.InvalidControlStructure, message: 'no ISA interchange header found' });
  }
  return result;
};

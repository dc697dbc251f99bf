/**
 * A small, independent X12 writer and segment reader for the simulators. Deliberately NOT the
 * project's X12 library (`functions/adapters/x12`): the supplier-network simulator is a second
 * implementation written from the standard, so HEM's parser is tested against another writer.
 *
 * Writes one interchange (ISA/IEA) holding one functional group (GS/GE) of transaction sets, with
 * the delimiters most trading partners use: `*` elements, `~` segments, `>` components, `^`
 * repetitions (5010; 4010 puts the standards identifier `U` in ISA11 instead).
 */

/** The X12 releases the simulators speak. */
export type X12Version = '005010' | '004010';

export const ELEMENT_SEPARATOR = '*';
export const SEGMENT_TERMINATOR = '~';
export const COMPONENT_SEPARATOR = '>';
export const REPETITION_SEPARATOR = '^';

/** A segment as its tag followed by its elements (element 1 at index 1). */
export type Segment = readonly string[];

/** One transaction set to write: the ST01 id and the segments between ST and SE. */
export interface TransactionSetDraft {
  /** ST01, e.g. '855'. */
  id: string;
  /** ST02 (4–9 characters). */
  controlNumber: string;
  /** ST03 implementation convention reference (5010 only), e.g. '005010X231A1' for a 999. */
  implementationReference?: string;
  /** The body: every segment after ST and before SE. */
  segments: readonly Segment[];
}

/** The envelope of one interchange with one functional group. */
export interface EnvelopeDraft {
  version: X12Version;
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  /** GS02 / GS03 application codes. */
  groupSenderId: string;
  groupReceiverId: string;
  /** GS01: PR (855), SH (856), IN (810), FA (997/999), PO (850). */
  functionalId: string;
  /** ISA13: 1–999999999, written zero-padded to 9 digits. */
  interchangeControlNumber: number;
  /** GS06. */
  groupControlNumber: number;
  /** ISA15: P production, T test. @default 'P' */
  usage?: 'P' | 'T';
  /** ISA14: whether a TA1 is requested. @default false */
  requestTa1?: boolean;
  /** Stamped in ISA09/10 and GS04/05. */
  at: Date;
}

/** Control numbers as written. */
export interface WrittenControlNumbers {
  interchange: string;
  group: string;
  transactionSets: string[];
}

const DELIMITERS = /[*~>^\r\n]/g;

/** Replaces delimiter characters (and line breaks) inside a value so it can never split a segment. */
export const sanitize = (value: string): string => value.replace(DELIMITERS, ' ');

/** Serializes one segment: trailing empty elements are dropped, as X12 requires. */
export const writeSegment = (segment: Segment): string => {
  const elements = [...segment];
  while (elements.length > 1 && elements[elements.length - 1] === '') {
    elements.pop();
  }
  const [tag = '', ...rest] = elements;
  return [tag, ...rest.map(sanitize)].join(ELEMENT_SEPARATOR) + SEGMENT_TERMINATOR;
};

const pad = (value: string, length: number): string => value.slice(0, length).padEnd(length, ' ');

/** CCYYMMDD (UTC). */
export const x12Date = (at: Date): string => at.toISOString().slice(0, 10).replaceAll('-', '');

/** YYMMDD (UTC), the ISA09 form. */
export const x12ShortDate = (at: Date): string => x12Date(at).slice(2);

/** HHMM (UTC). */
export const x12Time = (at: Date): string => at.toISOString().slice(11, 16).replace(':', '');

/** CCYYMMDD → ISO date (`2026-11-26`); undefined when it is not a date. */
export const isoFromX12Date = (value: string | undefined): string | undefined => {
  if (value === undefined || !/^\d{8}$/.test(value)) {
    return undefined;
  }
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
};

/** An X12 decimal (R type): no exponent, no trailing zeros, at most `maxDecimals` places. */
export const x12Decimal = (value: number, maxDecimals = 4): string => {
  const fixed = value.toFixed(maxDecimals);
  const trimmed = fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
  return trimmed === '-0' ? '0' : trimmed;
};

/** Cents as an N2 (implied two decimals) number: 1234.5 → '123450'. */
export const x12Cents = (amount: number): string => String(Math.round(amount * 100));

/** The ISA segment (fixed width, terminator included) and its zero-padded ISA13. */
const writeIsa = (envelope: Omit<EnvelopeDraft, 'functionalId' | 'groupControlNumber' | 'groupSenderId' | 'groupReceiverId'>): { isa: string; isa13: string } => {
  const is5010 = envelope.version === '005010';
  const isa13 = String(envelope.interchangeControlNumber).padStart(9, '0');
  if (!Number.isInteger(envelope.interchangeControlNumber) || envelope.interchangeControlNumber < 0 || isa13.length !== 9) {
    throw new RangeError(`ISA13 must be a whole number of at most 9 digits: ${envelope.interchangeControlNumber}`);
  }
  const elements = [
    'ISA',
    '00',
    pad('', 10),
    '00',
    pad('', 10),
    envelope.senderQualifier,
    pad(envelope.senderId, 15),
    envelope.receiverQualifier,
    pad(envelope.receiverId, 15),
    x12ShortDate(envelope.at),
    x12Time(envelope.at),
    is5010 ? REPETITION_SEPARATOR : 'U',
    is5010 ? '00501' : '00401',
    isa13,
    envelope.requestTa1 === true ? '1' : '0',
    envelope.usage ?? 'P',
    COMPONENT_SEPARATOR,
  ];
  // The ISA is fixed-width and its last element is the component separator itself: never sanitize it.
  return { isa: elements.join(ELEMENT_SEPARATOR) + SEGMENT_TERMINATOR, isa13 };
};

/**
 * Writes one interchange with one functional group holding `sets`, with SE01, GE01 and IEA01
 * counted from what is written.
 */
export function writeInterchange(envelope: EnvelopeDraft, sets: readonly TransactionSetDraft[]): { text: string; control: WrittenControlNumbers } {
  const is5010 = envelope.version === '005010';
  const { isa, isa13 } = writeIsa(envelope);
  const gs06 = String(envelope.groupControlNumber);
  const parts: string[] = [isa];
  parts.push(
    writeSegment([
      'GS',
      envelope.functionalId,
      envelope.groupSenderId,
      envelope.groupReceiverId,
      x12Date(envelope.at),
      x12Time(envelope.at),
      gs06,
      'X',
      envelope.version,
    ]),
  );
  for (const set of sets) {
    const st: string[] = ['ST', set.id, set.controlNumber];
    if (is5010 && set.implementationReference !== undefined) {
      st.push(set.implementationReference);
    }
    parts.push(writeSegment(st));
    for (const segment of set.segments) {
      parts.push(writeSegment(segment));
    }
    // SE01 counts ST and SE themselves.
    parts.push(writeSegment(['SE', String(set.segments.length + 2), set.controlNumber]));
  }
  parts.push(writeSegment(['GE', String(sets.length), gs06]));
  parts.push(writeSegment(['IEA', '1', isa13]));
  return { text: parts.join(''), control: { interchange: isa13, group: gs06, transactionSets: sets.map((s) => s.controlNumber) } };
}

/**
 * Writes an interchange holding only a TA1 (interchange acknowledgment) for the interchange whose
 * ISA13 is `acknowledgedControlNumber`.
 */
export function writeTa1Interchange(
  envelope: Omit<EnvelopeDraft, 'functionalId' | 'groupControlNumber' | 'groupSenderId' | 'groupReceiverId'>,
  ta1: { acknowledgedControlNumber: string; acknowledgedDate: string; acknowledgedTime: string; code: 'A' | 'E' | 'R'; noteCode: string },
): string {
  const { isa, isa13 } = writeIsa(envelope);
  return (
    isa +
    writeSegment(['TA1', ta1.acknowledgedControlNumber, ta1.acknowledgedDate, ta1.acknowledgedTime, ta1.code, ta1.noteCode]) +
    writeSegment(['IEA', '0', isa13])
  );
}

/** Delimiters of an interchange, read from its ISA (which is fixed-width: 106 characters). */
export interface Delimiters {
  element: string;
  segment: string;
  component: string;
}

/** Reads the delimiters from the ISA; undefined when the text does not start with a well-formed ISA. */
export function readDelimiters(text: string): Delimiters | undefined {
  const start = text.trimStart();
  if (!start.startsWith('ISA') || start.length < 106) {
    return undefined;
  }
  const element = start[3] ?? '';
  const component = start[104] ?? '';
  const segment = start[105] ?? '';
  if (element === '' || segment === '' || /[A-Za-z0-9 ]/.test(element) || /[A-Za-z0-9]/.test(segment)) {
    return undefined;
  }
  return { element, segment, component };
}

/**
 * Splits an interchange (or several back to back) into segments of elements, using the delimiters
 * of its ISA. Line breaks after segment terminators are ignored. Throws when there is no ISA.
 */
export function readSegments(text: string): string[][] {
  const delimiters = readDelimiters(text);
  if (delimiters === undefined) {
    throw new SyntaxError('not an X12 interchange: no well-formed ISA segment');
  }
  return text
    .trimStart()
    .split(delimiters.segment)
    .map((raw) => raw.replace(/^[\r\n]+/, '').replace(/[\r\n]+$/, ''))
    .filter((raw) => raw.trim() !== '')
    .map((raw) => raw.split(delimiters.element));
}

/** The functional/interchange acknowledgment a partner answered with, summarized. */
export interface AckSummary {
  /** '999', '997', 'TA1', or 'NONE' when the answer held neither. */
  type: '999' | '997' | 'TA1' | 'NONE';
  /** AK901 group status (A, E, P, R) for a 999/997; TA104 (A, E, R) for a TA1 alone. */
  code?: string;
  /** IK501/AK501 of each acknowledged transaction set, by ST02. */
  transactionSets: { controlNumber: string; code: string }[];
  /** TA1 note code (TA105) when a TA1 was present. */
  ta1NoteCode?: string;
}

/** Summarizes a 999/997/TA1 answer; never throws (an unreadable answer is `NONE`). */
export function summarizeAck(text: string): AckSummary {
  let segments: string[][];
  try {
    segments = readSegments(text);
  } catch {
    return { type: 'NONE', transactionSets: [] };
  }
  const st = segments.find((s) => s[0] === 'ST');
  const ta1 = segments.find((s) => s[0] === 'TA1');
  const transactionSets: { controlNumber: string; code: string }[] = [];
  let current: string | undefined;
  for (const segment of segments) {
    if (segment[0] === 'AK2') {
      current = segment[2];
    } else if ((segment[0] === 'IK5' || segment[0] === 'AK5') && current !== undefined) {
      transactionSets.push({ controlNumber: current, code: segment[1] ?? '' });
      current = undefined;
    }
  }
  const ak9 = segments.find((s) => s[0] === 'AK9');
  if (st !== undefined && (st[1] === '999' || st[1] === '997')) {
    return {
      type: st[1],
      ...(ak9?.[1] === undefined ? {} : { code: ak9[1] }),
      transactionSets,
      ...(ta1?.[5] === undefined ? {} : { ta1NoteCode: ta1[5] }),
    };
  }
  if (ta1 !== undefined) {
    return { type: 'TA1', ...(ta1[4] === undefined ? {} : { code: ta1[4] }), transactionSets, ...(ta1[5] === undefined ? {} : { ta1NoteCode: ta1[5] }) };
  }
  return { type: 'NONE', transactionSets };
}

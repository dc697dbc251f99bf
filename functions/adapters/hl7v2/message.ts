/**
 * Reading HL7 v2 (ER7) text with `@medplum/core`: framing clean-up, delimiter sanity checks,
 * batch splitting, escape sequences, and the error locations (`FT1[2]-10`) every HL7 error names.
 *
 * Delimiters always come from MSH-1/MSH-2 of the message itself (medplum's `Hl7Message.parse`
 * reads them from characters 3–7), so `MSH^~|\&^…` or `MSH#~!@$#…` parse as well as `MSH|^~\&|…`.
 * Segments may be separated by CR, LF or CRLF, with blank lines anywhere (`Hl7Message.parse`
 * splits on `[\r\n]+`).
 */
import { Hl7Message } from '@medplum/core';
import type { Hl7Context } from '@medplum/core';
import { DataError, UnparseableMessageError } from '../../domain/errors';

/** HL7 table 0357 (message error condition codes) values HEM reports in ERR-3. */
export const Hl7ErrorCode = {
  SegmentSequenceError: '100',
  RequiredFieldMissing: '101',
  DataTypeError: '102',
  TableValueNotFound: '103',
  UnsupportedMessageType: '200',
  UnsupportedEventCode: '201',
  UnsupportedProcessingId: '202',
  UnsupportedVersionId: '203',
  UnknownKeyIdentifier: '204',
  DuplicateKeyIdentifier: '205',
  ApplicationRecordLocked: '206',
  ApplicationInternalError: '207',
} as const;
export type Hl7ErrorCode = (typeof Hl7ErrorCode)[keyof typeof Hl7ErrorCode];

/** Table 0357 display texts, for ERR-3.2 and ELD-4.2. */
export const HL7_ERROR_TEXT: Readonly<Record<string, string>> = {
  '0': 'Message accepted',
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '202': 'Unsupported processing id',
  '203': 'Unsupported version id',
  '204': 'Unknown key identifier',
  '205': 'Duplicate key identifier',
  '206': 'Application record locked',
  '207': 'Application internal error',
};

/** Where an HL7 error is: segment, its repetition in the message (1-based), field, component. */
export interface Hl7Location {
  segment: string;
  /** 1-based occurrence of the segment in the message (FT1[2] = the second FT1). */
  sequence?: number;
  field?: number;
  component?: number;
}

/**
 * Formats a location the way HEM's errors carry it: `MSH-9`, `PV1-19`, `FT1`, `FT1[2]-10`,
 * `FT1[2]-10.2`. The bracket appears when `sequence` is given (always for FT1, which repeats).
 */
export const formatHl7Location = (location: Hl7Location): string => {
  let text = location.segment;
  if (location.sequence !== undefined) text += `[${location.sequence}]`;
  if (location.field !== undefined) text += `-${location.field}`;
  if (location.field !== undefined && location.component !== undefined) text += `.${location.component}`;
  return text;
};

const LOCATION_PATTERN = /^([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?(?:-(\d+)(?:\.(\d+))?)?$/;

/** Reads back a location formatted by {@link formatHl7Location}; undefined for anything else. */
export const parseHl7Location = (text: string | undefined): Hl7Location | undefined => {
  const match = text === undefined ? null : LOCATION_PATTERN.exec(text);
  if (match === null) return undefined;
  const [, segment, sequence, field, component] = match;
  return {
    segment: segment as string,
    ...(sequence === undefined ? {} : { sequence: Number(sequence) }),
    ...(field === undefined ? {} : { field: Number(field) }),
    ...(component === undefined ? {} : { component: Number(component) }),
  };
};

/**
 * A DataError naming an HL7 field, with the table 0357 code the ACK's ERR segment reports.
 * The message must name fields only, never their values (they may be PHI).
 */
export const hl7DataError = (location: Hl7Location, code: Hl7ErrorCode, message: string): DataError => {
  const where = formatHl7Location(location);
  return new DataError(`${where}: ${message}`, { location: where, details: { hl7ErrorCode: code } });
};

const ALPHANUMERIC_OR_SPACE = /[A-Za-z0-9\s]/;

/** MLLP start block (VT) and end block (FS) around a message on the wire. */
const MLLP_START = 0x0b;
const MLLP_END = 0x1c;

/** Before `MSH`: a byte-order mark, the MLLP start block, whitespace. */
const isLeadingNoise = (code: number): boolean => code === 0xfeff || code === MLLP_START || code === 0x20 || (code >= 0x09 && code <= 0x0d);
/** After the last segment: the MLLP end block, blank lines, whitespace. */
const isTrailingNoise = (code: number): boolean => code === MLLP_END || code === 0x20 || (code >= 0x09 && code <= 0x0d);

/** `text` without MLLP framing, BOM or surrounding blank lines. Allocates nothing when there is none. */
export const stripFraming = (text: string): string => {
  let start = 0;
  let end = text.length;
  while (start < end && isLeadingNoise(text.charCodeAt(start))) start += 1;
  while (end > start && isTrailingNoise(text.charCodeAt(end - 1))) end -= 1;
  return start === 0 && end === text.length ? text : text.slice(start, end);
};

/**
 * Checks what `Hl7Message.parse` takes on trust: the text starts with `MSH`, MSH-1 is a
 * non-alphanumeric character, and MSH-2 (up to the next field separator) holds 1–5 encoding
 * characters that are not letters, digits, whitespace or the field separator. Anything else is
 * not an HL7 message (UnparseableMessageError).
 */
const assertReadableHeader = (text: string): void => {
  if (!text.startsWith('MSH') || text.length < 5) {
    throw new UnparseableMessageError('not an HL7 v2 message: it does not start with an MSH segment', {
      location: 'MSH',
      details: { hl7ErrorCode: Hl7ErrorCode.SegmentSequenceError },
    });
  }
  const fieldSeparator = text.charAt(3);
  const end = text.indexOf(fieldSeparator, 4);
  const encoding = end === -1 ? '' : text.slice(4, end);
  const badSeparator = ALPHANUMERIC_OR_SPACE.test(fieldSeparator);
  const badEncoding =
    encoding.length < 1 || encoding.length > 5 || ALPHANUMERIC_OR_SPACE.test(encoding) || encoding.charAt(0) === fieldSeparator;
  if (badSeparator || badEncoding) {
    throw new UnparseableMessageError('not an HL7 v2 message: MSH-1/MSH-2 do not hold valid delimiters', {
      location: badSeparator ? 'MSH-1' : 'MSH-2',
      details: { hl7ErrorCode: Hl7ErrorCode.DataTypeError },
    });
  }
};

/**
 * Parses one HL7 v2 message with `Hl7Message.parse` after removing framing noise and checking
 * its header. Segments are parsed lazily by medplum: only the ones read cost anything.
 *
 * @throws UnparseableMessageError when the text is not an HL7 v2 message.
 */
export function readHl7Message(text: string): Hl7Message {
  if (typeof text !== 'string') {
    throw new UnparseableMessageError('not an HL7 v2 message: the body is not text', { location: 'MSH' });
  }
  const cleaned = stripFraming(text);
  assertReadableHeader(cleaned);
  return Hl7Message.parse(cleaned);
}

const SEGMENT_SEPARATOR = /\r\n|\r|\n/;
const BATCH_ENVELOPE = new Set(['FHS', 'BHS', 'BTS', 'FTS']);

/**
 * Splits a text holding several HL7 messages (a file, a batch with or without FHS/BHS envelope,
 * messages separated by blank lines) into single messages with CR segment separators. The batch
 * envelope segments are dropped; text before the first MSH is returned as its own chunk so that
 * parsing it reports it as unparseable instead of silently losing it.
 */
export function splitHl7Batch(text: string): string[] {
  const messages: string[][] = [];
  let current: string[] | undefined;
  for (const raw of text.split(SEGMENT_SEPARATOR)) {
    const line = stripFraming(raw);
    if (line === '') continue;
    const name = line.slice(0, 3);
    if (BATCH_ENVELOPE.has(name) && line.length > 3 && !ALPHANUMERIC_OR_SPACE.test(line.charAt(3))) continue;
    if (name === 'MSH' || current === undefined) {
      current = [];
      messages.push(current);
    }
    current.push(line);
  }
  return messages.map((segments) => segments.join('\r'));
}

type Delimiter = 'fieldSeparator' | 'componentSeparator' | 'subcomponentSeparator' | 'repetitionSeparator' | 'escapeCharacter';

const ESCAPES: Readonly<Record<string, Delimiter>> = {
  F: 'fieldSeparator',
  S: 'componentSeparator',
  T: 'subcomponentSeparator',
  R: 'repetitionSeparator',
  E: 'escapeCharacter',
};

/**
 * Resolves the delimiter escape sequences (\F\ \S\ \T\ \R\ \E\) in a value read from a message.
 * Formatting and hex escapes (\H\, \N\, \X..\, \.br\) are dropped: HEM reads codes, not text.
 */
export const unescapeHl7 = (value: string, context: Hl7Context): string => {
  const esc = context.escapeCharacter;
  if (esc === '' || !value.includes(esc)) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const ch = value.charAt(i);
    if (ch !== esc) {
      out += ch;
      i += 1;
      continue;
    }
    const close = value.indexOf(esc, i + 1);
    if (close === -1) {
      out += value.slice(i);
      break;
    }
    const sequence = value.slice(i + 1, close);
    const delimiter = ESCAPES[sequence];
    if (delimiter !== undefined) out += context[delimiter];
    i = close + 1;
  }
  return out;
};

/** Escapes a text for use as one HL7 component value with the message's delimiters. */
export const escapeHl7 = (value: string, context: Hl7Context): string => {
  const esc = context.escapeCharacter;
  let out = '';
  for (const ch of value) {
    const delimiter =
      ch === context.fieldSeparator ||
      ch === context.componentSeparator ||
      ch === context.subcomponentSeparator ||
      ch === context.repetitionSeparator ||
      ch === esc;
    // Without an escape character (MSH-2 shorter than 3) a delimiter can only be blanked out.
    if (delimiter && esc === '') out += ' ';
    else if (ch === esc) out += `${esc}E${esc}`;
    else if (ch === context.fieldSeparator) out += `${esc}F${esc}`;
    else if (ch === context.componentSeparator) out += `${esc}S${esc}`;
    else if (ch === context.subcomponentSeparator) out += `${esc}T${esc}`;
    else if (ch === context.repetitionSeparator) out += `${esc}R${esc}`;
    else if (ch === '\r' || ch === '\n') out += ' ';
    else out += ch;
  }
  return out;
};

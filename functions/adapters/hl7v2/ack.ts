/**
 * HL7 v2 acknowledgments (original mode) for `POST /v1/hl7`, and the mapping of HEM's errors to
 * ACK codes.
 *
 * The ACK answers in the request's own delimiters (whatever MSH-1/MSH-2 said) with CR segment
 * separators:
 *
 * ```
 * MSH|^~\&|<req MSH-5 or HEM>|<req MSH-6>|<req MSH-3>|<req MSH-4>|<now>||ACK^P03^ACK|<new id>|<req MSH-11 or P>|<req MSH-12>
 * MSA|AE|<req MSH-10>|<text>
 * ERR||FT1^2^10|102^Data type error^HL70357|E||||<text>        (v2.5 and later)
 * ERR|FT1^2^10^102&Data type error&HL70357                     (v2.3, v2.3.1, v2.4)
 * ```
 *
 * ERR-1 (ELD: segment ^ sequence ^ field ^ code) is what v2.3/2.4 define; v2.5 deprecated it in
 * favour of ERR-2 (ERL: segment ^ sequence ^ field ^ repetition ^ component ^ subcomponent),
 * ERR-3 (HL7 error code, table 0357), ERR-4 (severity, table 0516) and ERR-8 (user message).
 * When the request cannot be read at all, the ACK has a minimal MSH with the default delimiters.
 */
import { randomBytes } from 'node:crypto';
import { Hl7Context, Hl7Message, Hl7Segment } from '@medplum/core';
import { IdempotencyKeyReusedError, UnparseableMessageError, ValidationError } from '../../domain/errors';
import { HL7_ERROR_TEXT, Hl7ErrorCode, escapeHl7, parseHl7Location, readHl7Message } from './message';

/** The acknowledgment codes HEM sends (original mode). */
export type Hl7AckCode = 'AA' | 'AE' | 'AR';

/** What went wrong, PHI-free: becomes MSA-3 and the ERR segment. */
export interface Hl7AckError {
  message: string;
  /** `MSH-9`, `FT1[2]-10`… (see `formatHl7Location`). */
  location?: string;
  /** HL7 table 0357 code (`101` required field missing, `102` data type error, `207` internal error…). */
  hl7ErrorCode?: string;
}

/** The outcome an ACK reports. */
export interface Hl7AckResult {
  code: Hl7AckCode;
  error?: Hl7AckError;
}

const DEFAULT_VERSION = '2.5.1';
/** What an echoed MSH-12 may look like (anything else is answered as 2.5.1). */
const VERSION_TEXT = /^\d\.\d{1,2}(?:\.\d{1,2})?$/;
/** ERR-1 (ELD) is the error field up to v2.4; later versions use ERR-2/3/4/8. */
const ELD_VERSIONS = /^2\.(?:[0-3](?:\.\d)?|4)$/;
/** MSH-10 is an ST of at most 20 characters up to v2.5.1: 20 hex characters fit every version. */
const newControlId = (): string => randomBytes(10).toString('hex');

const formatDtm = (now: Date): string => {
  const iso = now.toISOString(); // 2026-11-26T13:05:09.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}+0000`;
};

/** The request, when it can be read; its delimiters and header are echoed. */
const readRequest = (request: string | undefined): Hl7Message | undefined => {
  if (request === undefined) return undefined;
  try {
    return readHl7Message(request);
  } catch {
    return undefined;
  }
};

/** A trigger event to echo in MSH-9.2: a plain event code, else P03 (what HEM serves). */
const triggerOf = (request: Hl7Message | undefined): string => {
  const trigger = request?.header.getComponent(9, 2).trim() ?? '';
  return /^[A-Z0-9]{3}$/.test(trigger) ? trigger : 'P03';
};

const errSegment = (error: Hl7AckError, version: string, context: Hl7Context): Hl7Segment => {
  const code = error.hl7ErrorCode !== undefined && HL7_ERROR_TEXT[error.hl7ErrorCode] !== undefined ? error.hl7ErrorCode : Hl7ErrorCode.ApplicationInternalError;
  const codeText = HL7_ERROR_TEXT[code] as string;
  const location = parseHl7Location(error.location);
  const c = context.componentSeparator;
  const s = context.subcomponentSeparator;
  const locationParts = location === undefined ? [] : [location.segment, String(location.sequence ?? 1), location.field === undefined ? '' : String(location.field)];
  if (ELD_VERSIONS.test(version)) {
    const eld = [...(locationParts.length > 0 ? locationParts : ['', '', '']), [code, codeText, 'HL70357'].join(s)].join(c);
    return new Hl7Segment(['ERR', eld], context);
  }
  const erlParts = location === undefined ? [] : [...locationParts, '', location.component === undefined ? '' : String(location.component)];
  while (erlParts.length > 0 && erlParts[erlParts.length - 1] === '') erlParts.pop();
  const erl = erlParts.join(c);
  return new Hl7Segment(
    ['ERR', '', erl, [code, codeText, 'HL70357'].join(c), 'E', '', '', '', escapeHl7(error.message, context)],
    context,
  );
};

/**
 * Builds the HL7 ACK (ER7, CR separators) that answers `request`.
 *
 * @param request - the received text, when there was one; its delimiters, MSH-3..6, MSH-10,
 *   MSH-11 and MSH-12 are echoed when it is readable.
 * @param result - AA, or AE/AR with a PHI-free error (see {@link hl7ErrorFor}).
 * @param now - the ACK's MSH-7.
 */
export function buildHl7Ack(request: string | undefined, result: Hl7AckResult, now: Date): string {
  const parsed = readRequest(request);
  const context = parsed?.context ?? new Hl7Context();
  const msh = parsed?.header;
  // MSH fields are echoed raw (already escaped in the request's own delimiters).
  const raw = (field: number): string => msh?.getField(field)?.toString() ?? '';
  const requestVersion = msh?.getComponent(12, 1).trim() ?? '';
  const version = VERSION_TEXT.test(requestVersion) ? requestVersion : DEFAULT_VERSION;
  const requestProcessingId = msh?.getComponent(11, 1).trim() ?? '';
  const processingId = /^[DPT]$/.test(requestProcessingId) ? requestProcessingId : 'P';
  const c = context.componentSeparator;

  const header = new Hl7Segment(
    [
      'MSH',
      context.getMsh2(),
      raw(5) || 'HEM',
      raw(6),
      raw(3),
      raw(4),
      formatDtm(now),
      '',
      ['ACK', triggerOf(parsed), 'ACK'].join(c),
      newControlId(),
      processingId,
      version,
    ],
    context,
  );
  const text = result.code === 'AA' ? 'OK' : escapeHl7(result.error?.message ?? 'message rejected', context);
  const segments = [header, new Hl7Segment(['MSA', result.code, raw(10), text], context)];
  if (result.code !== 'AA') {
    segments.push(errSegment(result.error ?? { message: 'message rejected' }, version, context));
  }
  // Every segment, the last one included, ends with the segment terminator (HL7 v2 §2.5.1).
  return `${new Hl7Message(segments, context).toString()}\r`;
}

/** MSA-3 of a message whose control id was already used for other content. */
export const CONTROL_ID_REUSED_TEXT = 'control id reused with different content';

/**
 * Maps a thrown value to the ACK outcome: an unparseable message, or one over a cap
 * (`details.hl7AckCode` 'AR'), is rejected (AR); a DataError or other ValidationError is an
 * application error (AE) naming its location and table 0357 code; a control id reused with other
 * content is AR 205 naming MSH-10; anything else is AE 207 "application internal error" without
 * internals.
 */
export function hl7ErrorFor(e: unknown): { code: 'AE' | 'AR'; error: Hl7AckError } {
  if (e instanceof IdempotencyKeyReusedError) {
    return { code: 'AR', error: { message: CONTROL_ID_REUSED_TEXT, location: 'MSH-10', hl7ErrorCode: Hl7ErrorCode.DuplicateKeyIdentifier } };
  }
  if (e instanceof ValidationError) {
    const declared = e.details['hl7ErrorCode'];
    const fallback = e instanceof UnparseableMessageError ? Hl7ErrorCode.SegmentSequenceError : Hl7ErrorCode.DataTypeError;
    return {
      code: e instanceof UnparseableMessageError || e.details['hl7AckCode'] === 'AR' ? 'AR' : 'AE',
      error: {
        message: e.message,
        ...(e.location === undefined ? {} : { location: e.location }),
        hl7ErrorCode: typeof declared === 'string' && HL7_ERROR_TEXT[declared] !== undefined ? declared : fallback,
      },
    };
  }
  return { code: 'AE', error: { message: 'application internal error', hl7ErrorCode: Hl7ErrorCode.ApplicationInternalError } };
}

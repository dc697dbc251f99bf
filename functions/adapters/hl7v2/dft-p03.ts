/**
 * HL7 v2 DFT^P03 (post detail financial transaction) → canonical, PHI-free {@link UsageMessage}.
 *
 * Fields read (everything else — PID, PD1, NK1, GT1, IN1, IN2, ACC, Z-segments, PV1 free text,
 * FT1 performer/orderer names, diagnosis codes — is never touched, so it cannot leak):
 *
 * | field | HL7 name (v2.3–v2.8) | use |
 * | --- | --- | --- |
 * | MSH-3.1 (else .2) | Sending Application (HD) | `sourceSystem` |
 * | MSH-4.1 (else .2) | Sending Facility (HD) | `facilityCode`, and the HMAC input of `encounterRef` |
 * | MSH-7.1 | Date/Time of Message (TS/DTM) | `occurredAt`; `serviceDate` when FT1-4 is empty |
 * | MSH-9.1/.2 | Message Type (MSG) | must be `DFT` / `P03` |
 * | MSH-10 | Message Control ID (ST) | `messageControlId` (part of each line's business key) |
 * | MSH-12.1 | Version ID (VID) | must be 2.3 … 2.8.x |
 * | PV1-3.1 | Assigned Patient Location: point of care (PL) | `departmentCode` |
 * | PV1-19.1 | Visit Number (CX) | only as HMAC input of `encounterRef`; never copied |
 * | PR1-3.1 | Procedure Code (CE/CNE), first PR1 | `procedureCode` |
 * | FT1-1 | Set ID (SI) | `lineNumber` (else the FT1's ordinal) |
 * | FT1-4.1 | Transaction Date (TS in v2.3/2.4, DR range start from v2.5) | `serviceDate` (MSH-7's offset when it has none) |
 * | FT1-6.1 | Transaction Type (IS to v2.5, CWE from v2.6; user table 0017: CG charge, CD credit, PY payment, AJ adjustment) | `transactionType` |
 * | FT1-7.1 / FT1-7.3 | Transaction Code (CE/CWE, table 0132): identifier / coding system | `item` (`GTIN` when FT1-7.3 is GTIN or GS1, else `CHARGE`) |
 * | FT1-10.1 / FT1-10.2 | Transaction Quantity (NM; a CQ-style `qty^unit` is accepted, as some senders send it) | `quantity`, `uom` |
 * | FT1-13.1 | Department Code (CE/CWE, table 0049) | the line's `departmentCode` (overrides PV1-3) |
 *
 * Not read on purpose: FT1-8/9 (descriptions, withdrawn), FT1-11/12/22 (amounts: costing uses HEM's
 * own unit cost), FT1-16 (assigned patient location), FT1-19 (diagnoses), FT1-20/21/24 (people),
 * FT1-25/26 (CPT and modifiers; PR1-3 is the procedure code), FT1-34 (item number, v2.6+).
 *
 * Bounds (`contracts/usage.ts`): FT1-10 must be finite, non-zero, at most 100000 in magnitude, with
 * at most 3 decimals (AE naming FT1-10); at most 100 FT1 segments per message (AR naming the cap).
 *
 * Credits: FT1-6 `CD`/`CR`/`CREDIT`, or a negative FT1-10, give a `CREDIT` line whose quantity is
 * negative (the canonical sign convention); `CG`/`CH`/`CHARGE` give a `CHARGE` line. Other table
 * 0017 values (payments, adjustments) are not supply usage and are refused.
 *
 * Errors are DataErrors whose `location` names the field (`MSH-9`, `FT1[2]-10`) and whose
 * `details.hl7ErrorCode` is the table 0357 code for the ACK's ERR segment; messages name fields,
 * never values.
 */
import type { Hl7Context, Hl7Field, Hl7Segment } from '@medplum/core';
import { MAX_INGEST_USAGE_LINES, UsageMessageSchema, usageQuantityProblem } from '../../../contracts/usage';
import type { UsageLine, UsageMessage } from '../../../contracts/usage';
import { DataError } from '../../domain/errors';
import { encounterRef } from '../../domain/encounter-ref';
import { hl7DateTimeToIso } from './datetime';
import { Hl7ErrorCode, formatHl7Location, hl7DataError, readHl7Message, unescapeHl7 } from './message';

/** What `parseDftP03` needs besides the text. */
export interface ParseDftP03Options {
  /** The PHI key of opaque encounter references (`EncounterKeyProvider.getKey()`). */
  encounterKey: Uint8Array;
}

/** `sourceFormat` of every message this adapter produces. */
export const DFT_P03_SOURCE_FORMAT = 'HL7v2:DFT^P03';

/** MSH-12 versions HEM accepts: 2.3, 2.3.1, 2.4, 2.5, 2.5.1, 2.6, 2.7, 2.7.1, 2.8, 2.8.1, 2.8.2. */
const SUPPORTED_VERSION = /^2\.(?:3(?:\.1)?|4|5(?:\.1)?|6|7(?:\.1)?|8(?:\.[12])?)$/;
/** HL7 NM: optional sign, digits, optional decimal point. No exponents, no thousands separators. */
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
const GTIN = /^(?:\d{8}|\d{12,14})$/;
const DIGITS = /^\d+$/;
const SENDER_OFFSET = /[+-]\d{4}$/;
const MAX_LINES = MAX_INGEST_USAGE_LINES;

const CHARGE_TYPES = new Set(['CG', 'CH', 'CHARGE']);
const CREDIT_TYPES = new Set(['CD', 'CR', 'CREDIT']);
const GTIN_SYSTEMS = new Set(['GTIN', 'GS1']);

/**
 * One component of a field, trimmed and unescaped; '' when absent. With `sub`, the first
 * subcomponent only (a TS inside a DR, the CE inside a CQ unit).
 */
const component = (field: Hl7Field | undefined, index: number, context: Hl7Context, sub?: number): string => {
  if (field === undefined) return '';
  const raw = field.getComponent(index, sub);
  if (raw === '') return raw;
  return unescapeHl7(raw.trim(), context);
};

/** An HD (MSH-3/MSH-4): the namespace id, else the universal id. */
const hd = (field: Hl7Field | undefined, context: Hl7Context): string => component(field, 1, context) || component(field, 2, context);

/*
 * The checks below take the location as plain values and build it only when they throw: the
 * happy path allocates nothing for error reporting.
 */
const fail = (segment: string, sequence: number | undefined, field: number | undefined, code: Hl7ErrorCode, message: string): DataError =>
  hl7DataError({ segment, ...(sequence === undefined ? {} : { sequence }), ...(field === undefined ? {} : { field }) }, code, message);

const required = (value: string, segment: string, sequence: number | undefined, field: number, what: string, max: number): string => {
  if (value === '') throw fail(segment, sequence, field, Hl7ErrorCode.RequiredFieldMissing, `${what} is missing`);
  if (value.length > max) throw fail(segment, sequence, field, Hl7ErrorCode.DataTypeError, `${what} is longer than ${max} characters`);
  return value;
};

const optional = (value: string, segment: string, sequence: number | undefined, field: number, what: string, max: number): string | undefined => {
  if (value === '') return undefined;
  if (value.length > max) throw fail(segment, sequence, field, Hl7ErrorCode.DataTypeError, `${what} is longer than ${max} characters`);
  return value;
};

const dateTime = (value: string, segment: string, sequence: number | undefined, field: number, what: string, defaultOffset?: string): string => {
  const iso = hl7DateTimeToIso(value, defaultOffset);
  if (iso === undefined) throw fail(segment, sequence, field, Hl7ErrorCode.DataTypeError, `${what} is not a valid HL7 date/time`);
  return iso;
};

/** Where a canonical path comes from, for the (never expected) failure of the final schema check. */
const hl7LocationOfPath = (path: readonly PropertyKey[]): string => {
  const [head, index, leaf] = path;
  const top: Record<string, string> = {
    sourceSystem: 'MSH-3',
    facilityCode: 'MSH-4',
    occurredAt: 'MSH-7',
    messageControlId: 'MSH-10',
    departmentCode: 'PV1-3',
    encounterRef: 'PV1-19',
    procedureCode: 'PR1-3',
  };
  const lineFields: Record<string, number> = { lineNumber: 1, serviceDate: 4, transactionType: 6, item: 7, quantity: 10, uom: 10, departmentCode: 13 };
  if (head === 'lines' && typeof index === 'number') {
    const field = typeof leaf === 'string' ? lineFields[leaf] : undefined;
    return formatHl7Location({ segment: 'FT1', sequence: index + 1, ...(field === undefined ? {} : { field }) });
  }
  return (typeof head === 'string' ? top[head] : undefined) ?? 'FT1';
};

/** FT1-4 text (may be '') → the line's ISO service date; `sequence` locates an invalid one. */
type ServiceDateReader = (transactionDate: string, sequence: number) => string;

/** One FT1 segment as a usage line. `sequence` is the FT1's 1-based position in the message. */
const readLine = (ft1: Hl7Segment, sequence: number, context: Hl7Context, serviceDateOf: ServiceDateReader): UsageLine => {
  const setId = component(ft1.getField(1), 1, context);
  let lineNumber = sequence;
  if (setId !== '') {
    lineNumber = DIGITS.test(setId) ? Number(setId) : 0;
    if (lineNumber < 1 || !Number.isSafeInteger(lineNumber)) {
      throw fail('FT1', sequence, 1, Hl7ErrorCode.DataTypeError, 'set id must be a positive integer');
    }
  }

  const serviceDate = serviceDateOf(component(ft1.getField(4), 1, context, 0), sequence);

  const type = component(ft1.getField(6), 1, context).toUpperCase();
  if (type === '') throw fail('FT1', sequence, 6, Hl7ErrorCode.RequiredFieldMissing, 'transaction type is missing');
  const credit = CREDIT_TYPES.has(type);
  if (!credit && !CHARGE_TYPES.has(type)) {
    throw fail('FT1', sequence, 6, Hl7ErrorCode.TableValueNotFound, 'transaction type must be a charge (CG) or a credit (CD)');
  }

  const transactionCode = ft1.getField(7);
  const code = required(component(transactionCode, 1, context), 'FT1', sequence, 7, 'transaction code', 64);
  const gtin = GTIN_SYSTEMS.has(component(transactionCode, 3, context).toUpperCase());
  if (gtin && !GTIN.test(code)) throw fail('FT1', sequence, 7, Hl7ErrorCode.DataTypeError, 'GTIN must have 8, 12, 13 or 14 digits');

  const quantityField = ft1.getField(10);
  const quantityText = component(quantityField, 1, context);
  let quantity = 1;
  if (quantityText !== '') {
    quantity = NUMERIC.test(quantityText) ? Number(quantityText) : Number.NaN;
    if (Number.isNaN(quantity)) throw fail('FT1', sequence, 10, Hl7ErrorCode.DataTypeError, 'quantity is not a number');
    if (quantity === 0) throw fail('FT1', sequence, 10, Hl7ErrorCode.DataTypeError, 'quantity must not be zero');
    // Finite, at most MAX_USAGE_QUANTITY, at most 3 decimals: what the workflow can store.
    const problem = usageQuantityProblem(quantity);
    if (problem !== undefined) throw fail('FT1', sequence, 10, Hl7ErrorCode.DataTypeError, problem);
  }
  const isCredit = credit || quantity < 0;

  const line: UsageLine = {
    lineNumber,
    item: { system: gtin ? 'GTIN' : 'CHARGE', value: code },
    quantity: isCredit ? -Math.abs(quantity) : quantity,
    transactionType: isCredit ? 'CREDIT' : 'CHARGE',
    serviceDate,
  };
  const uom = optional(component(quantityField, 2, context, 0), 'FT1', sequence, 10, 'unit of measure', 16);
  if (uom !== undefined) line.uom = uom;
  const department = optional(component(ft1.getField(13), 1, context), 'FT1', sequence, 13, 'department code', 32);
  if (department !== undefined) line.departmentCode = department;
  return line;
};

/**
 * Parses one HL7 v2 DFT^P03 (v2.3–v2.8, any delimiters, CR/LF/CRLF segment separators) into a
 * PHI-free usage message, checked against `UsageMessageSchema` before it is returned.
 *
 * @throws UnparseableMessageError when the text is not an HL7 message at all.
 * @throws DataError naming the field (`location`: `MSH-9`, `MSH-10`, `FT1`, `FT1[2]-10` …) when
 *   the message is not a usable DFT^P03; `details.hl7ErrorCode` holds the table 0357 code.
 */
export function parseDftP03(text: string, options: ParseDftP03Options): UsageMessage {
  const message = readHl7Message(text);
  const context = message.context;
  const msh = message.header;

  if (message.getAllSegments('MSH').length > 1) {
    throw fail('MSH', undefined, undefined, Hl7ErrorCode.SegmentSequenceError, 'the body holds more than one message; send one per request');
  }

  const messageTypeField = msh.getField(9);
  const messageType = component(messageTypeField, 1, context);
  if (messageType === '') throw fail('MSH', undefined, 9, Hl7ErrorCode.RequiredFieldMissing, 'message type is missing');
  if (messageType !== 'DFT') throw fail('MSH', undefined, 9, Hl7ErrorCode.UnsupportedMessageType, 'message type must be DFT^P03');
  if (component(messageTypeField, 2, context) !== 'P03') {
    throw fail('MSH', undefined, 9, Hl7ErrorCode.UnsupportedEventCode, 'trigger event must be P03');
  }

  const version = component(msh.getField(12), 1, context);
  if (version === '') throw fail('MSH', undefined, 12, Hl7ErrorCode.RequiredFieldMissing, 'version id is missing');
  if (!SUPPORTED_VERSION.test(version)) throw fail('MSH', undefined, 12, Hl7ErrorCode.UnsupportedVersionId, 'version id must be 2.3 to 2.8');

  const messageControlId = required(component(msh.getField(10), 1, context), 'MSH', undefined, 10, 'message control id', 128);
  const sourceSystem = required(hd(msh.getField(3), context), 'MSH', undefined, 3, 'sending application', 64);
  const facilityCode = required(hd(msh.getField(4), context), 'MSH', undefined, 4, 'sending facility', 64);
  const messageTime = required(component(msh.getField(7), 1, context, 0), 'MSH', undefined, 7, 'message date/time', 32);
  const occurredAt = dateTime(messageTime, 'MSH', undefined, 7, 'message date/time');
  // FT1 dates without an offset are in the sender's local time, which MSH-7 states.
  const senderOffset = SENDER_OFFSET.exec(messageTime)?.[0];

  const ft1s = message.getAllSegments('FT1');
  if (ft1s.length === 0) throw fail('FT1', undefined, undefined, Hl7ErrorCode.SegmentSequenceError, 'a DFT^P03 needs at least one FT1 segment');
  if (ft1s.length > MAX_LINES) {
    // A cap on the message as a whole, not a field to fix: rejected (AR), naming the cap.
    const tooMany = fail('FT1', MAX_LINES + 1, undefined, Hl7ErrorCode.SegmentSequenceError, `at most ${MAX_LINES} FT1 segments per message`);
    tooMany.details['hl7AckCode'] = 'AR';
    throw tooMany;
  }
  // The FT1s of one message nearly always share one transaction date: each distinct value is
  // converted once (the conversion was the adapter's largest self time after medplum and zod).
  let lastTransactionDate: string | undefined;
  let lastServiceDate = occurredAt;
  const serviceDateOf: ServiceDateReader = (transactionDate, sequence) => {
    if (transactionDate === '') return occurredAt;
    if (transactionDate !== lastTransactionDate) {
      lastServiceDate = dateTime(transactionDate, 'FT1', sequence, 4, 'transaction date', senderOffset);
      lastTransactionDate = transactionDate;
    }
    return lastServiceDate;
  };
  const lines: UsageLine[] = [];
  const lineNumbers = new Set<number>();
  for (let i = 0; i < ft1s.length; i += 1) {
    const line = readLine(ft1s[i] as Hl7Segment, i + 1, context, serviceDateOf);
    if (lineNumbers.has(line.lineNumber)) {
      // Two lines with one number share a business key: the second would be dropped as a duplicate.
      throw fail('FT1', i + 1, 1, Hl7ErrorCode.DuplicateKeyIdentifier, 'set id repeats an earlier FT1 line number');
    }
    lineNumbers.add(line.lineNumber);
    lines.push(line);
  }

  const candidate: UsageMessage = { sourceSystem, facilityCode, messageControlId, sourceFormat: DFT_P03_SOURCE_FORMAT, occurredAt, lines };
  const pv1 = message.getSegment('PV1');
  if (pv1 !== undefined) {
    const department = optional(component(pv1.getField(3), 1, context), 'PV1', undefined, 3, 'point of care', 32);
    if (department !== undefined) candidate.departmentCode = department;
    const visitNumber = component(pv1.getField(19), 1, context);
    if (visitNumber !== '') candidate.encounterRef = encounterRef(options.encounterKey, facilityCode, visitNumber);
  }
  const pr1 = message.getSegment('PR1');
  if (pr1 !== undefined) {
    const procedureCode = optional(component(pr1.getField(3), 1, context), 'PR1', undefined, 3, 'procedure code', 32);
    if (procedureCode !== undefined) candidate.procedureCode = procedureCode;
  }

  // The contract's own check, once per message: ~4 µs of the ~30–40 µs a 4-line message costs
  // (the rest is mostly medplum materialising the ~35 fields read). Kept: it is the guarantee.
  const checked = UsageMessageSchema.safeParse(candidate);
  if (!checked.success) {
    // Every field was checked above, so this is a gap in those checks: still name the field only.
    const issue = checked.error.issues[0];
    const location = hl7LocationOfPath(issue?.path ?? []);
    throw new DataError(`${location}: does not fit the canonical usage message`, {
      location,
      details: { hl7ErrorCode: Hl7ErrorCode.DataTypeError },
    });
  }
  return checked.data;
}

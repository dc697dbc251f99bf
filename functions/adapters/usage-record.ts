/**
 * The canonical JSON usage record (`POST /v1/usage-events` without a `resourceType`) → canonical
 * {@link UsageMessage}. The request is already HEM's own shape; this adapter validates it with
 * `UsageRecordRequestSchema`, numbers the lines, names the item system, signs credits and turns
 * `visitNumber` into the opaque `encounterRef` (the visit number itself is dropped).
 */
import { UsageMessageSchema, UsageRecordRequestSchema } from '../../contracts/usage';
import type { ItemRef, UsageLine, UsageMessage, UsageRecordRequest } from '../../contracts/usage';
import { ValidationError } from '../domain/errors';
import { encounterRef } from '../domain/encounter-ref';
import { jsonPath, zodValidationError } from './fhir/paths';

/** What `parseUsageRecord` needs besides the body. */
export interface ParseUsageRecordOptions {
  /** The PHI key of opaque encounter references. */
  encounterKey: Uint8Array;
}

/** `sourceFormat` of every message this adapter produces. */
export const USAGE_RECORD_SOURCE_FORMAT = 'JSON:UsageRecord';

type RequestLine = UsageRecordRequest['lines'][number];

/** chargeCode → CHARGE, itemId → ITEM, gtin → GTIN (the schema guarantees exactly one). */
const itemOf = (line: RequestLine): ItemRef => {
  if (line.chargeCode !== undefined) return { system: 'CHARGE', value: line.chargeCode };
  if (line.itemId !== undefined) return { system: 'ITEM', value: line.itemId };
  return { system: 'GTIN', value: line.gtin as string };
};

/**
 * Validates and maps a canonical JSON usage record.
 *
 * - lines without `lineNumber` get their 1-based position; two lines with one number are refused
 *   (they would share a business key and the second would be dropped as a duplicate);
 * - a negative quantity is a `CREDIT`, a positive one a `CHARGE`; every line's `serviceDate` is
 *   the record's `occurredAt`.
 *
 * @throws ValidationError whose message and `location` name the JSON path (`lines[0].quantity`).
 */
export function parseUsageRecord(body: unknown, options: ParseUsageRecordOptions): UsageMessage {
  const parsed = UsageRecordRequestSchema.safeParse(body);
  if (!parsed.success) throw zodValidationError(parsed.error);
  const record = parsed.data;

  const seen = new Set<number>();
  const lines = record.lines.map((line, index): UsageLine => {
    const lineNumber = line.lineNumber ?? index + 1;
    if (seen.has(lineNumber)) {
      const location = `lines[${index}].lineNumber`;
      throw new ValidationError(`${location}: repeats the number of an earlier line`, { location });
    }
    seen.add(lineNumber);
    const mapped: UsageLine = {
      lineNumber,
      item: itemOf(line),
      quantity: line.quantity,
      transactionType: line.quantity < 0 ? 'CREDIT' : 'CHARGE',
      serviceDate: record.occurredAt,
    };
    if (line.uom !== undefined) mapped.uom = line.uom;
    if (line.departmentCode !== undefined) mapped.departmentCode = line.departmentCode;
    return mapped;
  });

  const message: UsageMessage = {
    sourceSystem: record.sourceSystem,
    facilityCode: record.facilityCode,
    messageControlId: record.recordId,
    sourceFormat: USAGE_RECORD_SOURCE_FORMAT,
    occurredAt: record.occurredAt,
    lines,
  };
  if (record.departmentCode !== undefined) message.departmentCode = record.departmentCode;
  if (record.procedureCode !== undefined) message.procedureCode = record.procedureCode;
  if (record.visitNumber !== undefined) message.encounterRef = encounterRef(options.encounterKey, record.facilityCode, record.visitNumber);

  const checked = UsageMessageSchema.safeParse(message);
  if (!checked.success) {
    const location = jsonPath(checked.error.issues[0]?.path ?? []);
    throw new ValidationError(`${location}: does not fit the canonical usage message`, { location });
  }
  return checked.data;
}

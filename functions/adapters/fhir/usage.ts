/**
 * FHIR R4 supply usage → canonical, PHI-free {@link UsageMessage}s: one message per Procedure,
 * ChargeItem or SupplyDelivery, given alone or in a Bundle (transaction, batch or collection).
 *
 * What is read (zod-validated, see schemas.ts) and where it goes:
 *
 * | element | use |
 * | --- | --- |
 * | `id` | `messageControlId` = `<resourceType>/<id>` (ids are unique per type only); in a Bundle without one, `Bundle/<bundle id>/entry/<index>` |
 * | `meta.source` (resource, else Bundle) | `sourceSystem`, else `options.sourceSystem` |
 * | extension `urn:hem:facility` | `facilityCode`, else `options.facilityCode` |
 * | extension `urn:hem:department`, else `location` / `destination` `.identifier.value` | `departmentCode` |
 * | `encounter` (ChargeItem: `context`) `.identifier.value`, else `.reference` | only as HMAC input of `encounterRef` |
 * | Procedure `code` (CPT, HCPCS, then SNOMED coding) | `procedureCode` |
 * | Procedure `usedCode[]`, `usedReference[]` | one line each, quantity 1 |
 * | ChargeItem `code` (else `product[x]`), `quantity` | one line |
 * | SupplyDelivery `suppliedItem.item[x]`, `suppliedItem.quantity` (`code`, else `unit` → uom); status must be `completed` | one line |
 * | `performed[x]` / `occurrence[x]` (ChargeItem: else `enteredDate`) | `occurredAt` and `serviceDate` |
 *
 * Item codes: a coding with system `urn:hem:charge-code` → `CHARGE`; `https://www.gs1.org/gtin` or
 * `urn:oid:1.3.160` → `GTIN`; a coding without a system → `CHARGE` (the sender's own charge code,
 * like an HL7 FT1-7 without coding system); a CPT coding (`http://www.ama-assn.org/go/cpt`) is only
 * ever a `procedureCode`; other systems (SNOMED device codes…) are not supply identifiers. A
 * referenced Device gives its GS1 `udiCarrier.deviceIdentifier` (or a GTIN identifier); a
 * Medication or Substance its `code`. References resolve to `contained` resources (`#id`) or to
 * other entries of the same Bundle (by `fullUrl` or `Type/id`).
 *
 * Bounds (`contracts/usage.ts`): quantities finite, non-zero, at most 100000 in magnitude with at
 * most 3 decimals; at most 100 supply lines per resource and 100 entries per Bundle.
 *
 * Never read: `subject`, `patient`, `performer`, `recorder`, `asserter`, `note`, `text`, names,
 * addresses, telecoms — and since zod strips unknown keys they do not exist after validation.
 */
import type { z } from 'zod';
import type { ItemRef, UsageLine, UsageMessage } from '../../../contracts/usage';
import { MAX_FHIR_BUNDLE_ENTRIES, MAX_INGEST_USAGE_LINES, UsageMessageSchema, usageQuantityProblem } from '../../../contracts/usage';
import { DataError } from '../../domain/errors';
import { encounterRef } from '../../domain/encounter-ref';
import { isoFromEpochMillis } from '../hl7v2/datetime';
import { jsonPath, zodValidationError } from './paths';
import {
  BundleSchema,
  ChargeItemSchema,
  ProcedureSchema,
  ProductSchema,
  ResourceHeadSchema,
  SupplyDeliverySchema,
} from './schemas';
import type { ChargeItemInput, ProcedureInput, ProductInput, SupplyDeliveryInput } from './schemas';
import type { CodeableConcept, Extension, Meta, Period, Quantity, Reference, Timing } from '@medplum/fhirtypes';

/** What `parseFhirUsage` needs besides the body. */
export interface ParseFhirUsageOptions {
  /** The PHI key of opaque encounter references. */
  encounterKey: Uint8Array;
  /** The sending system when the resource has no `meta.source` (e.g. the `X-Source-System` header). */
  sourceSystem?: string | undefined;
  /** The facility when the resource has no `urn:hem:facility` extension (e.g. the `X-Facility-Code` header). */
  facilityCode?: string | undefined;
}

export const FHIR_SYSTEMS = {
  chargeCode: 'urn:hem:charge-code',
  facility: 'urn:hem:facility',
  department: 'urn:hem:department',
  gtin: ['https://www.gs1.org/gtin', 'urn:oid:1.3.160'],
  cpt: 'http://www.ama-assn.org/go/cpt',
  hcpcs: ['urn:oid:2.16.840.1.113883.6.285', 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets'],
  snomed: 'http://snomed.info/sct',
} as const;

const SUPPORTED_TYPES = new Set(['Procedure', 'ChargeItem', 'SupplyDelivery']);
const SUPPORTED_BUNDLE_TYPES = new Set(['transaction', 'batch', 'collection']);
const GTIN_DIGITS = /^(?:\d{8}|\d{12,14})$/;
const MAX_LINES = MAX_INGEST_USAGE_LINES;

/** Where the resource sits in the body, and what it can see: the Bundle's entries, for references. */
interface Scope {
  /** Error-location prefix: `Procedure` or `Bundle.entry[3].resource`. */
  path: string;
  bundle?: { id?: string | undefined; meta?: Pick<Meta, 'source'> | undefined; index: number; entries: readonly { fullUrl?: string | undefined; resource?: unknown }[] };
  options: ParseFhirUsageOptions;
}

const dataError = (location: string, message: string, details?: Record<string, unknown>): DataError =>
  new DataError(`${location}: ${message}`, { location, ...(details === undefined ? {} : { details }) });

/** Parses with a schema or throws a ValidationError naming the path below `prefix`. */
const parseWith = <T>(schema: z.ZodType<T>, value: unknown, prefix: string): T => {
  const result = schema.safeParse(value);
  if (!result.success) throw zodValidationError(result.error, prefix);
  return result.data;
};

// ---------------------------------------------------------------------------------------------
// Dates

const FHIR_DATE_TIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * FHIR `dateTime` / `instant` (any precision: `2026`, `2026-11`, `2026-11-26`,
 * `2026-11-26T08:15:00-05:00`) → ISO instant in UTC. Partial dates take their first moment in UTC.
 */
export const fhirDateTimeToIso = (value: string): string | undefined => {
  const m = FHIR_DATE_TIME.exec(value);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const zone = m[8];
  if (year < 1900 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 31 April over to 1 May: a day that does not exist is refused instead.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(4, 6));
    if (hours > 14 || minutes > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  return isoFromEpochMillis(utc - offsetMinutes * 60_000);
};

/**
 * The first present candidate as an ISO instant. `label` names the element when none is present
 * (`performed[x]`, `occurrence[x]`); a present but invalid value is named precisely.
 */
const instant = (path: string, label: string, candidates: readonly (readonly [string, string | undefined])[]): string => {
  for (const [where, value] of candidates) {
    if (value === undefined) continue;
    const iso = fhirDateTimeToIso(value);
    if (iso === undefined) throw dataError(`${path}.${where}`, 'is not a valid FHIR dateTime');
    return iso;
  }
  throw dataError(`${path}.${label}`, 'is missing: the time of use is required');
};

const occurrence = (
  dateTime: string | undefined,
  period: Pick<Period, 'start'> | undefined,
  timing: Pick<Timing, 'event'> | undefined,
): (readonly [string, string | undefined])[] => [
  ['occurrenceDateTime', dateTime],
  ['occurrencePeriod.start', period?.start],
  ['occurrenceTiming.event[0]', timing?.event?.[0]],
];

// ---------------------------------------------------------------------------------------------
// Codes and items

const extensionValue = (extensions: readonly Pick<Extension, 'url' | 'valueString' | 'valueCode'>[] | undefined, url: string): string | undefined => {
  const found = extensions?.find((e) => e.url === url);
  const value = (found?.valueString ?? found?.valueCode)?.trim();
  return value === '' ? undefined : value;
};

/** A supply identifier and/or a CPT code found in a CodeableConcept. */
interface CodeFinding {
  item?: ItemRef;
  cpt?: string;
}

const GTIN_SYSTEM_SET: ReadonlySet<string> = new Set(FHIR_SYSTEMS.gtin);

/** Picks the item code of a CodeableConcept: HEM charge code, then GTIN, then a system-less code. */
const findItemCode = (concept: Pick<CodeableConcept, 'coding'> | undefined): CodeFinding => {
  const finding: CodeFinding = {};
  let charge: string | undefined;
  let gtin: string | undefined;
  let bare: string | undefined;
  for (const coding of concept?.coding ?? []) {
    const code = coding.code?.trim();
    if (code === undefined || code === '') continue;
    if (coding.system === FHIR_SYSTEMS.chargeCode) charge ??= code;
    else if (coding.system !== undefined && GTIN_SYSTEM_SET.has(coding.system)) gtin ??= code;
    else if (coding.system === FHIR_SYSTEMS.cpt) finding.cpt ??= code;
    else if (coding.system === undefined || coding.system === '') bare ??= code;
  }
  if (charge !== undefined) finding.item = { system: 'CHARGE', value: charge };
  else if (gtin !== undefined) finding.item = { system: 'GTIN', value: gtin };
  else if (bare !== undefined) finding.item = { system: 'CHARGE', value: bare };
  return finding;
};

const checkItem = (item: ItemRef, location: string): ItemRef => {
  if (item.value.length > 64) throw dataError(location, 'item code is longer than 64 characters');
  if (item.system === 'GTIN' && !GTIN_DIGITS.test(item.value)) throw dataError(location, 'GTIN must have 8, 12, 13 or 14 digits');
  return item;
};

/** The procedure code of Procedure.code: CPT, then HCPCS, then SNOMED CT. */
const findProcedureCode = (concept: Pick<CodeableConcept, 'coding'> | undefined): string | undefined => {
  const codings = concept?.coding ?? [];
  const bySystem = (systems: readonly string[]): string | undefined =>
    codings.find((c) => c.system !== undefined && systems.includes(c.system) && (c.code?.trim() ?? '') !== '')?.code?.trim();
  const code = bySystem([FHIR_SYSTEMS.cpt]) ?? bySystem(FHIR_SYSTEMS.hcpcs) ?? bySystem([FHIR_SYSTEMS.snomed]);
  return code !== undefined && code.length <= 32 ? code : undefined;
};

/** Finds the resource a reference points at: `#id` in `contained`, or a Bundle entry. */
const resolve = (reference: string | undefined, contained: readonly unknown[] | undefined, scope: Scope): unknown => {
  if (reference === undefined) return undefined;
  if (reference.startsWith('#')) {
    const id = reference.slice(1);
    return contained?.find((r) => ResourceHeadSchema.safeParse(r).data?.id === id);
  }
  for (const entry of scope.bundle?.entries ?? []) {
    if (entry.fullUrl !== undefined && entry.fullUrl === reference) return entry.resource;
    const head = ResourceHeadSchema.safeParse(entry.resource).data;
    if (head?.id !== undefined && (reference === `${head.resourceType}/${head.id}` || reference.endsWith(`/${head.resourceType}/${head.id}`))) {
      return entry.resource;
    }
  }
  return undefined;
};

/** The item a referenced Device / Medication / Substance stands for. */
const itemOfProduct = (product: ProductInput, location: string): CodeFinding => {
  if (product.resourceType === 'Device') {
    const fromUdi = product.udiCarrier?.map((u) => u.deviceIdentifier?.trim() ?? '').find((di) => GTIN_DIGITS.test(di));
    const fromIdentifier = product.identifier?.find((i) => i.system !== undefined && GTIN_SYSTEM_SET.has(i.system) && (i.value?.trim() ?? '') !== '')?.value?.trim();
    const gtin = fromUdi ?? fromIdentifier;
    if (gtin === undefined) throw dataError(location, 'the Device has no GS1 device identifier (udiCarrier.deviceIdentifier)');
    return { item: { system: 'GTIN', value: gtin } };
  }
  return findItemCode(product.code);
};

/** The item a Reference points at, via contained resources or the Bundle. */
const itemOfReference = (ref: Pick<Reference, 'reference'>, contained: readonly unknown[] | undefined, scope: Scope, location: string): CodeFinding => {
  const target = resolve(ref.reference?.trim(), contained, scope);
  if (target === undefined) throw dataError(location, 'must reference a contained or bundled Device, Medication or Substance');
  return itemOfProduct(parseWith(ProductSchema, target, location), location);
};

// ---------------------------------------------------------------------------------------------
// Message assembly

interface Draft {
  resourceType: string;
  id: string | undefined;
  meta: Pick<Meta, 'source'> | undefined;
  extension: Pick<Extension, 'url' | 'valueString' | 'valueCode'>[] | undefined;
  occurredAt: string;
  encounter: Pick<Reference, 'reference' | 'identifier'> | undefined;
  department: string | undefined;
  procedureCode: string | undefined;
  lines: { item: ItemRef; quantity: number; uom?: string | undefined }[];
}

const quantityOf = (quantity: Pick<Quantity, 'value' | 'unit' | 'code'> | undefined, location: string): { quantity: number; uom?: string } => {
  const value = quantity?.value ?? 1;
  // Finite, non-zero, at most MAX_USAGE_QUANTITY, at most 3 decimals (contracts/usage.ts).
  const problem = usageQuantityProblem(value);
  if (problem !== undefined) throw dataError(`${location}.value`, problem);
  const uom = (quantity?.code ?? quantity?.unit)?.trim();
  if (uom !== undefined && uom.length > 16) throw dataError(location, 'unit of measure is longer than 16 characters');
  return uom === undefined || uom === '' ? { quantity: value } : { quantity: value, uom };
};

const assemble = (draft: Draft, scope: Scope): UsageMessage => {
  const { path, options } = scope;
  let messageControlId: string;
  if (draft.id !== undefined) messageControlId = `${draft.resourceType}/${draft.id}`;
  else if (scope.bundle?.id !== undefined) messageControlId = `Bundle/${scope.bundle.id}/entry/${scope.bundle.index}`;
  else throw dataError(`${path}.id`, 'is missing: the resource needs an id, or must sit in a Bundle that has one');

  const sourceSystem = draft.meta?.source?.trim() || scope.bundle?.meta?.source?.trim() || options.sourceSystem?.trim();
  if (sourceSystem === undefined || sourceSystem === '') {
    // `details.missing` lets the handler point at its X-Source-System header instead.
    throw dataError(`${path}.meta.source`, 'is missing and no sending system was declared', { missing: 'sourceSystem' });
  }
  if (sourceSystem.length > 64) throw dataError(`${path}.meta.source`, 'is longer than 64 characters');

  const facilityCode = extensionValue(draft.extension, FHIR_SYSTEMS.facility) ?? options.facilityCode?.trim();
  if (facilityCode === undefined || facilityCode === '') {
    throw dataError(`${path}.extension`, `has no ${FHIR_SYSTEMS.facility} extension and no facility was declared`, { missing: 'facilityCode' });
  }
  if (facilityCode.length > 64) throw dataError(`${path}.extension`, 'facility code is longer than 64 characters');

  const department = extensionValue(draft.extension, FHIR_SYSTEMS.department) ?? draft.department;
  if (department !== undefined && department.length > 32) throw dataError(`${path}.extension`, 'department code is longer than 32 characters');

  if (draft.lines.length === 0) throw dataError(path, 'holds no supply line');
  if (draft.lines.length > MAX_LINES) throw dataError(path, `holds more than ${MAX_LINES} supply lines`);
  const lines: UsageLine[] = draft.lines.map((l, i) => {
    const credit = l.quantity < 0;
    const line: UsageLine = { lineNumber: i + 1, item: l.item, quantity: l.quantity, transactionType: credit ? 'CREDIT' : 'CHARGE', serviceDate: draft.occurredAt };
    if (l.uom !== undefined) line.uom = l.uom;
    return line;
  });

  const message: UsageMessage = {
    sourceSystem,
    facilityCode,
    messageControlId,
    sourceFormat: `FHIR:${draft.resourceType}`,
    occurredAt: draft.occurredAt,
    lines,
  };
  if (department !== undefined) message.departmentCode = department;
  if (draft.procedureCode !== undefined) message.procedureCode = draft.procedureCode;
  const visit = draft.encounter?.identifier?.value?.trim() || draft.encounter?.reference?.trim();
  if (visit !== undefined && visit !== '') message.encounterRef = encounterRef(options.encounterKey, facilityCode, visit);

  const checked = UsageMessageSchema.safeParse(message);
  if (!checked.success) {
    // Every element was checked above; name the canonical path only, never a value.
    throw dataError(`${path}`, `does not fit the canonical usage message at ${jsonPath(checked.error.issues[0]?.path ?? [])}`);
  }
  return checked.data;
};

const locationCode = (ref: Pick<Reference, 'identifier'> | undefined): string | undefined => {
  const value = ref?.identifier?.value?.trim();
  return value === '' ? undefined : value;
};

const fromProcedure = (resource: ProcedureInput, scope: Scope): UsageMessage => {
  const { path } = scope;
  if (resource.status === 'not-done' || resource.status === 'entered-in-error') {
    throw dataError(`${path}.status`, 'a procedure that was not done used no supplies');
  }
  const usedCode = resource.usedCode ?? [];
  const usedReference = resource.usedReference ?? [];
  if (usedCode.length === 0 && usedReference.length === 0) {
    throw dataError(`${path}.usedCode`, 'is missing: a Procedure must list the supplies used (usedCode or usedReference)');
  }
  let procedureCode = findProcedureCode(resource.code);
  const lines: Draft['lines'] = [];
  usedCode.forEach((concept, i) => {
    const at = `${path}.usedCode[${i}]`;
    const found = findItemCode(concept);
    if (found.item === undefined) {
      if (found.cpt !== undefined) {
        // A CPT code names the procedure, not a supply.
        procedureCode ??= found.cpt.length <= 32 ? found.cpt : undefined;
        return;
      }
      throw dataError(at, `has no coding with system ${FHIR_SYSTEMS.chargeCode} or a GS1 GTIN system`);
    }
    lines.push({ item: checkItem(found.item, at), quantity: 1 });
  });
  usedReference.forEach((ref, i) => {
    const at = `${path}.usedReference[${i}]`;
    const found = itemOfReference(ref, resource.contained, scope, at);
    if (found.item === undefined) throw dataError(at, `the referenced product has no coding with system ${FHIR_SYSTEMS.chargeCode} or a GS1 GTIN system`);
    lines.push({ item: checkItem(found.item, at), quantity: 1 });
  });
  return assemble(
    {
      resourceType: 'Procedure',
      id: resource.id,
      meta: resource.meta,
      extension: resource.extension,
      occurredAt: instant(path, 'performed[x]', [
        ['performedDateTime', resource.performedDateTime],
        ['performedPeriod.start', resource.performedPeriod?.start],
      ]),
      encounter: resource.encounter,
      department: locationCode(resource.location),
      procedureCode,
      lines,
    },
    scope,
  );
};

const fromChargeItem = (resource: ChargeItemInput, scope: Scope): UsageMessage => {
  const { path } = scope;
  if (resource.status === 'planned' || resource.status === 'aborted' || resource.status === 'entered-in-error') {
    throw dataError(`${path}.status`, 'only a charge for supplies actually used is usage');
  }
  const fromCode = findItemCode(resource.code);
  let found = fromCode;
  let at = `${path}.code`;
  if (found.item === undefined && resource.productCodeableConcept !== undefined) {
    found = findItemCode(resource.productCodeableConcept);
    at = `${path}.productCodeableConcept`;
  }
  if (found.item === undefined && resource.productReference !== undefined) {
    at = `${path}.productReference`;
    found = itemOfReference(resource.productReference, resource.contained, scope, at);
  }
  if (found.item === undefined) {
    throw dataError(`${path}.code`, `has no coding with system ${FHIR_SYSTEMS.chargeCode}, a GS1 GTIN system or no system, and no product`);
  }
  const { quantity, uom } = quantityOf(resource.quantity, `${path}.quantity`);
  return assemble(
    {
      resourceType: 'ChargeItem',
      id: resource.id,
      meta: resource.meta,
      extension: resource.extension,
      occurredAt: instant(path, 'occurrence[x]', [
        ...occurrence(resource.occurrenceDateTime, resource.occurrencePeriod, resource.occurrenceTiming),
        ['enteredDate', resource.enteredDate],
      ]),
      encounter: resource.encounter ?? resource.context,
      department: undefined,
      procedureCode: fromCode.cpt !== undefined && fromCode.cpt.length <= 32 ? fromCode.cpt : undefined,
      lines: [{ item: checkItem(found.item, at), quantity, uom }],
    },
    scope,
  );
};

const fromSupplyDelivery = (resource: SupplyDeliveryInput, scope: Scope): UsageMessage => {
  const { path } = scope;
  if (resource.status !== 'completed') throw dataError(`${path}.status`, 'must be completed: only a delivered supply is usage');
  const supplied = resource.suppliedItem;
  if (supplied === undefined) throw dataError(`${path}.suppliedItem`, 'is missing');
  let found: CodeFinding = {};
  let at = `${path}.suppliedItem.itemCodeableConcept`;
  if (supplied.itemCodeableConcept !== undefined) found = findItemCode(supplied.itemCodeableConcept);
  if (found.item === undefined && supplied.itemReference !== undefined) {
    at = `${path}.suppliedItem.itemReference`;
    found = itemOfReference(supplied.itemReference, resource.contained, scope, at);
  }
  if (found.item === undefined) throw dataError(at, `has no coding with system ${FHIR_SYSTEMS.chargeCode}, a GS1 GTIN system or no system`);
  const { quantity, uom } = quantityOf(supplied.quantity, `${path}.suppliedItem.quantity`);
  return assemble(
    {
      resourceType: 'SupplyDelivery',
      id: resource.id,
      meta: resource.meta,
      extension: resource.extension,
      occurredAt: instant(path, 'occurrence[x]', occurrence(resource.occurrenceDateTime, resource.occurrencePeriod, resource.occurrenceTiming)),
      encounter: undefined,
      department: locationCode(resource.destination),
      procedureCode: undefined,
      lines: [{ item: checkItem(found.item, at), quantity, uom }],
    },
    scope,
  );
};

/** One supported resource → one message. */
const fromResource = (resource: unknown, scope: Scope): UsageMessage => {
  const head = parseWith(ResourceHeadSchema, resource, scope.path);
  switch (head.resourceType) {
    case 'Procedure':
      return fromProcedure(parseWith(ProcedureSchema, resource, scope.path), scope);
    case 'ChargeItem':
      return fromChargeItem(parseWith(ChargeItemSchema, resource, scope.path), scope);
    case 'SupplyDelivery':
      return fromSupplyDelivery(parseWith(SupplyDeliverySchema, resource, scope.path), scope);
    default:
      throw dataError(`${scope.path}.resourceType`, `${safeTypeName(head.resourceType)} is not supported: send a Procedure, ChargeItem, SupplyDelivery or a Bundle of them`);
  }
};

/** A resource type is a FHIR name (letters only); anything else is not echoed. */
const safeTypeName = (name: string): string => (/^[A-Z][A-Za-z]{1,63}$/.test(name) ? name : 'this resourceType');

/**
 * Parses a FHIR R4 body — a Procedure, ChargeItem or SupplyDelivery, or a transaction / batch /
 * collection Bundle holding them — into PHI-free usage messages, one per supported resource.
 * Other resources in a Bundle (Patient, Encounter, Device…) are context at most and are skipped.
 *
 * @throws ValidationError naming the JSON path when the shape is wrong (zod).
 * @throws DataError naming the element when the content is not usable (unsupported resourceType,
 *   Procedure without usedCode/usedReference, SupplyDelivery not completed, missing id…).
 */
export function parseFhirUsage(body: unknown, options: ParseFhirUsageOptions): UsageMessage[] {
  const head = parseWith(ResourceHeadSchema, body, '');
  if (head.resourceType !== 'Bundle') {
    if (!SUPPORTED_TYPES.has(head.resourceType)) {
      throw dataError('resourceType', `${safeTypeName(head.resourceType)} is not supported: send a Procedure, ChargeItem, SupplyDelivery or a Bundle of them`);
    }
    return [fromResource(body, { path: head.resourceType, options })];
  }
  const bundle = parseWith(BundleSchema, body, 'Bundle');
  if (!SUPPORTED_BUNDLE_TYPES.has(bundle.type)) throw dataError('Bundle.type', 'must be transaction, batch or collection');
  const entries = bundle.entry ?? [];
  if (entries.length > MAX_FHIR_BUNDLE_ENTRIES) throw dataError('Bundle.entry', `holds more than ${MAX_FHIR_BUNDLE_ENTRIES} entries: at most ${MAX_FHIR_BUNDLE_ENTRIES} per Bundle`);
  const messages: UsageMessage[] = [];
  entries.forEach((entry, index) => {
    if (entry.resource === undefined) return;
    const entryHead = parseWith(ResourceHeadSchema, entry.resource, `Bundle.entry[${index}].resource`);
    if (!SUPPORTED_TYPES.has(entryHead.resourceType)) return;
    messages.push(
      fromResource(entry.resource, {
        path: `Bundle.entry[${index}].resource`,
        bundle: { id: bundle.id, meta: bundle.meta, index, entries },
        options,
      }),
    );
  });
  if (messages.length === 0) throw dataError('Bundle.entry', 'holds no Procedure, ChargeItem or SupplyDelivery');
  return messages;
}

/** `resourceType`, `id` and `meta.versionId` of a raw resource, when it has them. */
const versionedIdOf = (resource: unknown): string => {
  const r = (typeof resource === 'object' && resource !== null ? resource : {}) as { resourceType?: unknown; id?: unknown; meta?: { versionId?: unknown } };
  const part = (v: unknown): string => (typeof v === 'string' ? v : '');
  return JSON.stringify([part(r.resourceType), part(r.id), part(r.meta?.versionId)]);
};

/**
 * The FHIR business identity of a body `parseFhirUsage` accepted, for idempotency: resource type,
 * id and `meta.versionId` of the body (a Bundle's own) and of every supported resource in a Bundle.
 * A new version of a resource is a new identity; the same version with other content is a reused key.
 */
export function fhirBusinessIdentity(body: unknown): string[] {
  const ids = [versionedIdOf(body)];
  const head = body as { resourceType?: unknown; entry?: unknown };
  if (head.resourceType === 'Bundle' && Array.isArray(head.entry)) {
    for (const entry of head.entry as { resource?: unknown }[]) {
      const resource = entry?.resource as { resourceType?: unknown } | undefined;
      if (typeof resource?.resourceType === 'string' && SUPPORTED_TYPES.has(resource.resourceType)) ids.push(versionedIdOf(resource));
    }
  }
  return ids;
}

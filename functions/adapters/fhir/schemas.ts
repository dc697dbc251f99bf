/**
 * zod schemas for the parts of FHIR R4 resources the usage adapter reads — nothing more.
 *
 * Each schema is typed against `@medplum/fhirtypes` (`z.ZodType<Pick<Procedure, …>>`), so a shape
 * that drifts from FHIR fails to compile. zod objects strip unknown keys: `subject`, `patient`,
 * `performer`, `note`, `text`, addresses and every other element not listed here are gone after
 * parsing and cannot reach an event, a log line or an error.
 */
import * as z from 'zod';
import type {
  ChargeItem,
  CodeableConcept,
  Coding,
  Device,
  DeviceUdiCarrier,
  Extension,
  Identifier,
  Medication,
  Meta,
  Period,
  Procedure,
  Quantity,
  Reference,
  Substance,
  SupplyDelivery,
  SupplyDeliverySuppliedItem,
  Timing,
} from '@medplum/fhirtypes';

/** FHIR `id`: 1–64 of letters, digits, '-' and '.'. */
const FhirId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be a FHIR id (1-64 letters, digits, - or .)');

export const CodingSchema: z.ZodType<Pick<Coding, 'system' | 'code'>> = z.object({
  system: z.string().optional(),
  code: z.string().optional(),
});

export const CodeableConceptSchema: z.ZodType<Pick<CodeableConcept, 'coding'>> = z.object({
  coding: z.array(CodingSchema).optional(),
});

export const IdentifierSchema: z.ZodType<Pick<Identifier, 'system' | 'value'>> = z.object({
  system: z.string().optional(),
  value: z.string().optional(),
});

export const ReferenceSchema: z.ZodType<Pick<Reference, 'reference' | 'identifier'>> = z.object({
  reference: z.string().optional(),
  identifier: IdentifierSchema.optional(),
});

export const ExtensionSchema: z.ZodType<Pick<Extension, 'url' | 'valueString' | 'valueCode'>> = z.object({
  url: z.string(),
  valueString: z.string().optional(),
  valueCode: z.string().optional(),
});

export const QuantitySchema: z.ZodType<Pick<Quantity, 'value' | 'unit' | 'code'>> = z.object({
  value: z.number().optional(),
  unit: z.string().optional(),
  code: z.string().optional(),
});

export const PeriodSchema: z.ZodType<Pick<Period, 'start' | 'end'>> = z.object({
  start: z.string().optional(),
  end: z.string().optional(),
});

export const TimingSchema: z.ZodType<Pick<Timing, 'event'>> = z.object({
  event: z.array(z.string()).optional(),
});

export const MetaSchema: z.ZodType<Pick<Meta, 'source'>> = z.object({ source: z.string().optional() });

/** What every supported resource shares: id, meta.source, extensions, contained resources. */
const common = {
  id: FhirId.optional(),
  meta: MetaSchema.optional(),
  extension: z.array(ExtensionSchema).optional(),
  /** Kept raw: only a referenced Device/Medication/Substance is parsed (and stripped) on use. */
  contained: z.array(z.unknown()).optional(),
};

export type ProcedureInput = Pick<
  Procedure,
  'resourceType' | 'id' | 'meta' | 'extension' | 'status' | 'code' | 'performedDateTime' | 'performedPeriod' | 'encounter' | 'location' | 'usedCode' | 'usedReference'
> & { contained?: unknown[] };

export const ProcedureSchema: z.ZodType<ProcedureInput> = z.object({
  resourceType: z.literal('Procedure'),
  ...common,
  status: z.enum(['preparation', 'in-progress', 'not-done', 'on-hold', 'stopped', 'completed', 'entered-in-error', 'unknown']),
  code: CodeableConceptSchema.optional(),
  performedDateTime: z.string().optional(),
  performedPeriod: PeriodSchema.optional(),
  encounter: ReferenceSchema.optional(),
  location: ReferenceSchema.optional(),
  usedCode: z.array(CodeableConceptSchema).optional(),
  usedReference: z.array(ReferenceSchema).optional(),
});

/** R4 names the encounter `context`; R5 renamed it `encounter`: both are read. */
export type ChargeItemInput = Pick<
  ChargeItem,
  | 'resourceType'
  | 'id'
  | 'meta'
  | 'extension'
  | 'status'
  | 'code'
  | 'context'
  | 'occurrenceDateTime'
  | 'occurrencePeriod'
  | 'occurrenceTiming'
  | 'enteredDate'
  | 'quantity'
  | 'productReference'
  | 'productCodeableConcept'
> & { contained?: unknown[]; encounter?: Pick<Reference, 'reference' | 'identifier'> };

export const ChargeItemSchema: z.ZodType<ChargeItemInput> = z.object({
  resourceType: z.literal('ChargeItem'),
  ...common,
  status: z.enum(['planned', 'billable', 'not-billable', 'aborted', 'billed', 'entered-in-error', 'unknown']),
  code: CodeableConceptSchema,
  context: ReferenceSchema.optional(),
  encounter: ReferenceSchema.optional(),
  occurrenceDateTime: z.string().optional(),
  occurrencePeriod: PeriodSchema.optional(),
  occurrenceTiming: TimingSchema.optional(),
  enteredDate: z.string().optional(),
  quantity: QuantitySchema.optional(),
  productReference: ReferenceSchema.optional(),
  productCodeableConcept: CodeableConceptSchema.optional(),
});

export const SuppliedItemSchema: z.ZodType<Pick<SupplyDeliverySuppliedItem, 'quantity' | 'itemCodeableConcept' | 'itemReference'>> = z.object({
  quantity: QuantitySchema.optional(),
  itemCodeableConcept: CodeableConceptSchema.optional(),
  itemReference: ReferenceSchema.optional(),
});

export type SupplyDeliveryInput = Pick<
  SupplyDelivery,
  'resourceType' | 'id' | 'meta' | 'extension' | 'status' | 'suppliedItem' | 'occurrenceDateTime' | 'occurrencePeriod' | 'occurrenceTiming' | 'destination'
> & { contained?: unknown[] };

export const SupplyDeliverySchema: z.ZodType<SupplyDeliveryInput> = z.object({
  resourceType: z.literal('SupplyDelivery'),
  ...common,
  status: z.enum(['in-progress', 'completed', 'abandoned', 'entered-in-error']).optional(),
  suppliedItem: SuppliedItemSchema.optional(),
  occurrenceDateTime: z.string().optional(),
  occurrencePeriod: PeriodSchema.optional(),
  occurrenceTiming: TimingSchema.optional(),
  destination: ReferenceSchema.optional(),
});

/** A contained (or bundled) product: what a usedReference / productReference / itemReference points at. */
export type ProductInput =
  | Pick<Device, 'resourceType' | 'id' | 'udiCarrier' | 'identifier'>
  | Pick<Medication, 'resourceType' | 'id' | 'code'>
  | (Pick<Substance, 'resourceType' | 'id'> & Partial<Pick<Substance, 'code'>>);

export const ProductSchema: z.ZodType<ProductInput> = z.discriminatedUnion('resourceType', [
  z.object({
    resourceType: z.literal('Device'),
    id: FhirId.optional(),
    udiCarrier: z.array(z.object({ deviceIdentifier: z.string().optional() }) satisfies z.ZodType<Pick<DeviceUdiCarrier, 'deviceIdentifier'>>).optional(),
    identifier: z.array(IdentifierSchema).optional(),
  }),
  z.object({ resourceType: z.literal('Medication'), id: FhirId.optional(), code: CodeableConceptSchema.optional() }),
  z.object({ resourceType: z.literal('Substance'), id: FhirId.optional(), code: CodeableConceptSchema.optional() }),
]);

/** Only `resourceType`, `id` and `fullUrl` of a bundle entry are read before dispatching on the type. */
export const BundleSchema = z.object({
  resourceType: z.literal('Bundle'),
  id: FhirId.optional(),
  type: z.enum(['document', 'message', 'transaction', 'transaction-response', 'batch', 'batch-response', 'history', 'searchset', 'collection']),
  meta: MetaSchema.optional(),
  entry: z.array(z.object({ fullUrl: z.string().optional(), resource: z.unknown().optional() })).optional(),
});
export type BundleInput = z.infer<typeof BundleSchema>;

/** The head of any resource: enough to dispatch on and to resolve references. */
export const ResourceHeadSchema = z.object({ resourceType: z.string().min(1), id: z.string().optional() });

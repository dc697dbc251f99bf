/**
 * Canonical supply-usage model: what every ingest adapter (HL7 v2, FHIR, canonical JSON) produces
 * and what the usage-to-replenishment workflow consumes. PHI-free by construction: the only
 * patient-related value is `encounterRef`, an opaque keyed HMAC.
 */
import * as z from 'zod';

/** How an item is identified on an incoming line, before crosswalk mapping. */
export const ItemRefSchema = z.object({
  /** `CHARGE` = EHR charge code (FT1-7), `GTIN`, `ITEM` = HEM internal item id, `CATALOG` = manufacturer/catalog number. */
  system: z.enum(['CHARGE', 'GTIN', 'ITEM', 'CATALOG']),
  value: z.string().min(1).max(64),
});
export type ItemRef = z.infer<typeof ItemRefSchema>;

/** One supply line of a usage message, as received (not yet mapped). */
export const UsageLineSchema = z.object({
  /** 1-based line number inside the message: part of the line's business key. */
  lineNumber: z.number().int().min(1),
  item: ItemRefSchema,
  /** Quantity in `uom`; negative for a reversal/credit. Never zero. */
  quantity: z.number().refine((q) => q !== 0 && Number.isFinite(q), 'quantity must be a non-zero number'),
  /** Unit of measure as sent (EA, BX, CS…); absent means the item's base unit. */
  uom: z.string().min(1).max(16).optional(),
  /** CHARGE consumes stock; CREDIT (FT1 credit / negative quantity) restores it. */
  transactionType: z.enum(['CHARGE', 'CREDIT']),
  /** When the supply was used (ISO 8601). */
  serviceDate: z.string().datetime({ offset: true }),
  /** Department that performed the procedure, when the line carries its own. */
  departmentCode: z.string().min(1).max(32).optional(),
});
export type UsageLine = z.infer<typeof UsageLineSchema>;

/** A PHI-free usage message: the payload of `SupplyUsageRecorded`. */
export const UsageMessageSchema = z.object({
  /** Sending system (MSH-3 namespace, FHIR meta.source, or the API client's declared system). */
  sourceSystem: z.string().min(1).max(64),
  /** Sending facility code (MSH-4), mapped to a HEM facility through the crosswalk. */
  facilityCode: z.string().min(1).max(64),
  /** Message control id (MSH-10, FHIR resource id, canonical recordId): part of each line's business key. */
  messageControlId: z.string().min(1).max(128),
  /** What it came in as, for traceability: `HL7v2:DFT^P03`, `FHIR:Procedure`, `JSON:UsageRecord`… */
  sourceFormat: z.string().min(1).max(64),
  /** When the clinical event happened (ISO 8601). */
  occurredAt: z.string().datetime({ offset: true }),
  /** Department of the procedure (FT1-13 / PV1-3 point of care / FHIR location), mapped to location + cost center. */
  departmentCode: z.string().min(1).max(32).optional(),
  /** Opaque encounter reference: HMAC-SHA256(facility + visit number) under the PHI key; never the visit number itself. */
  encounterRef: z.string().regex(/^enc_[A-Za-z0-9_-]{16,64}$/).optional(),
  /** Procedure code (CPT/HCPCS/SNOMED) when present: a code, not a patient identifier. */
  procedureCode: z.string().min(1).max(32).optional(),
  lines: z.array(UsageLineSchema).min(1).max(500),
});
export type UsageMessage = z.infer<typeof UsageMessageSchema>;

/**
 * The canonical JSON usage record accepted on `POST /v1/usage-events`.
 * `visitNumber` is accepted only to derive `encounterRef`; it is dropped at ingest.
 */
export const UsageRecordRequestSchema = z
  .object({
    resourceType: z.undefined().optional(),
    sourceSystem: z.string().min(1).max(64),
    facilityCode: z.string().min(1).max(64),
    recordId: z.string().min(1).max(128),
    occurredAt: z.string().datetime({ offset: true }),
    departmentCode: z.string().min(1).max(32).optional(),
    visitNumber: z.string().min(1).max(64).optional(),
    procedureCode: z.string().min(1).max(32).optional(),
    lines: z
      .array(
        z
          .object({
            lineNumber: z.number().int().min(1).optional(),
            chargeCode: z.string().min(1).max(64).optional(),
            itemId: z.string().min(1).max(64).optional(),
            gtin: z.string().regex(/^\d{8}$|^\d{12,14}$/).optional(),
            quantity: z.number().refine((q) => q !== 0 && Number.isFinite(q), 'quantity must be a non-zero number'),
            uom: z.string().min(1).max(16).optional(),
            departmentCode: z.string().min(1).max(32).optional(),
          })
          .strict()
          .refine((l) => [l.chargeCode, l.itemId, l.gtin].filter(Boolean).length === 1, {
            message: 'each line needs exactly one of chargeCode, itemId or gtin',
          }),
      )
      .min(1)
      .max(500),
  })
  .strict();
export type UsageRecordRequest = z.infer<typeof UsageRecordRequestSchema>;

/** The business key of one usage line: sending system + message control id + line number. */
export const usageLineBusinessKey = (msg: Pick<UsageMessage, 'sourceSystem' | 'messageControlId'>, lineNumber: number): string =>
  `${msg.sourceSystem}|${msg.messageControlId}|${lineNumber}`;

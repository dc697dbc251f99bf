/**
 * Canonical supply-usage model: what every ingest adapter (HL7 v2, FHIR, canonical JSON) produces
 * and what the usage-to-replenishment workflow consumes. PHI-free by construction: the only
 * patient-related value is `encounterRef`, an opaque keyed HMAC.
 */
import * as z from 'zod';

/**
 * Bounds every ingest path (canonical JSON, HL7 v2, FHIR) enforces on what it accepts, so that
 * nothing acknowledged is a number the workflow cannot store. A quantity is finite, non-zero,
 * at most {@link MAX_USAGE_QUANTITY} in magnitude, with at most {@link USAGE_QUANTITY_DECIMALS}
 * decimals (the finest UoM precision HEM keeps: a thousandth of a unit). Negative quantities are
 * the contract's documented reversal (a `CREDIT` line); every other quantity is positive.
 */
export const MAX_USAGE_QUANTITY = 100_000;
/** Decimals a usage quantity may carry (see {@link MAX_USAGE_QUANTITY}). */
export const USAGE_QUANTITY_DECIMALS = 3;
/**
 * Supply lines HEM accepts per incoming message (FT1 segments, FHIR lines, canonical `lines`).
 * `UsageMessageSchema` keeps its historical 500 so that every published event stays readable.
 */
export const MAX_INGEST_USAGE_LINES = 100;
/** Entries HEM accepts in one FHIR Bundle. */
export const MAX_FHIR_BUNDLE_ENTRIES = 100;

/**
 * Why a quantity cannot be accepted (PHI-free text, no value echoed), or `undefined` when it can.
 * Shared by the zod schemas below and the HL7/FHIR readers so every path answers alike.
 */
export const usageQuantityProblem = (quantity: number): string | undefined => {
  if (!Number.isFinite(quantity)) return 'quantity must be a finite number';
  if (quantity === 0) return 'quantity must be a non-zero number';
  if (Math.abs(quantity) > MAX_USAGE_QUANTITY) return `quantity must be at most ${MAX_USAGE_QUANTITY} per line`;
  if (Number(quantity.toFixed(USAGE_QUANTITY_DECIMALS)) !== quantity) {
    return `quantity must have at most ${USAGE_QUANTITY_DECIMALS} decimals`;
  }
  return undefined;
};

/** A usage quantity within the bounds above (sign rules are the line's own). */
export const UsageQuantitySchema = z
  .number({ error: 'quantity must be a finite number' })
  .min(-MAX_USAGE_QUANTITY, `quantity must be at most ${MAX_USAGE_QUANTITY} per line`)
  .max(MAX_USAGE_QUANTITY, `quantity must be at most ${MAX_USAGE_QUANTITY} per line`)
  .superRefine((q, ctx) => {
    const problem = usageQuantityProblem(q);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

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
  /** Quantity in `uom`; negative for a reversal/credit. Never zero; bounded (see `usageQuantityProblem`). */
  quantity: UsageQuantitySchema,
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
            /** Positive: usage; negative: the documented reversal (a CREDIT). Bounded (see `usageQuantityProblem`). */
            quantity: UsageQuantitySchema,
            uom: z.string().min(1).max(16).optional(),
            departmentCode: z.string().min(1).max(32).optional(),
          })
          .strict()
          .refine((l) => [l.chargeCode, l.itemId, l.gtin].filter(Boolean).length === 1, {
            message: 'each line needs exactly one of chargeCode, itemId or gtin',
          }),
      )
      .min(1)
      .max(MAX_INGEST_USAGE_LINES, `at most ${MAX_INGEST_USAGE_LINES} lines per record`),
  })
  .strict();
export type UsageRecordRequest = z.infer<typeof UsageRecordRequestSchema>;

/**
 * The business key of one usage line: `sourceSystem|facilityCode|messageControlId|lineNumber`
 * (MSH-3, MSH-4, MSH-10, line number). The facility is part of it because two facilities of one
 * sending system may reuse a control id; ingest accepts both messages, so the workflow must apply both.
 */
export const usageLineBusinessKey = (
  msg: Pick<UsageMessage, 'sourceSystem' | 'facilityCode' | 'messageControlId'>,
  lineNumber: number,
): string => `${msg.sourceSystem}|${msg.facilityCode}|${msg.messageControlId}|${lineNumber}`;

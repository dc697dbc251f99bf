/**
 * zod schemas of the payloads handlers validate at their edge that are not bus events: workflow
 * task inputs and API request bodies. Kept apart from `schemas.ts`, which imports the event
 * catalog's schemas: importing this module constructs only the schemas below.
 */
import * as z from 'zod';
import { RULES } from '../../../contracts/routing';
import type { MappedUsageLine } from '../../domain/usage-mapping';

/** A mapped line between the map and apply steps. */
export const MappedUsageLineSchema = z.object({
  businessKey: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  sourceSystem: z.string().min(1),
  messageControlId: z.string().min(1),
  lineNumber: z.number().int().min(1),
  facilityId: z.string().min(1),
  locationId: z.string().min(1),
  costCenter: z.string().min(1),
  glAccount: z.string().min(1),
  itemId: z.string().min(1),
  baseQuantity: z.number().refine((q) => q !== 0 && Number.isFinite(q), 'baseQuantity must be a non-zero number'),
  baseUom: z.string().min(1),
  transactionType: z.enum(['CHARGE', 'CREDIT']),
  serviceDate: z.string().min(1),
  encounterRef: z.string().optional(),
}) satisfies z.ZodType<MappedUsageLine>;

/** Input of the ApplyUsageLine task (the ASL passes one Map item as `line`). */
export const ApplyUsageLineInputSchema = z.object({ line: MappedUsageLineSchema });

/** Body of `PUT /v1/ops/crosswalks/charge-codes/...`. */
export const ChargeCodeCrosswalkBodySchema = z.object({ itemId: z.string().min(1).max(64) }).strict();

/** Body of `PUT /v1/ops/crosswalks/departments/...`. */
export const DepartmentCrosswalkBodySchema = z
  .object({ locationId: z.string().min(1).max(64), costCenter: z.string().min(1).max(64) })
  .strict();

const RULE_NAMES = RULES.map((r) => r.name) as [string, ...string[]];

/** Body of `POST /v1/ops/replays`: a window by ISO timestamps, optionally limited to some routing rules. */
export const ReplayRequestBodySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).describe('Window start, inclusive'),
    to: z.iso.datetime({ offset: true }).describe('Window end, exclusive'),
    ruleNames: z.array(z.enum(RULE_NAMES)).min(1).max(RULE_NAMES.length).optional().describe('Only these routing rules (default: all)'),
  })
  .strict();

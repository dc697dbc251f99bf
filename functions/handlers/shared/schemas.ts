/** zod schemas of the workflow payloads handlers validate at their edge. */
import * as z from 'zod';
import { CostPostedSchema, SupplyUsageRecordedSchema } from '../../../contracts/events';
import type { MappedUsageLine } from '../../domain/usage-mapping';

/**
 * The EventBridge envelope (as Powertools parser's `EventBridgeSchema` defines it). Declared here
 * because importing the Powertools schema module pulls zod's locale bundle into every Lambda
 * (≈ 250 KB; see bench/README.md).
 */
export const EventBridgeSchema = z.object({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.string().optional(),
});

/** The EventBridge event that starts the usage-to-replenishment workflow. */
export const SupplyUsageRecordedEventSchema = EventBridgeSchema.extend({
  source: z.literal('hem.usage'),
  'detail-type': z.literal('SupplyUsageRecorded'),
  detail: SupplyUsageRecordedSchema,
});

/** A CostPosted event as the bus delivers it to the finance queue (the SQS message body). */
export const CostPostedEventSchema = EventBridgeSchema.extend({
  source: z.literal('hem.finance'),
  'detail-type': z.literal('CostPosted'),
  detail: CostPostedSchema,
});

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

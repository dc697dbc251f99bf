/**
 * zod schemas of the bus events handlers validate at their edge (they import the event catalog's
 * schemas). Payloads without a bus event are in `payload-schemas.ts`, re-exported here: a handler
 * that needs only those imports that module, so its cold start does not construct every event schema.
 */
import * as z from 'zod';
import { CostPostedSchema, SupplyUsageRecordedSchema } from '../../../contracts/events';

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

export {
  ApplyUsageLineInputSchema,
  ChargeCodeCrosswalkBodySchema,
  DepartmentCrosswalkBodySchema,
  MappedUsageLineSchema,
  ReplayRequestBodySchema,
} from './payload-schemas';

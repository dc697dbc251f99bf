/**
 * Canonical events on the HEM bus. `source` = `hem.<domain>`, `detail-type` = `<Entity><PastTenseVerb>`,
 * `detail.version` is the schema major version. Every detail carries the tracing envelope
 * (correlationId, causationId, idempotencyKey, occurredAt). None carries PHI.
 */
import * as z from 'zod';
import { UsageMessageSchema } from './usage';

export const EVENT_SOURCES = {
  usage: 'hem.usage',
  inventory: 'hem.inventory',
  finance: 'hem.finance',
} as const;

/** Fields every event detail carries. */
export const EventEnvelopeSchema = z.object({
  version: z.literal('1'),
  /** One id per business transaction, end to end (the ingest's X-Correlation-Id). */
  correlationId: z.string().min(1),
  /** The id of the event or request that caused this one. */
  causationId: z.string().min(1),
  /** Business key consumers deduplicate on (never a queue message id). */
  idempotencyKey: z.string().min(1),
  occurredAt: z.string().datetime({ offset: true }),
});
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;

export const SupplyUsageRecordedSchema = EventEnvelopeSchema.extend({
  usage: UsageMessageSchema,
});
export type SupplyUsageRecorded = z.infer<typeof SupplyUsageRecordedSchema>;

export const InventoryPositionChangedSchema = EventEnvelopeSchema.extend({
  locationId: z.string(),
  itemId: z.string(),
  /** Change in base units: negative for usage, positive for a reversal or receipt. */
  delta: z.number(),
  onHand: z.number(),
  reason: z.enum(['USAGE', 'REVERSAL', 'RECEIPT', 'ADJUSTMENT']),
});
export type InventoryPositionChanged = z.infer<typeof InventoryPositionChangedSchema>;

export const ReplenishmentRequestedSchema = EventEnvelopeSchema.extend({
  facilityId: z.string(),
  locationId: z.string(),
  itemId: z.string(),
  onHand: z.number(),
  onOrder: z.number(),
  parLevel: z.number(),
  reorderPoint: z.number(),
  /** Quantity to order in base units: restores par, rounded up to whole purchasing packs. */
  quantity: z.number().int().positive(),
  baseUom: z.string(),
  /** The same quantity in purchasing packs. */
  purchaseQuantity: z.number().int().positive(),
  purchaseUom: z.string(),
  supplierId: z.string().optional(),
  costCenter: z.string(),
});
export type ReplenishmentRequested = z.infer<typeof ReplenishmentRequestedSchema>;

export const CostPostedSchema = EventEnvelopeSchema.extend({
  costCenter: z.string(),
  glAccount: z.string(),
  facilityId: z.string(),
  locationId: z.string(),
  itemId: z.string(),
  /** Base units; negative for a reversal. */
  quantity: z.number(),
  unitCost: z.number(),
  /** quantity × unitCost, rounded to cents; negative for a reversal. */
  amount: z.number(),
  currency: z.string().length(3),
  postingDate: z.string(),
  encounterRef: z.string().optional(),
});
export type CostPosted = z.infer<typeof CostPostedSchema>;

export const UsageExceptionRaisedSchema = EventEnvelopeSchema.extend({
  exceptionId: z.string(),
  businessKey: z.string(),
  reasons: z.array(z.string()).min(1),
});
export type UsageExceptionRaised = z.infer<typeof UsageExceptionRaisedSchema>;

/** detail-type → detail schema, for validation at every consumer edge and for the docs. */
export const EVENT_CATALOG = {
  SupplyUsageRecorded: { source: EVENT_SOURCES.usage, schema: SupplyUsageRecordedSchema },
  UsageExceptionRaised: { source: EVENT_SOURCES.usage, schema: UsageExceptionRaisedSchema },
  InventoryPositionChanged: { source: EVENT_SOURCES.inventory, schema: InventoryPositionChangedSchema },
  ReplenishmentRequested: { source: EVENT_SOURCES.inventory, schema: ReplenishmentRequestedSchema },
  CostPosted: { source: EVENT_SOURCES.finance, schema: CostPostedSchema },
} as const;
export type EventDetailType = keyof typeof EVENT_CATALOG;

/** An event as handed to the bus port (EventBridge PutEvents entry, minus the bus name). */
export interface BusEvent {
  source: string;
  detailType: EventDetailType;
  detail: EventEnvelope & Record<string, unknown>;
}

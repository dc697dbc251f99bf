/**
 * Canonical events on the HEM bus. `source` = `hem.<domain>`, `detail-type` = `<Entity><PastTenseVerb>`,
 * `detail.version` is the schema major version. Every detail carries the tracing envelope
 * (correlationId, causationId, idempotencyKey, occurredAt). None carries PHI.
 */
import * as z from 'zod';
import { EventEnvelopeSchema, type EventEnvelope } from './event-envelope';
import {
  ApVoucherPostedSchema,
  GoodsReceivedSchema,
  InvoiceExceptionRaisedSchema,
  InvoiceMatchedSchema,
  InvoiceReceivedSchema,
  PROCUREMENT_EVENT_SOURCE,
  ProcurementAlertRaisedSchema,
  PurchaseOrderAcknowledgedSchema,
  PurchaseOrderClosedSchema,
  PurchaseOrderIssuedSchema,
  RequisitionApprovedSchema,
  RequisitionCreatedSchema,
  RequisitionRejectedSchema,
  ShipmentNotifiedSchema,
} from './procurement-events';
import { UsageMessageSchema } from './usage';

export const EVENT_SOURCES = {
  usage: 'hem.usage',
  inventory: 'hem.inventory',
  finance: 'hem.finance',
  procurement: PROCUREMENT_EVENT_SOURCE,
} as const;

export { EventEnvelopeSchema, type EventEnvelope } from './event-envelope';

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
  /** ON_ORDER_RELEASED: on order given back (delta 0), see `InventoryMovement.onOrderDelta`. */
  reason: z.enum(['USAGE', 'REVERSAL', 'RECEIPT', 'ADJUSTMENT', 'ON_ORDER_RELEASED']),
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
  RequisitionCreated: { source: EVENT_SOURCES.procurement, schema: RequisitionCreatedSchema },
  RequisitionApproved: { source: EVENT_SOURCES.procurement, schema: RequisitionApprovedSchema },
  RequisitionRejected: { source: EVENT_SOURCES.procurement, schema: RequisitionRejectedSchema },
  PurchaseOrderIssued: { source: EVENT_SOURCES.procurement, schema: PurchaseOrderIssuedSchema },
  PurchaseOrderAcknowledged: { source: EVENT_SOURCES.procurement, schema: PurchaseOrderAcknowledgedSchema },
  ShipmentNotified: { source: EVENT_SOURCES.procurement, schema: ShipmentNotifiedSchema },
  GoodsReceived: { source: EVENT_SOURCES.procurement, schema: GoodsReceivedSchema },
  InvoiceReceived: { source: EVENT_SOURCES.procurement, schema: InvoiceReceivedSchema },
  InvoiceMatched: { source: EVENT_SOURCES.procurement, schema: InvoiceMatchedSchema },
  InvoiceExceptionRaised: { source: EVENT_SOURCES.procurement, schema: InvoiceExceptionRaisedSchema },
  ApVoucherPosted: { source: EVENT_SOURCES.procurement, schema: ApVoucherPostedSchema },
  PurchaseOrderClosed: { source: EVENT_SOURCES.procurement, schema: PurchaseOrderClosedSchema },
  ProcurementAlertRaised: { source: EVENT_SOURCES.procurement, schema: ProcurementAlertRaisedSchema },
} as const;
export type EventDetailType = keyof typeof EVENT_CATALOG;

/** An event as handed to the bus port (EventBridge PutEvents entry, minus the bus name). */
export interface BusEvent {
  source: string;
  detailType: EventDetailType;
  detail: EventEnvelope & Record<string, unknown>;
}

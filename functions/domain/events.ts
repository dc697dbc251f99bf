/**
 * Builders of the canonical bus events (pure). Each builder fills the envelope the same way:
 * version '1', the transaction's correlationId, the causing event/request id, an idempotency key
 * = business key + '#' + detail type (so the same fact always carries the same key and consumers
 * can deduplicate redeliveries and replays), and occurredAt.
 */
import type {
  BusEvent,
  CostPosted,
  EVENT_CATALOG,
  EventDetailType,
  EventEnvelope,
  InventoryPositionChanged,
  ReplenishmentRequested,
  SupplyUsageRecorded,
  UsageExceptionRaised,
} from '../../contracts/events';
import type { UsageMessage } from '../../contracts/usage';

/** What every builder needs to fill the envelope. */
export interface EnvelopeInput {
  correlationId: string;
  causationId: string;
  /** The business key of the fact (e.g. a usage line's `sourceSystem|facilityCode|messageControlId|lineNumber`). */
  businessKey: string;
  occurredAt: string;
}

/** Idempotency key of an event: business key + detail type. */
export const eventIdempotencyKey = (businessKey: string, detailType: EventDetailType): string => `${businessKey}#${detailType}`;

const envelope = (input: EnvelopeInput, detailType: EventDetailType): EventEnvelope => ({
  version: '1',
  correlationId: input.correlationId,
  causationId: input.causationId,
  idempotencyKey: eventIdempotencyKey(input.businessKey, detailType),
  occurredAt: input.occurredAt,
});

/** The detail types built here. */
type UsageEventType = 'SupplyUsageRecorded' | 'UsageExceptionRaised' | 'InventoryPositionChanged' | 'ReplenishmentRequested' | 'CostPosted';

/**
 * The catalog's source of each detail type built here, typed against `EVENT_CATALOG` so the compiler
 * keeps the two equal. Not read from `EVENT_CATALOG` at run time: importing the catalog's value
 * constructs the zod schema of every event of every domain, several ms of each Lambda's cold start,
 * and building an event needs none of them (EventBridgePublisher validates each event against the
 * catalog when it publishes).
 */
const SOURCES: { readonly [T in UsageEventType]: (typeof EVENT_CATALOG)[T]['source'] } = {
  SupplyUsageRecorded: 'hem.usage',
  UsageExceptionRaised: 'hem.usage',
  InventoryPositionChanged: 'hem.inventory',
  ReplenishmentRequested: 'hem.inventory',
  CostPosted: 'hem.finance',
};

/**
 * The bus event builder of one domain's detail types: each event carries the source `sources` gives
 * its detail type (a table the caller types against `EVENT_CATALOG`).
 */
export const busEventBuilder =
  <D extends EventDetailType>(sources: { readonly [T in D]: string }) =>
  (detailType: D, detail: EventEnvelope): BusEvent => ({
    source: sources[detailType],
    detailType,
    detail: detail as EventEnvelope & Record<string, unknown>,
  });

const busEvent = busEventBuilder<UsageEventType>(SOURCES);

/**
 * The business key of a whole usage message: `sourceSystem|facilityCode|messageControlId` (MSH-3,
 * MSH-4, MSH-10). Two facilities of one sending system may reuse a control id, so the facility is part of it.
 */
export const usageMessageBusinessKey = (usage: Pick<UsageMessage, 'sourceSystem' | 'facilityCode' | 'messageControlId'>): string =>
  `${usage.sourceSystem}|${usage.facilityCode}|${usage.messageControlId}`;

/** `SupplyUsageRecorded`: one PHI-free usage message was accepted. */
export const supplyUsageRecorded = (input: EnvelopeInput, usage: UsageMessage): BusEvent => {
  const detail: SupplyUsageRecorded = { ...envelope(input, 'SupplyUsageRecorded'), usage };
  return busEvent('SupplyUsageRecorded', detail);
};

/** `InventoryPositionChanged`: on hand moved by `delta`. */
export const inventoryPositionChanged = (
  input: EnvelopeInput,
  fact: Omit<InventoryPositionChanged, keyof EventEnvelope>,
): BusEvent => {
  const detail: InventoryPositionChanged = { ...envelope(input, 'InventoryPositionChanged'), ...fact };
  return busEvent('InventoryPositionChanged', detail);
};

/** `ReplenishmentRequested`: a par location fell to its reorder point. */
export const replenishmentRequested = (
  input: EnvelopeInput,
  fact: Omit<ReplenishmentRequested, keyof EventEnvelope>,
): BusEvent => {
  const detail: ReplenishmentRequested = { ...envelope(input, 'ReplenishmentRequested'), ...fact };
  if (detail.supplierId === undefined) delete detail.supplierId;
  return busEvent('ReplenishmentRequested', detail);
};

/** `CostPosted`: a usage (or reversal) was costed to a cost center. */
export const costPosted = (input: EnvelopeInput, fact: Omit<CostPosted, keyof EventEnvelope>): BusEvent => {
  const detail: CostPosted = { ...envelope(input, 'CostPosted'), ...fact };
  if (detail.encounterRef === undefined) delete detail.encounterRef;
  return busEvent('CostPosted', detail);
};

/** `UsageExceptionRaised`: a usage line could not be mapped and waits for an operator. */
export const usageExceptionRaised = (
  input: EnvelopeInput,
  fact: Omit<UsageExceptionRaised, keyof EventEnvelope | 'businessKey'>,
): BusEvent => {
  const detail: UsageExceptionRaised = { ...envelope(input, 'UsageExceptionRaised'), businessKey: input.businessKey, ...fact };
  return busEvent('UsageExceptionRaised', detail);
};

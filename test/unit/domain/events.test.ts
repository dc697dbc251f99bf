import { describe, expect, it } from '@jest/globals';
import { EVENT_CATALOG } from '../../../contracts/events';
import {
  costPosted,
  eventIdempotencyKey,
  inventoryPositionChanged,
  replenishmentRequested,
  supplyUsageRecorded,
  usageExceptionRaised,
  usageMessageBusinessKey,
} from '../../../functions/domain/events';
import { gauzeCostFact, gauzeReplenishmentFact, sampleUsage } from '../fakes';

const envelope = { correlationId: 'corr-1', causationId: 'evt-1', businessKey: 'EPIC|NMC|MSG00001|1', occurredAt: '2025-03-14T09:30:00.000Z' };

const built = [
  supplyUsageRecorded({ ...envelope, businessKey: usageMessageBusinessKey(sampleUsage()) }, sampleUsage()),
  inventoryPositionChanged(envelope, { locationId: 'NMC-OR', itemId: 'ITM-10001', delta: -6, onHand: 54, reason: 'USAGE' }),
  replenishmentRequested(envelope, { ...gauzeReplenishmentFact(), supplierId: undefined }),
  costPosted(envelope, gauzeCostFact()),
  usageExceptionRaised(envelope, { exceptionId: 'exc_1', reasons: ['UNKNOWN_CHARGE_CODE'] }),
];

describe('event builders', () => {
  for (const event of built) {
    it(`builds a ${event.detailType} that its catalog schema accepts, with the catalog source`, () => {
      const entry = EVENT_CATALOG[event.detailType];
      expect(event.source).toBe(entry.source);
      const parsed = entry.schema.safeParse(event.detail);
      expect(parsed.success).toBe(true);
    });

    it(`fills the ${event.detailType} envelope: version 1, correlation, causation, business-key idempotency key`, () => {
      expect(event.detail.version).toBe('1');
      expect(event.detail.correlationId).toBe('corr-1');
      expect(event.detail.causationId).toBe('evt-1');
      expect(event.detail.occurredAt).toBe('2025-03-14T09:30:00.000Z');
      expect(event.detail.idempotencyKey.endsWith(`#${event.detailType}`)).toBeTruthy();
    });
  }

  it('keys SupplyUsageRecorded on the message and line events on the line', () => {
    expect(built[0]!.detail.idempotencyKey).toBe('EPIC|NMC|MSG00001#SupplyUsageRecorded');
    expect(built[1]!.detail.idempotencyKey).toBe(eventIdempotencyKey('EPIC|NMC|MSG00001|1', 'InventoryPositionChanged'));
  });

  it('leaves optional members out instead of sending undefined', () => {
    expect('supplierId' in built[2]!.detail).toBe(false);
    expect('encounterRef' in built[3]!.detail).toBe(false);
  });
});

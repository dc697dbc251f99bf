import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

const envelope = { correlationId: 'corr-1', causationId: 'evt-1', businessKey: 'EPIC|MSG00001|1', occurredAt: '2025-03-14T09:30:00.000Z' };

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
      assert.equal(event.source, entry.source);
      const parsed = entry.schema.safeParse(event.detail);
      assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues));
    });

    it(`fills the ${event.detailType} envelope: version 1, correlation, causation, business-key idempotency key`, () => {
      assert.equal(event.detail.version, '1');
      assert.equal(event.detail.correlationId, 'corr-1');
      assert.equal(event.detail.causationId, 'evt-1');
      assert.equal(event.detail.occurredAt, '2025-03-14T09:30:00.000Z');
      assert.ok(event.detail.idempotencyKey.endsWith(`#${event.detailType}`));
    });
  }

  it('keys SupplyUsageRecorded on the message and line events on the line', () => {
    assert.equal(built[0]!.detail.idempotencyKey, 'EPIC|MSG00001#SupplyUsageRecorded');
    assert.equal(built[1]!.detail.idempotencyKey, eventIdempotencyKey('EPIC|MSG00001|1', 'InventoryPositionChanged'));
  });

  it('leaves optional members out instead of sending undefined', () => {
    assert.equal('supplierId' in built[2]!.detail, false);
    assert.equal('encounterRef' in built[3]!.detail, false);
  });
});

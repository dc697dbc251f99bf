/**
 * EventBridgePublisher with the real SDK client against a small fault-injecting EventBridge endpoint
 * (node:http speaking the PutEvents JSON protocol). moto never reports failed entries for valid
 * events, so the `FailedEntryCount` path is exercised here; routing to a real target is covered by
 * test/contract/eventbridge.contract.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { BusEvent } from '../../../contracts/events';
import { EventBridgePublisher } from '../../../functions/adapters/aws/event-publisher';
import { InfrastructureError, ValidationError } from '../../../functions/domain/errors';
import { startStubEndpoint, stubClientConfig, type StubEndpoint } from '../../support/stub-endpoint';
import { expectInstanceOf } from '../../support/expect-narrowing';

interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
}

/** Decides per entry: undefined = accepted, a string = that ErrorCode. */
let failEntry: (entry: PutEventsEntry, call: number) => string | undefined = () => undefined;
const calls: PutEventsEntry[][] = [];
let endpoint: StubEndpoint;
let client: EventBridgeClient;

const positionChanged = (n: number): BusEvent => ({
  source: 'hem.inventory',
  detailType: 'InventoryPositionChanged',
  detail: {
    version: '1',
    correlationId: `corr-${n}`,
    causationId: `corr-${n}`,
    idempotencyKey: `EPIC|NMC|MSG${n}|1`,
    occurredAt: '2026-11-20T09:00:00.000Z',
    locationId: 'NMC-OR',
    itemId: 'ITM-10001',
    delta: -1,
    onHand: 59 - n,
    reason: 'USAGE',
  },
});

const publisher = (maxAttempts = 4): EventBridgePublisher =>
  new EventBridgePublisher({ client, eventBusName: 'hem-test', maxAttempts, baseDelayMs: 5, maxDelayMs: 20 });

describe('EventBridgePublisher', () => {
  beforeAll(async () => {
    endpoint = await startStubEndpoint((req, body, res) => {
      expect(req.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
      const entries = (JSON.parse(body) as { Entries: PutEventsEntry[] }).Entries;
      calls.push(entries);
      const results = entries.map((entry) => {
        const code = failEntry(entry, calls.length);
        return code === undefined ? { EventId: `evt-${calls.length}` } : { ErrorCode: code, ErrorMessage: 'injected' };
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results }));
    });
    client = new EventBridgeClient(stubClientConfig(endpoint.url));
  });

  afterAll(async () => {
    client.destroy();
    await endpoint.close();
  });

  beforeEach(() => {
    calls.length = 0;
    failEntry = () => undefined;
  });

  it('sends each event with the bus name, source, detail-type and the detail as JSON', async () => {
    const event = positionChanged(1);
    await publisher().publish([event]);
    expect(calls.length).toBe(1);
    expect(calls[0]).toStrictEqual([
      { EventBusName: 'hem-test', Source: 'hem.inventory', DetailType: 'InventoryPositionChanged', Detail: JSON.stringify(event.detail) },
    ]);
  });

  it('splits 23 events into PutEvents requests of at most 10 entries', async () => {
    await publisher().publish(Array.from({ length: 23 }, (_, i) => positionChanged(i)));
    expect(calls.map((c) => c.length)).toStrictEqual([10, 10, 3]);
  });

  it('re-sends only the entries that failed when FailedEntryCount > 0', async () => {
    failEntry = (entry, call) => (call === 1 && JSON.parse(entry.Detail).onHand % 2 === 0 ? 'ThrottlingException' : undefined);
    await publisher().publish(Array.from({ length: 6 }, (_, i) => positionChanged(i)));
    expect(calls.length).toBe(2);
    expect(calls[1]?.map((e) => JSON.parse(e.Detail).onHand)).toStrictEqual([58, 56, 54]);
  });

  it('throws InfrastructureError naming the error codes once the attempts are spent', async () => {
    failEntry = (entry) => (JSON.parse(entry.Detail).onHand === 59 ? 'InternalFailure' : undefined);
    const error = await publisher(3)
      .publish([positionChanged(0), positionChanged(1)])
      .then(
        () => {
          throw new Error('expected a rejection');
        },
        (e: unknown) => e,
      );
    expectInstanceOf(error, InfrastructureError);
    expect(error.message).toMatch(/1 of 2 entries \(InternalFailure\)/);
    expect(error.details.errorCodes).toStrictEqual(['InternalFailure']);
    expect(error.message).not.toContain('ITM-10001');
    expect(calls.length).toBe(3);
  });

  it('does not retry entries refused for good (malformed detail, access denied)', async () => {
    failEntry = () => 'AccessDeniedException';
    await expect(publisher().publish([positionChanged(0)])).rejects.toThrow(InfrastructureError);
    expect(calls.length).toBe(1);
  });

  it('refuses an event that does not match its catalog schema and sends nothing of the batch', async () => {
    const bad = positionChanged(2);
    bad.detail = { ...bad.detail, onHand: 'many' };
    const error = await publisher()
      .publish([positionChanged(1), bad])
      .then(
        () => {
          throw new Error('expected a rejection');
        },
        (e: unknown) => e,
      );
    expectInstanceOf(error, ValidationError);
    expect(error.details.issues).toStrictEqual([{ path: 'onHand', code: 'invalid_type' }]);
    expect(calls.length).toBe(0);
  });

  it('refuses an event published under the wrong source or an unknown detail-type', async () => {
    await expect(publisher().publish([{ ...positionChanged(1), source: 'hem.finance' }])).rejects.toThrow(ValidationError);
    await expect(publisher().publish([{ ...positionChanged(1), detailType: 'SomethingHappened' as BusEvent['detailType'] }])).rejects.toThrow(ValidationError);
    expect(calls.length).toBe(0);
  });

  it('wraps a failed call in InfrastructureError', async () => {
    const unreachable = new EventBridgeClient(stubClientConfig('http://127.0.0.1:9'));
    try {
      await expect(new EventBridgePublisher({ client: unreachable, eventBusName: 'hem-test' }).publish([positionChanged(1)])).rejects.toThrow(InfrastructureError);
    } finally {
      unreachable.destroy();
    }
  });
});

/**
 * Contract: EventBridgePublisher against moto's EventBridge. A custom bus with the routing table's
 * `cost-postings-to-finance` rule targets an SQS queue; what the publisher sends must arrive there as
 * a routable EventBridge event, and what the rule does not match must not. (moto takes ~0.35 s per
 * event it delivers to an SQS target, hence the small batches.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectTruthy } from '../support/expect-narrowing';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { BusEvent } from '../../contracts/events';
import { RULES } from '../../contracts/routing';
import { EventBridgePublisher } from '../../functions/adapters/aws/event-publisher';
import { ValidationError } from '../../functions/domain/errors';
import { gauzeCostPosted } from '../support/events';
import { startMoto } from '../support/moto';
import type { Moto } from '../support/moto';

const BUS = 'hem-contract';
let moto: Moto;
let eventBridge: EventBridgeClient;
let sqs: SQSClient;
let queueUrl: string;

const envelope = (key: string): BusEvent['detail'] => ({
  version: '1',
  correlationId: `corr-${key}`,
  causationId: `corr-${key}`,
  idempotencyKey: key,
  occurredAt: '2026-11-20T09:00:00.000Z',
});

const costPosted = (key: string): BusEvent => ({
  source: 'hem.finance',
  detailType: 'CostPosted',
  detail: gauzeCostPosted(key, envelope(key)),
});

const positionChanged = (key: string): BusEvent => ({
  source: 'hem.inventory',
  detailType: 'InventoryPositionChanged',
  detail: { ...envelope(key), locationId: 'NMC-OR', itemId: 'ITM-10001', delta: -3, onHand: 57, reason: 'USAGE' },
});

/** Receives until the queue answers empty. */
const drain = async (): Promise<{ source: string; 'detail-type': string; detail: Record<string, unknown> }[]> => {
  const bodies: string[] = [];
  for (;;) {
    const result = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if ((result.Messages ?? []).length === 0) {
      return bodies.map((b) => JSON.parse(b));
    }
    bodies.push(...(result.Messages ?? []).map((m) => m.Body ?? ''));
  }
};

describe('EventBridgePublisher on moto', () => {
  beforeAll(async () => {
    moto = await startMoto();
    eventBridge = new EventBridgeClient(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
    await eventBridge.send(new CreateEventBusCommand({ Name: BUS }));
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'finance-postings' }))).QueueUrl ?? '';
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    const rule = RULES.find((r) => r.name === 'cost-postings-to-finance');
    expectTruthy(rule); expectTruthy(queueArn);
    await eventBridge.send(new PutRuleCommand({ Name: rule.name, EventBusName: BUS, EventPattern: JSON.stringify(rule.eventPattern) }));
    await eventBridge.send(new PutTargetsCommand({ Rule: rule.name, EventBusName: BUS, Targets: [{ Id: 'finance-postings', Arn: queueArn }] }));
  });

  afterAll(async () => {
    eventBridge?.destroy();
    sqs?.destroy();
    await moto?.stop();
  });

  it('delivers what the rule matches to its SQS target, with source, detail-type and detail intact', async () => {
    const publisher = new EventBridgePublisher({ client: eventBridge, eventBusName: BUS });
    const posted = costPosted('EPIC|NMC|MSG1|1');
    await publisher.publish([posted, positionChanged('EPIC|NMC|MSG1|1')]);
    const delivered = await drain();
    expect(delivered.length).toBe(1);
    expect(delivered[0]?.source).toBe('hem.finance');
    expect(delivered[0]?.['detail-type']).toBe('CostPosted');
    expect(delivered[0]?.detail).toStrictEqual(posted.detail);
  });

  it('publishes 12 events in two PutEvents calls and every one arrives', async () => {
    const publisher = new EventBridgePublisher({ client: eventBridge, eventBusName: BUS });
    await publisher.publish(Array.from({ length: 12 }, (_, i) => costPosted(`EPIC|NMC|BULK${i}|1`)));
    const keys = (await drain()).map((e) => String(e.detail.idempotencyKey)).sort();
    expect(keys).toStrictEqual(Array.from({ length: 12 }, (_, i) => `EPIC|NMC|BULK${i}|1`).sort());
  });

  it('puts nothing on the bus when one event of the batch is invalid', async () => {
    const publisher = new EventBridgePublisher({ client: eventBridge, eventBusName: BUS });
    const bad = costPosted('EPIC|NMC|BAD|1');
    bad.detail = { ...bad.detail, currency: 'DOLLARS' };
    await expect(publisher.publish([costPosted('EPIC|NMC|GOOD|1'), bad])).rejects.toThrow(ValidationError);
    expect(await drain()).toStrictEqual([]);
  });
});

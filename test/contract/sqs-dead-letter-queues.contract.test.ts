/**
 * Contract: SqsDeadLetterQueues against moto's SQS and EventBridge. A source queue with a
 * RedrivePolicy to its DLQ; messages land in the DLQ both ways they do in production (redelivery
 * past maxReceiveCount, and sent directly as EventBridge does for a failed target, with its ERROR_*
 * attributes); list, peek and redrive must see and move all of them. A rule-target DLQ (events
 * dead-lettered by EventBridge or by the workflow's Catch) redrives by re-publishing its events to
 * a bus whose rule routes them to a queue, where they must arrive intact.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { expectTruthy } from '../support/expect-narrowing';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { RULES } from '../../contracts/routing';
import { SqsDeadLetterQueues } from '../../functions/adapters/aws/dead-letter-queues';
import { ConflictError, InfrastructureError, NotFoundError } from '../../functions/domain/errors';
import { gauzeCostPosted } from '../support/events';
import { startMoto } from '../support/moto';
import type { Moto } from '../support/moto';

let moto: Moto;
let sqs: SQSClient;
let sourceUrl: string;
let dlqUrl: string;
let dlqs: SqsDeadLetterQueues;
let eventBridge: EventBridgeClient;
let ruleDlqUrl: string;
let routedUrl: string;
const BUS = 'hem-contract';

const eventBridgeFailure = (n: number): SendMessageCommand =>
  new SendMessageCommand({
    QueueUrl: dlqUrl,
    MessageBody: JSON.stringify({ 'detail-type': 'CostPosted', source: 'hem.finance', detail: { idempotencyKey: `EPIC|NMC|MSG${n}|1` } }),
    MessageAttributes: {
      ERROR_CODE: { DataType: 'String', StringValue: 'SQS_TARGET_ERROR' },
      ERROR_MESSAGE: { DataType: 'String', StringValue: 'target unavailable' },
      RULE_ARN: { DataType: 'String', StringValue: 'arn:aws:events:us-east-1:123456789012:rule/hem/cost-postings-to-finance' },
    },
  });

const receiveAll = async (queueUrl: string): Promise<{ body: string; attributes: Record<string, string> }[]> => {
  const seen: { body: string; attributes: Record<string, string> }[] = [];
  for (;;) {
    const result = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30, MessageAttributeNames: ['All'] }),
    );
    const messages = result.Messages ?? [];
    if (messages.length === 0) {
      return seen;
    }
    for (const m of messages) {
      seen.push({
        body: m.Body ?? '',
        attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ''])),
      });
    }
  }
};

const depth = async (queueUrl: string): Promise<number> =>
  Number(
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes
      ?.ApproximateNumberOfMessages,
  );

describe('SqsDeadLetterQueues on moto', () => {
  beforeAll(async () => {
    moto = await startMoto();
    sqs = new SQSClient(moto.clientConfig);
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'finance-postings-dlq' }))).QueueUrl ?? '';
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    sourceUrl =
      (
        await sqs.send(
          new CreateQueueCommand({
            QueueName: 'finance-postings',
            Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }), VisibilityTimeout: '0' },
          }),
        )
      ).QueueUrl ?? '';
    // The bus side: the routing table's cost-postings rule delivers to a queue we can read.
    eventBridge = new EventBridgeClient(moto.clientConfig);
    await eventBridge.send(new CreateEventBusCommand({ Name: BUS }));
    routedUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'finance-postings-routed' }))).QueueUrl ?? '';
    const routedArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: routedUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    const rule = RULES.find((r) => r.name === 'cost-postings-to-finance');
    expectTruthy(rule); expectTruthy(routedArn);
    await eventBridge.send(new PutRuleCommand({ Name: rule.name, EventBusName: BUS, EventPattern: JSON.stringify(rule.eventPattern) }));
    await eventBridge.send(new PutTargetsCommand({ Rule: rule.name, EventBusName: BUS, Targets: [{ Id: 'routed', Arn: routedArn }] }));
    ruleDlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'cost-postings-to-finance-dlq' }))).QueueUrl ?? '';

    dlqs = new SqsDeadLetterQueues({
      client: sqs,
      eventBridge,
      queues: [
        { name: 'finance-postings-dlq', dlqUrl, redrive: { kind: 'queue', sourceUrl } },
        { name: 'cost-postings-to-finance-dlq', dlqUrl: ruleDlqUrl, redrive: { kind: 'bus', eventBusName: BUS } },
        { name: 'inspect-only-dlq', dlqUrl: ruleDlqUrl },
      ],
    });
  });

  afterAll(async () => {
    sqs?.destroy();
    eventBridge?.destroy();
    await moto?.stop();
  });

  beforeEach(async () => {
    for (const url of [dlqUrl, sourceUrl, ruleDlqUrl, routedUrl]) {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    }
  });

  it('lists each DLQ with its source queue and depth', async () => {
    for (let i = 0; i < 3; i++) {
      await sqs.send(eventBridgeFailure(i));
    }
    expect(await dlqs.list()).toStrictEqual([
      { name: 'finance-postings-dlq', sourceQueue: 'finance-postings', depth: 3 },
      { name: 'cost-postings-to-finance-dlq', sourceQueue: `bus:${BUS}`, depth: 0 },
      { name: 'inspect-only-dlq', sourceQueue: 'none', depth: 0 },
    ]);
  });

  it('peeks without removing: body, receive count, sent time and EventBridge error attributes', async () => {
    await sqs.send(eventBridgeFailure(1));
    await sqs.send(eventBridgeFailure(2));
    const peeked = await dlqs.peek('finance-postings-dlq', 10);
    expect(peeked.length).toBe(2);
    const first = peeked.find((m) => m.body.includes('MSG1'));
    expectTruthy(first);
    expect(first.attributes.ERROR_CODE).toBe('SQS_TARGET_ERROR');
    expect(first.attributes.RULE_ARN).toBe('arn:aws:events:us-east-1:123456789012:rule/hem/cost-postings-to-finance');
    expect(first.receiveCount >= 1).toBeTruthy();
    expect(!Number.isNaN(Date.parse(first.sentAt))).toBeTruthy();
    expect(await depth(dlqUrl)).toBe(2);
    expect((await dlqs.peek('finance-postings-dlq', 1)).length).toBe(1);
  });

  it('redrives every message back to the source queue with its attributes, leaving the DLQ empty', async () => {
    for (let i = 0; i < 23; i++) {
      await sqs.send(eventBridgeFailure(i));
    }
    expect(await dlqs.redrive('finance-postings-dlq')).toStrictEqual({ moved: 23 });
    expect(await depth(dlqUrl)).toBe(0);
    const back = await receiveAll(sourceUrl);
    expect(back.length).toBe(23);
    expect(back.map((m) => JSON.parse(m.body).detail.idempotencyKey).sort()).toStrictEqual(Array.from({ length: 23 }, (_, i) => `EPIC|NMC|MSG${i}|1`).sort());
    expect(back.every((m) => m.attributes.ERROR_CODE === 'SQS_TARGET_ERROR')).toBeTruthy();
  });

  it('redrives a message that reached the DLQ through the source queue RedrivePolicy', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: '{"poison":false}' }));
    // maxReceiveCount 1: received once, and the next receive moves it to the DLQ.
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: sourceUrl, VisibilityTimeout: 0 }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: sourceUrl, VisibilityTimeout: 0 }));
    expect((await dlqs.list()).find((q) => q.name === 'finance-postings-dlq')?.depth).toBe(1);
    expect(await dlqs.redrive('finance-postings-dlq')).toStrictEqual({ moved: 1 });
    expect((await receiveAll(sourceUrl)).map((m) => m.body)).toStrictEqual(['{"poison":false}']);
  });

  it('answers moved 0 for an empty DLQ, NotFoundError for an unknown name and ConflictError for an inspect-only DLQ', async () => {
    expect(await dlqs.redrive('finance-postings-dlq')).toStrictEqual({ moved: 0 });
    await expect(dlqs.peek('no-such-dlq', 1)).rejects.toThrow(NotFoundError);
    await expect(dlqs.redrive('no-such-dlq')).rejects.toThrow(NotFoundError);
    await expect(dlqs.redrive('inspect-only-dlq')).rejects.toThrow(ConflictError);
  });

  it('redrives a rule-target DLQ by re-publishing its events to the bus, which routes them again intact', async () => {
    const events = [1, 2, 3].map((n) => deadLetteredEvent(`EPIC|NMC|BUS${n}|1`));
    for (const event of events) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: ruleDlqUrl,
          MessageBody: JSON.stringify(event),
          MessageAttributes: { ERROR_CODE: { DataType: 'String', StringValue: 'SQS_TARGET_ERROR' } },
        }),
      );
    }
    expect((await dlqs.list()).find((q) => q.name === 'cost-postings-to-finance-dlq')?.depth).toBe(3);
    expect(await dlqs.redrive('cost-postings-to-finance-dlq')).toStrictEqual({ moved: 3 });
    expect(await depth(ruleDlqUrl)).toBe(0);
    const routed = (await receiveAll(routedUrl)).map((m) => JSON.parse(m.body) as { id: string; source: string; 'detail-type': string; detail: unknown });
    expect(routed.length).toBe(3);
    for (const original of events) {
      const again = routed.find((e) => JSON.stringify(e.detail) === JSON.stringify(original.detail));
      expectTruthy(again);
      expect(again.source).toBe(original.source);
      expect(again['detail-type']).toBe(original['detail-type']);
      expect(again.id).not.toBe(original.id);
    }
  });

  it('leaves a body that is not an EventBridge event in the DLQ and reports it', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: ruleDlqUrl, MessageBody: JSON.stringify(deadLetteredEvent('EPIC|NMC|BUS9|1')) }));
    await sqs.send(new SendMessageCommand({ QueueUrl: ruleDlqUrl, MessageBody: 'not an event' }));
    await expect(dlqs.redrive('cost-postings-to-finance-dlq')).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof InfrastructureError && e.details.moved === 1 && e.details.failed === 1));
    expect((await receiveAll(routedUrl)).length).toBe(1);
    const left = Number(
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: ruleDlqUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }))).Attributes
        ?.ApproximateNumberOfMessagesNotVisible,
    );
    expect(left).toBe(1);
  });
});

/** A CostPosted event as EventBridge delivered it to a target (what a rule-target DLQ holds). */
function deadLetteredEvent(idempotencyKey: string): { id: string; source: string; 'detail-type': string; detail: { idempotencyKey: string } & Record<string, unknown> } {
  return {
    id: `evt-${idempotencyKey}`,
    source: 'hem.finance',
    'detail-type': 'CostPosted',
    detail: gauzeCostPosted(idempotencyKey),
  };
}

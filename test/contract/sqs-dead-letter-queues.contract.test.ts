/**
 * Contract: SqsDeadLetterQueues against moto's SQS. A source queue with a RedrivePolicy to its DLQ;
 * messages land in the DLQ both ways they do in production (redelivery past maxReceiveCount, and
 * sent directly as EventBridge does for a failed target, with its ERROR_* attributes); list, peek
 * and redrive must see and move all of them.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsDeadLetterQueues } from '../../functions/adapters/aws/dead-letter-queues';
import { NotFoundError } from '../../functions/domain/errors';
import { startMoto } from '../support/moto';
import type { Moto } from '../support/moto';

let moto: Moto;
let sqs: SQSClient;
let sourceUrl: string;
let dlqUrl: string;
let dlqs: SqsDeadLetterQueues;

const eventBridgeFailure = (n: number): SendMessageCommand =>
  new SendMessageCommand({
    QueueUrl: dlqUrl,
    MessageBody: JSON.stringify({ 'detail-type': 'CostPosted', source: 'hem.finance', detail: { idempotencyKey: `EPIC|MSG${n}|1` } }),
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
  before(async () => {
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
    dlqs = new SqsDeadLetterQueues({ client: sqs, queues: [{ name: 'finance-postings-dlq', dlqUrl, sourceUrl }] });
  });

  after(async () => {
    sqs?.destroy();
    await moto?.stop();
  });

  beforeEach(async () => {
    await sqs.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: sourceUrl }));
  });

  it('lists each DLQ with its source queue and depth', async () => {
    for (let i = 0; i < 3; i++) {
      await sqs.send(eventBridgeFailure(i));
    }
    assert.deepEqual(await dlqs.list(), [{ name: 'finance-postings-dlq', sourceQueue: 'finance-postings', depth: 3 }]);
  });

  it('peeks without removing: body, receive count, sent time and EventBridge error attributes', async () => {
    await sqs.send(eventBridgeFailure(1));
    await sqs.send(eventBridgeFailure(2));
    const peeked = await dlqs.peek('finance-postings-dlq', 10);
    assert.equal(peeked.length, 2);
    const first = peeked.find((m) => m.body.includes('MSG1'));
    assert.ok(first);
    assert.equal(first.attributes.ERROR_CODE, 'SQS_TARGET_ERROR');
    assert.equal(first.attributes.RULE_ARN, 'arn:aws:events:us-east-1:123456789012:rule/hem/cost-postings-to-finance');
    assert.ok(first.receiveCount >= 1);
    assert.ok(!Number.isNaN(Date.parse(first.sentAt)));
    assert.equal(await depth(dlqUrl), 2, 'peek leaves the messages visible');
    assert.equal((await dlqs.peek('finance-postings-dlq', 1)).length, 1);
  });

  it('redrives every message back to the source queue with its attributes, leaving the DLQ empty', async () => {
    for (let i = 0; i < 23; i++) {
      await sqs.send(eventBridgeFailure(i));
    }
    assert.deepEqual(await dlqs.redrive('finance-postings-dlq'), { moved: 23 });
    assert.equal(await depth(dlqUrl), 0);
    const back = await receiveAll(sourceUrl);
    assert.equal(back.length, 23);
    assert.deepEqual(
      back.map((m) => JSON.parse(m.body).detail.idempotencyKey).sort(),
      Array.from({ length: 23 }, (_, i) => `EPIC|MSG${i}|1`).sort(),
    );
    assert.ok(back.every((m) => m.attributes.ERROR_CODE === 'SQS_TARGET_ERROR'));
  });

  it('redrives a message that reached the DLQ through the source queue RedrivePolicy', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: '{"poison":false}' }));
    // maxReceiveCount 1: received once, and the next receive moves it to the DLQ.
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: sourceUrl, VisibilityTimeout: 0 }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: sourceUrl, VisibilityTimeout: 0 }));
    assert.equal((await dlqs.list())[0]?.depth, 1);
    assert.deepEqual(await dlqs.redrive('finance-postings-dlq'), { moved: 1 });
    assert.deepEqual(
      (await receiveAll(sourceUrl)).map((m) => m.body),
      ['{"poison":false}'],
    );
  });

  it('answers moved 0 for an empty DLQ and NotFoundError for an unknown name', async () => {
    assert.deepEqual(await dlqs.redrive('finance-postings-dlq'), { moved: 0 });
    await assert.rejects(dlqs.peek('no-such-dlq', 1), NotFoundError);
    await assert.rejects(dlqs.redrive('no-such-dlq'), NotFoundError);
  });
});

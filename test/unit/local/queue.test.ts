import { afterAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ValidationError } from '../../../functions/domain/errors';
import { silentLogger } from '../../../local/persistence';
import { LocalQueue } from '../../../local/queue';
import type { LocalQueueOptions } from '../../../local/queue';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

// Visibility timeouts are fractions of a second so redeliveries happen within the test.
const queue = (options: Partial<LocalQueueOptions> & { name: string }): LocalQueue =>
  new LocalQueue({ visibilityTimeoutSeconds: 0.05, logger: silentLogger, ...options });

const tempDirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hem-queue-'));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('LocalQueue: SQS semantics', () => {
  it('returns a received message with SQS attributes and hides it for the visibility timeout', () => {
    const q = queue({ name: 'orders', visibilityTimeoutSeconds: 30 });
    const id = q.send('{"po":"PO-1"}', { ERROR_CODE: 'X' });
    const [message] = q.receive(10);
    expect(message).toBeTruthy();
    expect(message.messageId).toBe(id);
    expect(message.body).toBe('{"po":"PO-1"}');
    expect(message.md5OfBody).toBe(md5('{"po":"PO-1"}'));
    expect(message.attributes.ApproximateReceiveCount).toBe('1');
    expect(message.attributes.SentTimestamp).toMatch(/^\d{13}$/);
    expect(message.attributes.ApproximateFirstReceiveTimestamp).toMatch(/^\d{13}$/);
    expect(message.messageAttributes).toStrictEqual({ ERROR_CODE: { dataType: 'String', stringValue: 'X' } });
    expect(q.receive(10).length).toBe(0);
    expect(q.counts()).toStrictEqual({ visible: 0, inFlight: 1, delayed: 0 });
  });

  it('redelivers a message after its visibility timeout with a new receipt handle and a higher receive count', async () => {
    const q = queue({ name: 'redeliver' });
    q.send('a');
    const first = q.receive(1)[0];
    await sleep(70);
    const second = q.receive(1)[0];
    expect(first && second).toBeTruthy();
    expect(second.messageId).toBe(first.messageId);
    expect(second.receiptHandle).not.toBe(first.receiptHandle);
    expect(second.attributes.ApproximateReceiveCount).toBe('2');
    expect(second.attributes.ApproximateFirstReceiveTimestamp).toBe(first.attributes.ApproximateFirstReceiveTimestamp);
  });

  it('ignores a delete with a stale receipt handle and deletes with the latest one', async () => {
    const q = queue({ name: 'stale' });
    q.send('a');
    const first = q.receive(1)[0];
    await sleep(70);
    const second = q.receive(1)[0];
    expect(first && second).toBeTruthy();
    expect(q.delete(first.receiptHandle)).toBe(false);
    expect(q.depth()).toBe(1);
    expect(q.delete(second.receiptHandle)).toBe(true);
    expect(q.depth()).toBe(0);
  });

  it('moves a message to the DLQ on the receive after maxReceiveCount, keeping its id and count', async () => {
    const dlq = queue({ name: 'work-dlq' });
    const q = queue({ name: 'work', maxReceiveCount: 2, dlq });
    const id = q.send('poison', { kind: 'test' });
    expect(q.receive(1).length).toBe(1);
    await sleep(70);
    expect(q.receive(1).length).toBe(1);
    await sleep(70);
    expect(q.receive(1).length).toBe(0);
    expect(q.depth()).toBe(0);
    const [dead] = dlq.peek();
    expect(dead).toBeTruthy();
    expect(dead.messageId).toBe(id);
    expect(dead.receiveCount).toBe(2);
    expect(dead.deadLetterQueueSourceArn).toBe(q.arn);
    expect(dead.attributes).toStrictEqual({ kind: 'test' });
    const [received] = dlq.receive(1);
    expect(received?.attributes.DeadLetterQueueSourceArn).toBe('arn:aws:sqs:local:000000000000:work');
  });

  it('keeps redelivering without a DLQ, as SQS does without a redrive policy', async () => {
    const q = queue({ name: 'no-dlq', maxReceiveCount: 1 });
    q.send('a');
    q.receive(1);
    await sleep(70);
    expect(q.receive(1)[0]?.attributes.ApproximateReceiveCount).toBe('2');
  });

  it('redrives DLQ messages back to their source queue as new messages', async () => {
    const dlq = queue({ name: 'redrive-dlq' });
    const q = queue({ name: 'redrive-src', maxReceiveCount: 1, dlq });
    const id = q.send('x');
    q.receive(1);
    await sleep(70);
    q.receive(1);
    expect(dlq.depth()).toBe(1);
    expect(dlq.redrive()).toBe(1);
    expect(dlq.depth()).toBe(0);
    const [back] = q.peek();
    expect(back).toBeTruthy();
    expect(back.messageId).not.toBe(id);
    expect(back.receiveCount).toBe(0);
    expect(back.body).toBe('x');
    expect(back.deadLetterQueueSourceArn).toBe(undefined);
  });

  it('leaves DLQ messages without a known source unless a target queue is given', () => {
    const dlq = queue({ name: 'rule-dlq' });
    const target = queue({ name: 'elsewhere' });
    dlq.send('{"id":"e1"}', { ERROR_CODE: 'ERROR_FROM_TARGET' });
    expect(dlq.redrive()).toBe(0);
    expect(dlq.depth()).toBe(1);
    expect(dlq.redrive(target)).toBe(1);
    expect(target.peek()[0]?.body).toBe('{"id":"e1"}');
  });

  it('changes the visibility of an in-flight message and refuses it otherwise', () => {
    const q = queue({ name: 'visibility', visibilityTimeoutSeconds: 30 });
    q.send('a');
    const [message] = q.receive(1);
    expect(message).toBeTruthy();
    q.changeVisibility(message.receiptHandle, 0);
    expect(q.counts().visible).toBe(1);
    expect(() => q.changeVisibility(message.receiptHandle, 10)).toThrow(expect.toSatisfy((e: unknown) => e instanceof ValidationError && e.details['sqsError'] === 'MessageNotInflight'));
    expect(() => q.changeVisibility('nope', 10)).toThrow(expect.toSatisfy((e: unknown) => e instanceof ValidationError && e.details['sqsError'] === 'ReceiptHandleIsInvalid'));
  });

  it('holds a delayed message back until its delay passes', async () => {
    const q = queue({ name: 'delayed' });
    q.send('later', undefined, { delaySeconds: 0.05 });
    expect(q.counts()).toStrictEqual({ visible: 0, inFlight: 0, delayed: 1 });
    expect(q.receive(1).length).toBe(0);
    await sleep(70);
    expect(q.receive(1).length).toBe(1);
  });

  it('drops messages past the retention period, counted from the original enqueue', () => {
    let now = 1_000_000;
    const dlq = queue({ name: 'ret-dlq', retentionSeconds: 100, now: () => now });
    const q = queue({ name: 'ret-src', retentionSeconds: 1000, maxReceiveCount: 1, dlq, now: () => now, visibilityTimeoutSeconds: 1 });
    q.send('old');
    q.receive(1);
    now += 50_000;
    q.receive(1);
    expect(dlq.depth()).toBe(1);
    now += 60_000;
    expect(dlq.depth()).toBe(0);
  });

  it('refuses an empty body, an oversized message and a receive of more than 10', () => {
    const q = queue({ name: 'limits' });
    expect(() => q.send('')).toThrow(ValidationError);
    expect(() => q.send('x'.repeat(1_048_577))).toThrow(ValidationError);
    expect(() => q.receive(11)).toThrow(ValidationError);
    expect(() => queue({ name: 'bad name!' })).toThrow(ValidationError);
  });

  it('peeks without receiving and reports the depth', () => {
    const q = queue({ name: 'peek' });
    q.send('1');
    q.send('2');
    expect(q.peek().map((m) => [m.body, m.state, m.receiveCount])).toStrictEqual([['1', 'visible', 0], ['2', 'visible', 0]]);
    expect(q.depth()).toBe(2);
    expect(q.receive(10).length).toBe(2);
  });

  it('computes the message-attribute MD5 independently of attribute order', () => {
    const a = queue({ name: 'md5a' });
    const b = queue({ name: 'md5b' });
    a.send('x', { RULE_ARN: 'r', ERROR_CODE: 'e' });
    b.send('x', { ERROR_CODE: 'e', RULE_ARN: 'r' });
    const ma = a.receive(1)[0]?.md5OfMessageAttributes;
    const mb = b.receive(1)[0]?.md5OfMessageAttributes;
    expect(ma ?? '').toMatch(/^[0-9a-f]{32}$/);
    expect(ma).toBe(mb);
    const c = queue({ name: 'md5c' });
    c.send('x', { RULE_ARN: 'r', ERROR_CODE: 'f' });
    expect(c.receive(1)[0]?.md5OfMessageAttributes).not.toBe(ma);
  });
});

describe('LocalQueue: Lambda event source mapping', () => {
  it('invokes the handler with a real SQS event and deletes the batch on success', async () => {
    const q = queue({ name: 'FinancePostings' });
    const events: SQSEvent[] = [];
    q.send('{"n":1}', { source: 'hem.finance' });
    q.send('{"n":2}');
    const stop = q.startConsumer(async (event) => {
      events.push(event);
    }, { batchSize: 10, pollIntervalMs: 10 });
    await q.whenIdle();
    await stop();
    expect(q.depth()).toBe(0);
    const records = events.flatMap((e) => e.Records);
    expect(records.length).toBe(2);
    const record = records[0];
    expect(record).toBeTruthy();
    expect(record.eventSource).toBe('aws:sqs');
    expect(record.eventSourceARN).toBe('arn:aws:sqs:local:000000000000:FinancePostings');
    expect(record.awsRegion).toBe('local');
    expect(record.md5OfBody).toBe(md5('{"n":1}'));
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(typeof record.attributes.SenderId).toBe('string');
    expect(record.messageAttributes).toStrictEqual({
      source: { stringValue: 'hem.finance', stringListValues: [], binaryListValues: [], dataType: 'String' },
    });
    expect(record.md5OfMessageAttributes ?? '').toMatch(/^[0-9a-f]{32}$/);
    expect(records[1]?.md5OfMessageAttributes).toBe(undefined);
  });

  it('honours a partial batch response: only the failed items stay and come back', async () => {
    const q = queue({ name: 'partial' });
    const ids = ['a', 'b', 'c'].map((body) => q.send(body));
    const seen: string[][] = [];
    const stop = q.startConsumer(async (event): Promise<SQSBatchResponse> => {
      seen.push(event.Records.map((r) => `${r.body}:${r.attributes.ApproximateReceiveCount}`));
      const failB = event.Records.filter((r) => r.body === 'b' && r.attributes.ApproximateReceiveCount === '1');
      return { batchItemFailures: failB.map((r) => ({ itemIdentifier: r.messageId })) };
    }, { batchSize: 10, pollIntervalMs: 10 });
    await q.whenIdle();
    await stop();
    expect(seen).toStrictEqual([['a:1', 'b:1', 'c:1'], ['b:2']]);
    expect(q.depth()).toBe(0);
    expect(ids.length).toBe(3);
  });

  it('fails the whole batch when the handler throws', async () => {
    const q = queue({ name: 'throws' });
    q.send('a');
    q.send('b');
    let calls = 0;
    const stop = q.startConsumer(async (event) => {
      calls += 1;
      if (calls === 1) {
        expect(event.Records.length).toBe(2);
        throw new Error('ledger down');
      }
    }, { pollIntervalMs: 10 });
    await q.whenIdle();
    await stop();
    expect(calls).toBe(2);
  });

  it('fails the whole batch when a batchItemFailures identifier is not in the batch', async () => {
    const q = queue({ name: 'bad-response' });
    q.send('a');
    let calls = 0;
    const stop = q.startConsumer(async (): Promise<SQSBatchResponse> => {
      calls += 1;
      return calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] } : { batchItemFailures: [] };
    }, { pollIntervalMs: 10 });
    await q.whenIdle();
    await stop();
    expect(calls).toBe(2);
  });

  it('sends a message that keeps failing to the DLQ after maxReceiveCount receives', async () => {
    const dlq = queue({ name: 'consumer-dlq' });
    const q = queue({ name: 'consumer-src', maxReceiveCount: 3, dlq });
    const id = q.send('{"bad":true}');
    let calls = 0;
    const stop = q.startConsumer(async () => {
      calls += 1;
      throw new Error('always fails');
    }, { pollIntervalMs: 10 });
    await q.whenIdle();
    await stop();
    expect(calls).toBe(3);
    expect(q.depth()).toBe(0);
    expect(dlq.peek()[0]?.messageId).toBe(id);
    expect(dlq.peek()[0]?.receiveCount).toBe(3);
  });

  it('picks up a message sent while the consumer sleeps without waiting for the poll interval', async () => {
    const q = queue({ name: 'wake' });
    const received: number[] = [];
    const stop = q.startConsumer(async () => {
      received.push(Date.now());
    }, { pollIntervalMs: 5_000 });
    await sleep(20);
    const sentAt = Date.now();
    q.send('now');
    await q.whenIdle();
    await stop();
    expect(received.length).toBe(1);
    expect((received[0] as number) - sentAt < 1_000).toBeTruthy();
  });

  it('stop() ends polling so later messages stay in the queue', async () => {
    const q = queue({ name: 'stopped' });
    let calls = 0;
    const stop = q.startConsumer(async () => {
      calls += 1;
    }, { pollIntervalMs: 10 });
    await stop();
    q.send('after stop');
    await sleep(30);
    expect(calls).toBe(0);
    expect(q.depth()).toBe(1);
    await q.whenIdle();
  });
});

describe('LocalQueue: persistence', () => {
  it('keeps messages, receive counts and in-flight state across a reconstruct with the same dataDir', async () => {
    const dataDir = tempDir();
    const first = queue({ name: 'durable', dataDir, visibilityTimeoutSeconds: 0.1 });
    const keptId = first.send('waiting');
    const inFlightId = first.send('in flight');
    first.receive(1);
    first.receive(1);
    await first.close();

    const second = queue({ name: 'durable', dataDir, visibilityTimeoutSeconds: 0.1 });
    expect(second.depth()).toBe(2);
    expect(second.counts()).toStrictEqual({ visible: 0, inFlight: 2, delayed: 0 });
    await sleep(130);
    const again = second.receive(10);
    expect(again.map((m) => m.messageId).sort()).toStrictEqual([keptId, inFlightId].sort());
    expect(again.every((m) => m.attributes.ApproximateReceiveCount === '2')).toBeTruthy();
  });

  it('keeps a dead-letter queue and redrives it to its source after a restart', async () => {
    const dataDir = tempDir();
    const dlq1 = queue({ name: 'p-dlq', dataDir });
    const src1 = queue({ name: 'p-src', dataDir, maxReceiveCount: 1, dlq: dlq1 });
    src1.send('{"posting":1}');
    src1.receive(1);
    await sleep(70);
    src1.receive(1);
    src1.flush();
    dlq1.flush();

    const dlq2 = queue({ name: 'p-dlq', dataDir });
    const src2 = queue({ name: 'p-src', dataDir, maxReceiveCount: 1, dlq: dlq2 });
    expect(dlq2.depth()).toBe(1);
    expect(src2.depth()).toBe(0);
    expect(dlq2.redrive()).toBe(1);
    expect(src2.peek()[0]?.body).toBe('{"posting":1}');
    src2.flush();
    dlq2.flush();
    expect(queue({ name: 'p-dlq', dataDir }).depth()).toBe(0);
  });

  it('starts empty in memory when no dataDir is given', () => {
    queue({ name: 'mem-only' }).send('x');
    expect(queue({ name: 'mem-only' }).depth()).toBe(0);
  });
});

describe('LocalQueue: dead-letter error attributes', () => {
  it('keeps a workflow failure Cause (Lambda errorType, errorMessage, trace) as an error code and its message only', () => {
    const q = queue({ name: 'workflow-dlq-attributes' });
    const failure = new Error('the inventory table failed');
    const cause = JSON.stringify({ errorType: 'InfrastructureError', errorMessage: 'the inventory table failed', trace: (failure.stack ?? '').split('\n') });
    q.send('{"detail-type":"SupplyUsageRecorded"}', {
      ERROR_CODE: { dataType: 'String', stringValue: 'InfrastructureError' },
      ERROR_MESSAGE: { dataType: 'String', stringValue: cause },
    });
    const [message] = q.peek();
    expect(message?.attributes).toStrictEqual({ ERROR_CODE: 'InfrastructureError', ERROR_MESSAGE: 'the inventory table failed' });
    expect(JSON.stringify(q.receive(1)[0]?.messageAttributes)).not.toMatch(/ at |\.ts:\d|\/work\//);
  });
});

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
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
after(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('LocalQueue: SQS semantics', () => {
  it('returns a received message with SQS attributes and hides it for the visibility timeout', () => {
    const q = queue({ name: 'orders', visibilityTimeoutSeconds: 30 });
    const id = q.send('{"po":"PO-1"}', { ERROR_CODE: 'X' });
    const [message] = q.receive(10);
    assert.ok(message);
    assert.equal(message.messageId, id);
    assert.equal(message.body, '{"po":"PO-1"}');
    assert.equal(message.md5OfBody, md5('{"po":"PO-1"}'));
    assert.equal(message.attributes.ApproximateReceiveCount, '1');
    assert.match(message.attributes.SentTimestamp, /^\d{13}$/);
    assert.match(message.attributes.ApproximateFirstReceiveTimestamp, /^\d{13}$/);
    assert.deepEqual(message.messageAttributes, { ERROR_CODE: { dataType: 'String', stringValue: 'X' } });
    assert.equal(q.receive(10).length, 0, 'invisible while in flight');
    assert.deepEqual(q.counts(), { visible: 0, inFlight: 1, delayed: 0 });
  });

  it('redelivers a message after its visibility timeout with a new receipt handle and a higher receive count', async () => {
    const q = queue({ name: 'redeliver' });
    q.send('a');
    const first = q.receive(1)[0];
    await sleep(70);
    const second = q.receive(1)[0];
    assert.ok(first && second);
    assert.equal(second.messageId, first.messageId);
    assert.notEqual(second.receiptHandle, first.receiptHandle);
    assert.equal(second.attributes.ApproximateReceiveCount, '2');
    assert.equal(second.attributes.ApproximateFirstReceiveTimestamp, first.attributes.ApproximateFirstReceiveTimestamp);
  });

  it('ignores a delete with a stale receipt handle and deletes with the latest one', async () => {
    const q = queue({ name: 'stale' });
    q.send('a');
    const first = q.receive(1)[0];
    await sleep(70);
    const second = q.receive(1)[0];
    assert.ok(first && second);
    assert.equal(q.delete(first.receiptHandle), false);
    assert.equal(q.depth(), 1);
    assert.equal(q.delete(second.receiptHandle), true);
    assert.equal(q.depth(), 0);
  });

  it('moves a message to the DLQ on the receive after maxReceiveCount, keeping its id and count', async () => {
    const dlq = queue({ name: 'work-dlq' });
    const q = queue({ name: 'work', maxReceiveCount: 2, dlq });
    const id = q.send('poison', { kind: 'test' });
    assert.equal(q.receive(1).length, 1);
    await sleep(70);
    assert.equal(q.receive(1).length, 1);
    await sleep(70);
    assert.equal(q.receive(1).length, 0, 'the third receive moves it instead of delivering');
    assert.equal(q.depth(), 0);
    const [dead] = dlq.peek();
    assert.ok(dead);
    assert.equal(dead.messageId, id);
    assert.equal(dead.receiveCount, 2);
    assert.equal(dead.deadLetterQueueSourceArn, q.arn);
    assert.deepEqual(dead.attributes, { kind: 'test' });
    const [received] = dlq.receive(1);
    assert.equal(received?.attributes.DeadLetterQueueSourceArn, 'arn:aws:sqs:local:000000000000:work');
  });

  it('keeps redelivering without a DLQ, as SQS does without a redrive policy', async () => {
    const q = queue({ name: 'no-dlq', maxReceiveCount: 1 });
    q.send('a');
    q.receive(1);
    await sleep(70);
    assert.equal(q.receive(1)[0]?.attributes.ApproximateReceiveCount, '2');
  });

  it('redrives DLQ messages back to their source queue as new messages', async () => {
    const dlq = queue({ name: 'redrive-dlq' });
    const q = queue({ name: 'redrive-src', maxReceiveCount: 1, dlq });
    const id = q.send('x');
    q.receive(1);
    await sleep(70);
    q.receive(1);
    assert.equal(dlq.depth(), 1);
    assert.equal(dlq.redrive(), 1);
    assert.equal(dlq.depth(), 0);
    const [back] = q.peek();
    assert.ok(back);
    assert.notEqual(back.messageId, id, 'a redriven message is a new message');
    assert.equal(back.receiveCount, 0);
    assert.equal(back.body, 'x');
    assert.equal(back.deadLetterQueueSourceArn, undefined);
  });

  it('leaves DLQ messages without a known source unless a target queue is given', () => {
    const dlq = queue({ name: 'rule-dlq' });
    const target = queue({ name: 'elsewhere' });
    dlq.send('{"id":"e1"}', { ERROR_CODE: 'ERROR_FROM_TARGET' });
    assert.equal(dlq.redrive(), 0);
    assert.equal(dlq.depth(), 1);
    assert.equal(dlq.redrive(target), 1);
    assert.equal(target.peek()[0]?.body, '{"id":"e1"}');
  });

  it('changes the visibility of an in-flight message and refuses it otherwise', () => {
    const q = queue({ name: 'visibility', visibilityTimeoutSeconds: 30 });
    q.send('a');
    const [message] = q.receive(1);
    assert.ok(message);
    q.changeVisibility(message.receiptHandle, 0);
    assert.equal(q.counts().visible, 1);
    assert.throws(() => q.changeVisibility(message.receiptHandle, 10), (e: unknown) => e instanceof ValidationError && e.details['sqsError'] === 'MessageNotInflight');
    assert.throws(() => q.changeVisibility('nope', 10), (e: unknown) => e instanceof ValidationError && e.details['sqsError'] === 'ReceiptHandleIsInvalid');
  });

  it('holds a delayed message back until its delay passes', async () => {
    const q = queue({ name: 'delayed' });
    q.send('later', undefined, { delaySeconds: 0.05 });
    assert.deepEqual(q.counts(), { visible: 0, inFlight: 0, delayed: 1 });
    assert.equal(q.receive(1).length, 0);
    await sleep(70);
    assert.equal(q.receive(1).length, 1);
  });

  it('drops messages past the retention period, counted from the original enqueue', () => {
    let now = 1_000_000;
    const dlq = queue({ name: 'ret-dlq', retentionSeconds: 100, now: () => now });
    const q = queue({ name: 'ret-src', retentionSeconds: 1000, maxReceiveCount: 1, dlq, now: () => now, visibilityTimeoutSeconds: 1 });
    q.send('old');
    q.receive(1);
    now += 50_000;
    q.receive(1);
    assert.equal(dlq.depth(), 1, 'moved with its original enqueue time');
    now += 60_000;
    assert.equal(dlq.depth(), 0, 'older than the DLQ retention by its original enqueue time');
  });

  it('refuses an empty body, an oversized message and a receive of more than 10', () => {
    const q = queue({ name: 'limits' });
    assert.throws(() => q.send(''), ValidationError);
    assert.throws(() => q.send('x'.repeat(1_048_577)), ValidationError);
    assert.throws(() => q.receive(11), ValidationError);
    assert.throws(() => queue({ name: 'bad name!' }), ValidationError);
  });

  it('peeks without receiving and reports the depth', () => {
    const q = queue({ name: 'peek' });
    q.send('1');
    q.send('2');
    assert.deepEqual(q.peek().map((m) => [m.body, m.state, m.receiveCount]), [['1', 'visible', 0], ['2', 'visible', 0]]);
    assert.equal(q.depth(), 2);
    assert.equal(q.receive(10).length, 2, 'peek did not hide anything');
  });

  it('computes the message-attribute MD5 independently of attribute order', () => {
    const a = queue({ name: 'md5a' });
    const b = queue({ name: 'md5b' });
    a.send('x', { RULE_ARN: 'r', ERROR_CODE: 'e' });
    b.send('x', { ERROR_CODE: 'e', RULE_ARN: 'r' });
    const ma = a.receive(1)[0]?.md5OfMessageAttributes;
    const mb = b.receive(1)[0]?.md5OfMessageAttributes;
    assert.match(ma ?? '', /^[0-9a-f]{32}$/);
    assert.equal(ma, mb);
    const c = queue({ name: 'md5c' });
    c.send('x', { RULE_ARN: 'r', ERROR_CODE: 'f' });
    assert.notEqual(c.receive(1)[0]?.md5OfMessageAttributes, ma);
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
    assert.equal(q.depth(), 0);
    const records = events.flatMap((e) => e.Records);
    assert.equal(records.length, 2);
    const record = records[0];
    assert.ok(record);
    assert.equal(record.eventSource, 'aws:sqs');
    assert.equal(record.eventSourceARN, 'arn:aws:sqs:local:000000000000:FinancePostings');
    assert.equal(record.awsRegion, 'local');
    assert.equal(record.md5OfBody, md5('{"n":1}'));
    assert.equal(record.attributes.ApproximateReceiveCount, '1');
    assert.equal(typeof record.attributes.SenderId, 'string');
    assert.deepEqual(record.messageAttributes, {
      source: { stringValue: 'hem.finance', stringListValues: [], binaryListValues: [], dataType: 'String' },
    });
    assert.match(record.md5OfMessageAttributes ?? '', /^[0-9a-f]{32}$/);
    assert.equal(records[1]?.md5OfMessageAttributes, undefined);
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
    assert.deepEqual(seen, [['a:1', 'b:1', 'c:1'], ['b:2']]);
    assert.equal(q.depth(), 0);
    assert.equal(ids.length, 3);
  });

  it('fails the whole batch when the handler throws', async () => {
    const q = queue({ name: 'throws' });
    q.send('a');
    q.send('b');
    let calls = 0;
    const stop = q.startConsumer(async (event) => {
      calls += 1;
      if (calls === 1) {
        assert.equal(event.Records.length, 2);
        throw new Error('ledger down');
      }
    }, { pollIntervalMs: 10 });
    await q.whenIdle();
    await stop();
    assert.equal(calls, 2, 'both came back together after the visibility timeout');
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
    assert.equal(calls, 2);
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
    assert.equal(calls, 3);
    assert.equal(q.depth(), 0);
    assert.equal(dlq.peek()[0]?.messageId, id);
    assert.equal(dlq.peek()[0]?.receiveCount, 3);
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
    assert.equal(received.length, 1);
    assert.ok((received[0] as number) - sentAt < 1_000);
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
    assert.equal(calls, 0);
    assert.equal(q.depth(), 1);
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
    assert.equal(second.depth(), 2);
    assert.deepEqual(second.counts(), { visible: 0, inFlight: 2, delayed: 0 });
    await sleep(130);
    const again = second.receive(10);
    assert.deepEqual(again.map((m) => m.messageId).sort(), [keptId, inFlightId].sort());
    assert.ok(again.every((m) => m.attributes.ApproximateReceiveCount === '2'));
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
    assert.equal(dlq2.depth(), 1);
    assert.equal(src2.depth(), 0);
    assert.equal(dlq2.redrive(), 1);
    assert.equal(src2.peek()[0]?.body, '{"posting":1}');
    src2.flush();
    dlq2.flush();
    assert.equal(queue({ name: 'p-dlq', dataDir }).depth(), 0);
  });

  it('starts empty in memory when no dataDir is given', () => {
    queue({ name: 'mem-only' }).send('x');
    assert.equal(queue({ name: 'mem-only' }).depth(), 0);
  });
});

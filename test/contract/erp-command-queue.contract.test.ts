/**
 * Contract: SqsErpCommandQueue (and its lazy Lambda composition) against moto's SQS. A command lands
 * on the queue as the JSON body the ERP connector parses; a missing queue becomes a retryable
 * InfrastructureError naming the command, never the SDK's message.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectInstanceOf } from '../support/expect-narrowing';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ErpCommandSchema } from '../../contracts/procurement-commands';
import { SqsErpCommandQueue } from '../../functions/adapters/aws/erp-command-queue';
import { awsErpCommandQueue } from '../../functions/adapters/aws/erp-commands';
import { HEM_ENV } from '../../functions/adapters/aws/environment';
import { InfrastructureError } from '../../functions/domain/errors';
import { startMoto } from '../support/moto';
import type { Moto } from '../support/moto';

let moto: Moto;
let sqs: SQSClient;
let queueUrl: string;

const receiveBodies = async (): Promise<unknown[]> => {
  const result = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  return (result.Messages ?? []).map((m) => JSON.parse(m.Body ?? 'null') as unknown);
};

describe('SqsErpCommandQueue on moto', () => {
  beforeAll(async () => {
    moto = await startMoto();
    sqs = new SQSClient(moto.clientConfig);
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'erp-commands' }))).QueueUrl ?? '';
  });
  afterAll(async () => {
    sqs?.destroy();
    await moto?.stop();
  });

  it('sends a CreateReceipt command the ERP connector can parse, without a task token', async () => {
    const command = { command: 'CreateReceipt' as const, receiptId: 'RCV-1', poNumber: 'PO-NMC-00000042', correlationId: 'corr-1' };
    await new SqsErpCommandQueue({ client: sqs, queueUrl }).send(command);
    const [body] = await receiveBodies();
    expect(ErpCommandSchema.parse(body)).toStrictEqual(command);
  });

  it('reads the queue URL from HEM_ERP_COMMANDS_QUEUE_URL on first send', async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    process.env.AWS_ACCESS_KEY_ID ??= 'testing';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
    try {
      const queue = awsErpCommandQueue({ [HEM_ENV.erpCommandsQueueUrl]: queueUrl, AWS_REGION: moto.clientConfig.region });
      await queue.send({ command: 'CreateReceipt', receiptId: 'RCV-2', poNumber: 'PO-NMC-00000042', correlationId: 'corr-2' });
      expect((await receiveBodies()).map((b) => (b as { receiptId: string }).receiptId)).toStrictEqual(['RCV-2']);
      await expect(awsErpCommandQueue({}).send({ command: 'CreateReceipt', receiptId: 'x', poNumber: 'p', correlationId: 'c' })).rejects.toThrow(/HEM_ERP_COMMANDS_QUEUE_URL/);
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
    }
  });

  it('fails retryably, naming the command, when the queue does not exist', async () => {
    const missing = new SqsErpCommandQueue({ client: sqs, queueUrl: `${moto.endpoint}/123456789012/no-such-queue` });
    await expect(missing.send({ command: 'CreateReceipt', receiptId: 'RCV-3', poNumber: 'p', correlationId: 'c' })).rejects.toThrow(expect.toSatisfy((e: unknown) => {
      expectInstanceOf(e, InfrastructureError);
      expect(e.retryable).toBe(true);
      expect(e.message).toMatch(/CreateReceipt/);
      return true;
    }));
  });
});

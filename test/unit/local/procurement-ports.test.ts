import { afterAll, describe, expect, it } from '@jest/globals';
import { InfrastructureError, NotFoundError } from '../../../functions/domain/errors';
import { silentLogger } from '../../../local/persistence';
import { LocalErpCommandQueue, LocalWorkflowControl } from '../../../local/procurement-ports';
import { LocalQueue } from '../../../local/queue';
import { sqsSendMessageIntegration } from '../../../local/sqs-integration';
import { LocalStateMachine } from '../../../local/stepfunctions';

/** A connector-style wait: the task token travels in the SQS message body; the answer is the task's result. */
const CALLBACK_ASL = JSON.stringify({
  StartAt: 'CreateInErp',
  States: {
    CreateInErp: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: { QueueUrl: '${QueueUrl}', MessageBody: { command: 'CreatePurchaseOrder', 'poNumber.$': '$.poNumber', 'taskToken.$': '$$.Task.Token' } },
      ResultPath: '$.erp',
      TimeoutSeconds: 30,
      End: true,
    },
  },
});

const SIMPLE_ASL = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });

const queue = new LocalQueue({ name: 'ErpCommands', visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
const machines = new Map<string, LocalStateMachine>([
  [
    'RequisitionToPay',
    new LocalStateMachine({
      name: 'hem-RequisitionToPay',
      definition: CALLBACK_ASL,
      substitutions: { QueueUrl: queue.url },
      integrations: { 'arn:aws:states:::sqs:sendMessage': sqsSendMessageIntegration(() => [queue]) },
      logger: silentLogger,
    }),
  ],
  ['ReceiptToInvoice', new LocalStateMachine({ name: 'hem-ReceiptToInvoice', definition: SIMPLE_ASL, logger: silentLogger })],
]);
const workflows = new LocalWorkflowControl(() => machines);

/** The next message on the queue, as a connector would receive it. */
const nextMessage = async (): Promise<{ command: string; poNumber: string; taskToken: string }> => {
  for (let i = 0; i < 100; i += 1) {
    const [message] = queue.receive(1);
    if (message !== undefined) return JSON.parse(message.body) as { command: string; poNumber: string; taskToken: string };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no message arrived');
};

/** The execution once it has ended (a task answer settles it asynchronously). */
const ended = async (machine: string, name: string): Promise<ReturnType<LocalStateMachine['listExecutions']>[number] | undefined> => {
  for (let i = 0; i < 200; i += 1) {
    const execution = machines.get(machine)?.listExecutions().find((e) => e.name === name);
    if (execution !== undefined && execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
};

describe('LocalWorkflowControl', () => {
  afterAll(async () => {
    for (const machine of machines.values()) await machine.close();
    await queue.close();
  });

  it('resumes the execution whose sqs:sendMessage.waitForTaskToken message carried the token', async () => {
    await workflows.start('RequisitionToPay', 'REQ-1', { poNumber: 'PO-NMC-00000001' });
    const message = await nextMessage();
    expect(message.command).toBe('CreatePurchaseOrder');
    expect(message.poNumber).toBe('PO-NMC-00000001');
    await workflows.succeed(message.taskToken, { erpPoId: '300000100000001' });
    const execution = await ended('RequisitionToPay', 'REQ-1');
    expect(execution?.status).toBe('SUCCEEDED');
    expect((execution?.output as { erp: unknown }).erp).toStrictEqual({ erpPoId: '300000100000001' });
  });

  it('answers started: false for a Standard name already used, as ExecutionAlreadyExists', async () => {
    expect(await workflows.start('ReceiptToInvoice', 'SUP-MEDLINE-INV-1', { caseId: 'c1' })).toStrictEqual({ started: true });
    expect((await ended('ReceiptToInvoice', 'SUP-MEDLINE-INV-1'))?.status).toBe('SUCCEEDED');
    expect(await workflows.start('ReceiptToInvoice', 'SUP-MEDLINE-INV-1', { caseId: 'c1' })).toStrictEqual({ started: false });
  });

  it('fails the waiting task with the error the ASL catches', async () => {
    await workflows.start('RequisitionToPay', 'REQ-2', { poNumber: 'PO-NMC-00000002' });
    const message = await nextMessage();
    await workflows.fail(message.taskToken, 'ErpRejected', 'the ERP refused the order');
    const execution = await ended('RequisitionToPay', 'REQ-2');
    expect(execution?.status).toBe('FAILED');
    expect(execution?.error).toBe('ErpRejected');
  });

  it('throws NotFoundError for a token no machine is waiting on', async () => {
    await expect(workflows.succeed('AQnot-a-token', {})).rejects.toThrow(NotFoundError);
    await expect(workflows.fail('AQnot-a-token', 'E', '')).rejects.toThrow(NotFoundError);
  });
});

describe('LocalErpCommandQueue', () => {
  it('sends the command as the JSON body of a message without a task token', async () => {
    const commands = new LocalQueue({ name: 'ErpCommands-test', visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
    try {
      await new LocalErpCommandQueue(commands).send({ command: 'CreateReceipt', receiptId: 'RCV-1', poNumber: 'PO-NMC-00000001', correlationId: 'c-1' });
      const [message] = commands.receive(1);
      expect(JSON.parse(message?.body ?? '{}')).toStrictEqual({ command: 'CreateReceipt', receiptId: 'RCV-1', poNumber: 'PO-NMC-00000001', correlationId: 'c-1' });
    } finally {
      await commands.close();
    }
  });

  it('throws a retryable InfrastructureError when the queue refuses the message', async () => {
    const refusing = { send: () => { throw new Error('queue closed'); } } as unknown as LocalQueue;
    await expect(new LocalErpCommandQueue(refusing).send({ command: 'CreateReceipt', receiptId: 'RCV-2', poNumber: 'PO-NMC-00000001', correlationId: 'c-2' })).rejects.toThrow(expect.toSatisfy((error: unknown) => error instanceof InfrastructureError && error.retryable));
  });
});

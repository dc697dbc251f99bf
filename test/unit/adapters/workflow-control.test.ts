import { describe, expect, it } from '@jest/globals';
import type { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SfnWorkflowControl } from '../../../functions/adapters/aws/workflow-control';
import { InfrastructureError, NotFoundError, ValidationError } from '../../../functions/domain/errors';

/** An SDK error as the client raises it: the service's exception name. */
const sdkError = (name: string): Error => Object.assign(new Error(`${name} (service message)`), { name });

/** The client's `send`, answering from a script and recording the commands (Step Functions does not run here). */
const client = (answer: (command: unknown) => unknown) => {
  const sent: unknown[] = [];
  return {
    sent,
    send: (async (command: unknown) => {
      sent.push(command);
      const result = answer(command);
      if (result instanceof Error) throw result;
      return result;
    }) as never,
  };
};

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:hem-RequisitionToPay';

describe('SfnWorkflowControl', () => {
  it('starts the execution named after the business key with the JSON input', async () => {
    const c = client(() => ({ executionArn: `${ARN}:REQ-1`, startDate: new Date() }));
    const control = new SfnWorkflowControl({ client: c, stateMachineArns: { RequisitionToPay: ARN } });
    expect(await control.start('RequisitionToPay', 'REQ-1', { requisitionId: 'REQ-1' })).toStrictEqual({ started: true });
    const command = c.sent[0] as StartExecutionCommand;
    expect(command).toBeInstanceOf(StartExecutionCommand);
    expect(command.input).toStrictEqual({ stateMachineArn: ARN, name: 'REQ-1', input: '{"requisitionId":"REQ-1"}' });
  });

  it('answers started: false when the execution name was used before', async () => {
    const control = new SfnWorkflowControl({ client: client(() => sdkError('ExecutionAlreadyExists')), stateMachineArns: { RequisitionToPay: ARN } });
    expect(await control.start('RequisitionToPay', 'REQ-1', {})).toStrictEqual({ started: false });
  });

  it('refuses to start a workflow whose ARN is not configured', async () => {
    const control = new SfnWorkflowControl({ client: client(() => ({})), stateMachineArns: { RequisitionToPay: ARN } });
    await expect(control.start('ReceiptToInvoice', 'SUP|INV|1', {})).rejects.toThrow(InfrastructureError);
  });

  it('sends task success and failure, cutting error and cause to the service limits', async () => {
    const c = client(() => ({}));
    const control = new SfnWorkflowControl({ client: c, stateMachineArns: {} });
    await control.succeed('token-1', { erpPoId: '42' });
    await control.fail('token-2', 'ErpRejected', 'x'.repeat(40_000));
    const [success, failure] = c.sent as [SendTaskSuccessCommand, SendTaskFailureCommand];
    expect(success.input).toStrictEqual({ taskToken: 'token-1', output: '{"erpPoId":"42"}' });
    expect(failure.input.error).toBe('ErpRejected');
    expect(failure.input.cause?.length).toBe(32_768);
  });

  it('maps a task that no longer waits to NotFoundError, a refused name to ValidationError, the rest to InfrastructureError', async () => {
    for (const [name, expected] of [
      ['TaskTimedOut', NotFoundError],
      ['TaskDoesNotExist', NotFoundError],
      ['InvalidToken', NotFoundError],
      ['InvalidOutput', ValidationError],
      ['ThrottlingException', InfrastructureError],
    ] as const) {
      const control = new SfnWorkflowControl({ client: client(() => sdkError(name)), stateMachineArns: {} });
      await expect(control.succeed('token', {})).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof expected && (e as NotFoundError).details.sfnError === name));
    }
  });
});

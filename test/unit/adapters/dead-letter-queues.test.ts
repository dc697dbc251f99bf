import { describe, expect, it } from '@jest/globals';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeadLetterQueues } from '../../../functions/adapters/aws/dead-letter-queues';

/** An SQS client whose ReceiveMessage answers one dead-lettered workflow message, then nothing. */
const sqsWithOneMessage = (attributes: Record<string, string>): SQSClient => {
  let served = false;
  return {
    send: async () => {
      if (served) return { Messages: [] };
      served = true;
      return {
        Messages: [
          {
            MessageId: 'm-1',
            Body: '{"detail-type":"SupplyUsageRecorded"}',
            Attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1764146400000' },
            MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
          },
        ],
      };
    },
  } as unknown as SQSClient;
};

describe('SqsDeadLetterQueues.peek (hem dlq show)', () => {
  it('shows a workflow failure as an error code and a message, never the stack trace or file paths of the Lambda Cause', async () => {
    const trace = ['InfrastructureError: the inventory table failed', '    at applyUsageLine (/var/task/index.mjs:1234:17)', '    at async /var/task/index.mjs:99:5'];
    const queues = new SqsDeadLetterQueues({
      client: sqsWithOneMessage({
        ERROR_CODE: 'InfrastructureError',
        ERROR_MESSAGE: JSON.stringify({ errorType: 'InfrastructureError', errorMessage: 'the inventory table failed', trace }),
      }),
      queues: [{ name: 'usage-workflow', dlqUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/hem-usage-dlq' }],
    });
    const [message] = await queues.peek('usage-workflow', 1);
    expect(message?.attributes).toStrictEqual({ ERROR_CODE: 'InfrastructureError', ERROR_MESSAGE: 'the inventory table failed' });
    expect(JSON.stringify(message)).not.toMatch(/\/var\/task|index\.mjs| at /);
  });
});

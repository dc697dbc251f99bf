import { apiEvent, bodyOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { makeHandler } from '../../../functions/handlers/ops-dlq';
import { fakeDependencies, lambdaContext } from '../fakes';

const withDlq = () => {
  const deps = fakeDependencies();
  deps.deadLetterQueues.add('finance-postings-dlq', 'FinancePostings', [
    { messageId: 'm1', body: '{"detail-type":"CostPosted"}', receiveCount: 5, sentAt: '2025-03-14T09:30:00.000Z', attributes: {} },
    { messageId: 'm2', body: '{"detail-type":"CostPosted"}', receiveCount: 5, sentAt: '2025-03-14T09:31:00.000Z', attributes: {} },
  ]);
  return deps;
};

describe('ops-dlq handler', () => {
  it('lists the dead-letter queues with their depth', async () => {
    const response = await makeHandler(withDlq())(apiEvent({ resource: '/v1/ops/dlqs' }), lambdaContext());
    expect(bodyOf(response)).toStrictEqual({ queues: [{ name: 'finance-postings-dlq', sourceQueue: 'FinancePostings', depth: 2 }] });
  });

  it('shows up to ?max messages of one queue', async () => {
    const response = await makeHandler(withDlq())(
      apiEvent({ resource: '/v1/ops/dlqs/{queueName}', pathParameters: { queueName: 'finance-postings-dlq' }, query: { max: '1' } }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(200);
    expect((bodyOf(response).messages as { messageId: string }[]).map((m) => m.messageId)).toStrictEqual(['m1']);
  });

  it('redrives a queue back to its source', async () => {
    const deps = withDlq();
    const response = await makeHandler(deps)(
      apiEvent({ method: 'POST', resource: '/v1/ops/dlqs/{queueName}/redrive', pathParameters: { queueName: 'finance-postings-dlq' }, userArn: 'arn:aws:iam::1:user/ops' }),
      lambdaContext(),
    );
    expect(bodyOf(response)).toStrictEqual({ queueName: 'finance-postings-dlq', moved: 2 });
    expect(deps.deadLetterQueues.queues.get('finance-postings-dlq')?.messages.length).toBe(0);
    expect(deps.deadLetterQueues.queues.get('finance-postings-dlq')?.redriven.length).toBe(2);
  });

  it('answers 404 for an unknown queue', async () => {
    const response = await makeHandler(withDlq())(apiEvent({ resource: '/v1/ops/dlqs/{queueName}', pathParameters: { queueName: 'nope' } }), lambdaContext());
    expect(response.statusCode).toBe(404);
  });
});

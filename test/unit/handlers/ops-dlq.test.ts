import { apiEvent, bodyOf } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    assert.deepEqual(bodyOf(response), { queues: [{ name: 'finance-postings-dlq', sourceQueue: 'FinancePostings', depth: 2 }] });
  });

  it('shows up to ?max messages of one queue', async () => {
    const response = await makeHandler(withDlq())(
      apiEvent({ resource: '/v1/ops/dlqs/{queueName}', pathParameters: { queueName: 'finance-postings-dlq' }, query: { max: '1' } }),
      lambdaContext(),
    );
    assert.equal(response.statusCode, 200);
    assert.deepEqual((bodyOf(response).messages as { messageId: string }[]).map((m) => m.messageId), ['m1']);
  });

  it('redrives a queue back to its source', async () => {
    const deps = withDlq();
    const response = await makeHandler(deps)(
      apiEvent({ method: 'POST', resource: '/v1/ops/dlqs/{queueName}/redrive', pathParameters: { queueName: 'finance-postings-dlq' }, userArn: 'arn:aws:iam::1:user/ops' }),
      lambdaContext(),
    );
    assert.deepEqual(bodyOf(response), { queueName: 'finance-postings-dlq', moved: 2 });
    assert.equal(deps.deadLetterQueues.queues.get('finance-postings-dlq')?.messages.length, 0);
    assert.equal(deps.deadLetterQueues.queues.get('finance-postings-dlq')?.redriven.length, 2);
  });

  it('answers 404 for an unknown queue', async () => {
    const response = await makeHandler(withDlq())(apiEvent({ resource: '/v1/ops/dlqs/{queueName}', pathParameters: { queueName: 'nope' } }), lambdaContext());
    assert.equal(response.statusCode, 404);
  });
});

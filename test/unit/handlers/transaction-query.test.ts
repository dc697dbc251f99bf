import { apiEvent, bodyOf } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeHandler } from '../../../functions/handlers/transaction-query';
import { fakeDependencies, lambdaContext } from '../fakes';

const RESOURCE = '/v1/transactions/{correlationId}';

describe('transaction-query handler', () => {
  it('returns every hop of the transaction, oldest first', async () => {
    const deps = fakeDependencies();
    await deps.transactions.record({ correlationId: 'corr-1', hop: 'received', status: 'ok', at: '2025-03-14T09:30:00.000Z' });
    await deps.transactions.record({ correlationId: 'corr-1', hop: 'mapped', status: 'ok', at: '2025-03-14T09:30:01.000Z', detail: { lineNumber: 1 } });
    const response = await makeHandler(deps)(apiEvent({ resource: RESOURCE, pathParameters: { correlationId: 'corr-1' } }), lambdaContext());
    assert.equal(response.statusCode, 200);
    const body = bodyOf<{ correlationId: string; status: string; hops: { hop: string }[] }>(response);
    assert.equal(body.correlationId, 'corr-1');
    assert.equal(body.status, 'ok');
    assert.deepEqual(body.hops.map((h) => h.hop), ['received', 'mapped']);
  });

  it('returns 404 for an unknown correlation id', async () => {
    const response = await makeHandler(fakeDependencies())(apiEvent({ resource: RESOURCE, pathParameters: { correlationId: 'nope' } }), lambdaContext());
    assert.equal(response.statusCode, 404);
  });

  it('returns 400 naming correlationId when it has characters a correlation id never has', async () => {
    const response = await makeHandler(fakeDependencies())(apiEvent({ resource: RESOURCE, pathParameters: { correlationId: 'a b' } }), lambdaContext());
    assert.equal(response.statusCode, 400);
    assert.equal(bodyOf(response).location, 'correlationId');
  });
});

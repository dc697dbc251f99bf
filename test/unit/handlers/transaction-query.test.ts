import { apiEvent, bodyOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { makeHandler } from '../../../functions/handlers/transaction-query';
import { fakeDependencies, lambdaContext } from '../fakes';

const RESOURCE = '/v1/transactions/{correlationId}';

describe('transaction-query handler', () => {
  it('returns every hop of the transaction, oldest first', async () => {
    const deps = fakeDependencies();
    await deps.transactions.record({ correlationId: 'corr-1', hop: 'received', status: 'ok', at: '2025-03-14T09:30:00.000Z' });
    await deps.transactions.record({ correlationId: 'corr-1', hop: 'mapped', status: 'ok', at: '2025-03-14T09:30:01.000Z', detail: { lineNumber: 1 } });
    const response = await makeHandler(deps)(apiEvent({ resource: RESOURCE, pathParameters: { correlationId: 'corr-1' } }), lambdaContext());
    expect(response.statusCode).toBe(200);
    const body = bodyOf<{ correlationId: string; status: string; hops: { hop: string }[] }>(response);
    expect(body.correlationId).toBe('corr-1');
    expect(body.status).toBe('ok');
    expect(body.hops.map((h) => h.hop)).toStrictEqual(['received', 'mapped']);
  });

  it('returns 404 for an unknown correlation id', async () => {
    const response = await makeHandler(fakeDependencies())(apiEvent({ resource: RESOURCE, pathParameters: { correlationId: 'nope' } }), lambdaContext());
    expect(response.statusCode).toBe(404);
  });

  it('returns 400 naming correlationId when it has characters a correlation id never has', async () => {
    const response = await makeHandler(fakeDependencies())(apiEvent({ resource: RESOURCE, pathParameters: { correlationId: 'a b' } }), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).location).toBe('correlationId');
  });
});

import { apiEvent, bodyOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { makeHandler } from '../../../functions/handlers/transaction-query';
import { fakeDependencies, lambdaContext } from '../fakes';

const RESOURCE = '/v1/transactions/{correlationId}';

describe('transaction-query handler', () => {
  const received = { sourceSystem: 'EPIC', facilityCode: 'NMC', messageControlId: 'MSG-1', lines: 4 };
  const line = (lineNumber: number): Record<string, unknown> => ({ messageKey: 'EPIC|NMC|MSG-1', lineNumber });

  it('returns every hop of the transaction, oldest first, in progress while a mapped line has not applied', async () => {
    const deps = fakeDependencies();
    await deps.transactions.record({ correlationId: 'corr-1', hop: 'received', status: 'ok', at: '2025-03-14T09:30:00.000Z', detail: { ...received, lines: 1 } });
    await deps.transactions.record({ correlationId: 'corr-1', hop: 'mapped', status: 'ok', at: '2025-03-14T09:30:01.000Z', detail: line(1) });
    const response = await makeHandler(deps)(apiEvent({ resource: RESOURCE, pathParameters: { correlationId: 'corr-1' } }), lambdaContext());
    expect(response.statusCode).toBe(200);
    const body = bodyOf<{ correlationId: string; status: string; hops: { hop: string }[] }>(response);
    expect(body.correlationId).toBe('corr-1');
    expect(body.status).toBe('in-progress');
    expect(body.hops.map((h) => h.hop)).toStrictEqual(['received', 'mapped']);
  });

  it('does not say ok for a usage message with 1 of 4 lines applied: partial, with the line counts', async () => {
    const deps = fakeDependencies();
    await deps.transactions.record({ correlationId: 'corr-2', hop: 'received', status: 'ok', at: '2025-03-14T09:30:00.000Z', detail: received });
    for (const n of [1, 2, 3]) {
      await deps.transactions.record({ correlationId: 'corr-2', hop: 'exception', status: 'error', at: '2025-03-14T09:30:01.000Z', detail: line(n) });
    }
    await deps.transactions.record({ correlationId: 'corr-2', hop: 'mapped', status: 'ok', at: '2025-03-14T09:30:02.000Z', detail: line(4) });
    await deps.transactions.record({ correlationId: 'corr-2', hop: 'applied', status: 'ok', at: '2025-03-14T09:30:03.000Z', detail: line(4) });
    const response = await makeHandler(deps)(apiEvent({ resource: RESOURCE, pathParameters: { correlationId: 'corr-2' } }), lambdaContext());
    const body = bodyOf<{ status: string; lines: unknown }>(response);
    expect(body.status).toBe('partial');
    expect(body.lines).toStrictEqual({ expected: 4, applied: 1, excepted: 3, deadLettered: 0, pending: 0 });
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

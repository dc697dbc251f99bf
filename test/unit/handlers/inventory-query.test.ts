import { apiEvent, bodyOf, headerOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { applyUsageLine } from '../../../functions/domain/use-cases/apply-usage-line';
import { makeHandler } from '../../../functions/handlers/inventory-query';
import { fakeDependencies, lambdaContext, mappedUsageLine } from '../fakes';

const RESOURCE = '/v1/inventory/{locationId}/{itemId}';

describe('inventory-query handler', () => {
  it('returns on hand, par, reorder point, on order and the last movements', async () => {
    const deps = fakeDependencies();
    await applyUsageLine(deps, mappedUsageLine());
    const response = await makeHandler(deps)(apiEvent({ resource: RESOURCE, pathParameters: { locationId: 'NMC-OR', itemId: 'ITM-10001' } }), lambdaContext());
    expect(response.statusCode).toBe(200);
    expect(headerOf(response, 'content-type')).toBe('application/json');
    const body = bodyOf(response);
    expect({ onHand: body.onHand, onOrder: body.onOrder, parLevel: body.parLevel, reorderPoint: body.reorderPoint, baseUom: body.baseUom }).toStrictEqual({ onHand: 54, onOrder: 0, parLevel: 100, reorderPoint: 40, baseUom: 'EA' });
    expect((body.movements as { delta: number }[]).map((m) => m.delta)).toStrictEqual([-6]);
    expect('version' in body).toBe(false);
  });

  it('returns 404 problem+json for an item not stocked at the location', async () => {
    const response = await makeHandler(fakeDependencies())(
      apiEvent({ resource: RESOURCE, pathParameters: { locationId: 'NMC-ED', itemId: 'ITM-10001' }, requestId: 'req-404' }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(404);
    expect(headerOf(response, 'content-type')).toBe('application/problem+json');
    const problem = bodyOf(response);
    expect(problem.status).toBe(404);
    expect(problem.correlationId).toBe('req-404');
    expect(typeof problem.type).toBe('string');
    expect(typeof problem.title).toBe('string');
  });

  it("regression #12: answers with HEM's correlation id (the request id), never the caller's X-Correlation-Id, sane or not", async () => {
    const handler = makeHandler(fakeDependencies());
    const event = (header: string) =>
      apiEvent({ resource: RESOURCE, pathParameters: { locationId: 'NMC-OR', itemId: 'ITM-10001' }, headers: { 'x-correlation-id': header }, requestId: 'req-1' });
    expect(headerOf(await handler(event('order-42.retry:1'), lambdaContext()), 'X-Correlation-Id')).toBe('req-1');
    expect(headerOf(await handler(event('<script>alert(1)</script>'), lambdaContext()), 'X-Correlation-Id')).toBe('req-1');
    expect(headerOf(await handler(event('x'.repeat(129)), lambdaContext()), 'X-Correlation-Id')).toBe('req-1');
  });
});

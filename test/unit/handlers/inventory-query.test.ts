import { apiEvent, bodyOf, headerOf } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyUsageLine } from '../../../functions/domain/use-cases/apply-usage-line';
import { makeHandler } from '../../../functions/handlers/inventory-query';
import { fakeDependencies, lambdaContext, mappedUsageLine } from '../fakes';

const RESOURCE = '/v1/inventory/{locationId}/{itemId}';

describe('inventory-query handler', () => {
  it('returns on hand, par, reorder point, on order and the last movements', async () => {
    const deps = fakeDependencies();
    await applyUsageLine(deps, mappedUsageLine());
    const response = await makeHandler(deps)(apiEvent({ resource: RESOURCE, pathParameters: { locationId: 'NMC-OR', itemId: 'ITM-10001' } }), lambdaContext());
    assert.equal(response.statusCode, 200);
    assert.equal(headerOf(response, 'content-type'), 'application/json');
    const body = bodyOf(response);
    assert.deepEqual(
      { onHand: body.onHand, onOrder: body.onOrder, parLevel: body.parLevel, reorderPoint: body.reorderPoint, baseUom: body.baseUom },
      { onHand: 54, onOrder: 0, parLevel: 100, reorderPoint: 40, baseUom: 'EA' },
    );
    assert.deepEqual((body.movements as { delta: number }[]).map((m) => m.delta), [-6]);
    assert.equal('version' in body, false);
  });

  it('returns 404 problem+json for an item not stocked at the location', async () => {
    const response = await makeHandler(fakeDependencies())(
      apiEvent({ resource: RESOURCE, pathParameters: { locationId: 'NMC-ED', itemId: 'ITM-10001' }, requestId: 'req-404' }),
      lambdaContext(),
    );
    assert.equal(response.statusCode, 404);
    assert.equal(headerOf(response, 'content-type'), 'application/problem+json');
    const problem = bodyOf(response);
    assert.equal(problem.status, 404);
    assert.equal(problem.correlationId, 'req-404');
    assert.equal(typeof problem.type, 'string');
    assert.equal(typeof problem.title, 'string');
  });

  it('echoes a sane X-Correlation-Id and replaces an unsafe one with the request id', async () => {
    const handler = makeHandler(fakeDependencies());
    const event = (header: string) =>
      apiEvent({ resource: RESOURCE, pathParameters: { locationId: 'NMC-OR', itemId: 'ITM-10001' }, headers: { 'x-correlation-id': header }, requestId: 'req-1' });
    assert.equal(headerOf(await handler(event('order-42.retry:1'), lambdaContext()), 'X-Correlation-Id'), 'order-42.retry:1');
    assert.equal(headerOf(await handler(event('<script>alert(1)</script>'), lambdaContext()), 'X-Correlation-Id'), 'req-1');
    assert.equal(headerOf(await handler(event('x'.repeat(129)), lambdaContext()), 'X-Correlation-Id'), 'req-1');
  });
});

import { sqsEvent, sqsRecord, eventBridgeEvent } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamUnavailableError } from '../../../functions/domain/errors';
import { makeHandler } from '../../../functions/handlers/cost-posting-connector';
import { costPostedDetail, fakeDependencies, lambdaContext } from '../fakes';

const costMessage = (key: string, messageId: string) =>
  sqsRecord(JSON.stringify(eventBridgeEvent('hem.finance', 'CostPosted', costPostedDetail({ idempotencyKey: key }), `evt-${messageId}`)), messageId);

describe('cost-posting-connector handler', () => {
  it('posts every CostPosted record and reports no failures', async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(sqsEvent([costMessage('K1#CostPosted', 'm1'), costMessage('K2#CostPosted', 'm2')]), lambdaContext());
    assert.deepEqual(response, { batchItemFailures: [] });
    assert.deepEqual([...deps.finance.journal.keys()].sort(), ['K1#CostPosted', 'K2#CostPosted']);
  });

  it('reports only the failed record in batchItemFailures', async () => {
    const deps = fakeDependencies();
    deps.finance.script(new UpstreamUnavailableError('finance 503'));
    const handler = makeHandler(deps);
    // The batch processor runs records in parallel; the first ledger call fails.
    const response = await handler(sqsEvent([costMessage('K1#CostPosted', 'm1'), costMessage('K2#CostPosted', 'm2')]), lambdaContext());
    assert.equal(response.batchItemFailures.length, 1);
    const failed = response.batchItemFailures[0]!.itemIdentifier;
    assert.ok(['m1', 'm2'].includes(failed));
    assert.equal(deps.finance.journal.size, 1);
  });

  it('posts a redelivered record once the finance system is back', async () => {
    const deps = fakeDependencies();
    deps.finance.script(new UpstreamUnavailableError('finance 503'));
    const handler = makeHandler(deps);
    const first = await handler(sqsEvent([costMessage('K1#CostPosted', 'm1')]), lambdaContext());
    assert.deepEqual(first.batchItemFailures, [{ itemIdentifier: 'm1' }]);
    const redelivered = await handler(sqsEvent([costMessage('K1#CostPosted', 'm1')]), lambdaContext());
    assert.deepEqual(redelivered, { batchItemFailures: [] });
    assert.deepEqual(deps.transactions.hopNames('corr-1'), ['cost-post-failed', 'cost-posted']);
  });

  it('posts once when the same posting arrives twice (redrive or replay with a new message id)', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    await handler(sqsEvent([costMessage('K1#CostPosted', 'm1')]), lambdaContext());
    const again = await handler(sqsEvent([costMessage('K1#CostPosted', 'm9')]), lambdaContext());
    assert.deepEqual(again, { batchItemFailures: [] });
    assert.equal(deps.finance.calls, 1);
    assert.deepEqual(deps.transactions.hopNames('corr-1'), ['cost-posted']);
  });

  it('fails a poison record (not a CostPosted event) so it reaches the DLQ, without touching finance', async () => {
    const deps = fakeDependencies();
    const poison = sqsRecord(JSON.stringify({ hello: 'world', patient: 'DOE^JANE' }), 'm-poison', 5);
    const notJson = sqsRecord('{not json', 'm-garbage');
    const response = await makeHandler(deps)(sqsEvent([poison, costMessage('K1#CostPosted', 'm1'), notJson]), lambdaContext());
    assert.deepEqual(response.batchItemFailures.map((f) => f.itemIdentifier).sort(), ['m-garbage', 'm-poison']);
    assert.equal(deps.finance.calls, 1);
  });
});

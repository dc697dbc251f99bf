import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../../../functions/domain/errors';
import { postCost } from '../../../../functions/domain/use-cases/post-cost';
import { costPostedDetail, fakeDependencies } from '../../fakes';

describe('postCost', () => {
  it("posts the journal line with the event's idempotency key and records 'cost-posted'", async () => {
    const deps = fakeDependencies();
    const result = await postCost(deps, costPostedDetail());
    assert.equal(result.journalId, 'JE-000001');
    const booked = deps.finance.journal.get('EPIC|MSG00001|1#CostPosted');
    assert.equal(booked?.line.amount, 2.7);
    assert.equal(booked?.line.costCenter, 'CC-NMC-OR');
    assert.deepEqual(deps.transactions.hopNames('corr-1'), ['cost-posted']);
    assert.equal(deps.transactions.hops[0]!.detail?.journalId, 'JE-000001');
    assert.deepEqual(deps.audit.actions(), ['cost.posted']);
  });

  it("records 'cost-post-failed' with the error code and rethrows a retryable failure", async () => {
    const deps = fakeDependencies();
    deps.finance.script(new UpstreamUnavailableError('finance 503'));
    await assert.rejects(postCost(deps, costPostedDetail()), UpstreamUnavailableError);
    assert.deepEqual(deps.transactions.hopNames('corr-1'), ['cost-post-failed']);
    assert.deepEqual(deps.transactions.hops[0]!.detail, {
      idempotencyKey: 'EPIC|MSG00001|1#CostPosted',
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
    assert.deepEqual(deps.audit.actions(), []);
  });

  it('rethrows a permanent rejection as such', async () => {
    const deps = fakeDependencies();
    deps.finance.script(new UpstreamRejectedError('cost center closed'));
    await assert.rejects(postCost(deps, costPostedDetail()), UpstreamRejectedError);
    assert.equal(deps.transactions.hops[0]!.detail?.retryable, false);
  });
});

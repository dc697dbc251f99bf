import { describe, expect, it } from '@jest/globals';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../../../functions/domain/errors';
import { postCost } from '../../../../functions/domain/use-cases/post-cost';
import { costPostedDetail, fakeDependencies } from '../../fakes';

describe('postCost', () => {
  it("posts the journal line with the event's idempotency key and records 'cost-posted'", async () => {
    const deps = fakeDependencies();
    const result = await postCost(deps, costPostedDetail());
    expect(result.journalId).toBe('JE-000001');
    const booked = deps.finance.journal.get('EPIC|NMC|MSG00001|1#CostPosted');
    expect(booked?.line.amount).toBe(2.7);
    expect(booked?.line.costCenter).toBe('CC-NMC-OR');
    expect(deps.transactions.hopNames('corr-1')).toStrictEqual(['cost-posted']);
    expect(deps.transactions.hops[0]!.detail?.journalId).toBe('JE-000001');
    expect(deps.audit.actions()).toStrictEqual(['cost.posted']);
  });

  it("records 'cost-post-failed' with the error code and rethrows a retryable failure", async () => {
    const deps = fakeDependencies();
    deps.finance.script(new UpstreamUnavailableError('finance 503'));
    await expect(postCost(deps, costPostedDetail())).rejects.toThrow(UpstreamUnavailableError);
    expect(deps.transactions.hopNames('corr-1')).toStrictEqual(['cost-post-failed']);
    expect(deps.transactions.hops[0]!.detail).toStrictEqual({
      idempotencyKey: 'EPIC|NMC|MSG00001|1#CostPosted',
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
    expect(deps.audit.actions()).toStrictEqual([]);
  });

  it('rethrows a permanent rejection as such', async () => {
    const deps = fakeDependencies();
    deps.finance.script(new UpstreamRejectedError('cost center closed'));
    await expect(postCost(deps, costPostedDetail())).rejects.toThrow(UpstreamRejectedError);
    expect(deps.transactions.hops[0]!.detail?.retryable).toBe(false);
  });
});

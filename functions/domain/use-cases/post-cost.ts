/**
 * Use case: deliver a `CostPosted` event to the finance ledger (the finance connector's work).
 * The ledger call carries the event's idempotency key so the ledger itself refuses a second
 * posting of the same cost after a timeout-and-retry.
 */
import type { CostPosted } from '../../../contracts/events';
import { HemError } from '../errors';
import type { Dependencies, FinanceJournalLine } from '../ports';

export interface PostCostResult {
  journalId: string;
}

/** The journal line of a cost posting. */
export const journalLineOf = (posting: CostPosted): FinanceJournalLine => ({
  idempotencyKey: posting.idempotencyKey,
  correlationId: posting.correlationId,
  costCenter: posting.costCenter,
  glAccount: posting.glAccount,
  facilityId: posting.facilityId,
  itemId: posting.itemId,
  quantity: posting.quantity,
  unitCost: posting.unitCost,
  amount: posting.amount,
  currency: posting.currency,
  postingDate: posting.postingDate,
});

/**
 * Post one cost to finance. On failure records a 'cost-post-failed' hop with the error code and
 * rethrows, so the queue redelivers (retryable) or dead-letters it.
 */
export const postCost = async (
  deps: Pick<Dependencies, 'finance' | 'transactions' | 'audit' | 'clock'>,
  posting: CostPosted,
): Promise<PostCostResult> => {
  const line = journalLineOf(posting);
  let journalId: string;
  try {
    ({ journalId } = await deps.finance.postJournalLine(line));
  } catch (e) {
    await deps.transactions.record({
      correlationId: posting.correlationId,
      hop: 'cost-post-failed',
      status: 'error',
      at: deps.clock.now().toISOString(),
      detail: {
        idempotencyKey: posting.idempotencyKey,
        code: e instanceof HemError ? e.code : 'UNEXPECTED',
        retryable: e instanceof HemError ? e.retryable : true,
      },
    });
    throw e;
  }
  await deps.transactions.record({
    correlationId: posting.correlationId,
    hop: 'cost-posted',
    status: 'ok',
    at: deps.clock.now().toISOString(),
    detail: {
      idempotencyKey: posting.idempotencyKey,
      journalId,
      costCenter: posting.costCenter,
      amount: posting.amount,
      currency: posting.currency,
    },
  });
  await deps.audit.append({
    actor: 'hem.finance-connector',
    action: 'cost.posted',
    entity: `journal:${journalId}`,
    correlationId: posting.correlationId,
    payload: line,
  });
  return { journalId };
};

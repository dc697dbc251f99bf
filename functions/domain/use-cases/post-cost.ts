/**
 * Use cases of the finance connector (queue `FinancePostings`): deliver a `CostPosted` event to the
 * finance ledger as a GL journal line, or post the receipt-to-invoice workflow's AP voucher
 * (`processFinancePosting` picks). Each ledger call carries its business key (the event's
 * idempotency key, the voucher id) so the ledger itself refuses a second posting after a
 * timeout-and-retry.
 */
import type { CostPosted } from '../../../contracts/events';
import type { FinanceCommand } from '../../../contracts/procurement-commands';
import { HemError } from '../errors';
import type { Dependencies, FinanceJournalLine } from '../ports';
import { FINANCE_CONNECTOR_ACTOR, postApVoucherToLedger } from './procurement/vouchers';

/**
 * One message of the finance postings queue, as the connector reads it: a bus `CostPosted` event
 * (a GL journal line; no workflow waits for it) or a workflow's `PostApVoucher` command.
 */
export type FinancePosting = { command: 'PostJournalLine'; correlationId: string; posting: CostPosted; taskToken?: undefined } | FinanceCommand;

/** What a finance posting answers (a `PostApVoucher` command's waiting task receives it). */
export type FinancePostingResult = { command: 'PostJournalLine'; journalId: string } | { command: 'PostApVoucher'; voucherId: string; journalId: string };

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
    actor: FINANCE_CONNECTOR_ACTOR,
    action: 'cost.posted',
    entity: `journal:${journalId}`,
    correlationId: posting.correlationId,
    payload: line,
  });
  return { journalId };
};

/** Carries out one finance posting (see `FinancePosting`). @throws what the ledger raises. */
export const processFinancePosting = async (
  deps: Pick<Dependencies, 'finance' | 'transactions' | 'audit' | 'clock'>,
  message: FinancePosting,
): Promise<FinancePostingResult> => {
  switch (message.command) {
    case 'PostJournalLine':
      return { command: message.command, ...(await postCost(deps, message.posting)) };
    case 'PostApVoucher':
      return { command: message.command, ...(await postApVoucherToLedger(deps, message.voucher)) };
  }
};

/**
 * SQS consumer of the `FinancePostings` queue: the finance connector. One queue, two kinds of message,
 * validated at the edge with one discriminated schema:
 * - a bus `CostPosted` event (rule `cost-postings-to-finance`): posted as a GL journal line, once per
 *   `detail.idempotencyKey`; nothing waits for it;
 * - a `PostApVoucher` command from the receipt-to-invoice workflow
 *   (`sqs:sendMessage.waitForTaskToken`): the AP voucher is posted once per voucher id and the
 *   waiting task is answered with `{ command, voucherId, journalId }`.
 * Batch, per-record idempotency (Powertools, keyed on the business key; the ledger also deduplicates
 * on it, since idempotency cannot undo a side effect that happened before a timeout) and answers:
 * see `shared/connector.ts` — retryable failures return the record to the queue (then its DLQ), a
 * refusal for good fails the waiting task with `FinanceRejected` (a journal line without a task
 * stays failed and reaches the DLQ), a task that no longer waits is logged and the record consumed.
 *
 * Circuit breaker: one per Lambda execution environment (module scope, `financeCircuit`): 5
 * consecutive retryable ledger failures open it for 30 s; while open, records fail fast as retryable
 * (back to the queue, visibility timeout, eventually the DLQ) without calling the ledger; after the
 * cool-down one probe goes through and closes it again on success. See
 * functions/adapters/connectors/circuit-breaker.ts.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { CONNECTOR_REJECTION_ERRORS, commandBusinessKey, PostApVoucherCommandSchema } from '../../contracts/procurement-commands';
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { CircuitBreaker, guardFinanceLedger } from '../adapters/connectors/circuit-breaker';
import { processFinancePosting, type FinancePosting } from '../domain/use-cases/post-cost';
import { connectorHandler } from './shared/connector';
import type { LambdaFunction } from './shared/middleware';
import { count, METRIC, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { countProcurement, PROCUREMENT_METRIC } from './shared/procurement-metrics';
import { CostPostedEventSchema } from './shared/schemas';

export type FinanceConnectorDependencies = Pick<
  ProcurementHandlerDependencies,
  'finance' | 'workflows' | 'transactions' | 'audit' | 'clock' | 'idempotencyStore'
>;

/**
 * A message of the finance postings queue. An EventBridge event carries no `command`: that is what
 * tells it from the workflow's commands. Read as a `FinancePosting`.
 */
export const FinancePostingMessageSchema = z
  .discriminatedUnion('command', [PostApVoucherCommandSchema, CostPostedEventSchema.extend({ command: z.undefined().optional() })])
  .transform(
    (message): FinancePosting =>
      message.command === undefined ? { command: 'PostJournalLine', correlationId: message.detail.correlationId, posting: message.detail } : message,
  );

/** The business key a finance posting is processed once for. */
export const financePostingKey = (posting: FinancePosting): string =>
  posting.command === 'PostJournalLine' ? `finance|journal|${posting.posting.idempotencyKey}` : commandBusinessKey(posting);

/** GL journal lines keep the cost-posting metrics; AP vouchers count as finance commands. */
const countPosting = (posting: FinancePosting, outcome: 'processed' | 'failed'): void => {
  if (posting.command === 'PostJournalLine') count(outcome === 'processed' ? METRIC.costPostings : METRIC.costPostingFailures);
  else countProcurement(outcome === 'processed' ? PROCUREMENT_METRIC.financeCommands : PROCUREMENT_METRIC.financeCommandFailures);
};

/** The finance ledger circuit of this execution environment. */
export const financeCircuit = new CircuitBreaker({ name: 'finance ledger', failureThreshold: 5, coolDownMs: 30_000 });

/** Builds the handler on the given ports (tests pass their own breaker). */
export const makeHandler = (deps: FinanceConnectorDependencies, options: { breaker?: CircuitBreaker } = {}): LambdaFunction<SQSEvent, SQSBatchResponse> => {
  const breaker = options.breaker ?? financeCircuit;
  const guarded = { ...deps, finance: guardFinanceLedger(deps.finance, breaker) };
  return connectorHandler({
    system: 'finance ledger',
    schema: FinancePostingMessageSchema,
    businessKey: financePostingKey,
    process: (posting) => processFinancePosting(guarded, posting),
    rejectionError: CONNECTOR_REJECTION_ERRORS.finance,
    workflows: deps.workflows,
    idempotencyStore: deps.idempotencyStore,
    metrics: countPosting,
  });
};

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

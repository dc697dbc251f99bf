import { sqsEvent, sqsRecord, eventBridgeEvent } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApVoucher } from '../../../contracts/procurement';
import { CircuitBreaker } from '../../../functions/adapters/connectors/circuit-breaker';
import { NotFoundError, UpstreamRejectedError, UpstreamUnavailableError } from '../../../functions/domain/errors';
import { makeHandler } from '../../../functions/handlers/finance-connector';
import { costPostedDetail, fakeDependencies, lambdaContext } from '../fakes';
import { RecordingWorkflowControl } from '../procurement-fakes';

const costMessage = (key: string, messageId: string) =>
  sqsRecord(JSON.stringify(eventBridgeEvent('hem.finance', 'CostPosted', costPostedDetail({ idempotencyKey: key }), `evt-${messageId}`)), messageId);

const voucher = (overrides: Partial<ApVoucher> = {}): ApVoucher => ({
  voucherId: 'APV|SUP-MEDLINE|INV-8001',
  invoiceNumber: 'INV-8001',
  supplierId: 'SUP-MEDLINE',
  poNumber: 'PO-NMC-00000001',
  facilityId: 'FAC-NMC',
  invoiceDate: '2025-03-20',
  postingDate: '2025-03-21',
  currency: 'USD',
  totalAmount: 240,
  lines: [{ lineNumber: 1, kind: 'MERCHANDISE', costCenter: 'CC-NMC-OR', glAccount: '6100-100', amount: 240 }],
  correlationId: 'corr-inv',
  ...overrides,
});

/** The receipt-to-invoice workflow's PostApVoucherToFinance message. */
const voucherMessage = (messageId: string, taskToken: string, v: ApVoucher = voucher()) =>
  sqsRecord(JSON.stringify({ command: 'PostApVoucher', voucher: v, correlationId: v.correlationId, timeoutSeconds: 3600, taskToken }), messageId);

const harness = (options: { threshold?: number } = {}) => {
  const deps = { ...fakeDependencies(), workflows: new RecordingWorkflowControl() };
  const breaker = new CircuitBreaker({ name: 'finance ledger', failureThreshold: options.threshold ?? 5, coolDownMs: 60_000 });
  return { deps, breaker, handler: makeHandler(deps, { breaker }) };
};

describe('finance connector: CostPosted GL journal lines', () => {
  it('posts every CostPosted record and reports no failures', async () => {
    const { deps, handler } = harness();
    const response = await handler(sqsEvent([costMessage('K1#CostPosted', 'm1'), costMessage('K2#CostPosted', 'm2')]), lambdaContext());
    assert.deepEqual(response, { batchItemFailures: [] });
    assert.deepEqual([...deps.finance.journal.keys()].sort(), ['K1#CostPosted', 'K2#CostPosted']);
    assert.deepEqual(deps.workflows.succeeded, [], 'a bus event has no task to answer');
  });

  it('reports only the failed record in batchItemFailures', async () => {
    const { deps, handler } = harness();
    deps.finance.script(new UpstreamUnavailableError('finance 503'));
    const response = await handler(sqsEvent([costMessage('K1#CostPosted', 'm1'), costMessage('K2#CostPosted', 'm2')]), lambdaContext());
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: 'm1' }]);
    assert.deepEqual([...deps.finance.journal.keys()], ['K2#CostPosted']);
  });

  it('posts a redelivered record once the finance system is back', async () => {
    const { deps, handler } = harness();
    deps.finance.script(new UpstreamUnavailableError('finance 503'));
    const first = await handler(sqsEvent([costMessage('K1#CostPosted', 'm1')]), lambdaContext());
    assert.deepEqual(first.batchItemFailures, [{ itemIdentifier: 'm1' }]);
    const redelivered = await handler(sqsEvent([costMessage('K1#CostPosted', 'm1')]), lambdaContext());
    assert.deepEqual(redelivered, { batchItemFailures: [] });
    assert.deepEqual(deps.transactions.hopNames('corr-1'), ['cost-post-failed', 'cost-posted']);
  });

  it('posts once when the same posting arrives twice (redrive or replay with a new message id)', async () => {
    const { deps, handler } = harness();
    await handler(sqsEvent([costMessage('K1#CostPosted', 'm1')]), lambdaContext());
    const again = await handler(sqsEvent([costMessage('K1#CostPosted', 'm9')]), lambdaContext());
    assert.deepEqual(again, { batchItemFailures: [] });
    assert.equal(deps.finance.calls, 1);
    assert.deepEqual(deps.transactions.hopNames('corr-1'), ['cost-posted']);
  });

  it('leaves a journal line the ledger refuses for good failed, so it reaches the DLQ', async () => {
    const { deps, handler } = harness();
    deps.finance.script(new UpstreamRejectedError('closed period'));
    const response = await handler(sqsEvent([costMessage('K1#CostPosted', 'm1')]), lambdaContext());
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: 'm1' }]);
    assert.deepEqual(deps.workflows.failed, []);
  });

  it('fails a poison record (neither a CostPosted event nor a finance command) so it reaches the DLQ, without touching finance', async () => {
    const { deps, handler } = harness();
    const poison = sqsRecord(JSON.stringify({ hello: 'world', patient: 'DOE^JANE' }), 'm-poison', 5);
    const unknownCommand = sqsRecord(JSON.stringify({ command: 'PayEverybody', correlationId: 'c' }), 'm-unknown');
    const notJson = sqsRecord('{not json', 'm-garbage');
    const response = await handler(sqsEvent([poison, costMessage('K1#CostPosted', 'm1'), unknownCommand, notJson]), lambdaContext());
    assert.deepEqual(response.batchItemFailures.map((f) => f.itemIdentifier).sort(), ['m-garbage', 'm-poison', 'm-unknown']);
    assert.equal(deps.finance.calls, 1);
  });
});

describe('finance connector: the workflow\'s AP vouchers', () => {
  it('posts the voucher and answers the waiting task with the journal id', async () => {
    const { deps, handler } = harness();
    const response = await handler(sqsEvent([voucherMessage('m1', 'token-1')]), lambdaContext());
    assert.deepEqual(response, { batchItemFailures: [] });
    assert.equal(deps.finance.apVouchers.get('APV|SUP-MEDLINE|INV-8001')?.voucher.totalAmount, 240);
    assert.deepEqual(deps.workflows.succeeded, [
      { taskToken: 'token-1', output: { command: 'PostApVoucher', voucherId: 'APV|SUP-MEDLINE|INV-8001', journalId: 'APJ-000001' } },
    ]);
    assert.ok(deps.audit.records.some((r) => r.action === 'ApVoucherPostedToLedger' && r.correlationId === 'corr-inv'));
  });

  it('posts a voucher exactly once when the workflow resends it after a timeout, and answers each task token', async () => {
    const { deps, handler } = harness();
    await handler(sqsEvent([voucherMessage('m1', 'token-1')]), lambdaContext());
    // The task timed out and the workflow sent the command again with a new token (and a new message id).
    await handler(sqsEvent([voucherMessage('m2', 'token-2')]), lambdaContext());
    assert.equal(deps.finance.apVouchers.size, 1);
    assert.equal(deps.finance.calls, 1, 'the second copy is answered from the idempotency record');
    assert.deepEqual(
      deps.workflows.succeeded.map((s) => [s.taskToken, (s.output as { journalId: string }).journalId]),
      [
        ['token-1', 'APJ-000001'],
        ['token-2', 'APJ-000001'],
      ],
    );
  });

  it('returns the voucher to the queue while the ledger is down and posts it once when it is back', async () => {
    const { deps, handler } = harness();
    deps.finance.script(new UpstreamUnavailableError('finance 503'), new UpstreamUnavailableError('finance 503'));
    for (const attempt of [1, 2]) {
      const failed = await handler(sqsEvent([voucherMessage('m1', 'token-1')]), lambdaContext());
      assert.deepEqual(failed.batchItemFailures, [{ itemIdentifier: 'm1' }], `receive ${attempt}`);
    }
    assert.deepEqual([deps.workflows.succeeded, deps.workflows.failed], [[], []], 'the task keeps waiting while the record is retried');
    const recovered = await handler(sqsEvent([voucherMessage('m1', 'token-1')]), lambdaContext());
    assert.deepEqual(recovered, { batchItemFailures: [] });
    assert.equal(deps.finance.apVouchers.size, 1);
    assert.deepEqual(deps.workflows.succeeded.map((s) => s.taskToken), ['token-1']);
    assert.deepEqual(deps.transactions.hopNames('corr-inv'), ['connector-failed', 'connector-failed']);
  });

  it('fails fast without calling the ledger while the circuit is open, then posts once after the cool-down', async () => {
    let now = 0;
    const deps = { ...fakeDependencies(), workflows: new RecordingWorkflowControl() };
    const breaker = new CircuitBreaker({ name: 'finance ledger', failureThreshold: 2, coolDownMs: 30_000, now: () => now });
    const handler = makeHandler(deps, { breaker });
    deps.finance.script(new UpstreamUnavailableError('finance 503'), new UpstreamUnavailableError('finance 503'));
    const batch = sqsEvent([
      costMessage('K1#CostPosted', 'm1'),
      costMessage('K2#CostPosted', 'm2'),
      voucherMessage('m3', 'token-1'),
      costMessage('K3#CostPosted', 'm4'),
    ]);
    const first = await handler(batch, lambdaContext());
    assert.deepEqual(first.batchItemFailures.map((f) => f.itemIdentifier), ['m1', 'm2', 'm3', 'm4'], 'every record returns to the queue');
    assert.equal(deps.finance.calls, 2, 'the two failures opened the circuit: the voucher and K3 never reached the ledger');
    assert.equal(breaker.snapshot().state, 'OPEN');
    assert.deepEqual(deps.workflows.failed, [], 'an open circuit is retryable: the task is not failed');

    now += 30_000;
    const second = await handler(batch, lambdaContext());
    assert.deepEqual(second, { batchItemFailures: [] });
    assert.equal(breaker.snapshot().state, 'CLOSED');
    assert.equal(deps.finance.apVouchers.size, 1);
    assert.equal(deps.finance.journal.size, 3);
    assert.equal(deps.finance.calls, 6);
    assert.deepEqual(deps.workflows.succeeded.map((s) => s.taskToken), ['token-1']);
  });

  it('fails the waiting task with FinanceRejected when the ledger refuses the voucher, and consumes the record', async () => {
    const { deps, handler } = harness();
    deps.finance.script(new UpstreamRejectedError('finance ledger rejected the AP voucher (HTTP 422)', { details: { status: 422 } }));
    const response = await handler(sqsEvent([voucherMessage('m1', 'token-1')]), lambdaContext());
    assert.deepEqual(response, { batchItemFailures: [] });
    assert.equal(deps.workflows.failed.length, 1);
    assert.equal(deps.workflows.failed[0]?.taskToken, 'token-1');
    assert.equal(deps.workflows.failed[0]?.error, 'FinanceRejected');
    assert.equal((JSON.parse(deps.workflows.failed[0]?.cause ?? '{}') as { code?: string }).code, 'UPSTREAM_REJECTED');
    assert.equal(deps.finance.apVouchers.size, 0);
  });

  it('logs and consumes the record when the task no longer waits (expired or already answered token)', async () => {
    const { deps, handler } = harness();
    deps.workflows.failNext(new NotFoundError('Task Timed Out', { details: { sfnError: 'TaskTimedOut' } }));
    const response = await handler(sqsEvent([voucherMessage('m1', 'token-expired')]), lambdaContext());
    assert.deepEqual(response, { batchItemFailures: [] }, 'never poisons the batch');
    assert.equal(deps.finance.apVouchers.size, 1, 'the voucher is posted; the resend with a fresh token is answered from the idempotency record');
  });
});

import { sqsEvent, sqsRecord, eventBridgeEvent } from './support';
import { describe, expect, it } from '@jest/globals';
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
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect([...deps.finance.journal.keys()].sort()).toStrictEqual(['K1#CostPosted', 'K2#CostPosted']);
    expect(deps.workflows.succeeded).toStrictEqual([]);
  });

  it('reports only the failed record in batchItemFailures', async () => {
    const { deps, handler } = harness();
    deps.finance.script(new UpstreamUnavailableError('finance 503'));
    const response = await handler(sqsEvent([costMessage('K1#CostPosted', 'm1'), costMessage('K2#CostPosted', 'm2')]), lambdaContext());
    expect(response.batchItemFailures).toStrictEqual([{ itemIdentifier: 'm1' }]);
    expect([...deps.finance.journal.keys()]).toStrictEqual(['K2#CostPosted']);
  });

  it('posts a redelivered record once the finance system is back', async () => {
    const { deps, handler } = harness();
    deps.finance.script(new UpstreamUnavailableError('finance 503'));
    const first = await handler(sqsEvent([costMessage('K1#CostPosted', 'm1')]), lambdaContext());
    expect(first.batchItemFailures).toStrictEqual([{ itemIdentifier: 'm1' }]);
    const redelivered = await handler(sqsEvent([costMessage('K1#CostPosted', 'm1')]), lambdaContext());
    expect(redelivered).toStrictEqual({ batchItemFailures: [] });
    expect(deps.transactions.hopNames('corr-1')).toStrictEqual(['cost-post-failed', 'cost-posted']);
  });

  it('posts once when the same posting arrives twice (redrive or replay with a new message id)', async () => {
    const { deps, handler } = harness();
    await handler(sqsEvent([costMessage('K1#CostPosted', 'm1')]), lambdaContext());
    const again = await handler(sqsEvent([costMessage('K1#CostPosted', 'm9')]), lambdaContext());
    expect(again).toStrictEqual({ batchItemFailures: [] });
    expect(deps.finance.calls).toBe(1);
    expect(deps.transactions.hopNames('corr-1')).toStrictEqual(['cost-posted']);
  });

  it('leaves a journal line the ledger refuses for good failed, so it reaches the DLQ', async () => {
    const { deps, handler } = harness();
    deps.finance.script(new UpstreamRejectedError('closed period'));
    const response = await handler(sqsEvent([costMessage('K1#CostPosted', 'm1')]), lambdaContext());
    expect(response.batchItemFailures).toStrictEqual([{ itemIdentifier: 'm1' }]);
    expect(deps.workflows.failed).toStrictEqual([]);
  });

  it('fails a poison record (neither a CostPosted event nor a finance command) so it reaches the DLQ, without touching finance', async () => {
    const { deps, handler } = harness();
    const poison = sqsRecord(JSON.stringify({ hello: 'world', patient: 'DOE^JANE' }), 'm-poison', 5);
    const unknownCommand = sqsRecord(JSON.stringify({ command: 'PayEverybody', correlationId: 'c' }), 'm-unknown');
    const notJson = sqsRecord('{not json', 'm-garbage');
    const response = await handler(sqsEvent([poison, costMessage('K1#CostPosted', 'm1'), unknownCommand, notJson]), lambdaContext());
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toStrictEqual(['m-garbage', 'm-poison', 'm-unknown']);
    expect(deps.finance.calls).toBe(1);
  });
});

describe('finance connector: the workflow\'s AP vouchers', () => {
  it('posts the voucher and answers the waiting task with the journal id', async () => {
    const { deps, handler } = harness();
    const response = await handler(sqsEvent([voucherMessage('m1', 'token-1')]), lambdaContext());
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(deps.finance.apVouchers.get('APV|SUP-MEDLINE|INV-8001')?.voucher.totalAmount).toBe(240);
    expect(deps.workflows.succeeded).toStrictEqual([
      { taskToken: 'token-1', output: { command: 'PostApVoucher', voucherId: 'APV|SUP-MEDLINE|INV-8001', journalId: 'APJ-000001' } },
    ]);
    expect(deps.audit.records.some((r) => r.action === 'ApVoucherPostedToLedger' && r.correlationId === 'corr-inv')).toBeTruthy();
  });

  it('posts a voucher exactly once when the workflow resends it after a timeout, and answers each task token', async () => {
    const { deps, handler } = harness();
    await handler(sqsEvent([voucherMessage('m1', 'token-1')]), lambdaContext());
    // The task timed out and the workflow sent the command again with a new token (and a new message id).
    await handler(sqsEvent([voucherMessage('m2', 'token-2')]), lambdaContext());
    expect(deps.finance.apVouchers.size).toBe(1);
    expect(deps.finance.calls).toBe(1);
    expect(deps.workflows.succeeded.map((s) => [s.taskToken, (s.output as { journalId: string }).journalId])).toStrictEqual([
        ['token-1', 'APJ-000001'],
        ['token-2', 'APJ-000001'],
      ]);
  });

  it('returns the voucher to the queue while the ledger is down and posts it once when it is back', async () => {
    const { deps, handler } = harness();
    deps.finance.script(new UpstreamUnavailableError('finance 503'), new UpstreamUnavailableError('finance 503'));
    for (const _attempt of [1, 2]) {
      const failed = await handler(sqsEvent([voucherMessage('m1', 'token-1')]), lambdaContext());
      expect(failed.batchItemFailures).toStrictEqual([{ itemIdentifier: 'm1' }]);
    }
    expect([deps.workflows.succeeded, deps.workflows.failed]).toStrictEqual([[], []]);
    const recovered = await handler(sqsEvent([voucherMessage('m1', 'token-1')]), lambdaContext());
    expect(recovered).toStrictEqual({ batchItemFailures: [] });
    expect(deps.finance.apVouchers.size).toBe(1);
    expect(deps.workflows.succeeded.map((s) => s.taskToken)).toStrictEqual(['token-1']);
    expect(deps.transactions.hopNames('corr-inv')).toStrictEqual(['connector-failed', 'connector-failed']);
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
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toStrictEqual(['m1', 'm2', 'm3', 'm4']);
    expect(deps.finance.calls).toBe(2);
    expect(breaker.snapshot().state).toBe('OPEN');
    expect(deps.workflows.failed).toStrictEqual([]);

    now += 30_000;
    const second = await handler(batch, lambdaContext());
    expect(second).toStrictEqual({ batchItemFailures: [] });
    expect(breaker.snapshot().state).toBe('CLOSED');
    expect(deps.finance.apVouchers.size).toBe(1);
    expect(deps.finance.journal.size).toBe(3);
    expect(deps.finance.calls).toBe(6);
    expect(deps.workflows.succeeded.map((s) => s.taskToken)).toStrictEqual(['token-1']);
  });

  it('fails the waiting task with FinanceRejected when the ledger refuses the voucher, and consumes the record', async () => {
    const { deps, handler } = harness();
    deps.finance.script(new UpstreamRejectedError('finance ledger rejected the AP voucher (HTTP 422)', { details: { status: 422 } }));
    const response = await handler(sqsEvent([voucherMessage('m1', 'token-1')]), lambdaContext());
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(deps.workflows.failed.length).toBe(1);
    expect(deps.workflows.failed[0]?.taskToken).toBe('token-1');
    expect(deps.workflows.failed[0]?.error).toBe('FinanceRejected');
    expect((JSON.parse(deps.workflows.failed[0]?.cause ?? '{}') as { code?: string }).code).toBe('UPSTREAM_REJECTED');
    expect(deps.finance.apVouchers.size).toBe(0);
  });

  it('logs and consumes the record when the task no longer waits (expired or already answered token)', async () => {
    const { deps, handler } = harness();
    deps.workflows.failNext(new NotFoundError('Task Timed Out', { details: { sfnError: 'TaskTimedOut' } }));
    const response = await handler(sqsEvent([voucherMessage('m1', 'token-expired')]), lambdaContext());
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(deps.finance.apVouchers.size).toBe(1);
  });
});

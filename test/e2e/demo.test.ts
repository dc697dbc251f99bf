/**
 * `npm run demo` in process, with a smaller day: it plays every stage on its own runtime and its
 * summary says so (counts, exceptions resolved, nothing dead-lettered, the audit chain verified).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummary, runDemo } from '../../local/demo';

describe('npm run demo', () => {
  it('plays a small hospital day to the end and summarises every stage with the audit chain verified', async () => {
    const summary = await runDemo({ procedures: 12, seed: 7, deadlineMs: 90_000 });
    const count = (stage: string): number => summary.stages.find((s) => s.stage === stage)?.count ?? 0;

    assert.equal(summary.complete, true, `still open: ${summary.open.join('; ')}`);
    for (const stage of ['received', 'mapped', 'applied', 'cost-posted', 'requisition-created', 'po-created', 'po-issued', 'po-acknowledged', 'shipment-notified', 'goods-received', 'invoice-received', 'voucher-posted', 'po-closed']) {
      assert.ok(count(stage) > 0, `no ${stage} hop`);
    }
    assert.ok(summary.purchaseOrders.total >= 6, 'the six requisitions of purchasing at least');
    assert.ok((summary.purchaseOrders.byStatus.CLOSED ?? 0) > 0);
    assert.ok(summary.receipts > 0 && summary.apVouchers > 0 && summary.costPostings > 0);
    assert.ok(summary.invoiceExceptions.some((e) => e.reasons.includes('PRICE_VARIANCE') && e.resolution === 'ACCEPT_VARIANCE'));
    assert.ok(summary.invoiceExceptions.some((e) => e.reasons.includes('FREIGHT_OVER_TOLERANCE')));
    assert.ok(summary.invoiceExceptions.some((e) => e.reasons.includes('DUPLICATE') && e.resolution === 'REJECT'), 'the invoice BD sent twice is rejected');
    assert.ok(summary.usageExceptions.length > 0 && summary.usageExceptions.every((e) => e.reprocessed));
    assert.ok(summary.latencies.every((l) => l.p50Ms <= l.p95Ms && l.count > 0));
    assert.ok(summary.deadLetterQueues.length > 0 && summary.deadLetterQueues.every((q) => q.depth === 0), JSON.stringify(summary.deadLetterQueues));
    assert.equal(summary.audit.ok, true);
    assert.ok((summary.audit.count ?? 0) > 0);
    assert.match(formatSummary(summary), /Audit hash chain: {3}verified/);
  });
});

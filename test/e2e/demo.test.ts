/**
 * `npm run demo` in process, with a smaller day: it plays every stage on its own runtime and its
 * summary says so (counts, exceptions resolved, nothing dead-lettered, the audit chain verified).
 */
import { describe, expect, it } from '@jest/globals';
import { formatSummary, runDemo } from '../../local/demo';

describe('npm run demo', () => {
  it('plays a small hospital day to the end and summarises every stage with the audit chain verified', async () => {
    const summary = await runDemo({ procedures: 12, seed: 7, deadlineMs: 90_000 });
    const count = (stage: string): number => summary.stages.find((s) => s.stage === stage)?.count ?? 0;

    expect(summary.complete).toBe(true);
    for (const stage of ['received', 'mapped', 'applied', 'cost-posted', 'requisition-created', 'po-created', 'po-issued', 'po-acknowledged', 'shipment-notified', 'goods-received', 'invoice-received', 'voucher-posted', 'po-closed']) {
      expect(count(stage) > 0).toBeTruthy();
    }
    expect(summary.purchaseOrders.total >= 6).toBeTruthy();
    expect((summary.purchaseOrders.byStatus.CLOSED ?? 0) > 0).toBeTruthy();
    expect(summary.receipts > 0 && summary.apVouchers > 0 && summary.costPostings > 0).toBeTruthy();
    expect(summary.invoiceExceptions.some((e) => e.reasons.includes('PRICE_VARIANCE') && e.resolution === 'ACCEPT_VARIANCE')).toBeTruthy();
    expect(summary.invoiceExceptions.some((e) => e.reasons.includes('FREIGHT_OVER_TOLERANCE'))).toBeTruthy();
    expect(summary.invoiceExceptions.some((e) => e.reasons.includes('DUPLICATE') && e.resolution === 'REJECT')).toBeTruthy();
    expect(summary.usageExceptions.length > 0 && summary.usageExceptions.every((e) => e.reprocessed)).toBeTruthy();
    expect(summary.latencies.every((l) => l.p50Ms <= l.p95Ms && l.count > 0)).toBeTruthy();
    expect(summary.deadLetterQueues.length > 0 && summary.deadLetterQueues.every((q) => q.depth === 0)).toBeTruthy();
    expect(summary.audit.ok).toBe(true);
    expect((summary.audit.count ?? 0) > 0).toBeTruthy();
    expect(formatSummary(summary)).toMatch(/Audit hash chain: {3}verified/);
  });
});

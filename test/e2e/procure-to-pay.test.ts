/**
 * Procure-to-pay end to end on the embedded runtime, over HTTP as the partners use it: usage crosses
 * a reorder point → requisition → purchase order in the ERP → 850 to the supplier network → the
 * supplier's 855/856/810 → dock receipt → three-way match → AP voucher → PO closed; a price over
 * tolerance resolved by an AP clerk; X12 samples that never break the EDI endpoint; object-level
 * authorization between suppliers; a requisition that waits for a human approval.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OutboxEntry, Scenario } from '../../local/simulators/supplier-network';
import {
  controlId,
  dftP03,
  eventually,
  getJson,
  hops,
  position,
  postHl7,
  postJson,
  postX12,
  purchaseOrder,
  readAcks,
  setSupplierScenario,
  startTestRuntime,
  supplierInbox,
  supplierInvoice810,
  supplierOutbox,
  tokenFor,
  vouchersOf,
  type HopView,
  type InvoiceView,
  type Runtime,
} from './support';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const SHARED_X12 = path.resolve(REPO_ROOT, '../shared/fixtures/x12');
const OWN_X12 = path.join(REPO_ROOT, 'test/fixtures/x12');

/**
 * The suppliers' pace (× the runtime's time scale 0.02): 855 and 856 within milliseconds, the 810
 * two seconds after the 856, so the dock receipt is in before the invoice, as at a real dock.
 */
const DOCK_FIRST: Scenario = { delaysMs: { ack: 100, asn: 200, invoice: 100_000 } };

/** Every hop one replenishment goes through, from the EHR message to the closed PO. */
const END_TO_END_HOPS = [
  'received',
  'mapped',
  'applied',
  'reorder',
  'requisition-created',
  'requisition-approved',
  'po-created',
  'po-created-in-erp',
  'po-issued',
  'po-acknowledged',
  'shipment-notified',
  'goods-received',
  'invoice-received',
  'invoice-matched',
  'voucher-posted',
  'po-closed',
];

interface RequisitionView {
  requisitionId: string;
  status: string;
  costCenter: string;
  totalAmount: number;
  approval?: { outcome: string; by: string };
  poNumber?: string;
  lines: { contract: boolean }[];
}

const hopNamed = (trail: HopView[], name: string): HopView | undefined => trail.find((h) => h.hop === name);

/** The PO number of a transaction, from its po-created hop. */
const poOf = async (rt: Runtime, token: string, correlationId: string): Promise<string> =>
  eventually(async () => {
    const created = hopNamed(await hops(rt, token, correlationId), 'po-created');
    assert.ok(created, 'no po-created hop yet');
    return created.detail?.poNumber as string;
  }, 20_000);

/** The supplier network's documents for one PO, once `type` is among them. */
const documentsFor = async (rt: Runtime, poNumber: string, type: OutboxEntry['documentType']): Promise<OutboxEntry[]> =>
  eventually(async () => {
    const documents = (await supplierOutbox(rt)).filter((d) => d.poNumber === poNumber);
    assert.ok(
      documents.some((d) => d.documentType === type && d.httpStatus !== undefined),
      `no ${type} answered for ${poNumber} yet: ${JSON.stringify(documents.map((d) => [d.documentType, d.httpStatus, d.error, d.response?.slice(0, 200)]))}`,
    );
    return documents;
  }, 20_000);

/** A dock receipt of every line of a PO, as ordered. */
const receiveAll = async (rt: Runtime, dock: string, ap: string, poNumber: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const po = await purchaseOrder(rt, ap, poNumber);
  assert.equal(po.status, 200);
  return postJson(rt, dock, '/v1/receipts', {
    receiptId: `RCV-${controlId()}`,
    poNumber,
    lines: po.body.purchaseOrder.lines.map((l) => ({ poLineNumber: l.lineNumber, quantity: l.quantity, uom: l.uom })),
  });
};

/** The finance simulator's counters. */
const financeStats = async (rt: Runtime): Promise<{ failuresInjected: number; voucherPosts: number; vouchersPosted: number }> =>
  (await (await fetch(`${rt.financeUrl}/_stats`)).json()) as { failuresInjected: number; voucherPosts: number; vouchersPosted: number };

/** Replaces the finance simulator's fault injection. */
const setFinanceFaults = async (rt: Runtime, faults: Record<string, unknown>): Promise<void> => {
  const res = await fetch(`${rt.financeUrl}/_faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  assert.ok(res.ok, `faults answered ${res.status}`);
};

const closedPo = async (rt: Runtime, ap: string, poNumber: string): Promise<void> => {
  await eventually(async () => {
    const po = await purchaseOrder(rt, ap, poNumber);
    assert.equal(po.body.purchaseOrder.status, 'CLOSED');
  }, 20_000);
};

describe('procure to pay on the local runtime', () => {
  let rt: Runtime;
  let ehr: string;
  let dock: string;
  let ap: string;
  let saas: string;
  let medline: string;
  let cardinal: string;
  let owens: string;
  /** What scenario (a) ordered from Owens & Minor, and what the supplier sent for it. */
  let replenishmentPo = '';
  let replenishmentDocuments: OutboxEntry[] = [];
  /** The Medline PO of scenario (b). */
  let medlinePo = '';

  before(async () => {
    rt = await startTestRuntime({ supplierScenario: DOCK_FIRST });
    [ehr, dock, ap, saas, medline, cardinal, owens] = await Promise.all(
      ['epic-ehr', 'receiving-dock', 'ap-clerk', 'saas-procurement', 'supplier-medline', 'supplier-cardinal', 'supplier-owens'].map((c) => tokenFor(rt, c)),
    );
  });
  after(async () => {
    await rt?.stop();
  });

  it('takes usage that crosses the reorder point to a received, matched, vouchered and closed purchase order', async () => {
    // ITM-10002 at NMC-OR: par 48, reorder point 12, 1 BX = 12 EA, supplied by Owens & Minor.
    const start = await position(rt, ehr, 'NMC-OR', 'ITM-10002');
    const used = start.onHand - start.reorderPoint + 2;
    const usage = await postHl7(rt, ehr, dftP03({ controlId: controlId(), lines: [{ chargeCode: 'CHG-100002', quantity: used }] }));
    assert.match(usage.ack, /^MSA\|AA\|/m);
    const correlationId = usage.correlationId as string;

    replenishmentPo = await poOf(rt, ehr, correlationId);
    const ordered = await position(rt, ehr, 'NMC-OR', 'ITM-10002');
    assert.equal(ordered.onHand, start.onHand - used);
    assert.ok(ordered.onOrder > 0, 'the replenishment is on order');

    // Auto-approved: contract lines under CC-NMC-OR's 5000 limit.
    const po = await purchaseOrder(rt, ap, replenishmentPo);
    assert.equal(po.status, 200);
    assert.equal(po.body.purchaseOrder.correlationId, correlationId);
    assert.equal(po.body.purchaseOrder.supplierId, 'SUP-OWENS');
    assert.equal(po.body.purchaseOrder.costCenter, 'CC-NMC-OR');
    const requisition = await getJson<RequisitionView>(rt, ap, `/v1/requisitions/${po.body.purchaseOrder.requisitionId}`);
    assert.equal(requisition.status, 200);
    assert.equal(requisition.body.approval?.outcome, 'AUTO_APPROVED');
    assert.equal(requisition.body.costCenter, 'CC-NMC-OR');
    assert.ok(requisition.body.totalAmount < 5000);
    assert.ok(requisition.body.lines.every((l) => l.contract));

    // The ERP simulator holds the PO; the supplier network received its 850.
    const erp = await eventually(async () => {
      const res = await fetch(`${rt.erpUrl}/fscmRestApi/resources/11.13.18.05/purchaseOrders?q=OrderNumber=${replenishmentPo}`);
      const body = (await res.json()) as { count: number; items: { OrderNumber: string; lines: { Quantity: number }[] }[] };
      assert.equal(body.count, 1);
      return body.items[0];
    });
    assert.equal(erp?.OrderNumber, replenishmentPo);
    const [line] = po.body.purchaseOrder.lines;
    assert.ok(line);
    const the850 = await eventually(async () => {
      const found = (await supplierInbox(rt)).find((e) => e.poNumber === replenishmentPo);
      assert.ok(found, 'the 850 reached the supplier network');
      return found;
    });
    assert.equal(the850.ackCode, 'A');
    assert.equal(the850.purpose, '00');
    assert.equal(the850.supplierId, 'SUP-OWENS');
    assert.deepEqual(
      the850.lines.map((l) => ({ lineNumber: l.lineNumber, quantity: l.quantity, uom: l.uom, vn: l.supplierCatalogNumber, uk: l.gtin })),
      [{ lineNumber: line.lineNumber, quantity: line.quantity, uom: line.uom, vn: line.supplierCatalogNumber, uk: line.gtin }],
    );

    // The supplier's 855 and 856 were accepted (999 IK5 A); the dock receives before the 810 comes.
    const shipped = await documentsFor(rt, replenishmentPo, '856');
    for (const document of shipped) {
      assert.equal(document.httpStatus, 200, `${document.documentType} answered ${document.httpStatus}`);
      assert.deepEqual(readAcks(document.response ?? ''), [{ kind: '999', codes: ['A'] }], `${document.documentType} acknowledged`);
    }
    const receipt = await receiveAll(rt, dock, ap, replenishmentPo);
    assert.equal(receipt.status, 201);
    const received = await position(rt, ehr, 'NMC-OR', 'ITM-10002');
    const baseUnits = line.quantity * line.uomFactor;
    assert.equal(received.onHand, ordered.onHand + baseUnits, 'on hand rises by what was received');
    assert.equal(received.onOrder, ordered.onOrder - baseUnits, 'on order drops by it');

    // The 810 arrives, matches, is vouchered once; the PO closes.
    replenishmentDocuments = await documentsFor(rt, replenishmentPo, '810');
    const invoice = replenishmentDocuments.find((d) => d.documentType === '810');
    assert.deepEqual(readAcks(invoice?.response ?? ''), [{ kind: '999', codes: ['A'] }]);
    await closedPo(rt, ap, replenishmentPo);
    const vouchers = await vouchersOf(rt, replenishmentPo);
    assert.equal(vouchers.length, 1);
    assert.equal(vouchers[0]?.supplierId, 'SUP-OWENS');
    const paid = await getJson<{ invoices: InvoiceView[] }>(rt, ap, '/v1/invoices?status=paid');
    assert.ok(paid.body.invoices.some((i) => i.poNumber === replenishmentPo));

    const trail = await eventually(async () => {
      const h = await hops(rt, ehr, correlationId);
      assert.ok(hopNamed(h, 'po-closed'));
      return h;
    });
    for (const hop of END_TO_END_HOPS) {
      assert.ok(hopNamed(trail, hop), `hop ${hop} missing from ${trail.map((x) => x.hop).join(',')}`);
    }
    assert.ok(trail.every((h) => !Number.isNaN(Date.parse(h.at))));
  });

  it('lists an invoice priced over tolerance as an exception and vouchers it once after the AP clerk accepts the variance, holding it while the ledger is down', async () => {
    // Medline acknowledges and ships foam dressings at the contract price (42.00 per BX of 10), then
    // invoices 15% more: 0.63 per each over the PO, beyond both tolerances (2% and 0.50 per base unit).
    await setSupplierScenario(rt, { ...DOCK_FIRST, sendInvoice: false });
    const raised = await postJson<{ requisitionId: string; status: string; correlationId: string }>(rt, saas, '/v1/requisitions', {
      externalRef: `SAAS-${controlId()}`,
      facilityId: 'FAC-NMC',
      locationId: 'NMC-OR',
      costCenter: 'CC-NMC-OR',
      supplierId: 'SUP-MEDLINE',
      lines: [{ itemId: 'ITM-10150', quantity: 2, uom: 'BX' }],
    });
    assert.equal(raised.status, 201);
    medlinePo = await poOf(rt, ap, raised.body.correlationId);
    await eventually(async () => assert.ok((await supplierInbox(rt)).some((e) => e.poNumber === medlinePo)));
    await setSupplierScenario(rt, DOCK_FIRST);
    await documentsFor(rt, medlinePo, '856');
    assert.equal((await receiveAll(rt, dock, ap, medlinePo)).status, 201);

    const po = await purchaseOrder(rt, medline, medlinePo);
    assert.equal(po.status, 200, 'Medline sees its own PO');
    const invoiceNumber = `INV-${controlId().slice(0, 12)}`;
    const x12 = supplierInvoice810({
      isaId: 'MEDLINE',
      controlNumber: 100_000_000 + Math.floor(Math.random() * 800_000_000),
      invoiceNumber,
      poNumber: medlinePo,
      lines: po.body.purchaseOrder.lines.map((l) => ({ ...l, unitPrice: Math.round(l.unitPrice * 115) / 100 })),
    });
    const answer = await postX12(rt, medline, x12);
    assert.equal(answer.status, 200);
    assert.deepEqual(readAcks(answer.text), [{ kind: '999', codes: ['A'] }]);

    const exception = await eventually(async () => {
      const list = await getJson<{ invoices: InvoiceView[] }>(rt, ap, '/v1/invoices?status=exception');
      assert.equal(list.status, 200);
      const found = list.body.invoices.find((i) => i.invoiceNumber === invoiceNumber);
      assert.ok(found, 'the invoice is listed as an exception');
      return found;
    });
    assert.ok(exception.reasons.includes('PRICE_VARIANCE'), `reasons ${exception.reasons.join(',')}`);
    const own = await getJson(rt, medline, `/v1/invoices/${encodeURIComponent(exception.invoiceId)}`);
    assert.equal(own.status, 200, 'a supplier reads its own invoice');
    const foreign = await getJson(rt, cardinal, `/v1/invoices/${encodeURIComponent(exception.invoiceId)}`);
    assert.equal(foreign.status, 404, 'another supplier gets 404, as if the invoice did not exist');
    // The problem body may echo the id the caller sent, but nothing of the invoice itself.
    assert.ok(!JSON.stringify(foreign.body).includes(medlinePo), "another supplier does not see Medline's invoice");
    assert.equal((foreign.body as { invoiceAmount?: unknown }).invoiceAmount, undefined);

    // The ledger is down when the clerk accepts: the finance connector's PostApVoucher fails (retried
    // inside the HTTP client, then by the queue) and the voucher is held, not lost and not posted.
    const before = await financeStats(rt);
    await setFinanceFaults(rt, { failNext: 1000, status: 503 });
    const resolution = { action: 'ACCEPT_VARIANCE', clerk: 'ap.jordan' };
    const resolved = await postJson<{ status: string }>(rt, ap, `/v1/invoices/${encodeURIComponent(exception.invoiceId)}/resolution`, resolution);
    assert.equal(resolved.status, 200);
    try {
      // Two receives of the command (3 HTTP attempts each), well before its maxReceiveCount of 5.
      await eventually(async () => assert.ok((await financeStats(rt)).failuresInjected - before.failuresInjected >= 6, 'the ledger was asked twice'), 20_000);
      assert.deepEqual(await vouchersOf(rt, medlinePo), [], 'nothing is posted while the ledger fails');
      const held = await getJson<InvoiceView>(rt, ap, `/v1/invoices/${encodeURIComponent(exception.invoiceId)}`);
      assert.equal(held.body.status, 'MATCHED', 'payable, not paid, while the voucher is held');
    } finally {
      await setFinanceFaults(rt, { failNext: 0 });
    }
    const vouchers = await eventually(async () => {
      const v = await vouchersOf(rt, medlinePo);
      assert.equal(v.length, 1);
      return v;
    }, 20_000);
    assert.equal(vouchers[0]?.totalAmount, exception.invoiceAmount, 'the accepted variance is paid as invoiced');
    await closedPo(rt, ap, medlinePo);

    const again = await postJson(rt, ap, `/v1/invoices/${encodeURIComponent(exception.invoiceId)}/resolution`, resolution);
    assert.ok(again.status === 200 || again.status === 409, `a repeated resolution answered ${again.status}`);
    await rt.whenIdle();
    assert.equal((await vouchersOf(rt, medlinePo)).length, 1, 'vouchered exactly once');
    const after = await financeStats(rt);
    assert.equal(after.vouchersPosted - before.vouchersPosted, 1, 'the ledger wrote one voucher after it recovered');
    assert.equal(rt.queues.get('finance-postings-dlq')?.depth(), 0, 'the held voucher never reached the DLQ');
  });

  it('answers every X12 sample with a 999, 997 or TA1, never a 5xx', async () => {
    const files = [
      ...(existsSync(SHARED_X12) ? readdirSync(SHARED_X12).map((f) => path.join(SHARED_X12, f)) : []),
      ...readdirSync(OWN_X12).map((f) => path.join(OWN_X12, f)),
    ].filter((f) => f.endsWith('.edi'));
    assert.ok(files.length >= 11);
    const answers = new Map<string, ReturnType<typeof readAcks>>();
    for (const file of files) {
      const res = await postX12(rt, medline, readFileSync(file, 'utf8'));
      assert.equal(res.status, 200, `${path.basename(file)} answered ${res.status}`);
      assert.match(res.contentType, /application\/edi-x12/);
      const acks = readAcks(res.text);
      assert.ok(acks.length > 0, `${path.basename(file)} got no acknowledgment: ${res.text.slice(0, 120)}`);
      answers.set(path.basename(file), acks);
    }
    assert.deepEqual(answers.get('medline_855_5010.edi'), [{ kind: '999', codes: ['A'] }]);
    assert.deepEqual(answers.get('medline_856_4010.edi'), [{ kind: '997', codes: ['A'] }]);
    assert.deepEqual(answers.get('medline_855_bad_se_count.edi'), [{ kind: '999', codes: ['R'] }]);
    assert.deepEqual(answers.get('medline_810_bad_iea_control.edi'), [{ kind: 'TA1', codes: ['R'] }]);
  });

  it('changes nothing when a supplier resends an interchange', async () => {
    assert.ok(replenishmentPo !== '', 'runs after the replenishment scenario');
    const before = await purchaseOrder(rt, ap, replenishmentPo);
    const trailBefore = await hops(rt, ap, before.body.purchaseOrder.correlationId);
    for (const document of replenishmentDocuments) {
      const res = await postX12(rt, owens, document.x12);
      assert.equal(res.status, 200);
      assert.deepEqual(readAcks(res.text), [{ kind: '999', codes: ['A'] }], `the resent ${document.documentType} is acknowledged again`);
    }
    const fixture = readFileSync(path.join(OWN_X12, 'medline_810_5010.edi'), 'utf8');
    const medlineInvoices = async (): Promise<string[]> => {
      const list = await getJson<{ invoices: InvoiceView[] }>(rt, ap, '/v1/invoices?limit=500');
      assert.equal(list.status, 200);
      return list.body.invoices.filter((i) => i.supplierId === 'SUP-MEDLINE').map((i) => `${i.invoiceId}:${i.status}`);
    };
    const first = await postX12(rt, medline, fixture);
    await rt.whenIdle();
    const invoicesBefore = await medlineInvoices();
    assert.ok(invoicesBefore.length > 0);
    const second = await postX12(rt, medline, fixture);
    await rt.whenIdle();
    assert.equal(second.text, first.text, 'the same answer for the same interchange');
    assert.deepEqual(await medlineInvoices(), invoicesBefore);

    const afterResend = await purchaseOrder(rt, ap, replenishmentPo);
    assert.deepEqual(afterResend.body, before.body);
    assert.equal((await hops(rt, ap, before.body.purchaseOrder.correlationId)).length, trailBefore.length);
    assert.equal((await vouchersOf(rt, replenishmentPo)).length, 1);
  });

  it("answers 404 when a supplier asks for another supplier's purchase order", async () => {
    assert.ok(medlinePo !== '', "runs after Medline's scenario");
    const foreign = await purchaseOrder(rt, cardinal, medlinePo);
    assert.equal(foreign.status, 404);
    assert.ok(!JSON.stringify(foreign.body).includes('SUP-MEDLINE'));
    assert.equal((await purchaseOrder(rt, medline, medlinePo)).status, 200);
    assert.equal((await purchaseOrder(rt, owens, replenishmentPo)).status, 200);
  });

  it('keeps a requisition over the auto-approval limit waiting until an approver decides, then orders it', async () => {
    // 70 BX × 37.20 = 2604 at CC-SCH-ICU, whose contract limit is 2500.
    const raised = await postJson<{ requisitionId: string; status: string; correlationId: string }>(rt, saas, '/v1/requisitions', {
      externalRef: `SAAS-${controlId()}`,
      facilityId: 'FAC-SCH',
      locationId: 'SCH-ICU',
      costCenter: 'CC-SCH-ICU',
      supplierId: 'SUP-OWENS',
      lines: [{ itemId: 'ITM-10002', quantity: 70, uom: 'BX' }],
    });
    assert.equal(raised.status, 201);
    const { requisitionId, correlationId } = raised.body;
    const waiting = await eventually(async () => {
      const r = await getJson<RequisitionView>(rt, saas, `/v1/requisitions/${requisitionId}`);
      assert.equal(r.body.status, 'PENDING_APPROVAL');
      return r.body;
    });
    assert.ok(waiting.totalAmount > 2500);
    await rt.whenIdle();
    assert.equal(hopNamed(await hops(rt, ap, correlationId), 'po-created'), undefined, 'nothing is ordered before the decision');

    const refused = await postJson(rt, saas, `/v1/requisitions/${requisitionId}/decision`, { decision: 'APPROVE', approver: 'saas' });
    assert.equal(refused.status, 403, 'the SaaS tool cannot approve its own requisition');
    const decided = await postJson<{ status: string }>(rt, ap, `/v1/requisitions/${requisitionId}/decision`, { decision: 'APPROVE', approver: 'buyer.morgan' });
    assert.equal(decided.status, 200);

    const poNumber = await poOf(rt, ap, correlationId);
    const ordered = await eventually(async () => {
      const r = await getJson<RequisitionView>(rt, ap, `/v1/requisitions/${requisitionId}`);
      assert.equal(r.body.status, 'ORDERED');
      return r.body;
    });
    assert.equal(ordered.approval?.outcome, 'APPROVED');
    assert.equal(ordered.approval?.by, 'buyer.morgan');
    assert.equal(ordered.poNumber, poNumber);
    const po = await purchaseOrder(rt, ap, poNumber);
    assert.equal(po.body.purchaseOrder.costCenter, 'CC-SCH-ICU');
  });
});

/**
 * Procure-to-pay end to end on the embedded runtime, over HTTP as the partners use it: usage crosses
 * a reorder point → requisition → purchase order in the ERP → 850 to the supplier network → the
 * supplier's 855/856/810 → dock receipt → three-way match → AP voucher → PO closed; a price over
 * tolerance resolved by an AP clerk; X12 samples that never break the EDI endpoint; object-level
 * authorization between suppliers; a requisition that waits for a human approval.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectTruthy } from '../support/expect-narrowing';
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
  approval?: { outcome: string; by: string; onBehalfOf?: string };
  poNumber?: string;
  lines: { contract: boolean }[];
}

const hopNamed = (trail: HopView[], name: string): HopView | undefined => trail.find((h) => h.hop === name);

/** The PO number of a transaction, from its po-created hop. */
const poOf = async (rt: Runtime, token: string, correlationId: string): Promise<string> =>
  eventually(async () => {
    const created = hopNamed(await hops(rt, token, correlationId), 'po-created');
    expectTruthy(created);
    return created.detail?.poNumber as string;
  }, 20_000);

/** The supplier network's documents for one PO, once `type` is among them. */
const documentsFor = async (rt: Runtime, poNumber: string, type: OutboxEntry['documentType']): Promise<OutboxEntry[]> =>
  eventually(async () => {
    const documents = (await supplierOutbox(rt)).filter((d) => d.poNumber === poNumber);
    expect(documents.some((d) => d.documentType === type && d.httpStatus !== undefined)).toBeTruthy();
    return documents;
  }, 20_000);

/** A dock receipt of every line of a PO, as ordered. */
const receiveAll = async (rt: Runtime, dock: string, ap: string, poNumber: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const po = await purchaseOrder(rt, ap, poNumber);
  expect(po.status).toBe(200);
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
  expect(res.ok).toBeTruthy();
};

const closedPo = async (rt: Runtime, ap: string, poNumber: string): Promise<void> => {
  await eventually(async () => {
    const po = await purchaseOrder(rt, ap, poNumber);
    expect(po.body.purchaseOrder.status).toBe('CLOSED');
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

  beforeAll(async () => {
    rt = await startTestRuntime({ supplierScenario: DOCK_FIRST });
    [ehr, dock, ap, saas, medline, cardinal, owens] = await Promise.all(
      ['epic-ehr', 'receiving-dock', 'ap-clerk', 'saas-procurement', 'supplier-medline', 'supplier-cardinal', 'supplier-owens'].map((c) => tokenFor(rt, c)),
    );
  });
  afterAll(async () => {
    await rt?.stop();
  });

  it('takes usage that crosses the reorder point to a received, matched, vouchered and closed purchase order', async () => {
    // ITM-10002 at NMC-OR: par 48, reorder point 12, 1 BX = 12 EA, supplied by Owens & Minor.
    const start = await position(rt, ehr, 'NMC-OR', 'ITM-10002');
    const used = start.onHand - start.reorderPoint + 2;
    const usage = await postHl7(rt, ehr, dftP03({ controlId: controlId(), lines: [{ chargeCode: 'CHG-100002', quantity: used }] }));
    expect(usage.ack).toMatch(/^MSA\|AA\|/m);
    const correlationId = usage.correlationId as string;

    replenishmentPo = await poOf(rt, ehr, correlationId);
    const ordered = await position(rt, ehr, 'NMC-OR', 'ITM-10002');
    expect(ordered.onHand).toBe(start.onHand - used);
    expect(ordered.onOrder > 0).toBeTruthy();

    // Auto-approved: contract lines under CC-NMC-OR's 5000 limit.
    const po = await purchaseOrder(rt, ap, replenishmentPo);
    expect(po.status).toBe(200);
    expect(po.body.purchaseOrder.correlationId).toBe(correlationId);
    expect(po.body.purchaseOrder.supplierId).toBe('SUP-OWENS');
    expect(po.body.purchaseOrder.costCenter).toBe('CC-NMC-OR');
    const requisition = await getJson<RequisitionView>(rt, ap, `/v1/requisitions/${po.body.purchaseOrder.requisitionId}`);
    expect(requisition.status).toBe(200);
    expect(requisition.body.approval?.outcome).toBe('AUTO_APPROVED');
    expect(requisition.body.costCenter).toBe('CC-NMC-OR');
    expect(requisition.body.totalAmount < 5000).toBeTruthy();
    expect(requisition.body.lines.every((l) => l.contract)).toBeTruthy();

    // The ERP simulator holds the PO; the supplier network received its 850.
    const erp = await eventually(async () => {
      const res = await fetch(`${rt.erpUrl}/fscmRestApi/resources/11.13.18.05/purchaseOrders?q=OrderNumber=${replenishmentPo}`);
      const body = (await res.json()) as { count: number; items: { OrderNumber: string; lines: { Quantity: number }[] }[] };
      expect(body.count).toBe(1);
      return body.items[0];
    });
    expect(erp?.OrderNumber).toBe(replenishmentPo);
    const [line] = po.body.purchaseOrder.lines;
    expectTruthy(line);
    const the850 = await eventually(async () => {
      const found = (await supplierInbox(rt)).find((e) => e.poNumber === replenishmentPo);
      expectTruthy(found);
      return found;
    });
    expect(the850.ackCode).toBe('A');
    expect(the850.purpose).toBe('00');
    expect(the850.supplierId).toBe('SUP-OWENS');
    expect(the850.lines.map((l) => ({ lineNumber: l.lineNumber, quantity: l.quantity, uom: l.uom, vn: l.supplierCatalogNumber, uk: l.gtin }))).toStrictEqual([{ lineNumber: line.lineNumber, quantity: line.quantity, uom: line.uom, vn: line.supplierCatalogNumber, uk: line.gtin }]);

    // The supplier's 855 and 856 were accepted (999 IK5 A); the dock receives before the 810 comes.
    const shipped = await documentsFor(rt, replenishmentPo, '856');
    for (const document of shipped) {
      expect(document.httpStatus).toBe(200);
      expect(readAcks(document.response ?? '')).toStrictEqual([{ kind: '999', codes: ['A'] }]);
    }
    const receipt = await receiveAll(rt, dock, ap, replenishmentPo);
    expect(receipt.status).toBe(201);
    const received = await position(rt, ehr, 'NMC-OR', 'ITM-10002');
    const baseUnits = line.quantity * line.uomFactor;
    expect(received.onHand).toBe(ordered.onHand + baseUnits);
    expect(received.onOrder).toBe(ordered.onOrder - baseUnits);

    // The 810 arrives, matches, is vouchered once; the PO closes.
    replenishmentDocuments = await documentsFor(rt, replenishmentPo, '810');
    const invoice = replenishmentDocuments.find((d) => d.documentType === '810');
    expect(readAcks(invoice?.response ?? '')).toStrictEqual([{ kind: '999', codes: ['A'] }]);
    await closedPo(rt, ap, replenishmentPo);
    const vouchers = await vouchersOf(rt, replenishmentPo);
    expect(vouchers.length).toBe(1);
    expect(vouchers[0]?.supplierId).toBe('SUP-OWENS');
    const paid = await getJson<{ invoices: InvoiceView[] }>(rt, ap, '/v1/invoices?status=paid');
    expect(paid.body.invoices.some((i) => i.poNumber === replenishmentPo)).toBeTruthy();

    const trail = await eventually(async () => {
      const h = await hops(rt, ehr, correlationId);
      expect(hopNamed(h, 'po-closed')).toBeTruthy();
      return h;
    });
    for (const hop of END_TO_END_HOPS) {
      expect(hopNamed(trail, hop)).toBeTruthy();
    }
    expect(trail.every((h) => !Number.isNaN(Date.parse(h.at)))).toBeTruthy();
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
    expect(raised.status).toBe(201);
    medlinePo = await poOf(rt, ap, raised.body.correlationId);
    await eventually(async () => expect((await supplierInbox(rt)).some((e) => e.poNumber === medlinePo)).toBeTruthy());
    await setSupplierScenario(rt, DOCK_FIRST);
    await documentsFor(rt, medlinePo, '856');
    expect((await receiveAll(rt, dock, ap, medlinePo)).status).toBe(201);

    const po = await purchaseOrder(rt, medline, medlinePo);
    expect(po.status).toBe(200);
    const invoiceNumber = `INV-${controlId().slice(0, 12)}`;
    const x12 = supplierInvoice810({
      isaId: 'MEDLINE',
      controlNumber: 100_000_000 + Math.floor(Math.random() * 800_000_000),
      invoiceNumber,
      poNumber: medlinePo,
      lines: po.body.purchaseOrder.lines.map((l) => ({ ...l, unitPrice: Math.round(l.unitPrice * 115) / 100 })),
    });
    const answer = await postX12(rt, medline, x12);
    expect(answer.status).toBe(200);
    expect(readAcks(answer.text)).toStrictEqual([{ kind: '999', codes: ['A'] }]);

    const exception = await eventually(async () => {
      const list = await getJson<{ invoices: InvoiceView[] }>(rt, ap, '/v1/invoices?status=exception');
      expect(list.status).toBe(200);
      const found = list.body.invoices.find((i) => i.invoiceNumber === invoiceNumber);
      expectTruthy(found);
      return found;
    });
    expect(exception.reasons.includes('PRICE_VARIANCE')).toBeTruthy();
    const own = await getJson(rt, medline, `/v1/invoices/${encodeURIComponent(exception.invoiceId)}`);
    expect(own.status).toBe(200);
    const foreign = await getJson(rt, cardinal, `/v1/invoices/${encodeURIComponent(exception.invoiceId)}`);
    expect(foreign.status).toBe(404);
    // The problem body may echo the id the caller sent, but nothing of the invoice itself.
    expect(!JSON.stringify(foreign.body).includes(medlinePo)).toBeTruthy();
    expect((foreign.body as { invoiceAmount?: unknown }).invoiceAmount).toBe(undefined);

    // The ledger is down when the clerk accepts: the finance connector's PostApVoucher fails (retried
    // inside the HTTP client, then by the queue) and the voucher is held, not lost and not posted.
    const before = await financeStats(rt);
    await setFinanceFaults(rt, { failNext: 1000, status: 503 });
    const resolution = { action: 'ACCEPT_VARIANCE', clerk: 'ap.jordan' };
    const resolved = await postJson<{ status: string }>(rt, ap, `/v1/invoices/${encodeURIComponent(exception.invoiceId)}/resolution`, resolution);
    expect(resolved.status).toBe(200);
    try {
      // Two receives of the command (3 HTTP attempts each), well before its maxReceiveCount of 5.
      await eventually(async () => expect((await financeStats(rt)).failuresInjected - before.failuresInjected >= 6).toBeTruthy(), 20_000);
      expect(await vouchersOf(rt, medlinePo)).toStrictEqual([]);
      const held = await getJson<InvoiceView>(rt, ap, `/v1/invoices/${encodeURIComponent(exception.invoiceId)}`);
      expect(held.body.status).toBe('MATCHED');
    } finally {
      await setFinanceFaults(rt, { failNext: 0 });
    }
    const vouchers = await eventually(async () => {
      const v = await vouchersOf(rt, medlinePo);
      expect(v.length).toBe(1);
      return v;
    }, 20_000);
    expect(vouchers[0]?.totalAmount).toBe(exception.invoiceAmount);
    await closedPo(rt, ap, medlinePo);

    const again = await postJson(rt, ap, `/v1/invoices/${encodeURIComponent(exception.invoiceId)}/resolution`, resolution);
    expect(again.status === 200 || again.status === 409).toBeTruthy();
    await rt.whenIdle();
    expect((await vouchersOf(rt, medlinePo)).length).toBe(1);
    const after = await financeStats(rt);
    expect(after.vouchersPosted - before.vouchersPosted).toBe(1);
    expect(rt.queues.get('finance-postings-dlq')?.depth()).toBe(0);
  });

  it('answers every X12 sample with a 999, 997 or TA1, never a 5xx', async () => {
    const files = [
      ...(existsSync(SHARED_X12) ? readdirSync(SHARED_X12).map((f) => path.join(SHARED_X12, f)) : []),
      ...readdirSync(OWN_X12).map((f) => path.join(OWN_X12, f)),
    ].filter((f) => f.endsWith('.edi'));
    expect(files.length >= 11).toBeTruthy();
    const answers = new Map<string, ReturnType<typeof readAcks>>();
    for (const file of files) {
      const res = await postX12(rt, medline, readFileSync(file, 'utf8'));
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(/application\/edi-x12/);
      const acks = readAcks(res.text);
      expect(acks.length > 0).toBeTruthy();
      answers.set(path.basename(file), acks);
    }
    // The samples name HEM-PO-000123/124, which are not Medline's POs here: rejected set by set (#12).
    expect(answers.get('medline_855_5010.edi')).toStrictEqual([{ kind: '999', codes: ['R'] }]);
    expect(answers.get('medline_856_4010.edi')).toStrictEqual([{ kind: '997', codes: ['R'] }]);
    expect(answers.get('medline_855_bad_se_count.edi')).toStrictEqual([{ kind: '999', codes: ['R'] }]);
    expect(answers.get('medline_810_bad_iea_control.edi')).toStrictEqual([{ kind: 'TA1', codes: ['R'] }]);
  });

  it('changes nothing when a supplier resends an interchange', async () => {
    expect(replenishmentPo !== '').toBeTruthy();
    const before = await purchaseOrder(rt, ap, replenishmentPo);
    const trailBefore = await hops(rt, ap, before.body.purchaseOrder.correlationId);
    for (const document of replenishmentDocuments) {
      const res = await postX12(rt, owens, document.x12);
      expect(res.status).toBe(200);
      expect(readAcks(res.text)).toStrictEqual([{ kind: '999', codes: ['A'] }]);
    }
    const fixture = readFileSync(path.join(OWN_X12, 'medline_810_5010.edi'), 'utf8');
    const medlineInvoices = async (): Promise<string[]> => {
      const list = await getJson<{ invoices: InvoiceView[] }>(rt, ap, '/v1/invoices?limit=500');
      expect(list.status).toBe(200);
      return list.body.invoices.filter((i) => i.supplierId === 'SUP-MEDLINE').map((i) => `${i.invoiceId}:${i.status}`);
    };
    const first = await postX12(rt, medline, fixture);
    await rt.whenIdle();
    const invoicesBefore = await medlineInvoices();
    expect(invoicesBefore.length > 0).toBeTruthy();
    const second = await postX12(rt, medline, fixture);
    await rt.whenIdle();
    expect(second.text).toBe(first.text);
    expect(await medlineInvoices()).toStrictEqual(invoicesBefore);

    const afterResend = await purchaseOrder(rt, ap, replenishmentPo);
    expect(afterResend.body).toStrictEqual(before.body);
    expect((await hops(rt, ap, before.body.purchaseOrder.correlationId)).length).toBe(trailBefore.length);
    expect((await vouchersOf(rt, replenishmentPo)).length).toBe(1);
  });

  it("answers 404 when a supplier asks for another supplier's purchase order", async () => {
    expect(medlinePo !== '').toBeTruthy();
    const foreign = await purchaseOrder(rt, cardinal, medlinePo);
    expect(foreign.status).toBe(404);
    expect(!JSON.stringify(foreign.body).includes('SUP-MEDLINE')).toBeTruthy();
    expect((await purchaseOrder(rt, medline, medlinePo)).status).toBe(200);
    expect((await purchaseOrder(rt, owens, replenishmentPo)).status).toBe(200);
  });

  it("rejects an 810 a supplier sends on another supplier's PO (IK5 R on BIG04) and stores no invoice on that PO", async () => {
    expect(medlinePo !== '').toBeTruthy();
    const victim = await purchaseOrder(rt, ap, medlinePo);
    expect(victim.status).toBe(200);
    const invoiceNumber = `INV-X-${controlId().slice(0, 10)}`;
    const x12 = supplierInvoice810({
      isaId: 'CARDINAL',
      controlNumber: 100_000_000 + Math.floor(Math.random() * 800_000_000),
      invoiceNumber,
      poNumber: medlinePo,
      lines: victim.body.purchaseOrder.lines,
    });
    const answer = await postX12(rt, cardinal, x12);
    expect(answer.status).toBe(200);
    expect(readAcks(answer.text)).toStrictEqual([{ kind: '999', codes: ['R'] }]);
    expect(answer.text).toContain(`IK4*4*324*7*${medlinePo}`);
    await rt.whenIdle();
    const list = await getJson<{ invoices: InvoiceView[] }>(rt, ap, '/v1/invoices?limit=500');
    expect(list.status).toBe(200);
    expect(list.body.invoices.filter((i) => i.invoiceNumber === invoiceNumber)).toStrictEqual([]);
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
    expect(raised.status).toBe(201);
    const { requisitionId, correlationId } = raised.body;
    const waiting = await eventually(async () => {
      const r = await getJson<RequisitionView>(rt, saas, `/v1/requisitions/${requisitionId}`);
      expect(r.body.status).toBe('PENDING_APPROVAL');
      return r.body;
    });
    expect(waiting.totalAmount > 2500).toBeTruthy();
    await rt.whenIdle();
    expect(hopNamed(await hops(rt, ap, correlationId), 'po-created')).toBe(undefined);

    const refused = await postJson(rt, saas, `/v1/requisitions/${requisitionId}/decision`, { decision: 'APPROVE', approver: 'saas' });
    expect(refused.status).toBe(403);
    const decided = await postJson<{ status: string }>(rt, ap, `/v1/requisitions/${requisitionId}/decision`, { decision: 'APPROVE', approver: 'buyer.morgan' });
    expect(decided.status).toBe(200);

    const poNumber = await poOf(rt, ap, correlationId);
    const ordered = await eventually(async () => {
      const r = await getJson<RequisitionView>(rt, ap, `/v1/requisitions/${requisitionId}`);
      expect(r.body.status).toBe('ORDERED');
      return r.body;
    });
    expect(ordered.approval?.outcome).toBe('APPROVED');
    // #12: the actor is the authenticated client; the approver the body names is only onBehalfOf.
    expect([ordered.approval?.by, ordered.approval?.onBehalfOf]).toStrictEqual(['ap-clerk', 'buyer.morgan']);
    expect(ordered.poNumber).toBe(poNumber);
    const po = await purchaseOrder(rt, ap, poNumber);
    expect(po.body.purchaseOrder.costCenter).toBe('CC-SCH-ICU');
  });
});

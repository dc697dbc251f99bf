import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ERP_RESOURCE_BASE, startErpSimulator } from '../../../local/simulators/erp';
import type { ErpPurchaseOrder, ErpSimulator } from '../../../local/simulators/erp';

interface FusionError {
  title: string;
  status: string;
  'o:errorDetails': { detail: string; 'o:errorCode': string; 'o:errorPath'?: string }[];
}

let counter = 0;
const nextPoNumber = (): string => {
  counter += 1;
  return `PO-NMC-${String(counter).padStart(6, '0')}`;
};

const purchaseOrder = (orderNumber: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  OrderNumber: orderNumber,
  Supplier: 'Medline Industries',
  SupplierSite: 'MEDLINE-MAIN',
  ProcurementBU: 'HEM Health System',
  BuyerEmail: 'supply.chain@hem.example.org',
  lines: [
    { LineNumber: 1, Item: 'ITM-10001', SupplierItem: 'PRM21430', Quantity: 10, UOMCode: 'BX', Price: 4.5 },
    { LineNumber: 2, Item: 'ITM-10003', SupplierItem: 'PRM21431', Quantity: 4, UOMCode: 'BX', Price: 5.5 },
  ],
  ...overrides,
});

const receipt = (orderNumber: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  ReceiptSourceCode: 'VENDOR',
  ReceiptNumber: `RCV-${orderNumber}`,
  OrganizationCode: 'NMC',
  lines: [{ DocumentNumber: orderNumber, DocumentLineNumber: 1, Quantity: 10, UnitOfMeasure: 'BX' }],
  ...overrides,
});

const invoice = (orderNumber: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  InvoiceNumber: `INV-${orderNumber}`,
  InvoiceAmount: 67,
  InvoiceDate: '2026-11-28',
  Supplier: 'Medline Industries',
  PurchaseOrderNumber: orderNumber,
  invoiceLines: [
    { LineNumber: 1, LineAmount: 45, Quantity: 10, UnitPrice: 4.5, UOM: 'BX', PurchaseOrderLineNumber: 1 },
    { LineNumber: 2, LineAmount: 22, Quantity: 4, UnitPrice: 5.5, UOM: 'BX', PurchaseOrderLineNumber: 2 },
  ],
  ...overrides,
});

const post = (
  sim: ErpSimulator,
  resource: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> =>
  fetch(`${sim.url}${ERP_RESOURCE_BASE}/${resource}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });

const keyed = (key: string): Record<string, string> => ({ 'idempotency-key': key });

describe('ERP simulator', () => {
  let sim: ErpSimulator;

  before(async () => {
    sim = await startErpSimulator({ port: 0 });
  });
  after(async () => {
    await sim.stop();
  });
  beforeEach(() => {
    sim.setFaults({});
  });

  it('answers /health on a free loopback port', async () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${sim.url}/health`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'UP');
  });

  it('creates a purchase order: 201 with POHeaderId, the HEM order number, StatusCode OPEN and a Location', async () => {
    const orderNumber = nextPoNumber();
    const res = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), { ...keyed(`po|${orderNumber}`), 'x-correlation-id': 'corr-po-1' });
    assert.equal(res.status, 201);
    const body = (await res.json()) as ErpPurchaseOrder;
    assert.equal(typeof body.POHeaderId, 'number');
    assert.equal(body.OrderNumber, orderNumber);
    assert.equal(body.StatusCode, 'OPEN');
    assert.equal(body.Ordered, 67);
    assert.deepEqual(body.lines.map((l) => l.Amount), [45, 22]);
    assert.equal(res.headers.get('location'), `${ERP_RESOURCE_BASE}/purchaseOrders/${body.POHeaderId}`);
    assert.equal(res.headers.get('x-correlation-id'), 'corr-po-1');

    const fetched = await fetch(`${sim.url}${ERP_RESOURCE_BASE}/purchaseOrders/${body.POHeaderId}`);
    assert.equal(fetched.status, 200);
    assert.equal(((await fetched.json()) as ErpPurchaseOrder).OrderNumber, orderNumber);
    assert.ok(sim.purchaseOrders().some((po) => po.POHeaderId === body.POHeaderId));
  });

  it('returns 200 with the same POHeaderId when the Idempotency-Key repeats, and keeps one order', async () => {
    const orderNumber = nextPoNumber();
    const first = (await (await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`))).json()) as ErpPurchaseOrder;
    const again = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as ErpPurchaseOrder).POHeaderId, first.POHeaderId);
    assert.equal(sim.purchaseOrders().filter((po) => po.OrderNumber === orderNumber).length, 1);
  });

  it('returns 409 when an Idempotency-Key comes back with a different body', async () => {
    const orderNumber = nextPoNumber();
    await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
    const res = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber, { SupplierSite: 'OTHER' }), keyed(`po|${orderNumber}`));
    assert.equal(res.status, 409);
    const body = (await res.json()) as FusionError;
    assert.equal(body.status, '409');
    assert.equal(body['o:errorDetails'][0]?.['o:errorCode'], 'HEMERP-IDEMPOTENCY-KEY-REUSED');
  });

  it('guards the write by the business key: a new key for an existing OrderNumber gets the same order, or 409 if it differs', async () => {
    const orderNumber = nextPoNumber();
    const first = (await (await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`a|${orderNumber}`))).json()) as ErpPurchaseOrder;
    const sameBody = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`b|${orderNumber}`));
    assert.equal(sameBody.status, 200);
    assert.equal(((await sameBody.json()) as ErpPurchaseOrder).POHeaderId, first.POHeaderId);
    const otherBody = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber, { BuyerEmail: 'someone.else@hem.example.org' }), keyed(`c|${orderNumber}`));
    assert.equal(otherBody.status, 409);
    assert.equal(((await otherBody.json()) as FusionError)['o:errorDetails'][0]?.['o:errorCode'], 'HEMERP-DUPLICATE');
    assert.equal(sim.purchaseOrders().filter((po) => po.OrderNumber === orderNumber).length, 1);
  });

  it('returns 400 when the Idempotency-Key header is missing', async () => {
    const res = await post(sim, 'purchaseOrders', purchaseOrder(nextPoNumber()));
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as FusionError)['o:errorDetails'][0]?.['o:errorCode'], 'HEMERP-IDEMPOTENCY-KEY-REQUIRED');
  });

  it('returns 400 in Fusion error JSON naming the attribute when the body breaks the schema', async () => {
    const orderNumber = nextPoNumber();
    const body = purchaseOrder(orderNumber, { Supplier: undefined, Colour: 'blue' });
    const res = await post(sim, 'purchaseOrders', body, keyed(`po|${orderNumber}`));
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/vnd.oracle.adf.error+json');
    const error = (await res.json()) as FusionError;
    assert.equal(error.title, 'Bad Request');
    assert.equal(error.status, '400');
    const paths = error['o:errorDetails'].map((d) => d['o:errorPath']);
    assert.ok(paths.includes('Supplier'), JSON.stringify(error));
    assert.ok(error['o:errorDetails'].some((d) => d.detail.includes('Colour')), JSON.stringify(error));
  });

  it('returns 400 for a line with a negative price or a repeated line number', async () => {
    const orderNumber = nextPoNumber();
    const res = await post(
      sim,
      'purchaseOrders',
      purchaseOrder(orderNumber, {
        lines: [
          { LineNumber: 1, Item: 'ITM-10001', Quantity: 1, UOMCode: 'BX', Price: -1 },
          { LineNumber: 1, Item: 'ITM-10003', Quantity: 1, UOMCode: 'BX', Price: 1 },
        ],
      }),
      keyed(`po|${orderNumber}`),
    );
    assert.equal(res.status, 400);
    const paths = ((await res.json()) as FusionError)['o:errorDetails'].map((d) => d['o:errorPath']);
    assert.ok(paths.includes('lines.0.Price'), paths.join());
    assert.ok(paths.includes('lines.1.LineNumber'), paths.join());
  });

  it('returns 400 for invalid JSON and 404 for an unknown purchase order id', async () => {
    const bad = await post(sim, 'purchaseOrders', '{not json', keyed('bad-json'));
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as FusionError)['o:errorDetails'][0]?.['o:errorCode'], 'HEMERP-INVALID-JSON');
    const missing = await fetch(`${sim.url}${ERP_RESOURCE_BASE}/purchaseOrders/1`);
    assert.equal(missing.status, 404);
  });

  it('finds purchase orders with a Fusion q finder on OrderNumber', async () => {
    const orderNumber = nextPoNumber();
    await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
    const res = await fetch(`${sim.url}${ERP_RESOURCE_BASE}/purchaseOrders?q=${encodeURIComponent(`OrderNumber=${orderNumber}`)}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { items: ErpPurchaseOrder[]; count: number; hasMore: boolean };
    assert.equal(body.count, 1);
    assert.equal(body.items[0]?.OrderNumber, orderNumber);
    assert.equal(body.hasMore, false);
  });

  describe('receipts', () => {
    it('creates a receipt request: 201 with HeaderInterfaceId and ProcessingStatusCode SUCCESS, and counts the PO line received', async () => {
      const orderNumber = nextPoNumber();
      await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      const res = await post(sim, 'receivingReceiptRequests', receipt(orderNumber), keyed(`rcv|${orderNumber}`));
      assert.equal(res.status, 201);
      const body = (await res.json()) as { HeaderInterfaceId: number; ProcessingStatusCode: string };
      assert.equal(typeof body.HeaderInterfaceId, 'number');
      assert.equal(body.ProcessingStatusCode, 'SUCCESS');
      const replay = await post(sim, 'receivingReceiptRequests', receipt(orderNumber), keyed(`rcv|${orderNumber}`));
      assert.equal(replay.status, 200);
      assert.equal(((await replay.json()) as { HeaderInterfaceId: number }).HeaderInterfaceId, body.HeaderInterfaceId);
      const po = sim.purchaseOrders().find((p) => p.OrderNumber === orderNumber);
      assert.equal(po?.lines[0]?.QuantityReceived, 10);
      assert.equal(sim.receipts().filter((r) => r.ReceiptNumber === `RCV-${orderNumber}`).length, 1);
    });

    it('returns 400 for a receipt against an unknown PO, an unknown line or another unit of measure, and books nothing', async () => {
      const orderNumber = nextPoNumber();
      await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      const before = sim.receipts().length;
      const cases: [Record<string, unknown>, string][] = [
        [receipt('PO-NOPE'), 'HEMERP-UNKNOWN-PO'],
        [receipt(orderNumber, { lines: [{ DocumentNumber: orderNumber, DocumentLineNumber: 9, Quantity: 1, UnitOfMeasure: 'BX' }] }), 'HEMERP-UNKNOWN-PO-LINE'],
        [receipt(orderNumber, { lines: [{ DocumentNumber: orderNumber, DocumentLineNumber: 1, Quantity: 100, UnitOfMeasure: 'EA' }] }), 'HEMERP-UOM-MISMATCH'],
        [receipt(orderNumber, { ReceiptSourceCode: 'CUSTOMER' }), 'HEMERP-VALIDATION'],
      ];
      for (const [index, [body, code]] of cases.entries()) {
        const res = await post(sim, 'receivingReceiptRequests', body, keyed(`bad-rcv-${orderNumber}-${index}`));
        assert.equal(res.status, 400, code);
        assert.equal(((await res.json()) as FusionError)['o:errorDetails'][0]?.['o:errorCode'], code);
      }
      assert.equal(sim.receipts().length, before);
      assert.equal(sim.purchaseOrders().find((p) => p.OrderNumber === orderNumber)?.lines[0]?.QuantityReceived, 0);
    });
  });

  describe('invoices', () => {
    it('creates an AP invoice: 201 with InvoiceId and ValidationStatus Validated, and bills the PO lines', async () => {
      const orderNumber = nextPoNumber();
      await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      const res = await post(sim, 'invoices', invoice(orderNumber), keyed(`inv|${orderNumber}`));
      assert.equal(res.status, 201);
      const body = (await res.json()) as { InvoiceId: number; ValidationStatus: string; InvoiceNumber: string };
      assert.equal(typeof body.InvoiceId, 'number');
      assert.equal(body.ValidationStatus, 'Validated');
      assert.equal(body.InvoiceNumber, `INV-${orderNumber}`);
      const po = sim.purchaseOrders().find((p) => p.OrderNumber === orderNumber);
      assert.deepEqual(po?.lines.map((l) => l.QuantityBilled), [10, 4]);
    });

    it('treats supplier + invoice number as the business key: a new key with the same invoice returns it, a different one is 409', async () => {
      const orderNumber = nextPoNumber();
      await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      const first = (await (await post(sim, 'invoices', invoice(orderNumber), keyed(`inv-a|${orderNumber}`))).json()) as { InvoiceId: number };
      const same = await post(sim, 'invoices', invoice(orderNumber), keyed(`inv-b|${orderNumber}`));
      assert.equal(same.status, 200);
      assert.equal(((await same.json()) as { InvoiceId: number }).InvoiceId, first.InvoiceId);
      const changed = await post(sim, 'invoices', invoice(orderNumber, { InvoiceDate: '2026-11-29' }), keyed(`inv-c|${orderNumber}`));
      assert.equal(changed.status, 409);
      assert.equal(sim.invoices().filter((i) => i.InvoiceNumber === `INV-${orderNumber}`).length, 1);
      assert.deepEqual(sim.purchaseOrders().find((p) => p.OrderNumber === orderNumber)?.lines.map((l) => l.QuantityBilled), [10, 4]);
    });

    it('returns 400 when the lines do not add up to InvoiceAmount or the supplier is not the PO supplier', async () => {
      const orderNumber = nextPoNumber();
      await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      const wrongTotal = await post(sim, 'invoices', invoice(orderNumber, { InvoiceAmount: 70 }), keyed(`inv-total|${orderNumber}`));
      assert.equal(wrongTotal.status, 400);
      assert.equal(((await wrongTotal.json()) as FusionError)['o:errorDetails'][0]?.['o:errorCode'], 'HEMERP-INVOICE-AMOUNT');
      const wrongSupplier = await post(sim, 'invoices', invoice(orderNumber, { Supplier: 'Cardinal Health' }), keyed(`inv-sup|${orderNumber}`));
      assert.equal(wrongSupplier.status, 400);
      assert.equal(((await wrongSupplier.json()) as FusionError)['o:errorDetails'][0]?.['o:errorCode'], 'HEMERP-SUPPLIER-MISMATCH');
    });
  });

  describe('fault injection', () => {
    it('fails the next N posts with the configured status set through POST /_faults, then recovers', async () => {
      const set = await fetch(`${sim.url}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 2, status: 503 }) });
      assert.equal(set.status, 200);
      const orderNumber = nextPoNumber();
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        statuses.push((await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`))).status);
      }
      assert.deepEqual(statuses, [503, 503, 201]);
      assert.equal(sim.purchaseOrders().filter((po) => po.OrderNumber === orderNumber).length, 1);
    });

    it('sends Retry-After with an injected 429', async () => {
      sim.setFaults({ failNext: 1, status: 429 });
      const res = await post(sim, 'purchaseOrders', purchaseOrder(nextPoNumber()), keyed(`po-429-${counter}`));
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '1');
    });

    it('commits a timed-out post and returns the same POHeaderId to the retry with the same key', async () => {
      sim.setFaults({ timeoutNext: 1 });
      const orderNumber = nextPoNumber();
      await assert.rejects(post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`), AbortSignal.timeout(300)));
      const committed = sim.purchaseOrders().find((po) => po.OrderNumber === orderNumber);
      assert.ok(committed, 'the timed-out post was written');
      const retry = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      assert.equal(retry.status, 200);
      assert.equal(((await retry.json()) as ErpPurchaseOrder).POHeaderId, committed.POHeaderId);
    });

    it('delays posts by latencyMs while set', async () => {
      sim.setFaults({ latencyMs: 150 });
      const orderNumber = nextPoNumber();
      const started = Date.now();
      const res = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      assert.equal(res.status, 201);
      assert.ok(Date.now() - started >= 140, `took ${Date.now() - started} ms`);
    });

    it('limits faults to the listed resources', async () => {
      sim.setFaults({ failNext: 1, resources: ['invoices'] });
      const orderNumber = nextPoNumber();
      assert.equal((await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`))).status, 201);
      assert.equal((await post(sim, 'invoices', invoice(orderNumber), keyed(`inv|${orderNumber}`))).status, 503);
      assert.equal((await post(sim, 'invoices', invoice(orderNumber), keyed(`inv|${orderNumber}`))).status, 201);
    });

    it('returns 400 for an unknown fault setting', async () => {
      const res = await fetch(`${sim.url}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ explode: true }) });
      assert.equal(res.status, 400);
      assert.deepEqual(sim.faults(), {});
    });
  });
});

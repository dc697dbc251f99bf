import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ERP_RESOURCE_BASE, startErpSimulator } from '../../../local/simulators/erp';
import type { ErpPurchaseOrder, ErpSimulator } from '../../../local/simulators/erp';
import { expectTruthy } from '../../support/expect-narrowing';

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

  beforeAll(async () => {
    sim = await startErpSimulator({ port: 0 });
  });
  afterAll(async () => {
    await sim.stop();
  });
  beforeEach(() => {
    sim.setFaults({});
  });

  it('answers /health on a free loopback port', async () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${sim.url}/health`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('UP');
  });

  it('creates a purchase order: 201 with POHeaderId, the HEM order number, StatusCode OPEN and a Location', async () => {
    const orderNumber = nextPoNumber();
    const res = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), { ...keyed(`po|${orderNumber}`), 'x-correlation-id': 'corr-po-1' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as ErpPurchaseOrder;
    expect(typeof body.POHeaderId).toBe('number');
    expect(body.OrderNumber).toBe(orderNumber);
    expect(body.StatusCode).toBe('OPEN');
    expect(body.Ordered).toBe(67);
    expect(body.lines.map((l) => l.Amount)).toStrictEqual([45, 22]);
    expect(res.headers.get('location')).toBe(`${ERP_RESOURCE_BASE}/purchaseOrders/${body.POHeaderId}`);
    expect(res.headers.get('x-correlation-id')).toBe('corr-po-1');

    const fetched = await fetch(`${sim.url}${ERP_RESOURCE_BASE}/purchaseOrders/${body.POHeaderId}`);
    expect(fetched.status).toBe(200);
    expect(((await fetched.json()) as ErpPurchaseOrder).OrderNumber).toBe(orderNumber);
    expect(sim.purchaseOrders().some((po) => po.POHeaderId === body.POHeaderId)).toBeTruthy();
  });

  it('returns 200 with the same POHeaderId when the Idempotency-Key repeats, and keeps one order', async () => {
    const orderNumber = nextPoNumber();
    const first = (await (await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`))).json()) as ErpPurchaseOrder;
    const again = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
    expect(again.status).toBe(200);
    expect(((await again.json()) as ErpPurchaseOrder).POHeaderId).toBe(first.POHeaderId);
    expect(sim.purchaseOrders().filter((po) => po.OrderNumber === orderNumber).length).toBe(1);
  });

  it('returns 409 when an Idempotency-Key comes back with a different body', async () => {
    const orderNumber = nextPoNumber();
    await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
    const res = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber, { SupplierSite: 'OTHER' }), keyed(`po|${orderNumber}`));
    expect(res.status).toBe(409);
    const body = (await res.json()) as FusionError;
    expect(body.status).toBe('409');
    expect(body['o:errorDetails'][0]?.['o:errorCode']).toBe('HEMERP-IDEMPOTENCY-KEY-REUSED');
  });

  it('guards the write by the business key: a new key for an existing OrderNumber gets the same order, or 409 if it differs', async () => {
    const orderNumber = nextPoNumber();
    const first = (await (await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`a|${orderNumber}`))).json()) as ErpPurchaseOrder;
    const sameBody = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`b|${orderNumber}`));
    expect(sameBody.status).toBe(200);
    expect(((await sameBody.json()) as ErpPurchaseOrder).POHeaderId).toBe(first.POHeaderId);
    const otherBody = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber, { BuyerEmail: 'someone.else@hem.example.org' }), keyed(`c|${orderNumber}`));
    expect(otherBody.status).toBe(409);
    expect(((await otherBody.json()) as FusionError)['o:errorDetails'][0]?.['o:errorCode']).toBe('HEMERP-DUPLICATE');
    expect(sim.purchaseOrders().filter((po) => po.OrderNumber === orderNumber).length).toBe(1);
  });

  it('returns 400 when the Idempotency-Key header is missing', async () => {
    const res = await post(sim, 'purchaseOrders', purchaseOrder(nextPoNumber()));
    expect(res.status).toBe(400);
    expect(((await res.json()) as FusionError)['o:errorDetails'][0]?.['o:errorCode']).toBe('HEMERP-IDEMPOTENCY-KEY-REQUIRED');
  });

  it('returns 400 in Fusion error JSON naming the attribute when the body breaks the schema', async () => {
    const orderNumber = nextPoNumber();
    const body = purchaseOrder(orderNumber, { Supplier: undefined, Colour: 'blue' });
    const res = await post(sim, 'purchaseOrders', body, keyed(`po|${orderNumber}`));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/vnd.oracle.adf.error+json');
    const error = (await res.json()) as FusionError;
    expect(error.title).toBe('Bad Request');
    expect(error.status).toBe('400');
    const paths = error['o:errorDetails'].map((d) => d['o:errorPath']);
    expect(paths.includes('Supplier')).toBeTruthy();
    expect(error['o:errorDetails'].some((d) => d.detail.includes('Colour'))).toBeTruthy();
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
    expect(res.status).toBe(400);
    const paths = ((await res.json()) as FusionError)['o:errorDetails'].map((d) => d['o:errorPath']);
    expect(paths.includes('lines.0.Price')).toBeTruthy();
    expect(paths.includes('lines.1.LineNumber')).toBeTruthy();
  });

  it('returns 400 for invalid JSON and 404 for an unknown purchase order id', async () => {
    const bad = await post(sim, 'purchaseOrders', '{not json', keyed('bad-json'));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as FusionError)['o:errorDetails'][0]?.['o:errorCode']).toBe('HEMERP-INVALID-JSON');
    const missing = await fetch(`${sim.url}${ERP_RESOURCE_BASE}/purchaseOrders/1`);
    expect(missing.status).toBe(404);
  });

  it('finds purchase orders with a Fusion q finder on OrderNumber', async () => {
    const orderNumber = nextPoNumber();
    await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
    const res = await fetch(`${sim.url}${ERP_RESOURCE_BASE}/purchaseOrders?q=${encodeURIComponent(`OrderNumber=${orderNumber}`)}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: ErpPurchaseOrder[]; count: number; hasMore: boolean };
    expect(body.count).toBe(1);
    expect(body.items[0]?.OrderNumber).toBe(orderNumber);
    expect(body.hasMore).toBe(false);
  });

  describe('receipts', () => {
    it('creates a receipt request: 201 with HeaderInterfaceId and ProcessingStatusCode SUCCESS, and counts the PO line received', async () => {
      const orderNumber = nextPoNumber();
      await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      const res = await post(sim, 'receivingReceiptRequests', receipt(orderNumber), keyed(`rcv|${orderNumber}`));
      expect(res.status).toBe(201);
      const body = (await res.json()) as { HeaderInterfaceId: number; ProcessingStatusCode: string };
      expect(typeof body.HeaderInterfaceId).toBe('number');
      expect(body.ProcessingStatusCode).toBe('SUCCESS');
      const replay = await post(sim, 'receivingReceiptRequests', receipt(orderNumber), keyed(`rcv|${orderNumber}`));
      expect(replay.status).toBe(200);
      expect(((await replay.json()) as { HeaderInterfaceId: number }).HeaderInterfaceId).toBe(body.HeaderInterfaceId);
      const po = sim.purchaseOrders().find((p) => p.OrderNumber === orderNumber);
      expect(po?.lines[0]?.QuantityReceived).toBe(10);
      expect(sim.receipts().filter((r) => r.ReceiptNumber === `RCV-${orderNumber}`).length).toBe(1);
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
        expect(res.status).toBe(400);
        expect(((await res.json()) as FusionError)['o:errorDetails'][0]?.['o:errorCode']).toBe(code);
      }
      expect(sim.receipts().length).toBe(before);
      expect(sim.purchaseOrders().find((p) => p.OrderNumber === orderNumber)?.lines[0]?.QuantityReceived).toBe(0);
    });
  });

  describe('invoices', () => {
    it('creates an AP invoice: 201 with InvoiceId and ValidationStatus Validated, and bills the PO lines', async () => {
      const orderNumber = nextPoNumber();
      await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      const res = await post(sim, 'invoices', invoice(orderNumber), keyed(`inv|${orderNumber}`));
      expect(res.status).toBe(201);
      const body = (await res.json()) as { InvoiceId: number; ValidationStatus: string; InvoiceNumber: string };
      expect(typeof body.InvoiceId).toBe('number');
      expect(body.ValidationStatus).toBe('Validated');
      expect(body.InvoiceNumber).toBe(`INV-${orderNumber}`);
      const po = sim.purchaseOrders().find((p) => p.OrderNumber === orderNumber);
      expect(po?.lines.map((l) => l.QuantityBilled)).toStrictEqual([10, 4]);
    });

    it('treats supplier + invoice number as the business key: a new key with the same invoice returns it, a different one is 409', async () => {
      const orderNumber = nextPoNumber();
      await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      const first = (await (await post(sim, 'invoices', invoice(orderNumber), keyed(`inv-a|${orderNumber}`))).json()) as { InvoiceId: number };
      const same = await post(sim, 'invoices', invoice(orderNumber), keyed(`inv-b|${orderNumber}`));
      expect(same.status).toBe(200);
      expect(((await same.json()) as { InvoiceId: number }).InvoiceId).toBe(first.InvoiceId);
      const changed = await post(sim, 'invoices', invoice(orderNumber, { InvoiceDate: '2026-11-29' }), keyed(`inv-c|${orderNumber}`));
      expect(changed.status).toBe(409);
      expect(sim.invoices().filter((i) => i.InvoiceNumber === `INV-${orderNumber}`).length).toBe(1);
      expect(sim.purchaseOrders().find((p) => p.OrderNumber === orderNumber)?.lines.map((l) => l.QuantityBilled)).toStrictEqual([10, 4]);
    });

    it('returns 400 when the lines do not add up to InvoiceAmount or the supplier is not the PO supplier', async () => {
      const orderNumber = nextPoNumber();
      await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      const wrongTotal = await post(sim, 'invoices', invoice(orderNumber, { InvoiceAmount: 70 }), keyed(`inv-total|${orderNumber}`));
      expect(wrongTotal.status).toBe(400);
      expect(((await wrongTotal.json()) as FusionError)['o:errorDetails'][0]?.['o:errorCode']).toBe('HEMERP-INVOICE-AMOUNT');
      const wrongSupplier = await post(sim, 'invoices', invoice(orderNumber, { Supplier: 'Cardinal Health' }), keyed(`inv-sup|${orderNumber}`));
      expect(wrongSupplier.status).toBe(400);
      expect(((await wrongSupplier.json()) as FusionError)['o:errorDetails'][0]?.['o:errorCode']).toBe('HEMERP-SUPPLIER-MISMATCH');
    });
  });

  describe('fault injection', () => {
    it('fails the next N posts with the configured status set through POST /_faults, then recovers', async () => {
      const set = await fetch(`${sim.url}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 2, status: 503 }) });
      expect(set.status).toBe(200);
      const orderNumber = nextPoNumber();
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        statuses.push((await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`))).status);
      }
      expect(statuses).toStrictEqual([503, 503, 201]);
      expect(sim.purchaseOrders().filter((po) => po.OrderNumber === orderNumber).length).toBe(1);
    });

    it('sends Retry-After with an injected 429', async () => {
      sim.setFaults({ failNext: 1, status: 429 });
      const res = await post(sim, 'purchaseOrders', purchaseOrder(nextPoNumber()), keyed(`po-429-${counter}`));
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
    });

    it('commits a timed-out post and returns the same POHeaderId to the retry with the same key', async () => {
      sim.setFaults({ timeoutNext: 1 });
      const orderNumber = nextPoNumber();
      await expect(post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`), AbortSignal.timeout(300))).rejects.toThrow();
      const committed = sim.purchaseOrders().find((po) => po.OrderNumber === orderNumber);
      expectTruthy(committed);
      const retry = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      expect(retry.status).toBe(200);
      expect(((await retry.json()) as ErpPurchaseOrder).POHeaderId).toBe(committed.POHeaderId);
    });

    it('delays posts by latencyMs while set', async () => {
      sim.setFaults({ latencyMs: 150 });
      const orderNumber = nextPoNumber();
      const started = Date.now();
      const res = await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`));
      expect(res.status).toBe(201);
      expect(Date.now() - started >= 140).toBeTruthy();
    });

    it('limits faults to the listed resources', async () => {
      sim.setFaults({ failNext: 1, resources: ['invoices'] });
      const orderNumber = nextPoNumber();
      expect((await post(sim, 'purchaseOrders', purchaseOrder(orderNumber), keyed(`po|${orderNumber}`))).status).toBe(201);
      expect((await post(sim, 'invoices', invoice(orderNumber), keyed(`inv|${orderNumber}`))).status).toBe(503);
      expect((await post(sim, 'invoices', invoice(orderNumber), keyed(`inv|${orderNumber}`))).status).toBe(201);
    });

    it('returns 400 for an unknown fault setting', async () => {
      const res = await fetch(`${sim.url}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ explode: true }) });
      expect(res.status).toBe(400);
      expect(sim.faults()).toStrictEqual({});
    });
  });
});

/**
 * Goods receipts confirmed from the 856, end to end on the embedded runtime over HTTP:
 * (a) the receiving dock confirms a ship notice (`POST /v1/receipts` with `shipmentId`, no lines):
 *     stock rises by exactly what shipped, the PO is partially received, GoodsReceived is in the
 *     transaction, and resending the confirmation changes nothing;
 * (b) Cardinal Health is seeded to receive on ship notice (evaluated receipt): its 856 alone records
 *     the receipt, and the PO goes on to its invoice without the dock.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectTruthy } from '../support/expect-narrowing';
import type { Scenario } from '../../local/simulators/supplier-network';
import {
  controlId,
  eventually,
  hops,
  position,
  postJson,
  purchaseOrder,
  setSupplierScenario,
  startTestRuntime,
  tokenFor,
  type HopView,
  type PurchaseOrderView,
  type Runtime,
} from './support';

/** 855 and 856s within milliseconds (× the runtime's time scale 0.02). */
const FAST: Scenario = { delaysMs: { ack: 100, asn: 100, invoice: 100 } };

/** What the ship notices left on the PO view (`GET /v1/purchase-orders/{poNumber}`). */
type ShippedPoView = Omit<PurchaseOrderView, 'purchaseOrder' | 'receipts'> & {
  purchaseOrder: PurchaseOrderView['purchaseOrder'] & {
    shipNoticeIds?: string[];
    shipments?: { shipmentId: string; lines: { poLineNumber: number; quantity: number; uom: string; baseQuantity: number }[] }[];
  };
  receipts: { receiptId: string; source: string; shipmentId?: string }[];
};

interface ReceiptAnswer {
  receiptId: string;
  poStatus: string;
  correlationId: string;
  source: string;
  shipmentId?: string;
  duplicate?: boolean;
  stock: { baseQuantity: number; onHand: number }[];
}

describe('goods receipts confirmed from the 856 on the local runtime', () => {
  let rt: Runtime;
  let ehr: string;
  let dock: string;
  let ap: string;
  let saas: string;

  beforeAll(async () => {
    rt = await startTestRuntime({ supplierScenario: FAST });
    [ehr, dock, ap, saas] = await Promise.all(['epic-ehr', 'receiving-dock', 'ap-clerk', 'saas-procurement'].map((c) => tokenFor(rt, c)));
  });
  afterAll(async () => {
    await rt?.stop();
  });

  /** Raises a SaaS requisition and answers its PO number and transaction once the PO exists. */
  const order = async (request: { facilityId: string; locationId: string; costCenter: string; supplierId: string; lines: { itemId: string; quantity: number; uom: string }[] }): Promise<{ poNumber: string; correlationId: string }> => {
    const raised = await postJson<{ correlationId: string }>(rt, saas, '/v1/requisitions', { externalRef: `SAAS-${controlId()}`, ...request });
    expect(raised.status).toBe(201);
    const { correlationId } = raised.body;
    const poNumber = await eventually(async () => {
      const created = (await hops(rt, ap, correlationId)).find((h) => h.hop === 'po-created');
      expectTruthy(created);
      return created.detail?.poNumber as string;
    }, 20_000);
    return { poNumber, correlationId };
  };

  const poView = async (poNumber: string): Promise<ShippedPoView> => {
    const res = await purchaseOrder(rt, ap, poNumber);
    expect(res.status).toBe(200);
    return res.body as ShippedPoView;
  };

  it('(a) receives what a confirmed ship notice shipped, once, however often the dock confirms it', async () => {
    // Medline foam dressings, 2 BX shipped in two 856s of 1 BX; no invoice, so nothing else moves the PO.
    await setSupplierScenario(rt, { ...FAST, partialShipment: { fraction: 0.5 }, sendInvoice: false });
    const { poNumber, correlationId } = await order({
      facilityId: 'FAC-NMC',
      locationId: 'NMC-OR',
      costCenter: 'CC-NMC-OR',
      supplierId: 'SUP-MEDLINE',
      lines: [{ itemId: 'ITM-10150', quantity: 2, uom: 'BX' }],
    });
    const shipped = await eventually(async () => {
      const po = await poView(poNumber);
      expect(po.purchaseOrder.shipments?.length).toBe(2);
      return po;
    }, 20_000);
    const [first] = shipped.purchaseOrder.shipments ?? [];
    expectTruthy(first);
    const shippedBase = first.lines.reduce((t, l) => t + l.baseQuantity, 0);
    expect(shippedBase > 0).toBeTruthy();
    const before = await position(rt, ehr, 'NMC-OR', 'ITM-10150');

    const confirmation = { receiptId: `RCV-${controlId()}`, poNumber, shipmentId: first.shipmentId };
    const received = await postJson<ReceiptAnswer>(rt, dock, '/v1/receipts', confirmation);
    expect(received.status).toBe(201);
    expect([received.body.poStatus, received.body.source, received.body.shipmentId, received.body.correlationId]).toStrictEqual(['PARTIALLY_RECEIVED', 'ASN', first.shipmentId, correlationId]);
    const after = await position(rt, ehr, 'NMC-OR', 'ITM-10150');
    expect(after.onHand).toBe(before.onHand + shippedBase);

    const trail = await hops(rt, ap, correlationId);
    const goods = trail.filter((h: HopView) => h.hop === 'goods-received');
    expect(goods.map((h) => [h.status, h.detail?.source, h.detail?.shipmentId])).toStrictEqual([['ok', 'ASN', first.shipmentId]]);

    // The dock's scanner sends it again: the same receipt answers, nothing moves.
    const again = await postJson<ReceiptAnswer>(rt, dock, '/v1/receipts', confirmation);
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    // Another receipt number for the same shipment is refused, naming the receipt that has it.
    const other = await postJson<{ detail: string }>(rt, dock, '/v1/receipts', { ...confirmation, receiptId: `RCV-${controlId()}` });
    expect(other.status).toBe(409);
    expect(other.body.detail).toMatch(new RegExp(confirmation.receiptId));
    // A shipment the PO never took is not found.
    expect((await postJson(rt, dock, '/v1/receipts', { poNumber, shipmentId: 'ASN-NOT-SHIPPED' })).status).toBe(404);

    await rt.whenIdle();
    expect((await position(rt, ehr, 'NMC-OR', 'ITM-10150')).onHand).toBe(after.onHand);
    const po = await poView(poNumber);
    expect(po.purchaseOrder.status).toBe('PARTIALLY_RECEIVED');
    expect(po.receipts.map((r) => [r.receiptId, r.source, r.shipmentId])).toStrictEqual([[confirmation.receiptId, 'ASN', first.shipmentId]]);
  });

  it('(b) records the receipt from the 856 alone for a supplier that receives on ship notice', async () => {
    // Cardinal Health (seeded receiveOnShipNotice): diagnostic catheters for the cath lab; the 810
    // comes 5 s after the 856 (250 s × the time scale), as it would a day later.
    await setSupplierScenario(rt, { delaysMs: { ack: 100, asn: 100, invoice: 250_000 } });
    const start = await position(rt, ehr, 'NMC-CATH', 'ITM-10121');
    const { poNumber, correlationId } = await order({
      facilityId: 'FAC-NMC',
      locationId: 'NMC-CATH',
      costCenter: 'CC-NMC-CATH',
      supplierId: 'SUP-CARDINAL',
      lines: [{ itemId: 'ITM-10121', quantity: 2, uom: 'BX' }],
    });
    // The goods-received hop comes once the stock moved and GoodsReceived was published.
    await eventually(async () => expect((await hops(rt, ap, correlationId)).some((h) => h.hop === 'goods-received')).toBeTruthy(), 20_000);
    const received = await poView(poNumber);
    const [shipment] = received.purchaseOrder.shipments ?? [];
    expectTruthy(shipment);
    expect(received.receipts.map((r) => [r.receiptId, r.source, r.shipmentId])).toStrictEqual([[`ASN:SUP-CARDINAL:${shipment.shipmentId}`, 'ASN', shipment.shipmentId]]);
    const [line] = received.purchaseOrder.lines;
    expectTruthy(line);
    const stocked = await position(rt, ehr, 'NMC-CATH', 'ITM-10121');
    expect(stocked.onHand).toBe(start.onHand + line.quantity * line.uomFactor);

    const trail = await hops(rt, ap, correlationId);
    const names = trail.map((h) => h.hop);
    expect(names.indexOf('shipment-notified') < names.indexOf('goods-received')).toBeTruthy();
    const goods = trail.find((h) => h.hop === 'goods-received');
    expect([goods?.status, goods?.detail?.source]).toStrictEqual(['ok', 'ASN']);

    // The dock confirming the shipment anyway gets the receipt HEM recorded (before the invoice closes the PO).
    const confirmed = await postJson<ReceiptAnswer>(rt, dock, '/v1/receipts', { poNumber, shipmentId: shipment.shipmentId });
    expect(confirmed.status).toBe(200);
    expect([confirmed.body.receiptId, confirmed.body.duplicate]).toStrictEqual([`ASN:SUP-CARDINAL:${shipment.shipmentId}`, true]);
    expect((await position(rt, ehr, 'NMC-CATH', 'ITM-10121')).onHand).toBe(stocked.onHand);

    // The PO moved on to its invoice without the dock: the 810 matches against the ASN receipt.
    await eventually(async () => {
      const po = await poView(poNumber);
      expect(po.invoiceCases.some((c) => c.status === 'MATCHED' || c.status === 'PAID')).toBeTruthy();
    }, 30_000);
  });
});

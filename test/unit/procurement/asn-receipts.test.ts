/**
 * Receipts confirmed from an 856 on the in-memory fakes: the dock confirming a ship notice
 * (`confirmShipNotice`) and HEM receiving a trusted supplier's 856 itself (evaluated receipt, through
 * `applySupplierDocument`). Both go through `recordReceipt`: stock once, GoodsReceived, the ERP
 * receipt, the RECEIPT wait.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_CATALOG } from '../../../contracts/events';
import { ConflictError, InfrastructureError, NotFoundError } from '../../../functions/domain/errors';
import {
  confirmShipNotice,
  receiptLineBusinessKey,
  receiveAtDock,
  SHIP_NOTICE_RECEIVER,
} from '../../../functions/domain/use-cases/procurement/receipts';
import { applySupplierDocument } from '../../../functions/domain/use-cases/procurement/supplier-documents';
import { glovesShipNotice, receiveMedlineOnShipNotice, shipGloves, shipNoticeInput } from './asn-receipt-fixtures';
import { CORRELATION_ID, dockReceipt, PO_NUMBER, receiptInvoiceFakes, type ReceiptInvoiceFakes } from './receipt-invoice-fixtures';

const DOCK = { actor: 'dock-nmc', causationId: 'req-1' };
const ASN_RECEIPT_ID = 'ASN:SUP-MEDLINE:SHP-1';

const gloves = async (deps: ReceiptInvoiceFakes): Promise<{ onHand: number; onOrder: number }> => {
  const position = await deps.inventory.getPosition('NMC-CATH', 'ITM-10003');
  assert.ok(position);
  return { onHand: position.onHand, onOrder: position.onOrder };
};

describe('confirmShipNotice (the dock confirms an 856)', () => {
  it('receives exactly what the shipment shipped: stock, GoodsReceived from the ASN, ERP receipt, the RECEIPT wait', async () => {
    const deps = receiptInvoiceFakes();
    await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 8, uom: 'BX' }, { quantity: 40, uom: 'EA' }]));
    await deps.waits.register(PO_NUMBER, 'RECEIPT', 'token-po');

    const recorded = await confirmShipNotice(deps, { receiptId: 'RCV-77', poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK);
    assert.equal(recorded.created, true);
    assert.equal(recorded.poStatus, 'PARTIALLY_RECEIVED');
    assert.deepEqual(
      [recorded.receipt.source, recorded.receipt.shipmentId, recorded.receipt.lines],
      ['ASN', 'SHP-1', [{ poLineNumber: 1, quantity: 8, uom: 'BX' }, { poLineNumber: 1, quantity: 40, uom: 'EA' }]],
    );
    assert.deepEqual(await gloves(deps), { onHand: 250 + 120, onOrder: 200 - 120 });
    const [goods] = deps.events.ofType('GoodsReceived');
    EVENT_CATALOG.GoodsReceived.schema.parse(goods?.detail);
    assert.deepEqual([goods?.detail.source, goods?.detail.correlationId], ['ASN', CORRELATION_ID]);
    assert.deepEqual(deps.erpCommands.sent, [{ command: 'CreateReceipt', receiptId: 'RCV-77', poNumber: PO_NUMBER, correlationId: CORRELATION_ID }]);
    assert.deepEqual(deps.workflows.succeeded.map((s) => s.taskToken), ['token-po']);
    const hop = deps.transactions.hops.find((h) => h.hop === 'goods-received');
    assert.deepEqual([hop?.status, hop?.detail?.source, hop?.detail?.shipmentId], ['ok', 'ASN', 'SHP-1']);
  });

  it('changes nothing when the same confirmation is sent again', async () => {
    const deps = receiptInvoiceFakes();
    await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 5, uom: 'BX' }]));
    await confirmShipNotice(deps, { receiptId: 'RCV-77', poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK);
    const again = await confirmShipNotice(deps, { receiptId: 'RCV-77', poNumber: PO_NUMBER, shipmentId: 'SHP-1', receivedAt: '2025-03-20T10:00:00.000Z' }, DOCK);
    assert.equal(again.created, false);
    assert.deepEqual(await gloves(deps), { onHand: 300, onOrder: 150 });
    const movements = await deps.inventory.listMovements('NMC-CATH', 'ITM-10003', 10);
    assert.deepEqual(movements.map((m) => [m.businessKey, m.delta]), [[receiptLineBusinessKey('RCV-77', 1), 50]]);
    assert.equal((await deps.procurement.getPurchaseOrder(PO_NUMBER))?.lines[0]?.receivedBaseQuantity, 50);
  });

  it("uses the shipment's own receipt id when the dock gives none, so a second confirmation is the same receipt", async () => {
    const deps = receiptInvoiceFakes();
    await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 5, uom: 'BX' }]));
    const first = await confirmShipNotice(deps, { poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK);
    const second = await confirmShipNotice(deps, { poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, { actor: 'dock-other', causationId: 'req-2' });
    assert.deepEqual([first.receipt.receiptId, first.created], [ASN_RECEIPT_ID, true]);
    assert.deepEqual([second.receipt.receiptId, second.created], [ASN_RECEIPT_ID, false]);
    assert.equal((await gloves(deps)).onHand, 300);
  });

  it('refuses another receipt id for a shipment already received, naming the receipt that has it', async () => {
    const deps = receiptInvoiceFakes();
    await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 5, uom: 'BX' }]));
    await confirmShipNotice(deps, { receiptId: 'RCV-77', poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK);
    await assert.rejects(confirmShipNotice(deps, { receiptId: 'RCV-78', poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK), (e: unknown) => {
      assert.ok(e instanceof ConflictError);
      assert.match(e.message, /received as receipt RCV-77/);
      return true;
    });
    assert.deepEqual([...deps.procurement.receipts.keys()], ['RCV-77']);
    assert.equal((await gloves(deps)).onHand, 300);
  });

  it('receives a shipment once when two receipt ids race for it', async () => {
    const deps = receiptInvoiceFakes();
    await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 5, uom: 'BX' }]));
    const save = deps.procurement.savePurchaseOrder.bind(deps.procurement);
    let raced = false;
    // RCV-A read the PO; RCV-B confirms the same shipment before RCV-A's save lands.
    deps.procurement.savePurchaseOrder = async (po, version) => {
      if (!raced && po.receiptIds?.includes('RCV-A') === true) {
        raced = true;
        await confirmShipNotice(deps, { receiptId: 'RCV-B', poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK);
      }
      return save(po, version);
    };
    await assert.rejects(confirmShipNotice(deps, { receiptId: 'RCV-A', poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK), /received as receipt RCV-B/);
    assert.equal(raced, true);
    assert.deepEqual((await deps.procurement.getPurchaseOrder(PO_NUMBER))?.receiptIds, ['RCV-B']);
    assert.equal((await gloves(deps)).onHand, 300);
  });

  it('answers not found for a shipment the PO did not take, or an unknown PO', async () => {
    const deps = receiptInvoiceFakes();
    await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 5, uom: 'BX' }]));
    await assert.rejects(confirmShipNotice(deps, { poNumber: PO_NUMBER, shipmentId: 'SHP-404' }, DOCK), NotFoundError);
    await assert.rejects(confirmShipNotice(deps, { poNumber: 'PO-NMC-99999999', shipmentId: 'SHP-1' }, DOCK), NotFoundError);
    assert.equal(deps.procurement.receipts.size, 0);
  });
});

describe('receive on ship notice (evaluated receipt)', () => {
  it("records the receipt of a configured supplier's 856 itself, after ShipmentNotified, so the PO waits for its invoice", async () => {
    const deps = receiptInvoiceFakes();
    receiveMedlineOnShipNotice(deps);
    await deps.waits.register(PO_NUMBER, 'RECEIPT', 'token-po');
    const outcome = await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 20, uom: 'BX' }]));

    assert.deepEqual(outcome, {
      status: 'APPLIED',
      kind: 'ShipNotice',
      correlationId: CORRELATION_ID,
      poNumber: PO_NUMBER,
      poStatus: 'RECEIVED',
      resumedWorkflow: false,
      receiptId: ASN_RECEIPT_ID,
    });
    assert.deepEqual(await gloves(deps), { onHand: 450, onOrder: 0 });
    assert.deepEqual(deps.transactions.hopNames(CORRELATION_ID), ['shipment-notified', 'goods-received']);
    assert.deepEqual(deps.audit.actions(), ['ShipmentNotified', 'GoodsReceived']);
    assert.equal(deps.audit.records.at(-1)?.actor, SHIP_NOTICE_RECEIVER);
    assert.deepEqual(deps.erpCommands.sent.map((c) => c.command === 'CreateReceipt' && c.receiptId), [ASN_RECEIPT_ID]);
    assert.deepEqual(deps.workflows.succeeded.map((s) => s.taskToken), ['token-po']);
    assert.deepEqual(deps.waits.arrived(PO_NUMBER, 'ASN_856'), { poNumber: PO_NUMBER, status: 'SHIPPED', shipmentId: 'SHP-1' });
  });

  it('never receives twice: a resent 856 is a duplicate, and one resent after a failed first attempt finishes the receipt once', async () => {
    const deps = receiptInvoiceFakes();
    receiveMedlineOnShipNotice(deps);
    const asn = glovesShipNotice('SHP-1', [{ quantity: 6, uom: 'BX' }]);
    deps.erpCommands.failNext(new InfrastructureError('ErpCommands unavailable'));
    await assert.rejects(shipGloves(deps, asn), InfrastructureError);
    const retried = await applySupplierDocument(deps, shipNoticeInput(asn));
    assert.equal(retried.status === 'APPLIED' && retried.receiptId, ASN_RECEIPT_ID);
    assert.equal((await shipGloves(deps, asn)).status, 'DUPLICATE');

    assert.deepEqual(await gloves(deps), { onHand: 310, onOrder: 140 });
    assert.equal((await deps.inventory.listMovements('NMC-CATH', 'ITM-10003', 10)).length, 1);
    assert.deepEqual((await deps.procurement.getPurchaseOrder(PO_NUMBER))?.receiptIds, [ASN_RECEIPT_ID]);
    assert.deepEqual(deps.erpCommands.sent.map((c) => c.command), ['CreateReceipt']);
  });

  it('keeps the 856 applied and records why when the PO refuses the receipt (the dock counted the goods first)', async () => {
    const deps = receiptInvoiceFakes();
    receiveMedlineOnShipNotice(deps);
    await receiveAtDock(deps, dockReceipt('RCV-DOCK', [{ quantity: 20, uom: 'BX' }]), DOCK);
    const outcome = await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 20, uom: 'BX' }]));

    assert.equal(outcome.status, 'APPLIED');
    assert.equal(outcome.status === 'APPLIED' ? outcome.receiptId : 'n/a', undefined);
    assert.deepEqual(await gloves(deps), { onHand: 450, onOrder: 0 });
    const refused = deps.transactions.hops.filter((h) => h.hop === 'goods-received').at(-1);
    assert.deepEqual([refused?.status, refused?.detail?.shipmentId, refused?.detail?.code], ['error', 'SHP-1', 'CONFLICT']);
    assert.equal(deps.audit.actions().at(-1), 'ShipNoticeReceiptRefused');
    assert.deepEqual((await deps.procurement.getPurchaseOrder(PO_NUMBER))?.shipNoticeIds, ['SHP-1']);
  });

  it('leaves the receipt to the dock for a supplier not configured for it', async () => {
    const deps = receiptInvoiceFakes();
    const outcome = await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 20, uom: 'BX' }]));
    assert.equal(outcome.status === 'APPLIED' ? outcome.poStatus : outcome.status, 'SHIPPED');
    assert.equal(deps.procurement.receipts.size, 0);
    assert.deepEqual(await gloves(deps), { onHand: 250, onOrder: 200 });
  });
});

/**
 * Receipts confirmed from an 856 on the in-memory fakes: the dock confirming a ship notice
 * (`confirmShipNotice`) and HEM receiving a trusted supplier's 856 itself (evaluated receipt, through
 * `applySupplierDocument`). Both go through `recordReceipt`: stock once, GoodsReceived, the ERP
 * receipt, the RECEIPT wait.
 */
import { describe, expect, it } from '@jest/globals';
import { EVENT_CATALOG } from '../../../contracts/events';
import { ConflictError, InfrastructureError, NotFoundError } from '../../../functions/domain/errors';
import {
  confirmShipNotice,
  receiptLineBusinessKey,
  receiveAtDock,
  SHIP_NOTICE_RECEIVER,
} from '../../../functions/domain/use-cases/procurement/receipts';
import { applySupplierDocument } from '../../../functions/domain/use-cases/procurement/supplier-documents';
import { expectTruthy } from '../../support/expect-narrowing';
import { glovesShipNotice, receiveMedlineOnShipNotice, shipGloves, shipNoticeInput } from './asn-receipt-fixtures';
import { CORRELATION_ID, dockReceipt, PO_NUMBER, receiptInvoiceFakes, type ReceiptInvoiceFakes } from './receipt-invoice-fixtures';

const DOCK = { actor: 'dock-nmc', causationId: 'req-1' };
const ASN_RECEIPT_ID = 'ASN:SUP-MEDLINE:SHP-1';

const gloves = async (deps: ReceiptInvoiceFakes): Promise<{ onHand: number; onOrder: number }> => {
  const position = await deps.inventory.getPosition('NMC-CATH', 'ITM-10003');
  expectTruthy(position);
  return { onHand: position.onHand, onOrder: position.onOrder };
};

describe('confirmShipNotice (the dock confirms an 856)', () => {
  it('receives exactly what the shipment shipped: stock, GoodsReceived from the ASN, ERP receipt, the RECEIPT wait', async () => {
    const deps = receiptInvoiceFakes();
    await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 8, uom: 'BX' }, { quantity: 40, uom: 'EA' }]));
    await deps.waits.register(PO_NUMBER, 'RECEIPT', 'token-po');

    const recorded = await confirmShipNotice(deps, { receiptId: 'RCV-77', poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK);
    expect(recorded.created).toBe(true);
    expect(recorded.poStatus).toBe('PARTIALLY_RECEIVED');
    expect([recorded.receipt.source, recorded.receipt.shipmentId, recorded.receipt.lines]).toStrictEqual(['ASN', 'SHP-1', [{ poLineNumber: 1, quantity: 8, uom: 'BX' }, { poLineNumber: 1, quantity: 40, uom: 'EA' }]]);
    expect(await gloves(deps)).toStrictEqual({ onHand: 250 + 120, onOrder: 200 - 120 });
    const [goods] = deps.events.ofType('GoodsReceived');
    EVENT_CATALOG.GoodsReceived.schema.parse(goods?.detail);
    expect([goods?.detail.source, goods?.detail.correlationId]).toStrictEqual(['ASN', CORRELATION_ID]);
    expect(deps.erpCommands.sent).toStrictEqual([{ command: 'CreateReceipt', receiptId: 'RCV-77', poNumber: PO_NUMBER, correlationId: CORRELATION_ID }]);
    expect(deps.workflows.succeeded.map((s) => s.taskToken)).toStrictEqual(['token-po']);
    const hop = deps.transactions.hops.find((h) => h.hop === 'goods-received');
    expect([hop?.status, hop?.detail?.source, hop?.detail?.shipmentId]).toStrictEqual(['ok', 'ASN', 'SHP-1']);
  });

  it('changes nothing when the same confirmation is sent again', async () => {
    const deps = receiptInvoiceFakes();
    await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 5, uom: 'BX' }]));
    await confirmShipNotice(deps, { receiptId: 'RCV-77', poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK);
    const again = await confirmShipNotice(deps, { receiptId: 'RCV-77', poNumber: PO_NUMBER, shipmentId: 'SHP-1', receivedAt: '2025-03-20T10:00:00.000Z' }, DOCK);
    expect(again.created).toBe(false);
    expect(await gloves(deps)).toStrictEqual({ onHand: 300, onOrder: 150 });
    const movements = await deps.inventory.listMovements('NMC-CATH', 'ITM-10003', 10);
    expect(movements.map((m) => [m.businessKey, m.delta])).toStrictEqual([[receiptLineBusinessKey('RCV-77', 1), 50]]);
    expect((await deps.procurement.getPurchaseOrder(PO_NUMBER))?.lines[0]?.receivedBaseQuantity).toBe(50);
  });

  it("uses the shipment's own receipt id when the dock gives none, so a second confirmation is the same receipt", async () => {
    const deps = receiptInvoiceFakes();
    await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 5, uom: 'BX' }]));
    const first = await confirmShipNotice(deps, { poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK);
    const second = await confirmShipNotice(deps, { poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, { actor: 'dock-other', causationId: 'req-2' });
    expect([first.receipt.receiptId, first.created]).toStrictEqual([ASN_RECEIPT_ID, true]);
    expect([second.receipt.receiptId, second.created]).toStrictEqual([ASN_RECEIPT_ID, false]);
    expect((await gloves(deps)).onHand).toBe(300);
  });

  it('refuses another receipt id for a shipment already received, naming the receipt that has it', async () => {
    const deps = receiptInvoiceFakes();
    await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 5, uom: 'BX' }]));
    await confirmShipNotice(deps, { receiptId: 'RCV-77', poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK);
    const refused = confirmShipNotice(deps, { receiptId: 'RCV-78', poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK);
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toThrow(/received as receipt RCV-77/);
    expect([...deps.procurement.receipts.keys()]).toStrictEqual(['RCV-77']);
    expect((await gloves(deps)).onHand).toBe(300);
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
    await expect(confirmShipNotice(deps, { receiptId: 'RCV-A', poNumber: PO_NUMBER, shipmentId: 'SHP-1' }, DOCK)).rejects.toThrow(/received as receipt RCV-B/);
    expect(raced).toBe(true);
    expect((await deps.procurement.getPurchaseOrder(PO_NUMBER))?.receiptIds).toStrictEqual(['RCV-B']);
    expect((await gloves(deps)).onHand).toBe(300);
  });

  it('answers not found for a shipment the PO did not take, or an unknown PO', async () => {
    const deps = receiptInvoiceFakes();
    await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 5, uom: 'BX' }]));
    await expect(confirmShipNotice(deps, { poNumber: PO_NUMBER, shipmentId: 'SHP-404' }, DOCK)).rejects.toThrow(NotFoundError);
    await expect(confirmShipNotice(deps, { poNumber: 'PO-NMC-99999999', shipmentId: 'SHP-1' }, DOCK)).rejects.toThrow(NotFoundError);
    expect(deps.procurement.receipts.size).toBe(0);
  });
});

describe('receive on ship notice (evaluated receipt)', () => {
  it("records the receipt of a configured supplier's 856 itself, after ShipmentNotified, so the PO waits for its invoice", async () => {
    const deps = receiptInvoiceFakes();
    receiveMedlineOnShipNotice(deps);
    await deps.waits.register(PO_NUMBER, 'RECEIPT', 'token-po');
    const outcome = await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 20, uom: 'BX' }]));

    expect(outcome).toStrictEqual({
      status: 'APPLIED',
      kind: 'ShipNotice',
      correlationId: CORRELATION_ID,
      poNumber: PO_NUMBER,
      poStatus: 'RECEIVED',
      resumedWorkflow: false,
      receiptId: ASN_RECEIPT_ID,
    });
    expect(await gloves(deps)).toStrictEqual({ onHand: 450, onOrder: 0 });
    expect(deps.transactions.hopNames(CORRELATION_ID)).toStrictEqual(['shipment-notified', 'goods-received']);
    expect(deps.audit.actions()).toStrictEqual(['ShipmentNotified', 'GoodsReceived']);
    expect(deps.audit.records.at(-1)?.actor).toBe(SHIP_NOTICE_RECEIVER);
    expect(deps.erpCommands.sent.map((c) => c.command === 'CreateReceipt' && c.receiptId)).toStrictEqual([ASN_RECEIPT_ID]);
    expect(deps.workflows.succeeded.map((s) => s.taskToken)).toStrictEqual(['token-po']);
    expect(deps.waits.arrived(PO_NUMBER, 'ASN_856')).toStrictEqual({ poNumber: PO_NUMBER, status: 'SHIPPED', shipmentId: 'SHP-1' });
  });

  it('never receives twice: a resent 856 is a duplicate, and one resent after a failed first attempt finishes the receipt once', async () => {
    const deps = receiptInvoiceFakes();
    receiveMedlineOnShipNotice(deps);
    const asn = glovesShipNotice('SHP-1', [{ quantity: 6, uom: 'BX' }]);
    deps.erpCommands.failNext(new InfrastructureError('ErpCommands unavailable'));
    await expect(shipGloves(deps, asn)).rejects.toThrow(InfrastructureError);
    const retried = await applySupplierDocument(deps, shipNoticeInput(asn));
    expect(retried.status === 'APPLIED' && retried.receiptId).toBe(ASN_RECEIPT_ID);
    expect((await shipGloves(deps, asn)).status).toBe('DUPLICATE');

    expect(await gloves(deps)).toStrictEqual({ onHand: 310, onOrder: 140 });
    expect((await deps.inventory.listMovements('NMC-CATH', 'ITM-10003', 10)).length).toBe(1);
    expect((await deps.procurement.getPurchaseOrder(PO_NUMBER))?.receiptIds).toStrictEqual([ASN_RECEIPT_ID]);
    expect(deps.erpCommands.sent.map((c) => c.command)).toStrictEqual(['CreateReceipt']);
  });

  it('keeps the 856 applied and records why when the PO refuses the receipt (the dock counted the goods first)', async () => {
    const deps = receiptInvoiceFakes();
    receiveMedlineOnShipNotice(deps);
    await receiveAtDock(deps, dockReceipt('RCV-DOCK', [{ quantity: 20, uom: 'BX' }]), DOCK);
    const outcome = await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 20, uom: 'BX' }]));

    expect(outcome.status).toBe('APPLIED');
    expect(outcome.status === 'APPLIED' ? outcome.receiptId : 'n/a').toBe(undefined);
    expect(await gloves(deps)).toStrictEqual({ onHand: 450, onOrder: 0 });
    const refused = deps.transactions.hops.filter((h) => h.hop === 'goods-received').at(-1);
    expect([refused?.status, refused?.detail?.shipmentId, refused?.detail?.code]).toStrictEqual(['error', 'SHP-1', 'CONFLICT']);
    expect(deps.audit.actions().at(-1)).toBe('ShipNoticeReceiptRefused');
    expect((await deps.procurement.getPurchaseOrder(PO_NUMBER))?.shipNoticeIds).toStrictEqual(['SHP-1']);
  });

  it('leaves the receipt to the dock for a supplier not configured for it', async () => {
    const deps = receiptInvoiceFakes();
    const outcome = await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 20, uom: 'BX' }]));
    expect(outcome.status === 'APPLIED' ? outcome.poStatus : outcome.status).toBe('SHIPPED');
    expect(deps.procurement.receipts.size).toBe(0);
    expect(await gloves(deps)).toStrictEqual({ onHand: 250, onOrder: 200 });
  });
});

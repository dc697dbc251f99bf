/**
 * Issue #11, phantom on order: on order raised by a replenishment must come down when its goods will
 * never arrive (requisition rejected, 855 rejection, backorder cancelled, PO closed short), and only a
 * receipt of that replenishment's own PO lowers it. Otherwise `onHand + onOrder` stays above the
 * reorder point and the par location never reorders again. Real use cases on the in-memory fakes.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ReplenishmentRequested } from '../../../../../contracts/events';
import type { PoAcknowledgment } from '../../../../../contracts/procurement';
import { invoiceCaseIdFor } from '../../../../../functions/domain/procurement/invoice-case';
import { applyUsageLine } from '../../../../../functions/domain/use-cases/apply-usage-line';
import { matchInvoice } from '../../../../../functions/domain/use-cases/procurement/invoices';
import { receiveAtDock } from '../../../../../functions/domain/use-cases/procurement/receipts';
import { decideRequisition, startRequisitionFromReplenishment } from '../../../../../functions/domain/use-cases/procurement/requisitions';
import { applySupplierDocument, type SupplierDocumentInput } from '../../../../../functions/domain/use-cases/procurement/supplier-documents';
import { closePurchaseOrder } from '../../../../../functions/domain/use-cases/procurement/workflow';
import { mappedUsageLine } from '../../../fakes';
import { procurementFakeDependencies } from '../../../procurement-fakes';
import {
  PO_NUMBER,
  dockReceipt,
  glovesInvoice,
  glovesPurchaseOrder,
  glovesRequisition,
  issuedGlovesFakes,
  type ReceiptInvoiceFakes,
} from '../../../procurement/receipt-invoice-fixtures';
import { expectTruthy } from '../../../../support/expect-narrowing';

let deps: ReceiptInvoiceFakes;

/** The gloves PO as sent to Medline, before its 855: 20 BX = 200 EA on order at NMC-CATH (par 400, reorder point 100, 250 on hand). */
beforeEach(() => {
  // The gloves PO (20 BX at 12.00 = 1.20/EA) as sent to Medline, before its 855.
  deps = issuedGlovesFakes();
});

const gloves = async (d: ReceiptInvoiceFakes = deps): Promise<{ onHand: number; onOrder: number }> => {
  const position = await d.inventory.getPosition('NMC-CATH', 'ITM-10003');
  expectTruthy(position);
  return { onHand: position.onHand, onOrder: position.onOrder };
};

const releases = (d: ReceiptInvoiceFakes = deps, locationItem = 'NMC-CATH|ITM-10003') =>
  (d.inventory.movements.get(locationItem) ?? []).filter((m) => m.reason === 'ON_ORDER_RELEASED');

const control = (n: number): PoAcknowledgment['control'] => ({
  interchange: String(n).padStart(9, '0'),
  group: String(n),
  transactionSet: '0001',
  version: '005010',
  senderId: 'MEDLINE',
  receiverId: 'HEMHOSPITAL',
});

const acknowledge = (n: number, ack: Omit<PoAcknowledgment, 'poNumber' | 'supplierId' | 'acknowledgedAt' | 'control'>): ReturnType<typeof applySupplierDocument> => {
  const document: PoAcknowledgment = { poNumber: PO_NUMBER, supplierId: 'SUP-MEDLINE', acknowledgedAt: '2025-03-11', control: control(n), ...ack };
  const input: SupplierDocumentInput = {
    supplierId: 'SUP-MEDLINE',
    control: control(n),
    businessKey: `SUP-MEDLINE|${PO_NUMBER}|855|${n}`,
    doc: { kind: 'PoAcknowledgment', document },
    requestCorrelationId: 'corr-request-1',
    causationId: `req-${n}`,
    actor: 'supplier-medline',
  };
  return applySupplierDocument(deps, input);
};

/** Gloves used in the cath lab (a usage line through the real apply step). */
const useGloves = (d: ReceiptInvoiceFakes, quantity: number, id: string) =>
  applyUsageLine(
    d,
    mappedUsageLine({ businessKey: `EPIC|NMC|${id}|1`, messageControlId: id, locationId: 'NMC-CATH', costCenter: 'CC-NMC-CATH', itemId: 'ITM-10003', baseQuantity: quantity }),
  );

const close = () => closePurchaseOrder(deps, { poNumber: PO_NUMBER, remindWhenOpen: false, eventBusName: 'hem-test' });

describe('issue #11 regression: phantom on order after an 855 rejection', () => {
  it('gives back the whole PO on order when the supplier rejects the PO, so the cath lab reorders again', async () => {
    const outcome = await acknowledge(855, { ackType: 'RJ', lines: [] });
    expect(outcome).toMatchObject({ status: 'APPLIED', poStatus: 'REJECTED' });
    expect(await gloves()).toStrictEqual({ onHand: 250, onOrder: 0 });
    expect(releases().map((m) => [m.businessKey, m.onOrderDelta, m.delta])).toStrictEqual([[`release|${PO_NUMBER}|1`, -200, 0]]);
    expect(deps.audit.records.map((r) => r.action)).toContain('inventory.onOrderReleased');
    expect(deps.events.ofType('InventoryPositionChanged').map((e) => e.detail.reason)).toStrictEqual(['ON_ORDER_RELEASED']);

    // 150 used: 100 on hand is at the reorder point; the phantom 200 would have hidden it.
    const used = await useGloves(deps, 150, 'MSG-R1');
    expect(used.outcome.replenishment?.detail.quantity).toBe(300);
  });

  it('gives back a line the supplier rejects (IR)', async () => {
    await acknowledge(855, { ackType: 'AC', lines: [{ lineNumber: 1, status: 'REJECTED', statusCode: 'IR', quantity: 20, uom: 'BX' }] });
    expect(await gloves()).toStrictEqual({ onHand: 250, onOrder: 0 });
  });

  it('releases once: a second rejection and the close of the rejected PO give back nothing more', async () => {
    await acknowledge(855, { ackType: 'RJ', lines: [] });
    // Another replenishment of gloves put 60 more on order meanwhile; it must stay on order.
    const position = deps.inventory.positions.get('NMC-CATH|ITM-10003');
    expectTruthy(position);
    deps.inventory.positions.set('NMC-CATH|ITM-10003', { ...position, onOrder: 60 });

    await acknowledge(856, { ackType: 'RD', lines: [] });
    const closing = await close();
    expect(closing.closed).toBe(true);
    expect(await close()).toMatchObject({ closed: true });
    expect(await gloves()).toStrictEqual({ onHand: 250, onOrder: 60 });
    expect(releases()).toHaveLength(1);
  });
});

describe('issue #11 regression: phantom on order after a cancelled backorder', () => {
  it('keeps a backorder on order, gives it back when the supplier cancels it, and the receipt and close take the rest exactly', async () => {
    await acknowledge(855, {
      ackType: 'AC',
      lines: [
        { lineNumber: 1, status: 'ACCEPTED', statusCode: 'IA', quantity: 12, uom: 'BX' },
        { lineNumber: 1, status: 'BACKORDERED', statusCode: 'IB', quantity: 8, uom: 'BX' },
      ],
    });
    expect(await gloves()).toStrictEqual({ onHand: 250, onOrder: 200 });

    // The backorder is cancelled: only the 12 BX accepted will come.
    await acknowledge(857, { ackType: 'AC', lines: [{ lineNumber: 1, status: 'CHANGED', statusCode: 'IQ', quantity: 12, uom: 'BX' }] });
    expect(await gloves()).toStrictEqual({ onHand: 250, onOrder: 120 });

    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 12, uom: 'BX' }]), { actor: 'dock-nmc', causationId: 'req-r1' });
    expect(await gloves()).toStrictEqual({ onHand: 370, onOrder: 0 });
    expect(releases().map((m) => [m.businessKey, m.onOrderDelta])).toStrictEqual([[`release|${PO_NUMBER}|1`, -80]]);
  });
});

describe('issue #11 regression: phantom on order after a PO closed short', () => {
  it('gives back what a PO saved short before the fix never delivered when it closes, once', async () => {
    // The 855 changed the line to 15 BX before releases existed: 200 EA stayed on order.
    const issued = glovesPurchaseOrder({ status: 'ACKNOWLEDGED' });
    deps.procurement.purchaseOrders.set(PO_NUMBER, { po: { ...issued, lines: issued.lines.map((l) => ({ ...l, expectedQuantity: 15, status: 'CHANGED' as const })) }, version: 1 });
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 15, uom: 'BX' }]), { actor: 'dock-nmc', causationId: 'req-r1' });
    expect(await gloves()).toStrictEqual({ onHand: 400, onOrder: 50 });

    const invoice = glovesInvoice('INV-7001', [{ quantity: 15, uom: 'BX', unitPrice: 12 }]);
    await applySupplierDocument(deps, {
      supplierId: 'SUP-MEDLINE',
      control: invoice.control ?? control(810),
      businessKey: 'SUP-MEDLINE|INV-7001',
      doc: { kind: 'Invoice', document: invoice },
      requestCorrelationId: 'corr-request-2',
      causationId: 'req-i1',
      actor: 'supplier-medline',
    });
    const matched = await matchInvoice(deps, { caseId: invoiceCaseIdFor(invoice), eventBusName: 'hem-test' });
    expect(matched.status).toBe('MATCHED');

    const closing = await close();
    expect(closing.closed).toBe(true);
    expect(closing.entries.map((e) => e.DetailType)).toStrictEqual(['PurchaseOrderClosed', 'InventoryPositionChanged']);
    expect(await gloves()).toStrictEqual({ onHand: 400, onOrder: 0 });

    // The workflow retries the task: the closed PO releases nothing twice.
    await close();
    expect(releases().map((m) => [m.businessKey, m.onOrderDelta])).toStrictEqual([[`release|${PO_NUMBER}|1`, -50]]);
  });
});

describe('issue #11 regression: a receipt lowers only its own replenishment PO\'s on order', () => {
  it('leaves another replenishment\'s on order alone when a SaaS requisition\'s PO is received', async () => {
    deps.procurement.requisitions.set('REQ-GLOVES-1', glovesRequisition({ source: 'SAAS', externalRef: 'coupa-4711' }));
    const recorded = await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 12, uom: 'BX' }]), { actor: 'dock-nmc', causationId: 'req-r1' });
    expect(recorded.stock.map((s) => [s.onHand, s.onOrder])).toStrictEqual([[370, 200]]);
  });
});

describe('issue #11 regression: phantom on order after a rejected requisition', () => {
  it('gives back what the replenishment put on order when the approver rejects it, once, so the par location reorders again', async () => {
    const fakes = procurementFakeDependencies();
    const gauze = (id: string, quantity: number) => applyUsageLine(fakes, mappedUsageLine({ businessKey: `EPIC|NMC|${id}|1`, messageControlId: id, baseQuantity: quantity }));
    const first = await gauze('MSG-1', 25);
    const replenishment = first.outcome.replenishment;
    expectTruthy(replenishment);
    const started = await startRequisitionFromReplenishment(fakes, replenishment.detail as ReplenishmentRequested, 'evt-replenishment-1');
    expect((await fakes.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onOrder).toBe(70);

    const decision = { decision: 'REJECT' as const, approver: 'mgr-or' };
    await decideRequisition(fakes, started.requisition.requisitionId, decision, { correlationId: 'req-d1', actor: 'approver-app' });
    await decideRequisition(fakes, started.requisition.requisitionId, decision, { correlationId: 'req-d2', actor: 'approver-app' });
    const position = await fakes.inventory.getPosition('NMC-OR', 'ITM-10001');
    expect([position?.onHand, position?.onOrder]).toStrictEqual([35, 0]);
    expect(releases(fakes, 'NMC-OR|ITM-10001').map((m) => [m.businessKey, m.onOrderDelta])).toStrictEqual([
      [`release|${started.requisition.requisitionId}|1`, -70],
    ]);

    // The next usage finds 34 on hand and nothing on order: it reorders.
    const next = await gauze('MSG-2', 1);
    expect(next.outcome.replenishment?.detail.quantity).toBe(70);
  });
});

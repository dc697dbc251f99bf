import { describe, expect, it } from '@jest/globals';
import { EVENT_CATALOG, type BusEvent } from '../../../contracts/events';
import { ConflictError, DataError } from '../../../functions/domain/errors';
import { apVoucherFromMatch } from '../../../functions/domain/procurement/ap-voucher';
import { applyDecision } from '../../../functions/domain/procurement/approval';
import {
  acknowledgmentPriceChangeAlert,
  apVoucherPosted,
  escalationAlertFor,
  goodsReceived,
  invoiceExceptionRaised,
  invoiceMatched,
  invoiceReceived,
  overdueAlertFor,
  procurementAlertRaised,
  purchaseOrderAcknowledged,
  purchaseOrderClosed,
  purchaseOrderIssued,
  requisitionApproved,
  requisitionCreated,
  requisitionRejected,
  shipmentNotified,
} from '../../../functions/domain/procurement/events';
import { openInvoiceCase, recordMatch, resolveException } from '../../../functions/domain/procurement/invoice-case';
import { threeWayMatch } from '../../../functions/domain/procurement/match';
import {
  acknowledgePurchaseOrder,
  applyAcknowledgment,
  applyReceipt,
  applyShipNotice,
  closePurchaseOrder,
} from '../../../functions/domain/procurement/purchase-order';
import { NOW, TODAY, control, conversions, invoice, pendingRequisition, receipt, standardLines, standardPo, tolerances } from './fixtures';

const input = { correlationId: 'corr-p2p-1', causationId: 'evt-1', occurredAt: NOW.toISOString() };
const pending = pendingRequisition(standardLines());
const approved = applyDecision(pending, { decision: 'APPROVE', approver: 'mgr.okafor', comment: 'fine' }, 'approver-app', NOW).requisition;
const rejected = applyDecision(pending, { decision: 'REJECT', approver: 'mgr.okafor', comment: 'not this month' }, 'approver-app', NOW).requisition;
const po = standardPo();
const ack = {
  poNumber: po.poNumber,
  supplierId: po.supplierId,
  ackType: 'AC',
  acknowledgedAt: TODAY,
  lines: [{ lineNumber: 2, status: 'BACKORDERED' as const, statusCode: 'IB', quantity: 4, uom: 'BX', scheduledDate: '2025-04-02' }],
  control: control(11),
};
const acknowledged = applyAcknowledgment(po, ack);
const asn = {
  shipmentId: 'SHP-1',
  poNumber: po.poNumber,
  supplierId: po.supplierId,
  shippedAt: '2025-03-15',
  lines: [{ poLineNumber: 1, quantityShipped: 6, uom: 'BX' }],
  control: control(12),
};
const shipped = applyShipNotice(acknowledged, asn);
const rcv = receipt('RCV-1', [{ poLineNumber: 1, quantity: 60, uom: 'EA' }]);
const receivedApplication = applyReceipt(shipped.purchaseOrder, rcv, conversions);
const inv = invoice('INV-9001', [{ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 }], { control: control(13) });
const match = threeWayMatch({ po, receipts: [rcv], invoice: inv, priorInvoices: [], tolerances, conversions, today: TODAY });
const opened = openInvoiceCase(inv, { caseId: 'SUP-MEDLINE|INV-9001|000000013|0013', correlationId: 'corr-inv' }, NOW);
const matchedCase = recordMatch(opened, match, NOW).invoiceCase;
const exceptionCase = recordMatch(opened, threeWayMatch({ po, receipts: [], invoice: inv, priorInvoices: [], tolerances, conversions, today: TODAY }), NOW).invoiceCase;
const voucher = apVoucherFromMatch(inv, match, po, { costCenter: 'CC-NMC-OR', glAccount: '6100-100' }, { postingDate: TODAY, correlationId: 'corr-inv' });
const rejectedPo = closePurchaseOrder(applyAcknowledgment(po, { ...ack, ackType: 'RJ', lines: [] }), [], NOW);

const built: BusEvent[] = [
  requisitionCreated(input, pending),
  requisitionApproved(input, approved),
  requisitionRejected(input, rejected),
  purchaseOrderIssued(input, po),
  purchaseOrderAcknowledged(input, acknowledged, ack),
  shipmentNotified(input, asn, shipped.lines),
  goodsReceived(input, rcv, receivedApplication.lines, receivedApplication.purchaseOrder.status),
  invoiceReceived(input, inv),
  invoiceMatched(input, matchedCase),
  invoiceExceptionRaised(input, exceptionCase),
  apVoucherPosted(input, voucher),
  purchaseOrderClosed(input, rejectedPo),
  procurementAlertRaised(input, overdueAlertFor(po, 'ACKNOWLEDGMENT', '2025-03-15T09:30:00.000Z')),
];

describe('procurement event builders', () => {
  for (const event of built) {
    it(`builds a ${event.detailType} that its catalog schema accepts, with source hem.procurement`, () => {
      const entry = EVENT_CATALOG[event.detailType];
      expect(event.source).toBe('hem.procurement');
      expect(entry.source).toBe('hem.procurement');
      const parsed = entry.schema.safeParse(event.detail);
      expect(parsed.success).toBe(true);
    });

    it(`fills the ${event.detailType} envelope with a business-key idempotency key`, () => {
      expect(event.detail.version).toBe('1');
      expect(event.detail.correlationId).toBe('corr-p2p-1');
      expect(event.detail.causationId).toBe('evt-1');
      expect(event.detail.idempotencyKey.endsWith(`#${event.detailType}`)).toBeTruthy();
    });
  }

  it('covers every procurement detail type in the catalog', () => {
    const procurement = Object.entries(EVENT_CATALOG).filter(([, e]) => e.source === 'hem.procurement').map(([name]) => name).sort();
    expect([...new Set(built.map((e) => e.detailType))].sort()).toStrictEqual(procurement);
  });

  it('keys each fact on its document, so the same fact always carries the same key', () => {
    const keys = Object.fromEntries(built.map((e) => [e.detailType, e.detail.idempotencyKey]));
    expect(keys.RequisitionCreated).toBe('REQ|REQ-0001#RequisitionCreated');
    expect(keys.PurchaseOrderIssued).toBe('PO|PO-NMC-00000001#PurchaseOrderIssued');
    expect(keys.PurchaseOrderAcknowledged).toBe('PO|PO-NMC-00000001|855|000000011|0011#PurchaseOrderAcknowledged');
    expect(keys.GoodsReceived).toBe('RCV|RCV-1#GoodsReceived');
    expect(keys.InvoiceExceptionRaised).toBe('INV|SUP-MEDLINE|INV-9001|000000013|0013|QTY_NOT_RECEIVED#InvoiceExceptionRaised');
    expect(purchaseOrderIssued({ ...input, causationId: 'evt-2' }, po).detail.idempotencyKey).toBe(keys.PurchaseOrderIssued);
    expect(purchaseOrderIssued({ ...input, businessKey: 'custom' }, po).detail.idempotencyKey).toBe('custom#PurchaseOrderIssued');
  });

  it('tells auto from human approvals, names the approving client as approvedBy and the asserted approver as onBehalfOf, and never publishes approver comments', () => {
    expect(built[1]!.detail.approval).toBe('HUMAN');
    expect(built[1]!.detail.approvedBy).toBe('approver-app');
    expect(built[1]!.detail.onBehalfOf).toBe('mgr.okafor');
    expect(JSON.stringify(built).includes('not this month')).toBe(false);
  });

  it('reports GoodsReceived in base units and ShipmentNotified per PO line', () => {
    expect(built[6]!.detail.lines).toStrictEqual([{ poLineNumber: 1, itemId: 'ITM-10001', quantity: 60, uom: 'EA', baseQuantity: 60 }]);
    expect(built[5]!.detail.lines).toStrictEqual([{ poLineNumber: 1, itemId: 'ITM-10001', quantityShipped: 6, uom: 'BX', baseQuantity: 60 }]);
  });

  it('refuses to announce a state the document is not in', () => {
    expect(() => requisitionApproved(input, pending)).toThrow(ConflictError);
    expect(() => requisitionRejected(input, approved)).toThrow(ConflictError);
    expect(() => invoiceMatched(input, exceptionCase)).toThrow(ConflictError);
    expect(() => invoiceExceptionRaised(input, matchedCase)).toThrow(ConflictError);
    expect(() => purchaseOrderClosed(input, po)).toThrow(ConflictError);
  });

  it('announces an accepted variance as InvoiceMatched with the accepted reasons', () => {
    // Issue #11: only a price (or charge) difference can be accepted, never goods not received.
    const pricey = invoice('INV-9002', [{ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 5 }], { control: control(14) });
    const priceCase = recordMatch(
      openInvoiceCase(pricey, { caseId: 'SUP-MEDLINE|INV-9002|000000014|0014', correlationId: 'corr-inv' }, NOW),
      threeWayMatch({ po, receipts: [rcv], invoice: pricey, priorInvoices: [], tolerances, conversions, today: TODAY }),
      NOW,
    ).invoiceCase;
    const accepted = resolveException(priceCase, { action: 'ACCEPT_VARIANCE', clerk: 'ap.nguyen' }, 'ap-clerk', NOW).invoiceCase;
    const event = invoiceMatched(input, accepted);
    expect(event.detail.approvedAmount).toBe(30);
    expect((event.detail.match as { acceptedReasons?: string[] }).acceptedReasons).toStrictEqual(['PRICE_VARIANCE']);
  });

  it('alerts once per overdue document and escalation', () => {
    const alert = overdueAlertFor(po, 'SHIP_NOTICE', '2025-03-20T00:00:00.000Z');
    expect(alert.alertType).toBe('SHIP_NOTICE_OVERDUE');
    expect(procurementAlertRaised(input, alert).detail.idempotencyKey).toBe('ALERT|SHIP_NOTICE_OVERDUE|PURCHASE_ORDER|PO-NMC-00000001|2025-03-20T00:00:00.000Z#ProcurementAlertRaised');
    const escalation = procurementAlertRaised(input, escalationAlertFor(pending, '2025-03-15T09:30:00.000Z'));
    expect(EVENT_CATALOG.ProcurementAlertRaised.schema.safeParse(escalation.detail).success).toBe(true);
    expect(escalation.detail.alertType).toBe('APPROVAL_ESCALATED');
  });

  it('alerts a buyer to an 855 price increase held back, naming the PO, the line and both prices, once per 855', () => {
    const priceAck = { ...ack, lines: [{ lineNumber: 1, status: 'CHANGED' as const, statusCode: 'IC', quantity: 6, uom: 'BX', unitPrice: 5.4 }] };
    const { purchaseOrder, heldPriceChanges } = acknowledgePurchaseOrder(po, priceAck, tolerances, conversions);
    const event = acknowledgmentPriceChangeAlert(input, purchaseOrder, priceAck, heldPriceChanges);
    const parsed = EVENT_CATALOG.ProcurementAlertRaised.schema.parse(event.detail);
    expect(event.detailType).toBe('ProcurementAlertRaised');
    expect({ alertType: parsed.alertType, severity: parsed.severity, entity: parsed.entity, supplierId: parsed.supplierId, costCenter: parsed.costCenter, priceChanges: parsed.priceChanges }).toStrictEqual({
        alertType: 'ACKNOWLEDGMENT_PRICE_CHANGE',
        severity: 'WARNING',
        entity: { kind: 'PURCHASE_ORDER', id: 'PO-NMC-00000001' },
        supplierId: 'SUP-MEDLINE',
        costCenter: 'CC-NMC-OR',
        priceChanges: [{ lineNumber: 1, itemId: 'ITM-10001', uom: 'BX', poUnitPrice: 4.5, acknowledgedUnitPrice: 5.4 }],
      });
    expect(event.detail.idempotencyKey).toBe('ALERT|ACKNOWLEDGMENT_PRICE_CHANGE|PO|PO-NMC-00000001|855|000000011|0011#ProcurementAlertRaised');
    expect(acknowledgmentPriceChangeAlert(input, purchaseOrder, priceAck, heldPriceChanges).detail.idempotencyKey).toBe(event.detail.idempotencyKey);
    expect(() => acknowledgmentPriceChangeAlert(input, purchaseOrder, priceAck, [])).toThrow(DataError);
  });
});

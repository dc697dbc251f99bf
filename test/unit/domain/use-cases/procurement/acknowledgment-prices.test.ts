/**
 * An 855 that raises a price: `applySupplierDocument` holds an increase beyond Medline's tolerances
 * (seeded: 2 % and 0.50 per base unit, both exceeded) back for a buyer, and the invoice at that price
 * then fails the three-way match for AP — 855 → dock receipt → 810 → MatchInvoice on the in-memory fakes.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { EVENT_CATALOG } from '../../../../../contracts/events';
import type { PoAcknowledgment } from '../../../../../contracts/procurement';
import type { ProcurementAlertRaised } from '../../../../../contracts/procurement-events';
import { invoiceCaseIdFor } from '../../../../../functions/domain/procurement/invoice-case';
import { matchInvoice } from '../../../../../functions/domain/use-cases/procurement/invoices';
import { receiveAtDock } from '../../../../../functions/domain/use-cases/procurement/receipts';
import { applySupplierDocument, type SupplierDocument, type SupplierDocumentInput } from '../../../../../functions/domain/use-cases/procurement/supplier-documents';
import {
  CORRELATION_ID,
  PO_NUMBER,
  dockReceipt,
  glovesInvoice,
  issuedGlovesFakes,
  type ReceiptInvoiceFakes,
} from '../../../procurement/receipt-invoice-fixtures';

let deps: ReceiptInvoiceFakes;

beforeEach(() => {
  // The gloves PO (20 BX at 12.00 = 1.20/EA) as sent to Medline, before its 855.
  deps = issuedGlovesFakes();
});

const control = (n: number): PoAcknowledgment['control'] => ({
  interchange: String(n).padStart(9, '0'),
  group: String(n),
  transactionSet: '0001',
  version: '005010',
  senderId: 'MEDLINE',
  receiverId: 'HEMHOSPITAL',
});

const ack855 = (unitPrice: number, n = 855): PoAcknowledgment => ({
  poNumber: PO_NUMBER,
  supplierId: 'SUP-MEDLINE',
  ackType: 'AC',
  acknowledgedAt: '2025-03-11',
  lines: [{ lineNumber: 1, status: 'CHANGED', statusCode: 'IC', quantity: 20, uom: 'BX', unitPrice }],
  control: control(n),
});

const input = (doc: SupplierDocument, businessKey: string): SupplierDocumentInput => ({
  supplierId: 'SUP-MEDLINE',
  control: doc.document.control ?? control(1),
  businessKey,
  doc,
  requestCorrelationId: 'corr-request-1',
  causationId: 'req-1',
  actor: 'supplier-medline',
});

const acknowledge = (unitPrice: number, n = 855): ReturnType<typeof applySupplierDocument> =>
  applySupplierDocument(deps, input({ kind: 'PoAcknowledgment', document: ack855(unitPrice, n) }, `SUP-MEDLINE|${PO_NUMBER}|855|${n}`));

const alerts = (): ProcurementAlertRaised[] => deps.events.ofType('ProcurementAlertRaised').map((e) => e.detail as ProcurementAlertRaised);

/** The dock receives everything, Medline invoices 20 BX at `unitPrice` and MatchInvoice runs. */
const receiveAndInvoice = async (unitPrice: number): Promise<Awaited<ReturnType<typeof matchInvoice>>> => {
  await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 20, uom: 'BX' }]), { actor: 'dock-nmc', causationId: 'req-2' });
  const invoice = glovesInvoice('INV-7001', [{ quantity: 20, uom: 'BX', unitPrice }]);
  const received = await applySupplierDocument(deps, input({ kind: 'Invoice', document: invoice }, `SUP-MEDLINE|INV-7001`));
  expect(received.status).toBe('APPLIED');
  return matchInvoice(deps, { caseId: invoiceCaseIdFor(invoice), eventBusName: 'hem-test' });
};

describe('applySupplierDocument: an 855 price increase beyond tolerance', () => {
  it('applies the 855 and resumes the workflow, but keeps the PO price and records the acknowledged one on the line', async () => {
    await deps.waits.register(PO_NUMBER, 'ACK_855', 'token-ack');
    const outcome = await acknowledge(18);

    expect(outcome).toStrictEqual({
      status: 'APPLIED',
      kind: 'PoAcknowledgment',
      correlationId: CORRELATION_ID,
      poNumber: PO_NUMBER,
      poStatus: 'ACKNOWLEDGED',
      resumedWorkflow: true,
      priceChangesHeld: [1],
    });
    const line = (await deps.procurement.getPurchaseOrder(PO_NUMBER))?.lines[0];
    expect([line?.status, line?.expectedQuantity, line?.unitPrice, line?.acknowledgedUnitPrice]).toStrictEqual(['CHANGED', 20, 12, 18]);
    expect(deps.workflows.succeeded).toStrictEqual([{ taskToken: 'token-ack', output: { poNumber: PO_NUMBER, status: 'ACKNOWLEDGED', outcome: 'ACCEPTED_WITH_CHANGES' } }]);
  });

  it('raises ACKNOWLEDGMENT_PRICE_CHANGE naming the PO, the line and both prices, with an audit record and an alert hop', async () => {
    await acknowledge(18);

    const [alert] = alerts();
    expect(alerts().length).toBe(1);
    expect(EVENT_CATALOG.ProcurementAlertRaised.schema.safeParse(alert).success).toBe(true);
    expect({ alertType: alert?.alertType, severity: alert?.severity, entity: alert?.entity, supplierId: alert?.supplierId, priceChanges: alert?.priceChanges }).toStrictEqual({
        alertType: 'ACKNOWLEDGMENT_PRICE_CHANGE',
        severity: 'WARNING',
        entity: { kind: 'PURCHASE_ORDER', id: PO_NUMBER },
        supplierId: 'SUP-MEDLINE',
        priceChanges: [{ lineNumber: 1, itemId: 'ITM-10003', uom: 'BX', poUnitPrice: 12, acknowledgedUnitPrice: 18 }],
      });
    expect(alert?.correlationId).toBe(CORRELATION_ID);
    expect(deps.audit.actions()).toStrictEqual(['PurchaseOrderAcknowledged', 'AcknowledgmentPriceChangeHeld']);
    expect(deps.transactions.hops.filter((h) => h.correlationId === CORRELATION_ID).map((h) => [h.hop, h.status])).toStrictEqual([
        ['po-acknowledged', 'ok'],
        ['procurement-alert', 'error'],
      ]);
    const hop = deps.transactions.hops.find((h) => h.hop === 'procurement-alert');
    expect(hop?.detail?.priceChanges).toStrictEqual(alert?.priceChanges);
  });

  it('still raises the alert when the retry of a half-done first attempt finds the price already held, and not for a resend', async () => {
    const document = ack855(18);
    const retried = input({ kind: 'PoAcknowledgment', document }, `SUP-MEDLINE|${PO_NUMBER}|855|855`);
    deps.events.failNext(new Error('PutEvents failed'));
    await expect(applySupplierDocument(deps, retried)).rejects.toThrow();
    await applySupplierDocument(deps, retried);
    await applySupplierDocument(deps, retried);
    expect(deps.procurement.purchaseOrderSaves).toBe(2);
    expect(alerts().map((a) => a.priceChanges?.map((c) => [c.poUnitPrice, c.acknowledgedUnitPrice]))).toStrictEqual([[[12, 18]]]);
    expect((await deps.procurement.getPurchaseOrder(PO_NUMBER))?.lines[0]?.unitPrice).toBe(12);
  });

  it('turns the invoice at the acknowledged price into a PRICE_VARIANCE exception for the AP clerk', async () => {
    await acknowledge(18);
    const matched = await receiveAndInvoice(18);
    expect([matched.status, matched.reasons, matched.next]).toStrictEqual(['EXCEPTION', ['PRICE_VARIANCE'], 'AWAIT_AP_CLERK']);
  });
});

describe('applySupplierDocument: an 855 price change HEM takes', () => {
  it('takes an increase within tolerance as the price to pay, without an alert, and matches the invoice at it', async () => {
    const outcome = await acknowledge(12.2);
    expect(outcome.status === 'APPLIED' && outcome.priceChangesHeld).toBe(undefined);
    const line = (await deps.procurement.getPurchaseOrder(PO_NUMBER))?.lines[0];
    expect([line?.unitPrice, line?.acknowledgedUnitPrice]).toStrictEqual([12.2, undefined]);
    expect(alerts()).toStrictEqual([]);
    expect(deps.audit.actions()).toStrictEqual(['PurchaseOrderAcknowledged']);

    const matched = await receiveAndInvoice(12.2);
    expect([matched.status, matched.reasons]).toStrictEqual(['MATCHED', []]);
  });

  it('takes a lower price, and an invoice at it matches', async () => {
    await acknowledge(10);
    expect((await deps.procurement.getPurchaseOrder(PO_NUMBER))?.lines[0]?.unitPrice).toBe(10);
    expect(alerts()).toStrictEqual([]);
    expect((await receiveAndInvoice(10)).status).toBe('MATCHED');
  });
});

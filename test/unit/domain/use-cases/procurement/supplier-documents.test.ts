/**
 * `applySupplierDocument`: the Medline 855/856/810 fixtures applied to POs built by the domain, on
 * the in-memory procurement fakes.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ProcurementAlertRaised } from '../../../../../contracts/procurement-events';
import { ConcurrencyError, InfrastructureError, NotFoundError } from '../../../../../functions/domain/errors';
import { invoiceCaseIdFor } from '../../../../../functions/domain/procurement/invoice-case';
import { executionNameFor } from '../../../../../functions/domain/use-cases/procurement/control-numbers';
import {
  applySupplierDocument,
  invoiceExecutionName,
  ownPurchaseOrderNumbers,
  RECEIPT_TO_INVOICE,
} from '../../../../../functions/domain/use-cases/procurement/supplier-documents';
import type { SupplierDocumentInput } from '../../../../../functions/domain/use-cases/procurement/supplier-documents';
import { procurementFakeDependencies } from '../../../procurement-fakes';
import type { ProcurementFakes } from '../../../procurement-fakes';
import type { Fakes } from '../../../fakes';
import { documentInput, PO_123, PO_124, po123, po124 } from './edi-support';

let deps: Fakes & ProcurementFakes;

beforeEach(async () => {
  deps = procurementFakeDependencies();
  await deps.procurement.createPurchaseOrder(po123());
  await deps.procurement.createPurchaseOrder(po124());
});

const alerts = (): ProcurementAlertRaised[] => deps.events.ofType('ProcurementAlertRaised').map((e) => e.detail as ProcurementAlertRaised);

describe('applySupplierDocument: 855 acknowledgment', () => {
  it('applies a 5010 855 to the PO, publishes PurchaseOrderAcknowledged and resumes the waiting workflow', async () => {
    await deps.waits.register(PO_123, 'ACK_855', 'token-ack');
    const outcome = await applySupplierDocument(deps, documentInput('medline_855_5010.edi'));

    expect(outcome).toStrictEqual({
      status: 'APPLIED',
      kind: 'PoAcknowledgment',
      correlationId: 'corr-po-123',
      poNumber: PO_123,
      poStatus: 'ACKNOWLEDGED',
      resumedWorkflow: true,
    });
    const po = await deps.procurement.getPurchaseOrder(PO_123);
    expect(po?.status).toBe('ACKNOWLEDGED');
    expect(po?.version).toBe(2);
    expect(po?.lines.map((l) => [l.lineNumber, l.status, l.expectedQuantity])).toStrictEqual([
        [1, 'ACCEPTED', 10],
        [2, 'CHANGED', 3],
        [3, 'BACKORDERED', 0],
        [4, 'REJECTED', 0],
      ]);
    const [event] = deps.events.ofType('PurchaseOrderAcknowledged');
    expect(event?.detail.correlationId).toBe('corr-po-123');
    expect(event?.detail.causationId).toBe('req-1');
    expect(deps.workflows.succeeded).toStrictEqual([{ taskToken: 'token-ack', output: { poNumber: PO_123, status: 'ACKNOWLEDGED', outcome: 'ACCEPTED_WITH_CHANGES' } }]);
    expect(deps.transactions.hopNames('corr-po-123')).toStrictEqual(['po-acknowledged']);
    expect(deps.audit.actions()).toStrictEqual(['PurchaseOrderAcknowledged']);
    expect(deps.audit.records[0]?.actor).toBe('supplier-medline');
  });

  it('keeps the arrival for a workflow that registers its wait later', async () => {
    const outcome = await applySupplierDocument(deps, documentInput('medline_855_5010.edi'));
    expect(outcome.status).toBe('APPLIED');
    expect(deps.workflows.succeeded.length).toBe(0);
    expect(await deps.waits.register(PO_123, 'ACK_855', 'token-late')).toStrictEqual({
      alreadyArrived: { poNumber: PO_123, status: 'ACKNOWLEDGED', outcome: 'ACCEPTED_WITH_CHANGES' },
    });
  });

  it('changes nothing for a resent 855 (same envelope and document): DUPLICATE, one event, one save', async () => {
    const input = documentInput('medline_855_5010.edi');
    await applySupplierDocument(deps, input);
    const saves = deps.procurement.purchaseOrderSaves;
    const again = await applySupplierDocument(deps, input);
    expect(again).toStrictEqual({ status: 'DUPLICATE', kind: 'PoAcknowledgment', correlationId: 'corr-po-123', poNumber: PO_123 });
    expect(deps.procurement.purchaseOrderSaves).toBe(saves);
    expect((await deps.procurement.getPurchaseOrder(PO_123))?.version).toBe(2);
    expect(deps.events.ofType('PurchaseOrderAcknowledged').length).toBe(1);
    expect(deps.transactions.hopNames('corr-po-123')).toStrictEqual(['po-acknowledged', 'duplicate']);
  });

  it('re-reads and re-applies when a concurrent writer moved the PO', async () => {
    deps.procurement.collidePurchaseOrderSaves(2);
    const outcome = await applySupplierDocument(deps, documentInput('medline_855_5010.edi'));
    expect(outcome.status).toBe('APPLIED');
    expect((await deps.procurement.getPurchaseOrder(PO_123))?.status).toBe('ACKNOWLEDGED');
    expect(deps.procurement.purchaseOrderSaves).toBe(3);
  });

  it('gives up after five collisions, releasing the document so the resend applies it', async () => {
    const input = documentInput('medline_855_5010.edi');
    deps.procurement.collidePurchaseOrderSaves(5);
    await expect(applySupplierDocument(deps, input)).rejects.toThrow(ConcurrencyError);
    expect((await deps.procurement.getPurchaseOrder(PO_123))?.status).toBe('ISSUED');
    expect((await applySupplierDocument(deps, input)).status).toBe('APPLIED');
  });

  it('releases the document when the bus fails, and the resend finishes the job once', async () => {
    const input = documentInput('medline_855_5010.edi');
    await deps.waits.register(PO_123, 'ACK_855', 'token-ack');
    deps.events.failNext(new InfrastructureError('PutEvents failed'));
    await expect(applySupplierDocument(deps, input)).rejects.toThrow(InfrastructureError);
    expect(deps.workflows.succeeded.length).toBe(0);

    const outcome = await applySupplierDocument(deps, input);
    expect(outcome.status).toBe('APPLIED');
    const po = await deps.procurement.getPurchaseOrder(PO_123);
    expect(po?.status).toBe('ACKNOWLEDGED');
    expect(deps.events.ofType('PurchaseOrderAcknowledged').length).toBe(1);
    expect(deps.workflows.succeeded.length).toBe(1);
    expect(deps.ediDocuments.applied().length).toBe(1);
  });

  it('records an 855 for an unknown PO as unmatched: exception hop, alert, audit, and a resend changes nothing', async () => {
    deps.procurement.purchaseOrders.delete(PO_123);
    const input = documentInput('medline_855_5010.edi');
    const outcome = await applySupplierDocument(deps, input);
    expect(outcome).toStrictEqual({
      status: 'UNMATCHED',
      kind: 'PoAcknowledgment',
      correlationId: 'corr-request-1',
      poNumber: PO_123,
      reason: 'UNKNOWN_PURCHASE_ORDER',
      code: 'NOT_FOUND',
    });
    expect(deps.transactions.hopNames('corr-request-1')).toStrictEqual(['exception']);
    expect(alerts().map((a) => [a.alertType, a.entity, a.supplierId])).toStrictEqual([['SUPPLIER_DOCUMENT_UNMATCHED', { kind: 'PURCHASE_ORDER', id: PO_123 }, 'SUP-MEDLINE']]);
    expect(deps.audit.actions()).toStrictEqual(['SupplierDocumentUnmatched']);
    expect((await applySupplierDocument(deps, input)).status).toBe('DUPLICATE');
    expect(alerts().length).toBe(1);
  });

  it('treats another supplier’s PO as unknown and leaves it untouched', async () => {
    deps.procurement.purchaseOrders.delete(PO_123);
    await deps.procurement.createPurchaseOrder(po123({ supplierId: 'SUP-CARDINAL' }));
    const outcome = await applySupplierDocument(deps, documentInput('medline_855_5010.edi'));
    expect(outcome.status).toBe('UNMATCHED');
    expect(outcome.status === 'UNMATCHED' ? outcome.reason : undefined).toBe('UNKNOWN_PURCHASE_ORDER');
    const po = await deps.procurement.getPurchaseOrder(PO_123);
    expect(po?.status).toBe('ISSUED');
    expect(po?.version).toBe(1);
    expect(deps.transactions.hopNames('corr-po-123')).toStrictEqual([]);
  });

  it('records an 855 naming a line the PO does not have as unmatched in the PO’s transaction', async () => {
    deps.procurement.purchaseOrders.delete(PO_124);
    const base = po124();
    await deps.procurement.createPurchaseOrder({ ...base, lines: base.lines.slice(0, 1) });
    const outcome = await applySupplierDocument(deps, documentInput('medline_855_4010.edi'));
    expect(outcome.status).toBe('UNMATCHED');
    expect(outcome.status === 'UNMATCHED' ? outcome.code : undefined).toBe('DATA_ERROR');
    expect(deps.transactions.hopNames('corr-po-124')).toStrictEqual(['exception']);
    expect((await deps.procurement.getPurchaseOrder(PO_124))?.status).toBe('ISSUED');
  });

  it('does not fail when the waiting task has gone (timed out): the arrival is kept for the next wait', async () => {
    await deps.waits.register(PO_123, 'ACK_855', 'token-expired');
    deps.workflows.failNext(new NotFoundError('task timed out'));
    const outcome = await applySupplierDocument(deps, documentInput('medline_855_5010.edi'));
    expect(outcome.status === 'APPLIED' ? outcome.resumedWorkflow : undefined).toBe(false);
    expect('alreadyArrived' in (await deps.waits.register(PO_123, 'ACK_855', 'token-next'))).toBeTruthy();
  });
});

describe('applySupplierDocument: 856 ship notice', () => {
  it('ships the PO, publishes ShipmentNotified and resumes the ASN wait', async () => {
    await applySupplierDocument(deps, documentInput('medline_855_5010.edi'));
    await deps.waits.register(PO_123, 'ASN_856', 'token-asn');
    const outcome = await applySupplierDocument(deps, documentInput('medline_856_5010.edi'));
    expect(outcome.status).toBe('APPLIED');
    const po = await deps.procurement.getPurchaseOrder(PO_123);
    expect(po?.status).toBe('SHIPPED');
    expect(po?.shipNoticeIds).toStrictEqual(['SHP-55120']);
    expect(po?.lines.map((l) => l.shippedBaseQuantity ?? 0)).toStrictEqual([100, 36, 0, 0]);
    const [event] = deps.events.ofType('ShipmentNotified');
    expect(event?.detail.correlationId).toBe('corr-po-123');
    expect(deps.workflows.succeeded.at(-1)).toStrictEqual({ taskToken: 'token-asn', output: { poNumber: PO_123, status: 'SHIPPED', shipmentId: 'SHP-55120' } });
    expect(deps.transactions.hopNames('corr-po-123')).toStrictEqual(['po-acknowledged', 'shipment-notified']);
  });
});

describe('applySupplierDocument: 810 invoice', () => {
  it('stores the invoice case, publishes InvoiceReceived and starts its ReceiptToInvoice execution once', async () => {
    const input = documentInput('medline_810_4010.edi');
    const outcome = await applySupplierDocument(deps, input);
    const invoice = input.doc.document as Parameters<typeof invoiceCaseIdFor>[0];
    const caseId = invoiceCaseIdFor(invoice);
    expect(outcome).toStrictEqual({ status: 'APPLIED', kind: 'Invoice', correlationId: 'corr-po-124', poNumber: PO_124, caseId });
    const stored = await deps.procurement.getInvoiceCase(caseId);
    expect(stored?.invoiceCase.status).toBe('OPEN');
    expect(stored?.invoiceCase.correlationId).toBe('corr-po-124');
    expect(stored?.invoice.invoiceNumber).toBe('INV-7781290');
    expect(deps.events.ofType('InvoiceReceived')[0]?.detail.correlationId).toBe('corr-po-124');
    expect(deps.workflows.starts).toStrictEqual([{ workflow: RECEIPT_TO_INVOICE, name: invoiceExecutionName(caseId), input: { caseId, correlationId: 'corr-po-124' } }]);
    expect(deps.workflows.starts[0]?.name ?? '').toMatch(/^[A-Za-z0-9_-]{1,80}$/);

    expect((await applySupplierDocument(deps, input)).status).toBe('DUPLICATE');
    expect(deps.workflows.starts.length).toBe(1);
    expect(deps.procurement.invoices.size).toBe(1);
  });

  it('stores no invoice case for an invoice on a PO that does not exist, and alerts an operator', async () => {
    deps.procurement.purchaseOrders.delete(PO_124);
    const input = documentInput('medline_810_4010.edi');
    const outcome = await applySupplierDocument(deps, input);
    expect(outcome.status).toBe('UNMATCHED');
    expect(outcome.status === 'UNMATCHED' ? outcome.caseId : 'unexpected').toBeUndefined();
    expect(deps.procurement.invoices.size).toBe(0);
    expect(deps.workflows.starts.length).toBe(0);
    expect(deps.events.ofType('InvoiceReceived').length).toBe(0);
    expect(alerts().map((a) => a.entity)).toStrictEqual([{ kind: 'PURCHASE_ORDER', id: PO_124 }]);
    expect(deps.transactions.hopNames('corr-request-1')).toStrictEqual(['exception']);
  });

  it('stores no invoice case for an invoice on another supplier’s PO and leaves that PO’s transaction untouched', async () => {
    const outcome = await applySupplierDocument(deps, documentInput('medline_810_4010.edi', { supplierId: 'SUP-CARDINAL', actor: 'supplier-cardinal' }));
    expect(outcome.status === 'UNMATCHED' ? outcome.reason : undefined).toBe('UNKNOWN_PURCHASE_ORDER');
    expect(outcome.correlationId).toBe('corr-request-1');
    expect(deps.procurement.invoices.size).toBe(0);
    expect(deps.workflows.starts.length).toBe(0);
    expect(deps.transactions.hopNames('corr-po-124')).toStrictEqual([]);
  });

  it('finishes a half-done invoice on the resend after the workflow start failed', async () => {
    const input = documentInput('medline_810_4010.edi');
    deps.workflows.failNext(new InfrastructureError('Step Functions throttled'));
    await expect(applySupplierDocument(deps, input)).rejects.toThrow(InfrastructureError);
    expect(deps.procurement.invoices.size).toBe(1);
    expect((await applySupplierDocument(deps, input as SupplierDocumentInput)).status).toBe('APPLIED');
    expect(deps.workflows.starts.length).toBe(1);
    expect(deps.procurement.invoices.size).toBe(1);
  });
});

describe('ownPurchaseOrderNumbers', () => {
  it('names only the sender’s own POs: another supplier’s and one that does not exist are left out alike', async () => {
    expect(await ownPurchaseOrderNumbers(deps, 'SUP-MEDLINE', [PO_123, PO_124, PO_123, 'HEM-PO-999999'])).toStrictEqual(new Set([PO_123, PO_124]));
    expect(await ownPurchaseOrderNumbers(deps, 'SUP-CARDINAL', [PO_123, 'HEM-PO-999999'])).toStrictEqual(new Set());
  });
});

describe('executionNameFor', () => {
  it('keeps a valid execution name and hashes anything else into 80 safe characters', () => {
    expect(executionNameFor('REQ-0123ABCD')).toBe('REQ-0123ABCD');
    const name = executionNameFor('SUP-MEDLINE|INV-7781290|000004732|0001');
    expect(name).toMatch(/^SUP-MEDLINE-INV-7781290-000004732-0001-[0-9a-f]{20}$/);
    expect(executionNameFor('A|B')).not.toBe(executionNameFor('A-B'));
    const long = executionNameFor(`${'X'.repeat(120)}|1`);
    expect(long.length <= 80).toBeTruthy();
    expect(long).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

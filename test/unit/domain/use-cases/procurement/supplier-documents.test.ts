/**
 * `applySupplierDocument`: the Medline 855/856/810 fixtures applied to POs built by the domain, on
 * the in-memory procurement fakes.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { ProcurementAlertRaised } from '../../../../../contracts/procurement-events';
import { ConcurrencyError, InfrastructureError, NotFoundError } from '../../../../../functions/domain/errors';
import { invoiceCaseIdFor } from '../../../../../functions/domain/procurement/invoice-case';
import { executionNameFor } from '../../../../../functions/domain/use-cases/procurement/control-numbers';
import {
  applySupplierDocument,
  invoiceExecutionName,
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

    assert.deepEqual(outcome, {
      status: 'APPLIED',
      kind: 'PoAcknowledgment',
      correlationId: 'corr-po-123',
      poNumber: PO_123,
      poStatus: 'ACKNOWLEDGED',
      resumedWorkflow: true,
    });
    const po = await deps.procurement.getPurchaseOrder(PO_123);
    assert.equal(po?.status, 'ACKNOWLEDGED');
    assert.equal(po?.version, 2);
    assert.deepEqual(
      po?.lines.map((l) => [l.lineNumber, l.status, l.expectedQuantity]),
      [
        [1, 'ACCEPTED', 10],
        [2, 'CHANGED', 3],
        [3, 'BACKORDERED', 0],
        [4, 'REJECTED', 0],
      ],
    );
    const [event] = deps.events.ofType('PurchaseOrderAcknowledged');
    assert.equal(event?.detail.correlationId, 'corr-po-123');
    assert.equal(event?.detail.causationId, 'req-1');
    assert.deepEqual(deps.workflows.succeeded, [{ taskToken: 'token-ack', output: { poNumber: PO_123, status: 'ACKNOWLEDGED', outcome: 'ACCEPTED_WITH_CHANGES' } }]);
    assert.deepEqual(deps.transactions.hopNames('corr-po-123'), ['po-acknowledged']);
    assert.deepEqual(deps.audit.actions(), ['PurchaseOrderAcknowledged']);
    assert.equal(deps.audit.records[0]?.actor, 'supplier-medline');
  });

  it('keeps the arrival for a workflow that registers its wait later', async () => {
    const outcome = await applySupplierDocument(deps, documentInput('medline_855_5010.edi'));
    assert.equal(outcome.status, 'APPLIED');
    assert.equal(deps.workflows.succeeded.length, 0);
    assert.deepEqual(await deps.waits.register(PO_123, 'ACK_855', 'token-late'), {
      alreadyArrived: { poNumber: PO_123, status: 'ACKNOWLEDGED', outcome: 'ACCEPTED_WITH_CHANGES' },
    });
  });

  it('changes nothing for a resent 855 (same envelope and document): DUPLICATE, one event, one save', async () => {
    const input = documentInput('medline_855_5010.edi');
    await applySupplierDocument(deps, input);
    const saves = deps.procurement.purchaseOrderSaves;
    const again = await applySupplierDocument(deps, input);
    assert.deepEqual(again, { status: 'DUPLICATE', kind: 'PoAcknowledgment', correlationId: 'corr-po-123', poNumber: PO_123 });
    assert.equal(deps.procurement.purchaseOrderSaves, saves);
    assert.equal((await deps.procurement.getPurchaseOrder(PO_123))?.version, 2);
    assert.equal(deps.events.ofType('PurchaseOrderAcknowledged').length, 1);
    assert.deepEqual(deps.transactions.hopNames('corr-po-123'), ['po-acknowledged', 'duplicate']);
  });

  it('re-reads and re-applies when a concurrent writer moved the PO', async () => {
    deps.procurement.collidePurchaseOrderSaves(2);
    const outcome = await applySupplierDocument(deps, documentInput('medline_855_5010.edi'));
    assert.equal(outcome.status, 'APPLIED');
    assert.equal((await deps.procurement.getPurchaseOrder(PO_123))?.status, 'ACKNOWLEDGED');
    assert.equal(deps.procurement.purchaseOrderSaves, 3);
  });

  it('gives up after five collisions, releasing the document so the resend applies it', async () => {
    const input = documentInput('medline_855_5010.edi');
    deps.procurement.collidePurchaseOrderSaves(5);
    await assert.rejects(applySupplierDocument(deps, input), ConcurrencyError);
    assert.equal((await deps.procurement.getPurchaseOrder(PO_123))?.status, 'ISSUED');
    assert.equal((await applySupplierDocument(deps, input)).status, 'APPLIED');
  });

  it('releases the document when the bus fails, and the resend finishes the job once', async () => {
    const input = documentInput('medline_855_5010.edi');
    await deps.waits.register(PO_123, 'ACK_855', 'token-ack');
    deps.events.failNext(new InfrastructureError('PutEvents failed'));
    await assert.rejects(applySupplierDocument(deps, input), InfrastructureError);
    assert.equal(deps.workflows.succeeded.length, 0);

    const outcome = await applySupplierDocument(deps, input);
    assert.equal(outcome.status, 'APPLIED');
    const po = await deps.procurement.getPurchaseOrder(PO_123);
    assert.equal(po?.status, 'ACKNOWLEDGED');
    assert.equal(deps.events.ofType('PurchaseOrderAcknowledged').length, 1);
    assert.equal(deps.workflows.succeeded.length, 1);
    assert.equal(deps.ediDocuments.applied().length, 1);
  });

  it('records an 855 for an unknown PO as unmatched: exception hop, alert, audit, and a resend changes nothing', async () => {
    deps.procurement.purchaseOrders.delete(PO_123);
    const input = documentInput('medline_855_5010.edi');
    const outcome = await applySupplierDocument(deps, input);
    assert.deepEqual(outcome, {
      status: 'UNMATCHED',
      kind: 'PoAcknowledgment',
      correlationId: 'corr-request-1',
      poNumber: PO_123,
      reason: 'UNKNOWN_PURCHASE_ORDER',
      code: 'NOT_FOUND',
    });
    assert.deepEqual(deps.transactions.hopNames('corr-request-1'), ['exception']);
    assert.deepEqual(
      alerts().map((a) => [a.alertType, a.entity, a.supplierId]),
      [['SUPPLIER_DOCUMENT_UNMATCHED', { kind: 'PURCHASE_ORDER', id: PO_123 }, 'SUP-MEDLINE']],
    );
    assert.deepEqual(deps.audit.actions(), ['SupplierDocumentUnmatched']);
    assert.equal((await applySupplierDocument(deps, input)).status, 'DUPLICATE');
    assert.equal(alerts().length, 1);
  });

  it('treats another supplier’s PO as unknown and leaves it untouched', async () => {
    deps.procurement.purchaseOrders.delete(PO_123);
    await deps.procurement.createPurchaseOrder(po123({ supplierId: 'SUP-CARDINAL' }));
    const outcome = await applySupplierDocument(deps, documentInput('medline_855_5010.edi'));
    assert.equal(outcome.status, 'UNMATCHED');
    assert.equal(outcome.status === 'UNMATCHED' ? outcome.reason : undefined, 'UNKNOWN_PURCHASE_ORDER');
    const po = await deps.procurement.getPurchaseOrder(PO_123);
    assert.equal(po?.status, 'ISSUED');
    assert.equal(po?.version, 1);
    assert.deepEqual(deps.transactions.hopNames('corr-po-123'), [], 'nothing lands in the other supplier’s transaction');
  });

  it('records an 855 naming a line the PO does not have as unmatched in the PO’s transaction', async () => {
    deps.procurement.purchaseOrders.delete(PO_124);
    const base = po124();
    await deps.procurement.createPurchaseOrder({ ...base, lines: base.lines.slice(0, 1) });
    const outcome = await applySupplierDocument(deps, documentInput('medline_855_4010.edi'));
    assert.equal(outcome.status, 'UNMATCHED');
    assert.equal(outcome.status === 'UNMATCHED' ? outcome.code : undefined, 'DATA_ERROR');
    assert.deepEqual(deps.transactions.hopNames('corr-po-124'), ['exception']);
    assert.equal((await deps.procurement.getPurchaseOrder(PO_124))?.status, 'ISSUED');
  });

  it('does not fail when the waiting task has gone (timed out): the arrival is kept for the next wait', async () => {
    await deps.waits.register(PO_123, 'ACK_855', 'token-expired');
    deps.workflows.failNext(new NotFoundError('task timed out'));
    const outcome = await applySupplierDocument(deps, documentInput('medline_855_5010.edi'));
    assert.equal(outcome.status === 'APPLIED' ? outcome.resumedWorkflow : undefined, false);
    assert.ok('alreadyArrived' in (await deps.waits.register(PO_123, 'ACK_855', 'token-next')));
  });
});

describe('applySupplierDocument: 856 ship notice', () => {
  it('ships the PO, publishes ShipmentNotified and resumes the ASN wait', async () => {
    await applySupplierDocument(deps, documentInput('medline_855_5010.edi'));
    await deps.waits.register(PO_123, 'ASN_856', 'token-asn');
    const outcome = await applySupplierDocument(deps, documentInput('medline_856_5010.edi'));
    assert.equal(outcome.status, 'APPLIED');
    const po = await deps.procurement.getPurchaseOrder(PO_123);
    assert.equal(po?.status, 'SHIPPED');
    assert.deepEqual(po?.shipNoticeIds, ['SHP-55120']);
    assert.deepEqual(
      po?.lines.map((l) => l.shippedBaseQuantity ?? 0),
      [100, 36, 0, 0],
    );
    const [event] = deps.events.ofType('ShipmentNotified');
    assert.equal(event?.detail.correlationId, 'corr-po-123');
    assert.deepEqual(deps.workflows.succeeded.at(-1), { taskToken: 'token-asn', output: { poNumber: PO_123, status: 'SHIPPED', shipmentId: 'SHP-55120' } });
    assert.deepEqual(deps.transactions.hopNames('corr-po-123'), ['po-acknowledged', 'shipment-notified']);
  });
});

describe('applySupplierDocument: 810 invoice', () => {
  it('stores the invoice case, publishes InvoiceReceived and starts its ReceiptToInvoice execution once', async () => {
    const input = documentInput('medline_810_4010.edi');
    const outcome = await applySupplierDocument(deps, input);
    const invoice = input.doc.document as Parameters<typeof invoiceCaseIdFor>[0];
    const caseId = invoiceCaseIdFor(invoice);
    assert.deepEqual(outcome, { status: 'APPLIED', kind: 'Invoice', correlationId: 'corr-po-124', poNumber: PO_124, caseId });
    const stored = await deps.procurement.getInvoiceCase(caseId);
    assert.equal(stored?.invoiceCase.status, 'OPEN');
    assert.equal(stored?.invoiceCase.correlationId, 'corr-po-124');
    assert.equal(stored?.invoice.invoiceNumber, 'INV-7781290');
    assert.equal(deps.events.ofType('InvoiceReceived')[0]?.detail.correlationId, 'corr-po-124');
    assert.deepEqual(deps.workflows.starts, [{ workflow: RECEIPT_TO_INVOICE, name: invoiceExecutionName(caseId), input: { caseId, correlationId: 'corr-po-124' } }]);
    assert.match(deps.workflows.starts[0]?.name ?? '', /^[A-Za-z0-9_-]{1,80}$/);

    assert.equal((await applySupplierDocument(deps, input)).status, 'DUPLICATE');
    assert.equal(deps.workflows.starts.length, 1);
    assert.equal(deps.procurement.invoices.size, 1);
  });

  it('keeps an invoice for an unknown PO (its match will say NO_PO) and alerts an operator', async () => {
    deps.procurement.purchaseOrders.delete(PO_124);
    const input = documentInput('medline_810_4010.edi');
    const outcome = await applySupplierDocument(deps, input);
    assert.equal(outcome.status, 'UNMATCHED');
    const caseId = outcome.status === 'UNMATCHED' ? outcome.caseId : undefined;
    assert.ok(caseId !== undefined && deps.procurement.invoices.has(caseId));
    assert.equal(deps.workflows.starts.length, 1);
    assert.deepEqual(
      alerts().map((a) => a.entity),
      [{ kind: 'INVOICE', id: caseId }],
    );
    assert.deepEqual(deps.transactions.hopNames('corr-request-1'), ['invoice-received', 'exception']);
  });

  it('finishes a half-done invoice on the resend after the workflow start failed', async () => {
    const input = documentInput('medline_810_4010.edi');
    deps.workflows.failNext(new InfrastructureError('Step Functions throttled'));
    await assert.rejects(applySupplierDocument(deps, input), InfrastructureError);
    assert.equal(deps.procurement.invoices.size, 1, 'the case was stored before the start failed');
    assert.equal((await applySupplierDocument(deps, input as SupplierDocumentInput)).status, 'APPLIED');
    assert.equal(deps.workflows.starts.length, 1);
    assert.equal(deps.procurement.invoices.size, 1);
  });
});

describe('executionNameFor', () => {
  it('keeps a valid execution name and hashes anything else into 80 safe characters', () => {
    assert.equal(executionNameFor('REQ-0123ABCD'), 'REQ-0123ABCD');
    const name = executionNameFor('SUP-MEDLINE|INV-7781290|000004732|0001');
    assert.match(name, /^SUP-MEDLINE-INV-7781290-000004732-0001-[0-9a-f]{20}$/);
    assert.notEqual(executionNameFor('A|B'), executionNameFor('A-B'));
    const long = executionNameFor(`${'X'.repeat(120)}|1`);
    assert.ok(long.length <= 80);
    assert.match(long, /^[A-Za-z0-9_-]+$/);
  });
});

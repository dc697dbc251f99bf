import { apiEvent, bodyOf, headerOf } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invoiceCaseIdFor, openInvoiceCase } from '../../../functions/domain/procurement/invoice-case';
import { makeHandler } from '../../../functions/handlers/purchase-order-query';
import type { PurchaseOrderView } from '../../../functions/domain/use-cases/procurement/purchase-order-query';
import { PO_123, PO_124, po123, po124 } from '../domain/use-cases/procurement/edi-support';
import { lambdaContext } from '../fakes';
import type { Fakes } from '../fakes';
import { invoice, receipt } from '../procurement/fixtures';
import { procurementFakeDependencies } from '../procurement-fakes';
import type { ProcurementFakes } from '../procurement-fakes';

const get = (poNumber: string, clientId: string | null) =>
  apiEvent({
    resource: '/v1/purchase-orders/{poNumber}',
    pathParameters: { poNumber },
    headers: { 'X-Correlation-Id': 'corr-query' },
    ...(clientId === null ? {} : { claims: { client_id: clientId, scope: 'hem/po.read' } }),
  });

/** PO 123 (Medline) with a receipt and an invoice; PO 124 belongs to Cardinal. */
const setup = async (): Promise<Fakes & ProcurementFakes> => {
  const deps = procurementFakeDependencies();
  await deps.procurement.createPurchaseOrder(po123());
  await deps.procurement.createPurchaseOrder(po124({ supplierId: 'SUP-CARDINAL' }));
  await deps.procurement.saveReceipt(receipt('RCV-1', [{ poLineNumber: 1, quantity: 10, uom: 'BX' }], PO_123));
  const doc = invoice('INV-1', [{ poLineNumber: 1, quantity: 10, uom: 'BX', unitPrice: 4.5 }], { poNumber: PO_123 });
  await deps.procurement.saveInvoice(doc, openInvoiceCase(doc, { caseId: invoiceCaseIdFor(doc), correlationId: 'corr-po-123' }, deps.clock.now()));
  const other = invoice('INV-2', [{ poLineNumber: 1, quantity: 1, uom: 'BX', unitPrice: 4.5 }], { poNumber: 'HEM-PO-999999' });
  await deps.procurement.saveInvoice(other, openInvoiceCase(other, { caseId: invoiceCaseIdFor(other), correlationId: 'corr-x' }, deps.clock.now()));
  return deps;
};

describe('purchase-order-query handler', () => {
  it('shows a supplier its own PO with its receipts and invoice cases', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(get(PO_123, 'supplier-medline'), lambdaContext());

    assert.equal(response.statusCode, 200);
    assert.equal(headerOf(response, 'X-Correlation-Id'), 'corr-query');
    const view = bodyOf<PurchaseOrderView>(response);
    assert.equal(view.purchaseOrder.poNumber, PO_123);
    assert.equal('version' in view.purchaseOrder, false);
    assert.deepEqual(
      view.receipts.map((r) => r.receiptId),
      ['RCV-1'],
    );
    assert.deepEqual(
      view.invoiceCases.map((c) => [c.invoiceNumber, c.status]),
      [['INV-1', 'OPEN']],
    );
  });

  it('answers 404 — exactly as for a PO that does not exist — when a supplier asks for another supplier’s PO', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    const foreign = await handler(get(PO_124, 'supplier-medline'), lambdaContext());
    const missing = await handler(get('HEM-PO-000999', 'supplier-medline'), lambdaContext());

    assert.equal(foreign.statusCode, 404);
    assert.equal(missing.statusCode, 404);
    assert.equal(headerOf(foreign, 'Content-Type'), 'application/problem+json');
    const { detail: foreignDetail, ...foreignRest } = bodyOf(foreign);
    const { detail: missingDetail, ...missingRest } = bodyOf(missing);
    assert.deepEqual(foreignRest, missingRest);
    assert.equal(String(foreignDetail).replace(PO_124, 'X'), String(missingDetail).replace('HEM-PO-000999', 'X'));
    assert.equal(JSON.stringify(bodyOf(foreign)).includes('CARDINAL'), false);
  });

  it('shows hospital clients every PO', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    for (const clientId of ['ap-clerk', 'ops-console', 'receiving-dock', 'saas-procurement']) {
      const response = await handler(get(PO_124, clientId), lambdaContext());
      assert.equal(response.statusCode, 200, clientId);
      assert.equal(bodyOf<PurchaseOrderView>(response).purchaseOrder.supplierId, 'SUP-CARDINAL');
    }
  });

  it('answers 401 without an authenticated client and 400 for an unusable PO number', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    assert.equal((await handler(get(PO_123, null), lambdaContext())).statusCode, 401);
    assert.equal((await handler(get('x'.repeat(200), 'ap-clerk'), lambdaContext())).statusCode, 400);
  });
});

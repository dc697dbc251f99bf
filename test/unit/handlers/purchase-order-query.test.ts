import { apiEvent, bodyOf, headerOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { invoiceCaseIdFor, openInvoiceCase } from '../../../functions/domain/procurement/invoice-case';
import { makeHandler } from '../../../functions/handlers/purchase-order-query';
import type { PurchaseOrderView } from '../../../functions/domain/use-cases/procurement/purchase-order-query';
import { PO_123, PO_124, po123, po124 } from '../domain/use-cases/procurement/edi-support';
import { lambdaContext } from '../fakes';
import type { Fakes } from '../fakes';
import { invoice, receipt } from '../procurement/fixtures';
import { procurementFakeDependencies } from '../procurement-fakes';
import type { ProcurementFakes } from '../procurement-fakes';

const get = (poNumber: string, clientId: string | null, scope = 'hem/po.read') =>
  apiEvent({
    resource: '/v1/purchase-orders/{poNumber}',
    pathParameters: { poNumber },
    requestId: 'corr-query',
    ...(clientId === null ? {} : { claims: { client_id: clientId, scope } }),
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

    expect(response.statusCode).toBe(200);
    expect(headerOf(response, 'X-Correlation-Id')).toBe('corr-query');
    const view = bodyOf<PurchaseOrderView>(response);
    expect(view.purchaseOrder.poNumber).toBe(PO_123);
    expect('version' in view.purchaseOrder).toBe(false);
    expect(view.receipts.map((r) => r.receiptId)).toStrictEqual(['RCV-1']);
    expect(view.invoiceCases.map((c) => [c.invoiceNumber, c.status])).toStrictEqual([['INV-1', 'OPEN']]);
  });

  it('answers 404 — exactly as for a PO that does not exist — when a supplier asks for another supplier’s PO', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    const foreign = await handler(get(PO_124, 'supplier-medline'), lambdaContext());
    const missing = await handler(get('HEM-PO-000999', 'supplier-medline'), lambdaContext());

    expect(foreign.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(headerOf(foreign, 'Content-Type')).toBe('application/problem+json');
    const { detail: foreignDetail, ...foreignRest } = bodyOf(foreign);
    const { detail: missingDetail, ...missingRest } = bodyOf(missing);
    expect(foreignRest).toStrictEqual(missingRest);
    expect(String(foreignDetail).replace(PO_124, 'X')).toBe(String(missingDetail).replace('HEM-PO-000999', 'X'));
    expect(JSON.stringify(bodyOf(foreign)).includes('CARDINAL')).toBe(false);
  });

  it('shows hospital clients holding hem/po.read.all every PO', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    for (const clientId of ['ap-clerk', 'ops-console', 'receiving-dock', 'saas-procurement']) {
      const response = await handler(get(PO_124, clientId, 'hem/po.read hem/po.read.all'), lambdaContext());
      expect(response.statusCode).toBe(200);
      expect(bodyOf<PurchaseOrderView>(response).purchaseOrder.supplierId).toBe('SUP-CARDINAL');
    }
  });

  it('regression #12: answers 404 to a client bound to no supplier that holds hem/po.read but not hem/po.read.all (deny by default)', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    const unbound = await handler(get(PO_124, 'some-new-partner', 'hem/po.read'), lambdaContext());
    const missing = await handler(get('HEM-PO-000999', 'some-new-partner', 'hem/po.read'), lambdaContext());
    expect([unbound.statusCode, missing.statusCode]).toStrictEqual([404, 404]);
    const { detail: unboundDetail, ...unboundRest } = bodyOf(unbound);
    const { detail: missingDetail, ...missingRest } = bodyOf(missing);
    expect(unboundRest).toStrictEqual(missingRest);
    expect(String(unboundDetail).replace(PO_124, 'X')).toBe(String(missingDetail).replace('HEM-PO-000999', 'X'));
  });

  it("shows a supplier's client only its own POs even when it holds hem/po.read.all", async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    expect((await handler(get(PO_124, 'supplier-medline', 'hem/po.read hem/po.read.all'), lambdaContext())).statusCode).toBe(404);
    expect((await handler(get(PO_123, 'supplier-medline', 'hem/po.read hem/po.read.all'), lambdaContext())).statusCode).toBe(200);
  });

  it('answers 401 without an authenticated client and 400 for an unusable PO number', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    expect((await handler(get(PO_123, null), lambdaContext())).statusCode).toBe(401);
    expect((await handler(get('x'.repeat(200), 'ap-clerk'), lambdaContext())).statusCode).toBe(400);
  });
});

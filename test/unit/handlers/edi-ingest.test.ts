import { apiEvent, bodyOf, headerOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { InfrastructureError } from '../../../functions/domain/errors';
import { makeHandler, X12_CONTENT_TYPE } from '../../../functions/handlers/edi-ingest';
import { PO_123, PO_124, po123, po124 } from '../domain/use-cases/procurement/edi-support';
import { lambdaContext } from '../fakes';
import { procurementFakeDependencies } from '../procurement-fakes';
import type { ProcurementFakes } from '../procurement-fakes';
import type { Fakes } from '../fakes';
import { readX12Fixture } from '../x12/support';

const post = (body: string, options: { clientId?: string | null; headers?: Record<string, string>; contentType?: string } = {}) =>
  apiEvent({
    method: 'POST',
    resource: '/v1/edi/x12',
    body,
    headers: { 'Content-Type': options.contentType ?? 'application/edi-x12', ...(options.headers ?? {}) },
    ...(options.clientId === null ? {} : { claims: { client_id: options.clientId ?? 'supplier-medline', scope: 'hem/edi.write' } }),
  });

/** Fakes with both Medline POs of the fixtures. */
const setup = async (): Promise<Fakes & ProcurementFakes> => {
  const deps = procurementFakeDependencies();
  await deps.procurement.createPurchaseOrder(po123());
  await deps.procurement.createPurchaseOrder(po124());
  return deps;
};

/** The segments of an acknowledgment interchange, without the envelope's own control segments. */
const segments = (ack: string, id: string): string[] =>
  ack
    .split('~')
    .map((s) => s.trim())
    .filter((s) => s.startsWith(`${id}*`) || s === id);

describe('edi-ingest handler', () => {
  it('answers a 5010 855 with a 999 accepting it (IK5 A) and acknowledges the PO', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(readX12Fixture('medline_855_5010.edi')), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(headerOf(response, 'Content-Type')).toBe(X12_CONTENT_TYPE);
    expect(headerOf(response, 'X-Correlation-Id')).toBe('corr-po-123');
    expect(response.body).toMatch(/^ISA\*00\*.{10}\*00\*.{10}\*ZZ\*HEMHOSPITAL {4}\*ZZ\*MEDLINE {8}\*/);
    expect(segments(response.body, 'ST')).toStrictEqual(['ST*999*0001*005010X231A1']);
    expect(segments(response.body, 'AK1')).toStrictEqual(['AK1*PR*4711*005010']);
    expect(segments(response.body, 'IK5')).toStrictEqual(['IK5*A']);
    expect(segments(response.body, 'AK9')).toStrictEqual(['AK9*A*1*1*1']);

    const po = await deps.procurement.getPurchaseOrder(PO_123);
    expect(po?.status).toBe('ACKNOWLEDGED');
    expect(po?.version).toBe(2);
    expect(deps.events.ofType('PurchaseOrderAcknowledged').length).toBe(1);
    expect(deps.controlNumbers.counters.get('SUP-MEDLINE')).toStrictEqual(2);
  });

  it('answers a resent 855 with the same 999 and leaves the PO as it was', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    const first = await handler(post(readX12Fixture('medline_855_5010.edi')), lambdaContext());
    deps.clock.advance(60_000);
    const resent = await handler(post(readX12Fixture('medline_855_5010.edi'), { headers: { 'X-Correlation-Id': 'corr-resend' } }), lambdaContext());

    expect(resent.statusCode).toBe(200);
    expect(resent.body).toBe(first.body);
    expect(headerOf(resent, 'X-Correlation-Id')).toBe('corr-po-123');
    expect((await deps.procurement.getPurchaseOrder(PO_123))?.version).toBe(2);
    expect(deps.events.ofType('PurchaseOrderAcknowledged').length).toBe(1);
  });

  it('accepts a re-wrapped resend (same ISA13/GS06/ST02, other line breaks) without applying it twice', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    await handler(post(readX12Fixture('medline_855_5010.edi')), lambdaContext());
    const rewrapped = readX12Fixture('medline_855_5010.edi').replaceAll('~\n', '~\r\n');
    const resent = await handler(post(rewrapped), lambdaContext());

    expect(resent.statusCode).toBe(200);
    expect(segments(resent.body, 'IK5')).toStrictEqual(['IK5*A']);
    expect((await deps.procurement.getPurchaseOrder(PO_123))?.version).toBe(2);
    expect(deps.events.ofType('PurchaseOrderAcknowledged').length).toBe(1);
    expect(deps.transactions.hopNames('corr-po-123').includes('duplicate')).toBeTruthy();
  });

  it('answers a 4010 810 with a 997 and opens the invoice case and its workflow', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(readX12Fixture('medline_810_4010.edi'), { contentType: 'text/plain' }), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(segments(response.body, 'ST')).toStrictEqual(['ST*997*0001']);
    expect(segments(response.body, 'AK5')).toStrictEqual(['AK5*A']);
    expect(segments(response.body, 'IK5').length).toBe(0);
    expect(deps.procurement.invoices.size).toBe(1);
    const [stored] = deps.procurement.invoices.values();
    expect(stored?.invoiceCase.poNumber).toBe(PO_124);
    expect(stored?.invoiceCase.status).toBe('OPEN');
    expect(deps.workflows.starts.length).toBe(1);
    expect(deps.workflows.starts[0]?.workflow).toBe('ReceiptToInvoice');
  });

  it('rejects an 855 whose SE count is wrong with IK5 R code 4 and applies nothing', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(readX12Fixture('medline_855_bad_se_count.edi')), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(segments(response.body, 'IK5')).toStrictEqual(['IK5*R*4']);
    expect((await deps.procurement.getPurchaseOrder(PO_123))?.status).toBe('ISSUED');
    expect(deps.events.events.length).toBe(0);
    expect(deps.ediDocuments.documents.size).toBe(0);
    expect(deps.transactions.hops.map((h) => [h.hop, h.detail?.reason])).toStrictEqual([['rejected', 'ENVELOPE']]);
  });

  it('answers a broken envelope (IEA02 ≠ ISA13) with a TA1 rejection and applies nothing', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(readX12Fixture('medline_810_bad_iea_control.edi')), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(segments(response.body, 'TA1')).toStrictEqual(['TA1*000004761*260305*1432*R*001']);
    expect(segments(response.body, 'ST').length).toBe(0);
    expect(deps.procurement.invoices.size).toBe(0);
    expect(deps.workflows.starts.length).toBe(0);
  });

  it('rejects the sets another supplier’s client submits in Medline’s name, like an unknown sender', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(readX12Fixture('medline_855_5010.edi'), { clientId: 'supplier-cardinal' }), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(segments(response.body, 'IK5')).toStrictEqual(['IK5*R*1']);
    const po = await deps.procurement.getPurchaseOrder(PO_123);
    expect(po?.status).toBe('ISSUED');
    expect(po?.version).toBe(1);
    expect(deps.events.events.length).toBe(0);
    expect(deps.transactions.hops.map((h) => h.detail?.reason)).toStrictEqual(['UNKNOWN_SENDER']);
  });

  it('acknowledges an 855 for an unknown PO and records the exception instead of dropping it', async () => {
    const deps = await setup();
    deps.procurement.purchaseOrders.delete(PO_123);
    const response = await makeHandler(deps)(post(readX12Fixture('medline_855_5010.edi'), { headers: { 'X-Correlation-Id': 'corr-unknown' } }), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(segments(response.body, 'IK5')).toStrictEqual(['IK5*A']);
    expect(deps.transactions.hopNames('corr-unknown')).toStrictEqual(['exception']);
    expect(deps.events.ofType('ProcurementAlertRaised').length).toBe(1);
  });

  it('answers 400 problem+json when the body is not X12 at all', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post('hello, this is not an interchange', { headers: { 'X-Correlation-Id': 'corr-junk' } }), lambdaContext());

    expect(response.statusCode).toBe(400);
    expect(headerOf(response, 'Content-Type')).toBe('application/problem+json');
    expect(bodyOf(response).correlationId).toBe('corr-junk');
    expect(deps.controlNumbers.counters.size).toBe(0);
  });

  it('answers 401 without an authenticated client', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(readX12Fixture('medline_855_5010.edi'), { clientId: null }), lambdaContext());
    expect(response.statusCode).toBe(401);
    expect(deps.events.events.length).toBe(0);
  });

  it('answers 503 when the bus fails, and the supplier’s resend applies the 855 exactly once', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    deps.events.failNext(new InfrastructureError('PutEvents failed'));
    const failed = await handler(post(readX12Fixture('medline_855_5010.edi')), lambdaContext());
    expect(failed.statusCode).toBe(503);
    expect(headerOf(failed, 'Content-Type')).toBe('application/problem+json');

    const resent = await handler(post(readX12Fixture('medline_855_5010.edi')), lambdaContext());
    expect(resent.statusCode).toBe(200);
    expect(segments(resent.body, 'IK5')).toStrictEqual(['IK5*A']);
    expect((await deps.procurement.getPurchaseOrder(PO_123))?.status).toBe('ACKNOWLEDGED');
    expect(deps.events.ofType('PurchaseOrderAcknowledged').length).toBe(1);
  });
});

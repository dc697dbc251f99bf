import { apiEvent, bodyOf, headerOf } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

    assert.equal(response.statusCode, 200);
    assert.equal(headerOf(response, 'Content-Type'), X12_CONTENT_TYPE);
    assert.equal(headerOf(response, 'X-Correlation-Id'), 'corr-po-123', 'the PO’s transaction');
    assert.match(response.body, /^ISA\*00\*.{10}\*00\*.{10}\*ZZ\*HEMHOSPITAL {4}\*ZZ\*MEDLINE {8}\*/);
    assert.deepEqual(segments(response.body, 'ST'), ['ST*999*0001*005010X231A1']);
    assert.deepEqual(segments(response.body, 'AK1'), ['AK1*PR*4711*005010']);
    assert.deepEqual(segments(response.body, 'IK5'), ['IK5*A']);
    assert.deepEqual(segments(response.body, 'AK9'), ['AK9*A*1*1*1']);

    const po = await deps.procurement.getPurchaseOrder(PO_123);
    assert.equal(po?.status, 'ACKNOWLEDGED');
    assert.equal(po?.version, 2);
    assert.equal(deps.events.ofType('PurchaseOrderAcknowledged').length, 1);
    assert.deepEqual(deps.controlNumbers.counters.get('SUP-MEDLINE'), 2, 'one number per interchange and group reserved');
  });

  it('answers a resent 855 with the same 999 and leaves the PO as it was', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    const first = await handler(post(readX12Fixture('medline_855_5010.edi')), lambdaContext());
    deps.clock.advance(60_000);
    const resent = await handler(post(readX12Fixture('medline_855_5010.edi'), { headers: { 'X-Correlation-Id': 'corr-resend' } }), lambdaContext());

    assert.equal(resent.statusCode, 200);
    assert.equal(resent.body, first.body);
    assert.equal(headerOf(resent, 'X-Correlation-Id'), 'corr-po-123');
    assert.equal((await deps.procurement.getPurchaseOrder(PO_123))?.version, 2);
    assert.equal(deps.events.ofType('PurchaseOrderAcknowledged').length, 1);
  });

  it('accepts a re-wrapped resend (same ISA13/GS06/ST02, other line breaks) without applying it twice', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    await handler(post(readX12Fixture('medline_855_5010.edi')), lambdaContext());
    const rewrapped = readX12Fixture('medline_855_5010.edi').replaceAll('~\n', '~\r\n');
    const resent = await handler(post(rewrapped), lambdaContext());

    assert.equal(resent.statusCode, 200);
    assert.deepEqual(segments(resent.body, 'IK5'), ['IK5*A']);
    assert.equal((await deps.procurement.getPurchaseOrder(PO_123))?.version, 2);
    assert.equal(deps.events.ofType('PurchaseOrderAcknowledged').length, 1);
    assert.ok(deps.transactions.hopNames('corr-po-123').includes('duplicate'));
  });

  it('answers a 4010 810 with a 997 and opens the invoice case and its workflow', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(readX12Fixture('medline_810_4010.edi'), { contentType: 'text/plain' }), lambdaContext());

    assert.equal(response.statusCode, 200);
    assert.deepEqual(segments(response.body, 'ST'), ['ST*997*0001']);
    assert.deepEqual(segments(response.body, 'AK5'), ['AK5*A']);
    assert.equal(segments(response.body, 'IK5').length, 0);
    assert.equal(deps.procurement.invoices.size, 1);
    const [stored] = deps.procurement.invoices.values();
    assert.equal(stored?.invoiceCase.poNumber, PO_124);
    assert.equal(stored?.invoiceCase.status, 'OPEN');
    assert.equal(deps.workflows.starts.length, 1);
    assert.equal(deps.workflows.starts[0]?.workflow, 'ReceiptToInvoice');
  });

  it('rejects an 855 whose SE count is wrong with IK5 R code 4 and applies nothing', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(readX12Fixture('medline_855_bad_se_count.edi')), lambdaContext());

    assert.equal(response.statusCode, 200);
    assert.deepEqual(segments(response.body, 'IK5'), ['IK5*R*4']);
    assert.equal((await deps.procurement.getPurchaseOrder(PO_123))?.status, 'ISSUED');
    assert.equal(deps.events.events.length, 0);
    assert.equal(deps.ediDocuments.documents.size, 0);
    assert.deepEqual(
      deps.transactions.hops.map((h) => [h.hop, h.detail?.reason]),
      [['rejected', 'ENVELOPE']],
    );
  });

  it('answers a broken envelope (IEA02 ≠ ISA13) with a TA1 rejection and applies nothing', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(readX12Fixture('medline_810_bad_iea_control.edi')), lambdaContext());

    assert.equal(response.statusCode, 200);
    assert.deepEqual(segments(response.body, 'TA1'), ['TA1*000004761*260305*1432*R*001']);
    assert.equal(segments(response.body, 'ST').length, 0, 'no functional acknowledgment for a rejected interchange');
    assert.equal(deps.procurement.invoices.size, 0);
    assert.equal(deps.workflows.starts.length, 0);
  });

  it('rejects the sets another supplier’s client submits in Medline’s name, like an unknown sender', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(readX12Fixture('medline_855_5010.edi'), { clientId: 'supplier-cardinal' }), lambdaContext());

    assert.equal(response.statusCode, 200);
    assert.deepEqual(segments(response.body, 'IK5'), ['IK5*R*1']);
    const po = await deps.procurement.getPurchaseOrder(PO_123);
    assert.equal(po?.status, 'ISSUED');
    assert.equal(po?.version, 1);
    assert.equal(deps.events.events.length, 0);
    assert.deepEqual(
      deps.transactions.hops.map((h) => h.detail?.reason),
      ['UNKNOWN_SENDER'],
    );
  });

  it('acknowledges an 855 for an unknown PO and records the exception instead of dropping it', async () => {
    const deps = await setup();
    deps.procurement.purchaseOrders.delete(PO_123);
    const response = await makeHandler(deps)(post(readX12Fixture('medline_855_5010.edi'), { headers: { 'X-Correlation-Id': 'corr-unknown' } }), lambdaContext());

    assert.equal(response.statusCode, 200);
    assert.deepEqual(segments(response.body, 'IK5'), ['IK5*A']);
    assert.deepEqual(deps.transactions.hopNames('corr-unknown'), ['exception']);
    assert.equal(deps.events.ofType('ProcurementAlertRaised').length, 1);
  });

  it('answers 400 problem+json when the body is not X12 at all', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post('hello, this is not an interchange', { headers: { 'X-Correlation-Id': 'corr-junk' } }), lambdaContext());

    assert.equal(response.statusCode, 400);
    assert.equal(headerOf(response, 'Content-Type'), 'application/problem+json');
    assert.equal(bodyOf(response).correlationId, 'corr-junk');
    assert.equal(deps.controlNumbers.counters.size, 0, 'no control numbers burnt');
  });

  it('answers 401 without an authenticated client', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(readX12Fixture('medline_855_5010.edi'), { clientId: null }), lambdaContext());
    assert.equal(response.statusCode, 401);
    assert.equal(deps.events.events.length, 0);
  });

  it('answers 503 when the bus fails, and the supplier’s resend applies the 855 exactly once', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    deps.events.failNext(new InfrastructureError('PutEvents failed'));
    const failed = await handler(post(readX12Fixture('medline_855_5010.edi')), lambdaContext());
    assert.equal(failed.statusCode, 503);
    assert.equal(headerOf(failed, 'Content-Type'), 'application/problem+json');

    const resent = await handler(post(readX12Fixture('medline_855_5010.edi')), lambdaContext());
    assert.equal(resent.statusCode, 200);
    assert.deepEqual(segments(resent.body, 'IK5'), ['IK5*A']);
    assert.equal((await deps.procurement.getPurchaseOrder(PO_123))?.status, 'ACKNOWLEDGED');
    assert.equal(deps.events.ofType('PurchaseOrderAcknowledged').length, 1);
  });
});

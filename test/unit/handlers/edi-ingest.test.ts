import { apiEvent, bodyOf, headerOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { MAX_X12_PAYLOAD_BYTES, MAX_X12_TRANSACTION_SETS } from '../../../functions/adapters/x12';
import { InfrastructureError } from '../../../functions/domain/errors';
import { makeHandler, X12_CONTENT_TYPE } from '../../../functions/handlers/edi-ingest';
import { PO_123, PO_124, po123, po124 } from '../domain/use-cases/procurement/edi-support';
import { lambdaContext } from '../fakes';
import { procurementFakeDependencies } from '../procurement-fakes';
import type { ProcurementFakes } from '../procurement-fakes';
import type { Fakes } from '../fakes';
import { readX12Fixture } from '../x12/support';

/** `requestId` is API Gateway's request id: the transaction id HEM gives the request. */
const post = (body: string, options: { clientId?: string | null; headers?: Record<string, string>; contentType?: string; requestId?: string } = {}) =>
  apiEvent({
    method: 'POST',
    resource: '/v1/edi/x12',
    body,
    ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
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
    const resent = await handler(post(readX12Fixture('medline_855_5010.edi'), { requestId: 'corr-resend' }), lambdaContext());

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

  it('rejects an 855 for a PO that does not exist with IK5 R naming BAK03, and applies nothing', async () => {
    const deps = await setup();
    deps.procurement.purchaseOrders.delete(PO_123);
    const response = await makeHandler(deps)(post(readX12Fixture('medline_855_5010.edi'), { requestId: 'corr-unknown' }), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(segments(response.body, 'IK3')).toStrictEqual(['IK3*BAK*2**8']);
    expect(segments(response.body, 'IK4')).toStrictEqual([`IK4*3*324*7*${PO_123}`]);
    expect(segments(response.body, 'IK5')).toStrictEqual(['IK5*R*5']);
    expect(segments(response.body, 'AK9')).toStrictEqual(['AK9*R*1*1*0']);
    expect(deps.transactions.hops.map((h) => [h.correlationId, h.hop, h.detail?.reason])).toStrictEqual([['corr-unknown', 'rejected', 'UNKNOWN_PURCHASE_ORDER']]);
    expect(deps.events.events.length).toBe(0);
    expect(deps.ediDocuments.documents.size).toBe(0);
  });

  it('answers 400 problem+json when the body is not X12 at all', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post('hello, this is not an interchange', { requestId: 'corr-junk' }), lambdaContext());

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

/** A Medline fixture re-addressed as sent by another supplier (ISA06/GS02), e.g. Cardinal's `CARDINAL`. */
const sentBy = (text: string, isaId: string): string => text.replace('*ZZ*MEDLINE        *', `*ZZ*${isaId.padEnd(15)}*`).replace(/^GS\*(\w\w)\*MEDLINE\*/m, `GS*$1*${isaId}*`);

/** One 5010 interchange of `count` 810s (distinct invoice numbers) on `poNumber`, built from medline_810_5010. */
const invoices810 = (count: number, poNumber = PO_123): string => {
  const lines = readX12Fixture('medline_810_5010.edi').split('\n').filter((l) => l.trim() !== '');
  const [isa, gs] = lines;
  const body = lines.slice(2, -2);
  const sets = Array.from({ length: count }, (_, i) => {
    const control = String(i + 1).padStart(4, '0');
    return body.map((l) => l.replace('ST*810*0001', `ST*810*${control}`).replace('SE*17*0001', `SE*17*${control}`).replace('INV-7781204', `INV-${i + 1}`).replace(PO_123, poNumber));
  });
  return [isa, gs, ...sets.flat(), `GE*${count}*4731~`, 'IEA*1*000004731~', ''].join('\n');
};

describe('edi-ingest handler: partner trust (#12)', () => {
  it('rejects an 810 a supplier sends on another supplier’s PO (IK5 R, IK3/IK4 on BIG04) and stores no invoice case', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(sentBy(readX12Fixture('medline_810_5010.edi'), 'CARDINAL'), { clientId: 'supplier-cardinal', requestId: 'corr-attack' }), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(headerOf(response, 'X-Correlation-Id')).toBe('corr-attack');
    expect(segments(response.body, 'IK3')).toStrictEqual(['IK3*BIG*2**8']);
    expect(segments(response.body, 'IK4')).toStrictEqual([`IK4*4*324*7*${PO_123}`]);
    expect(segments(response.body, 'IK5')).toStrictEqual(['IK5*R*5']);
    expect(segments(response.body, 'AK9')).toStrictEqual(['AK9*R*1*1*0']);
    expect(deps.procurement.invoices.size).toBe(0);
    expect(deps.workflows.starts.length).toBe(0);
    expect(deps.events.events.length).toBe(0);
    expect(deps.ediDocuments.documents.size).toBe(0);
    expect(deps.transactions.hopNames('corr-po-123')).toStrictEqual([]);
    expect(deps.transactions.hops.map((h) => [h.correlationId, h.hop, h.detail?.reason])).toStrictEqual([['corr-attack', 'rejected', 'UNKNOWN_PURCHASE_ORDER']]);
  });

  it('answers an 810 on a PO that does not exist exactly as one on another supplier’s PO (no existence oracle)', async () => {
    const foreign = await makeHandler(await setup())(post(sentBy(readX12Fixture('medline_810_5010.edi'), 'CARDINAL'), { clientId: 'supplier-cardinal' }), lambdaContext());
    const missing = await makeHandler(await setup())(
      post(sentBy(readX12Fixture('medline_810_5010.edi'), 'CARDINAL').replace(PO_123, 'HEM-PO-999999'), { clientId: 'supplier-cardinal' }),
      lambdaContext(),
    );

    expect(missing.statusCode).toBe(foreign.statusCode);
    expect(missing.body.replace('HEM-PO-999999', '<PO>')).toBe(foreign.body.replace(PO_123, '<PO>'));
  });

  it('rejects a 4010 810 on another supplier’s PO with AK3/AK4 on BIG04 and AK5 R', async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(sentBy(readX12Fixture('medline_810_4010.edi'), 'CARDINAL'), { clientId: 'supplier-cardinal' }), lambdaContext());

    expect(segments(response.body, 'ST')).toStrictEqual(['ST*997*0001']);
    expect(segments(response.body, 'AK3')).toStrictEqual(['AK3*BIG*2**8']);
    expect(segments(response.body, 'AK4')).toStrictEqual([`AK4*4*324*7*${PO_124}`]);
    expect(segments(response.body, 'AK5')).toStrictEqual(['AK5*R*5']);
    expect(deps.procurement.invoices.size).toBe(0);
  });

  it('rejects an 855 and an 856 on another supplier’s PO (IK3/IK4 on BAK03 / PRF01) and leaves that PO untouched', async () => {
    const deps = await setup();
    const handler = makeHandler(deps);
    const ack = await handler(post(sentBy(readX12Fixture('medline_855_5010.edi'), 'CARDINAL'), { clientId: 'supplier-cardinal' }), lambdaContext());
    const asn = await handler(post(sentBy(readX12Fixture('medline_856_5010.edi'), 'CARDINAL'), { clientId: 'supplier-cardinal' }), lambdaContext());

    expect(segments(ack.body, 'IK3')).toStrictEqual(['IK3*BAK*2**8']);
    expect(segments(ack.body, 'IK4')).toStrictEqual([`IK4*3*324*7*${PO_123}`]);
    expect(segments(ack.body, 'IK5')).toStrictEqual(['IK5*R*5']);
    expect(segments(asn.body, 'IK3')).toStrictEqual(['IK3*PRF*12*HL*8']);
    expect(segments(asn.body, 'IK4')).toStrictEqual([`IK4*1*324*7*${PO_123}`]);
    expect(segments(asn.body, 'IK5')).toStrictEqual(['IK5*R*5']);
    const po = await deps.procurement.getPurchaseOrder(PO_123);
    expect(po?.status).toBe('ISSUED');
    expect(po?.version).toBe(1);
    expect(deps.events.events.length).toBe(0);
    expect(deps.transactions.hops.map((h) => h.detail?.reason)).toStrictEqual(['UNKNOWN_PURCHASE_ORDER', 'UNKNOWN_PURCHASE_ORDER']);
  });

  it('rejects every set of a group whose GS02 is not the interchange sender ISA06 (IK5 R, AK9 R) and applies nothing', async () => {
    const deps = await setup();
    const text = readX12Fixture('medline_855_5010.edi').replace('GS*PR*MEDLINE*', 'GS*PR*CARDINAL*');
    const response = await makeHandler(deps)(post(text), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(segments(response.body, 'IK5')).toStrictEqual(['IK5*R*1']);
    expect(segments(response.body, 'AK9')).toStrictEqual(['AK9*R*1*1*0']);
    expect((await deps.procurement.getPurchaseOrder(PO_123))?.version).toBe(1);
    expect(deps.events.events.length).toBe(0);
    expect(deps.transactions.hops.map((h) => h.detail?.reason)).toStrictEqual(['GROUP_SENDER_MISMATCH']);
  });

  it(`accepts an interchange of exactly ${MAX_X12_TRANSACTION_SETS} 810s on the supplier’s own PO`, async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(invoices810(MAX_X12_TRANSACTION_SETS)), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(segments(response.body, 'AK9')).toStrictEqual([`AK9*A*${MAX_X12_TRANSACTION_SETS}*${MAX_X12_TRANSACTION_SETS}*${MAX_X12_TRANSACTION_SETS}`]);
    expect(deps.procurement.invoices.size).toBe(MAX_X12_TRANSACTION_SETS);
  });

  it(`answers an interchange of more than ${MAX_X12_TRANSACTION_SETS} sets with a TA1 rejection (024), applies none and records one hop per set at most up to the cap`, async () => {
    const deps = await setup();
    const response = await makeHandler(deps)(post(invoices810(MAX_X12_TRANSACTION_SETS * 4)), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(segments(response.body, 'TA1')).toStrictEqual(['TA1*000004731*260305*1432*R*024']);
    expect(segments(response.body, 'ST').length).toBe(0);
    expect(deps.procurement.invoices.size).toBe(0);
    expect(deps.events.events.length).toBe(0);
    expect(deps.transactions.hops.length).toBe(MAX_X12_TRANSACTION_SETS + 1);
    expect(new Set(deps.transactions.hops.map((h) => h.detail?.reason))).toStrictEqual(new Set(['TOO_MANY_TRANSACTION_SETS']));
  });

  it(`refuses a body over ${MAX_X12_PAYLOAD_BYTES} bytes with 400 problem+json naming the cap, never a 500`, async () => {
    const deps = await setup();
    const text = readX12Fixture('medline_855_5010.edi');
    const response = await makeHandler(deps)(post(text + ' '.repeat(MAX_X12_PAYLOAD_BYTES)), lambdaContext());

    expect(response.statusCode).toBe(400);
    expect(headerOf(response, 'Content-Type')).toBe('application/problem+json');
    expect(String(bodyOf(response).detail)).toContain(String(MAX_X12_PAYLOAD_BYTES));
    expect(deps.controlNumbers.counters.size).toBe(0);
  });
});

import { apiEvent, bodyOf, headerOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { makeHandler as makeInvoiceApi } from '../../../functions/handlers/invoice-api';
import { makeHandler as makeMatchInvoice } from '../../../functions/handlers/match-invoice';
import { makeHandler as makePrepareApVoucher } from '../../../functions/handlers/prepare-ap-voucher';
import { makeHandler as makeReceiptApi } from '../../../functions/handlers/receipt-api';
import { makeHandler as makeRaiseInvoiceAlert } from '../../../functions/handlers/raise-invoice-alert';
import { makeHandler as makeRecordApVoucher } from '../../../functions/handlers/record-ap-voucher';
import { lambdaContext } from '../fakes';
import {
  CORRELATION_ID,
  dockReceipt,
  glovesInvoice,
  PO_NUMBER,
  receiptInvoiceFakes,
  receiveInvoice,
  type ReceiptInvoiceFakes,
} from '../procurement/receipt-invoice-fixtures';

const AP_CLIENT = { client_id: 'ap-workbench', scope: 'hem/invoice.read hem/invoice.read.all hem/invoice.resolve' };
const DOCK_CLIENT = { client_id: 'dock-scanner-nmc', scope: 'hem/receipt.write' };
const MEDLINE = { client_id: 'supplier-medline', scope: 'hem/invoice.read' };
const CARDINAL = { client_id: 'supplier-cardinal', scope: 'hem/invoice.read hem/invoice.read.all hem/invoice.resolve' };
/** Bound to no supplier, and without the AP scope hem/invoice.read.all. */
const UNSCOPED = { client_id: 'epic-ehr', scope: 'hem/invoice.read hem/invoice.resolve' };

const postReceipt = async (deps: ReceiptInvoiceFakes, body: unknown): ReturnType<ReturnType<typeof makeReceiptApi>> =>
  makeReceiptApi(deps)(
    apiEvent({ method: 'POST', resource: '/v1/receipts', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' }, claims: DOCK_CLIENT }),
    lambdaContext(),
  );

const invoiceApi = (deps: ReceiptInvoiceFakes, input: Parameters<typeof apiEvent>[0]): ReturnType<ReturnType<typeof makeInvoiceApi>> =>
  makeInvoiceApi(deps)(apiEvent(input), lambdaContext());

/** All 200 EA received, an invoice of 2 CS at `unitPrice` received and matched by the task handler. */
const matchedInvoice = async (deps: ReceiptInvoiceFakes, invoiceNumber: string, unitPrice: number): Promise<string> => {
  expect((await postReceipt(deps, dockReceipt('RCV-1', [{ quantity: 120, uom: 'EA' }]))).statusCode).toBe(201);
  expect((await postReceipt(deps, dockReceipt('RCV-2', [{ quantity: 80, uom: 'EA' }]))).statusCode).toBe(201);
  const caseId = await receiveInvoice(deps, glovesInvoice(invoiceNumber, [{ quantity: 2, uom: 'CS', unitPrice }]));
  await makeMatchInvoice(deps)({ caseId, eventBusName: 'hem-test' }, lambdaContext());
  return caseId;
};

describe('ReceiptApi POST /v1/receipts', () => {
  it('answers 201 with the receipt, the PO transaction and the stock it changed', async () => {
    const deps = receiptInvoiceFakes();
    const res = await postReceipt(deps, dockReceipt('RCV-100', [{ quantity: 5, uom: 'BX' }]));
    expect(res.statusCode).toBe(201);
    expect(headerOf(res, 'Content-Type')).toBe('application/json');
    const body = bodyOf<{ receiptId: string; poNumber: string; correlationId: string; poStatus: string; stock: { onHand: number; onOrder: number }[] }>(res);
    expect([body.receiptId, body.poNumber, body.correlationId, body.poStatus]).toStrictEqual(['RCV-100', PO_NUMBER, CORRELATION_ID, 'PARTIALLY_RECEIVED']);
    expect(body.stock.map((s) => [s.onHand, s.onOrder])).toStrictEqual([[300, 150]]);
    expect(deps.audit.records.at(-1)?.actor).toBe('dock-scanner-nmc');
  });

  it('answers 200 with duplicate: true when the dock sends the same receipt again', async () => {
    const deps = receiptInvoiceFakes();
    await postReceipt(deps, dockReceipt('RCV-100', [{ quantity: 5, uom: 'BX' }]));
    const res = await postReceipt(deps, dockReceipt('RCV-100', [{ quantity: 5, uom: 'BX' }]));
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res).duplicate).toBe(true);
    expect((await deps.inventory.getPosition('NMC-CATH', 'ITM-10003'))?.onHand).toBe(300);
  });

  it('answers 400 naming the field for a malformed body', async () => {
    const deps = receiptInvoiceFakes();
    const res = await postReceipt(deps, { ...dockReceipt('RCV-101', [{ quantity: 5, uom: 'BX' }]), lines: [{ poLineNumber: 1, quantity: -5, uom: 'BX' }] });
    expect(res.statusCode).toBe(400);
    expect(headerOf(res, 'Content-Type')).toBe('application/problem+json');
    expect(bodyOf(res).location).toBe('lines[0].quantity');
    const missing = await postReceipt(deps, { poNumber: PO_NUMBER, lines: [{ poLineNumber: 1, quantity: 1, uom: 'BX' }] });
    expect(bodyOf(missing).location).toBe('receiptId');
  });

  it('answers 400 naming the receipt line for a PO line the PO does not have', async () => {
    const deps = receiptInvoiceFakes();
    const res = await postReceipt(deps, dockReceipt('RCV-102', [{ quantity: 1, uom: 'BX', poLineNumber: 7 }]));
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).location).toBe('/lines/0/poLineNumber');
  });

  it('answers 404 for an unknown purchase order', async () => {
    const deps = receiptInvoiceFakes();
    const res = await postReceipt(deps, { ...dockReceipt('RCV-103', [{ quantity: 1, uom: 'BX' }]), poNumber: 'PO-NMC-99999999' });
    expect(res.statusCode).toBe(404);
  });

  it('answers 409 for an over-receipt', async () => {
    const deps = receiptInvoiceFakes();
    await postReceipt(deps, dockReceipt('RCV-104', [{ quantity: 15, uom: 'BX' }]));
    const res = await postReceipt(deps, dockReceipt('RCV-105', [{ quantity: 60, uom: 'EA' }]));
    expect(res.statusCode).toBe(409);
    expect(bodyOf(res).type).toBe('urn:hem:problem:conflict');
  });
});

describe('InvoiceApi', () => {
  it('lists a price over tolerance under GET /v1/invoices?status=exception for AP clerks', async () => {
    const deps = receiptInvoiceFakes();
    const caseId = await matchedInvoice(deps, 'INV-7001', 200);
    const res = await invoiceApi(deps, { resource: '/v1/invoices', query: { status: 'exception' }, claims: AP_CLIENT });
    expect(res.statusCode).toBe(200);
    const body = bodyOf<{ status: string; count: number; invoices: { invoiceId: string; reasons: string[]; status: string }[] }>(res);
    expect([body.status, body.count]).toStrictEqual(['EXCEPTION', 1]);
    expect(body.invoices.map((i) => [i.invoiceId, i.status, i.reasons])).toStrictEqual([[caseId, 'EXCEPTION', ['PRICE_VARIANCE']]]);
    const matched = await invoiceApi(deps, { resource: '/v1/invoices', query: { status: 'matched' }, claims: AP_CLIENT });
    expect(bodyOf(matched).count).toBe(0);
  });

  it('answers 400 for an unknown status', async () => {
    const deps = receiptInvoiceFakes();
    const res = await invoiceApi(deps, { resource: '/v1/invoices', query: { status: 'lost' }, claims: AP_CLIENT });
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).location).toBe('status');
  });

  it("lets a supplier read its own invoice and answers 404 for another supplier's, even when it holds the AP scopes", async () => {
    const deps = receiptInvoiceFakes();
    const caseId = await matchedInvoice(deps, 'INV-7002', 200);
    const own = await invoiceApi(deps, { resource: '/v1/invoices/{invoiceId}', pathParameters: { invoiceId: caseId }, claims: MEDLINE });
    expect(own.statusCode).toBe(200);
    expect(bodyOf(own).invoiceNumber).toBe('INV-7002');
    const other = await invoiceApi(deps, { resource: '/v1/invoices/{invoiceId}', pathParameters: { invoiceId: caseId }, claims: CARDINAL });
    expect(other.statusCode).toBe(404);
    const list = await invoiceApi(deps, { resource: '/v1/invoices', claims: CARDINAL });
    expect(bodyOf(list).count).toBe(0);
    const resolve = await invoiceApi(deps, {
      method: 'POST',
      resource: '/v1/invoices/{invoiceId}/resolution',
      pathParameters: { invoiceId: caseId },
      body: JSON.stringify({ action: 'ACCEPT_VARIANCE', clerk: 'sneaky' }),
      claims: CARDINAL,
    });
    expect(resolve.statusCode).toBe(403);
  });

  it('regression #12: a client bound to no supplier and without hem/invoice.read.all sees no invoice (list 403, one 404) and may not resolve (403)', async () => {
    const deps = receiptInvoiceFakes();
    const caseId = await matchedInvoice(deps, 'INV-7005', 200);
    const list = await invoiceApi(deps, { resource: '/v1/invoices', query: { status: 'exception' }, claims: UNSCOPED });
    expect(list.statusCode).toBe(403);
    expect(JSON.stringify(bodyOf(list)).includes('INV-7005')).toBe(false);
    const one = await invoiceApi(deps, { resource: '/v1/invoices/{invoiceId}', pathParameters: { invoiceId: caseId }, claims: UNSCOPED });
    expect(one.statusCode).toBe(404);
    const resolve = await invoiceApi(deps, {
      method: 'POST',
      resource: '/v1/invoices/{invoiceId}/resolution',
      pathParameters: { invoiceId: caseId },
      body: JSON.stringify({ action: 'REJECT', clerk: 'ap.nguyen' }),
      claims: UNSCOPED,
    });
    expect(resolve.statusCode).toBe(403);
    const stored = await deps.procurement.getInvoiceCase(caseId);
    expect([stored?.invoiceCase.status, stored?.invoiceCase.decisions]).toStrictEqual(['EXCEPTION', []]);
  });

  it("regression #12: audits a resolution with the token's client as actor and the body's clerk only as onBehalfOf", async () => {
    const deps = receiptInvoiceFakes();
    const caseId = await matchedInvoice(deps, 'INV-7006', 200);
    const res = await invoiceApi(deps, {
      method: 'POST',
      resource: '/v1/invoices/{invoiceId}/resolution',
      pathParameters: { invoiceId: caseId },
      body: JSON.stringify({ action: 'REJECT', clerk: 'cfo.someone-else' }),
      claims: AP_CLIENT,
    });
    expect(res.statusCode).toBe(200);
    const audited = deps.audit.records.filter((r) => r.action === 'InvoiceRejected');
    expect(audited.map((r) => [r.actor, r.onBehalfOf])).toStrictEqual([['ap-workbench', 'cfo.someone-else']]);
    const read = await invoiceApi(deps, { resource: '/v1/invoices/{invoiceId}', pathParameters: { invoiceId: caseId }, claims: AP_CLIENT });
    const decisions = bodyOf<{ decisions: { actor: string; onBehalfOf: string }[] }>(read).decisions;
    expect(decisions.map((d) => [d.actor, d.onBehalfOf])).toStrictEqual([['ap-workbench', 'cfo.someone-else']]);
  });

  it('ACCEPT_VARIANCE answers {status, next}; resent it changes nothing and the invoice is vouchered once', async () => {
    const deps = receiptInvoiceFakes();
    const caseId = await matchedInvoice(deps, 'INV-7003', 200);
    const decide = (): ReturnType<typeof invoiceApi> =>
      invoiceApi(deps, {
        method: 'POST',
        resource: '/v1/invoices/{invoiceId}/resolution',
        pathParameters: { invoiceId: caseId },
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ action: 'ACCEPT_VARIANCE', clerk: 'ap.nguyen', note: 'agreed' }),
        claims: AP_CLIENT,
      });
    const first = await decide();
    expect(first.statusCode).toBe(200);
    expect([bodyOf(first).status, bodyOf(first).next, bodyOf(first).replay]).toStrictEqual(['MATCHED', 'POST_AP_VOUCHER', false]);
    const again = await decide();
    expect(again.statusCode).toBe(200);
    expect(bodyOf(again).replay).toBe(true);

    // The workflow's voucher tasks; the ERP and finance connectors' answers are given here.
    const prepared = await makePrepareApVoucher(deps)({ caseId }, lambdaContext());
    expect([prepared.voucherId, prepared.voucher.totalAmount]).toStrictEqual(['APV|SUP-MEDLINE|INV-7003', 400]);
    const answers = { caseId, voucher: prepared.voucher, erpInvoiceId: 'ERP-INV-1', journalId: 'APJ-000001', eventBusName: 'hem-test' };
    const recorded = await makeRecordApVoucher(deps)(answers, lambdaContext());
    const recordedAgain = await makeRecordApVoucher(deps)(answers, lambdaContext());
    expect([recorded.status, recordedAgain.status, recordedAgain.journalId]).toStrictEqual(['PAID', 'PAID', 'APJ-000001']);
    expect(deps.audit.actions().filter((a) => a === 'ApVoucherPosted')).toStrictEqual(['ApVoucherPosted']);
    expect([deps.erp.calls.length, deps.finance.calls]).toStrictEqual([0, 0]);
    const read = await invoiceApi(deps, { resource: '/v1/invoices/{invoiceId}', pathParameters: { invoiceId: caseId }, claims: AP_CLIENT });
    expect(bodyOf(read).status).toBe('PAID');
  });

  it('answers 409 when the invoice is not in exception, and 400 naming the field for a bad action', async () => {
    const deps = receiptInvoiceFakes();
    const caseId = await matchedInvoice(deps, 'INV-7004', 120);
    const resolve = (body: unknown): ReturnType<typeof invoiceApi> =>
      invoiceApi(deps, { method: 'POST', resource: '/v1/invoices/{invoiceId}/resolution', pathParameters: { invoiceId: caseId }, body: JSON.stringify(body), claims: AP_CLIENT });
    expect((await resolve({ action: 'REJECT', clerk: 'ap.nguyen' })).statusCode).toBe(409);
    const bad = await resolve({ action: 'PAY_TWICE', clerk: 'ap.nguyen' });
    expect(bad.statusCode).toBe(400);
    expect(bodyOf(bad).location).toBe('action');
  });
});

describe('receipt-to-invoice task handlers', () => {
  it('reject an input the workflow did not build', async () => {
    const deps = receiptInvoiceFakes();
    await expect(makeMatchInvoice(deps)({ caseId: '' }, lambdaContext())).rejects.toThrow(expect.objectContaining({ name: 'ValidationError' }));
    await expect(makeRaiseInvoiceAlert(deps)({ caseId: 'x', reason: 'BORED', eventBusName: 'b' }, lambdaContext())).rejects.toThrow(expect.objectContaining({ name: 'ValidationError' }));
  });

  it('refuse to voucher a case that is not payable, and to record a voucher that is not the case\'s own', async () => {
    const deps = receiptInvoiceFakes();
    const caseId = await matchedInvoice(deps, 'INV-7005', 120);
    const prepared = await makePrepareApVoucher(deps)({ caseId }, lambdaContext());
    const foreign = { ...prepared.voucher, voucherId: 'APV|SUP-MEDLINE|INV-9999', invoiceNumber: 'INV-9999' };
    await expect(makeRecordApVoucher(deps)({ caseId, voucher: foreign, erpInvoiceId: 'E', journalId: 'J', eventBusName: 'hem-test' }, lambdaContext())).rejects.toThrow(expect.objectContaining({ name: 'ConflictError' }));
    await expect(makeRecordApVoucher(deps)({ caseId, voucher: prepared.voucher, eventBusName: 'hem-test' }, lambdaContext())).rejects.toThrow(expect.objectContaining({ name: 'ValidationError' }));
    const exception = await receiveInvoice(deps, glovesInvoice('INV-7006', [{ quantity: 2, uom: 'CS', unitPrice: 200 }]));
    await makeMatchInvoice(deps)({ caseId: exception, eventBusName: 'hem-test' }, lambdaContext());
    await expect(makePrepareApVoucher(deps)({ caseId: exception }, lambdaContext())).rejects.toThrow(expect.objectContaining({ name: 'ConflictError' }));
    expect((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.status).toBe('MATCHED');
  });
});

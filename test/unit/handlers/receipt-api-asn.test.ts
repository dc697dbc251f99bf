/**
 * ReceiptApi `POST /v1/receipts` confirming a ship notice (`shipmentId`, no `lines`) on the fakes:
 * the answers and problem bodies the receiving dock gets.
 */
import { describe, expect, it } from '@jest/globals';
import { makeHandler as makeReceiptApi } from '../../../functions/handlers/receipt-api';
import { lambdaContext } from '../fakes';
import { glovesShipNotice, shipGloves } from '../procurement/asn-receipt-fixtures';
import { CORRELATION_ID, PO_NUMBER, receiptInvoiceFakes, type ReceiptInvoiceFakes } from '../procurement/receipt-invoice-fixtures';
import { apiEvent, bodyOf, headerOf } from './support';

const DOCK_CLIENT = { client_id: 'dock-scanner-nmc', scope: 'hem/receipt.write' };

const postReceipt = async (deps: ReceiptInvoiceFakes, body: unknown): ReturnType<ReturnType<typeof makeReceiptApi>> =>
  makeReceiptApi(deps)(
    apiEvent({ method: 'POST', resource: '/v1/receipts', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' }, claims: DOCK_CLIENT }),
    lambdaContext(),
  );

/** The gloves PO with shipment SHP-1 (8 BX) applied. */
const shipped = async (): Promise<ReceiptInvoiceFakes> => {
  const deps = receiptInvoiceFakes();
  await shipGloves(deps, glovesShipNotice('SHP-1', [{ quantity: 8, uom: 'BX' }]));
  return deps;
};

interface ReceiptAnswer {
  receiptId: string;
  poNumber: string;
  poStatus: string;
  correlationId: string;
  source: string;
  shipmentId?: string;
  duplicate?: boolean;
  stock: { baseQuantity: number; onHand: number; onOrder: number }[];
}

describe('ReceiptApi POST /v1/receipts confirming a ship notice', () => {
  it('answers 201 with the ASN receipt and the stock it moved by exactly what shipped', async () => {
    const deps = await shipped();
    const res = await postReceipt(deps, { receiptId: 'RCV-200', poNumber: PO_NUMBER, shipmentId: 'SHP-1' });
    expect(res.statusCode).toBe(201);
    const body = bodyOf<ReceiptAnswer>(res);
    expect([body.receiptId, body.poNumber, body.poStatus, body.correlationId, body.source, body.shipmentId]).toStrictEqual(['RCV-200', PO_NUMBER, 'PARTIALLY_RECEIVED', CORRELATION_ID, 'ASN', 'SHP-1']);
    expect(body.stock.map((s) => [s.baseQuantity, s.onHand, s.onOrder])).toStrictEqual([[80, 330, 120]]);
    expect(deps.audit.records.at(-1)?.actor).toBe('dock-scanner-nmc');
  });

  it('answers 200 with duplicate: true when the confirmation is sent again, moving nothing', async () => {
    const deps = await shipped();
    await postReceipt(deps, { poNumber: PO_NUMBER, shipmentId: 'SHP-1' });
    const res = await postReceipt(deps, { poNumber: PO_NUMBER, shipmentId: 'SHP-1' });
    expect(res.statusCode).toBe(200);
    expect([bodyOf<ReceiptAnswer>(res).duplicate, bodyOf<ReceiptAnswer>(res).receiptId]).toStrictEqual([true, 'ASN:SUP-MEDLINE:SHP-1']);
    expect((await deps.inventory.getPosition('NMC-CATH', 'ITM-10003'))?.onHand).toBe(330);
  });

  it('answers 400 naming the field when lines and shipmentId come together, or neither does', async () => {
    const deps = await shipped();
    const both = await postReceipt(deps, { receiptId: 'RCV-201', poNumber: PO_NUMBER, shipmentId: 'SHP-1', lines: [{ poLineNumber: 1, quantity: 1, uom: 'BX' }] });
    expect(both.statusCode).toBe(400);
    expect(headerOf(both, 'Content-Type')).toBe('application/problem+json');
    expect(bodyOf(both).location).toBe('lines');
    const neither = await postReceipt(deps, { receiptId: 'RCV-202', poNumber: PO_NUMBER });
    expect(neither.statusCode).toBe(400);
    expect(bodyOf(neither).location).toBe('lines');
    const blank = await postReceipt(deps, { poNumber: PO_NUMBER, shipmentId: '' });
    expect(bodyOf(blank).location).toBe('shipmentId');
    expect(deps.procurement.receipts.size).toBe(0);
  });

  it('answers 404 for a shipment the purchase order did not take', async () => {
    const deps = await shipped();
    const res = await postReceipt(deps, { receiptId: 'RCV-203', poNumber: PO_NUMBER, shipmentId: 'SHP-404' });
    expect(res.statusCode).toBe(404);
    expect(headerOf(res, 'Content-Type')).toBe('application/problem+json');
    expect(String(bodyOf(res).detail)).toMatch(/SHP-404/);
  });

  it('answers 409 naming the receipt that has the shipment when another receipt id confirms it again', async () => {
    const deps = await shipped();
    expect((await postReceipt(deps, { receiptId: 'RCV-204', poNumber: PO_NUMBER, shipmentId: 'SHP-1' })).statusCode).toBe(201);
    const res = await postReceipt(deps, { receiptId: 'RCV-205', poNumber: PO_NUMBER, shipmentId: 'SHP-1' });
    expect(res.statusCode).toBe(409);
    expect(bodyOf(res).type).toBe('urn:hem:problem:conflict');
    expect(String(bodyOf(res).detail)).toMatch(/received as receipt RCV-204/);
    expect((await deps.inventory.getPosition('NMC-CATH', 'ITM-10003'))?.onHand).toBe(330);
  });
});

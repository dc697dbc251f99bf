import { describe, expect, it } from '@jest/globals';
import type { Invoice, PurchaseOrder, Receipt } from '../../../contracts/procurement';
import { HttpErpGateway, erpInvoiceBody } from '../../../functions/adapters/connectors/erp-client';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../../functions/domain/errors';
import { startErpSimulator, type ErpSimulator } from '../../../local/simulators/erp';
import { FAST_RETRIES, gauzePurchaseOrder, useSimulator } from '../../support/simulators';
import { expectInstanceOf } from '../../support/expect-narrowing';

const purchaseOrder = (poNumber: string): PurchaseOrder => gauzePurchaseOrder(poNumber, { correlationId: 'corr-erp-1' });

const invoiceFor = (poNumber: string, invoiceNumber: string): Invoice => ({
  invoiceNumber,
  supplierId: 'SUP-MEDLINE',
  poNumber,
  invoiceDate: '2025-03-16',
  currency: 'USD',
  lines: [{ lineNumber: 1, poLineNumber: 1, quantity: 7, uom: 'BX', unitPrice: 4.5, amount: 31.5 }],
  charges: [{ type: 'FREIGHT', amount: 12 }],
  totalAmount: 43.5,
});

describe('HttpErpGateway against the ERP simulator (real HTTP)', () => {
  let erp: ErpSimulator;
  let gateway: HttpErpGateway;
  let n = 0;
  const nextPo = (): string => `PO-NMC-${String(9000 + (n += 1)).padStart(8, '0')}`;

  useSimulator(startErpSimulator, (started) => {
    erp = started;
    gateway = new HttpErpGateway({ baseUrl: erp.url, ...FAST_RETRIES });
  });

  it('creates the purchase order under its PO number and answers the ERP id; the same key answers the same id', async () => {
    const poNumber = nextPo();
    const first = await gateway.createPurchaseOrder(purchaseOrder(poNumber), `PO|${poNumber}`);
    const again = await gateway.createPurchaseOrder(purchaseOrder(poNumber), `PO|${poNumber}`);
    expect(again.erpPoId).toBe(first.erpPoId);
    const stored = erp.purchaseOrders().filter((o) => o.OrderNumber === poNumber);
    expect(stored.length).toBe(1);
    expect(String(stored[0]!.POHeaderId)).toBe(first.erpPoId);
    expect(stored[0]!.lines[0]!.Item).toBe('ITM-10001');
    expect(stored[0]!.lines[0]!.UOMCode).toBe('BX');
    expect(stored[0]!.Supplier).toBe('SUP-MEDLINE');
  });

  it('retries 503s with backoff and gets the order through', async () => {
    const poNumber = nextPo();
    erp.setFaults({ failNext: 2, status: 503 });
    const { erpPoId } = await gateway.createPurchaseOrder(purchaseOrder(poNumber), `PO|${poNumber}`);
    expect(erpPoId).toBeTruthy();
    expect(erp.stats().failuresInjected).toBe(2);
  });

  it('retries a timed-out post that committed and gets the same order back, never a second one', async () => {
    const poNumber = nextPo();
    erp.setFaults({ timeoutNext: 1, timeoutCommits: true });
    const { erpPoId } = await gateway.createPurchaseOrder(purchaseOrder(poNumber), `PO|${poNumber}`);
    const stored = erp.purchaseOrders().filter((o) => o.OrderNumber === poNumber);
    expect(stored.length).toBe(1);
    expect(String(stored[0]!.POHeaderId)).toBe(erpPoId);
  });

  it('gives up as UpstreamUnavailableError (retryable) when the ERP stays down', async () => {
    erp.setFaults({ failNext: 10, status: 502 });
    const poNumber = nextPo();
    await expect(gateway.createPurchaseOrder(purchaseOrder(poNumber), `PO|${poNumber}`)).rejects.toThrow(expect.toSatisfy((e: unknown) => {
      expectInstanceOf(e, UpstreamUnavailableError);
      expect(e.retryable).toBe(true);
      expect(e.details.status).toBe(502);
      return true;
    }));
  });

  it('refuses a receipt for an unknown PO as UpstreamRejectedError with the Fusion error code', async () => {
    const receipt: Receipt = {
      receiptId: 'RCV-UNKNOWN',
      poNumber: 'PO-NMC-99999999',
      facilityId: 'FAC-NMC',
      locationId: 'NMC-OR',
      receivedAt: '2025-03-15T08:00:00.000Z',
      source: 'DOCK',
      lines: [{ poLineNumber: 1, quantity: 1, uom: 'BX' }],
    };
    await expect(gateway.createReceipt(receipt, 'RCV|RCV-UNKNOWN')).rejects.toThrow(expect.toSatisfy((e: unknown) => {
      expectInstanceOf(e, UpstreamRejectedError);
      expect(e.retryable).toBe(false);
      expect(e.details.upstreamCode).toBe('HEMERP-UNKNOWN-PO');
      return true;
    }));
  });

  it('books a receipt and a payables invoice against the PO', async () => {
    const poNumber = nextPo();
    await gateway.createPurchaseOrder(purchaseOrder(poNumber), `PO|${poNumber}`);
    const receipt: Receipt = {
      receiptId: `RCV-${poNumber}`,
      poNumber,
      facilityId: 'FAC-NMC',
      locationId: 'NMC-OR',
      receivedAt: '2025-03-15T08:00:00.000Z',
      source: 'DOCK',
      lines: [{ poLineNumber: 1, quantity: 7, uom: 'BX' }],
    };
    const { erpReceiptId } = await gateway.createReceipt(receipt, `RCV|${receipt.receiptId}`);
    expect(erpReceiptId).toBeTruthy();
    const { erpInvoiceId } = await gateway.createPayablesInvoice(invoiceFor(poNumber, `INV-${n}`), 43.5, `INV|SUP-MEDLINE|INV-${n}`);
    const booked = erp.invoices().find((i) => String(i.InvoiceId) === erpInvoiceId)!;
    expect(booked.InvoiceAmount).toBe(43.5);
    expect(booked.invoiceLines.map((l) => [l.LineType, l.LineAmount])).toStrictEqual([
        ['Item', 31.5],
        ['Freight', 12],
      ]);
    const order = erp.purchaseOrders().find((o) => o.OrderNumber === poNumber)!;
    expect(order.lines[0]!.QuantityReceived).toBe(7);
    expect(order.lines[0]!.QuantityBilled).toBe(7);
  });

  it('books a receipt confirmed from an 856 with the supplier\'s shipment number', async () => {
    const poNumber = nextPo();
    await gateway.createPurchaseOrder(purchaseOrder(poNumber), `PO|${poNumber}`);
    const receipt: Receipt = {
      receiptId: `ASN:SUP-MEDLINE:SHP-${poNumber}`,
      poNumber,
      facilityId: 'FAC-NMC',
      locationId: 'NMC-OR',
      receivedAt: '2025-03-15T08:00:00.000Z',
      source: 'ASN',
      shipmentId: `SHP-${poNumber}`,
      lines: [{ poLineNumber: 1, quantity: 7, uom: 'BX' }],
    };
    const { erpReceiptId } = await gateway.createReceipt(receipt, `RCV|${receipt.receiptId}`);
    const booked = erp.receipts().find((r) => String(r.HeaderInterfaceId) === erpReceiptId)!;
    expect(booked.ShipmentNumber).toBe(`SHP-${poNumber}`);
  });

  it('adds an adjustment line when the approved amount is not the invoice total, so the lines add up', () => {
    const body = erpInvoiceBody(invoiceFor('PO-1', 'INV-9'), 31.5);
    const lines = body.invoiceLines as { LineType: string; LineAmount: number }[];
    expect(body.InvoiceAmount).toBe(31.5);
    expect(lines.at(-1)).toStrictEqual({ LineNumber: 3, LineType: 'Miscellaneous', LineAmount: -12, Description: 'Adjustment to the approved amount' });
    expect(lines.reduce((sum, l) => sum + l.LineAmount, 0)).toBe(31.5);
  });
});

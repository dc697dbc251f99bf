/**
 * Receipt-to-invoice test data on the procurement fakes: a purchase order of exam gloves (ITM-10003,
 * ordered in BX of 10 EA, also sold in CS of 100 EA) for NMC-CATH with 200 EA on order, and builders
 * of the receipts and invoices the dock and Medline send against it.
 */
import type { Invoice, PurchaseOrder, Requisition } from '../../../contracts/procurement';
import { amountInCents } from '../../../functions/domain/costing';
import { invoiceCaseIdFor, openInvoiceCase } from '../../../functions/domain/procurement/invoice-case';
import type { Fakes } from '../fakes';
import { procurementFakeDependencies, type ProcurementFakes } from '../procurement-fakes';

export const PO_NUMBER = 'PO-NMC-00000042';
export const CORRELATION_ID = 'corr-p2p-gloves';

export type ReceiptInvoiceFakes = Fakes & ProcurementFakes;

/** 20 BX (= 200 EA) of gloves at 12.00 per BX, shipped to NMC-CATH, acknowledged by Medline. */
export const glovesPurchaseOrder = (overrides: Partial<PurchaseOrder> = {}): PurchaseOrder => ({
  poNumber: PO_NUMBER,
  requisitionId: 'REQ-GLOVES-1',
  supplierId: 'SUP-MEDLINE',
  facilityId: 'FAC-NMC',
  locationId: 'NMC-CATH',
  costCenter: 'CC-NMC-CATH',
  shipToGln: '0614141000012',
  erpPoId: 'ERP-PO-000042',
  orderDate: '2025-03-10',
  currency: 'USD',
  lines: [
    {
      lineNumber: 1,
      itemId: 'ITM-10003',
      description: 'Glove, exam, nitrile, medium',
      supplierCatalogNumber: 'MDL-GLV-M',
      gtin: '10614141000033',
      quantity: 20,
      uom: 'BX',
      uomFactor: 10,
      unitPrice: 12,
      expectedQuantity: 20,
      receivedBaseQuantity: 0,
      invoicedBaseQuantity: 0,
      status: 'ACCEPTED',
    },
  ],
  status: 'ACKNOWLEDGED',
  correlationId: CORRELATION_ID,
  createdAt: '2025-03-10T08:00:00.000Z',
  ...overrides,
});

/**
 * The replenishment requisition behind the gloves PO (ordered): it is what put the 200 EA on order,
 * so receipts of the PO take them off (a SaaS requisition's PO never put anything on order).
 */
export const glovesRequisition = (overrides: Partial<Requisition> = {}): Requisition => ({
  requisitionId: 'REQ-GLOVES-1',
  source: 'REPLENISHMENT',
  externalRef: 'replenishment-gloves-1',
  facilityId: 'FAC-NMC',
  locationId: 'NMC-CATH',
  costCenter: 'CC-NMC-CATH',
  supplierId: 'SUP-MEDLINE',
  lines: [{ lineNumber: 1, itemId: 'ITM-10003', quantity: 20, uom: 'BX', unitPrice: 12, contract: true }],
  totalAmount: 240,
  currency: 'USD',
  status: 'ORDERED',
  correlationId: CORRELATION_ID,
  createdAt: '2025-03-10T07:55:00.000Z',
  poNumber: PO_NUMBER,
  ...overrides,
});

/**
 * The procurement fakes with the gloves PO and its replenishment requisition stored and 200 EA of
 * gloves on order at NMC-CATH (what the replenishment behind the PO put on order).
 */
export const receiptInvoiceFakes = (): ReceiptInvoiceFakes => {
  const deps = procurementFakeDependencies();
  const key = 'NMC-CATH|ITM-10003';
  const position = deps.inventory.positions.get(key);
  if (position === undefined) throw new Error('test reference data has no gloves at NMC-CATH');
  deps.inventory.positions.set(key, { ...position, onOrder: 200 });
  deps.procurement.purchaseOrders.set(PO_NUMBER, { po: glovesPurchaseOrder(), version: 1 });
  deps.procurement.requisitions.set('REQ-GLOVES-1', glovesRequisition());
  return deps;
};

/** {@link receiptInvoiceFakes} with the gloves PO as sent to Medline, before its 855: ISSUED, every line OPEN. */
export const issuedGlovesFakes = (): ReceiptInvoiceFakes => {
  const deps = receiptInvoiceFakes();
  const issued = glovesPurchaseOrder({ status: 'ISSUED' });
  deps.procurement.purchaseOrders.set(PO_NUMBER, { po: { ...issued, lines: issued.lines.map((l) => ({ ...l, status: 'OPEN' as const })) }, version: 1 });
  return deps;
};

let interchange = 100;

/**
 * An 810 from Medline for the gloves PO: `lines` as (quantity, uom, unit price); amounts add up.
 * Each call gets its own envelope control numbers.
 */
export const glovesInvoice = (
  invoiceNumber: string,
  lines: readonly { quantity: number; uom: string; unitPrice: number }[],
  overrides: Partial<Invoice> = {},
): Invoice => {
  interchange += 1;
  const built = lines.map((l, index) => ({
    lineNumber: index + 1,
    poLineNumber: 1,
    supplierCatalogNumber: 'MDL-GLV-M',
    quantity: l.quantity,
    uom: l.uom,
    unitPrice: l.unitPrice,
    amount: amountInCents(l.quantity, l.unitPrice) / 100,
  }));
  return {
    invoiceNumber,
    supplierId: 'SUP-MEDLINE',
    poNumber: PO_NUMBER,
    invoiceDate: '2025-03-17',
    currency: 'USD',
    lines: built,
    charges: [],
    totalAmount: built.reduce((t, l) => t + amountInCents(1, l.amount), 0) / 100,
    control: {
      interchange: String(interchange).padStart(9, '0'),
      group: String(interchange),
      transactionSet: '0001',
      version: '004010',
      senderId: 'MEDLINE',
      receiverId: 'HEMHOSPITAL',
    },
    ...overrides,
  };
};

/** Stores a received invoice with its OPEN case (what EdiIngest does for an 810); returns the case id. */
export const receiveInvoice = async (deps: ReceiptInvoiceFakes, invoice: Invoice, correlationId = CORRELATION_ID): Promise<string> => {
  const caseId = invoiceCaseIdFor(invoice);
  await deps.procurement.saveInvoice(invoice, openInvoiceCase(invoice, { caseId, correlationId }, deps.clock.now()));
  return caseId;
};

/** A dock receipt request against the gloves PO. */
export const dockReceipt = (
  receiptId: string,
  lines: readonly { quantity: number; uom: string; poLineNumber?: number }[],
): { receiptId: string; poNumber: string; lines: { poLineNumber: number; quantity: number; uom: string }[] } => ({
  receiptId,
  poNumber: PO_NUMBER,
  lines: lines.map((l) => ({ poLineNumber: l.poLineNumber ?? 1, quantity: l.quantity, uom: l.uom })),
});

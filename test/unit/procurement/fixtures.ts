/**
 * Procure-to-pay test data built on the seeded hospital's anchor rows (gauze ITM-10001 in BX of 10,
 * suture ITM-10002 in BX of 12) plus an exam glove sold in cases of 1000 (10 BX of 100), and helpers
 * that walk a PO through the domain functions the way the workflow does.
 */
import type {
  Invoice,
  MatchTolerances,
  PurchaseOrder,
  Receipt,
  Requisition,
  X12ControlNumbers,
} from '../../../contracts/procurement';
import type { Facility, Item } from '../../../contracts/reference';
import { amountInCents } from '../../../functions/domain/costing';
import { applyDecision } from '../../../functions/domain/procurement/approval';
import { purchaseOrderFromRequisition } from '../../../functions/domain/procurement/purchase-order';
import { conversionsFromItems } from '../../../functions/domain/procurement/units';

export const NOW = new Date('2025-03-14T09:30:00.000Z');
export const TODAY = '2025-03-14';

type ItemFields = Pick<Item, 'itemId' | 'description' | 'gtin' | 'purchaseUom' | 'unitCost'> & {
  /** Base units (EA) per purchasable pack. */
  packs: Record<string, number>;
  /** A SUP-MEDLINE contract item when set; off contract (no preferred supplier) when absent. */
  supplierCatalogNumber?: string;
};

const item = ({ itemId, description, gtin, purchaseUom, packs, unitCost, supplierCatalogNumber }: ItemFields): Item => ({
  itemId,
  description,
  gtin,
  baseUom: 'EA',
  purchaseUom,
  conversions: [{ uom: 'EA', factor: 1 }, ...Object.entries(packs).map(([uom, factor]) => ({ uom, factor }))],
  unitCost,
  currency: 'USD',
  ...(supplierCatalogNumber === undefined ? {} : { supplierId: 'SUP-MEDLINE', supplierCatalogNumber }),
});

export const gauze = item({ itemId: 'ITM-10001', description: 'Sponge, gauze 4x4 in, sterile', gtin: '00614141000012', purchaseUom: 'BX', packs: { BX: 10 }, unitCost: 0.45, supplierCatalogNumber: 'MDL1007919' });
export const suture = item({ itemId: 'ITM-10002', description: 'Suture, polyglactin 3-0, 27 in', gtin: '00614141000029', purchaseUom: 'BX', packs: { BX: 12 }, unitCost: 3.1, supplierCatalogNumber: 'MDL1015838' });
export const gloves = item({ itemId: 'ITM-10003', description: 'Glove, exam, nitrile, medium', gtin: '00614141000036', purchaseUom: 'CS', packs: { BX: 100, CS: 1000 }, unitCost: 0.08, supplierCatalogNumber: 'MDL1023757' });
/** An item without a preferred supplier (off contract). */
export const drape = item({ itemId: 'ITM-10004', description: 'Drape, surgical, 60x76 in', gtin: '00614141000043', purchaseUom: 'CS', packs: { CS: 20 }, unitCost: 2.35 });

export const ITEMS = new Map([gauze, suture, gloves, drape].map((i) => [i.itemId, i]));
export const conversions = conversionsFromItems(ITEMS.values());

export const NMC: Facility = { facilityId: 'FAC-NMC', name: 'North Medical Center', gln: '0614141000012' };

export const tolerances: MatchTolerances = {
  unitPricePercent: 2,
  unitPriceAbsolute: 0.05,
  quantityBaseUnits: 0,
  freightMaxAmount: 25,
  taxMaxPercent: 0,
  duplicateWindowDays: 30,
};

export const control = (n: number): X12ControlNumbers => ({
  interchange: String(n).padStart(9, '0'),
  group: String(n),
  transactionSet: String(n).padStart(4, '0'),
  version: '004010',
  senderId: 'MEDLINE',
  receiverId: 'HEMNMC',
});

/** A pending requisition at NMC-OR for the given lines (contract prices from the item master). */
export const pendingRequisition = (lines: Requisition['lines'], overrides: Partial<Requisition> = {}): Requisition => ({
  requisitionId: 'REQ-0001',
  source: 'REPLENISHMENT',
  externalRef: 'EPIC|NMC|MSG00001|1#ReplenishmentRequested',
  facilityId: 'FAC-NMC',
  locationId: 'NMC-OR',
  costCenter: 'CC-NMC-OR',
  supplierId: 'SUP-MEDLINE',
  lines,
  totalAmount: lines.reduce((t, l) => t + Math.round(l.quantity * l.unitPrice * 100), 0) / 100,
  currency: 'USD',
  status: 'PENDING_APPROVAL',
  correlationId: 'corr-p2p-1',
  createdAt: NOW.toISOString(),
  ...overrides,
});

/** The standard order: 6 BX gauze at 4.50, 4 BX suture at 37.20, 2 CS gloves at 80.00. */
export const standardLines = (): Requisition['lines'] => [
  { lineNumber: 1, itemId: gauze.itemId, quantity: 6, uom: 'BX', unitPrice: 4.5, contract: true },
  { lineNumber: 2, itemId: suture.itemId, quantity: 4, uom: 'BX', unitPrice: 37.2, contract: true },
  { lineNumber: 3, itemId: gloves.itemId, quantity: 2, uom: 'CS', unitPrice: 80, contract: true },
];

/** The standard order as an approved requisition turned into a PO (status CREATED). */
export const standardPo = (lines: Requisition['lines'] = standardLines()): PurchaseOrder => {
  const { requisition } = applyDecision(pendingRequisition(lines), { decision: 'APPROVE', approver: 'buyer.jones' }, 'approver-app', NOW);
  return purchaseOrderFromRequisition(requisition, ITEMS, NMC, 'PO-NMC-00000001', NOW);
};

export const receipt = (receiptId: string, lines: Receipt['lines'], poNumber = 'PO-NMC-00000001'): Receipt => ({
  receiptId,
  poNumber,
  facilityId: 'FAC-NMC',
  locationId: 'NMC-OR',
  receivedAt: '2025-03-16T14:00:00.000Z',
  source: 'DOCK',
  lines,
});

type InvoiceLineInput = Omit<Invoice['lines'][number], 'lineNumber' | 'amount'> & { amount?: number };

/** An invoice whose line amounts are quantity × price (to the cent) and whose total adds up, unless overridden. */
export const invoice = (
  invoiceNumber: string,
  lines: readonly InvoiceLineInput[],
  overrides: Partial<Omit<Invoice, 'lines'>> = {},
): Invoice => {
  const built = lines.map((l, index) => ({
    lineNumber: index + 1,
    ...l,
    amount: l.amount ?? amountInCents(l.quantity, l.unitPrice) / 100,
  }));
  const charges = overrides.charges ?? [];
  const totalCents = built.reduce((t, l) => t + amountInCents(1, l.amount), 0) + charges.reduce((t, c) => t + amountInCents(1, c.amount), 0);
  return {
    invoiceNumber,
    supplierId: 'SUP-MEDLINE',
    poNumber: 'PO-NMC-00000001',
    invoiceDate: '2025-03-17',
    currency: 'USD',
    lines: built,
    charges,
    totalAmount: totalCents / 100,
    ...overrides,
  };
};

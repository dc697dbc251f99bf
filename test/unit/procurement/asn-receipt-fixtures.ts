/**
 * Ship notices against the gloves PO of `receipt-invoice-fixtures.ts` (20 BX of 10 EA, NMC-CATH,
 * Medline), applied through `applySupplierDocument` as EdiIngest applies an accepted 856.
 */
import type { ShipNotice } from '../../../contracts/procurement';
import {
  applySupplierDocument,
  type SupplierDocumentInput,
  type SupplierDocumentOutcome,
} from '../../../functions/domain/use-cases/procurement/supplier-documents';
import { PO_NUMBER, type ReceiptInvoiceFakes } from './receipt-invoice-fixtures';

let interchange = 500;

/** An 856 of Medline for the gloves PO: each line a quantity and unit on PO line 1. */
export const glovesShipNotice = (shipmentId: string, lines: readonly { quantity: number; uom: string }[]): ShipNotice => {
  interchange += 1;
  return {
    shipmentId,
    poNumber: PO_NUMBER,
    supplierId: 'SUP-MEDLINE',
    shippedAt: '2025-03-12',
    lines: lines.map((l) => ({ poLineNumber: 1, quantityShipped: l.quantity, uom: l.uom })),
    control: {
      interchange: String(interchange).padStart(9, '0'),
      group: String(interchange),
      transactionSet: '0001',
      version: '005010',
      senderId: 'MEDLINE',
      receiverId: 'HEMHOSPITAL',
    },
  };
};

/** The use case's input for an 856 as EdiIngest builds it. */
export const shipNoticeInput = (asn: ShipNotice): SupplierDocumentInput => ({
  supplierId: asn.supplierId,
  control: asn.control,
  businessKey: `856|${asn.shipmentId}`,
  doc: { kind: 'ShipNotice', document: asn },
  requestCorrelationId: 'corr-request-856',
  causationId: `req-856-${asn.shipmentId}`,
  actor: 'supplier-medline',
});

/** Applies the 856 to the gloves PO. */
export const shipGloves = (deps: ReceiptInvoiceFakes, asn: ShipNotice): Promise<SupplierDocumentOutcome> => applySupplierDocument(deps, shipNoticeInput(asn));

/** Medline configured to receive on ship notice (evaluated receipt). */
export const receiveMedlineOnShipNotice = (deps: ReceiptInvoiceFakes): void => {
  deps.procurementConfig.seed.suppliers = deps.procurementConfig.seed.suppliers.map((s) =>
    s.supplierId === 'SUP-MEDLINE' ? { ...s, receiveOnShipNotice: true } : s,
  );
};

/**
 * `GET /v1/purchase-orders/{poNumber}`: a purchase order with its receipts and invoice cases, with
 * object-level authorization (pure orchestration over the ports).
 *
 * Who sees what (deny by default): a caller whose OAuth client id is a supplier's
 * (`ProcurementConfig.findSupplierByClientId`) sees only that supplier's POs, whatever scopes it
 * holds. A caller that is no supplier's sees every PO only with the positive scope `hem/po.read.all`
 * (hospital clients: ops console, AP clerks, receiving dock, the SaaS procurement tool); without it
 * it sees none. Every PO a caller may not see answers exactly like a PO that does not exist
 * (NotFoundError → 404), so PO numbers cannot be probed.
 */
import type { InvoiceCase, PurchaseOrder, Receipt } from '../../../../contracts/procurement';
import { SCOPES } from '../../../../contracts/routes';
import { NotFoundError } from '../../errors';
import type { ProcurementUseCaseDependencies } from './shared';


/** An invoice case as the PO view shows it (the clerk decisions and match details stay in the invoice API). */
export interface PurchaseOrderInvoiceView {
  caseId: string;
  invoiceNumber: string;
  invoiceDate: string;
  status: InvoiceCase['status'];
  currency: string;
  invoiceAmount: number;
  approvedAmount: number;
  reasons: InvoiceCase['reasons'];
  waitingForReceipt: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The answer of the PO query. */
export interface PurchaseOrderView {
  purchaseOrder: PurchaseOrder;
  /** Oldest first. */
  receipts: Receipt[];
  /** Newest first. */
  invoiceCases: PurchaseOrderInvoiceView[];
}

/** Who asks. */
export interface PurchaseOrderViewer {
  /** The OAuth client id of the token. */
  clientId: string;
  /** The scopes of the token. */
  scopes: readonly string[];
}

const invoiceView = (c: InvoiceCase): PurchaseOrderInvoiceView => ({
  caseId: c.caseId,
  invoiceNumber: c.invoiceNumber,
  invoiceDate: c.invoiceDate,
  status: c.status,
  currency: c.currency,
  invoiceAmount: c.invoiceAmount,
  approvedAmount: c.approvedAmount,
  reasons: c.reasons,
  waitingForReceipt: c.waitingForReceipt,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

/**
 * The PO `poNumber` as `viewer` may see it.
 *
 * @throws NotFoundError when the PO does not exist, belongs to another supplier than the viewer's, or
 *   the viewer is no supplier's and lacks `hem/po.read.all`.
 */
export const getPurchaseOrderView = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement' | 'procurementConfig'>,
  poNumber: string,
  viewer: PurchaseOrderViewer,
): Promise<PurchaseOrderView> => {
  const [stored, viewerSupplier] = await Promise.all([
    deps.procurement.getPurchaseOrder(poNumber),
    deps.procurementConfig.findSupplierByClientId(viewer.clientId),
  ]);
  const mayView =
    stored !== undefined &&
    (viewerSupplier === undefined ? viewer.scopes.includes(SCOPES.poReadAll) : viewerSupplier.supplierId === stored.supplierId);
  if (stored === undefined || !mayView) {
    // The same answer for "no such PO", "not yours" and "you see no PO".
    throw new NotFoundError(`purchase order ${poNumber} not found`, { details: { poNumber } });
  }
  const { version: _version, ...purchaseOrder } = stored;
  const [receipts, invoices] = await Promise.all([
    deps.procurement.listReceipts(poNumber),
    deps.procurement.listInvoicesOfPurchaseOrder(poNumber),
  ]);
  return {
    purchaseOrder,
    receipts,
    invoiceCases: invoices.map(({ invoiceCase }) => invoiceView(invoiceCase)),
  };
};

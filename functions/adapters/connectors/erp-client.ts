/**
 * `ErpGateway` over the ERP's Oracle Fusion-like REST API, with real HTTP (the local simulator,
 * local/simulators/erp.ts, speaks the same wire format; its module comment is the reference).
 *
 * ```
 * POST {baseUrl}/fscmRestApi/resources/11.13.18.05/purchaseOrders            {OrderNumber, Supplier, SupplierSite, ProcurementBU, …, lines}
 * POST {baseUrl}/fscmRestApi/resources/11.13.18.05/receivingReceiptRequests  {ReceiptSourceCode:'VENDOR', ReceiptNumber, …, lines}
 * POST {baseUrl}/fscmRestApi/resources/11.13.18.05/invoices                  {InvoiceNumber, InvoiceAmount, …, invoiceLines}
 * Idempotency-Key: <key>      same key → the same resource (200), never a second booking
 * X-Correlation-Id: <id>
 * → 201 / 200 resource ({POHeaderId} | {HeaderInterfaceId} | {InvoiceId})
 * → 400 / 409 application/vnd.oracle.adf.error+json   refused for good → UpstreamRejectedError (o:errorCode in details)
 * → 408 / 429 / 5xx / timeout / network               retried with jittered backoff → UpstreamUnavailableError
 * ```
 *
 * Mapping: HEM's PO number is the Fusion OrderNumber (the ERP's business key), the supplier id is
 * the ERP supplier, the facility the procurement business unit, the item id the ERP item. A receipt
 * line goes in the unit it was counted in (Fusion refuses a unit other than the PO line's: convert
 * before booking). A payables invoice is created for the approved amount: its item lines, then its
 * charges, then one Miscellaneous adjustment line when the approved amount differs from their sum
 * (e.g. a freight charge that was not accepted), so the lines always add up to InvoiceAmount.
 */
import type { Invoice, PurchaseOrder, Receipt } from '../../../contracts/procurement';
import { amountInCents } from '../../domain/costing';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../domain/errors';
import type { ErpGateway } from '../../domain/procurement-ports';
import { requestWithRetries, type HttpRetryOptions } from './http-retry';

/** Base path of the Fusion REST resources. */
export const ERP_REST_BASE = '/fscmRestApi/resources/11.13.18.05';

export interface HttpErpGatewayOptions extends HttpRetryOptions {
  /** e.g. `https://erp.example.org` or the simulator's `http://127.0.0.1:4022` (no resource path). */
  baseUrl: string;
  /** Fusion SupplierSite of every supplier HEM orders from. @default 'PRIMARY' */
  supplierSite?: string;
}

/** An amount in integer cents, exact and half away from zero (never `Math.round(x * 100)`: 1.005 × 100 is 100.4999…). */
const centsOf = (value: number): number => amountInCents(1, value);

/** An amount rounded to the cent, exact and half away from zero (-0.005 → -0.01, not -0). */
const cents = (value: number): number => centsOf(value) / 100;

const CHARGE_LINE_TYPE: Record<Invoice['charges'][number]['type'], 'Freight' | 'Tax' | 'Miscellaneous'> = {
  FREIGHT: 'Freight',
  TAX: 'Tax',
  FEE: 'Miscellaneous',
  DISCOUNT: 'Miscellaneous',
  OTHER: 'Miscellaneous',
};

/** The Fusion body of a purchase order. */
export const erpPurchaseOrderBody = (po: PurchaseOrder, supplierSite: string): Record<string, unknown> => ({
  OrderNumber: po.poNumber,
  Supplier: po.supplierId,
  SupplierSite: supplierSite,
  ProcurementBU: po.facilityId,
  RequisitioningBU: po.facilityId,
  CurrencyCode: po.currency,
  Description: `HEM requisition ${po.requisitionId}`.slice(0, 240),
  ShipToLocationCode: po.locationId,
  lines: po.lines.map((line) => ({
    LineNumber: line.lineNumber,
    Item: line.itemId,
    Description: line.description.slice(0, 240),
    SupplierItem: line.supplierCatalogNumber,
    Quantity: line.quantity,
    UOMCode: line.uom,
    Price: line.unitPrice,
  })),
});

/** The Fusion body of a receipt. */
export const erpReceiptBody = (receipt: Receipt): Record<string, unknown> => ({
  ReceiptSourceCode: 'VENDOR',
  // ReceiptNumber holds 30 characters; a longer receipt id still has the Idempotency-Key guard.
  ...(receipt.receiptId.length <= 30 ? { ReceiptNumber: receipt.receiptId } : {}),
  // A receipt confirmed from an 856 names the supplier's shipment, so the ERP can tie it to the ASN.
  ...(receipt.shipmentId !== undefined && receipt.shipmentId.length <= 30 ? { ShipmentNumber: receipt.shipmentId } : {}),
  TransactionDate: receipt.receivedAt,
  lines: receipt.lines.map((line) => ({
    DocumentNumber: receipt.poNumber,
    DocumentLineNumber: line.poLineNumber,
    Quantity: line.quantity,
    UnitOfMeasure: line.uom,
    SourceDocumentCode: 'PO',
    TransactionType: 'RECEIVE',
  })),
});

/** The Fusion body of a payables invoice for `approvedAmount`. */
export const erpInvoiceBody = (invoice: Invoice, approvedAmount: number): Record<string, unknown> => {
  const lines: Record<string, unknown>[] = invoice.lines.map((line) => {
    const consistent = Math.abs(amountInCents(line.quantity, line.unitPrice) - centsOf(line.amount)) <= 1;
    return {
      LineNumber: line.lineNumber,
      LineType: 'Item',
      LineAmount: cents(line.amount),
      // Fusion checks Quantity × UnitPrice against LineAmount: send them only when they agree.
      ...(consistent ? { Quantity: line.quantity, UnitPrice: line.unitPrice } : {}),
      UOM: line.uom,
      ...(invoice.poNumber === undefined ? {} : { PurchaseOrderNumber: invoice.poNumber }),
      ...(invoice.poNumber === undefined || line.poLineNumber === undefined ? {} : { PurchaseOrderLineNumber: line.poLineNumber }),
    };
  });
  let next = Math.max(0, ...invoice.lines.map((l) => l.lineNumber)) + 1;
  for (const charge of invoice.charges) {
    lines.push({ LineNumber: next, LineType: CHARGE_LINE_TYPE[charge.type], LineAmount: cents(charge.amount), Description: charge.type });
    next += 1;
  }
  // Summed in integer cents: float sums of amounts drift (0.1 + 0.2 ≠ 0.3) and would invent adjustments.
  const sumCents = lines.reduce((total, line) => total + centsOf(line.LineAmount as number), 0);
  const adjustment = (centsOf(approvedAmount) - sumCents) / 100 + 0;
  if (adjustment !== 0) {
    lines.push({ LineNumber: next, LineType: 'Miscellaneous', LineAmount: adjustment, Description: 'Adjustment to the approved amount' });
  }
  return {
    InvoiceNumber: invoice.invoiceNumber,
    InvoiceAmount: cents(approvedAmount),
    InvoiceDate: invoice.invoiceDate,
    Supplier: invoice.supplierId,
    InvoiceCurrency: invoice.currency,
    ...(invoice.poNumber === undefined ? {} : { PurchaseOrderNumber: invoice.poNumber }),
    invoiceLines: lines,
  };
};

/** A short machine code of a Fusion error body (`o:errorCode`). */
const fusionErrorCode = (text: string): string | undefined => {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const code = body['o:errorCode'];
    return typeof code === 'string' ? code.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
};

/** Creates purchase orders, receipts and payables invoices in the ERP over HTTP. */
export class HttpErpGateway implements ErpGateway {
  readonly #base: string;
  readonly #supplierSite: string;
  readonly #retry: HttpRetryOptions;

  constructor(options: HttpErpGatewayOptions) {
    const { baseUrl, supplierSite, ...retry } = options;
    this.#base = `${baseUrl.replace(/\/+$/, '')}${ERP_REST_BASE}`;
    this.#supplierSite = supplierSite ?? 'PRIMARY';
    this.#retry = retry;
  }

  async createPurchaseOrder(po: PurchaseOrder, idempotencyKey: string): Promise<{ erpPoId: string }> {
    const resource = await this.#post('purchaseOrders', erpPurchaseOrderBody(po, this.#supplierSite), idempotencyKey, po.correlationId);
    return { erpPoId: this.#id(resource, 'POHeaderId', 'purchaseOrders') };
  }

  async createReceipt(receipt: Receipt, idempotencyKey: string): Promise<{ erpReceiptId: string }> {
    const resource = await this.#post('receivingReceiptRequests', erpReceiptBody(receipt), idempotencyKey);
    return { erpReceiptId: this.#id(resource, 'HeaderInterfaceId', 'receivingReceiptRequests') };
  }

  async createPayablesInvoice(invoice: Invoice, approvedAmount: number, idempotencyKey: string): Promise<{ erpInvoiceId: string }> {
    const resource = await this.#post('invoices', erpInvoiceBody(invoice, approvedAmount), idempotencyKey);
    return { erpInvoiceId: this.#id(resource, 'InvoiceId', 'invoices') };
  }

  async #post(collection: string, body: Record<string, unknown>, idempotencyKey: string, correlationId?: string): Promise<Record<string, unknown>> {
    const answer = await requestWithRetries(
      `${this.#base}/${collection}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': idempotencyKey,
          ...(correlationId === undefined ? {} : { 'x-correlation-id': correlationId }),
        },
        body: JSON.stringify(body),
      },
      'ERP',
      this.#retry,
    );
    if (answer.status >= 200 && answer.status < 300) {
      try {
        return JSON.parse(answer.text) as Record<string, unknown>;
      } catch {
        // Re-posting with the same key answers the resource if it exists: a retry can fix this.
        throw new UpstreamUnavailableError(`ERP answered ${collection} with an unreadable body`, { details: { status: answer.status, collection } });
      }
    }
    const upstreamCode = fusionErrorCode(answer.text);
    throw new UpstreamRejectedError(`ERP refused the ${collection} request (HTTP ${answer.status})`, {
      details: { status: answer.status, collection, ...(upstreamCode === undefined ? {} : { upstreamCode }) },
    });
  }

  #id(resource: Record<string, unknown>, attribute: string, collection: string): string {
    const id = resource[attribute];
    if ((typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id !== '')) return String(id);
    throw new UpstreamUnavailableError(`ERP answered ${collection} without ${attribute}`, { details: { collection } });
  }
}

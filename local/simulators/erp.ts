/**
 * ERP simulator: purchase orders, receipts and AP invoices over real HTTP (node:http) on loopback,
 * shaped after the Oracle Fusion Cloud Procurement / Receiving / Payables REST resources, with
 * fault injection so the ERP connector's retries, timeouts and DLQ path run against a real socket.
 *
 * Resource paths are Fusion's (`/fscmRestApi/resources/11.13.18.05/…`) and attribute names follow
 * Fusion's PascalCase payloads; only the attributes HEM sends are modelled, and unknown attributes
 * are refused the way Fusion refuses them (400). What differs from Fusion on purpose: Fusion creates
 * orders through `draftPurchaseOrders` + submit, here one `POST purchaseOrders` creates an OPEN
 * order; and every POST needs an `Idempotency-Key` header, because that is the guard HEM's
 * connector relies on (Fusion has no such header; a real integration would look the business key
 * up first).
 *
 * ```
 * POST /fscmRestApi/resources/11.13.18.05/purchaseOrders
 *   {OrderNumber (HEM PO number), Supplier, SupplierSite, ProcurementBU, RequisitioningBU?, BuyerEmail?,
 *    CurrencyCode? ('USD'), Description?, ShipToLocationCode?,
 *    lines:[{LineNumber, Item, Description?, SupplierItem?, Quantity, UOMCode, Price, NeedByDate?}]}
 *   → 201 PurchaseOrder {POHeaderId, OrderNumber, StatusCode:'OPEN', …, lines:[{POLineId, …, Amount, QuantityReceived, QuantityBilled}]}
 *   business key: OrderNumber
 * GET  …/purchaseOrders/{POHeaderId}          → 200 PurchaseOrder | 404
 * GET  …/purchaseOrders[?q=OrderNumber=…]      → 200 {items, count, hasMore:false, limit, offset}
 * POST …/receivingReceiptRequests
 *   {ReceiptSourceCode:'VENDOR', ReceiptNumber?, ShipmentNumber?, OrganizationCode?, VendorName?, BusinessUnit?,
 *    TransactionDate?, lines:[{DocumentNumber (PO OrderNumber), DocumentLineNumber, Quantity, UnitOfMeasure,
 *    SourceDocumentCode? ('PO'), TransactionType? ('RECEIVE'), AutoTransactCode?, ItemNumber?, OrganizationCode?, Subinventory?}]}
 *   → 201 ReceiptRequest {HeaderInterfaceId, ProcessingStatusCode:'SUCCESS', …, lines:[{InterfaceTransactionId, …}]}
 *   business key: ReceiptNumber (when sent)
 * GET  …/receivingReceiptRequests[/{HeaderInterfaceId}]
 * POST …/invoices
 *   {InvoiceNumber, InvoiceAmount, InvoiceDate, Supplier, SupplierSite?, BusinessUnit?, InvoiceCurrency? ('USD'),
 *    InvoiceType? ('Standard'), Description?, PaymentTerms?, PurchaseOrderNumber?,
 *    invoiceLines:[{LineNumber, LineType? ('Item'|'Freight'|'Miscellaneous'|'Tax'), LineAmount, Quantity?, UnitPrice?, UOM?,
 *    Description?, ItemNumber?, PurchaseOrderNumber?, PurchaseOrderLineNumber?, DistributionCombination?}]}
 *   → 201 Invoice {InvoiceId, ValidationStatus:'Validated', ApprovalStatus, PaidStatus, …}
 *   business key: Supplier + InvoiceNumber (the AP duplicate-invoice check)
 * GET  …/invoices[/{InvoiceId}]
 * GET  /health                 → 200 {status:'UP', purchaseOrders, receipts, invoices}
 * GET|POST|PUT|DELETE /_faults → read, replace, clear the fault configuration (same JSON as `setFaults`)
 * GET  /_stats                 → counters of what the simulator saw
 * ```
 *
 * Every POST: `Idempotency-Key` (required) and `X-Correlation-Id` (echoed). A new key creates the
 * resource (201 + `Location`); the same key with the same body returns the same resource (200);
 * the same key with a different body is 409. The write itself is guarded by the business key too:
 * a new key carrying an existing business key returns the existing resource (200) when the body is
 * the same and 409 when it differs — so a connector that lost its key still never books twice.
 *
 * Refusals use Fusion's error shape, `application/vnd.oracle.adf.error+json`:
 * `{title, status:'400', 'o:errorCode', 'o:errorDetails':[{detail, 'o:errorCode', 'o:errorPath'?}]}`.
 * 400: missing key, bad JSON, schema violation, or (with `validateReferences`, the default) a
 * receipt/invoice that names an unknown PO or PO line, a receipt in another unit of measure than
 * the PO line (the simulator knows no conversions), an invoice whose lines do not add up to
 * InvoiceAmount or whose supplier is not the PO's.
 *
 * Faults (`failNext`, `status`, `retryAfterSeconds`, `latencyMs`, `timeoutNext`, `timeoutCommits`,
 * as in the finance simulator, plus `resources` to restrict them to some collections) apply to
 * POSTs only and are counted on arrival, so "the next N posts" is exact under concurrency. A
 * timed-out post commits by default before it hangs: the retry must get the same id back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import {
  FaultConfigSchema,
  FaultInjector,
  admitFaultablePost,
  correlationEcho,
  createDelayTimers,
  faultControls,
  parseJson as parseJsonText,
  readBody as readBodyLimited,
  retryAfterHeader,
  sendJson,
  serveFaults,
  startSimulatorServer,
} from './http-kit';
import type { FaultControlledSimulator, SimulatorListenOptions } from './http-kit';

/** Base path of every Fusion REST resource the simulator serves. */
export const ERP_RESOURCE_BASE = '/fscmRestApi/resources/11.13.18.05';

/** The collections the simulator serves, by their Fusion resource names. */
export const ERP_RESOURCES = ['purchaseOrders', 'receivingReceiptRequests', 'invoices'] as const;
export type ErpResourceName = (typeof ERP_RESOURCES)[number];

export const ErpFaultConfigSchema = FaultConfigSchema.extend({
  /** Only POSTs to these collections suffer (and consume) faults; all of them when unset. */
  resources: z.array(z.enum(ERP_RESOURCES)).min(1).optional(),
});
/** Fault injection settings; `{}` means a healthy ERP. */
export type ErpFaultConfig = z.infer<typeof ErpFaultConfigSchema>;

const money = z.number().refine(Number.isFinite, 'must be a finite number');
const isoDate = z.iso.date();

const PurchaseOrderLineRequestSchema = z.strictObject({
  LineNumber: z.number().int().min(1),
  /** HEM item id (the ERP item number). */
  Item: z.string().min(1).max(300),
  Description: z.string().min(1).max(240).optional(),
  /** Supplier catalog number. */
  SupplierItem: z.string().min(1).max(300).optional(),
  Quantity: z.number().positive(),
  UOMCode: z.string().min(1).max(25),
  Price: money.pipe(z.number().nonnegative()),
  NeedByDate: isoDate.optional(),
});

/** Body of `POST purchaseOrders`. */
export const PurchaseOrderRequestSchema = z
  .strictObject({
    /** HEM's PO number: the order's business key. */
    OrderNumber: z.string().min(1).max(30),
    Supplier: z.string().min(1).max(360),
    SupplierSite: z.string().min(1).max(240),
    ProcurementBU: z.string().min(1).max(240),
    RequisitioningBU: z.string().min(1).max(240).optional(),
    BuyerEmail: z.email().optional(),
    CurrencyCode: z.string().regex(/^[A-Z]{3}$/, 'CurrencyCode must be an ISO 4217 code').default('USD'),
    Description: z.string().max(240).optional(),
    ShipToLocationCode: z.string().min(1).max(60).optional(),
    lines: z.array(PurchaseOrderLineRequestSchema).min(1),
  })
  .superRefine((po, ctx) => {
    const seen = new Set<number>();
    po.lines.forEach((line, index) => {
      if (seen.has(line.LineNumber)) {
        ctx.addIssue({ code: 'custom', path: ['lines', index, 'LineNumber'], message: `LineNumber ${line.LineNumber} is repeated` });
      }
      seen.add(line.LineNumber);
    });
  });
export type PurchaseOrderRequest = z.infer<typeof PurchaseOrderRequestSchema>;

const ReceiptLineRequestSchema = z.strictObject({
  ReceiptSourceCode: z.literal('VENDOR').optional(),
  SourceDocumentCode: z.literal('PO').default('PO'),
  TransactionType: z.literal('RECEIVE').default('RECEIVE'),
  AutoTransactCode: z.enum(['DELIVER', 'RECEIVE']).optional(),
  /** PO OrderNumber. */
  DocumentNumber: z.string().min(1).max(30),
  /** PO line number. */
  DocumentLineNumber: z.number().int().min(1),
  DocumentScheduleNumber: z.number().int().min(1).optional(),
  ItemNumber: z.string().min(1).max(300).optional(),
  Quantity: z.number().positive(),
  UnitOfMeasure: z.string().min(1).max(25),
  OrganizationCode: z.string().min(1).max(18).optional(),
  Subinventory: z.string().min(1).max(10).optional(),
});

/** Body of `POST receivingReceiptRequests`. */
export const ReceiptRequestSchema = z.strictObject({
  ReceiptSourceCode: z.literal('VENDOR'),
  /** HEM's receipt id: the receipt's business key when present. */
  ReceiptNumber: z.string().min(1).max(30).optional(),
  /** The supplier's shipment (ASN) number, when the receipt confirms an 856. */
  ShipmentNumber: z.string().min(1).max(30).optional(),
  OrganizationCode: z.string().min(1).max(18).optional(),
  VendorName: z.string().min(1).max(360).optional(),
  BusinessUnit: z.string().min(1).max(240).optional(),
  TransactionDate: z.iso.datetime({ offset: true }).optional(),
  lines: z.array(ReceiptLineRequestSchema).min(1),
});
export type ReceiptRequest = z.infer<typeof ReceiptRequestSchema>;

const InvoiceLineRequestSchema = z.strictObject({
  LineNumber: z.number().int().min(1),
  LineType: z.enum(['Item', 'Freight', 'Miscellaneous', 'Tax']).default('Item'),
  LineAmount: money,
  Quantity: money.optional(),
  UnitPrice: money.optional(),
  UOM: z.string().min(1).max(25).optional(),
  Description: z.string().max(240).optional(),
  ItemNumber: z.string().min(1).max(300).optional(),
  PurchaseOrderNumber: z.string().min(1).max(30).optional(),
  PurchaseOrderLineNumber: z.number().int().min(1).optional(),
  /** GL account the line is charged to, e.g. '6410-110'. */
  DistributionCombination: z.string().min(1).max(250).optional(),
});

/** Body of `POST invoices`. */
export const InvoiceRequestSchema = z
  .strictObject({
    InvoiceNumber: z.string().min(1).max(50),
    InvoiceAmount: money,
    InvoiceDate: isoDate,
    Supplier: z.string().min(1).max(360),
    SupplierSite: z.string().min(1).max(240).optional(),
    BusinessUnit: z.string().min(1).max(240).optional(),
    InvoiceCurrency: z.string().regex(/^[A-Z]{3}$/, 'InvoiceCurrency must be an ISO 4217 code').default('USD'),
    InvoiceType: z.enum(['Standard', 'Credit memo']).default('Standard'),
    Description: z.string().max(240).optional(),
    PaymentTerms: z.string().min(1).max(50).optional(),
    PurchaseOrderNumber: z.string().min(1).max(30).optional(),
    invoiceLines: z.array(InvoiceLineRequestSchema).min(1),
  })
  .superRefine((invoice, ctx) => {
    const seen = new Set<number>();
    invoice.invoiceLines.forEach((line, index) => {
      if (seen.has(line.LineNumber)) {
        ctx.addIssue({ code: 'custom', path: ['invoiceLines', index, 'LineNumber'], message: `LineNumber ${line.LineNumber} is repeated` });
      }
      seen.add(line.LineNumber);
    });
  });
export type InvoiceRequest = z.infer<typeof InvoiceRequestSchema>;

/** A purchase order as the ERP keeps it. */
export interface ErpPurchaseOrder extends Omit<PurchaseOrderRequest, 'lines'> {
  POHeaderId: number;
  StatusCode: 'OPEN';
  Status: 'Open';
  /** Total ordered amount. */
  Ordered: number;
  CreationDate: string;
  lines: (PurchaseOrderRequest['lines'][number] & { POLineId: number; Amount: number; QuantityReceived: number; QuantityBilled: number })[];
}

/** A receipt request as the ERP keeps it. */
export interface ErpReceipt extends Omit<ReceiptRequest, 'lines'> {
  HeaderInterfaceId: number;
  ProcessingStatusCode: 'SUCCESS';
  CreationDate: string;
  lines: (ReceiptRequest['lines'][number] & { InterfaceTransactionId: number; POHeaderId?: number })[];
}

/** An AP invoice as the ERP keeps it. */
export interface ErpInvoice extends Omit<InvoiceRequest, 'invoiceLines'> {
  InvoiceId: number;
  ValidationStatus: 'Validated';
  ApprovalStatus: 'Required';
  PaidStatus: 'Unpaid';
  CreationDate: string;
  invoiceLines: (InvoiceRequest['invoiceLines'][number] & { InvoiceLineId: number })[];
}

/** What the simulator has seen since it started. */
export interface ErpSimulatorStats {
  /** Every POST to a resource collection. */
  posts: number;
  /** New resources written. */
  created: number;
  /** POSTs answered 200 with an existing resource (same Idempotency-Key or business key). */
  replays: number;
  /** POSTs refused with a 4xx. */
  rejected: number;
  failuresInjected: number;
  timeoutsInjected: number;
}

export interface ErpSimulatorOptions extends SimulatorListenOptions {
  faults?: ErpFaultConfig;
  /**
   * Refuse receipts and invoices that reference a PO (line) the ERP does not have, a receipt in a
   * unit other than the PO line's, an invoice whose lines do not add up or whose supplier is not
   * the PO's. @default true
   */
  validateReferences?: boolean;
}

export interface ErpSimulator extends FaultControlledSimulator<ErpFaultConfig> {
  /** Base URL, e.g. `http://127.0.0.1:43121` (no trailing slash); resources live under `${url}${ERP_RESOURCE_BASE}`. */
  url: string;
  /** Purchase orders in creation order (deep copies). */
  purchaseOrders(): ErpPurchaseOrder[];
  /** Receipt requests in creation order (deep copies). */
  receipts(): ErpReceipt[];
  /** AP invoices in creation order (deep copies). */
  invoices(): ErpInvoice[];
  stats(): ErpSimulatorStats;
}

const MAX_BODY_BYTES = 1_048_576;
const ERROR_CONTENT_TYPE = 'application/vnd.oracle.adf.error+json';
const RESOURCE_CONTENT_TYPE = 'application/vnd.oracle.adf.resourceitem+json';
const COLLECTION_CONTENT_TYPE = 'application/vnd.oracle.adf.resourcecollection+json';

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

interface ErrorDetail {
  detail: string;
  'o:errorCode': string;
  'o:errorPath'?: string;
}

/** A request the simulator refuses: becomes a Fusion error response. */
class ErpRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly details: ErrorDetail[],
    readonly headers: Record<string, string> = {},
  ) {
    super(details[0]?.detail ?? errorCode);
  }
}

const refuse = (status: number, errorCode: string, detail: string, path?: string): ErpRequestError =>
  new ErpRequestError(status, errorCode, [{ detail, 'o:errorCode': errorCode, ...(path === undefined ? {} : { 'o:errorPath': path }) }]);

const sendError = (res: ServerResponse, error: ErpRequestError, echo: Record<string, string>): void => {
  sendJson(
    res,
    error.status,
    {
      type: 'http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html',
      title: TITLES[error.status] ?? 'Error',
      status: String(error.status),
      'o:errorCode': error.errorCode,
      'o:errorDetails': error.details,
    },
    { ...echo, ...error.headers },
    ERROR_CONTENT_TYPE,
  );
};

/** A resource or collection in Fusion's content type. */
const send = (res: ServerResponse, status: number, contentType: string, body: unknown, headers: Record<string, string> = {}): void => {
  sendJson(res, status, body, headers, contentType);
};

const readBody = (req: IncomingMessage): Promise<string> =>
  readBodyLimited(req, MAX_BODY_BYTES, () => refuse(413, 'HEMERP-PAYLOAD-TOO-LARGE', 'Request body too large'));

const parseJson = (text: string): unknown => parseJsonText(text, () => refuse(400, 'HEMERP-INVALID-JSON', 'The request body is not valid JSON'));

const validationError = (error: z.ZodError): ErpRequestError =>
  new ErpRequestError(
    400,
    'HEMERP-VALIDATION',
    error.issues.map((issue) => ({
      detail: issue.message,
      'o:errorCode': 'HEMERP-VALIDATION',
      'o:errorPath': issue.path.length === 0 ? '(body)' : issue.path.join('.'),
    })),
  );

/** JSON with sorted keys: two bodies are "the same" when their parsed, defaulted values are equal. */
const fingerprint = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

const roundCents = (value: number): number => Math.round(value * 100) / 100;

const CENT = 0.005 + 1e-9;

/** One collection's stores: resources by id, by Idempotency-Key and by business key. */
interface Store<T> {
  items: T[];
  byId: Map<number, T>;
  byKey: Map<string, { fingerprint: string; resource: T }>;
  byBusinessKey: Map<string, { fingerprint: string; resource: T }>;
}

const newStore = <T>(): Store<T> => ({ items: [], byId: new Map(), byKey: new Map(), byBusinessKey: new Map() });

/** Fusion-style `q` finder: `Attr=Value;Attr2='Value 2'` (equality only). */
const parseFinder = (q: string | null): [string, string][] =>
  q === null
    ? []
    : q
        .split(';')
        .map((clause) => clause.trim())
        .filter((clause) => clause !== '')
        .map((clause) => {
          const eq = clause.indexOf('=');
          if (eq <= 0) {
            throw refuse(400, 'HEMERP-BAD-FINDER', `Unsupported q clause "${clause}": use Attribute=Value`);
          }
          return [clause.slice(0, eq).trim(), clause.slice(eq + 1).trim().replace(/^'(.*)'$/, '$1')];
        });

/** Starts the ERP simulator on loopback. */
export async function startErpSimulator(options: ErpSimulatorOptions = {}): Promise<ErpSimulator> {
  const validateReferences = options.validateReferences ?? true;
  const orders = newStore<ErpPurchaseOrder>();
  const receipts = newStore<ErpReceipt>();
  const invoices = newStore<ErpInvoice>();
  const ordersByNumber = new Map<string, ErpPurchaseOrder>();
  const stats: ErpSimulatorStats = { posts: 0, created: 0, replays: 0, rejected: 0, failuresInjected: 0, timeoutsInjected: 0 };
  const timers = createDelayTimers();
  const faults = new FaultInjector<ErpFaultConfig>(ErpFaultConfigSchema, options.faults ?? {});
  // Fusion ids are large numbers; distinct bases per resource make a mixed-up id obvious in a log.
  let nextPoHeaderId = 300_000_100_000_001;
  let nextPoLineId = 300_000_110_000_001;
  let nextHeaderInterfaceId = 300_000_200_000_001;
  let nextInterfaceTransactionId = 300_000_210_000_001;
  let nextInvoiceId = 300_000_300_000_001;
  let nextInvoiceLineId = 300_000_310_000_001;

  /**
   * The idempotent write shared by every collection: replay by key, then by business key, else
   * validate references and create. Synchronous, so check-and-insert is atomic.
   */
  const write = <T>(
    store: Store<T>,
    key: string,
    request: unknown,
    businessKey: { label: string; value: string } | undefined,
    create: () => T,
    idOf: (resource: T) => number,
  ): { created: boolean; resource: T } => {
    const print = fingerprint(request);
    const byKey = store.byKey.get(key);
    if (byKey !== undefined) {
      if (byKey.fingerprint !== print) {
        throw refuse(409, 'HEMERP-IDEMPOTENCY-KEY-REUSED', `Idempotency-Key ${key} was already used with a different body`);
      }
      return { created: false, resource: byKey.resource };
    }
    const byBusiness = businessKey === undefined ? undefined : store.byBusinessKey.get(businessKey.value);
    if (byBusiness !== undefined && businessKey !== undefined) {
      if (byBusiness.fingerprint !== print) {
        throw refuse(409, 'HEMERP-DUPLICATE', `${businessKey.label} already exists with different content`);
      }
      store.byKey.set(key, byBusiness);
      return { created: false, resource: byBusiness.resource };
    }
    const resource = create();
    const entry = { fingerprint: print, resource };
    store.items.push(resource);
    store.byId.set(idOf(resource), resource);
    store.byKey.set(key, entry);
    if (businessKey !== undefined) {
      store.byBusinessKey.set(businessKey.value, entry);
    }
    return { created: true, resource };
  };

  const postPurchaseOrder = (key: string, body: unknown): { created: boolean; resource: ErpPurchaseOrder } => {
    const parsed = PurchaseOrderRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw validationError(parsed.error);
    }
    const request = parsed.data;
    return write(
      orders,
      key,
      request,
      { label: `OrderNumber ${request.OrderNumber}`, value: request.OrderNumber },
      () => {
        const lines = request.lines.map((line) => ({
          ...line,
          POLineId: nextPoLineId++,
          Amount: roundCents(line.Quantity * line.Price),
          QuantityReceived: 0,
          QuantityBilled: 0,
        }));
        const order: ErpPurchaseOrder = {
          ...request,
          POHeaderId: nextPoHeaderId++,
          StatusCode: 'OPEN',
          Status: 'Open',
          Ordered: roundCents(lines.reduce((sum, line) => sum + line.Amount, 0)),
          CreationDate: new Date().toISOString(),
          lines,
        };
        ordersByNumber.set(order.OrderNumber, order);
        return order;
      },
      (order) => order.POHeaderId,
    );
  };

  type OrderLine = ErpPurchaseOrder['lines'][number];

  /**
   * The PO (line) a receipt or invoice line names. Unknown references are refused when
   * `validateReferences` is on and simply left unresolved when it is off.
   */
  const resolveOrder = (orderNumber: string, lineNumber: number | undefined, path: string): { order?: ErpPurchaseOrder; line?: OrderLine } => {
    const order = ordersByNumber.get(orderNumber);
    if (order === undefined) {
      if (validateReferences) {
        throw refuse(400, 'HEMERP-UNKNOWN-PO', `Purchase order ${orderNumber} does not exist`, path);
      }
      return {};
    }
    const line = lineNumber === undefined ? undefined : order.lines.find((l) => l.LineNumber === lineNumber);
    if (lineNumber !== undefined && line === undefined && validateReferences) {
      throw refuse(400, 'HEMERP-UNKNOWN-PO-LINE', `Purchase order ${orderNumber} has no line ${lineNumber}`, path);
    }
    return { order, ...(line === undefined ? {} : { line }) };
  };

  const checkSupplier = (order: ErpPurchaseOrder | undefined, supplier: string, path: string): void => {
    if (validateReferences && order !== undefined && order.Supplier !== supplier) {
      throw refuse(400, 'HEMERP-SUPPLIER-MISMATCH', `Purchase order ${order.OrderNumber} is not with supplier ${supplier}`, path);
    }
  };

  const postReceipt = (key: string, body: unknown): { created: boolean; resource: ErpReceipt } => {
    const parsed = ReceiptRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw validationError(parsed.error);
    }
    const request = parsed.data;
    return write(
      receipts,
      key,
      request,
      request.ReceiptNumber === undefined ? undefined : { label: `ReceiptNumber ${request.ReceiptNumber}`, value: request.ReceiptNumber },
      () => {
        // Resolve every line before touching any PO line, so a refused receipt changes nothing.
        const resolved = request.lines.map((line, index) => {
          const { order, line: target } = resolveOrder(line.DocumentNumber, line.DocumentLineNumber, `lines.${index}`);
          const sameUnit = target === undefined || target.UOMCode === line.UnitOfMeasure;
          if (!sameUnit && validateReferences) {
            throw refuse(
              400,
              'HEMERP-UOM-MISMATCH',
              `UnitOfMeasure ${line.UnitOfMeasure} is not the unit of purchase order ${line.DocumentNumber} line ${line.DocumentLineNumber} (${target.UOMCode})`,
              `lines.${index}.UnitOfMeasure`,
            );
          }
          return { line, order, target: sameUnit ? target : undefined };
        });
        for (const { line, target } of resolved) {
          if (target !== undefined) {
            target.QuantityReceived += line.Quantity;
          }
        }
        return {
          ...request,
          HeaderInterfaceId: nextHeaderInterfaceId++,
          ProcessingStatusCode: 'SUCCESS',
          CreationDate: new Date().toISOString(),
          lines: resolved.map(({ line, order }) => ({
            ...line,
            InterfaceTransactionId: nextInterfaceTransactionId++,
            ...(order === undefined ? {} : { POHeaderId: order.POHeaderId }),
          })),
        } satisfies ErpReceipt;
      },
      (receipt) => receipt.HeaderInterfaceId,
    );
  };

  const postInvoice = (key: string, body: unknown): { created: boolean; resource: ErpInvoice } => {
    const parsed = InvoiceRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw validationError(parsed.error);
    }
    const request = parsed.data;
    return write(
      invoices,
      key,
      request,
      { label: `Invoice ${request.InvoiceNumber} of supplier ${request.Supplier}`, value: `${request.Supplier}\u0000${request.InvoiceNumber}` },
      () => {
        if (validateReferences) {
          const lineTotal = request.invoiceLines.reduce((sum, line) => sum + line.LineAmount, 0);
          if (Math.abs(lineTotal - request.InvoiceAmount) > CENT) {
            throw refuse(
              400,
              'HEMERP-INVOICE-AMOUNT',
              `InvoiceAmount ${request.InvoiceAmount} does not equal the sum of the line amounts (${roundCents(lineTotal)})`,
              'InvoiceAmount',
            );
          }
          request.invoiceLines.forEach((line, index) => {
            if (line.Quantity !== undefined && line.UnitPrice !== undefined && Math.abs(line.Quantity * line.UnitPrice - line.LineAmount) > 0.01 + 1e-9) {
              throw refuse(400, 'HEMERP-LINE-AMOUNT', 'LineAmount must equal Quantity × UnitPrice to the cent', `invoiceLines.${index}.LineAmount`);
            }
          });
        }
        if (request.PurchaseOrderNumber !== undefined) {
          checkSupplier(resolveOrder(request.PurchaseOrderNumber, undefined, 'PurchaseOrderNumber').order, request.Supplier, 'PurchaseOrderNumber');
        }
        // Resolve every line before billing any PO line, so a refused invoice changes nothing.
        const billed: { target: OrderLine; quantity: number }[] = [];
        request.invoiceLines.forEach((line, index) => {
          const orderNumber = line.PurchaseOrderNumber ?? (line.PurchaseOrderLineNumber === undefined ? undefined : request.PurchaseOrderNumber);
          if (orderNumber === undefined) {
            return;
          }
          const { order, line: target } = resolveOrder(orderNumber, line.PurchaseOrderLineNumber, `invoiceLines.${index}`);
          checkSupplier(order, request.Supplier, `invoiceLines.${index}.PurchaseOrderNumber`);
          if (target !== undefined && line.LineType === 'Item' && line.Quantity !== undefined) {
            billed.push({ target, quantity: line.Quantity });
          }
        });
        for (const { target, quantity } of billed) {
          target.QuantityBilled += quantity;
        }
        return {
          ...request,
          InvoiceId: nextInvoiceId++,
          ValidationStatus: 'Validated',
          ApprovalStatus: 'Required',
          PaidStatus: 'Unpaid',
          CreationDate: new Date().toISOString(),
          invoiceLines: request.invoiceLines.map((line) => ({ ...line, InvoiceLineId: nextInvoiceLineId++ })),
        } satisfies ErpInvoice;
      },
      (invoice) => invoice.InvoiceId,
    );
  };

  const collections = {
    purchaseOrders: { store: orders, post: postPurchaseOrder, idOf: (r: ErpPurchaseOrder) => r.POHeaderId },
    receivingReceiptRequests: { store: receipts, post: postReceipt, idOf: (r: ErpReceipt) => r.HeaderInterfaceId },
    invoices: { store: invoices, post: postInvoice, idOf: (r: ErpInvoice) => r.InvoiceId },
  } as const;

  const handlePost = async (resource: ErpResourceName, req: IncomingMessage, res: ServerResponse, echo: Record<string, string>): Promise<void> => {
    stats.posts += 1;
    const post = collections[resource].post as (key: string, body: unknown) => { created: boolean; resource: unknown };
    const admitted = await admitFaultablePost(req, {
      faults,
      timers,
      stats,
      readBody,
      // Faults scoped to other collections leave this post alone and keep their counts.
      applies: (config) => config.resources === undefined || config.resources.includes(resource),
      failure: (fault) =>
        new ErpRequestError(
          fault.status,
          'HEMERP-INJECTED-FAULT',
          [{ detail: 'ERP unavailable (injected fault)', 'o:errorCode': 'HEMERP-INJECTED-FAULT' }],
          retryAfterHeader(fault),
        ),
      commit: (key, text) => {
        if (post(key, parseJson(text)).created) {
          stats.created += 1;
        }
      },
    });
    if (admitted === undefined) {
      return;
    }
    const { key, text } = admitted;
    let outcome: { created: boolean; resource: unknown };
    try {
      if (key === undefined) {
        throw refuse(400, 'HEMERP-IDEMPOTENCY-KEY-REQUIRED', 'The Idempotency-Key header is required on every POST');
      }
      outcome = post(key, parseJson(text));
    } catch (error) {
      if (error instanceof ErpRequestError) {
        stats.rejected += 1;
      }
      throw error;
    }
    if (outcome.created) {
      stats.created += 1;
    } else {
      stats.replays += 1;
    }
    const id = (collections[resource].idOf as (r: unknown) => number)(outcome.resource);
    send(res, outcome.created ? 201 : 200, RESOURCE_CONTENT_TYPE, outcome.resource, {
      ...echo,
      location: `${ERP_RESOURCE_BASE}/${resource}/${id}`,
    });
  };

  const handleGet = (resource: ErpResourceName, rest: string, url: URL, res: ServerResponse, echo: Record<string, string>): void => {
    const { store } = collections[resource];
    if (rest !== '') {
      const found = (store.byId as Map<number, unknown>).get(Number(decodeURIComponent(rest)));
      if (found === undefined) {
        throw refuse(404, 'HEMERP-NOT-FOUND', `No ${resource} resource with id ${rest}`);
      }
      send(res, 200, RESOURCE_CONTENT_TYPE, found, echo);
      return;
    }
    const clauses = parseFinder(url.searchParams.get('q'));
    const items = (store.items as readonly unknown[] as readonly Record<string, unknown>[]).filter((item) => clauses.every(([attr, value]) => String(item[attr]) === value));
    send(res, 200, COLLECTION_CONTENT_TYPE, { items, count: items.length, hasMore: false, limit: items.length, offset: 0 }, echo);
  };

  const faultRefusals = {
    readJson: async (req: IncomingMessage): Promise<unknown> => parseJson(await readBody(req)),
    invalid: validationError,
    methodNotAllowed,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, echo: Record<string, string>): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://erp.local');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path.startsWith(`${ERP_RESOURCE_BASE}/`)) {
      const [resource = '', ...restParts] = path.slice(ERP_RESOURCE_BASE.length + 1).split('/');
      const rest = restParts.join('/');
      if (!(ERP_RESOURCES as readonly string[]).includes(resource)) {
        throw refuse(404, 'HEMERP-NOT-FOUND', `No resource ${resource}`);
      }
      const name = resource as ErpResourceName;
      if (req.method === 'POST' && rest === '') {
        await handlePost(name, req, res, echo);
        return;
      }
      if (req.method === 'GET' && !rest.includes('/')) {
        handleGet(name, rest, url, res, echo);
        return;
      }
      throw methodNotAllowed(rest === '' ? 'GET, POST' : 'GET');
    }
    if (path === '/health' && req.method === 'GET') {
      send(res, 200, 'application/json', {
        status: 'UP',
        service: 'erp-simulator',
        purchaseOrders: orders.items.length,
        receipts: receipts.items.length,
        invoices: invoices.items.length,
      });
      return;
    }
    if (path === '/_faults') {
      await serveFaults(req, res, faults, faultRefusals);
      return;
    }
    if (path === '/_stats' && req.method === 'GET') {
      send(res, 200, 'application/json', stats);
      return;
    }
    throw refuse(404, 'HEMERP-NOT-FOUND', 'No such resource');
  };

  const server = await startSimulatorServer((req, res) => {
    const echo = correlationEcho(req);
    handle(req, res, echo).catch((error: unknown) => {
      sendError(res, error instanceof ErpRequestError ? error : refuse(500, 'HEMERP-INTERNAL', 'Simulator error'), echo);
    });
  }, options);

  return {
    ...faultControls(server, faults, timers),
    purchaseOrders: () => structuredClone(orders.items),
    receipts: () => structuredClone(receipts.items),
    invoices: () => structuredClone(invoices.items),
    stats: () => ({ ...stats }),
  };
}

const methodNotAllowed = (allow: string): ErpRequestError =>
  new ErpRequestError(405, 'HEMERP-METHOD-NOT-ALLOWED', [{ detail: `Method not allowed; allowed: ${allow}`, 'o:errorCode': 'HEMERP-METHOD-NOT-ALLOWED' }], { allow });

/**
 * `npm run demo` (= `hem demo`): one hospital day played through HEM over HTTP, as its partners would
 * play it, then a summary of what happened.
 *
 * The day: purchasing raises a few requisitions in the SaaS tool (one needs a buyer's approval), and
 * the suppliers answer them each their own way (a backorder, a price change in the 855, freight over
 * the contract's tolerance, a duplicate invoice, an invoice over the contract price); then procedures
 * in the six par locations report their supplies as HL7 DFT^P03 and FHIR bundles, a few with a charge
 * code or department the crosswalk does not know yet (an operator maps them and reprocesses); usage
 * crosses reorder points, replenishments become purchase orders, the ERP creates them and the supplier
 * network answers with 855/856/810; the receiving dock receives what shipped; invoices are matched
 * and an AP clerk resolves the exceptions; cost postings and AP vouchers reach finance.
 *
 * The summary: counts per stage, latency per hop (p50/p95, from the transactions' hop timestamps),
 * invoice and usage exceptions with what was done about them, dead-letter queue depths, and the
 * audit hash chain verified (`GET /v1/ops/audit/verify`).
 *
 * It starts a local runtime unless given one or `baseUrl` (HEM_URL). Against a runtime it did not
 * start it finds the simulators through `GET /health` (the local runtime lists them there); without a
 * supplier network it cannot steer the suppliers and plays the usage, dock and AP parts only.
 */
import { randomUUID } from 'node:crypto';
import { startRuntime, type Runtime } from './runtime';
import { DEFAULT_LOCAL_CLIENTS } from './oauth';
import { LOCAL_OPS_CREDENTIALS, signRequest } from './sigv4';
import { buildSeedData } from './seed';
import type { InboxEntry, Scenario } from './simulators/supplier-network';
import { writeInterchange } from './simulators/x12-lite';

/** Options of `runDemo`. */
export interface DemoOptions {
  /** Procedures of the day (default 40), spread over the six par locations. */
  procedures?: number;
  /** A running HEM to play against (HEM_URL); otherwise `runtime`, otherwise a local runtime started here. */
  baseUrl?: string;
  runtime?: Runtime;
  /** Time scale of the runtime started here (retries, visibility timeouts). Default 0.05. */
  timeScale?: number;
  /** Seed of the day's pseudo-random choices (same seed, same day). Default 2026. */
  seed?: number;
  /** The day gives up waiting after this long (ms). Default 100 000. */
  deadlineMs?: number;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
}

/** One hop's latency from the previous hop of the same transaction. */
export interface HopLatency {
  hop: string;
  count: number;
  p50Ms: number;
  p95Ms: number;
}

/** What the day produced. */
export interface DemoSummary {
  baseUrl: string;
  procedures: number;
  /** Transactions followed (usage messages and requisitions). */
  transactions: number;
  /** Hops recorded per stage, in flow order. */
  stages: { stage: string; count: number }[];
  latencies: HopLatency[];
  /** Usage → closed purchase order, over the transactions that got there. */
  endToEnd?: { count: number; p50Ms: number; p95Ms: number };
  purchaseOrders: { total: number; byStatus: Record<string, number> };
  /** Supplier documents HEM accepted (855/856/810) and answered otherwise. */
  supplierDocuments: { accepted: Record<string, number>; rejected: number };
  receipts: number;
  invoices: { total: number; byStatus: Record<string, number> };
  invoiceExceptions: { invoiceNumber: string; supplierId: string; reasons: string[]; resolution: string }[];
  usageExceptions: { reasons: string[]; fixedWith: string; reprocessed: boolean }[];
  costPostings: number;
  apVouchers: number;
  deadLetterQueues: { name: string; depth: number }[];
  audit: { ok: boolean; count?: number; reason?: string };
  /** Every PO closed or waiting on a backorder, every invoice paid or rejected, no exception open. */
  complete: boolean;
  /** What was still open when the day ended. */
  open: string[];
  durationMs: number;
}

/** The order stages are shown in (anything else follows). */
const STAGE_ORDER = [
  'received',
  'mapped',
  'exception',
  'reprocessed',
  'applied',
  'reorder',
  'cost-posted',
  'requisition-created',
  'requisition-approved',
  'po-created',
  'po-created-in-erp',
  'po-issued',
  'po-acknowledged',
  'shipment-notified',
  'goods-received',
  'invoice-received',
  'invoice-matched',
  'invoice-exception',
  'invoice-resolved',
  'voucher-posted',
  'po-closed',
];

const LOCATIONS = [
  { locationId: 'NMC-OR', facility: 'NMC', department: 'OR' },
  { locationId: 'NMC-CATH', facility: 'NMC', department: 'CATH' },
  { locationId: 'NMC-ED', facility: 'NMC', department: 'ED' },
  { locationId: 'SCH-OR', facility: 'SCH', department: 'OR' },
  { locationId: 'SCH-ICU', facility: 'SCH', department: 'ICU' },
  { locationId: 'SCH-LD', facility: 'SCH', department: 'LD' },
] as const;

/** A small deterministic PRNG (mulberry32): the same seed plays the same day. */
const prng = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
};

const pad = (value: string | number, width: number): string => String(value).padEnd(width);
const padLeft = (value: string | number, width: number): string => String(value).padStart(width);

const tally = (values: readonly string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};

/**
 * A supplier's X12 810 for lines of a PO, written with the simulators' independent X12 writer: what
 * a supplier that invoices another price than it acknowledged sends.
 */
export const supplierInvoice810 = (opts: {
  isaId: string;
  controlNumber: number;
  invoiceNumber: string;
  poNumber: string;
  lines: readonly { lineNumber: number; quantity: number; uom: string; unitPrice: number; supplierCatalogNumber: string; gtin: string }[];
  at?: Date;
}): string => {
  const at = opts.at ?? new Date();
  const date = at.toISOString().slice(0, 10).replaceAll('-', '');
  const cents = (amount: number): number => Math.round(amount * 100);
  const total = opts.lines.reduce((sum, l) => sum + cents(l.quantity * l.unitPrice), 0);
  return writeInterchange(
    {
      version: '005010',
      senderQualifier: 'ZZ',
      senderId: opts.isaId,
      receiverQualifier: 'ZZ',
      receiverId: 'HEMHOSPITAL',
      groupSenderId: opts.isaId,
      groupReceiverId: 'HEMHOSPITAL',
      functionalId: 'IN',
      interchangeControlNumber: opts.controlNumber,
      groupControlNumber: opts.controlNumber,
      at,
    },
    [
      {
        id: '810',
        controlNumber: String(opts.controlNumber),
        segments: [
          ['BIG', date, opts.invoiceNumber, '', opts.poNumber],
          ['CUR', 'SE', 'USD'],
          ...opts.lines.map((l) => ['IT1', String(l.lineNumber), String(l.quantity), l.uom, l.unitPrice.toFixed(2), '', 'VN', l.supplierCatalogNumber, 'UK', l.gtin]),
          ['TDS', String(total)],
          ['CTT', String(opts.lines.length)],
        ],
      },
    ],
  ).text;
};

interface HttpAnswer {
  status: number;
  text: string;
  headers: Headers;
}

/** HEM over HTTP as its partners and operators reach it: client-credentials tokens and SigV4 for ops. */
class HemClient {
  readonly #tokens = new Map<string, Promise<string>>();

  constructor(readonly baseUrl: string) {}

  token(clientId: string): Promise<string> {
    let token = this.#tokens.get(clientId);
    if (token === undefined) {
      token = this.#fetchToken(clientId);
      this.#tokens.set(clientId, token);
      token.catch(() => this.#tokens.delete(clientId));
    }
    return token;
  }

  async call(clientId: string, method: string, path: string, body?: string, contentType = 'application/json', headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${await this.token(clientId)}`, ...(body === undefined ? {} : { 'content-type': contentType }), ...headers },
      ...(body === undefined ? {} : { body }),
    });
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  async json<T>(clientId: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const answer = await this.call(clientId, method, path, body === undefined ? undefined : JSON.stringify(body));
    return { status: answer.status, body: (answer.text === '' ? undefined : JSON.parse(answer.text)) as T };
  }

  async ops<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const url = `${this.baseUrl}${path}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = await signRequest(
      { method, url, headers: payload === undefined ? {} : { 'content-type': 'application/json' }, body: payload },
      LOCAL_OPS_CREDENTIALS,
      { region: 'local', service: 'execute-api' },
    );
    const res = await fetch(url, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
    return { status: res.status, body: (await res.json()) as T };
  }

  async #fetchToken(clientId: string): Promise<string> {
    const client = DEFAULT_LOCAL_CLIENTS.find((c) => c.clientId === clientId);
    if (client === undefined) throw new Error(`no local client ${clientId}`);
    const res = await fetch(`${this.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const json = (await res.json()) as { access_token?: string };
    if (res.status !== 200 || json.access_token === undefined) throw new Error(`token for ${clientId}: HTTP ${res.status}`);
    return json.access_token;
  }
}

interface HopView {
  hop: string;
  status: string;
  at: string;
  detail?: Record<string, unknown>;
}

interface PoLineView {
  lineNumber: number;
  quantity: number;
  uom: string;
  uomFactor: number;
  unitPrice: number;
  supplierCatalogNumber: string;
  gtin: string;
  status: string;
  shippedBaseQuantity?: number;
  receivedBaseQuantity?: number;
}

interface PoView {
  purchaseOrder: { poNumber: string; supplierId: string; status: string; correlationId: string; lines: PoLineView[] };
  invoiceCases: { caseId: string; status: string }[];
}

interface InvoiceView {
  invoiceId: string;
  invoiceNumber: string;
  supplierId: string;
  poNumber?: string;
  status: string;
  reasons: string[];
  waitingForReceipt?: boolean;
  createdAt?: string;
}

/** A requisition the purchasing office raises, with how its supplier will answer it. */
interface SpecialOrder {
  label: string;
  scenario: Scenario;
  request: { facilityId: string; locationId: string; costCenter: string; supplierId: string; lines: { itemId: string; quantity: number; uom: string }[] };
  /** A buyer approves it (over the cost center's auto-approval limit). */
  approve?: boolean;
  /** The supplier invoices it itself, this much over the PO price (percent). */
  invoiceOverPercent?: number;
}

const SPECIAL_ORDERS: readonly SpecialOrder[] = [
  {
    label: 'Medline backorders the Yankauer handles',
    scenario: { backorderLines: [2] },
    request: {
      facilityId: 'FAC-SCH',
      locationId: 'SCH-ICU',
      costCenter: 'CC-SCH-ICU',
      supplierId: 'SUP-MEDLINE',
      lines: [
        { itemId: 'ITM-10139', quantity: 2, uom: 'CS' },
        { itemId: 'ITM-10140', quantity: 2, uom: 'CS' },
      ],
    },
  },
  {
    label: 'Cardinal acknowledges the diagnostic catheters 4% dearer',
    scenario: { priceChangePercent: 4 },
    request: { facilityId: 'FAC-NMC', locationId: 'NMC-CATH', costCenter: 'CC-NMC-CATH', supplierId: 'SUP-CARDINAL', lines: [{ itemId: 'ITM-10121', quantity: 2, uom: 'BX' }] },
  },
  {
    label: 'Owens & Minor bills 320.00 freight, over the 250.00 its contract allows',
    scenario: { freight: 320 },
    request: { facilityId: 'FAC-SCH', locationId: 'SCH-OR', costCenter: 'CC-SCH-OR', supplierId: 'SUP-OWENS', lines: [{ itemId: 'ITM-10084', quantity: 2, uom: 'BX' }] },
  },
  {
    label: 'BD sends its invoice twice',
    scenario: { duplicateInvoice: true },
    request: { facilityId: 'FAC-NMC', locationId: 'NMC-OR', costCenter: 'CC-NMC-OR', supplierId: 'SUP-BD', lines: [{ itemId: 'ITM-10113', quantity: 1, uom: 'BX' }] },
  },
  {
    label: 'Medline invoices foam dressings 15% over the contract price',
    scenario: { sendInvoice: false },
    request: { facilityId: 'FAC-NMC', locationId: 'NMC-OR', costCenter: 'CC-NMC-OR', supplierId: 'SUP-MEDLINE', lines: [{ itemId: 'ITM-10150', quantity: 2, uom: 'BX' }] },
    invoiceOverPercent: 15,
  },
  {
    label: 'Drug-eluting stents for the cath lab need a buyer (3 × 1180 over the 2500 limit)',
    scenario: {},
    request: { facilityId: 'FAC-NMC', locationId: 'NMC-CATH', costCenter: 'CC-NMC-CATH', supplierId: 'SUP-OWENS', lines: [{ itemId: 'ITM-10126', quantity: 3, uom: 'BX' }] },
    approve: true,
  },
];

/** Suppliers' X12 ids (ISA06) by supplier id, for the invoices the demo writes as a supplier. */
const SUPPLIER_ISA: Readonly<Record<string, { isaId: string; clientId: string }>> = {
  'SUP-MEDLINE': { isaId: 'MEDLINE', clientId: 'supplier-medline' },
  'SUP-CARDINAL': { isaId: 'CARDINAL', clientId: 'supplier-cardinal' },
  'SUP-OWENS': { isaId: 'OWENSMINOR', clientId: 'supplier-owens' },
  'SUP-BD': { isaId: 'BDX', clientId: 'supplier-bd' },
};

/** A DFT^P03 for one procedure (patient segments as an EHR sends them: HEM drops them at the edge). */
const dftP03 = (controlId: string, facility: string, department: string, lines: readonly { chargeCode: string; quantity: number }[], visit: string): string =>
  [
    `MSH|^~\\&|EPIC|${facility}|HEM|HEM|${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}||DFT^P03^DFT_P03|${controlId}|P|2.5.1`,
    `EVN|P03|${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`,
    `PID|1||MRN${visit.slice(-6)}^^^${facility}^MR||DOE^ALEX||19700101|U`,
    `PV1|1|O|${department}^01^A^${facility}||||||||||||||||${visit}`,
    ...lines.map((l, i) => `FT1|${i + 1}|||${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}||CG|${l.chargeCode}^Supply^HEMCHG|||${l.quantity}|||${department}`),
  ].join('\r');

/** The same procedure as a FHIR R4 transaction bundle of ChargeItems. */
const fhirBundle = (facility: string, department: string, lines: readonly { chargeCode: string; quantity: number }[], visit: string): object => ({
  resourceType: 'Bundle',
  id: `bundle-${randomUUID()}`,
  meta: { source: 'EPIC' },
  type: 'transaction',
  entry: lines.map((l, i) => ({
    fullUrl: `urn:uuid:${randomUUID()}`,
    resource: {
      resourceType: 'ChargeItem',
      id: `chg-${visit}-${i + 1}`,
      extension: [
        { url: 'urn:hem:facility', valueString: facility },
        { url: 'urn:hem:department', valueString: department },
      ],
      status: 'billable',
      code: { coding: [{ system: 'urn:hem:charge-code', code: l.chargeCode }] },
      subject: { reference: 'Patient/demo', display: 'Alex Doe' },
      context: { reference: `Encounter/${visit}`, identifier: { value: visit } },
      occurrenceDateTime: new Date().toISOString(),
      quantity: { value: l.quantity, unit: 'each', system: 'http://unitsofmeasure.org', code: 'EA' },
    },
    request: { method: 'POST', url: 'ChargeItem' },
  })),
});

/** Plays the day and returns its summary (see the module comment). */
export const runDemo = async (options: DemoOptions = {}): Promise<DemoSummary> => {
  const started = Date.now();
  const sink = options.log ?? ((): void => undefined);
  const log = (line: string): void => sink(`${padLeft(((Date.now() - started) / 1000).toFixed(1), 6)} s  ${line}`);
  const procedures = options.procedures ?? 40;
  const deadline = started + (options.deadlineMs ?? 100_000);
  const random = prng(options.seed ?? 2026);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

  let owned: Runtime | undefined;
  let baseUrl = options.baseUrl ?? options.runtime?.baseUrl;
  if (baseUrl === undefined) {
    log('starting a local runtime…');
    owned = await startRuntime({ port: 0, timeScale: options.timeScale ?? 0.05 });
    baseUrl = owned.baseUrl;
    log(`runtime ready at ${baseUrl} in ${((owned.startup.total ?? 0) / 1000).toFixed(1)} s`);
  }
  const hem = new HemClient(baseUrl.replace(/\/+$/, ''));
  try {
    const health = (await (await fetch(`${hem.baseUrl}/health`)).json()) as { timeScale?: number; simulators?: { finance?: string; supplierNetwork?: string } };
    const timeScale = health.timeScale ?? 1;
    const network = health.simulators?.supplierNetwork;
    const financeUrl = health.simulators?.finance;
    if (network === undefined) log('no supplier network simulator behind this HEM: the suppliers play their default part');
    // Supplier pace in real time: 855 after 0.3 s, 856 0.6 s later, 810 5 s after that (the dock usually receives first).
    const pace = (ms: number): number => Math.round(ms / (timeScale > 0 ? timeScale : 1));
    const dayScenario: Scenario = { delaysMs: { ack: pace(300), asn: pace(600), invoice: pace(5_000) } };
    const setScenario = async (scenario: Scenario): Promise<void> => {
      if (network === undefined) return;
      const res = await fetch(`${network}/_scenario`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...dayScenario, ...scenario }),
      });
      if (res.status !== 200) throw new Error(`the supplier network refused a scenario: HTTP ${res.status}`);
    };
    // Put back how the suppliers answered before the day (a runtime the demo did not start keeps its own pace).
    const scenarioBefore = network === undefined ? undefined : ((await (await fetch(`${network}/_scenario`)).json()) as Scenario);
    const restoreScenario = async (): Promise<void> => {
      if (network === undefined || scenarioBefore === undefined || owned !== undefined) return;
      await fetch(`${network}/_scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(scenarioBefore) });
    };
    const inbox = async (): Promise<InboxEntry[]> => (network === undefined ? [] : ((await (await fetch(`${network}/_inbox`)).json()) as InboxEntry[]));

    const transactions = new Set<string>();
    const hopsOf = async (correlationId: string): Promise<HopView[]> => {
      const res = await hem.json<{ hops?: HopView[] }>('ap-clerk', 'GET', `/v1/transactions/${encodeURIComponent(correlationId)}`);
      return res.status === 200 ? (res.body.hops ?? []) : [];
    };
    const poNumbersOf = (hops: readonly HopView[]): string[] =>
      hops.filter((h) => h.hop === 'po-created' && typeof h.detail?.poNumber === 'string').map((h) => h.detail?.poNumber as string);
    const waitFor = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => {
      const until = Math.min(deadline, Date.now() + timeoutMs);
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        if (Date.now() > until) throw new Error(`the demo gave up waiting for ${what}`);
        await sleep(100);
      }
    };

    const data = buildSeedData();
    const runTag = randomUUID().replace(/-/g, '').slice(0, 5).toUpperCase();
    // New every run (not from the seeded PRNG): a second day on the same runtime meets them unmapped again.
    const unknownChargeCode = `CHG-9${String(Number.parseInt(runTag, 16) % 100_000).padStart(5, '0')}`;
    const unknownDepartment = `IR${runTag.slice(0, 2)}`;
    /** POs whose supplier sends its own 810, and how far over the PO price (percent). */
    const selfInvoiced = new Map<string, number>();

    // Operations: map what the crosswalk did not know and reprocess it.
    const usageExceptions: DemoSummary['usageExceptions'] = [];
    const fixed = new Set<string>();
    const mapped = new Set<string>();
    const fixUsageExceptions = async (): Promise<void> => {
      const list = await hem.ops<{ exceptions?: { exceptionId: string; reasons: string[]; status: string; correlationId: string }[] }>('GET', '/v1/ops/exceptions?status=OPEN');
      for (const exception of list.body.exceptions ?? []) {
        // Only the day's own messages: a runtime played against may hold exceptions of its own.
        if (fixed.has(exception.exceptionId) || !transactions.has(exception.correlationId)) continue;
        const fixes: string[] = [];
        if (exception.reasons.includes('UNKNOWN_CHARGE_CODE')) {
          if (!mapped.has('charge code')) await hem.ops('PUT', `/v1/ops/crosswalks/charge-codes/EPIC/${unknownChargeCode}`, { itemId: 'ITM-10003' });
          mapped.add('charge code');
          fixes.push(`${unknownChargeCode} → ITM-10003`);
        }
        if (exception.reasons.includes('UNKNOWN_DEPARTMENT')) {
          if (!mapped.has('department')) await hem.ops('PUT', `/v1/ops/crosswalks/departments/EPIC/NMC/${unknownDepartment}`, { locationId: 'NMC-ED', costCenter: 'CC-NMC-ED' });
          mapped.add('department');
          fixes.push(`department ${unknownDepartment} → NMC-ED`);
        }
        if (fixes.length === 0) continue;
        const reprocess = await hem.ops('POST', `/v1/ops/exceptions/${encodeURIComponent(exception.exceptionId)}/reprocess`, {});
        fixed.add(exception.exceptionId);
        usageExceptions.push({ reasons: exception.reasons, fixedWith: fixes.join(', '), reprocessed: reprocess.status === 202 });
        log(`  usage exception ${exception.reasons.join('+')}: mapped ${fixes.join(', ')}, reprocessed`);
      }
    };

    const knownPos = new Set<string>();
    const closedPos = new Set<string>();
    const receiptsPosted = new Map<string, number>();
    const invoiced = new Set<string>();
    const invoiceExceptions: DemoSummary['invoiceExceptions'] = [];

    /** The dock counts what shipped and was not received yet (in the PO line's unit); a supplier may invoice itself. */
    const visitPo = async (poNumber: string): Promise<string | undefined> => {
      const view = await hem.json<PoView>('receiving-dock', 'GET', `/v1/purchase-orders/${encodeURIComponent(poNumber)}`);
      if (view.status !== 200) return `${poNumber} HTTP ${view.status}`;
      const po = view.body.purchaseOrder;
      if (po.status === 'CLOSED') {
        closedPos.add(poNumber);
        return undefined;
      }
      const toReceive = po.lines
        .map((l) => ({ line: l, base: (l.shippedBaseQuantity ?? 0) - (l.receivedBaseQuantity ?? 0) }))
        .filter((x) => x.base > 0 && x.base % x.line.uomFactor === 0);
      if (toReceive.length > 0) {
        const n = (receiptsPosted.get(poNumber) ?? 0) + 1;
        const receipt = await hem.json('receiving-dock', 'POST', '/v1/receipts', {
          receiptId: `RCV-${poNumber}-${n}`,
          poNumber,
          lines: toReceive.map((x) => ({ poLineNumber: x.line.lineNumber, quantity: x.base / x.line.uomFactor, uom: x.line.uom })),
        });
        if (receipt.status === 201 || receipt.status === 200) receiptsPosted.set(poNumber, n);
        return `${poNumber} receiving`;
      }
      const overPercent = selfInvoiced.get(poNumber);
      const supplier = SUPPLIER_ISA[po.supplierId];
      if (overPercent !== undefined && supplier !== undefined && !invoiced.has(poNumber) && po.status === 'RECEIVED') {
        const x12 = supplierInvoice810({
          isaId: supplier.isaId,
          controlNumber: 100_000_000 + Math.floor(random() * 800_000_000),
          invoiceNumber: `INV-${runTag}-${poNumber.slice(-4)}`,
          poNumber,
          lines: po.lines.map((l) => ({ ...l, unitPrice: Math.round(l.unitPrice * (100 + overPercent)) / 100 })),
        });
        const answer = await hem.call(supplier.clientId, 'POST', '/v1/edi/x12', x12, 'application/edi-x12');
        if (answer.status === 200) invoiced.add(poNumber);
        return `${poNumber} invoiced by ${po.supplierId}`;
      }
      // Open for good only on its backorder: shipped lines received, every invoice paid or rejected.
      const waitsOnBackorder =
        po.lines.some((l) => l.status === 'BACKORDERED') &&
        po.lines.every((l) => l.status === 'BACKORDERED' || l.status === 'REJECTED' || (l.receivedBaseQuantity ?? 0) >= (l.shippedBaseQuantity ?? 0)) &&
        view.body.invoiceCases.length > 0 &&
        view.body.invoiceCases.every((c) => c.status === 'PAID' || c.status === 'REJECTED');
      return waitsOnBackorder ? undefined : `${poNumber} ${po.status}`;
    };

    /** Invoices for the day's purchase orders (a runtime played against may hold others). */
    const ofTheDay = (invoice: InvoiceView): boolean => invoice.poNumber !== undefined && knownPos.has(invoice.poNumber);

    /** The AP clerk works the exception list; an invoice waiting for its goods is left alone until they come. */
    const resolveInvoices = async (): Promise<string[]> => {
      const exceptions = await hem.json<{ invoices?: InvoiceView[] }>('ap-clerk', 'GET', '/v1/invoices?status=exception&limit=500');
      const listed = (exceptions.body.invoices ?? []).filter(ofTheDay);
      const all = listed.some((i) => i.reasons.includes('DUPLICATE')) ? ((await hem.json<{ invoices?: InvoiceView[] }>('ap-clerk', 'GET', '/v1/invoices?limit=500')).body.invoices ?? []) : [];
      const waiting = listed.filter((invoice) => invoice.waitingForReceipt === true).map((invoice) => `invoice ${invoice.invoiceNumber} waits for goods`);
      const decided = await Promise.all(
        listed
          .filter((invoice) => invoice.waitingForReceipt !== true)
          .map(async (invoice) => {
            // A DUPLICATE is rejected when the supplier really sent that invoice number before (the first
            // copy is kept); the same amounts on another PO (the same restock at two par locations, or on
            // another day) are not a duplicate.
            const resent = all.some(
              (other) =>
                other.invoiceId !== invoice.invoiceId &&
                other.supplierId === invoice.supplierId &&
                other.invoiceNumber === invoice.invoiceNumber &&
                (other.status === 'PAID' || other.status === 'MATCHED' || (other.createdAt ?? '') < (invoice.createdAt ?? '') || ((other.createdAt ?? '') === (invoice.createdAt ?? '') && other.invoiceId < invoice.invoiceId)),
            );
            const action =
              invoice.reasons.includes('DUPLICATE') && resent
                ? 'REJECT'
                : invoice.reasons.every((r) => r === 'QTY_NOT_RECEIVED')
                  ? 'WAIT_FOR_RECEIPT'
                  : 'ACCEPT_VARIANCE';
            const resolved = await hem.json('ap-clerk', 'POST', `/v1/invoices/${encodeURIComponent(invoice.invoiceId)}/resolution`, { action, clerk: 'ap.jordan' });
            if (resolved.status === 200) {
              invoiceExceptions.push({ invoiceNumber: invoice.invoiceNumber, supplierId: invoice.supplierId, reasons: invoice.reasons, resolution: action });
              log(`  invoice ${invoice.invoiceNumber} (${invoice.supplierId}) ${invoice.reasons.join('+')}: ${action}`);
            }
            return `invoice ${invoice.invoiceNumber} ${action}`;
          }),
      );
      return [...waiting, ...decided];
    };

    /**
     * The dock, the AP clerk and operations work all day long, from the first requisition on: one
     * round every 200 ms (new purchase orders are looked for every third round). Returns what was
     * still open after the last round.
     */
    let allSent = false;
    const workTheDay = async (): Promise<string[]> => {
      let open: string[] = ['the day has not started'];
      let quietRounds = 0;
      let lastState = '';
      for (let round = 0; Date.now() < deadline; round += 1) {
        if (round % 3 === 0) {
          await fixUsageExceptions();
          const trails = await Promise.all([...transactions].map((correlationId) => hopsOf(correlationId)));
          for (const po of trails.flatMap(poNumbersOf)) knownPos.add(po);
        }
        const poStates = await Promise.all([...knownPos].filter((po) => !closedPos.has(po)).map(visitPo));
        const stillOpen = poStates.filter((state): state is string => state !== undefined);
        stillOpen.push(...(await resolveInvoices()));
        const unsettled = await hem.json<{ invoices?: InvoiceView[] }>('ap-clerk', 'GET', '/v1/invoices?status=open&limit=500');
        for (const invoice of (unsettled.body.invoices ?? []).filter(ofTheDay)) stillOpen.push(`invoice ${invoice.invoiceNumber} OPEN`);
        const openUsage = await hem.ops<{ exceptions?: { correlationId: string }[] }>('GET', '/v1/ops/exceptions?status=OPEN');
        const ownOpen = (openUsage.body.exceptions ?? []).filter((e) => transactions.has(e.correlationId)).length;
        if (ownOpen > 0) stillOpen.push(`${ownOpen} usage exceptions OPEN`);
        if (!allSent) stillOpen.push('procedures still being reported');
        open = stillOpen;
        // Settled for a few rounds in a row with nothing new: the day is over.
        const state = `${knownPos.size}|${closedPos.size}|${open.join(',')}`;
        quietRounds = open.length === 0 && state === lastState ? quietRounds + 1 : 0;
        lastState = state;
        if (quietRounds >= 4) break;
        await sleep(200);
      }
      return open;
    };
    const day = workTheDay();
    // Surfaced when awaited below; until then a failing round must not crash the process.
    day.catch(() => undefined);

    // 1. Purchasing: requisitions from the SaaS tool, each answered its own way by its supplier.
    log('purchasing raises requisitions in the SaaS tool…');
    for (const order of SPECIAL_ORDERS) {
      await setScenario(order.scenario);
      const raised = await hem.json<{ requisitionId: string; correlationId: string; status: string }>('saas-procurement', 'POST', '/v1/requisitions', {
        externalRef: `SAAS-${randomUUID().slice(0, 8)}`,
        ...order.request,
      });
      if (raised.status !== 201 && raised.status !== 200) throw new Error(`requisition refused (${raised.status}): ${order.label}`);
      transactions.add(raised.body.correlationId);
      if (order.approve === true) {
        await waitFor('the requisition to wait for approval', async () => {
          const r = await hem.json<{ status: string }>('ap-clerk', 'GET', `/v1/requisitions/${raised.body.requisitionId}`);
          return r.body.status === 'PENDING_APPROVAL' ? true : undefined;
        });
        const approved = await hem.json('ap-clerk', 'POST', `/v1/requisitions/${raised.body.requisitionId}/decision`, { decision: 'APPROVE', approver: 'buyer.morgan' });
        if (approved.status !== 200) throw new Error(`approval refused (${approved.status})`);
      }
      const poNumber = await waitFor(`the PO of "${order.label}"`, async () => poNumbersOf(await hopsOf(raised.body.correlationId))[0]);
      if (order.invoiceOverPercent !== undefined) selfInvoiced.set(poNumber, order.invoiceOverPercent);
      if (network !== undefined) await waitFor(`the 850 of ${poNumber}`, async () => ((await inbox()).some((e) => e.poNumber === poNumber) ? true : undefined));
      log(`  ${poNumber}  ${order.label}${order.approve === true ? ' (approved by buyer.morgan)' : ''}`);
    }
    await setScenario({});

    // 2. The procedures of the day, as HL7 DFT^P03 and FHIR bundles; a few carry codes the crosswalk does not know yet.
    const chargeCodeOf = new Map(data.chargeCodes.map((c) => [c.itemId, c.chargeCode]));
    const staples = new Map(
      LOCATIONS.map((l) => [
        l.locationId,
        data.parSettings
          .filter((p) => p.locationId === l.locationId)
          .slice(0, 10)
          .map((p) => p.itemId),
      ]),
    );
    log(`${procedures} procedures report their supplies…`);
    const sendProcedure = async (n: number): Promise<void> => {
      const location = LOCATIONS[n % LOCATIONS.length] as (typeof LOCATIONS)[number];
      const items = staples.get(location.locationId) ?? [];
      const lines = Array.from({ length: 2 + Math.floor(random() * 3) }, () => ({
        chargeCode: chargeCodeOf.get(pick(items)) ?? 'CHG-100001',
        quantity: 1 + Math.floor(random() * 8),
      }));
      if (n === 4) lines.push({ chargeCode: unknownChargeCode, quantity: 2 });
      // Procedure 8 is in the NMC emergency department, reported under a code EPIC just started sending.
      const department = n === 8 ? unknownDepartment : location.department;
      const visit = `V${runTag}${String(n).padStart(4, '0')}`;
      if (n % 2 === 0) {
        const answer = await hem.call('epic-ehr', 'POST', '/v1/hl7', dftP03(`D${runTag}${String(n).padStart(5, '0')}`, location.facility, department, lines, visit), 'application/hl7-v2');
        const correlationId = answer.headers.get('x-correlation-id');
        if (answer.status !== 200 || correlationId === null) throw new Error(`HL7 message ${n} answered ${answer.status}`);
        transactions.add(correlationId);
      } else {
        const answer = await hem.call('epic-ehr', 'POST', '/v1/usage-events', JSON.stringify(fhirBundle(location.facility, department, lines, visit)), 'application/fhir+json', {
          'x-source-system': 'EPIC',
          'x-facility-code': location.facility,
        });
        if (answer.status !== 202) throw new Error(`FHIR bundle ${n} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
        transactions.add((JSON.parse(answer.text) as { correlationId: string }).correlationId);
      }
    };
    const BATCH = 8;
    for (let n = 0; n < procedures; n += BATCH) {
      await Promise.all(Array.from({ length: Math.min(BATCH, procedures - n) }, (_, i) => sendProcedure(n + i)));
    }
    allSent = true;

    // 3. The rest of the day: reorders become purchase orders, the dock receives, AP resolves.
    log('reorders, purchase orders, supplier documents, receipts and invoices run their course…');
    const open = await day;
    await restoreScenario();
    log(open.length === 0 ? 'the day settled' : `the day ended with ${open.length} things open`);
    // Let the last hops land (bounded: a message retrying in a queue would otherwise hold the summary back).
    if (owned !== undefined) await Promise.race([owned.whenIdle(), sleep(5_000)]);

    // 5. What happened.
    const allHops = new Map<string, HopView[]>();
    for (const correlationId of transactions) allHops.set(correlationId, await hopsOf(correlationId));
    const counts = tally([...allHops.values()].flat().map((h) => h.hop));
    const stages = [...STAGE_ORDER.filter((s) => counts[s] !== undefined), ...Object.keys(counts).filter((s) => !STAGE_ORDER.includes(s)).sort()].map((stage) => ({
      stage,
      count: counts[stage] ?? 0,
    }));
    const gaps = new Map<string, number[]>();
    const endToEnd: number[] = [];
    for (const trail of allHops.values()) {
      const sorted = [...trail].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      sorted.forEach((hop, i) => {
        if (i === 0) return;
        const gap = Date.parse(hop.at) - Date.parse((sorted[i - 1] as HopView).at);
        gaps.set(hop.hop, [...(gaps.get(hop.hop) ?? []), gap]);
      });
      const first = sorted[0];
      const closed = sorted.find((h) => h.hop === 'po-closed');
      if (first?.hop === 'received' && closed !== undefined) endToEnd.push(Date.parse(closed.at) - Date.parse(first.at));
    }
    const latencies = stages
      .filter((s) => gaps.has(s.stage))
      .map(({ stage }) => {
        const values = [...(gaps.get(stage) ?? [])].sort((a, b) => a - b);
        return { hop: stage, count: values.length, p50Ms: percentile(values, 50), p95Ms: percentile(values, 95) };
      });
    endToEnd.sort((a, b) => a - b);

    const poStatuses: string[] = [];
    for (const poNumber of knownPos) {
      const view = await hem.json<PoView>('ap-clerk', 'GET', `/v1/purchase-orders/${encodeURIComponent(poNumber)}`);
      poStatuses.push(view.status === 200 ? view.body.purchaseOrder.status : `HTTP ${view.status}`);
    }
    const invoices = await hem.json<{ invoices?: InvoiceView[] }>('ap-clerk', 'GET', '/v1/invoices?limit=500');
    const dayInvoices = (invoices.body.invoices ?? []).filter(ofTheDay);
    const supplierDocs = (
      network === undefined ? [] : ((await (await fetch(`${network}/_outbox`)).json()) as { documentType: string; poNumber: string; hemAck?: { code?: string } }[])
    ).filter((d) => knownPos.has(d.poNumber));
    const vouchers =
      financeUrl === undefined
        ? undefined
        : ((await (await fetch(`${financeUrl}/ap/vouchers`)).json()) as { poNumber?: string }[]).filter((v) => v.poNumber !== undefined && knownPos.has(v.poNumber));
    const dlqs = await hem.ops<{ queues?: { name: string; depth: number }[] }>('GET', '/v1/ops/dlqs');
    const audit = await hem.ops<{ ok: boolean; count?: number; reason?: string }>('GET', '/v1/ops/audit/verify');

    return {
      baseUrl: hem.baseUrl,
      procedures,
      transactions: transactions.size,
      stages,
      latencies,
      ...(endToEnd.length === 0 ? {} : { endToEnd: { count: endToEnd.length, p50Ms: percentile(endToEnd, 50), p95Ms: percentile(endToEnd, 95) } }),
      purchaseOrders: { total: knownPos.size, byStatus: tally(poStatuses) },
      supplierDocuments: {
        accepted: tally(supplierDocs.filter((d) => d.hemAck?.code === 'A').map((d) => d.documentType)),
        rejected: supplierDocs.filter((d) => d.hemAck?.code !== 'A').length,
      },
      receipts: counts['goods-received'] ?? 0,
      invoices: { total: dayInvoices.length, byStatus: tally(dayInvoices.map((i) => i.status)) },
      invoiceExceptions,
      usageExceptions,
      costPostings: counts['cost-posted'] ?? 0,
      apVouchers: vouchers?.length ?? counts['voucher-posted'] ?? 0,
      deadLetterQueues: (dlqs.body.queues ?? []).map((q) => ({ name: q.name, depth: q.depth })),
      audit: { ok: audit.body.ok, ...(audit.body.count === undefined ? {} : { count: audit.body.count }), ...(audit.body.reason === undefined ? {} : { reason: audit.body.reason }) },
      complete: open.length === 0,
      open,
      durationMs: Date.now() - started,
    };
  } finally {
    await owned?.stop();
  }
};

const entries = (record: Record<string, number>): string =>
  Object.entries(record)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ') || 'none';

/** The summary as the terminal shows it. */
export const formatSummary = (s: DemoSummary): string => {
  const lines: string[] = [
    '',
    `HEM demo: a hospital day on ${s.baseUrl} in ${(s.durationMs / 1000).toFixed(1)} s`,
    `  ${s.procedures} procedures and ${s.transactions - s.procedures} SaaS requisitions → ${s.transactions} business transactions`,
    '',
    'Stages (hops recorded)                   Latency from the previous hop',
    `  ${pad('stage', 22)}${padLeft('count', 6)}     ${padLeft('n', 5)}${padLeft('p50 ms', 9)}${padLeft('p95 ms', 9)}`,
  ];
  for (const { stage, count } of s.stages) {
    const latency = s.latencies.find((l) => l.hop === stage);
    lines.push(
      `  ${pad(stage, 22)}${padLeft(count, 6)}     ${latency === undefined ? '' : `${padLeft(latency.count, 5)}${padLeft(latency.p50Ms, 9)}${padLeft(latency.p95Ms, 9)}`}`,
    );
  }
  if (s.endToEnd !== undefined) {
    lines.push(`  usage received → PO closed: ${s.endToEnd.count} transactions, p50 ${s.endToEnd.p50Ms} ms, p95 ${s.endToEnd.p95Ms} ms`);
  }
  lines.push(
    '',
    `Purchase orders   ${s.purchaseOrders.total}: ${entries(s.purchaseOrders.byStatus)}`,
    `Supplier EDI      accepted ${entries(s.supplierDocuments.accepted)}; not accepted ${s.supplierDocuments.rejected}`,
    `Dock receipts     ${s.receipts}`,
    `Invoices          ${s.invoices.total}: ${entries(s.invoices.byStatus)}`,
    `Cost postings     ${s.costPostings} to the general ledger`,
    `AP vouchers       ${s.apVouchers} to accounts payable`,
    '',
    `Invoice exceptions (${s.invoiceExceptions.length})`,
    ...s.invoiceExceptions.map((e) => `  ${pad(e.invoiceNumber, 26)} ${pad(e.supplierId, 13)} ${pad(e.reasons.join('+'), 28)} → ${e.resolution}`),
    `Usage exceptions (${s.usageExceptions.length})`,
    ...Object.entries(tally(s.usageExceptions.map((e) => `${pad(e.reasons.join('+'), 28)} → ${e.fixedWith}${e.reprocessed ? ', reprocessed' : ''}`))).map(
      ([line, n]) => `  ${padLeft(`${n} ×`, 5)} ${line}`,
    ),
    '',
    `Dead-letter queues: ${s.deadLetterQueues.map((q) => `${q.name} ${q.depth}`).join(', ')}`,
    `Audit hash chain:   ${s.audit.ok ? `verified (${s.audit.count ?? '?'} records)` : `BROKEN${s.audit.reason === undefined ? '' : `: ${s.audit.reason}`}`}`,
    s.complete ? 'Every purchase order closed (or waiting on its backorder), every invoice paid or rejected.' : `Still open when the day ended: ${s.open.join('; ')}`,
    '',
  );
  return lines.join('\n');
};

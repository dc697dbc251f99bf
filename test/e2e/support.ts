/**
 * Helpers for the end-to-end suite: start the local runtime on a free port and talk to it over HTTP
 * exactly as a partner would (OAuth2 client credentials, SigV4 for ops).
 */
import { randomUUID } from 'node:crypto';
import { startRuntime, type Runtime } from '../../local/runtime';
import { DEFAULT_LOCAL_CLIENTS } from '../../local/oauth';
import { LOCAL_OPS_CREDENTIALS, signRequest } from '../../local/sigv4';
import type { InboxEntry, OutboxEntry, Scenario } from '../../local/simulators/supplier-network';

export type { Runtime };

/** The time scale of the e2e runtimes: retries, visibility timeouts and supplier delays run 50× faster. */
export const TEST_TIME_SCALE = 0.02;

/** Starts a fresh, seeded runtime with fast retries (time scaled down). */
export const startTestRuntime = async (options: { dataDir?: string; supplierScenario?: Scenario } = {}): Promise<Runtime> =>
  startRuntime({
    port: 0,
    timeScale: TEST_TIME_SCALE,
    dataDir: options.dataDir,
    ...(options.supplierScenario === undefined ? {} : { supplierScenario: options.supplierScenario }),
  });

/** An access token for one of the default local clients. */
export const tokenFor = async (rt: Runtime, clientId: string, scopes: string[] = []): Promise<string> => {
  const client = DEFAULT_LOCAL_CLIENTS.find((c) => c.clientId === clientId);
  if (!client) throw new Error(`unknown local client ${clientId}`);
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scopes.length) body.set('scope', scopes.join(' '));
  const res = await fetch(`${rt.baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body,
  });
  const json = (await res.json()) as { access_token: string };
  if (res.status !== 200) throw new Error(`token request failed with ${res.status}`);
  return json.access_token;
};

/** POST an HL7 v2 message; returns status, ACK text (CR → \n) and correlation id. */
export const postHl7 = async (rt: Runtime, token: string, message: string): Promise<{ status: number; ack: string; correlationId: string | null }> => {
  const res = await fetch(`${rt.baseUrl}/v1/hl7`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/hl7-v2' },
    body: message,
  });
  return { status: res.status, ack: (await res.text()).replace(/\r/g, '\n'), correlationId: res.headers.get('x-correlation-id') };
};

/** GET a JSON resource with a bearer token. */
export const getJson = async <T = Record<string, unknown>>(rt: Runtime, token: string, path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${rt.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
};

/** A SigV4-signed ops call with the local ops credentials. */
export const opsCall = async <T = Record<string, unknown>>(rt: Runtime, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
  const url = `${rt.baseUrl}${path}`;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = await signRequest(
    { method, url, headers: payload ? { 'content-type': 'application/json' } : {}, body: payload },
    LOCAL_OPS_CREDENTIALS,
    { region: 'local', service: 'execute-api' },
  );
  const res = await fetch(url, { method, headers, body: payload });
  return { status: res.status, body: (await res.json()) as T };
};

/** Inventory position as the API shows it. */
export interface PositionView {
  locationId: string;
  itemId: string;
  onHand: number;
  onOrder: number;
  parLevel: number;
  reorderPoint: number;
  movements: { delta: number; businessKey: string }[];
}

export const position = async (rt: Runtime, token: string, locationId: string, itemId: string): Promise<PositionView> => {
  const res = await getJson<PositionView>(rt, token, `/v1/inventory/${locationId}/${itemId}`);
  if (res.status !== 200) throw new Error(`inventory ${locationId}/${itemId} answered ${res.status}`);
  return res.body;
};

/** A transaction hop as the API shows it. */
export interface HopView {
  hop: string;
  status: string;
  at: string;
  detail?: Record<string, unknown>;
}

export const hops = async (rt: Runtime, token: string, correlationId: string): Promise<HopView[]> => {
  const res = await getJson<{ hops: HopView[] }>(rt, token, `/v1/transactions/${correlationId}`);
  return res.status === 200 ? res.body.hops : [];
};

/** Polls until `check` passes or the deadline passes (async workflows settle in the background). */
export const eventually = async <T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await check();
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw lastError;
};

/** A unique HL7 control id per test message. */
export const controlId = (): string => `T${randomUUID().replace(/-/g, '').slice(0, 18).toUpperCase()}`;

/** Builds a DFT^P03 with PHI in the patient segments and the given FT1 lines. */
export const dftP03 = (opts: {
  controlId: string;
  facility?: string;
  department?: string;
  version?: string;
  lines: { chargeCode: string; quantity: number | string; type?: 'CG' | 'CD'; department?: string }[];
  phi?: { family: string; given: string; mrn: string; dob: string; street: string; phone: string; visit: string };
}): string => {
  const phi = opts.phi ?? { family: 'RIVERA', given: 'MARISOL', mrn: 'MRN778812', dob: '19710314', street: '12 ELM ST', phone: '5551234567', visit: 'V55120' };
  const facility = opts.facility ?? 'NMC';
  const segments = [
    `MSH|^~\\&|EPIC|${facility}|HEM|HEM|20261126083000-0500||DFT^P03^DFT_P03|${opts.controlId}|P|${opts.version ?? '2.5.1'}`,
    'EVN|P03|20261126083000',
    `PID|1||${phi.mrn}^^^${facility}^MR||${phi.family}^${phi.given}||${phi.dob}|F|||${phi.street}^^SPRINGFIELD^IL^62701||${phi.phone}`,
    `NK1|1|${phi.family}^CARLOS|SPO|${phi.street}^^SPRINGFIELD^IL^62701|${phi.phone}`,
    `PV1|1|O|${opts.department ?? 'OR'}^01^A^${facility}||||||||||||||||${phi.visit}`,
    ...opts.lines.map(
      (l, i) => `FT1|${i + 1}|||20261126081500||${l.type ?? 'CG'}|${l.chargeCode}^Supply^HEMCHG|||${l.quantity}|||${l.department ?? ''}`,
    ),
    `GT1|1||${phi.family}^${phi.given}||${phi.street}^^SPRINGFIELD^IL^62701|${phi.phone}`,
    `IN1|1|BCBS001|60054|BLUE CROSS||||||||||||${phi.family}^${phi.given}|01|${phi.dob}`,
  ];
  return segments.join('\r');
};

/** POST a JSON body with a bearer token; the answer's JSON (or undefined when it has none). */
export const postJson = async <T = Record<string, unknown>>(
  rt: Runtime,
  token: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: T; correlationId: string | null }> => {
  const res = await fetch(`${rt.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T, correlationId: res.headers.get('x-correlation-id') };
};

/** POST X12 interchange(s) to `/v1/edi/x12` as a supplier. */
export const postX12 = async (rt: Runtime, token: string, x12: string): Promise<{ status: number; contentType: string; text: string }> => {
  const res = await fetch(`${rt.baseUrl}/v1/edi/x12`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/edi-x12' },
    body: x12,
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
};

/** One acknowledgment found in an answer: a 999 or 997 with its set codes (IK5/AK5), or a TA1 with TA104. */
export interface AckFound {
  kind: '999' | '997' | 'TA1';
  /** IK501/AK501 of each acknowledged set (999/997), or TA104 (TA1). */
  codes: string[];
}

/**
 * Reads the acknowledgments of an X12 answer with the delimiters of each ISA (element separator at
 * position 3, segment terminator right after the 106-character ISA), independent of HEM's parser.
 */
export const readAcks = (text: string): AckFound[] => {
  const found: AckFound[] = [];
  let rest = text.trimStart();
  while (rest.startsWith('ISA') && rest.length >= 106) {
    const element = rest[3] as string;
    const terminator = rest[105] as string;
    const end = rest.indexOf(`${terminator}IEA${element}`);
    const block = end < 0 ? rest : rest.slice(0, rest.indexOf(terminator, end + 1) + 1);
    let current: AckFound | undefined;
    for (const raw of block.split(terminator)) {
      const elements = raw.trim().split(element);
      if (elements[0] === 'TA1') found.push({ kind: 'TA1', codes: [elements[4] ?? ''] });
      if (elements[0] === 'ST' && (elements[1] === '999' || elements[1] === '997')) {
        current = { kind: elements[1], codes: [] };
        found.push(current);
      }
      if ((elements[0] === 'IK5' || elements[0] === 'AK5') && current !== undefined) current.codes.push(elements[1] ?? '');
    }
    rest = block.length >= rest.length ? '' : rest.slice(block.length).trimStart();
  }
  return found;
};

/** What the supplier network simulator received (850s), over its HTTP control route. */
export const supplierInbox = async (rt: Runtime): Promise<InboxEntry[]> => (await (await fetch(`${rt.supplierNetworkUrl}/_inbox`)).json()) as InboxEntry[];

/** What the supplier network simulator sent to HEM (855/856/810) with HEM's answers. */
export const supplierOutbox = async (rt: Runtime): Promise<OutboxEntry[]> => (await (await fetch(`${rt.supplierNetworkUrl}/_outbox`)).json()) as OutboxEntry[];

/** Replaces how the simulated suppliers answer the 850s that arrive from now on. */
export const setSupplierScenario = async (rt: Runtime, scenario: Scenario): Promise<void> => {
  const res = await fetch(`${rt.supplierNetworkUrl}/_scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(scenario) });
  if (res.status !== 200) throw new Error(`the supplier network refused the scenario: ${res.status} ${await res.text()}`);
};

/** A purchase order as `GET /v1/purchase-orders/{poNumber}` shows it. */
export interface PurchaseOrderView {
  purchaseOrder: {
    poNumber: string;
    supplierId: string;
    status: string;
    correlationId: string;
    requisitionId: string;
    locationId: string;
    costCenter: string;
    erpPoId?: string;
    lines: { lineNumber: number; itemId: string; quantity: number; uom: string; uomFactor: number; unitPrice: number; supplierCatalogNumber: string; gtin: string; status: string }[];
  };
  receipts: { receiptId: string }[];
  invoiceCases: { caseId: string; status: string }[];
}

export const purchaseOrder = async (rt: Runtime, token: string, poNumber: string): Promise<{ status: number; body: PurchaseOrderView }> =>
  getJson<PurchaseOrderView>(rt, token, `/v1/purchase-orders/${encodeURIComponent(poNumber)}`);

/** An invoice as `/v1/invoices` shows it. */
export interface InvoiceView {
  invoiceId: string;
  invoiceNumber: string;
  supplierId: string;
  poNumber?: string;
  status: string;
  reasons: string[];
  invoiceAmount: number;
  approvedAmount: number;
}

/** An AP voucher as the finance simulator keeps it. */
export interface VoucherView {
  voucherId: string;
  poNumber?: string;
  supplierId: string;
  totalAmount: number;
}

/** AP vouchers the finance simulator booked for one PO. */
export const vouchersOf = async (rt: Runtime, poNumber: string): Promise<VoucherView[]> =>
  (await (await fetch(`${rt.financeUrl}/ap/vouchers?poNumber=${encodeURIComponent(poNumber)}`)).json()) as VoucherView[];

/** A supplier's own X12 810 (the demo's writer, on the simulators' independent X12 writer). */
export { supplierInvoice810 } from '../../local/demo';

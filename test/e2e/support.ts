/**
 * Helpers for the end-to-end suite: start the local runtime on a free port and talk to it over HTTP
 * exactly as a partner would (OAuth2 client credentials, SigV4 for ops).
 */
import { randomUUID } from 'node:crypto';
import { startRuntime, type Runtime } from '../../local/runtime';
import { DEFAULT_LOCAL_CLIENTS } from '../../local/oauth';
import { LOCAL_OPS_CREDENTIALS, signRequest } from '../../local/sigv4';

export type { Runtime };

/** Starts a fresh, seeded runtime with fast retries (time scaled down). */
export const startTestRuntime = async (options: { dataDir?: string } = {}): Promise<Runtime> =>
  startRuntime({ port: 0, timeScale: 0.02, dataDir: options.dataDir });

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

/**
 * `hem local` / `npm start`: start the runtime, print how to use it, serve until stopped.
 */
import { startRuntime, lastSeedSummary } from './runtime';
import { DEFAULT_LOCAL_CLIENTS } from './oauth';
import type { Scenario } from './simulators/supplier-network';

/** Options of `serveLocal`. */
export interface ServeOptions {
  port: number;
  host: string;
  dataDir?: string;
}

const SAMPLE_HL7 = [
  'MSH|^~\\&|EPIC|NMC|HEM|HEM|20261126083000||DFT^P03|MSG00001|P|2.5.1',
  'EVN|P03|20261126083000',
  'PID|1||MRN12345^^^NMC^MR||DOE^JANE||19800101|F',
  'PV1|1|O|OR^01^A^NMC||||||||||||||||V0001',
  'FT1|1|||20261126081500||CG|CHG-100001^Sponge, gauze 4x4^HEMCHG|||25|||OR',
].join('\r');

/**
 * How the simulated suppliers answer an 850 under `npm start`: the 855 after 2 s, the 856 after 5 s
 * more, the 810 a minute later, so there is time to post the dock receipt first (as at a real dock);
 * `PUT <supplier network>/_scenario` changes it.
 */
export const SERVE_SUPPLIER_SCENARIO: Scenario = { delaysMs: { ack: 2_000, asn: 5_000, invoice: 60_000 } };

/** The supplier client the banner shows (Medline's, seeded as an X12 trading partner). */
const SUPPLIER_CLIENT = 'supplier-medline';

/** Starts the runtime and prints the base URL, a ready token and a curl that works as printed. */
export const serveLocal = async (options: ServeOptions): Promise<void> => {
  const started = Date.now();
  let runtime;
  try {
    runtime = await startRuntime({ port: options.port, host: options.host, dataDir: options.dataDir, supplierScenario: SERVE_SUPPLIER_SCENARIO });
  } catch (e) {
    process.stderr.write(`hem: could not start the local runtime: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const token = await runtime.issuer.issueToken('epic-ehr');
  const supplier = DEFAULT_LOCAL_CLIENTS.find((c) => c.clientId === SUPPLIER_CLIENT);
  const supplierSecret = supplier?.clientSecret ?? '';
  const supplierScopes = (supplier?.allowedScopes ?? []).join(' ');
  const seeded = lastSeedSummary();
  const hl7ForShell = SAMPLE_HL7.replace(/\r/g, '\\r');
  const out = [
    '',
    `HEM local runtime ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  base URL     ${runtime.baseUrl}            (GET /health, GET /v1/openapi.json)`,
    `  state        ${options.dataDir ? `kept under ${options.dataDir}` : 'in memory (use --data-dir DIR to keep it)'}`,
    `  finance sim  ${runtime.financeUrl}            (GET /gl/journal-lines, /ap/vouchers)`,
    `  ERP sim      ${runtime.erpUrl}            (GET /fscmRestApi/resources/11.13.18.05/purchaseOrders)`,
    `  suppliers    ${runtime.supplierNetworkUrl}            (GET /_inbox, /_outbox; PUT /_scenario) answers each 850 with 855 → 856 → 810`,
    `  supplier     client ${SUPPLIER_CLIENT} / ${supplierSecret} (scopes ${supplierScopes}): npx hem token --client-id ${SUPPLIER_CLIENT}`,
    `  procurement  clients saas-procurement (requisitions), receiving-dock (receipts), ap-clerk (approvals, invoices)`,
    seeded ? `  seeded       ${Object.entries(seeded).map(([k, v]) => `${v} ${k}`).join(', ')}` : '',
    '',
    'Access token (client epic-ehr, scopes hem/usage.write hem/inventory.read hem/transactions.read, valid 1 h):',
    '',
    token,
    '',
    'Send a DFT^P03 (25 gauze sponges used in the NMC operating room), then look at the position:',
    '',
    `curl -s -X POST ${runtime.baseUrl}/v1/hl7 -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/hl7-v2' --data-binary $'${hl7ForShell}' | tr '\\r' '\\n'`,
    '',
    `curl -s ${runtime.baseUrl}/v1/inventory/NMC-OR/ITM-10001 -H 'Authorization: Bearer ${token}'`,
    '',
    'New token: npx hem token   ·   trace: npx hem trace <X-Correlation-Id>   ·   stop: Ctrl-C',
    '',
  ];
  process.stdout.write(out.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n'));

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping…\n');
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
};

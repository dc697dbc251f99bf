/**
 * The `hem` CLI: the local runtime and the operator commands.
 *
 *   hem local [--port N] [--data-dir DIR]       serve the embedded runtime (= npm start)
 *   hem demo [--procedures N] [--seed N]         play a hospital day through HEM and summarise it (= npm run demo)
 *   hem token [--client-id ID] [--scope S]…     print an access token
 *   hem send FILE [--correlation-id ID]         POST an HL7 v2 (.hl7) or JSON/FHIR (.json) file
 *   hem trace CORRELATION_ID                     every hop of one business transaction
 *   hem inventory LOCATION ITEM                  an inventory position
 *   hem exceptions [list|show ID|reprocess ID]   usage exceptions (ops, SigV4)
 *   hem dlq [list|show NAME|redrive NAME]        dead-letter queues (ops, SigV4)
 *   hem replay --from ISO --to ISO [--rule NAME]… replay the bus archive over a window (ops, SigV4)
 *   hem audit verify                             recompute the audit hash chain (ops; exit 1 when broken)
 *   hem stuck [--older-than 10m] [--limit N] [--cursor C]
 *                                                transactions received longer ago and not completed (ops, SigV4)
 *
 * `HEM_URL` selects the deployment (default the local runtime on 127.0.0.1:4010).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_LOCAL_CLIENTS } from '../local/oauth';
import { LOCAL_OPS_CREDENTIALS, signRequest } from '../local/sigv4';

const DEFAULT_PORT = 4010;

const baseUrl = (): string => (process.env.HEM_URL ?? `http://127.0.0.1:${process.env.HEM_PORT ?? DEFAULT_PORT}`).replace(/\/$/, '');

const fail = (message: string): never => {
  process.stderr.write(`hem: ${message}\n`);
  process.exit(1);
};

/** Client-credentials token from the local issuer (or a deployed Cognito domain via HEM_TOKEN_URL). */
const fetchToken = async (clientId: string, scopes: string[]): Promise<string> => {
  const local = DEFAULT_LOCAL_CLIENTS.find((c) => c.clientId === clientId);
  const secret = process.env.HEM_CLIENT_SECRET ?? local?.clientSecret;
  if (!secret) fail(`no secret for client ${clientId}: set HEM_CLIENT_SECRET`);
  const tokenUrl = process.env.HEM_TOKEN_URL ?? `${baseUrl()}/oauth2/token`;
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scopes.length > 0) body.set('scope', scopes.join(' '));
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body,
  }).catch((e: unknown) => fail(`cannot reach ${tokenUrl} (${(e as Error).message}); is the runtime running? (npm start)`));
  const json = (await res.json()) as { access_token?: string; error?: string };
  if (!res.ok || !json.access_token) fail(`token request failed: ${res.status} ${json.error ?? ''}`);
  return json.access_token as string;
};

const printResponse = async (res: Response): Promise<void> => {
  const text = await res.text();
  const correlationId = res.headers.get('x-correlation-id');
  process.stderr.write(`HTTP ${res.status}${correlationId ? `  X-Correlation-Id: ${correlationId}` : ''}\n`);
  try {
    process.stdout.write(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  } catch {
    process.stdout.write(`${text.replace(/\r/g, '\n')}\n`);
  }
  if (!res.ok) process.exitCode = 1;
};

/** A SigV4-signed ops call (API Gateway AWS_IAM). */
const opsCall = async (method: string, path: string, body?: unknown): Promise<Response> => {
  const url = `${baseUrl()}${path}`;
  // Against a deployed stack (HEM_URL set) sign with the caller's AWS credentials; locally with the
  // runtime's ops credentials, even when AWS keys happen to be in the environment.
  const deployed = process.env.HEM_URL !== undefined && process.env.AWS_ACCESS_KEY_ID !== undefined;
  const credentials = deployed
    ? {
        accessKeyId: process.env.AWS_ACCESS_KEY_ID as string,
        secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
        sessionToken: process.env.AWS_SESSION_TOKEN,
      }
    : LOCAL_OPS_CREDENTIALS;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = await signRequest(
    { method, url, headers: payload ? { 'content-type': 'application/json' } : {}, body: payload },
    credentials,
    { region: process.env.AWS_REGION ?? 'local', service: 'execute-api' },
  );
  return fetch(url, { method, headers, body: payload });
};

const main = async (): Promise<void> => {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'local':
    case undefined: {
      const { values } = parseArgs({
        args: rest,
        options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, host: { type: 'string' } },
      });
      const { serveLocal } = await import('../local/serve');
      await serveLocal({
        port: Number(values.port ?? process.env.HEM_PORT ?? DEFAULT_PORT),
        host: values.host ?? '127.0.0.1',
        dataDir: values['data-dir'] ?? process.env.HEM_DATA_DIR,
      });
      return;
    }
    case 'demo': {
      const { values } = parseArgs({
        args: rest,
        options: { procedures: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean', default: false } },
      });
      // The handlers of a runtime started here log as Lambda does (JSON to stdout): keep the summary readable.
      process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
      process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
      const { runDemo, formatSummary } = await import('../local/demo');
      const summary = await runDemo({
        // HEM_URL plays the day against a running runtime (e.g. `npm start` in another terminal).
        ...(process.env.HEM_URL === undefined ? {} : { baseUrl: process.env.HEM_URL }),
        ...(values.procedures === undefined ? {} : { procedures: Number(values.procedures) }),
        ...(values.seed === undefined ? {} : { seed: Number(values.seed) }),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
      // A broken audit chain or a day that did not settle is a failed demo.
      if (!summary.audit.ok || !summary.complete) process.exitCode = 1;
      return;
    }
    case 'token': {
      const { values } = parseArgs({
        args: rest,
        options: { 'client-id': { type: 'string', default: 'epic-ehr' }, scope: { type: 'string', multiple: true, default: [] } },
      });
      process.stdout.write(`${await fetchToken(values['client-id'], values.scope)}\n`);
      return;
    }
    case 'send': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { 'client-id': { type: 'string', default: 'epic-ehr' }, 'correlation-id': { type: 'string' } },
      });
      const file = positionals[0] ?? fail('usage: hem send FILE');
      const content = readFileSync(file, 'utf8');
      const isJson = file.endsWith('.json');
      const token = await fetchToken(values['client-id'], []);
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        'content-type': isJson ? 'application/json' : 'application/hl7-v2',
      };
      if (values['correlation-id']) headers['x-correlation-id'] = values['correlation-id'];
      await printResponse(await fetch(`${baseUrl()}/v1/${isJson ? 'usage-events' : 'hl7'}`, { method: 'POST', headers, body: content }));
      return;
    }
    case 'trace':
    case 'inventory': {
      const args = rest.filter((a) => !a.startsWith('-'));
      if (args.length < (command === 'trace' ? 1 : 2)) fail(command === 'trace' ? 'usage: hem trace CORRELATION_ID' : 'usage: hem inventory LOCATION ITEM');
      const token = await fetchToken('epic-ehr', []);
      const path = command === 'trace' ? `/v1/transactions/${encodeURIComponent(args[0])}` : `/v1/inventory/${args.map(encodeURIComponent).join('/')}`;
      await printResponse(await fetch(`${baseUrl()}${path}`, { headers: { authorization: `Bearer ${token}` } }));
      return;
    }
    case 'exceptions': {
      const [sub = 'list', id] = rest;
      if (sub === 'list') await printResponse(await opsCall('GET', '/v1/ops/exceptions'));
      else if (sub === 'show' && id) await printResponse(await opsCall('GET', `/v1/ops/exceptions/${encodeURIComponent(id)}`));
      else if (sub === 'reprocess' && id) await printResponse(await opsCall('POST', `/v1/ops/exceptions/${encodeURIComponent(id)}/reprocess`, {}));
      else fail('usage: hem exceptions [list|show ID|reprocess ID]');
      return;
    }
    case 'dlq': {
      const [sub = 'list', name] = rest;
      if (sub === 'list') await printResponse(await opsCall('GET', '/v1/ops/dlqs'));
      else if (sub === 'show' && name) await printResponse(await opsCall('GET', `/v1/ops/dlqs/${encodeURIComponent(name)}`));
      else if (sub === 'redrive' && name) await printResponse(await opsCall('POST', `/v1/ops/dlqs/${encodeURIComponent(name)}/redrive`, {}));
      else fail('usage: hem dlq [list|show NAME|redrive NAME]');
      return;
    }
    case 'replay': {
      const { values } = parseArgs({
        args: rest,
        options: { from: { type: 'string' }, to: { type: 'string' }, rule: { type: 'string', multiple: true, default: [] } },
      });
      if (values.from === undefined || values.to === undefined) fail('usage: hem replay --from ISO --to ISO [--rule NAME]…');
      const body = { from: values.from, to: values.to, ...(values.rule.length > 0 ? { ruleNames: values.rule } : {}) };
      await printResponse(await opsCall('POST', '/v1/ops/replays', body));
      return;
    }
    case 'audit': {
      if (rest[0] !== 'verify') fail('usage: hem audit verify');
      const res = await opsCall('GET', '/v1/ops/audit/verify');
      // A broken chain is a 200 with ok: false (a finding, not a failed call); the command still fails.
      const verdict = (await res.clone().json().catch(() => undefined)) as { ok?: boolean } | undefined;
      await printResponse(res);
      if (verdict?.ok === false) process.exitCode = 1;
      return;
    }
    case 'stuck': {
      const { values } = parseArgs({
        args: rest,
        options: { 'older-than': { type: 'string', default: '10m' }, limit: { type: 'string' }, cursor: { type: 'string' } },
      });
      const query = new URLSearchParams({ olderThan: values['older-than'] });
      if (values.limit !== undefined) query.set('limit', values.limit);
      if (values.cursor !== undefined) query.set('cursor', values.cursor);
      await printResponse(await opsCall('GET', `/v1/ops/stuck?${query.toString()}`));
      return;
    }
    default:
      fail(`unknown command ${command}; try: local, demo, token, send, trace, inventory, exceptions, dlq, replay, audit, stuck`);
  }
};

await main();

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { APIGatewayProxyEventSchema } from '@aws-lambda-powertools/parser/schemas';
import type { FunctionId } from '../../../contracts/functions';
import { ROUTES, SCOPES } from '../../../contracts/routes';
import { createGateway, DEFAULT_MAX_BODY_BYTES } from '../../../local/gateway';
import type { AccessLogEntry, HealthStatus } from '../../../local/gateway';
import { DEFAULT_LOCAL_CLIENTS, LocalIssuer } from '../../../local/oauth';
import { LOCAL_OPS_CREDENTIALS, LOCAL_SIGV4_SCOPE, signRequest } from '../../../local/sigv4';

interface Invocation {
  functionId: FunctionId;
  event: APIGatewayProxyEvent;
}

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('local gateway over real HTTP', () => {
  let server: Server;
  let base: string;
  let issuer: LocalIssuer;
  let clock = Date.now();
  let invocations: Invocation[] = [];
  let nextResult: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  let health: HealthStatus = { ready: true, tables: 4 };
  const accessLog: AccessLogEntry[] = [];

  const defaultResult = async (): Promise<APIGatewayProxyResult> => ({
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ok: true }),
  });

  beforeAll(async () => {
    issuer = await LocalIssuer.create({
      issuer: 'http://127.0.0.1:4010',
      clients: DEFAULT_LOCAL_CLIENTS,
      now: () => new Date(clock),
    });
    server = createGateway({
      routes: ROUTES,
      invoke: async (functionId, event) => {
        invocations.push({ functionId, event });
        return nextResult(event);
      },
      issuer,
      opsCredentials: LOCAL_OPS_CREDENTIALS,
      health: () => health,
      logger: (entry) => accessLog.push(entry),
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  beforeEach(() => {
    invocations = [];
    nextResult = defaultResult;
    clock = Date.now();
    health = { ready: true, tables: 4 };
  });

  const token = async (clientId: string, secret: string, scope?: string): Promise<Response> =>
    fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(clientId, secret) },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) }).toString(),
    });

  const accessToken = async (clientId: string, secret: string, scope?: string): Promise<string> => {
    const res = await token(clientId, secret, scope);
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };

  const assertProblem = async (res: Response, status: number): Promise<Record<string, unknown>> => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('x-correlation-id') ?? '').toMatch(/.+/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.status).toBe(status);
    expect(typeof body.type).toBe('string');
    expect(typeof body.title).toBe('string');
    expect(typeof body.detail).toBe('string');
    expect(body.correlationId).toBe(res.headers.get('x-correlation-id'));
    return body;
  };

  describe('OAuth2 endpoints', () => {
    it('issues a token at POST /oauth2/token that the gateway then accepts', async () => {
      const res = await token('epic-ehr', 'epic-ehr-local-secret');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
      expect(body.token_type).toBe('Bearer');
      expect(body.expires_in).toBe(3600);
      const api = await fetch(`${base}/v1/inventory/NMC-OR/ITM-10001`, { headers: { Authorization: `Bearer ${body.access_token}` } });
      expect(api.status).toBe(200);
      expect(await api.json()).toStrictEqual({ ok: true });
    });

    it('answers 401 invalid_client for a bad secret', async () => {
      const res = await token('epic-ehr', 'not-the-secret');
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toStrictEqual('invalid_client');
    });

    it('answers 400 invalid_scope for a scope outside the client', async () => {
      const res = await token('supplier-medline', 'supplier-medline-local-secret', SCOPES.usageWrite);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_scope');
    });

    it('answers 405 problem for GET /oauth2/token', async () => {
      const res = await fetch(`${base}/oauth2/token`);
      await assertProblem(res, 405);
      expect(res.headers.get('allow')).toBe('POST');
    });

    it('serves the public JWKS', async () => {
      const res = await fetch(`${base}/.well-known/jwks.json`);
      expect(res.status).toBe(200);
      const jwks = (await res.json()) as { keys: Array<Record<string, unknown>> };
      expect(jwks.keys[0]?.kid).toBe(await issuer.keyId());
      expect(jwks.keys[0]?.d).toBe(undefined);
    });
  });

  describe('JWT routes', () => {
    it('answers 401 with a Bearer challenge when the token is missing', async () => {
      const res = await fetch(`${base}/v1/inventory/NMC-OR/ITM-10001`);
      await assertProblem(res, 401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="hem"');
      expect(invocations.length).toBe(0);
    });

    it('answers 401 invalid_token for an expired token', async () => {
      const t = await accessToken('epic-ehr', 'epic-ehr-local-secret');
      clock += 3601_000;
      const res = await fetch(`${base}/v1/inventory/NMC-OR/ITM-10001`, { headers: { Authorization: `Bearer ${t}` } });
      const body = await assertProblem(res, 401);
      expect(res.headers.get('www-authenticate') ?? '').toMatch(/error="invalid_token"/);
      expect(String(body.detail)).toMatch(/expired/);
      expect(invocations.length).toBe(0);
    });

    it('answers 401 for a tampered token', async () => {
      const t = await accessToken('supplier-medline', 'supplier-medline-local-secret');
      const [h, p, s] = t.split('.') as [string, string, string];
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      payload.scope = SCOPES.inventoryRead;
      const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
      const res = await fetch(`${base}/v1/inventory/NMC-OR/ITM-10001`, { headers: { Authorization: `Bearer ${forged}` } });
      await assertProblem(res, 401);
      expect(invocations.length).toBe(0);
    });

    it('answers 403 insufficient_scope when the token lacks the route scope', async () => {
      const t = await accessToken('supplier-medline', 'supplier-medline-local-secret');
      const res = await fetch(`${base}/v1/inventory/NMC-OR/ITM-10001`, { headers: { Authorization: `Bearer ${t}` } });
      await assertProblem(res, 403);
      expect(res.headers.get('www-authenticate') ?? '').toMatch(/error="insufficient_scope"/);
      expect(invocations.length).toBe(0);
    });

    it('answers 415 when the Content-Type is not one the route accepts', async () => {
      const t = await accessToken('epic-ehr', 'epic-ehr-local-secret');
      const res = await fetch(`${base}/v1/hl7`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      const body = await assertProblem(res, 415);
      expect(String(body.detail)).toMatch(/application\/hl7-v2/);
      expect(invocations.length).toBe(0);
    });

    it('accepts a listed Content-Type with parameters', async () => {
      const t = await accessToken('epic-ehr', 'epic-ehr-local-secret');
      const res = await fetch(`${base}/v1/hl7`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/hl7-v2; charset=utf-8' },
        body: 'MSH|^~\\&|EPIC|NMC|HEM|HEM|20250101120000||DFT^P03|MSG0001|P|2.5.1\r',
      });
      expect(res.status).toBe(200);
      expect(invocations[0]?.functionId).toBe('Hl7Ingest');
      expect(invocations[0]?.event.body ?? '').toMatch(/^MSH\|/);
    });

    it('hands the handler a REST proxy event with path parameters, query and Cognito claims', async () => {
      const t = await accessToken('epic-ehr', 'epic-ehr-local-secret', `${SCOPES.inventoryRead} ${SCOPES.usageWrite}`);
      const res = await fetch(`${base}/v1/inventory/NMC-OR/ITM-10001?movements=5&tag=a&tag=b`, {
        headers: { Authorization: `Bearer ${t}`, 'X-Correlation-Id': 'corr-123', 'User-Agent': 'hem-test' },
      });
      expect(res.status).toBe(200);
      expect(invocations.length).toBe(1);
      const { functionId, event } = invocations[0] as Invocation;
      expect(res.headers.get('x-correlation-id')).toBe(event.requestContext.requestId);
      expect(functionId).toBe('InventoryQuery');
      expect(APIGatewayProxyEventSchema.safeParse(event).success).toBe(true);
      expect(event.resource).toBe('/v1/inventory/{locationId}/{itemId}');
      expect(event.path).toBe('/v1/inventory/NMC-OR/ITM-10001');
      expect(event.httpMethod).toBe('GET');
      expect(event.pathParameters).toStrictEqual({ locationId: 'NMC-OR', itemId: 'ITM-10001' });
      expect(event.queryStringParameters).toStrictEqual({ movements: '5', tag: 'b' });
      expect(event.multiValueQueryStringParameters).toStrictEqual({ movements: ['5'], tag: ['a', 'b'] });
      expect(event.stageVariables).toBe(null);
      expect(event.body).toBe(null);
      expect(event.isBase64Encoded).toBe(false);
      expect(event.headers['X-Correlation-Id']).toBe('corr-123');
      expect(event.requestContext.resourcePath).toBe('/v1/inventory/{locationId}/{itemId}');
      expect(event.requestContext.httpMethod).toBe('GET');
      expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(event.requestContext.identity.sourceIp).toBe('127.0.0.1');
      expect(event.requestContext.identity.userAgent).toBe('hem-test');
      const claims = (event.requestContext.authorizer as { claims: Record<string, unknown> }).claims;
      expect(claims.client_id).toBe('epic-ehr');
      expect(claims.sub).toBe('epic-ehr');
      expect(claims.scope).toBe('hem/inventory.read hem/usage.write');
      expect(claims.token_use).toBe('access');
      expect(claims.version).toBe('2');
      for (const value of Object.values(claims)) expect(typeof value).toBe('string');
      expect(String(claims.exp)).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
    });

    it("regression #12: never makes the caller's X-Correlation-Id the transaction id: HEM's request id is, the caller's stays its header", async () => {
      const t = await accessToken('epic-ehr', 'epic-ehr-local-secret');
      const res = await fetch(`${base}/v1/usage-events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json', 'X-Correlation-Id': 'another-transactions-id' },
        body: '{}',
      });
      expect(res.status).toBe(200);
      const id = res.headers.get('x-correlation-id') ?? '';
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(invocations[0]?.event.requestContext.requestId).toBe(id);
      expect(invocations[0]?.event.headers['X-Correlation-Id']).toBe('another-transactions-id');
    });

    it('drops an unsafe X-Correlation-Id: the handler never sees it and the answer carries a fresh uuid', async () => {
      const t = await accessToken('epic-ehr', 'epic-ehr-local-secret');
      const res = await fetch(`${base}/v1/transactions/abc`, {
        headers: { Authorization: `Bearer ${t}`, 'X-Correlation-Id': 'bad id <script>' },
      });
      expect(res.status).toBe(200);
      const id = res.headers.get('x-correlation-id') ?? '';
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Object.keys(invocations[0]?.event.headers ?? {}).some((h) => h.toLowerCase() === 'x-correlation-id')).toBe(false);
      expect(invocations[0]?.event.requestContext.requestId).toBe(id);
    });

    it('preserves client header casing and repeated headers like API Gateway', async () => {
      const t = await accessToken('epic-ehr', 'epic-ehr-local-secret');
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${base}/v1/transactions/abc`, {
          // The raw-array form sends exactly these lines (and so needs its own Host).
          headers: [['Host', new URL(base).host], ['Authorization', `Bearer ${t}`], ['X-Partner-Tag', 'one'], ['X-Partner-Tag', 'two']].flat(),
        } as never);
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
      const event = invocations[0]?.event as APIGatewayProxyEvent;
      expect(event.headers['X-Partner-Tag']).toBe('two');
      expect(event.multiValueHeaders['X-Partner-Tag']).toStrictEqual(['one', 'two']);
      expect(event.headers.Authorization ?? '').toMatch(/^Bearer /);
    });
  });

  describe('routing and limits', () => {
    it('answers 404 problem for an unknown route', async () => {
      await assertProblem(await fetch(`${base}/v1/nothing-here`), 404);
    });

    it('answers 405 problem with Allow for a known path and the wrong method', async () => {
      const res = await fetch(`${base}/v1/hl7`);
      await assertProblem(res, 405);
      expect(res.headers.get('allow')).toBe('POST');
    });

    it('answers 413 problem for a body over 6 MB', async () => {
      const t = await accessToken('epic-ehr', 'epic-ehr-local-secret');
      const res = await fetch(`${base}/v1/usage-events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
        body: 'x'.repeat(DEFAULT_MAX_BODY_BYTES + 1),
      });
      await assertProblem(res, 413);
      expect(invocations.length).toBe(0);
    });

    it('maps the handler result: status, headers, multi-value headers and base64 bodies', async () => {
      nextResult = async () => ({
        statusCode: 202,
        headers: { 'Content-Type': 'application/octet-stream', 'X-Count': 3 },
        multiValueHeaders: { 'X-Hop': ['ingest', 'map'] },
        body: Buffer.from([0, 1, 2, 255]).toString('base64'),
        isBase64Encoded: true,
      });
      const t = await accessToken('epic-ehr', 'epic-ehr-local-secret');
      const res = await fetch(`${base}/v1/usage-events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/fhir+json' },
        body: '{"resourceType":"Bundle"}',
      });
      expect(res.status).toBe(202);
      expect(res.headers.get('x-count')).toBe('3');
      expect(res.headers.get('x-hop')).toBe('ingest, map');
      expect(res.headers.get('x-correlation-id') ?? '').toMatch(/^[0-9a-f-]{36}$/);
      expect([...new Uint8Array(await res.arrayBuffer())]).toStrictEqual([0, 1, 2, 255]);
    });

    it('answers 500 problem without internals when the handler throws', async () => {
      nextResult = async () => {
        throw new Error('DynamoDB table hem-local-operations exploded at /work/main/secret.ts:42');
      };
      const t = await accessToken('epic-ehr', 'epic-ehr-local-secret');
      const res = await fetch(`${base}/v1/transactions/abc`, { headers: { Authorization: `Bearer ${t}` } });
      const body = await assertProblem(res, 500);
      expect(JSON.stringify(body)).not.toMatch(/exploded|hem-local-operations|secret\.ts/);
    });
  });

  describe('SigV4 ops routes', () => {
    const signed = async (method: string, path: string, signingDate?: Date, secret?: string): Promise<Response> => {
      const url = `${base}${path}`;
      const headers = await signRequest(
        { method, url },
        secret === undefined ? LOCAL_OPS_CREDENTIALS : { ...LOCAL_OPS_CREDENTIALS, secretAccessKey: secret },
        { ...LOCAL_SIGV4_SCOPE, ...(signingDate === undefined ? {} : { signingDate }) },
      );
      return fetch(url, { method, headers });
    };

    it('passes a correctly signed request with the IAM identity and no authorizer', async () => {
      const res = await signed('GET', '/v1/ops/dlqs/cost-posting-dlq?limit=10');
      expect(res.status).toBe(200);
      const { functionId, event } = invocations[0] as Invocation;
      expect(functionId).toBe('OpsDlq');
      expect(event.pathParameters).toStrictEqual({ queueName: 'cost-posting-dlq' });
      expect(event.requestContext.identity.accessKey).toBe('HEMLOCALOPS');
      expect(event.requestContext.identity.userArn ?? '').toMatch(/^arn:aws:iam::\d{12}:user\/HEMLOCALOPS$/);
      expect(event.requestContext.authorizer).toBe(null);
      expect(APIGatewayProxyEventSchema.safeParse(event).success).toBe(true);
    });

    it('answers 403, as API Gateway does, for a signature made with the wrong secret', async () => {
      await assertProblem(await signed('GET', '/v1/ops/dlqs', undefined, 'wrong-secret'), 403);
      expect(invocations.length).toBe(0);
    });

    it('answers 403 for an expired signature', async () => {
      const res = await signed('POST', '/v1/ops/dlqs/cost-posting-dlq/redrive', new Date(Date.now() - 10 * 60_000));
      const body = await assertProblem(res, 403);
      expect(String(body.detail)).toMatch(/expired/);
      expect(invocations.length).toBe(0);
    });

    it('answers 403 for an ops route called with a Bearer token instead of SigV4', async () => {
      const t = await accessToken('ops-console', 'ops-console-local-secret');
      await assertProblem(await fetch(`${base}/v1/ops/dlqs`, { headers: { Authorization: `Bearer ${t}` } }), 403);
    });
  });

  describe('health and access log', () => {
    it('answers 200 {status:"ok"} when ready and 503 when not', async () => {
      const ok = await fetch(`${base}/health`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toStrictEqual({ status: 'ok', ready: true, tables: 4 });
      health = { ready: false };
      const starting = await fetch(`${base}/health`);
      expect(starting.status).toBe(503);
      expect(((await starting.json()) as { status: string }).status).toBe('starting');
    });

    it('logs one line per request with the route template and no body or raw path', async () => {
      const t = await accessToken('epic-ehr', 'epic-ehr-local-secret');
      accessLog.length = 0;
      await fetch(`${base}/v1/usage-events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json', 'X-Correlation-Id': 'log-1' },
        body: JSON.stringify({ note: 'PATIENT DOE^JANE' }),
      });
      expect(accessLog.length).toBe(1);
      const entry = accessLog[0] as AccessLogEntry;
      expect(entry.route).toBe('/v1/usage-events');
      expect(entry.status).toBe(200);
      expect(entry.correlationId).toBe(entry.requestId);
      expect(entry.correlationId).not.toBe('log-1');
      expect(entry.principal).toBe('epic-ehr');
      expect(JSON.stringify(entry)).not.toMatch(/DOE|JANE/);
    });
  });
});

describe('local gateway against slow and unauthenticated clients (partner trust #12)', () => {
  let server: Server;
  let port: number;
  let invoked = 0;

  beforeAll(async () => {
    const issuer = await LocalIssuer.create({ issuer: 'http://127.0.0.1:4010', clients: DEFAULT_LOCAL_CLIENTS });
    server = createGateway({
      routes: ROUTES,
      invoke: async () => {
        invoked += 1;
        return { statusCode: 200, body: '{}' };
      },
      issuer,
      opsCredentials: LOCAL_OPS_CREDENTIALS,
      health: () => ({ ready: true }),
      headersTimeoutMs: 400,
      requestTimeoutMs: 800,
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  /** Sends the request line and headers only, announcing a body that never comes; resolves with the status, or 'no answer'. */
  const headersOnly = (path: string, headers: Record<string, string>, waitMs: number): Promise<number | 'no answer'> =>
    new Promise((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, headers: { ...headers, 'Content-Length': String(DEFAULT_MAX_BODY_BYTES) } });
      const timer = setTimeout(() => {
        req.destroy();
        resolve('no answer');
      }, waitMs);
      req.on('response', (res) => {
        clearTimeout(timer);
        res.resume();
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => undefined);
      req.flushHeaders();
    });

  it('answers 401 to an unauthenticated request before reading its body', async () => {
    expect(await headersOnly('/v1/usage-events', { 'Content-Type': 'application/json' }, 300)).toBe(401);
    expect(invoked).toBe(0);
  });

  it('closes a connection whose headers trickle in slower than the headers timeout', async () => {
    const { connect } = await import('node:net');
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write('POST /v1/usage-events HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 100);
    const closedAfter = await new Promise<number>((resolve) => {
      const started = Date.now();
      socket.on('data', () => undefined);
      socket.once('close', () => resolve(Date.now() - started));
      setTimeout(() => resolve(Number.POSITIVE_INFINITY), 5_000);
    });
    clearInterval(drip);
    socket.destroy();
    expect(closedAfter).toBeLessThan(3_000);
  });
});

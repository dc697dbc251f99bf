/**
 * The authorization matrix (#12): every route of contracts/routes.ts × every local client of
 * DEFAULT_LOCAL_CLIENTS, asserted through the local gateway over real HTTP with a stub integration.
 * The expected verdict is computed from the scopes, never listed by hand: a JWT route lets a client
 * through when the client holds one of the route's scopes and answers 403 otherwise (the handler is
 * never invoked); an IAM (SigV4) route refuses every bearer token with 403. Object-level rules (a
 * supplier sees its own invoices and POs) are the handlers' and are tested with them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { FunctionId } from '../../../contracts/functions';
import { ROUTES, SCOPES, type RouteDefinition } from '../../../contracts/routes';
import { createGateway } from '../../../local/gateway';
import { DEFAULT_LOCAL_CLIENTS, LocalIssuer, type LocalClient } from '../../../local/oauth';
import { LOCAL_OPS_CREDENTIALS } from '../../../local/sigv4';

interface Invocation {
  functionId: FunctionId;
  event: APIGatewayProxyEvent;
}

/** What the gateway did with one request. */
interface Verdict {
  status: number;
  invoked: FunctionId | null;
}

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

const routeKey = (route: RouteDefinition): string => `${route.method} ${route.path}`;

/** A concrete path for a route template (every parameter filled in). */
const concretePath = (route: RouteDefinition): string => route.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => `${name}-1`);

/** The verdict the scopes call for. */
const expectedVerdict = (route: RouteDefinition, client: LocalClient): Verdict => {
  if (route.auth === 'iam') return { status: 403, invoked: null };
  const allowed = (route.scopes ?? []).some((scope) => client.allowedScopes.includes(scope));
  return allowed ? { status: 200, invoked: route.functionId } : { status: 403, invoked: null };
};

describe('authorization matrix: every route × every local client through the local gateway', () => {
  let server: Server;
  let base: string;
  let invocations: Invocation[] = [];

  beforeAll(async () => {
    const issuer = await LocalIssuer.create({ issuer: 'http://127.0.0.1:4010', clients: DEFAULT_LOCAL_CLIENTS });
    server = createGateway({
      routes: ROUTES,
      invoke: async (functionId, event) => {
        invocations.push({ functionId, event });
        return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' };
      },
      issuer,
      opsCredentials: LOCAL_OPS_CREDENTIALS,
      health: () => ({ ready: true }),
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  /** A token with every scope the client is allowed (no `scope` parameter, as Cognito does). */
  const accessToken = async (client: LocalClient): Promise<string> => {
    const res = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(client.clientId, client.clientSecret) },
      body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };

  const send = async (route: RouteDefinition, token: string, clientId: string): Promise<Verdict> => {
    invocations = [];
    const hasBody = route.method === 'POST' || route.method === 'PUT';
    const contentType = route.contentTypes?.[0] ?? 'application/json';
    const res = await fetch(`${base}${concretePath(route)}`, {
      method: route.method,
      headers: { Authorization: `Bearer ${token}`, ...(hasBody ? { 'Content-Type': contentType } : {}) },
      ...(hasBody ? { body: contentType.includes('json') ? '{}' : 'payload' } : {}),
    });
    await res.arrayBuffer();
    expect(invocations.length).toBeLessThanOrEqual(1);
    const [invocation] = invocations;
    if (invocation !== undefined) {
      // The handler gets the token's own client id: identity comes from the token.
      const claims = (invocation.event.requestContext.authorizer as { claims: Record<string, string> }).claims;
      expect(claims.client_id).toBe(clientId);
    }
    return { status: res.status, invoked: invocation?.functionId ?? null };
  };

  it.each(DEFAULT_LOCAL_CLIENTS.map((client) => [client.clientId, client] as const))(
    'lets %s reach exactly the routes whose scopes it holds, and answers 403 without invoking anything elsewhere',
    async (_clientId, client) => {
      const token = await accessToken(client);
      const actual: Record<string, Verdict> = {};
      const expected: Record<string, Verdict> = {};
      for (const route of ROUTES) {
        actual[routeKey(route)] = await send(route, token, client.clientId);
        expected[routeKey(route)] = expectedVerdict(route, client);
      }
      expect(actual).toStrictEqual(expected);
    },
  );

  it("hands the invoked handler the token's client id and scopes, never anything the request asserts", async () => {
    const client = DEFAULT_LOCAL_CLIENTS.find((c) => c.clientId === 'ap-clerk') as LocalClient;
    const token = await accessToken(client);
    invocations = [];
    await fetch(`${base}/v1/invoices/case-1/resolution`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'REJECT', clerk: 'ops-console' }),
    });
    const claims = (invocations[0]?.event.requestContext.authorizer as { claims: Record<string, string> }).claims;
    expect(claims.client_id).toBe('ap-clerk');
    expect(claims.scope.split(' ').sort()).toStrictEqual([...client.allowedScopes].sort());
  });

  it('is not vacuous: every JWT route admits someone, and every client is refused somewhere', () => {
    for (const route of ROUTES.filter((r) => r.auth === 'jwt')) {
      expect([routeKey(route), DEFAULT_LOCAL_CLIENTS.some((c) => expectedVerdict(route, c).status === 200)]).toStrictEqual([routeKey(route), true]);
    }
    for (const client of DEFAULT_LOCAL_CLIENTS) {
      expect([client.clientId, ROUTES.some((r) => expectedVerdict(r, client).status === 403)]).toStrictEqual([client.clientId, true]);
    }
  });
});

describe('cross-supplier scopes (deny by default, #12)', () => {
  const holders = (scope: string): string[] =>
    DEFAULT_LOCAL_CLIENTS.filter((c) => c.allowedScopes.some((s) => s === scope))
      .map((c) => c.clientId)
      .sort();

  it('grants every supplier invoice only to AP (ap-clerk) and the ops console, and no supplier either cross-supplier scope', () => {
    expect(holders(SCOPES.invoiceReadAll)).toStrictEqual(['ap-clerk', 'ops-console']);
    expect(holders(SCOPES.poReadAll)).toStrictEqual(['ap-clerk', 'ops-console', 'receiving-dock', 'saas-procurement']);
    for (const supplier of DEFAULT_LOCAL_CLIENTS.filter((c) => c.clientId.startsWith('supplier-'))) {
      expect(supplier.allowedScopes.filter((s) => s === SCOPES.invoiceReadAll || s === SCOPES.poReadAll)).toStrictEqual([]);
    }
  });

  it('configures the Cognito partners of every environment in cdk.json like the local clients', () => {
    const cdk = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as {
      context: { environments: Record<string, { partners: { name: string; scopes: string[]; supplierId?: string }[] }> };
    };
    for (const [name, environment] of Object.entries(cdk.context.environments)) {
      const partnerHolders = (scope: string): string[] =>
        environment.partners
          .filter((p) => p.scopes.includes(scope))
          .map((p) => p.name)
          .sort();
      expect([name, partnerHolders(SCOPES.invoiceReadAll)]).toStrictEqual([name, ['ap-clerk']]);
      expect([name, partnerHolders(SCOPES.poReadAll)]).toStrictEqual([name, ['ap-clerk', 'receiving-dock', 'saas-procurement']]);
      for (const supplier of environment.partners.filter((p) => p.supplierId !== undefined)) {
        expect([supplier.name, supplier.scopes.filter((s) => s === SCOPES.invoiceReadAll || s === SCOPES.poReadAll)]).toStrictEqual([supplier.name, []]);
      }
    }
  });
});

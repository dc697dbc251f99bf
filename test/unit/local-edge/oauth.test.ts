import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { SCOPES } from '../../../contracts/routes';
import { AuthenticationError, AuthorizationError } from '../../../functions/domain/errors';
import { DEFAULT_LOCAL_CLIENTS, LocalIssuer, localClients } from '../../../local/oauth';
import type { TokenErrorResponse, TokenResponse } from '../../../local/oauth';

const ISSUER = 'http://127.0.0.1:4010';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('LocalIssuer', () => {
  let issuer: LocalIssuer;
  beforeAll(async () => {
    issuer = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS });
  });

  describe('POST /oauth2/token (handleTokenRequest)', () => {
    it('issues a Bearer token with all allowed scopes for a client authenticated with HTTP Basic', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('epic-ehr', 'epic-ehr-local-secret') },
        'grant_type=client_credentials',
      );
      expect(answer.status).toBe(200);
      expect(answer.headers['Cache-Control']).toBe('no-store');
      const body = answer.body as TokenResponse;
      expect(body.token_type).toBe('Bearer');
      expect(body.expires_in).toBe(3600);
      const claims = decodeJwt(body.access_token);
      expect(claims.scope).toBe('hem/usage.write hem/inventory.read hem/transactions.read');
    });

    it('accepts client_id and client_secret in the form body', async () => {
      const answer = await issuer.handleTokenRequest(
        FORM,
        'grant_type=client_credentials&client_id=supplier-medline&client_secret=supplier-medline-local-secret',
      );
      expect(answer.status).toBe(200);
      expect(decodeJwt((answer.body as TokenResponse).access_token).client_id).toBe('supplier-medline');
    });

    it('grants exactly the requested subset of scopes', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('ops-console', 'ops-console-local-secret') },
        `grant_type=client_credentials&scope=${encodeURIComponent(`${SCOPES.poRead} ${SCOPES.catalogRead}`)}`,
      );
      expect(answer.status).toBe(200);
      expect(decodeJwt((answer.body as TokenResponse).access_token).scope).toBe('hem/po.read hem/catalog.read');
    });

    it('answers 401 invalid_client with a Basic challenge for a wrong secret', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('epic-ehr', 'wrong') },
        'grant_type=client_credentials',
      );
      expect(answer.status).toBe(401);
      expect((answer.body as TokenErrorResponse).error).toBe('invalid_client');
      expect(answer.headers['WWW-Authenticate'] ?? '').toMatch(/^Basic/);
    });

    it('answers 401 invalid_client for an unknown client and for no client authentication', async () => {
      const unknown = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('nobody', 'x') },
        'grant_type=client_credentials',
      );
      expect(unknown.status).toBe(401);
      expect((unknown.body as TokenErrorResponse).error).toBe('invalid_client');
      const none = await issuer.handleTokenRequest(FORM, 'grant_type=client_credentials');
      expect(none.status).toBe(401);
      expect((none.body as TokenErrorResponse).error).toBe('invalid_client');
    });

    it('answers 400 invalid_scope for a scope the client is not allowed', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('supplier-medline', 'supplier-medline-local-secret') },
        `grant_type=client_credentials&scope=${encodeURIComponent(SCOPES.usageWrite)}`,
      );
      expect(answer.status).toBe(400);
      expect((answer.body as TokenErrorResponse).error).toBe('invalid_scope');
    });

    it('answers 400 invalid_scope for an unknown scope', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('ops-console', 'ops-console-local-secret') },
        'grant_type=client_credentials&scope=hem/everything',
      );
      expect((answer.body as TokenErrorResponse).error).toBe('invalid_scope');
    });

    it('answers 400 unsupported_grant_type for the password grant', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('epic-ehr', 'epic-ehr-local-secret') },
        'grant_type=password&username=a&password=b',
      );
      expect(answer.status).toBe(400);
      expect((answer.body as TokenErrorResponse).error).toBe('unsupported_grant_type');
    });

    it('answers 400 invalid_request without grant_type or with a JSON body', async () => {
      const missing = await issuer.handleTokenRequest({ ...FORM, authorization: basic('epic-ehr', 'epic-ehr-local-secret') }, '');
      expect((missing.body as TokenErrorResponse).error).toBe('invalid_request');
      const json = await issuer.handleTokenRequest(
        { 'content-type': 'application/json', authorization: basic('epic-ehr', 'epic-ehr-local-secret') },
        '{"grant_type":"client_credentials"}',
      );
      expect(json.status).toBe(400);
      expect((json.body as TokenErrorResponse).error).toBe('invalid_request');
    });

    it('answers 400 invalid_request when a client uses Basic and client_secret together', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('epic-ehr', 'epic-ehr-local-secret') },
        'grant_type=client_credentials&client_secret=epic-ehr-local-secret',
      );
      expect((answer.body as TokenErrorResponse).error).toBe('invalid_request');
    });
  });

  describe('issueToken and verify', () => {
    it('issues Cognito access-token claims', async () => {
      const token = await issuer.issueToken('epic-ehr', [SCOPES.usageWrite]);
      const claims = await issuer.verify(`Bearer ${token}`, [SCOPES.usageWrite]);
      expect(claims.sub).toBe('epic-ehr');
      expect(claims.client_id).toBe('epic-ehr');
      expect(claims.scope).toBe('hem/usage.write');
      expect(claims.token_use).toBe('access');
      expect(claims.iss).toBe(ISSUER);
      expect(claims.version).toBe(2);
      expect(claims.exp - claims.iat).toBe(3600);
      expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
      expect(decodeProtectedHeader(token).alg).toBe('RS256');
      expect(decodeProtectedHeader(token).kid).toBe(await issuer.keyId());
    });

    it('refuses to issue a scope the client may not have', async () => {
      await expect(issuer.issueToken('supplier-medline', [SCOPES.usageWrite])).rejects.toThrow(AuthorizationError);
      await expect(issuer.issueToken('nobody')).rejects.toThrow(AuthenticationError);
    });

    it('accepts a token holding any one of the required scopes', async () => {
      const token = await issuer.issueToken('supplier-medline');
      const claims = await issuer.verify(`Bearer ${token}`, [SCOPES.usageWrite, SCOPES.poRead]);
      expect(claims.client_id).toBe('supplier-medline');
    });

    it('throws AuthorizationError when the token has none of the required scopes', async () => {
      const token = await issuer.issueToken('supplier-medline');
      await expect(issuer.verify(`Bearer ${token}`, [SCOPES.usageWrite])).rejects.toThrow(AuthorizationError);
    });

    it('throws AuthenticationError for a missing or malformed header', async () => {
      await expect(issuer.verify(undefined, [])).rejects.toThrow(/missing bearer token/);
      await expect(issuer.verify('Basic abc', [])).rejects.toThrow(/malformed bearer token/);
      await expect(issuer.verify('Bearer not-a-jwt', [])).rejects.toThrow(AuthenticationError);
      await expect(issuer.verify('Bearer aaa.bbb.ccc', [])).rejects.toThrow(AuthenticationError);
    });

    it('throws AuthenticationError for a token past its expiry', async () => {
      let clock = Date.now();
      const clocked = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, now: () => new Date(clock) });
      const token = await clocked.issueToken('epic-ehr');
      clock += 3599_000;
      expect((await clocked.verify(`Bearer ${token}`, [])).client_id).toBe('epic-ehr');
      clock += 2_000;
      await expect(clocked.verify(`Bearer ${token}`, [])).rejects.toThrow(expect.toSatisfy((e: Error) => {
        expect(e).toBeInstanceOf(AuthenticationError);
        expect(e.message).toMatch(/token expired/);
        return true;
      }));
    });

    it('throws AuthenticationError for a tampered payload (bad signature)', async () => {
      const token = await issuer.issueToken('supplier-medline');
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims.scope = 'hem/usage.write';
      const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
      await expect(issuer.verify(`Bearer ${forged}`, [])).rejects.toThrow(/token signature invalid/);
    });

    it('throws AuthenticationError for a token signed by another key', async () => {
      const other = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS });
      const token = await other.issueToken('epic-ehr');
      await expect(issuer.verify(`Bearer ${token}`, [])).rejects.toThrow(/token signature invalid/);
    });
  });

  describe('JWKS', () => {
    it('publishes only the public key, and tokens verify against it with plain jose', async () => {
      const jwks = await issuer.jwks();
      expect(jwks.keys.length).toBe(1);
      const key = jwks.keys[0];
      expect(key?.kty).toBe('RSA');
      expect(key?.alg).toBe('RS256');
      expect(key?.use).toBe('sig');
      expect(key?.d).toBe(undefined);
      expect(key?.p).toBe(undefined);
      const token = await issuer.issueToken('ops-console');
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER });
      expect(payload.client_id).toBe('ops-console');
    });
  });

  describe('persistence under dataDir', () => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'hem-oauth-'));
    });
    afterAll(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it('keeps the signing key across restarts so earlier tokens still verify', async () => {
      const first = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, dataDir });
      const token = await first.issueToken('epic-ehr');
      const files = await readdir(join(dataDir, 'oauth'));
      expect(files).toStrictEqual(['signing-key.jwk.json']);
      expect((await stat(join(dataDir, 'oauth', 'signing-key.jwk.json'))).mode & 0o077).toBe(0);

      const second = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, dataDir });
      expect(await second.keyId()).toBe(await first.keyId());
      const claims = await second.verify(`Bearer ${token}`, [SCOPES.usageWrite]);
      expect(claims.client_id).toBe('epic-ehr');
    });

    it('rejects a token of the same key but another issuer URL', async () => {
      const a = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, dataDir });
      const b = await LocalIssuer.create({ issuer: 'http://127.0.0.1:9999', clients: DEFAULT_LOCAL_CLIENTS, dataDir });
      const token = await b.issueToken('epic-ehr');
      await expect(a.verify(`Bearer ${token}`, [])).rejects.toThrow(/another issuer/);
    });
  });

  describe('localClients', () => {
    it('overrides a default secret and keeps the others', async () => {
      const clients = localClients({ 'epic-ehr': 'rotated' });
      expect(clients.find((c) => c.clientId === 'epic-ehr')?.clientSecret).toBe('rotated');
      expect(clients.find((c) => c.clientId === 'ops-console')?.clientSecret).toBe('ops-console-local-secret');
      const custom = await LocalIssuer.create({ issuer: ISSUER, clients });
      const answer = await custom.handleTokenRequest(
        { ...FORM, authorization: basic('epic-ehr', 'epic-ehr-local-secret') },
        'grant_type=client_credentials',
      );
      expect(answer.status).toBe(401);
    });
  });
});

describe('LocalIssuer token age and lifetime (partner trust #12)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hem-oauth-age-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a token issued a day ahead of the verifier\'s clock', async () => {
    let clock = Date.now() + 24 * 3600_000;
    const issuer = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, dataDir, now: () => new Date(clock) });
    const token = await issuer.issueToken('epic-ehr');
    clock = Date.now();
    await expect(issuer.verify(`Bearer ${token}`, [])).rejects.toThrow(expect.toSatisfy((e: Error) => e instanceof AuthenticationError && /token claim iat invalid/.test(e.message)));
  });

  it('refuses a token valid for ten years, though it is signed by the issuer\'s key and not expired', async () => {
    const longLived = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, dataDir, tokenLifetimeSeconds: 10 * 365 * 24 * 3600 });
    const verifier = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, dataDir });
    const token = await longLived.issueToken('epic-ehr');
    await expect(verifier.verify(`Bearer ${token}`, [])).rejects.toThrow(/token lifetime exceeds the issuer's/);
  });

  it('refuses a token older than the token lifetime even when its exp is later', async () => {
    let clock = Date.now();
    const longLived = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, dataDir, tokenLifetimeSeconds: 7200, now: () => new Date(clock) });
    const verifier = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, dataDir, now: () => new Date(clock) });
    const token = await longLived.issueToken('epic-ehr');
    clock += 3601_000;
    await expect(verifier.verify(`Bearer ${token}`, [])).rejects.toThrow(/token too old|token lifetime exceeds/);
  });
});

describe('POST /oauth2/token throttling and lockout (partner trust #12)', () => {
  const wrong = (issuer: LocalIssuer, address: string, clientId = 'epic-ehr') =>
    issuer.handleTokenRequest({ ...FORM, authorization: basic(clientId, 'guess') }, 'grant_type=client_credentials', address);
  const right = (issuer: LocalIssuer, address: string) =>
    issuer.handleTokenRequest({ ...FORM, authorization: basic('epic-ehr', 'epic-ehr-local-secret') }, 'grant_type=client_credentials', address);

  it('locks a client id for five minutes after five failed secrets, even for the right secret, and says when to retry', async () => {
    let clock = Date.now();
    const issuer = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, now: () => new Date(clock) });
    for (let i = 0; i < 5; i += 1) expect((await wrong(issuer, `10.0.0.${i}`)).status).toBe(401);
    const locked = await right(issuer, '10.0.0.99');
    expect(locked.status).toBe(429);
    expect(locked.headers['Retry-After']).toBe('300');
    expect((locked.body as TokenErrorResponse).error).toBe('invalid_client');
    clock += 300_001;
    expect((await right(issuer, '10.0.0.99')).status).toBe(200);
  });

  it('locks the caller\'s address after five failures across client ids, not other addresses', async () => {
    const issuer = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS });
    for (const client of ['a', 'b', 'c', 'd', 'e']) expect((await wrong(issuer, '192.0.2.7', client)).status).toBe(401);
    expect((await right(issuer, '192.0.2.7')).status).toBe(429);
    expect((await right(issuer, '192.0.2.8')).status).toBe(200);
  });

  it('answers 429 with Retry-After once an address exceeds its request rate, and recovers as the bucket refills', async () => {
    let clock = Date.now();
    const issuer = await LocalIssuer.create({
      issuer: ISSUER,
      clients: DEFAULT_LOCAL_CLIENTS,
      now: () => new Date(clock),
      tokenEndpointLimits: { requestsPerSecond: 2, burst: 3 },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await right(issuer, '198.51.100.1')).status);
    expect(statuses).toStrictEqual([200, 200, 200, 429]);
    const slowed = await right(issuer, '198.51.100.1');
    expect(slowed.headers['Retry-After']).toBe('1');
    expect((slowed.body as TokenErrorResponse).error).toBe('invalid_request');
    clock += 1_000;
    expect((await right(issuer, '198.51.100.1')).status).toBe(200);
  });
});

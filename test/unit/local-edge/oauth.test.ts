import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
  before(async () => {
    issuer = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS });
  });

  describe('POST /oauth2/token (handleTokenRequest)', () => {
    it('issues a Bearer token with all allowed scopes for a client authenticated with HTTP Basic', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('epic-ehr', 'epic-ehr-local-secret') },
        'grant_type=client_credentials',
      );
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['Cache-Control'], 'no-store');
      const body = answer.body as TokenResponse;
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 3600);
      const claims = decodeJwt(body.access_token);
      assert.equal(claims.scope, 'hem/usage.write hem/inventory.read hem/transactions.read');
    });

    it('accepts client_id and client_secret in the form body', async () => {
      const answer = await issuer.handleTokenRequest(
        FORM,
        'grant_type=client_credentials&client_id=supplier-medline&client_secret=supplier-medline-local-secret',
      );
      assert.equal(answer.status, 200);
      assert.equal(decodeJwt((answer.body as TokenResponse).access_token).client_id, 'supplier-medline');
    });

    it('grants exactly the requested subset of scopes', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('ops-console', 'ops-console-local-secret') },
        `grant_type=client_credentials&scope=${encodeURIComponent(`${SCOPES.poRead} ${SCOPES.catalogRead}`)}`,
      );
      assert.equal(answer.status, 200);
      assert.equal(decodeJwt((answer.body as TokenResponse).access_token).scope, 'hem/po.read hem/catalog.read');
    });

    it('answers 401 invalid_client with a Basic challenge for a wrong secret', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('epic-ehr', 'wrong') },
        'grant_type=client_credentials',
      );
      assert.equal(answer.status, 401);
      assert.equal((answer.body as TokenErrorResponse).error, 'invalid_client');
      assert.match(answer.headers['WWW-Authenticate'] ?? '', /^Basic/);
    });

    it('answers 401 invalid_client for an unknown client and for no client authentication', async () => {
      const unknown = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('nobody', 'x') },
        'grant_type=client_credentials',
      );
      assert.equal(unknown.status, 401);
      assert.equal((unknown.body as TokenErrorResponse).error, 'invalid_client');
      const none = await issuer.handleTokenRequest(FORM, 'grant_type=client_credentials');
      assert.equal(none.status, 401);
      assert.equal((none.body as TokenErrorResponse).error, 'invalid_client');
    });

    it('answers 400 invalid_scope for a scope the client is not allowed', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('supplier-medline', 'supplier-medline-local-secret') },
        `grant_type=client_credentials&scope=${encodeURIComponent(SCOPES.usageWrite)}`,
      );
      assert.equal(answer.status, 400);
      assert.equal((answer.body as TokenErrorResponse).error, 'invalid_scope');
    });

    it('answers 400 invalid_scope for an unknown scope', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('ops-console', 'ops-console-local-secret') },
        'grant_type=client_credentials&scope=hem/everything',
      );
      assert.equal((answer.body as TokenErrorResponse).error, 'invalid_scope');
    });

    it('answers 400 unsupported_grant_type for the password grant', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('epic-ehr', 'epic-ehr-local-secret') },
        'grant_type=password&username=a&password=b',
      );
      assert.equal(answer.status, 400);
      assert.equal((answer.body as TokenErrorResponse).error, 'unsupported_grant_type');
    });

    it('answers 400 invalid_request without grant_type or with a JSON body', async () => {
      const missing = await issuer.handleTokenRequest({ ...FORM, authorization: basic('epic-ehr', 'epic-ehr-local-secret') }, '');
      assert.equal((missing.body as TokenErrorResponse).error, 'invalid_request');
      const json = await issuer.handleTokenRequest(
        { 'content-type': 'application/json', authorization: basic('epic-ehr', 'epic-ehr-local-secret') },
        '{"grant_type":"client_credentials"}',
      );
      assert.equal(json.status, 400);
      assert.equal((json.body as TokenErrorResponse).error, 'invalid_request');
    });

    it('answers 400 invalid_request when a client uses Basic and client_secret together', async () => {
      const answer = await issuer.handleTokenRequest(
        { ...FORM, authorization: basic('epic-ehr', 'epic-ehr-local-secret') },
        'grant_type=client_credentials&client_secret=epic-ehr-local-secret',
      );
      assert.equal((answer.body as TokenErrorResponse).error, 'invalid_request');
    });
  });

  describe('issueToken and verify', () => {
    it('issues Cognito access-token claims', async () => {
      const token = await issuer.issueToken('epic-ehr', [SCOPES.usageWrite]);
      const claims = await issuer.verify(`Bearer ${token}`, [SCOPES.usageWrite]);
      assert.equal(claims.sub, 'epic-ehr');
      assert.equal(claims.client_id, 'epic-ehr');
      assert.equal(claims.scope, 'hem/usage.write');
      assert.equal(claims.token_use, 'access');
      assert.equal(claims.iss, ISSUER);
      assert.equal(claims.version, 2);
      assert.equal(claims.exp - claims.iat, 3600);
      assert.match(claims.jti, /^[0-9a-f-]{36}$/);
      assert.equal(decodeProtectedHeader(token).alg, 'RS256');
      assert.equal(decodeProtectedHeader(token).kid, await issuer.keyId());
    });

    it('refuses to issue a scope the client may not have', async () => {
      await assert.rejects(issuer.issueToken('supplier-medline', [SCOPES.usageWrite]), AuthorizationError);
      await assert.rejects(issuer.issueToken('nobody'), AuthenticationError);
    });

    it('accepts a token holding any one of the required scopes', async () => {
      const token = await issuer.issueToken('supplier-medline');
      const claims = await issuer.verify(`Bearer ${token}`, [SCOPES.usageWrite, SCOPES.poRead]);
      assert.equal(claims.client_id, 'supplier-medline');
    });

    it('throws AuthorizationError when the token has none of the required scopes', async () => {
      const token = await issuer.issueToken('supplier-medline');
      await assert.rejects(issuer.verify(`Bearer ${token}`, [SCOPES.usageWrite]), AuthorizationError);
    });

    it('throws AuthenticationError for a missing or malformed header', async () => {
      await assert.rejects(issuer.verify(undefined, []), /missing bearer token/);
      await assert.rejects(issuer.verify('Basic abc', []), /malformed bearer token/);
      await assert.rejects(issuer.verify('Bearer not-a-jwt', []), AuthenticationError);
      await assert.rejects(issuer.verify('Bearer aaa.bbb.ccc', []), AuthenticationError);
    });

    it('throws AuthenticationError for a token past its expiry', async () => {
      let clock = Date.now();
      const clocked = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, now: () => new Date(clock) });
      const token = await clocked.issueToken('epic-ehr');
      clock += 3599_000;
      assert.equal((await clocked.verify(`Bearer ${token}`, [])).client_id, 'epic-ehr');
      clock += 2_000;
      await assert.rejects(clocked.verify(`Bearer ${token}`, []), (e: Error) => {
        assert.ok(e instanceof AuthenticationError);
        assert.match(e.message, /token expired/);
        return true;
      });
    });

    it('throws AuthenticationError for a tampered payload (bad signature)', async () => {
      const token = await issuer.issueToken('supplier-medline');
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims.scope = 'hem/usage.write';
      const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
      await assert.rejects(issuer.verify(`Bearer ${forged}`, []), /token signature invalid/);
    });

    it('throws AuthenticationError for a token signed by another key', async () => {
      const other = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS });
      const token = await other.issueToken('epic-ehr');
      await assert.rejects(issuer.verify(`Bearer ${token}`, []), /token signature invalid/);
    });
  });

  describe('JWKS', () => {
    it('publishes only the public key, and tokens verify against it with plain jose', async () => {
      const jwks = await issuer.jwks();
      assert.equal(jwks.keys.length, 1);
      const key = jwks.keys[0];
      assert.equal(key?.kty, 'RSA');
      assert.equal(key?.alg, 'RS256');
      assert.equal(key?.use, 'sig');
      assert.equal(key?.d, undefined);
      assert.equal(key?.p, undefined);
      const token = await issuer.issueToken('ops-console');
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER });
      assert.equal(payload.client_id, 'ops-console');
    });
  });

  describe('persistence under dataDir', () => {
    let dataDir: string;
    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'hem-oauth-'));
    });
    after(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it('keeps the signing key across restarts so earlier tokens still verify', async () => {
      const first = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, dataDir });
      const token = await first.issueToken('epic-ehr');
      const files = await readdir(join(dataDir, 'oauth'));
      assert.deepEqual(files, ['signing-key.jwk.json']);
      assert.equal((await stat(join(dataDir, 'oauth', 'signing-key.jwk.json'))).mode & 0o077, 0);

      const second = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, dataDir });
      assert.equal(await second.keyId(), await first.keyId());
      const claims = await second.verify(`Bearer ${token}`, [SCOPES.usageWrite]);
      assert.equal(claims.client_id, 'epic-ehr');
    });

    it('rejects a token of the same key but another issuer URL', async () => {
      const a = await LocalIssuer.create({ issuer: ISSUER, clients: DEFAULT_LOCAL_CLIENTS, dataDir });
      const b = await LocalIssuer.create({ issuer: 'http://127.0.0.1:9999', clients: DEFAULT_LOCAL_CLIENTS, dataDir });
      const token = await b.issueToken('epic-ehr');
      await assert.rejects(a.verify(`Bearer ${token}`, []), /another issuer/);
    });
  });

  describe('localClients', () => {
    it('overrides a default secret and keeps the others', async () => {
      const clients = localClients({ 'epic-ehr': 'rotated' });
      assert.equal(clients.find((c) => c.clientId === 'epic-ehr')?.clientSecret, 'rotated');
      assert.equal(clients.find((c) => c.clientId === 'ops-console')?.clientSecret, 'ops-console-local-secret');
      const custom = await LocalIssuer.create({ issuer: ISSUER, clients });
      const answer = await custom.handleTokenRequest(
        { ...FORM, authorization: basic('epic-ehr', 'epic-ehr-local-secret') },
        'grant_type=client_credentials',
      );
      assert.equal(answer.status, 401);
    });
  });
});

/**
 * The local OAuth2 issuer: a stand-in for the Cognito user pool's client-credentials flow. It issues
 * RS256 access tokens with Cognito's access-token claims, serves them at `POST /oauth2/token`
 * (RFC 6749 §4.4) and verifies them for the local gateway the way API Gateway's Cognito authorizer
 * does (signature, expiry, issuer, token_use, then "any of the method's scopes").
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import { SignJWT, calculateJwkThumbprint, errors, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { SCOPES } from '../contracts/routes';
import type { Scope } from '../contracts/routes';
import { AuthenticationError, AuthorizationError } from '../functions/domain/errors';
import { TokenEndpointGuard } from './token-endpoint-guard';
import type { GuardVerdict, TokenEndpointLimits } from './token-endpoint-guard';

/** One app client of the local "user pool": a partner or the ops console. */
export interface LocalClient {
  clientId: string;
  clientSecret: string;
  allowedScopes: readonly Scope[];
}

export interface LocalIssuerOptions {
  /** The `iss` claim, normally the gateway's base URL, e.g. `http://127.0.0.1:4010`. */
  issuer: string;
  clients: readonly LocalClient[];
  /** Persist the signing key as a JWK under `<dataDir>/oauth/` so tokens survive restarts. */
  dataDir?: string;
  /** Access-token lifetime (default 3600 s, Cognito's default). */
  tokenLifetimeSeconds?: number;
  /** The clock (tests move it to produce expired tokens). */
  now?: () => Date;
  /** Rate and lockout limits of `POST /oauth2/token` (defaults: {@link DEFAULT_TOKEN_ENDPOINT_LIMITS}). */
  tokenEndpointLimits?: Partial<TokenEndpointLimits>;
}


/** Cognito access-token claims for a client-credentials token. */
export interface Claims {
  sub: string;
  client_id: string;
  /** Space-separated granted scopes. */
  scope: string;
  token_use: 'access';
  iss: string;
  exp: number;
  iat: number;
  auth_time: number;
  jti: string;
  version: 2;
}

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** RFC 6749 §5.2 error codes. */
export type TokenErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

export interface TokenErrorResponse {
  error: TokenErrorCode;
  error_description: string;
}

/** What the gateway writes back for `POST /oauth2/token`: always JSON, never cached. */
export interface TokenHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: TokenResponse | TokenErrorResponse;
}

/** The public half of the signing key, as served at `/.well-known/jwks.json`. */
export interface JsonWebKeySet {
  keys: JWK[];
}

/** Local dev secrets: readable on purpose, they only ever guard a loopback port. */
export const DEFAULT_LOCAL_CLIENTS: readonly LocalClient[] = [
  {
    clientId: 'epic-ehr',
    clientSecret: 'epic-ehr-local-secret',
    allowedScopes: [SCOPES.usageWrite, SCOPES.inventoryRead, SCOPES.transactionsRead],
  },
  { clientId: 'ops-console', clientSecret: 'ops-console-local-secret', allowedScopes: Object.values(SCOPES) },
  ...['medline', 'cardinal', 'owens', 'bd'].map((supplier) => ({
    clientId: `supplier-${supplier}`,
    clientSecret: `supplier-${supplier}-local-secret`,
    // A supplier reads its own POs and invoices only: InvoiceApi and PurchaseOrderQuery filter by the caller.
    allowedScopes: [SCOPES.ediWrite, SCOPES.poRead, SCOPES.invoiceRead],
  })),
  {
    clientId: 'saas-procurement',
    clientSecret: 'saas-procurement-local-secret',
    allowedScopes: [SCOPES.requisitionWrite, SCOPES.poRead, SCOPES.poReadAll, SCOPES.catalogRead],
  },
  {
    clientId: 'ap-clerk',
    clientSecret: 'ap-clerk-local-secret',
    allowedScopes: [
      SCOPES.invoiceRead,
      SCOPES.invoiceReadAll,
      SCOPES.invoiceResolve,
      SCOPES.requisitionApprove,
      SCOPES.poRead,
      SCOPES.poReadAll,
      SCOPES.transactionsRead,
    ],
  },
  {
    clientId: 'receiving-dock',
    clientSecret: 'receiving-dock-local-secret',
    allowedScopes: [SCOPES.receiptWrite, SCOPES.poRead, SCOPES.poReadAll],
  },
];

/** The default local clients with some secrets replaced (`{ 'epic-ehr': '…' }`). */
export const localClients = (secretOverrides: Readonly<Record<string, string>> = {}): LocalClient[] =>
  DEFAULT_LOCAL_CLIENTS.map((client) => ({
    ...client,
    clientSecret: secretOverrides[client.clientId] ?? client.clientSecret,
  }));

const KEY_FILE = 'signing-key.jwk.json';
const ALGORITHM = 'RS256';

interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

const PUBLIC_RSA_MEMBERS = ['kty', 'n', 'e'] as const;

const toPublicJwk = (jwk: JWK, kid: string): JWK => {
  const pub: JWK = { kid, alg: ALGORITHM, use: 'sig' };
  for (const member of PUBLIC_RSA_MEMBERS) {
    if (jwk[member] !== undefined) {
      pub[member] = jwk[member];
    }
  }
  return pub;
};

const loadOrCreateKeys = async (dataDir: string | undefined): Promise<SigningKeys> => {
  const dir = dataDir === undefined ? undefined : join(dataDir, 'oauth');
  const file = dir === undefined ? undefined : join(dir, KEY_FILE);
  if (file !== undefined) {
    let stored: string | undefined;
    try {
      stored = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw e;
      }
    }
    if (stored !== undefined) {
      const privateJwk = JSON.parse(stored) as JWK;
      const kid = privateJwk.kid ?? (await calculateJwkThumbprint(privateJwk));
      const publicJwk = toPublicJwk(privateJwk, kid);
      return {
        kid,
        privateKey: (await importJWK(privateJwk, ALGORITHM)) as CryptoKey,
        publicKey: (await importJWK(publicJwk, ALGORITHM)) as CryptoKey,
        publicJwk,
      };
    }
  }

  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(privateJwk);
  const publicJwk = toPublicJwk(privateJwk, kid);
  if (dir !== undefined && file !== undefined) {
    await mkdir(dir, { recursive: true });
    // Write-then-rename so a crash never leaves half a key that would fail every later start.
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify({ ...privateJwk, kid, alg: ALGORITHM, use: 'sig' }), { mode: 0o600 });
    await rename(temp, file);
  }
  return { kid, privateKey, publicKey, publicJwk };
};

// Compare digests so neither the length nor the content of the secret leaks through timing.
const secretsEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

const headerValue = (headers: IncomingHttpHeaders | Record<string, string | undefined>, name: string): string | undefined => {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) {
      return Array.isArray(value) ? value[0] : value;
    }
  }
  return undefined;
};

const NO_STORE = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' };

const tokenError = (status: number, error: TokenErrorCode, description: string): TokenHttpResponse => ({
  status,
  headers: error === 'invalid_client' ? { ...NO_STORE, 'WWW-Authenticate': 'Basic realm="hem"' } : { ...NO_STORE },
  body: { error, error_description: description },
});

const throttled = (verdict: Exclude<GuardVerdict, { allowed: true }>): TokenHttpResponse => ({
  status: 429,
  headers: { ...NO_STORE, 'Retry-After': String(verdict.retryAfterSeconds) },
  body:
    verdict.reason === 'locked'
      ? { error: 'invalid_client', error_description: 'too many failed client authentications; try again later' }
      : { error: 'invalid_request', error_description: 'too many token requests; slow down' },
});

/** The client id a token request claims (Basic or form), before anything is verified: the lockout key. */
const claimedClientId = (headers: IncomingHttpHeaders | Record<string, string | undefined>, body: string): string | undefined => {
  const authorization = headerValue(headers, 'authorization');
  if (authorization !== undefined) return parseBasic(authorization)?.clientId;
  return new URLSearchParams(body).get('client_id') ?? undefined;
};

const parseBasic = (authorization: string): { clientId: string; clientSecret: string } | undefined => {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization);
  if (match?.[1] === undefined) {
    return undefined;
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    return undefined;
  }
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    const formDecode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
};

const KNOWN_SCOPES: ReadonlySet<string> = new Set(Object.values(SCOPES));

/**
 * The local issuer. Construct it directly (keys load lazily on first use) or with
 * {@link LocalIssuer.create} to surface a broken key file at startup.
 */
export class LocalIssuer {
  readonly issuer: string;
  readonly tokenLifetimeSeconds: number;
  private readonly clients: ReadonlyMap<string, LocalClient>;
  private readonly now: () => Date;
  private readonly keysPromise: Promise<SigningKeys>;
  private readonly guard: TokenEndpointGuard;

  constructor(options: LocalIssuerOptions) {
    this.issuer = options.issuer;
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
    this.clients = new Map(options.clients.map((c) => [c.clientId, c]));
    this.now = options.now ?? ((): Date => new Date());
    this.guard = new TokenEndpointGuard(options.tokenEndpointLimits, () => this.now().getTime());
    this.keysPromise = loadOrCreateKeys(options.dataDir);
    // Keep an early key-loading failure from becoming an unhandled rejection; callers see it on use.
    this.keysPromise.catch(() => undefined);
  }

  /** Creates the issuer and waits until its signing key is loaded or generated (and persisted). */
  static async create(options: LocalIssuerOptions): Promise<LocalIssuer> {
    const issuer = new LocalIssuer(options);
    await issuer.keysPromise;
    return issuer;
  }

  /** The `kid` of the signing key (stable across restarts with the same dataDir). */
  async keyId(): Promise<string> {
    return (await this.keysPromise).kid;
  }

  /** The JWKS served at `/.well-known/jwks.json`: the public key only. */
  async jwks(): Promise<JsonWebKeySet> {
    return { keys: [{ ...(await this.keysPromise).publicJwk }] };
  }

  /**
   * Issues an access token for a known client without its secret (for `hem token` and `npm start`).
   * Without `scopes` the token carries every scope the client is allowed, as Cognito does.
   * @throws AuthenticationError for an unknown client; AuthorizationError for a scope it may not have.
   */
  async issueToken(clientId: string, scopes?: readonly string[]): Promise<string> {
    const client = this.clients.get(clientId);
    if (client === undefined) {
      throw new AuthenticationError(`unknown client ${clientId}`);
    }
    const granted = this.grantScopes(client, scopes);
    if (granted === undefined) {
      throw new AuthorizationError(`client ${clientId} may not request the scopes ${(scopes ?? []).join(' ')}`, {
        details: { allowedScopes: client.allowedScopes },
      });
    }
    return this.sign(client, granted);
  }

  /**
   * Handles `POST /oauth2/token` (client_credentials). Client authentication by HTTP Basic or by
   * `client_id`/`client_secret` in the form body (not both). Answers RFC 6749 §5.1/§5.2 JSON, or 429
   * with `Retry-After` when the caller's address exceeds its request rate or the address or client id
   * is locked out after repeated failed authentications ({@link TokenEndpointGuard}).
   */
  async handleTokenRequest(
    headers: IncomingHttpHeaders | Record<string, string | undefined>,
    body: string,
    remoteAddress = 'unknown',
  ): Promise<TokenHttpResponse> {
    const verdict = this.guard.admit(remoteAddress, claimedClientId(headers, body));
    if (!verdict.allowed) return throttled(verdict);
    const contentType = headerValue(headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/x-www-form-urlencoded') {
      return tokenError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(body);
    for (const [name] of form) {
      if (form.getAll(name).length > 1) {
        return tokenError(400, 'invalid_request', `parameter ${name} is repeated`);
      }
    }

    const authorization = headerValue(headers, 'authorization');
    const bodyClientId = form.get('client_id') ?? undefined;
    const bodySecret = form.get('client_secret') ?? undefined;
    let credentials: { clientId: string; clientSecret: string } | undefined;
    if (authorization !== undefined) {
      if (bodySecret !== undefined) {
        return tokenError(400, 'invalid_request', 'use one client authentication method, not Basic and client_secret');
      }
      credentials = parseBasic(authorization);
      if (credentials === undefined) {
        return tokenError(401, 'invalid_client', 'malformed Basic client authentication');
      }
      if (bodyClientId !== undefined && bodyClientId !== credentials.clientId) {
        return tokenError(400, 'invalid_request', 'client_id does not match the authenticated client');
      }
    } else if (bodyClientId !== undefined && bodySecret !== undefined) {
      credentials = { clientId: bodyClientId, clientSecret: bodySecret };
    } else {
      return tokenError(401, 'invalid_client', 'client authentication is required');
    }

    const client = this.clients.get(credentials.clientId);
    // Compare against a dummy secret for unknown clients so timing does not reveal which ids exist.
    const secretMatches = secretsEqual(credentials.clientSecret, client?.clientSecret ?? randomUUID());
    if (client === undefined || !secretMatches) {
      this.guard.recordFailure(remoteAddress, credentials.clientId);
      return tokenError(401, 'invalid_client', 'client authentication failed');
    }
    this.guard.recordSuccess(client.clientId);

    const grantType = form.get('grant_type');
    if (grantType === null || grantType === '') {
      return tokenError(400, 'invalid_request', 'grant_type is required');
    }
    if (grantType !== 'client_credentials') {
      return tokenError(400, 'unsupported_grant_type', 'only client_credentials is supported');
    }

    const scopeParam = form.get('scope');
    const requested = scopeParam === null ? undefined : scopeParam.split(' ').filter((s) => s !== '');
    const granted = this.grantScopes(client, requested);
    if (granted === undefined) {
      return tokenError(400, 'invalid_scope', 'the requested scope is invalid, unknown, or not allowed for this client');
    }

    return {
      status: 200,
      headers: { ...NO_STORE },
      body: { access_token: await this.sign(client, granted), token_type: 'Bearer', expires_in: this.tokenLifetimeSeconds },
    };
  }

  /**
   * Verifies an `Authorization: Bearer <jwt>` header like API Gateway's Cognito authorizer.
   * `requiredScopes` are alternatives: the token needs at least one (none required when empty).
   * @throws AuthenticationError when the token is missing, malformed, expired, badly signed or from another issuer.
   * @throws AuthorizationError when it carries none of the required scopes.
   */
  async verify(authorizationHeader: string | undefined, requiredScopes: readonly string[]): Promise<Claims> {
    if (authorizationHeader === undefined || authorizationHeader.trim() === '') {
      throw new AuthenticationError('missing bearer token');
    }
    const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i.exec(authorizationHeader);
    const token = match?.[1];
    if (token === undefined) {
      throw new AuthenticationError('malformed bearer token');
    }
    const keys = await this.keysPromise;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys.publicKey, {
        issuer: this.issuer,
        algorithms: [ALGORITHM],
        currentDate: this.now(),
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        // Bounded age: jose refuses an iat older than the token lifetime or later than now (issuer and
        // verifier share this clock, so no skew is allowed). With the lifetime check below, neither a
        // token minted ahead of time nor a long-lived one passes, whatever its exp says.
        maxTokenAge: this.tokenLifetimeSeconds,
      }));
    } catch (e) {
      throw new AuthenticationError(describeJoseFailure(e), { cause: e });
    }
    if (typeof payload.exp === 'number' && typeof payload.iat === 'number' && payload.exp - payload.iat > this.tokenLifetimeSeconds) {
      throw new AuthenticationError('token lifetime exceeds the issuer\'s');
    }
    if (payload.token_use !== 'access') {
      throw new AuthenticationError('not an access token');
    }
    if (typeof payload.client_id !== 'string' || typeof payload.scope !== 'string') {
      throw new AuthenticationError('token lacks client_id or scope');
    }
    const claims = payload as unknown as Claims;
    if (requiredScopes.length > 0) {
      const held = new Set(claims.scope.split(' '));
      if (!requiredScopes.some((s) => held.has(s))) {
        throw new AuthorizationError('the token has none of the scopes this route requires', {
          details: { requiredScopes },
        });
      }
    }
    return claims;
  }

  /** Undefined when a requested scope is unknown or not allowed; the client's scopes when none requested. */
  private grantScopes(client: LocalClient, requested: readonly string[] | undefined): string[] | undefined {
    if (requested === undefined || requested.length === 0) {
      return [...client.allowedScopes];
    }
    const allowed = new Set<string>(client.allowedScopes);
    if (!requested.every((s) => KNOWN_SCOPES.has(s) && allowed.has(s))) {
      return undefined;
    }
    return [...new Set(requested)];
  }

  private async sign(client: LocalClient, scopes: readonly string[]): Promise<string> {
    const keys = await this.keysPromise;
    const iat = Math.floor(this.now().getTime() / 1000);
    return new SignJWT({
      client_id: client.clientId,
      scope: scopes.join(' '),
      token_use: 'access',
      auth_time: iat,
      version: 2,
    })
      .setProtectedHeader({ alg: ALGORITHM, kid: keys.kid })
      .setSubject(client.clientId)
      .setIssuer(this.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.tokenLifetimeSeconds)
      .setJti(randomUUID())
      .sign(keys.privateKey);
  }
}

const describeJoseFailure = (e: unknown): string => {
  if (e instanceof errors.JWTExpired) return e.claim === 'iat' ? 'token too old' : 'token expired';
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'token signature invalid';
  if (e instanceof errors.JWTClaimValidationFailed) {
    return e.claim === 'iss' ? 'token from another issuer' : `token claim ${e.claim} invalid`;
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return 'token algorithm not allowed';
  return 'malformed token';
};

/**
 * The local HTTP gateway: the stand-in for API Gateway REST + the Cognito authorizer + AWS_IAM auth.
 * It routes by method and path template from `contracts/routes.ts`, enforces the body limit, the
 * route's auth (JWT scopes or SigV4) and content types, then hands the handler a real REST API proxy
 * event (`APIGatewayProxyEvent`) and maps its result back. It also serves the local issuer's
 * `/oauth2/token` and `/.well-known/jwks.json`, and `/health`.
 *
 * Every error it produces itself is `application/problem+json` with an `X-Correlation-Id`.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type {
  APIGatewayEventIdentity,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
} from 'aws-lambda';
import type { FunctionId } from '../contracts/functions';
import type { RouteDefinition } from '../contracts/routes';
import { AuthenticationError, AuthorizationError } from '../functions/domain/errors';
import type { Problem } from '../functions/handlers/shared/http';
import type { Claims, LocalIssuer } from './oauth';
import { LOCAL_SIGV4_SCOPE, verifySigV4 } from './sigv4';
import type { SigV4Credentials, SigV4Identity } from './sigv4';

/** What `/health` reports; `ready` decides 200 or 503, the rest is echoed. */
export interface HealthStatus {
  ready: boolean;
  [key: string]: unknown;
}

/** One access-log line: no bodies, no query strings, no raw paths (route templates only). */
export interface AccessLogEntry {
  timestamp: string;
  requestId: string;
  correlationId: string;
  method: string;
  /** The route template (`/v1/inventory/{locationId}/{itemId}`), a built-in path, or null when unmatched. */
  route: string | null;
  status: number;
  durationMs: number;
  /** The OAuth2 client or SigV4 access key that made the call, when authenticated. */
  principal?: string;
}

export interface GatewayOptions {
  routes: readonly RouteDefinition[];
  invoke: (functionId: FunctionId, event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  /** Read on every request, so it may be a getter filled in after `listen` (the issuer URL needs the port). */
  issuer: LocalIssuer;
  opsCredentials: SigV4Credentials;
  health: () => HealthStatus | Promise<HealthStatus>;
  /** Receives one entry per request when given (the runtime writes them to stderr as JSON). */
  logger?: (entry: AccessLogEntry) => void;
  /** `requestContext.stage` (default `local`). */
  stage?: string;
  /** SigV4 credential scope expected on ops routes (default region `local`, service `execute-api`). */
  sigV4Scope?: { region: string; service: string; maxSkewSeconds?: number };
  /** Request body limit in bytes (default 6 MB: the Lambda synchronous invocation payload limit). */
  maxBodyBytes?: number;
  /** How long a client may take to send its headers (default {@link GATEWAY_HEADERS_TIMEOUT_MS}). */
  headersTimeoutMs?: number;
  /** How long a client may take to send its whole request (default {@link GATEWAY_REQUEST_TIMEOUT_MS}). */
  requestTimeoutMs?: number;
}

/** How long a client may take to send its request headers. */
export const GATEWAY_HEADERS_TIMEOUT_MS = 10_000;
/** How long a client may take to send its whole request. */
export const GATEWAY_REQUEST_TIMEOUT_MS = 30_000;

/** 6 MB, what a Lambda proxy integration accepts. */
export const DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024;

const LOCAL_ACCOUNT_ID = '000000000000';
const LOCAL_API_ID = 'hemlocal';
const CORRELATION_HEADER = 'X-Correlation-Id';
const SANE_CORRELATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

const PROBLEM_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

const PROBLEM_TYPES: Readonly<Record<number, string>> = {
  400: 'urn:hem:problem:bad-request',
  401: 'urn:hem:problem:unauthenticated',
  403: 'urn:hem:problem:forbidden',
  404: 'urn:hem:problem:not-found',
  405: 'urn:hem:problem:method-not-allowed',
  413: 'urn:hem:problem:payload-too-large',
  415: 'urn:hem:problem:unsupported-media-type',
  500: 'urn:hem:problem:internal-error',
  502: 'urn:hem:problem:bad-gateway',
  503: 'urn:hem:problem:unavailable',
};

/** The gateway writes its own errors in the handlers' RFC 9457 problem body (never with a `location`). */
export type { Problem };

interface CompiledRoute {
  definition: RouteDefinition;
  segments: readonly string[];
}

interface RouteMatch {
  route: CompiledRoute;
  pathParameters: Record<string, string>;
}

const splitPath = (path: string): string[] => path.split('/').filter((s) => s !== '');

const isParam = (segment: string): boolean => segment.startsWith('{') && segment.endsWith('}');

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const compileRoutes = (routes: readonly RouteDefinition[]): CompiledRoute[] =>
  routes
    .map((definition) => ({ definition, segments: splitPath(definition.path) }))
    // Literal segments beat `{param}` at the same position, as in API Gateway.
    .sort((a, b) => {
      const n = Math.min(a.segments.length, b.segments.length);
      for (let i = 0; i < n; i += 1) {
        const pa = isParam(a.segments[i] as string);
        const pb = isParam(b.segments[i] as string);
        if (pa !== pb) return pa ? 1 : -1;
      }
      return 0;
    });

/** All routes whose template matches the path, most specific first, whatever their method. */
const matchPath = (compiled: readonly CompiledRoute[], pathname: string): RouteMatch[] => {
  const segments = splitPath(pathname);
  const matches: RouteMatch[] = [];
  for (const route of compiled) {
    if (route.segments.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i += 1) {
      const template = route.segments[i] as string;
      const actual = segments[i] as string;
      if (isParam(template)) {
        pathParameters[template.slice(1, -1)] = safeDecode(actual);
      } else {
        ok = template === actual;
      }
    }
    if (ok) matches.push({ route, pathParameters });
  }
  return matches;
};

/** Header name → values, keeping the client's first-seen casing like API Gateway does. */
const collectHeaders = (rawHeaders: readonly string[]): Map<string, { name: string; values: string[] }> => {
  const headers = new Map<string, { name: string; values: string[] }>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    const key = name.toLowerCase();
    const entry = headers.get(key);
    if (entry === undefined) {
      headers.set(key, { name, values: [value] });
    } else {
      entry.values.push(value);
    }
  }
  return headers;
};

const mediaType = (contentType: string | undefined): string | undefined =>
  contentType?.split(';')[0]?.trim().toLowerCase() || undefined;

const normaliseIp = (address: string | undefined): string => {
  if (address === undefined) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** API Gateway's `requestTime`: `09/Apr/2015:12:34:56 +0000`. */
const requestTime = (d: Date): string =>
  `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;

/** How the Cognito authorizer renders `exp`/`iat` in claims: Java's `Date.toString()` in UTC. */
const cognitoDate = (epochSeconds: number): string => {
  const d = new Date(epochSeconds * 1000);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
};

/**
 * The claims object of a REST API Cognito authorizer: every value a string, `exp` and `iat` as dates,
 * `auth_time` as epoch seconds.
 */
export const toAuthorizerClaims = (claims: Claims): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined || value === null) continue;
    if ((name === 'exp' || name === 'iat') && typeof value === 'number') {
      out[name] = cognitoDate(value);
    } else {
      out[name] = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
  }
  return out;
};

class PayloadTooLarge extends Error {}

/** Reads the whole body; past the limit it keeps draining (so the client sees the 413) but stops buffering. */
const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => (tooLarge ? reject(new PayloadTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });

const isProxyResult = (value: unknown): value is APIGatewayProxyResult =>
  typeof value === 'object' &&
  value !== null &&
  Number.isInteger((value as { statusCode?: unknown }).statusCode) &&
  (value as { statusCode: number }).statusCode >= 100 &&
  (value as { statusCode: number }).statusCode <= 599 &&
  ((value as { body?: unknown }).body === undefined || typeof (value as { body?: unknown }).body === 'string');

interface RequestState {
  requestId: string;
  correlationId: string;
  /** The caller's own X-Correlation-Id when sane: passed on to the handler, never the transaction id. */
  clientCorrelationId?: string;
  startedAt: number;
  route: string | null;
  principal?: string;
}

/**
 * Creates (does not start) the gateway server. Call `listen(port, '127.0.0.1')` on it; port 0 picks a
 * free port.
 */
export const createGateway = (options: GatewayOptions): Server => {
  const compiled = compileRoutes(options.routes);
  const stage = options.stage ?? 'local';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const sigV4 = {
    region: options.sigV4Scope?.region ?? LOCAL_SIGV4_SCOPE.region,
    service: options.sigV4Scope?.service ?? LOCAL_SIGV4_SCOPE.service,
    maxSkewSeconds: options.sigV4Scope?.maxSkewSeconds ?? 300,
  };

  const finish = (
    res: ServerResponse,
    state: RequestState,
    status: number,
    headers: Record<string, string | string[]>,
    body: string | Buffer,
  ): void => {
    const hasCorrelation = Object.keys(headers).some((h) => h.toLowerCase() === CORRELATION_HEADER.toLowerCase());
    res.writeHead(status, {
      ...headers,
      ...(hasCorrelation ? {} : { [CORRELATION_HEADER]: state.correlationId }),
      'x-amzn-RequestId': state.requestId,
      'Content-Length': String(Buffer.byteLength(body)),
    });
    res.end(body);
    if (options.logger !== undefined) {
      options.logger({
        timestamp: new Date().toISOString(),
        requestId: state.requestId,
        correlationId: state.correlationId,
        method: res.req.method ?? 'UNKNOWN',
        route: state.route,
        status,
        durationMs: Math.round((performance.now() - state.startedAt) * 10) / 10,
        ...(state.principal === undefined ? {} : { principal: state.principal }),
      });
    }
  };

  const problem = (
    res: ServerResponse,
    state: RequestState,
    status: number,
    detail: string,
    headers: Record<string, string> = {},
  ): void => {
    const body: Problem = {
      type: PROBLEM_TYPES[status] ?? 'about:blank',
      title: PROBLEM_TITLES[status] ?? 'Error',
      status,
      detail,
      correlationId: state.correlationId,
    };
    finish(res, state, status, { ...headers, 'Content-Type': 'application/problem+json' }, JSON.stringify(body));
  };

  const json = (res: ServerResponse, state: RequestState, status: number, body: unknown, headers: Record<string, string> = {}): void =>
    finish(res, state, status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(body));

  const handle = async (req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://gateway.local');
    const pathname = url.pathname.length > 1 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;

    // The body is read only once the caller may send one: after the route matched and its bearer
    // token verified (SigV4 signs the body, so ops routes read it first), so an unauthenticated
    // caller cannot make the gateway buffer up to the body limit.
    const readBodyOr413 = async (): Promise<Buffer | undefined> => {
      try {
        return await readBody(req, maxBodyBytes);
      } catch (e) {
        if (e instanceof PayloadTooLarge) {
          problem(res, state, 413, `The request body exceeds ${maxBodyBytes} bytes.`);
          return undefined;
        }
        throw e;
      }
    };
    let body: Buffer;

    // Built-in endpoints of the local issuer and the runtime.
    if (pathname === '/oauth2/token' || pathname === '/.well-known/jwks.json' || pathname === '/health') {
      state.route = pathname;
      const allowed = pathname === '/oauth2/token' ? 'POST' : 'GET';
      if (method !== allowed) {
        problem(res, state, 405, `${pathname} accepts ${allowed} only.`, { Allow: allowed });
        return;
      }
      if (pathname === '/oauth2/token') {
        const tokenBody = await readBodyOr413();
        if (tokenBody === undefined) return;
        const answer = await options.issuer.handleTokenRequest(req.headers, tokenBody.toString('utf8'), req.socket.remoteAddress ?? 'unknown');
        json(res, state, answer.status, answer.body, answer.headers);
      } else if (pathname === '/.well-known/jwks.json') {
        json(res, state, 200, await options.issuer.jwks(), { 'Cache-Control': 'public, max-age=300' });
      } else {
        const health = await options.health();
        json(res, state, health.ready ? 200 : 503, { status: health.ready ? 'ok' : 'starting', ...health }, {
          'Cache-Control': 'no-store',
        });
      }
      return;
    }

    const matches = matchPath(compiled, pathname);
    if (matches.length === 0) {
      problem(res, state, 404, 'No route matches this path.');
      return;
    }
    const match = matches.find((m) => m.route.definition.method === method);
    if (match === undefined) {
      const allow = [...new Set(matches.map((m) => m.route.definition.method))].join(', ');
      problem(res, state, 405, `This resource accepts ${allow}.`, { Allow: allow });
      return;
    }
    const route = match.route.definition;
    state.route = route.path;

    const rawHeaders = collectHeaders(req.rawHeaders);
    const headerValue = (name: string): string | undefined => rawHeaders.get(name)?.values.at(-1);

    let authorizer: APIGatewayProxyEvent['requestContext']['authorizer'] = null;
    let iamIdentity: SigV4Identity | undefined;
    try {
      if (route.auth === 'jwt') {
        const claims = await options.issuer.verify(headerValue('authorization'), route.scopes ?? []);
        state.principal = claims.client_id;
        authorizer = { claims: toAuthorizerClaims(claims) };
        const read = await readBodyOr413();
        if (read === undefined) return;
        body = read;
      } else {
        const read = await readBodyOr413();
        if (read === undefined) return;
        body = read;
        iamIdentity = await verifySigV4(
          { method, url: req.url ?? '/', headers: req.headers, body },
          options.opsCredentials,
          sigV4,
        );
        state.principal = iamIdentity.accessKeyId;
      }
    } catch (e) {
      if (e instanceof AuthorizationError) {
        const scopes = (route.scopes ?? []).join(' ');
        problem(res, state, 403, `The access token lacks a required scope (one of: ${scopes}).`, {
          'WWW-Authenticate': `Bearer realm="hem", error="insufficient_scope", scope="${scopes}"`,
        });
        return;
      }
      if (e instanceof AuthenticationError && route.auth === 'iam') {
        // API Gateway answers every IAM authorization failure (unsigned, bad or expired signature) with 403.
        problem(res, state, 403, `Authentication failed: ${e.message}.`, { 'WWW-Authenticate': 'AWS4-HMAC-SHA256' });
        return;
      }
      if (e instanceof AuthenticationError) {
        const challenge =
          headerValue('authorization') === undefined
            ? 'Bearer realm="hem"'
            : `Bearer realm="hem", error="invalid_token", error_description="${e.message}"`;
        problem(res, state, 401, `Authentication failed: ${e.message}.`, { 'WWW-Authenticate': challenge });
        return;
      }
      throw e;
    }

    if (route.contentTypes !== undefined) {
      const type = mediaType(headerValue('content-type'));
      if ((body.length > 0 || type !== undefined) && (type === undefined || !route.contentTypes.includes(type))) {
        problem(res, state, 415, `Content-Type must be one of: ${route.contentTypes.join(', ')}.`);
        return;
      }
    }

    // Headers as API Gateway passes them: client casing, last value wins in `headers`.
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (const [key, entry] of rawHeaders) {
      if (key === CORRELATION_HEADER.toLowerCase()) continue;
      headers[entry.name] = entry.values.at(-1) as string;
      multiValueHeaders[entry.name] = [...entry.values];
    }
    // The caller's own id (sane values only) as API Gateway would pass it; the transaction id is requestId.
    if (state.clientCorrelationId !== undefined) {
      headers[CORRELATION_HEADER] = state.clientCorrelationId;
      multiValueHeaders[CORRELATION_HEADER] = [state.clientCorrelationId];
    }

    const queryKeys = [...new Set(url.searchParams.keys())];
    const queryStringParameters: Record<string, string> = {};
    const multiValueQueryStringParameters: Record<string, string[]> = {};
    for (const key of queryKeys) {
      const values = url.searchParams.getAll(key);
      queryStringParameters[key] = values.at(-1) as string;
      multiValueQueryStringParameters[key] = values;
    }

    const now = new Date();
    const sourceIp = normaliseIp(req.socket.remoteAddress);
    const identity: APIGatewayEventIdentity = {
      accessKey: iamIdentity?.accessKeyId ?? null,
      accountId: iamIdentity === undefined ? null : LOCAL_ACCOUNT_ID,
      apiKey: null,
      apiKeyId: null,
      caller: iamIdentity?.accessKeyId ?? null,
      clientCert: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp,
      user: iamIdentity?.accessKeyId ?? null,
      userAgent: headerValue('user-agent') ?? null,
      userArn: iamIdentity === undefined ? null : `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/${iamIdentity.accessKeyId}`,
    };
    const hasPathParameters = Object.keys(match.pathParameters).length > 0;
    const event: APIGatewayProxyEvent = {
      resource: route.path,
      path: pathname,
      httpMethod: method,
      headers,
      multiValueHeaders,
      queryStringParameters: queryKeys.length > 0 ? queryStringParameters : null,
      multiValueQueryStringParameters: queryKeys.length > 0 ? multiValueQueryStringParameters : null,
      pathParameters: hasPathParameters ? match.pathParameters : null,
      stageVariables: null,
      body: body.length > 0 ? body.toString('utf8') : null,
      isBase64Encoded: false,
      requestContext: {
        accountId: LOCAL_ACCOUNT_ID,
        apiId: LOCAL_API_ID,
        authorizer,
        domainName: headerValue('host') ?? '127.0.0.1',
        domainPrefix: (headerValue('host') ?? '127').split('.')[0],
        extendedRequestId: state.requestId,
        protocol: `HTTP/${req.httpVersion}`,
        httpMethod: method,
        identity,
        path: `/${stage}${pathname}`,
        stage,
        requestId: state.requestId,
        requestTime: requestTime(now),
        requestTimeEpoch: now.getTime(),
        resourceId: route.functionId,
        resourcePath: route.path,
      },
    };

    let result: unknown;
    try {
      result = await options.invoke(route.functionId, event);
    } catch {
      // The handler's error stays in the runtime's own log; the caller only learns it failed.
      problem(res, state, 500, 'The request could not be processed. Quote the correlation id when reporting it.');
      return;
    }
    if (!isProxyResult(result)) {
      problem(res, state, 502, 'The integration returned a malformed response.');
      return;
    }
    const responseHeaders: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) {
      responseHeaders[name] = String(value);
    }
    for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
      responseHeaders[name] = values.map(String);
    }
    const responseBody = result.isBase64Encoded === true ? Buffer.from(result.body, 'base64') : (result.body ?? '');
    finish(res, state, result.statusCode, responseHeaders, responseBody);
  };

  // Slow-client limits (a slowloris holds sockets by trickling headers or a body): headers within
  // 10 s, the whole request within 30 s, checked every second (Node's default check runs every 30 s).
  const headersTimeout = options.headersTimeoutMs ?? GATEWAY_HEADERS_TIMEOUT_MS;
  const requestTimeout = Math.max(options.requestTimeoutMs ?? GATEWAY_REQUEST_TIMEOUT_MS, headersTimeout);
  const server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1_000, headersTimeout) }, (req, res) => {
    // The transaction id is always HEM's: the request id, which handlers take from requestContext.
    // The caller's X-Correlation-Id is only kept (sane values) as its clientCorrelationId.
    const incoming = req.headers[CORRELATION_HEADER.toLowerCase()];
    const given = Array.isArray(incoming) ? incoming[0] : incoming;
    const requestId = randomUUID();
    const state: RequestState = {
      requestId,
      correlationId: requestId,
      ...(given !== undefined && SANE_CORRELATION_ID.test(given) ? { clientCorrelationId: given } : {}),
      startedAt: performance.now(),
      route: null,
    };
    void handle(req, res, state).catch(() => {
      try {
        if (res.headersSent) {
          res.destroy();
        } else {
          problem(res, state, 500, 'The request could not be processed. Quote the correlation id when reporting it.');
        }
      } catch {
        // E.g. a handler returned a header node:http refuses: nothing sane is left to send.
        res.destroy();
      }
    });
  });
  return server;
};

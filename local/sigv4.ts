/**
 * AWS Signature Version 4 for the ops routes (`/v1/ops/*`, API Gateway `AWS_IAM` auth): signing for
 * the `hem` CLI (works against a deployed stack with real credentials too) and verification for the
 * local gateway, which recomputes the signature over the headers the caller signed and compares it
 * in constant time, like API Gateway does before it lets a request through.
 */
import { timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { AuthenticationError } from '../functions/domain/errors';

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Local ops credentials: fixed and readable, they only guard a loopback port. */
export const LOCAL_OPS_CREDENTIALS: Readonly<SigV4Credentials> = {
  accessKeyId: 'HEMLOCALOPS',
  secretAccessKey: 'hem-local-ops-secret-access-key',
};

/** The credential scope the local gateway expects: region `local`, service `execute-api`. */
export const LOCAL_SIGV4_SCOPE = { region: 'local', service: 'execute-api' } as const;

export interface SignableRequest {
  method: string;
  /** Absolute URL (signing) or absolute / origin-relative URL (verification, e.g. node's `req.url`). */
  url: string | URL;
  headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  body?: string | Uint8Array;
}

export interface SignOptions {
  region: string;
  service: string;
  /** Defaults to now; tests pass a past date to produce an expired signature. */
  signingDate?: Date;
}

export interface VerifyOptions {
  region: string;
  service: string;
  /** How far `X-Amz-Date` may be from now (API Gateway: 5 minutes). */
  maxSkewSeconds: number;
  now?: () => Date;
}

/** Who signed the request, for `requestContext.identity`. */
export interface SigV4Identity {
  accessKeyId: string;
}

const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

type SmithyRequest = Parameters<SignatureV4['sign']>[0] & {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: string | Uint8Array;
};

const queryOf = (url: URL): Record<string, string | string[]> => {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return query;
};

const flattenHeaders = (
  headers: Readonly<Record<string, string | readonly string[] | undefined>> | undefined,
): Record<string, string> => {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = typeof value === 'string' ? value : value.join(',');
  }
  return flat;
};

const toSmithyRequest = (
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
): SmithyRequest => ({
  method: method.toUpperCase(),
  protocol: url.protocol,
  hostname: url.hostname,
  ...(url.port === '' ? {} : { port: Number(url.port) }),
  path: url.pathname,
  query: queryOf(url),
  headers,
  ...(body === undefined || body.length === 0 ? {} : { body }),
});

const sha256Hex = async (body: string | Uint8Array | undefined): Promise<string> => {
  if (body === undefined || body.length === 0) {
    return EMPTY_BODY_SHA256;
  }
  const hash = new Sha256();
  hash.update(body);
  return Buffer.from(await hash.digest()).toString('hex');
};

/**
 * Signs a request and returns the headers to send with it: the caller's headers plus `authorization`,
 * `x-amz-date` and `x-amz-content-sha256` (and `x-amz-security-token` for temporary credentials).
 * `host` is signed as `url.host` but not returned: fetch and node:http set that exact value themselves.
 */
export const signRequest = async (
  request: SignableRequest,
  credentials: SigV4Credentials,
  options: SignOptions,
): Promise<Record<string, string>> => {
  const url = new URL(request.url);
  const headers = { ...flattenHeaders(request.headers), host: url.host };
  const signer = new SignatureV4({ credentials, region: options.region, service: options.service, sha256: Sha256 });
  const signed = (await signer.sign(toSmithyRequest(request.method, url, headers, request.body), {
    signingDate: options.signingDate ?? new Date(),
  })) as SmithyRequest;
  const toSend = { ...signed.headers };
  delete toSend.host;
  return toSend;
};

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

const parseAuthorization = (authorization: string): ParsedAuthorization => {
  const match = /^AWS4-HMAC-SHA256\s+(.+)$/.exec(authorization.trim());
  if (match?.[1] === undefined) {
    throw new AuthenticationError('Authorization is not an AWS4-HMAC-SHA256 signature');
  }
  const parts = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = parts.get('Credential')?.split('/');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (credential?.length !== 5 || signedHeaders === undefined || signature === undefined) {
    throw new AuthenticationError('Authorization lacks Credential, SignedHeaders or Signature');
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    throw new AuthenticationError('malformed signature');
  }
  const [accessKeyId, date, region, service, terminator] = credential as [string, string, string, string, string];
  return {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
    signature,
  };
};

/** `20240102T030405Z` → Date, or undefined when malformed. */
const parseAmzDate = (value: string): Date | undefined => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
};

const signaturesEqual = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * Verifies a SigV4-signed request against one set of credentials and the expected credential scope.
 * @throws AuthenticationError when the signature is missing, malformed, for another key/region/service,
 * outside the allowed clock skew, over a different body, or simply wrong.
 */
export const verifySigV4 = async (
  request: SignableRequest,
  credentials: SigV4Credentials,
  options: VerifyOptions,
): Promise<SigV4Identity> => {
  const headers = flattenHeaders(request.headers);
  const authorization = headers.authorization;
  if (authorization === undefined || authorization === '') {
    throw new AuthenticationError('missing SigV4 Authorization header');
  }
  const auth = parseAuthorization(authorization);
  if (auth.accessKeyId !== credentials.accessKeyId) {
    throw new AuthenticationError('unknown access key');
  }
  if (auth.region !== options.region || auth.service !== options.service || auth.terminator !== 'aws4_request') {
    throw new AuthenticationError(
      `credential scope must be <date>/${options.region}/${options.service}/aws4_request`,
    );
  }
  for (const required of ['host', 'x-amz-date']) {
    if (!auth.signedHeaders.includes(required)) {
      throw new AuthenticationError(`the ${required} header must be signed`);
    }
  }
  const amzDate = headers['x-amz-date'];
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (signingDate === undefined || amzDate?.slice(0, 8) !== auth.date) {
    throw new AuthenticationError('X-Amz-Date is missing, malformed, or does not match the credential date');
  }
  const now = (options.now ?? ((): Date => new Date()))();
  if (Math.abs(now.getTime() - signingDate.getTime()) > options.maxSkewSeconds * 1000) {
    throw new AuthenticationError('signature expired: X-Amz-Date is outside the allowed clock skew');
  }

  const signedSubset: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = headers[name];
    if (value === undefined) {
      throw new AuthenticationError(`signed header ${name} is missing`);
    }
    signedSubset[name] = value;
  }
  // The signer trusts a given x-amz-content-sha256 as the payload hash, so check it against the body.
  const claimedHash = headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== (await sha256Hex(request.body))) {
    throw new AuthenticationError('x-amz-content-sha256 does not match the body');
  }

  const url = new URL(request.url, `http://${headers.host ?? 'localhost'}`);
  const signer = new SignatureV4({
    credentials,
    region: options.region,
    service: options.service,
    sha256: Sha256,
    // Only add the checksum header when the caller signed it, or the canonical headers would differ.
    applyChecksum: auth.signedHeaders.includes('x-amz-content-sha256'),
  });
  const recomputed = (await signer.sign(toSmithyRequest(request.method, url, signedSubset, request.body), {
    signingDate,
    signableHeaders: new Set(auth.signedHeaders),
  })) as SmithyRequest;
  const expected = /Signature=([0-9a-f]{64})/.exec(recomputed.headers.authorization ?? '')?.[1] ?? '';
  if (!signaturesEqual(expected, auth.signature)) {
    throw new AuthenticationError('signature does not match');
  }
  return { accessKeyId: auth.accessKeyId };
};

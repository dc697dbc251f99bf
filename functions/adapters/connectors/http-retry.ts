/**
 * The retry loop the ERP and supplier-network clients share (the finance client's pattern): one
 * request per attempt with a per-attempt timeout; 408, 429, 5xx, network errors and timeouts are
 * retried with full-jitter exponential backoff (`Retry-After` honoured up to a cap) and then become
 * `UpstreamUnavailableError`; any other status is handed back to the caller, which decides between
 * success and `UpstreamRejectedError`. Retrying is safe because every request carries an
 * `Idempotency-Key` the system deduplicates on.
 */
import { UpstreamUnavailableError } from '../../domain/errors';
import { isTimeout, parseRetryAfter } from './finance-client';

/** Retry and timeout settings of a connector client. */
export interface HttpRetryOptions {
  /** Per attempt. @default 5000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Attempts per call, the first included. @default 3 */
  maxAttempts?: number;
  /** Backoff base: retry n waits a random time in [0, base × 2^n] (capped by `maxDelayMs`). @default 200 */
  baseDelayMs?: number;
  /** Cap of any wait between attempts, `Retry-After` included. @default 2000 */
  maxDelayMs?: number;
}

/** An answer the retry loop does not retry: a 2xx or a 4xx other than 408/429. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Sends `init` to `url` until it gets an answer that is not retryable.
 *
 * @param system the system's name in errors (`ERP`, `supplier network`).
 * @throws UpstreamUnavailableError after the last retryable failure (its details name the reason and status).
 */
export const requestWithRetries = async (url: string, init: RequestInit, system: string, options: HttpRetryOptions = {}): Promise<HttpAnswer> => {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const doFetch = options.fetch ?? globalThis.fetch;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const baseDelayMs = options.baseDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 2_000;
  let last: { reason: string; status?: number; retryAfterMs?: number; cause?: unknown } | undefined;
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    if (last !== undefined) {
      const backoff = Math.floor(Math.random() * baseDelayMs * 2 ** attempt);
      await sleep(Math.min(maxDelayMs, last.retryAfterMs ?? backoff));
    }
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      text = await response.text();
    } catch (error) {
      last = { reason: isTimeout(error) ? `timeout after ${timeoutMs} ms` : 'network error', cause: error };
      continue;
    }
    const status = response.status;
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      last = { reason: `HTTP ${status}`, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      continue;
    }
    return { status, headers: response.headers, text };
  }
  throw new UpstreamUnavailableError(`${system} unavailable after ${maxAttempts} attempts (${last?.reason ?? 'unknown'})`, {
    cause: last?.cause,
    details: { attempts: maxAttempts, reason: last?.reason, ...(last?.status === undefined ? {} : { status: last.status }) },
  });
};

/**
 * `FinanceLedger` over the finance system's REST API (GL journal lines and AP vouchers), with real HTTP.
 *
 * Wire format (the local simulator at `local/simulators/finance.ts` speaks the same):
 *
 * ```
 * POST {baseUrl}/gl/journal-lines
 * Content-Type: application/json
 * Idempotency-Key: <line.idempotencyKey>     same key → same journal, never a second posting
 * X-Correlation-Id: <line.correlationId>
 *
 * { "idempotencyKey", "correlationId", "costCenter", "glAccount", "facilityId", "itemId",
 *   "quantity", "unitCost", "amount", "currency", "postingDate" }        (a FinanceJournalLine)
 *
 * → 201 { "journalId": "JE-…", "status": "POSTED" }    first posting
 * → 200 { "journalId": "JE-…", "status": "POSTED" }    replay of an Idempotency-Key: the same journalId
 * → 4xx application/problem+json                       refused (e.g. closed period, unknown cost center)
 * → 408 / 429 / 5xx (optionally with Retry-After)      try again later
 *
 * GET {baseUrl}/gl/journal-lines → 200 [ { journalId, status, ...line } ]   (reconciliation)
 *
 * POST {baseUrl}/ap/vouchers
 * Idempotency-Key: <voucher.voucherId>       same voucher → same journal, never a second posting
 * X-Correlation-Id: <voucher.correlationId>
 *
 * { "voucherId", "invoiceNumber", "supplierId", "poNumber", "facilityId", "invoiceDate", "postingDate",
 *   "currency", "totalAmount", "lines": [{ "lineNumber", "kind", "costCenter", "glAccount", "amount" }],
 *   "correlationId" }                                                 (an ApVoucher)
 *
 * → 201 / 200 { "journalId": "APJ-…", "status": "POSTED" }   as for journal lines
 * → 422 problem                                              the lines do not add up to totalAmount
 * ```
 *
 * Failures: 408, 429, 5xx, network errors and timeouts are retried inside the call (jittered
 * exponential backoff, `Retry-After` honoured up to a cap) and then become
 * `UpstreamUnavailableError` (retryable: the queue redelivers, the DLQ catches what never
 * succeeds). Any other 4xx is `UpstreamRejectedError` at once. Retrying is safe because the
 * ledger deduplicates on `Idempotency-Key`. A 2xx without a `journalId` is treated as retryable:
 * re-posting with the same key returns the journal if it exists.
 */
import type { ApVoucher } from '../../../contracts/procurement';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../domain/errors';
import type { FinanceJournalLine, FinanceLedger } from '../../domain/ports';

export interface HttpFinanceLedgerOptions {
  /** e.g. `https://finance.example.org/api` or `http://127.0.0.1:4021` (no trailing path needed). */
  baseUrl: string;
  /** Per attempt. @default 5000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Attempts per posting, the first included. @default 3 */
  maxAttempts?: number;
  /** Backoff base: retry n waits a random time in [0, base × 2^n] (capped by `maxDelayMs`). @default 200 */
  baseDelayMs?: number;
  /** Cap of any wait between attempts, `Retry-After` included. @default 2000 */
  maxDelayMs?: number;
}

type AttemptResult =
  | { kind: 'posted'; journalId: string }
  | { kind: 'retryable'; reason: string; status?: number; retryAfterMs?: number; cause?: unknown }
  | { kind: 'rejected'; status: number; upstreamCode?: string };

/** One posting: where it goes, its idempotency key and correlation id, and the JSON body. */
interface Posting {
  url: string;
  /** What the ledger calls it in errors ("journal line", "AP voucher"). */
  what: string;
  idempotencyKey: string;
  correlationId: string;
  body: unknown;
}

/** Posts cost journal lines and AP vouchers to the finance ledger over HTTP. */
export class HttpFinanceLedger implements FinanceLedger {
  readonly #url: string;
  readonly #voucherUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;

  constructor(options: HttpFinanceLedgerOptions) {
    const baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#url = `${baseUrl}/gl/journal-lines`;
    this.#voucherUrl = `${baseUrl}/ap/vouchers`;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.#baseDelayMs = options.baseDelayMs ?? 200;
    this.#maxDelayMs = options.maxDelayMs ?? 2_000;
  }

  async postJournalLine(line: FinanceJournalLine): Promise<{ journalId: string }> {
    return this.#post({ url: this.#url, what: 'journal line', idempotencyKey: line.idempotencyKey, correlationId: line.correlationId, body: line });
  }

  async postApVoucher(voucher: ApVoucher): Promise<{ journalId: string }> {
    return this.#post({
      url: this.#voucherUrl,
      what: 'AP voucher',
      idempotencyKey: voucher.voucherId,
      correlationId: voucher.correlationId,
      body: voucher,
    });
  }

  async #post(posting: Posting): Promise<{ journalId: string }> {
    let last: Extract<AttemptResult, { kind: 'retryable' }> | undefined;
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      if (last !== undefined) {
        const backoff = Math.floor(Math.random() * this.#baseDelayMs * 2 ** attempt);
        await sleep(Math.min(this.#maxDelayMs, last.retryAfterMs ?? backoff));
      }
      const result = await this.#attempt(posting);
      if (result.kind === 'posted') {
        return { journalId: result.journalId };
      }
      if (result.kind === 'rejected') {
        throw new UpstreamRejectedError(`finance ledger rejected the ${posting.what} (HTTP ${result.status})`, {
          details: { status: result.status, ...(result.upstreamCode === undefined ? {} : { upstreamCode: result.upstreamCode }) },
        });
      }
      last = result;
    }
    throw new UpstreamUnavailableError(`finance ledger unavailable after ${this.#maxAttempts} attempts (${last?.reason ?? 'unknown'})`, {
      cause: last?.cause,
      details: { attempts: this.#maxAttempts, reason: last?.reason, ...(last?.status === undefined ? {} : { status: last.status }) },
    });
  }

  async #attempt(posting: Posting): Promise<AttemptResult> {
    let response: Response;
    try {
      response = await this.#fetch(posting.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': posting.idempotencyKey,
          'x-correlation-id': posting.correlationId,
        },
        body: JSON.stringify(posting.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const timedOut = isTimeout(error);
      return { kind: 'retryable', reason: timedOut ? `timeout after ${this.#timeoutMs} ms` : 'network error', cause: error };
    }

    let body: unknown;
    try {
      const text = await response.text();
      body = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      // An unreadable body only matters on success; for errors the status decides.
      body = undefined;
      if (response.ok) {
        return { kind: 'retryable', reason: 'unreadable success body', status: response.status, cause: error };
      }
    }

    const status = response.status;
    if (response.ok) {
      const journalId = (body as { journalId?: unknown } | undefined)?.journalId;
      return typeof journalId === 'string' && journalId !== ''
        ? { kind: 'posted', journalId }
        : { kind: 'retryable', reason: 'success without journalId', status };
    }
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return { kind: 'retryable', reason: `HTTP ${status}`, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    }
    const upstreamCode = problemCode(body);
    return { kind: 'rejected', status, ...(upstreamCode === undefined ? {} : { upstreamCode }) };
  }
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** `Retry-After` as delta-seconds or an HTTP date, in milliseconds from now. */
/**
 * Whether a fetch failed on its `AbortSignal.timeout`. Judged by the error's name, not `instanceof`:
 * fetch's DOMException comes from Node's own realm, which is not the caller's under a host with its
 * own globals (Jest's test context).
 */
export const isTimeout = (error: unknown): boolean => {
  const name = typeof error === 'object' && error !== null && 'name' in error ? error.name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
};

export const parseRetryAfter = (value: string | null, now = Date.now()): number | undefined => {
  if (value === null || value.trim() === '') {
    return undefined;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds * 1000);
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
};

/** A short machine code from a problem body (`code`, else `type`), cut to keep errors small. */
const problemCode = (body: unknown): string | undefined => {
  if (body === null || typeof body !== 'object') {
    return undefined;
  }
  const { code, type } = body as { code?: unknown; type?: unknown };
  const value = typeof code === 'string' ? code : typeof type === 'string' ? type : undefined;
  return value?.slice(0, 64);
};

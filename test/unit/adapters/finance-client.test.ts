/**
 * HttpFinanceLedger against a tiny real HTTP server whose answers each test scripts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { HttpFinanceLedger, parseRetryAfter } from '../../../functions/adapters/connectors/finance-client';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../../functions/domain/errors';
import type { FinanceJournalLine } from '../../../functions/domain/ports';
import { startStubEndpoint, type StubEndpoint } from '../../support/stub-endpoint';
import { expectInstanceOf } from '../../support/expect-narrowing';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** Answers the n-th request (1-based). */
let respond: (res: ServerResponse, n: number) => void = (res) => res.end();
const received: Received[] = [];
let endpoint: StubEndpoint;

const line: FinanceJournalLine = {
  idempotencyKey: 'EPIC|NMC|MSG1|1',
  correlationId: 'corr-1',
  costCenter: 'CC-NMC-OR',
  glAccount: '6100',
  facilityId: 'FAC-NMC',
  itemId: 'ITM-10001',
  quantity: 3,
  unitCost: 0.45,
  amount: 1.35,
  currency: 'USD',
  postingDate: '2026-11-20',
};

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const ledger = (timeoutMs = 2_000): HttpFinanceLedger => new HttpFinanceLedger({ baseUrl: `${endpoint.url}/`, timeoutMs, baseDelayMs: 10, maxDelayMs: 200 });

describe('HttpFinanceLedger', () => {
  beforeAll(async () => {
    endpoint = await startStubEndpoint((req, body, res) => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body === '' ? undefined : JSON.parse(body) });
      respond(res, received.length);
    });
  });

  afterAll(async () => {
    await endpoint.close();
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('posts the journal line as JSON with Idempotency-Key and X-Correlation-Id and returns the journalId', async () => {
    respond = (res) => json(res, 201, { journalId: 'JE-000001', status: 'POSTED' });
    expect(await ledger().postJournalLine(line)).toStrictEqual({ journalId: 'JE-000001' });
    expect(received.length).toBe(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/gl/journal-lines');
    expect(request?.headers['idempotency-key']).toBe('EPIC|NMC|MSG1|1');
    expect(request?.headers['x-correlation-id']).toBe('corr-1');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toStrictEqual(line);
  });

  it('retries once after a 503 and returns the journal of the second answer', async () => {
    respond = (res, n) => (n === 1 ? json(res, 503, { title: 'maintenance' }) : json(res, 201, { journalId: 'JE-000002', status: 'POSTED' }));
    expect(await ledger().postJournalLine(line)).toStrictEqual({ journalId: 'JE-000002' });
    expect(received.length).toBe(2);
    expect(received[1]?.headers['idempotency-key']).toBe(received[0]?.headers['idempotency-key']);
  });

  it('accepts 200 for a replayed Idempotency-Key', async () => {
    respond = (res) => json(res, 200, { journalId: 'JE-000001', status: 'POSTED' });
    expect(await ledger().postJournalLine(line)).toStrictEqual({ journalId: 'JE-000001' });
  });

  it('throws UpstreamRejectedError on 400 without retrying', async () => {
    respond = (res) => json(res, 400, { type: 'about:blank', code: 'PERIOD_CLOSED', title: 'posting period closed' });
    const error = await ledger()
      .postJournalLine(line)
      .then(
        () => {
          throw new Error('expected a rejection');
        },
        (e: unknown) => e,
      );
    expectInstanceOf(error, UpstreamRejectedError);
    expect(error.retryable).toBe(false);
    expect(error.details).toStrictEqual({ status: 400, upstreamCode: 'PERIOD_CLOSED' });
    expect(received.length).toBe(1);
  });

  it('throws UpstreamUnavailableError after 3 attempts of 500', async () => {
    respond = (res) => json(res, 500, {});
    const error = await ledger()
      .postJournalLine(line)
      .then(
        () => {
          throw new Error('expected a rejection');
        },
        (e: unknown) => e,
      );
    expectInstanceOf(error, UpstreamUnavailableError);
    expect(error.retryable).toBe(true);
    expect(received.length).toBe(3);
  });

  it('honours Retry-After on 429', async () => {
    respond = (res, n) => (n === 1 ? json(res, 429, {}, { 'retry-after': '0.15' }) : json(res, 201, { journalId: 'JE-000003' }));
    const started = performance.now();
    expect(await ledger().postJournalLine(line)).toStrictEqual({ journalId: 'JE-000003' });
    expect(performance.now() - started >= 140).toBeTruthy();
  });

  it('treats a timeout as UpstreamUnavailableError', async () => {
    respond = () => undefined; // never answers
    const started = performance.now();
    const error = await ledger(100)
      .postJournalLine(line)
      .then(
        () => {
          throw new Error('expected a rejection');
        },
        (e: unknown) => e,
      );
    expectInstanceOf(error, UpstreamUnavailableError);
    expect(error.message).toMatch(/timeout after 100 ms/);
    expect(performance.now() - started < 2_000).toBeTruthy();
    endpoint.closeConnections();
  });

  it('treats a refused connection as UpstreamUnavailableError', async () => {
    const closed = new HttpFinanceLedger({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500, maxAttempts: 2, baseDelayMs: 1 });
    await expect(closed.postJournalLine(line)).rejects.toThrow(UpstreamUnavailableError);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(null)).toBe(undefined);
    expect(parseRetryAfter('soon')).toBe(undefined);
  });
});

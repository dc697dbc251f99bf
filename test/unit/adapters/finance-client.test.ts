/**
 * HttpFinanceLedger against a tiny real HTTP server whose answers each test scripts.
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { HttpFinanceLedger, parseRetryAfter } from '../../../functions/adapters/connectors/finance-client';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../../functions/domain/errors';
import type { FinanceJournalLine } from '../../../functions/domain/ports';
import { startStubEndpoint, type StubEndpoint } from '../../support/stub-endpoint';

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
  idempotencyKey: 'EPIC|MSG1|1',
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
  before(async () => {
    endpoint = await startStubEndpoint((req, body, res) => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body === '' ? undefined : JSON.parse(body) });
      respond(res, received.length);
    });
  });

  after(async () => {
    await endpoint.close();
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('posts the journal line as JSON with Idempotency-Key and X-Correlation-Id and returns the journalId', async () => {
    respond = (res) => json(res, 201, { journalId: 'JE-000001', status: 'POSTED' });
    assert.deepEqual(await ledger().postJournalLine(line), { journalId: 'JE-000001' });
    assert.equal(received.length, 1);
    const [request] = received;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.url, '/gl/journal-lines');
    assert.equal(request?.headers['idempotency-key'], 'EPIC|MSG1|1');
    assert.equal(request?.headers['x-correlation-id'], 'corr-1');
    assert.equal(request?.headers['content-type'], 'application/json');
    assert.deepEqual(request?.body, line);
  });

  it('retries once after a 503 and returns the journal of the second answer', async () => {
    respond = (res, n) => (n === 1 ? json(res, 503, { title: 'maintenance' }) : json(res, 201, { journalId: 'JE-000002', status: 'POSTED' }));
    assert.deepEqual(await ledger().postJournalLine(line), { journalId: 'JE-000002' });
    assert.equal(received.length, 2);
    assert.equal(received[1]?.headers['idempotency-key'], received[0]?.headers['idempotency-key']);
  });

  it('accepts 200 for a replayed Idempotency-Key', async () => {
    respond = (res) => json(res, 200, { journalId: 'JE-000001', status: 'POSTED' });
    assert.deepEqual(await ledger().postJournalLine(line), { journalId: 'JE-000001' });
  });

  it('throws UpstreamRejectedError on 400 without retrying', async () => {
    respond = (res) => json(res, 400, { type: 'about:blank', code: 'PERIOD_CLOSED', title: 'posting period closed' });
    const error = await ledger()
      .postJournalLine(line)
      .then(
        () => assert.fail('expected a rejection'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof UpstreamRejectedError);
    assert.equal(error.retryable, false);
    assert.deepEqual(error.details, { status: 400, upstreamCode: 'PERIOD_CLOSED' });
    assert.equal(received.length, 1);
  });

  it('throws UpstreamUnavailableError after 3 attempts of 500', async () => {
    respond = (res) => json(res, 500, {});
    const error = await ledger()
      .postJournalLine(line)
      .then(
        () => assert.fail('expected a rejection'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof UpstreamUnavailableError);
    assert.equal(error.retryable, true);
    assert.equal(received.length, 3);
  });

  it('honours Retry-After on 429', async () => {
    respond = (res, n) => (n === 1 ? json(res, 429, {}, { 'retry-after': '0.15' }) : json(res, 201, { journalId: 'JE-000003' }));
    const started = performance.now();
    assert.deepEqual(await ledger().postJournalLine(line), { journalId: 'JE-000003' });
    assert.ok(performance.now() - started >= 140, 'waited for Retry-After');
  });

  it('treats a timeout as UpstreamUnavailableError', async () => {
    respond = () => undefined; // never answers
    const started = performance.now();
    const error = await ledger(100)
      .postJournalLine(line)
      .then(
        () => assert.fail('expected a rejection'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof UpstreamUnavailableError);
    assert.match(error.message, /timeout after 100 ms/);
    assert.ok(performance.now() - started < 2_000);
    endpoint.closeConnections();
  });

  it('treats a refused connection as UpstreamUnavailableError', async () => {
    const closed = new HttpFinanceLedger({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500, maxAttempts: 2, baseDelayMs: 1 });
    await assert.rejects(closed.postJournalLine(line), UpstreamUnavailableError);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('2'), 2_000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});

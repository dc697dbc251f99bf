import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startFinanceSimulator } from '../../../local/simulators/finance';
import type { FinanceSimulator, JournalLine } from '../../../local/simulators/finance';
import type { FinanceJournalLine } from '../../../functions/domain/ports';
import { expectTruthy } from '../../support/expect-narrowing';

let counter = 0;
const line = (overrides: Partial<FinanceJournalLine> = {}): FinanceJournalLine => {
  counter += 1;
  return {
    idempotencyKey: `EPIC|NMC|MSG-${counter}|1`,
    correlationId: `corr-${counter}`,
    costCenter: 'CC-NMC-OR',
    glAccount: '6410-110',
    facilityId: 'FAC-NMC',
    itemId: 'ITM-10001',
    quantity: 5,
    unitCost: 0.45,
    amount: 2.25,
    currency: 'USD',
    postingDate: '2026-11-26',
    ...overrides,
  };
};

const postLine = (
  sim: FinanceSimulator,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> =>
  fetch(`${sim.url}/gl/journal-lines`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });

const postKeyed = (sim: FinanceSimulator, l: FinanceJournalLine, signal?: AbortSignal): Promise<Response> =>
  postLine(sim, l, { 'idempotency-key': l.idempotencyKey, 'x-correlation-id': l.correlationId }, signal);

describe('finance simulator', () => {
  let sim: FinanceSimulator;

  beforeAll(async () => {
    sim = await startFinanceSimulator({ port: 0 });
  });
  afterAll(async () => {
    await sim.stop();
  });
  beforeEach(() => {
    sim.setFaults({});
  });

  it('listens on a free loopback port and answers /health', async () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${sim.url}/health`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('UP');
  });

  it('posts a new journal line: 201 with a JE- journal id, a Location and the correlation id echoed', async () => {
    const l = line();
    const res = await postKeyed(sim, l);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { journalId: string; status: string };
    expect(body.journalId).toMatch(/^JE-\d{6}$/);
    expect(body.status).toBe('POSTED');
    expect(res.headers.get('location')).toBe(`/gl/journal-lines/${body.journalId}`);
    expect(res.headers.get('x-correlation-id')).toBe(l.correlationId);
    const posted = sim.journal().find((j) => j.journalId === body.journalId);
    expect(posted?.amount).toBe(2.25);
    expect(posted?.costCenter).toBe('CC-NMC-OR');
  });

  it('returns 200 with the same journalId when the Idempotency-Key repeats, and books it once', async () => {
    const l = line();
    const first = (await (await postKeyed(sim, l)).json()) as { journalId: string };
    const again = await postKeyed(sim, l);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { journalId: string }).journalId).toBe(first.journalId);
    expect(sim.journal().filter((j) => j.idempotencyKey === l.idempotencyKey).length).toBe(1);
  });

  it('books concurrent duplicates of one key exactly once', async () => {
    const l = line();
    sim.setFaults({ latencyMs: 30 });
    const responses = await Promise.all([postKeyed(sim, l), postKeyed(sim, l), postKeyed(sim, l)]);
    const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { journalId: string }).journalId));
    expect(responses.map((r) => r.status).sort()).toStrictEqual([200, 200, 201]);
    expect(new Set(ids).size).toBe(1);
    expect(sim.journal().filter((j) => j.idempotencyKey === l.idempotencyKey).length).toBe(1);
  });

  it('returns 409 when a key comes back with a different amount', async () => {
    const l = line();
    await postKeyed(sim, l);
    const res = await postKeyed(sim, { ...l, quantity: 6, amount: 2.7 });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('idempotency-key-reused');
  });

  it('returns a 400 problem without an Idempotency-Key header and writes nothing', async () => {
    const before = sim.journal().length;
    const res = await postLine(sim, line());
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as { status: number; code: string; type: string };
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('missing-idempotency-key');
    expect(problem.type).toMatch(/missing-idempotency-key$/);
    expect(sim.journal().length).toBe(before);
  });

  it('returns a 400 problem naming the invalid fields of a schema violation', async () => {
    const l = line();
    const body: Record<string, unknown> = { ...l, quantity: 0, currency: 'usd' };
    delete body.costCenter;
    const res = await postLine(sim, body, { 'idempotency-key': l.idempotencyKey });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe('validation-failed');
    expect(problem.errors.map((e) => e.path).sort()).toStrictEqual(['costCenter', 'currency', 'quantity']);
  });

  it('returns a 400 problem for a body that is not JSON', async () => {
    const res = await postLine(sim, '{not json', { 'idempotency-key': 'k-bad-json' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('invalid-json');
  });

  it('returns 400 when the header key and the body key differ', async () => {
    const l = line();
    const res = await postLine(sim, l, { 'idempotency-key': `${l.idempotencyKey}-other` });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('idempotency-key-mismatch');
  });

  it('returns 422 when amount is not quantity × unitCost to the cent', async () => {
    const res = await postKeyed(sim, line({ amount: 3 }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { code: string }).code).toBe('amount-mismatch');
  });

  it('accepts a reversal (negative quantity and amount)', async () => {
    const res = await postKeyed(sim, line({ quantity: -2, amount: -0.9 }));
    expect(res.status).toBe(201);
  });

  it('lists posted lines in posting order and filters them by correlationId', async () => {
    const a = line();
    const b = line({ costCenter: 'CC-SCH-ICU', glAccount: '6410-220', facilityId: 'FAC-SCH' });
    await postKeyed(sim, a);
    await postKeyed(sim, b);
    const all = (await (await fetch(`${sim.url}/gl/journal-lines`)).json()) as JournalLine[];
    expect(Array.isArray(all)).toBeTruthy();
    expect(all.slice(-2).map((j) => j.idempotencyKey)).toStrictEqual([a.idempotencyKey, b.idempotencyKey]);
    const filtered = (await (await fetch(`${sim.url}/gl/journal-lines?correlationId=${b.correlationId}`)).json()) as JournalLine[];
    expect(filtered.map((j) => j.costCenter)).toStrictEqual(['CC-SCH-ICU']);
  });

  it('returns one journal line by id, and a 404 problem for an unknown id', async () => {
    const l = line();
    const { journalId } = (await (await postKeyed(sim, l)).json()) as { journalId: string };
    const found = await fetch(`${sim.url}/gl/journal-lines/${journalId}`);
    expect(found.status).toBe(200);
    const body = (await found.json()) as JournalLine;
    expect(body.idempotencyKey).toBe(l.idempotencyKey);
    expect(body.status).toBe('POSTED');
    const missing = await fetch(`${sim.url}/gl/journal-lines/JE-999999`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers 405 with an Allow header for an unsupported method', async () => {
    const res = await fetch(`${sim.url}/gl/journal-lines`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
  });

  it('fails exactly the next N posts with the configured status, writing nothing, then recovers', async () => {
    sim.setFaults({ failNext: 2, status: 500 });
    const l = line();
    const first = await postKeyed(sim, l);
    const second = await postKeyed(sim, l);
    expect(first.status).toBe(500);
    expect(second.status).toBe(500);
    expect(sim.journal().some((j) => j.idempotencyKey === l.idempotencyKey)).toBe(false);
    const third = await postKeyed(sim, l);
    expect(third.status).toBe(201);
    expect(sim.faults().failNext).toBe(0);
  });

  it('sends Retry-After with injected 429s', async () => {
    sim.setFaults({ failNext: 1, status: 429 });
    const res = await postKeyed(sim, line());
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
  });

  it('delays every post by latencyMs while it is set', async () => {
    sim.setFaults({ latencyMs: 120 });
    const started = performance.now();
    const res = await postKeyed(sim, line());
    expect(res.status).toBe(201);
    expect(performance.now() - started >= 110).toBeTruthy();
  });

  it('leaves the next post without a response, commits it, and answers the retry with the same journal', async () => {
    sim.setFaults({ timeoutNext: 1 });
    const l = line();
    await expect(postKeyed(sim, l, AbortSignal.timeout(200))).rejects.toThrow(expect.toSatisfy((error: Error) => error.name === 'TimeoutError'));
    const committed = sim.journal().find((j) => j.idempotencyKey === l.idempotencyKey);
    expectTruthy(committed);
    const retry = await postKeyed(sim, l);
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { journalId: string }).journalId).toBe(committed.journalId);
  });

  it('writes nothing for a timed-out post when timeoutCommits is false', async () => {
    sim.setFaults({ timeoutNext: 1, timeoutCommits: false });
    const l = line();
    await expect(postKeyed(sim, l, AbortSignal.timeout(150))).rejects.toThrow();
    expect(sim.journal().some((j) => j.idempotencyKey === l.idempotencyKey)).toBe(false);
    expect((await postKeyed(sim, l)).status).toBe(201);
  });

  it('lets the faults be read, replaced and cleared over HTTP at /_faults', async () => {
    const set = await fetch(`${sim.url}/_faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failNext: 1, status: 503 }),
    });
    expect(set.status).toBe(200);
    expect(await set.json()).toStrictEqual({ failNext: 1, status: 503 });
    expect((await postKeyed(sim, line())).status).toBe(503);
    expect(await (await fetch(`${sim.url}/_faults`)).json()).toStrictEqual({ failNext: 0, status: 503 });
    await fetch(`${sim.url}/_faults`, { method: 'DELETE' });
    expect(sim.faults()).toStrictEqual({});
    expect((await postKeyed(sim, line())).status).toBe(201);
  });

  it('returns a 400 problem for an invalid fault configuration and keeps the current one', async () => {
    sim.setFaults({ latencyMs: 1 });
    const res = await fetch(`${sim.url}/_faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failNext: -1, status: 418 }),
    });
    expect(res.status).toBe(400);
    expect(sim.faults()).toStrictEqual({ latencyMs: 1 });
  });

  it('counts posts, new lines, replays, rejections and injected faults', async () => {
    const before = sim.stats();
    const l = line();
    await postKeyed(sim, l);
    await postKeyed(sim, l);
    await postLine(sim, line());
    sim.setFaults({ failNext: 1 });
    await postKeyed(sim, line());
    const after = (await (await fetch(`${sim.url}/_stats`)).json()) as ReturnType<FinanceSimulator['stats']>;
    expect(after.posts - before.posts).toBe(4);
    expect(after.posted - before.posted).toBe(1);
    expect(after.replays - before.replays).toBe(1);
    expect(after.rejected - before.rejected).toBe(1);
    expect(after.failuresInjected - before.failuresInjected).toBe(1);
  });
});

describe('finance simulator lifecycle', () => {
  it('starts with the faults it is given', async () => {
    const sim = await startFinanceSimulator({ faults: { failNext: 1, status: 503 } });
    try {
      const l = line();
      expect((await postKeyed(sim, l)).status).toBe(503);
      expect((await postKeyed(sim, l)).status).toBe(201);
    } finally {
      await sim.stop();
    }
  });

  it('stops promptly even while a post is hanging or delayed', async () => {
    const sim = await startFinanceSimulator({ faults: { timeoutNext: 1 } });
    const hanging = postKeyed(sim, line());
    hanging.catch(() => undefined); // awaited below, after stop()
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await sim.stop();
    expect(performance.now() - started < 1000).toBeTruthy();
    await expect(hanging).rejects.toThrow();
    await expect(fetch(`${sim.url}/health`)).rejects.toThrow();
  });
});

describe('finance simulator with the HTTP finance connector', () => {
  it('ends with exactly one journal line when the connector retries a post whose response was lost', async () => {
    const { HttpFinanceLedger } = await import('../../../functions/adapters/connectors/finance-client');
    const sim = await startFinanceSimulator({ faults: { timeoutNext: 1, failNext: 1, status: 503 } });
    try {
      const ledger = new HttpFinanceLedger({ baseUrl: sim.url, timeoutMs: 200, maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50 });
      const l = line();
      const { journalId } = await ledger.postJournalLine(l);
      expect(sim.journal().map((j) => [j.journalId, j.idempotencyKey])).toStrictEqual([[journalId, l.idempotencyKey]]);
      expect(sim.stats().timeoutsInjected).toBe(1);
      expect(sim.stats().failuresInjected).toBe(1);
    } finally {
      await sim.stop();
    }
  });
});

import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFinanceSimulator } from '../../../local/simulators/finance';
import type { FinanceSimulator, JournalLine } from '../../../local/simulators/finance';
import type { FinanceJournalLine } from '../../../functions/domain/ports';

let counter = 0;
const line = (overrides: Partial<FinanceJournalLine> = {}): FinanceJournalLine => {
  counter += 1;
  return {
    idempotencyKey: `EPIC|MSG-${counter}|1`,
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

  before(async () => {
    sim = await startFinanceSimulator({ port: 0 });
  });
  after(async () => {
    await sim.stop();
  });
  beforeEach(() => {
    sim.setFaults({});
  });

  it('listens on a free loopback port and answers /health', async () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${sim.url}/health`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'UP');
  });

  it('posts a new journal line: 201 with a JE- journal id, a Location and the correlation id echoed', async () => {
    const l = line();
    const res = await postKeyed(sim, l);
    assert.equal(res.status, 201);
    const body = (await res.json()) as { journalId: string; status: string };
    assert.match(body.journalId, /^JE-\d{6}$/);
    assert.equal(body.status, 'POSTED');
    assert.equal(res.headers.get('location'), `/gl/journal-lines/${body.journalId}`);
    assert.equal(res.headers.get('x-correlation-id'), l.correlationId);
    const posted = sim.journal().find((j) => j.journalId === body.journalId);
    assert.equal(posted?.amount, 2.25);
    assert.equal(posted?.costCenter, 'CC-NMC-OR');
  });

  it('returns 200 with the same journalId when the Idempotency-Key repeats, and books it once', async () => {
    const l = line();
    const first = (await (await postKeyed(sim, l)).json()) as { journalId: string };
    const again = await postKeyed(sim, l);
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { journalId: string }).journalId, first.journalId);
    assert.equal(sim.journal().filter((j) => j.idempotencyKey === l.idempotencyKey).length, 1);
  });

  it('books concurrent duplicates of one key exactly once', async () => {
    const l = line();
    sim.setFaults({ latencyMs: 30 });
    const responses = await Promise.all([postKeyed(sim, l), postKeyed(sim, l), postKeyed(sim, l)]);
    const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { journalId: string }).journalId));
    assert.deepEqual(responses.map((r) => r.status).sort(), [200, 200, 201]);
    assert.equal(new Set(ids).size, 1);
    assert.equal(sim.journal().filter((j) => j.idempotencyKey === l.idempotencyKey).length, 1);
  });

  it('returns 409 when a key comes back with a different amount', async () => {
    const l = line();
    await postKeyed(sim, l);
    const res = await postKeyed(sim, { ...l, quantity: 6, amount: 2.7 });
    assert.equal(res.status, 409);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.equal(((await res.json()) as { code: string }).code, 'idempotency-key-reused');
  });

  it('returns a 400 problem without an Idempotency-Key header and writes nothing', async () => {
    const before = sim.journal().length;
    const res = await postLine(sim, line());
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const problem = (await res.json()) as { status: number; code: string; type: string };
    assert.equal(problem.status, 400);
    assert.equal(problem.code, 'missing-idempotency-key');
    assert.match(problem.type, /missing-idempotency-key$/);
    assert.equal(sim.journal().length, before);
  });

  it('returns a 400 problem naming the invalid fields of a schema violation', async () => {
    const l = line();
    const body: Record<string, unknown> = { ...l, quantity: 0, currency: 'usd' };
    delete body.costCenter;
    const res = await postLine(sim, body, { 'idempotency-key': l.idempotencyKey });
    assert.equal(res.status, 400);
    const problem = (await res.json()) as { code: string; errors: { path: string }[] };
    assert.equal(problem.code, 'validation-failed');
    assert.deepEqual(problem.errors.map((e) => e.path).sort(), ['costCenter', 'currency', 'quantity']);
  });

  it('returns a 400 problem for a body that is not JSON', async () => {
    const res = await postLine(sim, '{not json', { 'idempotency-key': 'k-bad-json' });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { code: string }).code, 'invalid-json');
  });

  it('returns 400 when the header key and the body key differ', async () => {
    const l = line();
    const res = await postLine(sim, l, { 'idempotency-key': `${l.idempotencyKey}-other` });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { code: string }).code, 'idempotency-key-mismatch');
  });

  it('returns 422 when amount is not quantity × unitCost to the cent', async () => {
    const res = await postKeyed(sim, line({ amount: 3 }));
    assert.equal(res.status, 422);
    assert.equal(((await res.json()) as { code: string }).code, 'amount-mismatch');
  });

  it('accepts a reversal (negative quantity and amount)', async () => {
    const res = await postKeyed(sim, line({ quantity: -2, amount: -0.9 }));
    assert.equal(res.status, 201);
  });

  it('lists posted lines in posting order and filters them by correlationId', async () => {
    const a = line();
    const b = line({ costCenter: 'CC-SCH-ICU', glAccount: '6410-220', facilityId: 'FAC-SCH' });
    await postKeyed(sim, a);
    await postKeyed(sim, b);
    const all = (await (await fetch(`${sim.url}/gl/journal-lines`)).json()) as JournalLine[];
    assert.ok(Array.isArray(all));
    assert.deepEqual(
      all.slice(-2).map((j) => j.idempotencyKey),
      [a.idempotencyKey, b.idempotencyKey],
    );
    const filtered = (await (await fetch(`${sim.url}/gl/journal-lines?correlationId=${b.correlationId}`)).json()) as JournalLine[];
    assert.deepEqual(
      filtered.map((j) => j.costCenter),
      ['CC-SCH-ICU'],
    );
  });

  it('returns one journal line by id, and a 404 problem for an unknown id', async () => {
    const l = line();
    const { journalId } = (await (await postKeyed(sim, l)).json()) as { journalId: string };
    const found = await fetch(`${sim.url}/gl/journal-lines/${journalId}`);
    assert.equal(found.status, 200);
    const body = (await found.json()) as JournalLine;
    assert.equal(body.idempotencyKey, l.idempotencyKey);
    assert.equal(body.status, 'POSTED');
    const missing = await fetch(`${sim.url}/gl/journal-lines/JE-999999`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json');
  });

  it('answers 405 with an Allow header for an unsupported method', async () => {
    const res = await fetch(`${sim.url}/gl/journal-lines`, { method: 'DELETE' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, POST');
  });

  it('fails exactly the next N posts with the configured status, writing nothing, then recovers', async () => {
    sim.setFaults({ failNext: 2, status: 500 });
    const l = line();
    const first = await postKeyed(sim, l);
    const second = await postKeyed(sim, l);
    assert.equal(first.status, 500);
    assert.equal(second.status, 500);
    assert.equal(sim.journal().some((j) => j.idempotencyKey === l.idempotencyKey), false);
    const third = await postKeyed(sim, l);
    assert.equal(third.status, 201);
    assert.equal(sim.faults().failNext, 0);
  });

  it('sends Retry-After with injected 429s', async () => {
    sim.setFaults({ failNext: 1, status: 429 });
    const res = await postKeyed(sim, line());
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '1');
  });

  it('delays every post by latencyMs while it is set', async () => {
    sim.setFaults({ latencyMs: 120 });
    const started = performance.now();
    const res = await postKeyed(sim, line());
    assert.equal(res.status, 201);
    assert.ok(performance.now() - started >= 110);
  });

  it('leaves the next post without a response, commits it, and answers the retry with the same journal', async () => {
    sim.setFaults({ timeoutNext: 1 });
    const l = line();
    await assert.rejects(postKeyed(sim, l, AbortSignal.timeout(200)), (error: Error) => error.name === 'TimeoutError');
    const committed = sim.journal().find((j) => j.idempotencyKey === l.idempotencyKey);
    assert.ok(committed, 'the timed-out post was written before its response was withheld');
    const retry = await postKeyed(sim, l);
    assert.equal(retry.status, 200);
    assert.equal(((await retry.json()) as { journalId: string }).journalId, committed.journalId);
  });

  it('writes nothing for a timed-out post when timeoutCommits is false', async () => {
    sim.setFaults({ timeoutNext: 1, timeoutCommits: false });
    const l = line();
    await assert.rejects(postKeyed(sim, l, AbortSignal.timeout(150)));
    assert.equal(sim.journal().some((j) => j.idempotencyKey === l.idempotencyKey), false);
    assert.equal((await postKeyed(sim, l)).status, 201);
  });

  it('lets the faults be read, replaced and cleared over HTTP at /_faults', async () => {
    const set = await fetch(`${sim.url}/_faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failNext: 1, status: 503 }),
    });
    assert.equal(set.status, 200);
    assert.deepEqual(await set.json(), { failNext: 1, status: 503 });
    assert.equal((await postKeyed(sim, line())).status, 503);
    assert.deepEqual(await (await fetch(`${sim.url}/_faults`)).json(), { failNext: 0, status: 503 });
    await fetch(`${sim.url}/_faults`, { method: 'DELETE' });
    assert.deepEqual(sim.faults(), {});
    assert.equal((await postKeyed(sim, line())).status, 201);
  });

  it('returns a 400 problem for an invalid fault configuration and keeps the current one', async () => {
    sim.setFaults({ latencyMs: 1 });
    const res = await fetch(`${sim.url}/_faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failNext: -1, status: 418 }),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(sim.faults(), { latencyMs: 1 });
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
    assert.equal(after.posts - before.posts, 4);
    assert.equal(after.posted - before.posted, 1);
    assert.equal(after.replays - before.replays, 1);
    assert.equal(after.rejected - before.rejected, 1);
    assert.equal(after.failuresInjected - before.failuresInjected, 1);
  });
});

describe('finance simulator lifecycle', () => {
  it('starts with the faults it is given', async () => {
    const sim = await startFinanceSimulator({ faults: { failNext: 1, status: 503 } });
    try {
      const l = line();
      assert.equal((await postKeyed(sim, l)).status, 503);
      assert.equal((await postKeyed(sim, l)).status, 201);
    } finally {
      await sim.stop();
    }
  });

  it('stops promptly even while a post is hanging or delayed', async () => {
    const sim = await startFinanceSimulator({ faults: { timeoutNext: 1 } });
    const hanging = postKeyed(sim, line()).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await sim.stop();
    assert.ok(performance.now() - started < 1000);
    assert.ok((await hanging) instanceof Error);
    await assert.rejects(fetch(`${sim.url}/health`));
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
      assert.deepEqual(
        sim.journal().map((j) => [j.journalId, j.idempotencyKey]),
        [[journalId, l.idempotencyKey]],
      );
      assert.equal(sim.stats().timeoutsInjected, 1);
      assert.equal(sim.stats().failuresInjected, 1);
    } finally {
      await sim.stop();
    }
  });
});

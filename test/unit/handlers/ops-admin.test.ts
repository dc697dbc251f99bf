import { apiEvent, bodyOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { ConflictError } from '../../../functions/domain/errors';
import { makeHandler } from '../../../functions/handlers/ops-admin';
import { fakeDependencies, lambdaContext } from '../fakes';

const replay = (body: unknown): ReturnType<typeof apiEvent> =>
  apiEvent({
    method: 'POST',
    resource: '/v1/ops/replays',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
    userArn: 'arn:aws:iam::123456789012:user/ops',
  });
const context = { ...lambdaContext('hem-OpsAdmin'), awsRequestId: '8f14e45f-ceea-467f-a0e6-1234567890ab' };

describe('ops-admin handler', () => {
  describe('POST /v1/ops/replays', () => {
    it('starts a replay of the window and answers 202 with its name', async () => {
      const deps = fakeDependencies();
      const response = await makeHandler(deps)(replay({ from: '2025-03-14T08:00:00Z', to: '2025-03-14T09:00:00Z', ruleNames: ['usage-to-replenishment'] }), context);
      expect(response.statusCode).toBe(202);
      expect(bodyOf(response)).toStrictEqual({
        replayName: 'hem-20250314T093000Z-8f14e45fceea',
        state: 'STARTING',
        from: '2025-03-14T08:00:00Z',
        to: '2025-03-14T09:00:00Z',
        ruleNames: ['usage-to-replenishment'],
      });
      expect(deps.eventReplayer.replays).toStrictEqual([
        { from: '2025-03-14T08:00:00Z', to: '2025-03-14T09:00:00Z', replayName: 'hem-20250314T093000Z-8f14e45fceea', ruleNames: ['usage-to-replenishment'] },
      ]);
    });

    it('replays to every rule when no rule is named', async () => {
      const deps = fakeDependencies();
      const response = await makeHandler(deps)(replay({ from: '2025-03-14T08:00:00+01:00', to: '2025-03-14T09:00:00Z' }), context);
      expect(response.statusCode).toBe(202);
      expect(deps.eventReplayer.replays[0]?.ruleNames).toBe(undefined);
    });

    it('returns 400 naming the field for a reversed window, an unknown rule, a non-ISO time or an unknown field', async () => {
      const deps = fakeDependencies();
      const cases: [unknown, RegExp][] = [
        [{ from: '2025-03-14T09:00:00Z', to: '2025-03-14T08:00:00Z' }, /before it ends/],
        [{ from: '2025-03-14T08:00:00Z', to: '2025-03-14T09:00:00Z', ruleNames: ['no-such-rule'] }, /ruleNames\[0\]/],
        [{ from: 'yesterday', to: '2025-03-14T09:00:00Z' }, /from/],
        [{ from: '2025-03-14T08:00:00Z', to: '2025-03-14T09:00:00Z', archive: 'other' }, /archive|unrecognized/i],
        ['not json', /not valid JSON/],
      ];
      for (const [body, detail] of cases) {
        const response = await makeHandler(deps)(replay(body), context);
        expect(response.statusCode).toBe(400);
        expect(String(bodyOf(response).detail)).toMatch(detail);
      }
      expect(deps.eventReplayer.replays).toStrictEqual([]);
    });

    it('returns 409 when the bus refuses the replay as a conflict (a replay of that name, too many replays)', async () => {
      const deps = fakeDependencies();
      deps.eventReplayer.failNext(new ConflictError('EventBridge refused the replay (LimitExceededException)'));
      const response = await makeHandler(deps)(replay({ from: '2025-03-14T08:00:00Z', to: '2025-03-14T09:00:00Z' }), context);
      expect(response.statusCode).toBe(409);
    });
  });

  describe('GET /v1/ops/audit/verify', () => {
    const verify = apiEvent({ resource: '/v1/ops/audit/verify', userArn: 'arn:aws:iam::123456789012:user/ops' });

    it('answers ok with the record count and the head hash of an intact chain', async () => {
      const deps = fakeDependencies();
      for (let i = 1; i <= 3; i += 1) {
        await deps.audit.append({ actor: 'hem-test', action: 'usage.applied', entity: `EPIC|NMC|MSG${i}|1`, correlationId: 'c', payload: { i } });
      }
      const response = await makeHandler(deps)(verify, context);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toStrictEqual({ ok: true, count: 3, headHash: deps.audit.records[2]!.hash });
    });

    it('answers ok false with the first broken seq when a stored record was modified', async () => {
      const deps = fakeDependencies();
      for (let i = 1; i <= 3; i += 1) {
        await deps.audit.append({ actor: 'hem-test', action: 'usage.applied', entity: `EPIC|NMC|MSG${i}|1`, correlationId: 'c', payload: { i } });
      }
      deps.audit.records[1] = { ...deps.audit.records[1]!, entity: 'EPIC|NMC|MSG2|2' };
      const response = await makeHandler(deps)(verify, context);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toStrictEqual({ ok: false, brokenAtSeq: 2, reason: 'HASH_MISMATCH' });
    });
  });

  describe('GET /v1/ops/stuck', () => {
    const stuck = (query?: Record<string, string>): ReturnType<typeof apiEvent> =>
      apiEvent({ resource: '/v1/ops/stuck', userArn: 'arn:aws:iam::123456789012:user/ops', ...(query === undefined ? {} : { query }) });
    const receive = async (deps: ReturnType<typeof fakeDependencies>, correlationId: string, at: string, lines: number): Promise<void> =>
      deps.transactions.record({ correlationId, hop: 'received', status: 'ok', at, detail: { sourceSystem: 'EPIC', facilityCode: 'NMC', messageControlId: correlationId, lines } });

    it('lists transactions received more than 10 minutes ago that are not completed, by default', async () => {
      const deps = fakeDependencies();
      await receive(deps, 'old', '2025-03-14T09:00:00.000Z', 4);
      await deps.transactions.record({ correlationId: 'old', hop: 'applied', status: 'ok', at: '2025-03-14T09:00:01.000Z', detail: { messageKey: 'EPIC|NMC|old', lineNumber: 1 } });
      await receive(deps, 'fresh', '2025-03-14T09:25:00.000Z', 1);
      const response = await makeHandler(deps)(stuck(), context);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toStrictEqual({
        receivedSince: '2025-03-07T09:20:00.000Z',
        receivedBefore: '2025-03-14T09:20:00.000Z',
        transactions: [
          { correlationId: 'old', receivedAt: '2025-03-14T09:00:00.000Z', status: 'in-progress', lines: { expected: 4, applied: 1, excepted: 0, deadLettered: 0, pending: 3 } },
        ],
      });
    });

    it('returns a cursor that reads on from where the page stopped', async () => {
      const deps = fakeDependencies();
      for (const n of [1, 2, 3]) await receive(deps, `c${n}`, `2025-03-14T08:0${n}:00.000Z`, 1);
      const first = bodyOf<{ transactions: { correlationId: string }[]; cursor?: string }>(await makeHandler(deps)(stuck({ olderThan: '1h', limit: '2' }), context));
      expect(first.transactions.map((t) => t.correlationId)).toStrictEqual(['c1', 'c2']);
      const second = bodyOf<{ transactions: { correlationId: string }[]; cursor?: string }>(
        await makeHandler(deps)(stuck({ olderThan: '1h', limit: '2', cursor: first.cursor ?? '' }), context),
      );
      expect(second.transactions.map((t) => t.correlationId)).toStrictEqual(['c3']);
      expect(second.cursor).toBe(undefined);
    });

    it.each([
      [{ olderThan: 'ten minutes' }, 'olderThan'],
      [{ olderThan: '30d' }, 'olderThan'],
      [{ limit: '0' }, 'limit'],
      [{ cursor: 'bm90LWEtY3Vyc29y' }, 'cursor'],
    ])('answers 400 naming the parameter for %j', async (query, location) => {
      const response = await makeHandler(fakeDependencies())(stuck(query), context);
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response).location).toBe(location);
    });
  });
});

/**
 * End to end on the embedded runtime, as an operator recovers from failures: a usage workflow that
 * fails after its retries dead-letters its event (never lost, never half-applied twice) and a
 * redrive finishes it exactly once; a replay of the bus archive changes nothing that was already
 * processed; the audit hash chain verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InfrastructureError } from '../../functions/domain/errors';
import type { InventoryRepository } from '../../functions/domain/ports';
import { controlId, dftP03, eventually, hops, opsCall, position, postHl7, startTestRuntime, tokenFor, type Runtime } from './support';

const WORKFLOW_DLQ = 'usage-to-replenishment-dlq';

interface DlqView {
  name: string;
  depth: number;
}
interface DlqMessage {
  body: string;
  attributes: Record<string, string>;
}

const financeJournal = async (rt: Runtime): Promise<{ idempotencyKey: string }[]> =>
  (await (await fetch(`${rt.financeUrl}/gl/journal-lines`)).json()) as { idempotencyKey: string }[];

/**
 * Makes every inventory write of the lines whose business key starts with `prefix` fail, as a
 * DynamoDB outage would (a retryable InfrastructureError), until the returned function is called.
 * The handlers read their ports from `rt.deps` on every call, so swapping the port is enough.
 */
const failInventoryWrites = (rt: Runtime, prefix: string): (() => void) => {
  const real = rt.deps.inventory;
  const broken: InventoryRepository = {
    getPosition: (locationId, itemId) => real.getPosition(locationId, itemId),
    listMovements: (locationId, itemId, limit) => real.listMovements(locationId, itemId, limit),
    findOutcome: (businessKey) => real.findOutcome(businessKey),
    initialisePosition: (p) => real.initialisePosition(p),
    applyMovement: async (expectedVersion, outcome) => {
      if (outcome.businessKey.startsWith(prefix)) {
        throw new InfrastructureError('DynamoDB TransactWriteItems failed (ServiceUnavailable)');
      }
      return real.applyMovement(expectedVersion, outcome);
    },
  };
  rt.deps.inventory = broken;
  return () => {
    rt.deps.inventory = real;
  };
};

describe('operator recovery on the local runtime', () => {
  let rt: Runtime;
  let ehr: string;

  beforeAll(async () => {
    rt = await startTestRuntime();
    ehr = await tokenFor(rt, 'epic-ehr');
  });
  afterAll(async () => {
    await rt?.stop();
  });

  it('dead-letters the event of a workflow that fails after its retries, and a redrive applies every line exactly once', async () => {
    const id = controlId();
    const [gauzeBefore, sutureBefore] = [await position(rt, ehr, 'NMC-OR', 'ITM-10008'), await position(rt, ehr, 'NMC-OR', 'ITM-10009')];
    // Line 1 applies; line 2's inventory write keeps failing until the "outage" ends.
    const restore = failInventoryWrites(rt, `EPIC|NMC|${id}|2`);
    try {
      const res = await postHl7(rt, ehr, dftP03({ controlId: id, lines: [{ chargeCode: 'CHG-100008', quantity: 2 }, { chargeCode: 'CHG-100009', quantity: 3 }] }));
      expect(res.ack).toMatch(/^MSA\|AA\|/m);
      const dlq = await eventually(async () => {
        const list = await opsCall<{ queues: DlqView[] }>(rt, 'GET', '/v1/ops/dlqs');
        const found = list.body.queues.find((q) => q.name === WORKFLOW_DLQ);
        expect(found?.depth).toBe(1);
        return found;
      });
      expect(dlq).toBeTruthy();
      const shown = await opsCall<{ messages: DlqMessage[] }>(rt, 'GET', `/v1/ops/dlqs/${WORKFLOW_DLQ}`);
      expect(shown.status).toBe(200);
      expect(shown.body.messages.length).toBe(1);
      const [message] = shown.body.messages;
      const event = JSON.parse(message!.body) as { source: string; 'detail-type': string; detail: { usage: { messageControlId: string } } };
      expect(event.source).toBe('hem.usage');
      expect(event['detail-type']).toBe('SupplyUsageRecorded');
      expect(event.detail.usage.messageControlId).toBe(id);
      expect(message!.attributes.ERROR_CODE).toBe('InfrastructureError');
      expect(message!.attributes.ERROR_MESSAGE ?? '').toMatch(/DynamoDB TransactWriteItems failed/);
      expect(!message!.body.includes('RIVERA') && !message!.body.includes('MRN778812')).toBeTruthy();

      await rt.whenIdle();
      expect((await position(rt, ehr, 'NMC-OR', 'ITM-10008')).onHand).toBe(gauzeBefore.onHand - 2);
      expect((await position(rt, ehr, 'NMC-OR', 'ITM-10009')).onHand).toBe(sutureBefore.onHand);
    } finally {
      restore();
    }

    const redrive = await opsCall<{ moved: number }>(rt, 'POST', `/v1/ops/dlqs/${WORKFLOW_DLQ}/redrive`, {});
    expect(redrive.status).toBe(200);
    expect(redrive.body.moved).toBe(1);
    await eventually(async () => expect((await position(rt, ehr, 'NMC-OR', 'ITM-10009')).onHand).toBe(sutureBefore.onHand - 3));
    await rt.whenIdle();

    const gauze = await position(rt, ehr, 'NMC-OR', 'ITM-10008');
    const suture = await position(rt, ehr, 'NMC-OR', 'ITM-10009');
    expect(gauze.onHand).toBe(gauzeBefore.onHand - 2);
    expect(suture.onHand).toBe(sutureBefore.onHand - 3);
    expect(gauze.movements.filter((m) => m.businessKey === `EPIC|NMC|${id}|1`).length).toBe(1);
    expect(suture.movements.filter((m) => m.businessKey === `EPIC|NMC|${id}|2`).length).toBe(1);
    const posted = (await financeJournal(rt)).filter((l) => l.idempotencyKey.includes(id));
    expect(posted.length).toBe(2);
    const list = await opsCall<{ queues: DlqView[] }>(rt, 'GET', '/v1/ops/dlqs');
    expect(list.body.queues.find((q) => q.name === WORKFLOW_DLQ)?.depth).toBe(0);
  });

  it('replays a window of the archive without changing inventory or postings that were already processed', async () => {
    const from = new Date();
    const id = controlId();
    const res = await postHl7(rt, ehr, dftP03({ controlId: id, lines: [{ chargeCode: 'CHG-100010', quantity: 2 }] }));
    expect(res.ack).toMatch(/^MSA\|AA\|/m);
    await eventually(async () => expect((await financeJournal(rt)).filter((l) => l.idempotencyKey.includes(id)).length).toBe(1));
    await rt.whenIdle();
    const before = await position(rt, ehr, 'NMC-OR', 'ITM-10010');
    const to = new Date(Date.now() + 1);

    const replay = await opsCall<{ replayName: string; state: string; eventCount: number }>(rt, 'POST', '/v1/ops/replays', {
      from: from.toISOString(),
      to: to.toISOString(),
    });
    expect(replay.status).toBe(202);
    expect(replay.body.replayName).toMatch(/^hem-\d{8}T\d{6}Z-/);
    expect(replay.body.eventCount >= 3).toBeTruthy();
    // The replayed usage ran the workflow again: its line was recognised as already applied.
    await eventually(async () => expect((await hops(rt, ehr, res.correlationId as string)).some((h) => h.hop === 'duplicate')).toBeTruthy());
    await rt.whenIdle();

    const after = await position(rt, ehr, 'NMC-OR', 'ITM-10010');
    expect(after.onHand).toBe(before.onHand);
    expect(after.onOrder).toBe(before.onOrder);
    expect(after.movements.filter((m) => m.businessKey === `EPIC|NMC|${id}|1`).length).toBe(1);
    expect((await financeJournal(rt)).filter((l) => l.idempotencyKey.includes(id)).length).toBe(1);
  });

  it('refuses a replay window that ends before it starts', async () => {
    const res = await opsCall(rt, 'POST', '/v1/ops/replays', { from: '2026-11-26T10:00:00Z', to: '2026-11-26T09:00:00Z' });
    expect(res.status).toBe(400);
  });

  it('verifies the audit hash chain of everything processed so far', async () => {
    await rt.whenIdle();
    const res = await opsCall<{ ok: boolean; count: number; headHash: string }>(rt, 'GET', '/v1/ops/audit/verify');
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.count > 0).toBeTruthy();
    expect(res.body.headHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

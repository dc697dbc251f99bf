/**
 * End to end on the embedded runtime, as an operator recovers from failures: a usage workflow that
 * fails after its retries dead-letters its event (never lost, never half-applied twice) and a
 * redrive finishes it exactly once; a replay of the bus archive changes nothing that was already
 * processed; the audit hash chain verifies.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
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

  before(async () => {
    rt = await startTestRuntime();
    ehr = await tokenFor(rt, 'epic-ehr');
  });
  after(async () => {
    await rt?.stop();
  });

  it('dead-letters the event of a workflow that fails after its retries, and a redrive applies every line exactly once', async () => {
    const id = controlId();
    const [gauzeBefore, sutureBefore] = [await position(rt, ehr, 'NMC-OR', 'ITM-10008'), await position(rt, ehr, 'NMC-OR', 'ITM-10009')];
    // Line 1 applies; line 2's inventory write keeps failing until the "outage" ends.
    const restore = failInventoryWrites(rt, `EPIC|${id}|2`);
    try {
      const res = await postHl7(rt, ehr, dftP03({ controlId: id, lines: [{ chargeCode: 'CHG-100008', quantity: 2 }, { chargeCode: 'CHG-100009', quantity: 3 }] }));
      assert.match(res.ack, /^MSA\|AA\|/m, 'accepted: from here on it must end completed or dead-lettered');
      const dlq = await eventually(async () => {
        const list = await opsCall<{ queues: DlqView[] }>(rt, 'GET', '/v1/ops/dlqs');
        const found = list.body.queues.find((q) => q.name === WORKFLOW_DLQ);
        assert.equal(found?.depth, 1);
        return found;
      });
      assert.ok(dlq);
      const shown = await opsCall<{ messages: DlqMessage[] }>(rt, 'GET', `/v1/ops/dlqs/${WORKFLOW_DLQ}`);
      assert.equal(shown.status, 200);
      assert.equal(shown.body.messages.length, 1);
      const [message] = shown.body.messages;
      const event = JSON.parse(message!.body) as { source: string; 'detail-type': string; detail: { usage: { messageControlId: string } } };
      assert.equal(event.source, 'hem.usage');
      assert.equal(event['detail-type'], 'SupplyUsageRecorded');
      assert.equal(event.detail.usage.messageControlId, id, 'the original event, as the bus delivered it');
      assert.equal(message!.attributes.ERROR_CODE, 'InfrastructureError');
      assert.match(message!.attributes.ERROR_MESSAGE ?? '', /DynamoDB TransactWriteItems failed/);
      assert.ok(!message!.body.includes('RIVERA') && !message!.body.includes('MRN778812'), 'no PHI in the dead letter');

      await rt.whenIdle();
      assert.equal((await position(rt, ehr, 'NMC-OR', 'ITM-10008')).onHand, gauzeBefore.onHand - 2, 'line 1 applied before line 2 failed');
      assert.equal((await position(rt, ehr, 'NMC-OR', 'ITM-10009')).onHand, sutureBefore.onHand, 'line 2 not applied');
    } finally {
      restore();
    }

    const redrive = await opsCall<{ moved: number }>(rt, 'POST', `/v1/ops/dlqs/${WORKFLOW_DLQ}/redrive`, {});
    assert.equal(redrive.status, 200);
    assert.equal(redrive.body.moved, 1);
    await eventually(async () => assert.equal((await position(rt, ehr, 'NMC-OR', 'ITM-10009')).onHand, sutureBefore.onHand - 3));
    await rt.whenIdle();

    const gauze = await position(rt, ehr, 'NMC-OR', 'ITM-10008');
    const suture = await position(rt, ehr, 'NMC-OR', 'ITM-10009');
    assert.equal(gauze.onHand, gauzeBefore.onHand - 2, 'line 1 was not applied a second time by the redrive');
    assert.equal(suture.onHand, sutureBefore.onHand - 3);
    assert.equal(gauze.movements.filter((m) => m.businessKey === `EPIC|${id}|1`).length, 1);
    assert.equal(suture.movements.filter((m) => m.businessKey === `EPIC|${id}|2`).length, 1);
    const posted = (await financeJournal(rt)).filter((l) => l.idempotencyKey.includes(id));
    assert.equal(posted.length, 2, 'one cost posting per line, the re-published one deduplicated');
    const list = await opsCall<{ queues: DlqView[] }>(rt, 'GET', '/v1/ops/dlqs');
    assert.equal(list.body.queues.find((q) => q.name === WORKFLOW_DLQ)?.depth, 0);
  });

  it('replays a window of the archive without changing inventory or postings that were already processed', async () => {
    const from = new Date();
    const id = controlId();
    const res = await postHl7(rt, ehr, dftP03({ controlId: id, lines: [{ chargeCode: 'CHG-100010', quantity: 2 }] }));
    assert.match(res.ack, /^MSA\|AA\|/m);
    await eventually(async () => assert.equal((await financeJournal(rt)).filter((l) => l.idempotencyKey.includes(id)).length, 1));
    await rt.whenIdle();
    const before = await position(rt, ehr, 'NMC-OR', 'ITM-10010');
    const to = new Date(Date.now() + 1);

    const replay = await opsCall<{ replayName: string; state: string; eventCount: number }>(rt, 'POST', '/v1/ops/replays', {
      from: from.toISOString(),
      to: to.toISOString(),
    });
    assert.equal(replay.status, 202);
    assert.match(replay.body.replayName, /^hem-\d{8}T\d{6}Z-/);
    assert.ok(replay.body.eventCount >= 3, `the usage, its position change and its cost posting are in the window (${replay.body.eventCount})`);
    // The replayed usage ran the workflow again: its line was recognised as already applied.
    await eventually(async () => assert.ok((await hops(rt, ehr, res.correlationId as string)).some((h) => h.hop === 'duplicate')));
    await rt.whenIdle();

    const after = await position(rt, ehr, 'NMC-OR', 'ITM-10010');
    assert.equal(after.onHand, before.onHand);
    assert.equal(after.onOrder, before.onOrder);
    assert.equal(after.movements.filter((m) => m.businessKey === `EPIC|${id}|1`).length, 1);
    assert.equal((await financeJournal(rt)).filter((l) => l.idempotencyKey.includes(id)).length, 1);
  });

  it('refuses a replay window that ends before it starts', async () => {
    const res = await opsCall(rt, 'POST', '/v1/ops/replays', { from: '2026-11-26T10:00:00Z', to: '2026-11-26T09:00:00Z' });
    assert.equal(res.status, 400);
  });

  it('verifies the audit hash chain of everything processed so far', async () => {
    await rt.whenIdle();
    const res = await opsCall<{ ok: boolean; count: number; headHash: string }>(rt, 'GET', '/v1/ops/audit/verify');
    assert.equal(res.status, 200);
    assert.equal(res.body.ok, true);
    assert.ok(res.body.count > 0);
    assert.match(res.body.headHash, /^[0-9a-f]{64}$/);
  });
});

import { describe, expect, it } from '@jest/globals';
import { GENESIS_HASH, nextAuditRecord } from '../../../../functions/domain/audit-chain';
import { ValidationError } from '../../../../functions/domain/errors';
import { startReplay, verifyAuditChain } from '../../../../functions/domain/use-cases/operations';
import { fakeDependencies } from '../../fakes';

/** Fakes whose audit chain holds `n` records. */
const withChain = async (n: number): Promise<ReturnType<typeof fakeDependencies>> => {
  const deps = fakeDependencies();
  for (let i = 1; i <= n; i += 1) {
    await deps.audit.append({ actor: 'hem-test', action: 'usage.applied', entity: `EPIC|NMC|MSG${i}|1`, correlationId: `corr-${i}`, payload: { n: i } });
    deps.clock.advance(1000);
  }
  return deps;
};

describe('verifyAuditChain', () => {
  it('verifies an intact chain across page boundaries and returns its count and head hash', async () => {
    const deps = await withChain(7);
    expect(await verifyAuditChain(deps, 3)).toStrictEqual({ ok: true, count: 7, headHash: deps.audit.records.at(-1)!.hash });
  });

  it('verifies an empty chain as the genesis hash', async () => {
    expect(await verifyAuditChain(fakeDependencies())).toStrictEqual({ ok: true, count: 0, headHash: GENESIS_HASH });
  });

  it('returns the seq of a tampered record, even on a later page', async () => {
    const deps = await withChain(7);
    deps.audit.records[4] = { ...deps.audit.records[4]!, actor: 'someone-else' };
    expect(await verifyAuditChain(deps, 3)).toStrictEqual({ ok: false, brokenAtSeq: 5, reason: 'HASH_MISMATCH' });
  });

  it('detects a record rewritten with a recomputed hash at the next record (its previousHash no longer matches)', async () => {
    const deps = await withChain(4);
    const forged = nextAuditRecord(deps.audit.records[0], { actor: 'x', action: 'usage.applied', entity: 'EPIC|NMC|FORGED|1', correlationId: 'c', payload: {} }, deps.audit.records[1]!.at);
    deps.audit.records[1] = forged;
    expect(await verifyAuditChain(deps, 2)).toStrictEqual({ ok: false, brokenAtSeq: 3, reason: 'PREVIOUS_HASH_MISMATCH' });
  });

  it('detects a deleted record as a sequence gap', async () => {
    const deps = await withChain(5);
    deps.audit.records.splice(2, 1);
    expect(await verifyAuditChain(deps, 2)).toStrictEqual({ ok: false, brokenAtSeq: 4, reason: 'SEQUENCE_GAP' });
  });
});

describe('startReplay', () => {
  it('names the replay after the clock and the suffix and passes the window and rules on', async () => {
    const deps = fakeDependencies();
    const started = await startReplay(deps, { from: '2025-03-14T08:00:00Z', to: '2025-03-14T09:00:00Z', ruleNames: ['usage-to-replenishment'] }, 'c0ffee00-0000-4000');
    expect(started).toStrictEqual({ replayName: 'hem-20250314T093000Z-c0ffee000000', state: 'STARTING' });
    expect(deps.eventReplayer.replays).toStrictEqual([
      { from: '2025-03-14T08:00:00Z', to: '2025-03-14T09:00:00Z', replayName: 'hem-20250314T093000Z-c0ffee000000', ruleNames: ['usage-to-replenishment'] },
    ]);
  });

  it('refuses an empty or reversed window without calling the bus', async () => {
    const deps = fakeDependencies();
    await expect(startReplay(deps, { from: '2025-03-14T09:00:00Z', to: '2025-03-14T09:00:00Z' }, 'x')).rejects.toThrow(ValidationError);
    await expect(startReplay(deps, { from: '2025-03-14T10:00:00Z', to: '2025-03-14T09:00:00Z' }, 'x')).rejects.toThrow(ValidationError);
    expect(deps.eventReplayer.replays).toStrictEqual([]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { NotFoundError } from '../../../../functions/domain/errors';
import { applyUsageLine } from '../../../../functions/domain/use-cases/apply-usage-line';
import type { TransactionHop } from '../../../../functions/domain/ports';
import { getInventory, getTransaction, listStuckTransactions, parseAge, STUCK_SCAN_BUDGET } from '../../../../functions/domain/use-cases/queries';
import { ValidationError } from '../../../../functions/domain/errors';
import type { MappedUsageLine } from '../../../../functions/domain/usage-mapping';
import { fakeDependencies } from '../../fakes';

const line = (n: number): MappedUsageLine => ({
  businessKey: `EPIC|NMC|MSG|${n}`,
  correlationId: 'corr-1',
  causationId: 'evt-1',
  sourceSystem: 'EPIC',
  messageControlId: 'MSG',
  lineNumber: n,
  facilityId: 'FAC-NMC',
  locationId: 'NMC-OR',
  costCenter: 'CC-NMC-OR',
  glAccount: '6100-100',
  itemId: 'ITM-10001',
  baseQuantity: 1,
  baseUom: 'EA',
  transactionType: 'CHARGE',
  serviceDate: '2025-03-14T08:15:00.000Z',
});

describe('getInventory', () => {
  it('returns the position with its last 10 movements, latest first', async () => {
    const deps = fakeDependencies();
    for (let n = 1; n <= 12; n += 1) await applyUsageLine(deps, line(n));
    const view = await getInventory(deps, 'NMC-OR', 'ITM-10001');
    expect(view.position.onHand).toBe(48);
    expect(view.movements.length).toBe(10);
    expect(view.movements[0]!.businessKey).toBe('EPIC|NMC|MSG|12');
  });

  it('throws NotFoundError for an item not stocked at the location', async () => {
    await expect(getInventory(fakeDependencies(), 'NMC-ED', 'ITM-10001')).rejects.toThrow(NotFoundError);
  });
});

describe('getTransaction', () => {
  it('returns every hop oldest first with the status and line counts computed from the lines', async () => {
    const deps = fakeDependencies();
    await deps.transactions.record({ correlationId: 'c', hop: 'received', status: 'ok', at: 't1', detail: { sourceSystem: 'EPIC', facilityCode: 'NMC', messageControlId: 'M', lines: 1 } });
    await deps.transactions.record({ correlationId: 'c', hop: 'exception', status: 'error', at: 't2', detail: { messageKey: 'EPIC|NMC|M', lineNumber: 1 } });
    const view = await getTransaction(deps, 'c');
    expect(view.hops.map((h) => h.hop)).toStrictEqual(['received', 'exception']);
    expect(view.status).toBe('failed');
    expect(view.lines).toStrictEqual({ expected: 1, applied: 0, excepted: 1, deadLettered: 0, pending: 0 });
  });

  it('throws NotFoundError when nothing was recorded', async () => {
    await expect(getTransaction(fakeDependencies(), 'nope')).rejects.toThrow(NotFoundError);
  });
});

describe('listStuckTransactions', () => {
  // fakeDependencies' clock reads 2025-03-14T09:30:00.000Z.
  const receivedHop = (correlationId: string, at: string, lines = 1): TransactionHop => ({
    correlationId,
    hop: 'received',
    status: 'ok',
    at,
    detail: { sourceSystem: 'EPIC', facilityCode: 'NMC', messageControlId: correlationId, lines },
  });
  const appliedHop = (correlationId: string, lineNumber = 1): TransactionHop => ({
    correlationId,
    hop: 'applied',
    status: 'ok',
    at: '2025-03-14T09:29:00.000Z',
    detail: { messageKey: `EPIC|NMC|${correlationId}`, lineNumber },
  });

  it('lists transactions received before the window that are not completed, oldest first, with status and lines', async () => {
    const deps = fakeDependencies();
    await deps.transactions.record(receivedHop('stuck-late', '2025-03-14T09:10:00.000Z'));
    await deps.transactions.record(receivedHop('stuck-early', '2025-03-14T08:00:00.000Z', 4));
    await deps.transactions.record(appliedHop('stuck-early'));
    await deps.transactions.record(receivedHop('done', '2025-03-14T08:30:00.000Z'));
    await deps.transactions.record(appliedHop('done'));
    await deps.transactions.record(receivedHop('recent', '2025-03-14T09:25:00.000Z'));
    const view = await listStuckTransactions(deps, { olderThanMs: 10 * 60_000 });
    expect(view.receivedBefore).toBe('2025-03-14T09:20:00.000Z');
    expect(view.transactions).toStrictEqual([
      { correlationId: 'stuck-early', receivedAt: '2025-03-14T08:00:00.000Z', status: 'in-progress', lines: { expected: 4, applied: 1, excepted: 0, deadLettered: 0, pending: 3 } },
      { correlationId: 'stuck-late', receivedAt: '2025-03-14T09:10:00.000Z', status: 'in-progress', lines: { expected: 1, applied: 0, excepted: 0, deadLettered: 0, pending: 1 } },
    ]);
    expect(view.next).toBe(undefined);
  });

  it('pages: at most limit transactions, and next resumes after the last one', async () => {
    const deps = fakeDependencies();
    for (const n of [1, 2, 3]) await deps.transactions.record(receivedHop(`c${n}`, `2025-03-14T08:0${n}:00.000Z`));
    const first = await listStuckTransactions(deps, { olderThanMs: 60_000, limit: 2 });
    expect(first.transactions.map((t) => t.correlationId)).toStrictEqual(['c1', 'c2']);
    expect(first.next).toBeDefined();
    const second = await listStuckTransactions(deps, { olderThanMs: 60_000, limit: 2, ...(first.next === undefined ? {} : { after: first.next }) });
    expect(second.transactions.map((t) => t.correlationId)).toStrictEqual(['c3']);
    expect(second.next).toBe(undefined);
  });

  it('examines at most STUCK_SCAN_BUDGET messages per call and says where to resume', async () => {
    const deps = fakeDependencies();
    for (let n = 0; n <= STUCK_SCAN_BUDGET; n += 1) {
      const id = `done-${String(n).padStart(4, '0')}`;
      await deps.transactions.record(receivedHop(id, new Date(Date.parse('2025-03-14T08:00:00.000Z') + n).toISOString()));
      await deps.transactions.record(appliedHop(id));
    }
    const view = await listStuckTransactions(deps, { olderThanMs: 60_000 });
    expect(view.transactions).toStrictEqual([]);
    expect(view.next).toBeDefined();
  });

  it('ignores transactions received before the 7-day lookback', async () => {
    const deps = fakeDependencies();
    await deps.transactions.record(receivedHop('ancient', '2025-03-01T08:00:00.000Z'));
    expect((await listStuckTransactions(deps, { olderThanMs: 60_000 })).transactions).toStrictEqual([]);
  });
});

describe('parseAge', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect([parseAge('90s'), parseAge('10m'), parseAge('2h'), parseAge('1d')]).toStrictEqual([90_000, 600_000, 7_200_000, 86_400_000]);
  });

  it.each(['', '10', 'm', '-5m', '0m', '1.5h', '8d', '10 m'])('refuses %j with a ValidationError naming olderThan', (text) => {
    expect(() => parseAge(text)).toThrow(ValidationError);
  });
});

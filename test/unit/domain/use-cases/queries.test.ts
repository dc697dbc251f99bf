import { describe, expect, it } from '@jest/globals';
import { NotFoundError } from '../../../../functions/domain/errors';
import { applyUsageLine } from '../../../../functions/domain/use-cases/apply-usage-line';
import { getInventory, getTransaction } from '../../../../functions/domain/use-cases/queries';
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
  it('returns every hop oldest first with an overall status', async () => {
    const deps = fakeDependencies();
    await deps.transactions.record({ correlationId: 'c', hop: 'received', status: 'ok', at: 't1' });
    await deps.transactions.record({ correlationId: 'c', hop: 'exception', status: 'error', at: 't2' });
    const view = await getTransaction(deps, 'c');
    expect(view.hops.map((h) => h.hop)).toStrictEqual(['received', 'exception']);
    expect(view.status).toBe('error');
  });

  it('throws NotFoundError when nothing was recorded', async () => {
    await expect(getTransaction(fakeDependencies(), 'nope')).rejects.toThrow(NotFoundError);
  });
});

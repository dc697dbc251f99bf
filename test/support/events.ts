/**
 * Bus event details shared by the tests that route events through a bus (moto's EventBridge and
 * SQS in test/contract, the local bus in test/unit/local).
 */
import type { CostPosted } from '../../contracts/events';

/**
 * A valid `CostPosted` detail as it travels on the bus: 3 EA of gauze (ITM-10001) used at NMC-OR,
 * 1.35 USD to CC-NMC-OR / GL 6100, posted 2026-11-20. `idempotencyKey` tells events apart; override
 * anything else.
 */
export const gauzeCostPosted = (idempotencyKey: string, overrides: Partial<CostPosted> = {}): CostPosted => ({
  version: '1',
  correlationId: 'corr-1',
  causationId: 'corr-1',
  idempotencyKey,
  occurredAt: '2026-11-20T09:00:00.000Z',
  costCenter: 'CC-NMC-OR',
  glAccount: '6100',
  facilityId: 'FAC-NMC',
  locationId: 'NMC-OR',
  itemId: 'ITM-10001',
  quantity: 3,
  unitCost: 0.45,
  amount: 1.35,
  currency: 'USD',
  postingDate: '2026-11-20',
  ...overrides,
});

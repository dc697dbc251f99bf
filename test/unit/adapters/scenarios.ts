/**
 * Behaviour every DynamoDB-backed adapter must show, written once and run against DynamoDB Local
 * (test/unit/adapters/*.test.ts) and against moto (test/contract/*.test.ts). Each scenario builder
 * registers `it` blocks inside the caller's `describe` and gets its adapters from `ctx()`, which the
 * caller fills in `before`.
 */
import { expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { BusEvent } from '../../../contracts/events';
import type { ReferenceDataSet } from '../../../contracts/reference';
import { verifyChain } from '../../../functions/domain/audit-chain';
import { ConcurrencyError, ConflictError, NotFoundError } from '../../../functions/domain/errors';
import type {
  ApplyMovementResult,
  AuditLog,
  ExceptionRepository,
  InventoryPosition,
  InventoryRepository,
  ReferenceDataRepository,
  TransactionLog,
  UsageException,
  UsageLineOutcome,
} from '../../../functions/domain/ports';
import { expectTruthy } from '../../support/expect-narrowing';

/** A unique id per call, so scenarios sharing tables never collide. */
export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export const openingPosition = (locationId: string, itemId: string, onHand: number): InventoryPosition => ({
  locationId,
  itemId,
  onHand,
  onOrder: 0,
  parLevel: 100,
  reorderPoint: 40,
  baseUom: 'EA',
  version: 0,
  updatedAt: '2026-11-20T08:00:00.000Z',
});

const envelope = (businessKey: string, correlationId: string, at: string): BusEvent['detail'] => ({
  version: '1',
  correlationId,
  causationId: correlationId,
  idempotencyKey: businessKey,
  occurredAt: at,
});

/** The outcome of consuming `quantity` base units from `current` (what the apply use case computes). */
export const usageOutcome = (current: InventoryPosition, businessKey: string, quantity: number, at = new Date().toISOString()): UsageLineOutcome => {
  const correlationId = `corr-${businessKey}`;
  const onHand = current.onHand - quantity;
  return {
    businessKey,
    position: { ...current, onHand, version: current.version + 1, updatedAt: at },
    movement: { businessKey, correlationId, delta: -quantity, onHandAfter: onHand, reason: 'USAGE', at },
    positionChanged: {
      source: 'hem.inventory',
      detailType: 'InventoryPositionChanged',
      detail: { ...envelope(businessKey, correlationId, at), locationId: current.locationId, itemId: current.itemId, delta: -quantity, onHand, reason: 'USAGE' },
    },
    costPosting: {
      source: 'hem.finance',
      detailType: 'CostPosted',
      detail: {
        ...envelope(businessKey, correlationId, at),
        costCenter: 'CC-NMC-OR',
        glAccount: '6100',
        facilityId: 'FAC-NMC',
        locationId: current.locationId,
        itemId: current.itemId,
        quantity,
        unitCost: 0.45,
        amount: Math.round(quantity * 45) / 100,
        currency: 'USD',
        postingDate: at.slice(0, 10),
      },
    },
  };
};

/**
 * What the apply use case does: read the position, decide, apply conditionally; on
 * `ConcurrencyError` re-read and decide again (bounded).
 */
export const applyWithRetry = async (
  inventory: InventoryRepository,
  locationId: string,
  itemId: string,
  businessKey: string,
  quantity: number,
  maxAttempts = 60,
): Promise<ApplyMovementResult & { attempts: number }> => {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = await inventory.getPosition(locationId, itemId);
    expectTruthy(current);
    try {
      const result = await inventory.applyMovement(current.version, usageOutcome(current, businessKey, quantity));
      return { ...result, attempts: attempt };
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * Math.min(attempt, 5)));
    }
  }
  throw new Error(`gave up applying ${businessKey} after ${maxAttempts} attempts`);
};

export interface ScenarioOptions {
  /** Run the concurrency scenarios (DynamoDB Local: yes; moto serialises nothing across threads, so no). */
  concurrency: boolean;
}

export const inventoryScenarios = (ctx: () => { inventory: InventoryRepository }, options: ScenarioOptions): void => {
  /** A new item at NMC-OR opened with 60 on hand, then 5 used under a new business key (`first`). */
  const usedOnce = async (): Promise<{ inventory: InventoryRepository; itemId: string; businessKey: string; first: UsageLineOutcome }> => {
    const { inventory } = ctx();
    const itemId = unique('ITM');
    const businessKey = unique('EPIC|NMC|MSG');
    await inventory.initialisePosition(openingPosition('NMC-OR', itemId, 60));
    const first = usageOutcome(openingPosition('NMC-OR', itemId, 60), businessKey, 5);
    await inventory.applyMovement(0, first);
    return { inventory, itemId, businessKey, first };
  };

  it('initialisePosition creates a position and never overwrites an existing one', async () => {
    const { inventory } = ctx();
    const itemId = unique('ITM');
    await inventory.initialisePosition(openingPosition('NMC-OR', itemId, 60));
    await inventory.initialisePosition(openingPosition('NMC-OR', itemId, 999));
    const position = await inventory.getPosition('NMC-OR', itemId);
    expect(position?.onHand).toBe(60);
    expect(position?.version).toBe(0);
    expect(position).toStrictEqual(openingPosition('NMC-OR', itemId, 60));
  });

  it('returns undefined for a position that was never initialised', async () => {
    expect(await ctx().inventory.getPosition('NMC-OR', unique('ITM'))).toBe(undefined);
  });

  it('applies a movement: position, movement and dedup record land together', async () => {
    const { inventory } = ctx();
    const itemId = unique('ITM');
    await inventory.initialisePosition(openingPosition('NMC-OR', itemId, 60));
    const outcome = usageOutcome(openingPosition('NMC-OR', itemId, 60), unique('EPIC|NMC|MSG'), 3);
    const result = await inventory.applyMovement(0, outcome);
    expect(result.applied).toBe(true);
    expect(await inventory.getPosition('NMC-OR', itemId)).toStrictEqual(outcome.position);
    expect(await inventory.listMovements('NMC-OR', itemId, 10)).toStrictEqual([outcome.movement]);
    expect(await inventory.findOutcome(outcome.businessKey)).toStrictEqual(outcome);
  });

  it('returns the stored outcome and changes nothing when the business key was already applied', async () => {
    const { inventory, itemId, businessKey, first } = await usedOnce();
    // The redelivery computes on top of the already-moved position (version 1) and must still be refused.
    const again = usageOutcome(first.position, businessKey, 5);
    const result = await inventory.applyMovement(1, again);
    expect(result.applied).toBe(false);
    expect(result.outcome).toStrictEqual(first);
    const position = await inventory.getPosition('NMC-OR', itemId);
    expect(position?.onHand).toBe(55);
    expect(position?.version).toBe(1);
    expect((await inventory.listMovements('NMC-OR', itemId, 10)).length).toBe(1);
  });

  it('reports a duplicate even when the position also moved since it was read', async () => {
    const { inventory, itemId, businessKey, first } = await usedOnce();
    const stale = await inventory.applyMovement(0, usageOutcome(openingPosition('NMC-OR', itemId, 60), businessKey, 5));
    expect(stale.applied).toBe(false);
    expect(stale.outcome).toStrictEqual(first);
  });

  it('throws ConcurrencyError when the position version moved since it was read', async () => {
    const { inventory } = ctx();
    const itemId = unique('ITM');
    await inventory.initialisePosition(openingPosition('NMC-OR', itemId, 60));
    const opening = openingPosition('NMC-OR', itemId, 60);
    await inventory.applyMovement(0, usageOutcome(opening, unique('EPIC|NMC|A'), 1));
    const staleKey = unique('EPIC|NMC|B');
    await expect(inventory.applyMovement(0, usageOutcome(opening, staleKey, 1))).rejects.toThrow(ConcurrencyError);
    // Nothing of the refused transaction landed: the key can still be applied later.
    expect(await inventory.findOutcome(staleKey)).toBe(undefined);
    expect((await inventory.getPosition('NMC-OR', itemId))?.onHand).toBe(59);
  });

  it('throws ConcurrencyError when creating a position that another writer created first', async () => {
    const { inventory } = ctx();
    const itemId = unique('ITM');
    await inventory.initialisePosition(openingPosition('NMC-OR', itemId, 60));
    await expect(inventory.applyMovement(undefined, usageOutcome(openingPosition('NMC-OR', itemId, 0), unique('EPIC|NMC|C'), 1))).rejects.toThrow(ConcurrencyError);
  });

  it('creates the position with the first movement when expectedVersion is undefined', async () => {
    const { inventory } = ctx();
    const itemId = unique('ITM');
    const result = await inventory.applyMovement(undefined, usageOutcome(openingPosition('NMC-OR', itemId, 10), unique('EPIC|NMC|D'), 2));
    expect(result.applied).toBe(true);
    expect((await inventory.getPosition('NMC-OR', itemId))?.onHand).toBe(8);
  });

  it('lists movements latest first, up to the limit', async () => {
    const { inventory } = ctx();
    const itemId = unique('ITM');
    await inventory.initialisePosition(openingPosition('NMC-OR', itemId, 60));
    let current = openingPosition('NMC-OR', itemId, 60);
    for (let i = 0; i < 4; i++) {
      const outcome = usageOutcome(current, `EPIC|NMC|M${i}-${itemId}`, 1, `2026-11-20T09:0${i}:00.000Z`);
      await inventory.applyMovement(current.version, outcome);
      current = outcome.position;
    }
    const movements = await inventory.listMovements('NMC-OR', itemId, 3);
    expect(movements.map((m) => m.at)).toStrictEqual(['2026-11-20T09:03:00.000Z', '2026-11-20T09:02:00.000Z', '2026-11-20T09:01:00.000Z']);
  });

  if (!options.concurrency) {
    return;
  }

  it('applies a business key exactly once when 20 writers apply it concurrently', async () => {
    const { inventory } = ctx();
    const itemId = unique('ITM');
    const businessKey = unique('EPIC|NMC|DUP');
    await inventory.initialisePosition(openingPosition('NMC-OR', itemId, 60));
    const results = await Promise.all(Array.from({ length: 20 }, () => applyWithRetry(inventory, 'NMC-OR', itemId, businessKey, 4)));
    expect(results.filter((r) => r.applied).length).toBe(1);
    const position = await inventory.getPosition('NMC-OR', itemId);
    expect(position?.onHand).toBe(56);
    expect(position?.version).toBe(1);
    expect((await inventory.listMovements('NMC-OR', itemId, 50)).length).toBe(1);
    // Every duplicate saw the one stored outcome.
    const stored = await inventory.findOutcome(businessKey);
    for (const result of results) {
      expect(result.outcome).toStrictEqual(stored);
    }
  });

  it('applies 20 different business keys concurrently with re-read and retry, none lost', async () => {
    const { inventory } = ctx();
    const itemId = unique('ITM');
    await inventory.initialisePosition(openingPosition('NMC-OR', itemId, 60));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => applyWithRetry(inventory, 'NMC-OR', itemId, `EPIC|NMC|K${i}-${itemId}`, 2)),
    );
    expect(results.every((r) => r.applied)).toBeTruthy();
    const position = await inventory.getPosition('NMC-OR', itemId);
    expect(position?.onHand).toBe(20);
    expect(position?.version).toBe(20);
    const movements = await inventory.listMovements('NMC-OR', itemId, 50);
    expect(movements.length).toBe(20);
    // The movements' onHandAfter values are each distinct: every writer saw its predecessor's result.
    expect(movements.map((m) => m.onHandAfter).sort((a, b) => a - b)).toStrictEqual(Array.from({ length: 20 }, (_, i) => 20 + 2 * i));
  });
};

/** A small but realistic reference set: `itemCount` items at NMC-OR, enough to need several BatchWriteItem chunks. */
export const referenceDataSet = (itemCount: number, prefix = 'ITM'): ReferenceDataSet => {
  const items = Array.from({ length: itemCount }, (_, i) => {
    const n = 10001 + i;
    return {
      itemId: `${prefix}-${n}`,
      description: `Supply ${n}`,
      gtin: `1061414${String(n).padStart(7, '0')}`,
      baseUom: 'EA',
      purchaseUom: 'BX',
      conversions: [{ uom: 'BX', factor: 10 }],
      unitCost: 0.45,
      currency: 'USD',
    };
  });
  return {
    facilities: [{ facilityId: 'FAC-NMC', name: 'North Medical Center', gln: '0614141000012' }],
    locations: [{ locationId: 'NMC-OR', facilityId: 'FAC-NMC', name: 'NMC Operating Rooms', kind: 'PAR', costCenter: 'CC-NMC-OR' }],
    costCenters: [{ costCenter: 'CC-NMC-OR', name: 'NMC Surgery', facilityId: 'FAC-NMC', glAccount: '6100' }],
    items,
    parSettings: items.map((item) => ({ locationId: 'NMC-OR', itemId: item.itemId, parLevel: 100, reorderPoint: 40, initialOnHand: 60 })),
    chargeCodes: items.map((item, i) => ({ sourceSystem: 'EPIC', chargeCode: `CHG-${100001 + i}`, itemId: item.itemId })),
    departments: [{ sourceSystem: 'EPIC', facilityCode: 'NMC', departmentCode: 'OR', locationId: 'NMC-OR', costCenter: 'CC-NMC-OR' }],
  };
};

export const referenceDataScenarios = (ctx: () => { referenceData: ReferenceDataRepository }): void => {
  it('loads a reference set larger than one BatchWriteItem chunk and finds every kind of entry', async () => {
    const { referenceData } = ctx();
    const data = referenceDataSet(60);
    await referenceData.load(data);
    expect(await referenceData.getItem('ITM-10001')).toStrictEqual(data.items[0]);
    expect(await referenceData.getItem('ITM-10060')).toStrictEqual(data.items[59]);
    expect(await referenceData.findChargeCode('EPIC', 'CHG-100060')).toStrictEqual({ sourceSystem: 'EPIC', chargeCode: 'CHG-100060', itemId: 'ITM-10060' });
    expect(await referenceData.findDepartment('EPIC', 'NMC', 'OR')).toStrictEqual(data.departments[0]);
    expect(await referenceData.getLocation('NMC-OR')).toStrictEqual(data.locations[0]);
    expect(await referenceData.getFacility('FAC-NMC')).toStrictEqual(data.facilities[0]);
    expect(await referenceData.getCostCenter('CC-NMC-OR')).toStrictEqual(data.costCenters[0]);
    expect(await referenceData.getParSetting('NMC-OR', 'ITM-10042')).toStrictEqual(data.parSettings[41]);
  });

  it('finds an item by GTIN through the GSI', async () => {
    const { referenceData } = ctx();
    const data = referenceDataSet(3, 'GT');
    await referenceData.load(data);
    const wanted = data.items[1];
    expect(wanted).toBeTruthy();
    expect(await referenceData.findItemByGtin(wanted.gtin)).toStrictEqual(wanted);
    expect(await referenceData.findItemByGtin('00000000000000')).toBe(undefined);
  });

  it('answers undefined for codes that are not seeded (CHG-999999, XRAY)', async () => {
    const { referenceData } = ctx();
    expect(await referenceData.findChargeCode('EPIC', 'CHG-999999')).toBe(undefined);
    expect(await referenceData.findDepartment('EPIC', 'NMC', 'XRAY')).toBe(undefined);
    expect(await referenceData.getParSetting('NMC-OR', 'ITM-NOPE')).toBe(undefined);
  });

  it('finds a crosswalk entry added after a miss (misses are not cached)', async () => {
    const { referenceData } = ctx();
    const code = unique('CHG');
    expect(await referenceData.findChargeCode('EPIC', code)).toBe(undefined);
    await referenceData.putChargeCode({ sourceSystem: 'EPIC', chargeCode: code, itemId: 'ITM-10001' });
    expect(await referenceData.findChargeCode('EPIC', code)).toStrictEqual({ sourceSystem: 'EPIC', chargeCode: code, itemId: 'ITM-10001' });
    const dept = unique('XRAY');
    expect(await referenceData.findDepartment('EPIC', 'NMC', dept)).toBe(undefined);
    await referenceData.putDepartment({ sourceSystem: 'EPIC', facilityCode: 'NMC', departmentCode: dept, locationId: 'NMC-OR', costCenter: 'CC-NMC-OR' });
    expect((await referenceData.findDepartment('EPIC', 'NMC', dept))?.locationId).toBe('NMC-OR');
  });

  it('load is idempotent: loading the same set twice leaves the same entries', async () => {
    const { referenceData } = ctx();
    const data = referenceDataSet(30, 'IDEM');
    await referenceData.load(data);
    await referenceData.load(data);
    expect(await referenceData.getItem('IDEM-10030')).toStrictEqual(data.items[29]);
  });
};

export const transactionLogScenarios = (ctx: () => { transactions: TransactionLog }): void => {
  it('lists the hops of one correlation id oldest first, and none of another', async () => {
    const { transactions } = ctx();
    const correlationId = unique('corr');
    await transactions.record({ correlationId, hop: 'applied', status: 'ok', at: '2026-11-20T09:00:02.000Z', detail: { lineNumber: 1, onHand: 57 } });
    await transactions.record({ correlationId, hop: 'received', status: 'ok', at: '2026-11-20T09:00:00.000Z' });
    await transactions.record({ correlationId, hop: 'mapped', status: 'ok', at: '2026-11-20T09:00:01.000Z', detail: { lines: 1 } });
    await transactions.record({ correlationId: unique('other'), hop: 'received', status: 'ok', at: '2026-11-20T09:00:00.000Z' });
    const hops = await transactions.list(correlationId);
    expect(hops.map((h) => h.hop)).toStrictEqual(['received', 'mapped', 'applied']);
    expect(hops[2]).toStrictEqual({ correlationId, hop: 'applied', status: 'ok', at: '2026-11-20T09:00:02.000Z', detail: { lineNumber: 1, onHand: 57 } });
  });

  it('keeps two hops recorded with the same timestamp', async () => {
    const { transactions } = ctx();
    const correlationId = unique('corr');
    const at = '2026-11-20T09:00:00.000Z';
    await transactions.record({ correlationId, hop: 'applied', status: 'ok', at, detail: { lineNumber: 1 } });
    await transactions.record({ correlationId, hop: 'applied', status: 'ok', at, detail: { lineNumber: 2 } });
    expect((await transactions.list(correlationId)).map((h) => h.detail?.lineNumber)).toStrictEqual([1, 2]);
  });

  it('lists received hops in a window across days, oldest first, excluding the window end and other hops', async () => {
    const { transactions } = ctx();
    const [early, late, atEnd, other] = [unique('rcv-a'), unique('rcv-b'), unique('rcv-c'), unique('rcv-d')];
    await transactions.record({ correlationId: late, hop: 'received', status: 'ok', at: '2031-01-02T00:00:01.000Z' });
    await transactions.record({ correlationId: early, hop: 'received', status: 'ok', at: '2031-01-01T23:59:59.000Z' });
    await transactions.record({ correlationId: early, hop: 'mapped', status: 'ok', at: '2031-01-02T00:00:00.000Z' });
    await transactions.record({ correlationId: atEnd, hop: 'received', status: 'ok', at: '2031-01-02T01:00:00.000Z' });
    await transactions.record({ correlationId: other, hop: 'received', status: 'ok', at: '2031-01-01T00:00:00.000Z' });
    const mine = new Set([early, late, atEnd, other]);
    // One entry per page, to cross pages as well as days; other scenarios' hops may share the window.
    const seen: { correlationId: string; receivedAt: string }[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 50; pages += 1) {
      const page = await transactions.listReceived({ from: '2031-01-01T12:00:00.000Z', to: '2031-01-02T01:00:00.000Z' }, 1, after);
      for (const r of page.received) if (mine.has(r.correlationId)) seen.push({ correlationId: r.correlationId, receivedAt: r.receivedAt });
      if (page.next === undefined) break;
      after = page.next;
    }
    expect(seen).toStrictEqual([
      { correlationId: early, receivedAt: '2031-01-01T23:59:59.000Z' },
      { correlationId: late, receivedAt: '2031-01-02T00:00:01.000Z' },
    ]);
  });
};

export const usageException = (overrides: Partial<UsageException> = {}): UsageException => {
  const exceptionId = overrides.exceptionId ?? unique('exc');
  return {
    exceptionId,
    status: 'OPEN',
    businessKey: `EPIC|NMC|${exceptionId}|1`,
    correlationId: `corr-${exceptionId}`,
    reasons: ['UNKNOWN_CHARGE_CODE'],
    usage: {
      sourceSystem: 'EPIC',
      facilityCode: 'NMC',
      messageControlId: exceptionId,
      sourceFormat: 'HL7v2:DFT^P03',
      occurredAt: '2026-11-20T09:00:00.000Z',
      departmentCode: 'OR',
      lines: [{ lineNumber: 1, item: { system: 'CHARGE', value: 'CHG-999999' }, quantity: 1, transactionType: 'CHARGE', serviceDate: '2026-11-20T09:00:00.000Z' }],
    },
    lineNumber: 1,
    createdAt: '2026-11-20T09:00:00.000Z',
    ...overrides,
  };
};

export const exceptionScenarios = (ctx: () => { exceptions: ExceptionRepository }): void => {
  it('saves, gets and lists exceptions by status; markResolved moves one from OPEN to RESOLVED', async () => {
    const { exceptions } = ctx();
    const a = usageException({ createdAt: '2026-11-20T09:00:01.000Z' });
    const b = usageException({ createdAt: '2026-11-20T09:00:02.000Z' });
    await exceptions.save(b);
    await exceptions.save(a);
    expect(await exceptions.get(a.exceptionId)).toStrictEqual(a);
    const open = (await exceptions.list('OPEN', 1000)).filter((e) => e.exceptionId === a.exceptionId || e.exceptionId === b.exceptionId);
    expect(open.map((e) => e.exceptionId)).toStrictEqual([a.exceptionId, b.exceptionId]);
    await exceptions.markResolved(a.exceptionId, '2026-11-20T10:00:00.000Z');
    expect(await exceptions.get(a.exceptionId)).toStrictEqual({ ...a, status: 'RESOLVED', resolvedAt: '2026-11-20T10:00:00.000Z' });
    const ids = async (status: UsageException['status']): Promise<string[]> => (await exceptions.list(status, 1000)).map((e) => e.exceptionId);
    expect((await ids('RESOLVED')).includes(a.exceptionId)).toBeTruthy();
    expect(!(await ids('OPEN')).includes(a.exceptionId)).toBeTruthy();
    expect((await ids('OPEN')).includes(b.exceptionId)).toBeTruthy();
  });

  it('save is idempotent and never re-opens a resolved exception', async () => {
    const { exceptions } = ctx();
    const exception = usageException();
    await exceptions.save(exception);
    await exceptions.markResolved(exception.exceptionId, '2026-11-20T10:00:00.000Z');
    await exceptions.save(exception);
    expect((await exceptions.get(exception.exceptionId))?.status).toBe('RESOLVED');
  });

  it('list honours the limit', async () => {
    const { exceptions } = ctx();
    for (let i = 0; i < 3; i++) {
      await exceptions.save(usageException());
    }
    expect((await exceptions.list('OPEN', 2)).length).toBe(2);
  });

  it('markResolved throws NotFoundError for an unknown id and ConflictError when already resolved', async () => {
    const { exceptions } = ctx();
    await expect(exceptions.markResolved(unique('missing'), '2026-11-20T10:00:00.000Z')).rejects.toThrow(NotFoundError);
    const exception = usageException();
    await exceptions.save(exception);
    await exceptions.markResolved(exception.exceptionId, '2026-11-20T10:00:00.000Z');
    await expect(exceptions.markResolved(exception.exceptionId, '2026-11-20T11:00:00.000Z')).rejects.toThrow(ConflictError);
  });
};

export const auditScenarios = (ctx: () => { audit: AuditLog }, options: ScenarioOptions): void => {
  it('appends hash-chained records that verify, keeping only the payload hash', async () => {
    const { audit } = ctx();
    const first = await audit.append({ actor: 'ApplyUsageLine', action: 'INVENTORY_DECREMENTED', entity: 'POS#NMC-OR#ITM-10001', correlationId: 'c-1', payload: { onHand: 57 } });
    const second = await audit.append({ actor: 'ops', action: 'EXCEPTION_RESOLVED', entity: 'EXC#1', correlationId: 'c-2', payload: { note: 'fixed' } });
    expect(second.seq).toBe(first.seq + 1);
    expect(second.previousHash).toBe(first.hash);
    const records = await audit.list();
    expect(records.slice(-2)).toStrictEqual([first, second]);
    expect(verifyChain(records)).toStrictEqual({ ok: true, count: records.length, headHash: second.hash });
    expect(!JSON.stringify(records).includes('fixed')).toBeTruthy();
    expect(await audit.list(second.seq)).toStrictEqual([second]);
    expect(await audit.list(1, 1)).toStrictEqual([records[0]]);
  });

  if (!options.concurrency) {
    return;
  }

  it('keeps one unbroken chain when 20 writers append concurrently', async () => {
    const { audit } = ctx();
    const before = (await audit.list()).length;
    const appended = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        audit.append({ actor: 'test', action: 'CONCURRENT_APPEND', entity: `E#${i}`, correlationId: `c-${i}`, payload: { i } }),
      ),
    );
    const records = await audit.list();
    expect(records.length).toBe(before + 20);
    expect(appended.map((r) => r.seq).sort((a, b) => a - b)).toStrictEqual(Array.from({ length: 20 }, (_, i) => before + 1 + i));
    expect(verifyChain(records).ok).toBe(true);
  });
};

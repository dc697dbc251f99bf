/**
 * In-memory implementations of every port in `functions/domain/ports.ts`, plus an in-memory
 * Powertools idempotency persistence layer and a small reference data set built on the seeded
 * hospital's anchor rows. Unit tests across the project build their dependencies from here.
 * They keep the semantics the real adapters promise (exactly-once movements with a version check,
 * a real hash chain, idempotent exception saves) so a use case tested here behaves the same on AWS.
 */
import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import type { BusEvent, CostPosted, EventDetailType, EventEnvelope, ReplenishmentRequested } from '../../contracts/events';
import type { ApVoucher } from '../../contracts/procurement';
import type { UsageMessage } from '../../contracts/usage';
import type {
  ChargeCodeCrosswalk,
  CostCenter,
  DepartmentCrosswalk,
  Facility,
  Item,
  Location,
  ParSetting,
  ReferenceDataSet,
} from '../../contracts/reference';
import { nextAuditRecord } from '../../functions/domain/audit-chain';
import { ConcurrencyError, NotFoundError } from '../../functions/domain/errors';
import type {
  ApplyMovementResult,
  AuditEntry,
  AuditLog,
  AuditRecord,
  Clock,
  DeadLetterMessage,
  DeadLetterQueues,
  EncounterKeyProvider,
  EventPublisher,
  EventReplayer,
  ExceptionRepository,
  FinanceJournalLine,
  FinanceLedger,
  InventoryMovement,
  InventoryPosition,
  InventoryRepository,
  MovementOutcome,
  ReferenceDataRepository,
  ReplayRequest,
  ReplayStarted,
  ReceivedPage,
  TransactionHop,
  TransactionLog,
  UsageException,
  UsageLineOutcome,
} from '../../functions/domain/ports';
import type { MappedUsageLine } from '../../functions/domain/usage-mapping';
import type { HandlerDependencies } from '../../functions/handlers/shared/deps';

/** JSON round trip: what a real store gives back (no shared references with the caller). */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Reference data held in maps, loaded from a `ReferenceDataSet`. */
export class InMemoryReferenceData implements ReferenceDataRepository {
  readonly items = new Map<string, Item>();
  readonly facilities = new Map<string, Facility>();
  readonly locations = new Map<string, Location>();
  readonly costCenters = new Map<string, CostCenter>();
  readonly parSettings = new Map<string, ParSetting>();
  readonly chargeCodes = new Map<string, ChargeCodeCrosswalk>();
  readonly departments = new Map<string, DepartmentCrosswalk>();

  constructor(data?: ReferenceDataSet) {
    if (data !== undefined) this.#load(data);
  }

  async getItem(itemId: string): Promise<Item | undefined> {
    return this.items.get(itemId);
  }
  async findItemByGtin(gtin: string): Promise<Item | undefined> {
    return [...this.items.values()].find((i) => i.gtin === gtin);
  }
  async findChargeCode(sourceSystem: string, chargeCode: string): Promise<ChargeCodeCrosswalk | undefined> {
    return this.chargeCodes.get(`${sourceSystem}|${chargeCode}`);
  }
  async findDepartment(sourceSystem: string, facilityCode: string, departmentCode: string): Promise<DepartmentCrosswalk | undefined> {
    return this.departments.get(`${sourceSystem}|${facilityCode}|${departmentCode}`);
  }
  async getLocation(locationId: string): Promise<Location | undefined> {
    return this.locations.get(locationId);
  }
  async getFacility(facilityId: string): Promise<Facility | undefined> {
    return this.facilities.get(facilityId);
  }
  async getCostCenter(costCenter: string): Promise<CostCenter | undefined> {
    return this.costCenters.get(costCenter);
  }
  async getParSetting(locationId: string, itemId: string): Promise<ParSetting | undefined> {
    return this.parSettings.get(`${locationId}|${itemId}`);
  }
  async putChargeCode(entry: ChargeCodeCrosswalk): Promise<void> {
    this.chargeCodes.set(`${entry.sourceSystem}|${entry.chargeCode}`, copy(entry));
  }
  async putDepartment(entry: DepartmentCrosswalk): Promise<void> {
    this.departments.set(`${entry.sourceSystem}|${entry.facilityCode}|${entry.departmentCode}`, copy(entry));
  }
  async load(data: ReferenceDataSet): Promise<void> {
    this.#load(data);
  }

  #load(data: ReferenceDataSet): void {
    for (const f of data.facilities) this.facilities.set(f.facilityId, copy(f));
    for (const l of data.locations) this.locations.set(l.locationId, copy(l));
    for (const c of data.costCenters) this.costCenters.set(c.costCenter, copy(c));
    for (const i of data.items) this.items.set(i.itemId, copy(i));
    for (const p of data.parSettings) this.parSettings.set(`${p.locationId}|${p.itemId}`, copy(p));
    for (const c of data.chargeCodes) this.chargeCodes.set(`${c.sourceSystem}|${c.chargeCode}`, copy(c));
    for (const d of data.departments) this.departments.set(`${d.sourceSystem}|${d.facilityCode}|${d.departmentCode}`, copy(d));
  }
}

/**
 * Positions with exactly-once movements: the dedup check, the version check and the writes happen
 * together (as the DynamoDB transaction does). `collideNext(n)` makes the next n applies fail with
 * `ConcurrencyError` after moving the position, as a concurrent writer would.
 */
export class InMemoryInventory implements InventoryRepository {
  readonly positions = new Map<string, InventoryPosition>();
  readonly movements = new Map<string, InventoryMovement[]>();
  readonly outcomes = new Map<string, MovementOutcome>();
  /** Every call of applyMovement, including the rejected ones. */
  applyCalls = 0;
  #collisions = 0;

  async getPosition(locationId: string, itemId: string): Promise<InventoryPosition | undefined> {
    const p = this.positions.get(`${locationId}|${itemId}`);
    return p === undefined ? undefined : copy(p);
  }

  async listMovements(locationId: string, itemId: string, limit: number): Promise<InventoryMovement[]> {
    return copy((this.movements.get(`${locationId}|${itemId}`) ?? []).slice().reverse().slice(0, limit));
  }

  async applyMovement<O extends MovementOutcome = UsageLineOutcome>(expectedVersion: number | undefined, outcome: O): Promise<ApplyMovementResult<O>> {
    this.applyCalls += 1;
    const stored = this.outcomes.get(outcome.businessKey);
    if (stored !== undefined) return { applied: false, outcome: copy(stored) as O };
    const key = `${outcome.position.locationId}|${outcome.position.itemId}`;
    if (this.#collisions > 0) {
      this.#collisions -= 1;
      const current = this.positions.get(key);
      if (current !== undefined) this.positions.set(key, { ...current, version: current.version + 1 });
      throw new ConcurrencyError('simulated concurrent writer');
    }
    const current = this.positions.get(key);
    const versionMatches = expectedVersion === undefined ? current === undefined : current?.version === expectedVersion;
    if (!versionMatches) throw new ConcurrencyError('inventory position moved since it was read');
    this.positions.set(key, copy(outcome.position));
    this.movements.set(key, [...(this.movements.get(key) ?? []), copy(outcome.movement)]);
    this.outcomes.set(outcome.businessKey, copy(outcome));
    return { applied: true, outcome: copy(outcome) };
  }

  async findOutcome(businessKey: string): Promise<UsageLineOutcome | undefined> {
    const stored = this.outcomes.get(businessKey);
    return stored === undefined ? undefined : (copy(stored) as UsageLineOutcome);
  }

  async initialisePosition(position: InventoryPosition): Promise<void> {
    const key = `${position.locationId}|${position.itemId}`;
    if (!this.positions.has(key)) this.positions.set(key, copy(position));
  }

  /** The next `n` applies collide with a simulated concurrent writer. */
  collideNext(n: number): void {
    this.#collisions = n;
  }
}

/** Hops in arrival order. */
export class InMemoryTransactionLog implements TransactionLog {
  readonly hops: TransactionHop[] = [];
  async record(hop: TransactionHop): Promise<void> {
    this.hops.push(copy(hop));
  }
  async list(correlationId: string): Promise<TransactionHop[]> {
    return copy(this.hops.filter((h) => h.correlationId === correlationId));
  }
  /** Same order and positions as the DynamoDB adapter (`<at>#<correlationId>`). */
  async listReceived(window: { from: string; to: string }, limit: number, after?: string): Promise<ReceivedPage> {
    const received = this.hops
      .filter((h) => h.hop === 'received' && h.at >= window.from && h.at < window.to)
      .map((h) => ({ correlationId: h.correlationId, receivedAt: h.at, position: `${h.at}#${h.correlationId}` }))
      .filter((r) => after === undefined || r.position > after)
      .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))
      .slice(0, limit);
    const last = received.at(-1);
    return { received, ...(received.length >= limit && last !== undefined ? { next: last.position } : {}) };
  }
  /** The hop names of one transaction, in order (handy in assertions). */
  hopNames(correlationId: string): TransactionHop['hop'][] {
    return this.hops.filter((h) => h.correlationId === correlationId).map((h) => h.hop);
  }
}

/** Exceptions keyed on their id (saves are idempotent upserts). */
export class InMemoryExceptions implements ExceptionRepository {
  readonly byId = new Map<string, UsageException>();
  async save(exception: UsageException): Promise<void> {
    this.byId.set(exception.exceptionId, copy(exception));
  }
  async get(exceptionId: string): Promise<UsageException | undefined> {
    const e = this.byId.get(exceptionId);
    return e === undefined ? undefined : copy(e);
  }
  async list(status: UsageException['status'], limit: number): Promise<UsageException[]> {
    return copy(
      [...this.byId.values()]
        .filter((e) => e.status === status)
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
        .slice(0, limit),
    );
  }
  async markResolved(exceptionId: string, at: string): Promise<void> {
    const e = this.byId.get(exceptionId);
    if (e === undefined) throw new NotFoundError(`no exception ${exceptionId}`);
    this.byId.set(exceptionId, { ...e, status: 'RESOLVED', resolvedAt: at });
  }
}

/** The audit log with the real hash chain (`nextAuditRecord`). */
export class InMemoryAuditLog implements AuditLog {
  readonly records: AuditRecord[] = [];
  constructor(private readonly clock: Clock) {}
  async append(entry: AuditEntry): Promise<AuditRecord> {
    const record = nextAuditRecord(this.records.at(-1), entry, this.clock.now().toISOString());
    this.records.push(record);
    return copy(record);
  }
  async list(fromSeq = 1, limit = Number.MAX_SAFE_INTEGER): Promise<AuditRecord[]> {
    return copy(this.records.filter((r) => r.seq >= fromSeq).slice(0, limit));
  }
  /** The actions appended so far, in order. */
  actions(): string[] {
    return this.records.map((r) => r.action);
  }
}

/** Records published events; `failNext(error)` makes the next publish throw (nothing recorded). */
export class RecordingEventPublisher implements EventPublisher {
  readonly events: BusEvent[] = [];
  #failures: Error[] = [];
  async publish(events: readonly BusEvent[]): Promise<void> {
    const failure = this.#failures.shift();
    if (failure !== undefined) throw failure;
    this.events.push(...copy(events));
  }
  failNext(error: Error): void {
    this.#failures.push(error);
  }
  ofType(detailType: EventDetailType): BusEvent[] {
    return this.events.filter((e) => e.detailType === detailType);
  }
}

/**
 * A finance ledger that books journal lines, idempotent on `idempotencyKey` (a second post of the
 * same key returns the first journal id, as the real ledger does). `script(...)` queues errors the
 * next posts throw, in order.
 */
export class ScriptedFinanceLedger implements FinanceLedger {
  readonly journal = new Map<string, { journalId: string; line: FinanceJournalLine }>();
  calls = 0;
  #script: Error[] = [];
  async postJournalLine(line: FinanceJournalLine): Promise<{ journalId: string }> {
    this.calls += 1;
    const failure = this.#script.shift();
    if (failure !== undefined) throw failure;
    const existing = this.journal.get(line.idempotencyKey);
    if (existing !== undefined) return { journalId: existing.journalId };
    const journalId = `JE-${String(this.journal.size + 1).padStart(6, '0')}`;
    this.journal.set(line.idempotencyKey, { journalId, line: copy(line) });
    return { journalId };
  }
  /** AP vouchers booked, keyed on `voucherId` (a second post of a voucher returns its first journal id). */
  readonly apVouchers = new Map<string, { journalId: string; voucher: ApVoucher }>();
  async postApVoucher(voucher: ApVoucher): Promise<{ journalId: string }> {
    this.calls += 1;
    const failure = this.#script.shift();
    if (failure !== undefined) throw failure;
    const existing = this.apVouchers.get(voucher.voucherId);
    if (existing !== undefined) return { journalId: existing.journalId };
    const journalId = `APJ-${String(this.apVouchers.size + 1).padStart(6, '0')}`;
    this.apVouchers.set(voucher.voucherId, { journalId, voucher: copy(voucher) });
    return { journalId };
  }
  script(...failures: Error[]): void {
    this.#script.push(...failures);
  }
}

/** Dead-letter queues as arrays. */
export class InMemoryDeadLetterQueues implements DeadLetterQueues {
  readonly queues = new Map<string, { sourceQueue: string; messages: DeadLetterMessage[]; redriven: DeadLetterMessage[] }>();
  add(name: string, sourceQueue: string, messages: DeadLetterMessage[] = []): void {
    this.queues.set(name, { sourceQueue, messages: [...messages], redriven: [] });
  }
  async list(): Promise<{ name: string; sourceQueue: string; depth: number }[]> {
    return [...this.queues.entries()].map(([name, q]) => ({ name, sourceQueue: q.sourceQueue, depth: q.messages.length }));
  }
  async peek(name: string, max: number): Promise<DeadLetterMessage[]> {
    return copy(this.#get(name).messages.slice(0, max));
  }
  async redrive(name: string): Promise<{ moved: number }> {
    const q = this.#get(name);
    const moved = q.messages.splice(0, q.messages.length);
    q.redriven.push(...moved);
    return { moved: moved.length };
  }
  #get(name: string): { sourceQueue: string; messages: DeadLetterMessage[]; redriven: DeadLetterMessage[] } {
    const q = this.queues.get(name);
    if (q === undefined) throw new NotFoundError(`no dead-letter queue ${name}`);
    return q;
  }
}

/** Records every replay it is asked to start; `failNext(error)` makes the next one throw. */
export class RecordingEventReplayer implements EventReplayer {
  readonly replays: ReplayRequest[] = [];
  #failures: Error[] = [];
  async startReplay(request: ReplayRequest): Promise<ReplayStarted> {
    const failure = this.#failures.shift();
    if (failure !== undefined) throw failure;
    this.replays.push(copy(request));
    return { replayName: request.replayName, state: 'STARTING' };
  }
  failNext(error: Error): void {
    this.#failures.push(error);
  }
}

/** A clock that stands still until told to move. */
export class FixedClock implements Clock {
  #now: Date;
  constructor(iso = '2025-03-14T09:30:00.000Z') {
    this.#now = new Date(iso);
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now = new Date(this.#now.getTime() + ms);
  }
  set(iso: string): void {
    this.#now = new Date(iso);
  }
}

/** A fixed HMAC key for encounter references. */
export class StaticEncounterKey implements EncounterKeyProvider {
  constructor(private readonly key: Uint8Array = new Uint8Array(32).fill(7)) {}
  async getKey(): Promise<Uint8Array> {
    return this.key;
  }
}

/**
 * Powertools idempotency records in a map, with the DynamoDB layer's put condition: a record can
 * be written when none exists, when it expired, or when an in-progress record's lock timed out.
 */
export class InMemoryPersistenceLayer extends BasePersistenceLayer {
  readonly records = new Map<string, IdempotencyRecord>();

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    if (existing !== undefined) {
      const lockTimedOut =
        existing.getStatus() === 'INPROGRESS' &&
        existing.inProgressExpiryTimestamp !== undefined &&
        existing.inProgressExpiryTimestamp < Date.now();
      if (!existing.isExpired() && !lockTimedOut) {
        throw new IdempotencyItemAlreadyExistsError(`record exists for ${record.idempotencyKey}`, existing);
      }
    }
    this.records.set(record.idempotencyKey, record);
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.records.get(idempotencyKey);
    if (record === undefined) throw new IdempotencyItemNotFoundError(`no record for ${idempotencyKey}`);
    return record;
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const responseData = record.responseData === undefined ? undefined : copy(record.responseData);
    this.records.set(record.idempotencyKey, new IdempotencyRecord({
        idempotencyKey: record.idempotencyKey,
        status: record.getStatus(),
        expiryTimestamp: record.expiryTimestamp,
        inProgressExpiryTimestamp: record.inProgressExpiryTimestamp,
        payloadHash: record.payloadHash,
        responseData,
      }));
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

/** Every fake, typed as itself so tests can inspect and script it. */
export interface Fakes {
  referenceData: InMemoryReferenceData;
  inventory: InMemoryInventory;
  events: RecordingEventPublisher;
  transactions: InMemoryTransactionLog;
  exceptions: InMemoryExceptions;
  audit: InMemoryAuditLog;
  finance: ScriptedFinanceLedger;
  encounterKey: StaticEncounterKey;
  deadLetterQueues: InMemoryDeadLetterQueues;
  eventReplayer: RecordingEventReplayer;
  clock: FixedClock;
  idempotencyStore: InMemoryPersistenceLayer;
}

/**
 * A full set of in-memory dependencies (they satisfy `HandlerDependencies`), loaded with
 * `testReferenceData()` and an initialised position for every par setting unless told otherwise.
 */
export const fakeDependencies = (options: { referenceData?: ReferenceDataSet; initialisePositions?: boolean } = {}): Fakes => {
  const data = options.referenceData ?? testReferenceData();
  const clock = new FixedClock();
  const fakes: Fakes = {
    referenceData: new InMemoryReferenceData(data),
    inventory: new InMemoryInventory(),
    events: new RecordingEventPublisher(),
    transactions: new InMemoryTransactionLog(),
    exceptions: new InMemoryExceptions(),
    audit: new InMemoryAuditLog(clock),
    finance: new ScriptedFinanceLedger(),
    encounterKey: new StaticEncounterKey(),
    deadLetterQueues: new InMemoryDeadLetterQueues(),
    eventReplayer: new RecordingEventReplayer(),
    clock,
    idempotencyStore: new InMemoryPersistenceLayer(),
  };
  if (options.initialisePositions !== false) {
    for (const par of data.parSettings) {
      const item = data.items.find((i) => i.itemId === par.itemId);
      fakes.inventory.positions.set(`${par.locationId}|${par.itemId}`, {
        locationId: par.locationId,
        itemId: par.itemId,
        onHand: par.initialOnHand,
        onOrder: 0,
        parLevel: par.parLevel,
        reorderPoint: par.reorderPoint,
        baseUom: item?.baseUom ?? 'EA',
        version: 0,
        updatedAt: clock.now().toISOString(),
      });
    }
  }
  return fakes;
};

/** The fakes as the handler dependency container (compile-time check that every port is covered). */
export const asHandlerDependencies = (fakes: Fakes): HandlerDependencies => fakes;

/**
 * A small reference data set on the seeded hospital's anchor rows (see the common brief):
 * EPIC at NMC (departments OR, CATH, ED) and SCH (OR); CHG-100001 → ITM-10001 (gauze, 1 BX = 10 EA,
 * 0.45 USD, par 100 / reorder 40 / on hand 60 at NMC-OR); CHG-100002 → ITM-10002 (suture,
 * 1 BX = 12 EA, 3.10 USD, par 48 / reorder 12 / on hand 30 at NMC-OR); ITM-10003 (gloves, CS = 100 EA)
 * with a par at NMC-CATH only. CHG-999999 and department XRAY are deliberately absent.
 */
export const testReferenceData = (): ReferenceDataSet => ({
  facilities: [
    { facilityId: 'FAC-NMC', name: 'North Medical Center', gln: '0614141000012' },
    { facilityId: 'FAC-SCH', name: 'South Community Hospital', gln: '0614141000029' },
  ],
  locations: [
    { locationId: 'NMC-OR', facilityId: 'FAC-NMC', name: 'NMC Operating Rooms', kind: 'PAR', costCenter: 'CC-NMC-OR' },
    { locationId: 'NMC-CATH', facilityId: 'FAC-NMC', name: 'NMC Cath Lab', kind: 'PAR', costCenter: 'CC-NMC-CATH' },
    { locationId: 'NMC-ED', facilityId: 'FAC-NMC', name: 'NMC Emergency', kind: 'PAR', costCenter: 'CC-NMC-ED' },
    { locationId: 'SCH-OR', facilityId: 'FAC-SCH', name: 'SCH Operating Rooms', kind: 'PAR', costCenter: 'CC-SCH-OR' },
  ],
  costCenters: [
    { costCenter: 'CC-NMC-OR', name: 'NMC Surgery', facilityId: 'FAC-NMC', glAccount: '6100-100' },
    { costCenter: 'CC-NMC-CATH', name: 'NMC Cardiology', facilityId: 'FAC-NMC', glAccount: '6100-200' },
    { costCenter: 'CC-NMC-ED', name: 'NMC Emergency', facilityId: 'FAC-NMC', glAccount: '6100-300' },
    { costCenter: 'CC-SCH-OR', name: 'SCH Surgery', facilityId: 'FAC-SCH', glAccount: '6100-100' },
  ],
  items: [
    {
      itemId: 'ITM-10001',
      description: 'Sponge, gauze 4x4 in, sterile',
      gtin: '10614141000019',
      baseUom: 'EA',
      purchaseUom: 'BX',
      conversions: [{ uom: 'BX', factor: 10 }],
      unitCost: 0.45,
      currency: 'USD',
      supplierId: 'SUP-MEDLINE',
    },
    {
      itemId: 'ITM-10002',
      description: 'Suture, polyglactin 3-0, 27 in',
      gtin: '10614141000026',
      baseUom: 'EA',
      purchaseUom: 'BX',
      conversions: [{ uom: 'BX', factor: 12 }],
      unitCost: 3.1,
      currency: 'USD',
      supplierId: 'SUP-ETHICON',
    },
    {
      itemId: 'ITM-10003',
      description: 'Glove, exam, nitrile, medium',
      gtin: '10614141000033',
      baseUom: 'EA',
      purchaseUom: 'CS',
      conversions: [
        { uom: 'BX', factor: 10 },
        { uom: 'CS', factor: 100 },
      ],
      unitCost: 0.125,
      currency: 'USD',
    },
  ],
  parSettings: [
    { locationId: 'NMC-OR', itemId: 'ITM-10001', parLevel: 100, reorderPoint: 40, initialOnHand: 60 },
    { locationId: 'NMC-OR', itemId: 'ITM-10002', parLevel: 48, reorderPoint: 12, initialOnHand: 30 },
    { locationId: 'NMC-CATH', itemId: 'ITM-10003', parLevel: 400, reorderPoint: 100, initialOnHand: 250 },
  ],
  chargeCodes: [
    { sourceSystem: 'EPIC', chargeCode: 'CHG-100001', itemId: 'ITM-10001' },
    { sourceSystem: 'EPIC', chargeCode: 'CHG-100002', itemId: 'ITM-10002' },
    { sourceSystem: 'EPIC', chargeCode: 'CHG-100003', itemId: 'ITM-10003' },
  ],
  departments: [
    { sourceSystem: 'EPIC', facilityCode: 'NMC', departmentCode: 'OR', locationId: 'NMC-OR', costCenter: 'CC-NMC-OR' },
    { sourceSystem: 'EPIC', facilityCode: 'NMC', departmentCode: 'CATH', locationId: 'NMC-CATH', costCenter: 'CC-NMC-CATH' },
    { sourceSystem: 'EPIC', facilityCode: 'NMC', departmentCode: 'ED', locationId: 'NMC-ED', costCenter: 'CC-NMC-ED' },
    { sourceSystem: 'EPIC', facilityCode: 'SCH', departmentCode: 'OR', locationId: 'SCH-OR', costCenter: 'CC-SCH-OR' },
  ],
});

/** A tiny Lambda context: what handlers and Powertools read (request id, remaining time). */
export const lambdaContext = (functionName = 'hem-test'): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: `req-${Math.random().toString(16).slice(2, 10)}`,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: '2025/03/14/[$LATEST]test',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/**
 * A PHI-free usage message from EPIC at NMC, department OR: line 1 = 6 EA of CHG-100001 (gauze).
 * Override anything; `lines` replaces the lines wholesale.
 */
export const sampleUsage = (overrides: Partial<UsageMessage> = {}): UsageMessage => ({
  sourceSystem: 'EPIC',
  facilityCode: 'NMC',
  messageControlId: 'MSG00001',
  sourceFormat: 'HL7v2:DFT^P03',
  occurredAt: '2025-03-14T08:15:00.000Z',
  departmentCode: 'OR',
  encounterRef: 'enc_0123456789abcdef0123',
  lines: [
    {
      lineNumber: 1,
      item: { system: 'CHARGE', value: 'CHG-100001' },
      quantity: 6,
      uom: 'EA',
      transactionType: 'CHARGE',
      serviceDate: '2025-03-14T08:15:00.000Z',
    },
  ],
  ...overrides,
});

/**
 * `sampleUsage()` line 1 as `mapUsageLine` maps it: 6 EA of gauze (ITM-10001) used at NMC-OR, costed
 * to CC-NMC-OR / GL 6100-100, with the message's encounterRef. Override anything.
 */
export const mappedUsageLine = (overrides: Partial<MappedUsageLine> = {}): MappedUsageLine => ({
  businessKey: 'EPIC|NMC|MSG00001|1',
  correlationId: 'corr-1',
  causationId: 'evt-1',
  sourceSystem: 'EPIC',
  messageControlId: 'MSG00001',
  lineNumber: 1,
  facilityId: 'FAC-NMC',
  locationId: 'NMC-OR',
  costCenter: 'CC-NMC-OR',
  glAccount: '6100-100',
  itemId: 'ITM-10001',
  baseQuantity: 6,
  baseUom: 'EA',
  transactionType: 'CHARGE',
  serviceDate: '2025-03-14T08:15:00.000Z',
  encounterRef: 'enc_0123456789abcdef0123',
  ...overrides,
});

/** The envelope every detail below carries by default: the first line of `sampleUsage()`. */
const detailEnvelope = (detailType: EventDetailType): EventEnvelope => ({
  version: '1',
  correlationId: 'corr-1',
  causationId: 'evt-1',
  idempotencyKey: `EPIC|NMC|MSG00001|1#${detailType}`,
  occurredAt: '2025-03-14T09:30:00.000Z',
});

/** The facts of a `CostPosted` without its envelope: 6 EA of gauze at NMC-OR, 2.70 USD. */
export const gauzeCostFact = (): Omit<CostPosted, keyof EventEnvelope> => ({
  costCenter: 'CC-NMC-OR',
  glAccount: '6100-100',
  facilityId: 'FAC-NMC',
  locationId: 'NMC-OR',
  itemId: 'ITM-10001',
  quantity: 6,
  unitCost: 0.45,
  amount: 2.7,
  currency: 'USD',
  postingDate: '2025-03-14',
});

/** A valid `CostPosted` detail: 6 EA of gauze at NMC-OR, 2.70 USD. */
export const costPostedDetail = (overrides: Partial<CostPosted> = {}): CostPosted => ({
  ...detailEnvelope('CostPosted'),
  ...gauzeCostFact(),
  ...overrides,
});

/**
 * The facts of a `ReplenishmentRequested` without its envelope: gauze at NMC-OR (par 100, reorder
 * point 40) fell to 40 on hand, so 60 EA = 6 BX restore par; no supplier named.
 */
export const gauzeReplenishmentFact = (): Omit<ReplenishmentRequested, keyof EventEnvelope> => ({
  facilityId: 'FAC-NMC',
  locationId: 'NMC-OR',
  itemId: 'ITM-10001',
  onHand: 40,
  onOrder: 0,
  parLevel: 100,
  reorderPoint: 40,
  quantity: 60,
  baseUom: 'EA',
  purchaseQuantity: 6,
  purchaseUom: 'BX',
  costCenter: 'CC-NMC-OR',
});

/** A valid `ReplenishmentRequested` detail: gauze at NMC-OR, 60 EA = 6 BX. Override anything. */
export const replenishmentRequestedDetail = (overrides: Partial<ReplenishmentRequested> = {}): ReplenishmentRequested => ({
  ...detailEnvelope('ReplenishmentRequested'),
  ...gauzeReplenishmentFact(),
  ...overrides,
});

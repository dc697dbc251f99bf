/**
 * Ports: the interfaces the domain owns. Adapters in `functions/adapters/aws/` implement them over
 * DynamoDB / EventBridge / SQS; unit tests implement them in memory (`test/unit/fakes.ts`).
 */
import type { BusEvent } from '../../contracts/events';
import type { ApVoucher } from '../../contracts/procurement';
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
import type { UsageMessage } from '../../contracts/usage';
import type { MappingReason } from './errors';
import type { MappedUsageLine } from './usage-mapping';

/** Read access to the crosswalks and master data. */
export interface ReferenceDataRepository {
  getItem(itemId: string): Promise<Item | undefined>;
  findItemByGtin(gtin: string): Promise<Item | undefined>;
  findChargeCode(sourceSystem: string, chargeCode: string): Promise<ChargeCodeCrosswalk | undefined>;
  findDepartment(sourceSystem: string, facilityCode: string, departmentCode: string): Promise<DepartmentCrosswalk | undefined>;
  getLocation(locationId: string): Promise<Location | undefined>;
  getFacility(facilityId: string): Promise<Facility | undefined>;
  getCostCenter(costCenter: string): Promise<CostCenter | undefined>;
  getParSetting(locationId: string, itemId: string): Promise<ParSetting | undefined>;
  putChargeCode(entry: ChargeCodeCrosswalk): Promise<void>;
  putDepartment(entry: DepartmentCrosswalk): Promise<void>;
  /** Bulk load (seed / item master import). Idempotent. */
  load(data: ReferenceDataSet): Promise<void>;
}

/** One stock movement, as kept with the position. */
export interface InventoryMovement {
  businessKey: string;
  correlationId: string;
  /** Base units: negative = consumed, positive = restored/received. */
  delta: number;
  onHandAfter: number;
  /**
   * ON_ORDER_RELEASED: on order given back for goods that will never arrive (a rejected requisition,
   * a rejected or cancelled PO line or backorder, a PO closed short); on hand does not move (delta 0).
   */
  reason: 'USAGE' | 'REVERSAL' | 'RECEIPT' | 'ADJUSTMENT' | 'ON_ORDER_RELEASED';
  /** Base units on order changed by with this movement (negative: received or released); absent when unchanged. */
  onOrderDelta?: number;
  /** On order after the movement; present with `onOrderDelta`. */
  onOrderAfter?: number;
  at: string;
}

export interface InventoryPosition {
  locationId: string;
  itemId: string;
  onHand: number;
  /**
   * Quantity already requested for replenishment and not yet received. Invariant I2: the open
   * (unreceived, uncancelled) base quantities of this location × item's replenishment requisitions
   * and POs — raised by ReplenishmentRequested, lowered only by receipts of those POs and by
   * ON_ORDER_RELEASED movements; never below zero.
   */
  onOrder: number;
  parLevel: number;
  reorderPoint: number;
  baseUom: string;
  /** Incremented on every change: the optimistic-concurrency guard. */
  version: number;
  updatedAt: string;
}

/**
 * What any stock movement decided, stored with its dedup record so a duplicate can return it: the
 * position after the movement, the movement, and the InventoryPositionChanged event announcing it.
 */
export interface MovementOutcome {
  businessKey: string;
  position: InventoryPosition;
  movement: InventoryMovement;
  positionChanged: BusEvent;
}

/** What the apply step decided for one usage line; stored with the dedup record so a duplicate can return it. */
export interface UsageLineOutcome extends MovementOutcome {
  /** Present when the position fell to or below the reorder point and nothing suffices on order. */
  replenishment?: BusEvent;
  costPosting: BusEvent;
}

/** The outcome of a movement: usage lines by default, any `MovementOutcome` (e.g. a receipt line) when asked. */
export interface ApplyMovementResult<O extends MovementOutcome = UsageLineOutcome> {
  /** false when the business key had already been applied: nothing changed. */
  applied: boolean;
  outcome: O;
}

/** Inventory positions with exactly-once movements. */
export interface InventoryRepository {
  getPosition(locationId: string, itemId: string): Promise<InventoryPosition | undefined>;
  /** Latest movements first. */
  listMovements(locationId: string, itemId: string, limit: number): Promise<InventoryMovement[]>;
  /**
   * Apply a movement exactly once: the position update (conditional on `expectedVersion`) and the
   * dedup record keyed on `outcome.businessKey` go in one transaction. When the key exists already,
   * returns `{applied: false}` with the stored outcome. Throws `ConcurrencyError` when the position
   * moved since it was read (the caller re-reads and retries). Usage lines and receipt lines share
   * this path; their business keys never collide (`<source>|<control id>|<line>` vs `RCV|<receipt id>|<line>`).
   */
  applyMovement<O extends MovementOutcome = UsageLineOutcome>(expectedVersion: number | undefined, outcome: O): Promise<ApplyMovementResult<O>>;
  /** The stored outcome of an already-applied business key, if any. */
  findOutcome(businessKey: string): Promise<UsageLineOutcome | undefined>;
  /** Create the position if absent (seed). */
  initialisePosition(position: InventoryPosition): Promise<void>;
}

/** Publishes canonical events to the bus; throws when any entry failed (FailedEntryCount > 0). */
export interface EventPublisher {
  publish(events: readonly BusEvent[]): Promise<void>;
}

/** One hop of a business transaction, for `GET /v1/transactions/{correlationId}`. */
export interface TransactionHop {
  correlationId: string;
  hop:
    | 'received'
    | 'rejected'
    | 'mapped'
    | 'exception'
    | 'applied'
    | 'duplicate'
    | 'reorder'
    | 'cost-posted'
    | 'cost-post-failed'
    | 'reprocessed'
    // A usage message (no lineNumber) or one line of it (lineNumber) went to a dead-letter queue.
    | 'dead-lettered'
    // Procure-to-pay (issue 3): the requisition's correlationId flows through every one of these.
    | 'requisition-created'
    | 'requisition-approved'
    | 'requisition-rejected'
    | 'requisition-escalated'
    | 'po-created'
    | 'po-created-in-erp'
    | 'po-issued'
    | 'po-closed'
    | 'procurement-alert'
    | 'connector-failed'
    // Receipt to invoice (issue 3): receipts, three-way matches, AP clerk decisions, AP vouchers.
    | 'goods-received'
    | 'invoice-matched'
    | 'invoice-exception'
    | 'invoice-resolved'
    | 'voucher-posted'
    // Supplier EDI documents (issue 3): 855 / 856 / 810 applied to the PO's transaction.
    | 'po-acknowledged'
    | 'shipment-notified'
    | 'invoice-received';
  status: 'ok' | 'error' | 'skipped';
  at: string;
  /** PHI-free facts about the hop (line number, item, location, quantities, reason codes…). */
  detail?: Record<string, unknown>;
}

/** A usage message received under a correlation id, as the stuck-transaction view lists it. */
export interface ReceivedTransaction {
  correlationId: string;
  /** The `received` hop's time. */
  receivedAt: string;
  /** Opaque: pass as `after` to resume after this entry. */
  position: string;
}

/** One page of received messages, oldest first. */
export interface ReceivedPage {
  received: ReceivedTransaction[];
  /** Pass as `after` to read on; absent when the window holds no more. */
  next?: string;
}

export interface TransactionLog {
  record(hop: TransactionHop): Promise<void>;
  /** Oldest first. */
  list(correlationId: string): Promise<TransactionHop[]>;
  /**
   * The `received` hops whose time is in [`from`, `to`), oldest first (ties by correlation id), at
   * most `limit`, resuming after the `next` of a previous page. One transaction with several
   * messages appears once per message.
   */
  listReceived(window: { from: string; to: string }, limit: number, after?: string): Promise<ReceivedPage>;
}

/** A usage line that could not be mapped: kept for an operator to fix and reprocess. */
export interface UsageException {
  exceptionId: string;
  status: 'OPEN' | 'RESOLVED';
  businessKey: string;
  correlationId: string;
  reasons: MappingReason[];
  /** The PHI-free message and the failing line number, enough to reprocess. */
  usage: UsageMessage;
  lineNumber: number;
  createdAt: string;
  resolvedAt?: string;
}

export interface ExceptionRepository {
  /** Idempotent on `exceptionId` (derived from the business key). */
  save(exception: UsageException): Promise<void>;
  get(exceptionId: string): Promise<UsageException | undefined>;
  list(status: UsageException['status'], limit: number): Promise<UsageException[]>;
  markResolved(exceptionId: string, at: string): Promise<void>;
}

/** An appended audit record (hash-chained). */
export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  /** Present when the actor asserted it acted for someone (see AuditEntry.onBehalfOf). */
  onBehalfOf?: string;
  action: string;
  entity: string;
  correlationId: string;
  payloadSha256: string;
  previousHash: string;
  hash: string;
}

export interface AuditEntry {
  /** Who did it: the authenticated client (token), an IAM caller, or a `hem:` system actor. */
  actor: string;
  /** The person the actor asserted it acted for (e.g. a clerk named in the request); never the actor. */
  onBehalfOf?: string;
  action: string;
  entity: string;
  correlationId: string;
  /** Hashed, never stored: only its SHA-256 lands in the record. */
  payload: unknown;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<AuditRecord>;
  /** In chain order. */
  list(fromSeq?: number, limit?: number): Promise<AuditRecord[]>;
}

/** A cost posting as sent to the finance ledger. */
export interface FinanceJournalLine {
  idempotencyKey: string;
  correlationId: string;
  costCenter: string;
  glAccount: string;
  facilityId: string;
  itemId: string;
  quantity: number;
  unitCost: number;
  amount: number;
  currency: string;
  postingDate: string;
}

/** The finance system (GL journals). Throws `UpstreamUnavailableError` (retryable) or `UpstreamRejectedError`. */
export interface FinanceLedger {
  postJournalLine(line: FinanceJournalLine): Promise<{ journalId: string }>;
  /**
   * Posts an AP voucher (what accounts payable owes a supplier for a matched invoice), exactly once
   * per `voucher.voucherId`: a second post of the same voucher returns the first journal id.
   */
  postApVoucher(voucher: ApVoucher): Promise<{ journalId: string }>;
}

/** A clock, so tests control time. */
export interface Clock {
  now(): Date;
}

export type { MappedUsageLine };

/** The secret key behind opaque encounter references (HMAC). Fetched once and cached by the adapter. */
export interface EncounterKeyProvider {
  getKey(): Promise<Uint8Array>;
}

/** A dead-letter queue as operators see it. Messages are PHI-free by construction. */
export interface DeadLetterMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt: string;
  /** Why it was dead-lettered, when the source says (EventBridge ERROR_CODE/ERROR_MESSAGE attributes). */
  attributes: Record<string, string>;
}

/** Dead-letter queues: list depth, look inside, move messages back to their source. */
export interface DeadLetterQueues {
  list(): Promise<{ name: string; sourceQueue: string; depth: number }[]>;
  peek(name: string, max: number): Promise<DeadLetterMessage[]>;
  /** Moves every message back to its source (the queue it failed from, or the bus for events a rule target or workflow dead-lettered); returns how many moved. */
  redrive(name: string): Promise<{ moved: number }>;
}

/** A replay of a time window of the bus archive (EventBridge StartReplay). */
export interface ReplayRequest {
  /** Window start (inclusive), ISO 8601. */
  from: string;
  /** Window end (exclusive), ISO 8601. */
  to: string;
  /** Only the rules of contracts/routing.ts with these names; every rule when absent. */
  ruleNames?: readonly string[];
  /** Unique per archive: letters, digits, `.`, `-`, `_`, at most 64 characters. */
  replayName: string;
}

/** A replay that was accepted; it runs asynchronously. */
export interface ReplayStarted {
  replayName: string;
  /** EventBridge's replay state when the call returned (`STARTING` usually). */
  state: 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
  /** Archived events in the window, when known up front (the local bus knows; EventBridge reports progress later). */
  eventCount?: number;
}

/**
 * Re-delivers archived bus events of a time window to the rules. Safe because every consumer is
 * idempotent on its business key. Throws `ValidationError` for a window or rule the bus refuses.
 */
export interface EventReplayer {
  startReplay(request: ReplayRequest): Promise<ReplayStarted>;
}

/**
 * Every port, as one container. Composition roots build it: `awsDependencies()` in
 * `functions/adapters/aws/dependencies.ts` for Lambda, the local runtime for `npm start`, fakes in tests.
 * Each handler's `makeHandler` takes only the `Pick<>` it needs.
 */
export interface Dependencies {
  referenceData: ReferenceDataRepository;
  inventory: InventoryRepository;
  events: EventPublisher;
  transactions: TransactionLog;
  exceptions: ExceptionRepository;
  audit: AuditLog;
  finance: FinanceLedger;
  encounterKey: EncounterKeyProvider;
  deadLetterQueues: DeadLetterQueues;
  eventReplayer: EventReplayer;
  clock: Clock;
}

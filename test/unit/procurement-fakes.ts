/**
 * In-memory implementations of every port in `functions/domain/procurement-ports.ts`, with the
 * semantics the DynamoDB adapters promise (versions and conditional saves, idempotent creates,
 * monotonic control numbers, resend-proof EDI log, arrive-before-register waits), plus
 * `procurementFakeDependencies()`: the issue-2 fakes and these, sharing one clock.
 *
 * Everything handed in or out is copied (JSON round trip), as a real store would, so a test that
 * mutates an object it got back cannot change what is stored.
 */
import type {
  ApprovalPolicy,
  Invoice,
  InvoiceCase,
  MatchTolerances,
  PurchaseOrder,
  Receipt,
  Requisition,
  Supplier,
} from '../../contracts/procurement';
import { ConcurrencyError, NotFoundError, UpstreamUnavailableError } from '../../functions/domain/errors';
import type { Clock } from '../../functions/domain/ports';
import type {
  ControlNumberRepository,
  EdiDocumentKey,
  EdiDocumentLog,
  ErpCommandQueue,
  ErpGateway,
  ProcurementConfig,
  ProcurementRepository,
  PurchaseOrderMatchGuard,
  SupplierNetwork,
  WaitRegistry,
  WorkflowControl,
} from '../../functions/domain/procurement-ports';
import type { ErpCommand } from '../../contracts/procurement-commands';
import type { ProcurementDependencies, ProcurementHandlerDependencies } from '../../functions/handlers/shared/procurement-deps';
import { formatControlNumbers } from '../../functions/domain/use-cases/procurement/control-numbers';
import { approvalPolicyFor, buildProcurementSeed, tolerancesFor } from '../../local/seed-procurement';
import type { ProcurementSeed } from '../../local/seed-procurement';
import { fakeDependencies } from './fakes';
import type { Fakes } from './fakes';
import type { ReferenceDataSet } from '../../contracts/reference';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Newest first by `createdAt` (what the DynamoDB GSI queries return with ScanIndexForward false). */
const newestFirst = <T extends { createdAt: string }>(a: T, b: T): number => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0);

/**
 * Requisitions, POs, receipts and invoice cases in maps. POs and invoice cases carry a version that
 * starts at 1 and grows by one per save; `collidePurchaseOrderSaves(n)` / `collideInvoiceCaseSaves(n)`
 * make the next n saves fail with ConcurrencyError after moving the version, as a concurrent writer would.
 */
export class InMemoryProcurementRepository implements ProcurementRepository {
  readonly requisitions = new Map<string, Requisition>();
  /** externalRef → requisitionId (the uniqueness guard). */
  readonly requisitionByExternalRef = new Map<string, string>();
  readonly purchaseOrders = new Map<string, { po: PurchaseOrder; version: number }>();
  readonly receipts = new Map<string, Receipt>();
  readonly invoices = new Map<string, { invoice: Invoice; invoiceCase: InvoiceCase; version: number }>();
  /** Per PO, the match sequence guarded saves of its invoice cases move on. */
  readonly matchSequences = new Map<string, number>();
  /** Every savePurchaseOrder call, including the rejected ones. */
  purchaseOrderSaves = 0;
  #poCollisions = 0;
  #caseCollisions = 0;

  async createRequisition(requisition: Requisition): Promise<{ created: boolean; requisition: Requisition }> {
    const existingId = this.requisitionByExternalRef.get(requisition.externalRef);
    const existing = existingId === undefined ? undefined : this.requisitions.get(existingId);
    if (existing !== undefined) return { created: false, requisition: copy(existing) };
    const byId = this.requisitions.get(requisition.requisitionId);
    if (byId !== undefined) return { created: false, requisition: copy(byId) };
    this.requisitions.set(requisition.requisitionId, copy(requisition));
    this.requisitionByExternalRef.set(requisition.externalRef, requisition.requisitionId);
    return { created: true, requisition: copy(requisition) };
  }

  async getRequisition(requisitionId: string): Promise<Requisition | undefined> {
    const r = this.requisitions.get(requisitionId);
    return r === undefined ? undefined : copy(r);
  }

  async saveRequisition(requisition: Requisition, expectedStatus: Requisition['status']): Promise<void> {
    const stored = this.requisitions.get(requisition.requisitionId);
    if (stored === undefined) throw new NotFoundError(`no requisition ${requisition.requisitionId}`);
    if (stored.status !== expectedStatus) {
      throw new ConcurrencyError(`requisition ${requisition.requisitionId} is ${stored.status}, not ${expectedStatus}`);
    }
    this.requisitions.set(requisition.requisitionId, copy(requisition));
  }

  async createPurchaseOrder(po: PurchaseOrder): Promise<{ created: boolean; purchaseOrder: PurchaseOrder }> {
    const existing = this.purchaseOrders.get(po.poNumber);
    if (existing !== undefined) return { created: false, purchaseOrder: copy(existing.po) };
    this.purchaseOrders.set(po.poNumber, { po: copy(po), version: 1 });
    return { created: true, purchaseOrder: copy(po) };
  }

  async getPurchaseOrder(poNumber: string): Promise<(PurchaseOrder & { version: number }) | undefined> {
    const stored = this.purchaseOrders.get(poNumber);
    return stored === undefined ? undefined : { ...copy(stored.po), version: stored.version };
  }

  async savePurchaseOrder(po: PurchaseOrder, expectedVersion: number): Promise<void> {
    this.purchaseOrderSaves += 1;
    const stored = this.purchaseOrders.get(po.poNumber);
    if (stored === undefined) throw new NotFoundError(`no purchase order ${po.poNumber}`);
    if (this.#poCollisions > 0) {
      this.#poCollisions -= 1;
      stored.version += 1;
      throw new ConcurrencyError('simulated concurrent purchase order writer');
    }
    if (stored.version !== expectedVersion) throw new ConcurrencyError(`purchase order ${po.poNumber} moved since it was read`);
    const { version: _ignored, ...plain } = po as PurchaseOrder & { version?: number };
    this.purchaseOrders.set(po.poNumber, { po: copy(plain), version: expectedVersion + 1 });
  }

  /** Newest first. */
  async listPurchaseOrdersBySupplier(supplierId: string, limit: number): Promise<PurchaseOrder[]> {
    return copy(
      [...this.purchaseOrders.values()]
        .map((s) => s.po)
        .filter((po) => po.supplierId === supplierId)
        .sort(newestFirst)
        .slice(0, limit),
    );
  }

  async saveReceipt(receipt: Receipt): Promise<{ created: boolean }> {
    if (this.receipts.has(receipt.receiptId)) return { created: false };
    this.receipts.set(receipt.receiptId, copy(receipt));
    return { created: true };
  }

  /** Oldest first by `receivedAt`. */
  async listReceipts(poNumber: string): Promise<Receipt[]> {
    return copy(
      [...this.receipts.values()]
        .filter((r) => r.poNumber === poNumber)
        .sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0)),
    );
  }

  async saveInvoice(invoice: Invoice, invoiceCase: InvoiceCase): Promise<{ created: boolean }> {
    if (this.invoices.has(invoiceCase.caseId)) return { created: false };
    this.invoices.set(invoiceCase.caseId, { invoice: copy(invoice), invoiceCase: copy(invoiceCase), version: 1 });
    return { created: true };
  }

  async getInvoiceCase(caseId: string): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase; version: number } | undefined> {
    const stored = this.invoices.get(caseId);
    return stored === undefined ? undefined : copy(stored);
  }

  /** Newest first. */
  async listInvoicesBySupplier(supplierId: string, limit: number): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase }[]> {
    return this.#list((c) => c.supplierId === supplierId, limit, 'newest');
  }

  /** Oldest first. */
  async listInvoicesOfPurchaseOrder(poNumber: string): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase }[]> {
    return this.#list((c) => c.poNumber === poNumber, Number.MAX_SAFE_INTEGER, 'oldest');
  }

  /** Oldest first: AP clerks work the backlog in arrival order. */
  async listInvoicesByStatus(status: InvoiceCase['status'], limit: number): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase }[]> {
    return this.#list((c) => c.status === status, limit, 'oldest');
  }

  async getPurchaseOrderMatchSequence(poNumber: string): Promise<number> {
    return this.matchSequences.get(poNumber) ?? 0;
  }

  async saveInvoiceCase(invoiceCase: InvoiceCase, expectedVersion: number, matchGuard?: PurchaseOrderMatchGuard): Promise<void> {
    const stored = this.invoices.get(invoiceCase.caseId);
    if (stored === undefined) throw new NotFoundError(`no invoice case ${invoiceCase.caseId}`);
    if (matchGuard !== undefined && (this.matchSequences.get(matchGuard.poNumber) ?? 0) !== matchGuard.expectedSequence) {
      throw new ConcurrencyError(`an invoice of purchase order ${matchGuard.poNumber} was decided since it was read`);
    }
    if (this.#caseCollisions > 0) {
      this.#caseCollisions -= 1;
      stored.version += 1;
      throw new ConcurrencyError('simulated concurrent invoice case writer');
    }
    if (stored.version !== expectedVersion) throw new ConcurrencyError(`invoice case ${invoiceCase.caseId} moved since it was read`);
    this.invoices.set(invoiceCase.caseId, { invoice: stored.invoice, invoiceCase: copy(invoiceCase), version: expectedVersion + 1 });
    if (matchGuard !== undefined) this.matchSequences.set(matchGuard.poNumber, matchGuard.expectedSequence + 1);
  }

  /** The next `n` savePurchaseOrder calls collide with a simulated concurrent writer. */
  collidePurchaseOrderSaves(n: number): void {
    this.#poCollisions = n;
  }

  /** The next `n` saveInvoiceCase calls collide with a simulated concurrent writer. */
  collideInvoiceCaseSaves(n: number): void {
    this.#caseCollisions = n;
  }

  #list(keep: (c: InvoiceCase) => boolean, limit: number, order: 'newest' | 'oldest'): { invoice: Invoice; invoiceCase: InvoiceCase }[] {
    return copy(
      [...this.invoices.values()]
        .filter((s) => keep(s.invoiceCase))
        .sort((a, b) => (order === 'newest' ? 1 : -1) * newestFirst(a.invoiceCase, b.invoiceCase))
        .slice(0, limit)
        .map(({ invoice, invoiceCase }) => ({ invoice, invoiceCase })),
    );
  }
}

/** One monotonic counter per partner. */
export class InMemoryControlNumbers implements ControlNumberRepository {
  readonly counters = new Map<string, number>();
  async next(partnerId: string): Promise<{ interchange: string; group: string; transactionSet: string }> {
    const n = (this.counters.get(partnerId) ?? 0) + 1;
    this.counters.set(partnerId, n);
    return formatControlNumbers(n);
  }
  async reserve(partnerId: string, count: number): Promise<{ interchange: string; group: string; transactionSet: string }[]> {
    const first = (this.counters.get(partnerId) ?? 0) + 1;
    this.counters.set(partnerId, first + count - 1);
    return Array.from({ length: count }, (_, i) => formatControlNumbers(first + i));
  }
}

/** The log's key of one document (same composition as the DynamoDB adapter). */
export const ediDocumentId = (key: EdiDocumentKey): string =>
  [key.supplierId, key.control.interchange, key.control.group, key.control.transactionSet, key.businessKey].join('|');

/**
 * Documents as claims with a lease (`leaseMs`, default 2 minutes on the shared clock) that become
 * APPLIED when `markApplied` is called. `recordOnce` wins when there is no record or only an expired claim.
 */
export class InMemoryEdiDocumentLog implements EdiDocumentLog {
  readonly documents = new Map<string, { status: 'APPLYING' | 'APPLIED'; leaseUntil: number }>();
  constructor(
    private readonly clock: Clock,
    private readonly leaseMs = 120_000,
  ) {}
  async recordOnce(key: EdiDocumentKey): Promise<boolean> {
    const id = ediDocumentId(key);
    const now = this.clock.now().getTime();
    const existing = this.documents.get(id);
    if (existing !== undefined && (existing.status === 'APPLIED' || existing.leaseUntil > now)) return false;
    this.documents.set(id, { status: 'APPLYING', leaseUntil: now + this.leaseMs });
    return true;
  }
  async markApplied(key: EdiDocumentKey): Promise<void> {
    const id = ediDocumentId(key);
    const existing = this.documents.get(id);
    this.documents.set(id, { status: 'APPLIED', leaseUntil: existing?.leaseUntil ?? 0 });
  }
  async release(key: EdiDocumentKey): Promise<void> {
    const id = ediDocumentId(key);
    if (this.documents.get(id)?.status === 'APPLYING') this.documents.delete(id);
  }
  /** The ids of the documents applied for good. */
  applied(): string[] {
    return [...this.documents.entries()].filter(([, d]) => d.status === 'APPLIED').map(([id]) => id);
  }
}

/** `ProcurementConfig` over a `ProcurementSeed` (by default `buildProcurementSeed()`). */
export class SeedProcurementConfig implements ProcurementConfig {
  seed: ProcurementSeed;
  constructor(seed: ProcurementSeed = buildProcurementSeed()) {
    this.seed = copy(seed);
  }
  async getSupplier(supplierId: string): Promise<Supplier | undefined> {
    const s = this.seed.suppliers.find((x) => x.supplierId === supplierId);
    return s === undefined ? undefined : copy(s);
  }
  async findSupplierByX12(qualifier: string, id: string): Promise<Supplier | undefined> {
    const s = this.seed.suppliers.find((x) => x.x12.isaQualifier === qualifier && x.x12.isaId === id);
    return s === undefined ? undefined : copy(s);
  }
  async findSupplierByClientId(oauthClientId: string): Promise<Supplier | undefined> {
    const s = this.seed.suppliers.find((x) => x.oauthClientId === oauthClientId);
    return s === undefined ? undefined : copy(s);
  }
  async approvalPolicy(costCenter: string): Promise<ApprovalPolicy> {
    return copy(approvalPolicyFor(this.seed, costCenter));
  }
  async tolerances(supplierId: string): Promise<MatchTolerances> {
    return copy(tolerancesFor(this.seed, supplierId));
  }
  async buyer(): Promise<{ name: string; gln: string; duns: string; isaQualifier: string; isaId: string; gsId: string }> {
    return copy(this.seed.buyer);
  }
  /** Replaces the configuration (as `DynamoProcurementConfig.load` overwrites it). */
  async load(data: ProcurementSeed): Promise<void> {
    this.seed = copy(data);
  }
}

/**
 * Records starts (deduplicated on workflow + name: a second start answers `started: false`),
 * succeeds and fails. `failNext(error)` makes the next call of any method throw.
 */
export class RecordingWorkflowControl implements WorkflowControl {
  readonly starts: { workflow: 'RequisitionToPay' | 'ReceiptToInvoice'; name: string; input: unknown }[] = [];
  readonly succeeded: { taskToken: string; output: unknown }[] = [];
  readonly failed: { taskToken: string; error: string; cause: string }[] = [];
  #failures: Error[] = [];
  async start(workflow: 'RequisitionToPay' | 'ReceiptToInvoice', name: string, input: unknown): Promise<{ started: boolean }> {
    this.#maybeFail();
    if (this.starts.some((s) => s.workflow === workflow && s.name === name)) return { started: false };
    this.starts.push({ workflow, name, input: copy(input) });
    return { started: true };
  }
  async succeed(taskToken: string, output: unknown): Promise<void> {
    this.#maybeFail();
    this.succeeded.push({ taskToken, output: copy(output) });
  }
  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    this.#maybeFail();
    this.failed.push({ taskToken, error, cause });
  }
  failNext(error: Error): void {
    this.#failures.push(error);
  }
  #maybeFail(): void {
    const failure = this.#failures.shift();
    if (failure !== undefined) throw failure;
  }
}

/**
 * One slot per (entity, awaited), as the DynamoDB adapter keeps one item:
 * - register when the event already arrived → `{ alreadyArrived: payload }` and the token is not
 *   kept (the caller completes it itself);
 * - register otherwise → keeps the token (a later register replaces it: the timeout loop waits again);
 * - arrive → keeps the payload (the latest one) and returns the registered token, if any. The token
 *   stays in the slot, so a retried application (after a failed `WorkflowControl.succeed`) gets it
 *   again; completing a task that is already closed is the caller's non-retryable, ignorable case.
 */
export class InMemoryWaitRegistry implements WaitRegistry {
  readonly slots = new Map<string, { taskToken?: string; arrived?: { payload: unknown } }>();
  async register(entity: string, awaited: string, taskToken: string): Promise<{ alreadyArrived?: unknown }> {
    const key = `${entity}|${awaited}`;
    const slot = this.slots.get(key) ?? {};
    if (slot.arrived !== undefined) return { alreadyArrived: copy(slot.arrived.payload) };
    this.slots.set(key, { ...slot, taskToken });
    return {};
  }
  async arrive(entity: string, awaited: string, payload: unknown): Promise<{ taskToken?: string }> {
    const key = `${entity}|${awaited}`;
    const slot = this.slots.get(key) ?? {};
    this.slots.set(key, { ...slot, arrived: { payload: copy(payload ?? null) } });
    return slot.taskToken === undefined ? {} : { taskToken: slot.taskToken };
  }
  /** The token registered on (entity, awaited), if any. */
  waiting(entity: string, awaited: string): string | undefined {
    return this.slots.get(`${entity}|${awaited}`)?.taskToken;
  }
  /** The payload that arrived on (entity, awaited), if any. */
  arrived(entity: string, awaited: string): unknown {
    const arrived = this.slots.get(`${entity}|${awaited}`)?.arrived;
    return arrived === undefined ? undefined : copy(arrived.payload);
  }
}

/**
 * Records every call; idempotent on the idempotency key (a second call with the same key answers
 * the first id, as the ERP simulator does). `script(...)` queues errors the next calls throw.
 */
export class ScriptedErpGateway implements ErpGateway {
  readonly purchaseOrders = new Map<string, { erpPoId: string; po: PurchaseOrder }>();
  readonly receipts = new Map<string, { erpReceiptId: string; receipt: Receipt }>();
  readonly payablesInvoices = new Map<string, { erpInvoiceId: string; invoice: Invoice; approvedAmount: number }>();
  calls: { method: 'createPurchaseOrder' | 'createReceipt' | 'createPayablesInvoice'; idempotencyKey: string }[] = [];
  #script: Error[] = [];
  async createPurchaseOrder(po: PurchaseOrder, idempotencyKey: string): Promise<{ erpPoId: string }> {
    this.#call('createPurchaseOrder', idempotencyKey);
    const existing = this.purchaseOrders.get(idempotencyKey);
    if (existing !== undefined) return { erpPoId: existing.erpPoId };
    const erpPoId = `ERP-PO-${String(this.purchaseOrders.size + 1).padStart(6, '0')}`;
    this.purchaseOrders.set(idempotencyKey, { erpPoId, po: copy(po) });
    return { erpPoId };
  }
  async createReceipt(receipt: Receipt, idempotencyKey: string): Promise<{ erpReceiptId: string }> {
    this.#call('createReceipt', idempotencyKey);
    const existing = this.receipts.get(idempotencyKey);
    if (existing !== undefined) return { erpReceiptId: existing.erpReceiptId };
    const erpReceiptId = `ERP-RCV-${String(this.receipts.size + 1).padStart(6, '0')}`;
    this.receipts.set(idempotencyKey, { erpReceiptId, receipt: copy(receipt) });
    return { erpReceiptId };
  }
  async createPayablesInvoice(invoice: Invoice, approvedAmount: number, idempotencyKey: string): Promise<{ erpInvoiceId: string }> {
    this.#call('createPayablesInvoice', idempotencyKey);
    const existing = this.payablesInvoices.get(idempotencyKey);
    if (existing !== undefined) return { erpInvoiceId: existing.erpInvoiceId };
    const erpInvoiceId = `ERP-INV-${String(this.payablesInvoices.size + 1).padStart(6, '0')}`;
    this.payablesInvoices.set(idempotencyKey, { erpInvoiceId, invoice: copy(invoice), approvedAmount });
    return { erpInvoiceId };
  }
  /** Errors the next calls throw, in order (e.g. `new UpstreamUnavailableError('ERP 503')`). */
  script(...failures: Error[]): void {
    this.#script.push(...failures);
  }
  /** Shorthand: the next `n` calls fail as retryable (HTTP 503). */
  failNext(n: number): void {
    for (let i = 0; i < n; i += 1) this.#script.push(new UpstreamUnavailableError('ERP unavailable (scripted)'));
  }
  #call(method: 'createPurchaseOrder' | 'createReceipt' | 'createPayablesInvoice', idempotencyKey: string): void {
    this.calls.push({ method, idempotencyKey });
    const failure = this.#script.shift();
    if (failure !== undefined) throw failure;
  }
}

/**
 * Records every interchange sent (deduplicated on the idempotency key in `delivered`), answers
 * `functionalAck` from `respondWith` (none by default). `script(...)` queues errors.
 */
export class ScriptedSupplierNetwork implements SupplierNetwork {
  readonly sent: { supplierId: string; interchange: string; idempotencyKey: string }[] = [];
  readonly delivered = new Map<string, { supplierId: string; interchange: string }>();
  respondWith: ((supplier: Supplier, interchange: string) => string | undefined) | undefined;
  #script: Error[] = [];
  async send(supplier: Supplier, interchange: string, idempotencyKey: string): Promise<{ functionalAck?: string }> {
    this.sent.push({ supplierId: supplier.supplierId, interchange, idempotencyKey });
    const failure = this.#script.shift();
    if (failure !== undefined) throw failure;
    if (!this.delivered.has(idempotencyKey)) this.delivered.set(idempotencyKey, { supplierId: supplier.supplierId, interchange });
    const functionalAck = this.respondWith?.(supplier, interchange);
    return functionalAck === undefined ? {} : { functionalAck };
  }
  script(...failures: Error[]): void {
    this.#script.push(...failures);
  }
  /** Shorthand: the next `n` sends fail as retryable. */
  failNext(n: number): void {
    for (let i = 0; i < n; i += 1) this.#script.push(new UpstreamUnavailableError('supplier network unavailable (scripted)'));
  }
}

/** The procurement fakes, typed as themselves so tests can inspect and script them. */
/** ERP commands as sent (fire-and-forget), in order; `failNext` makes the next send throw. */
export class RecordingErpCommands implements ErpCommandQueue {
  readonly sent: ErpCommand[] = [];
  #failures: Error[] = [];
  async send(command: ErpCommand): Promise<void> {
    const failure = this.#failures.shift();
    if (failure !== undefined) throw failure;
    this.sent.push(JSON.parse(JSON.stringify(command)) as ErpCommand);
  }
  failNext(error: Error): void {
    this.#failures.push(error);
  }
}

export interface ProcurementFakes {
  procurement: InMemoryProcurementRepository;
  controlNumbers: InMemoryControlNumbers;
  ediDocuments: InMemoryEdiDocumentLog;
  procurementConfig: SeedProcurementConfig;
  workflows: RecordingWorkflowControl;
  waits: InMemoryWaitRegistry;
  erp: ScriptedErpGateway;
  supplierNetwork: ScriptedSupplierNetwork;
  erpCommands: RecordingErpCommands;
}

/** Only the procurement fakes, on `clock` (e.g. the issue-2 fakes' clock). */
export const procurementFakes = (clock: Clock, seed?: ProcurementSeed): ProcurementFakes => ({
  procurement: new InMemoryProcurementRepository(),
  controlNumbers: new InMemoryControlNumbers(),
  ediDocuments: new InMemoryEdiDocumentLog(clock),
  procurementConfig: new SeedProcurementConfig(seed),
  workflows: new RecordingWorkflowControl(),
  waits: new InMemoryWaitRegistry(),
  erp: new ScriptedErpGateway(),
  supplierNetwork: new ScriptedSupplierNetwork(),
  erpCommands: new RecordingErpCommands(),
});

/**
 * The issue-2 fakes (`fakeDependencies(options)`) plus every procurement fake on the same clock:
 * satisfies `HandlerDependencies & ProcurementDependencies`.
 */
export const procurementFakeDependencies = (
  options: { referenceData?: ReferenceDataSet; initialisePositions?: boolean; seed?: ProcurementSeed } = {},
): Fakes & ProcurementFakes => {
  const base = fakeDependencies({
    ...(options.referenceData === undefined ? {} : { referenceData: options.referenceData }),
    ...(options.initialisePositions === undefined ? {} : { initialisePositions: options.initialisePositions }),
  });
  return { ...base, ...procurementFakes(base.clock, options.seed) };
};

/** Compile-time check that the fakes cover every procurement port. */
export const asProcurementDependencies = (fakes: ProcurementFakes): ProcurementDependencies => fakes;

/** The fakes as a procurement handler's dependency container. */
export const asProcurementHandlerDependencies = (fakes: Fakes & ProcurementFakes): ProcurementHandlerDependencies => fakes;

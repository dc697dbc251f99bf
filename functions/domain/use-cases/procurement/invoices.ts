/**
 * Use cases of an invoice in accounts payable, between its 810 and its AP voucher:
 * - `matchInvoice` (workflow task MatchInvoice): the three-way match against the PO, the receipts the
 *   PO took, the supplier's earlier accepted invoices and the PO's own invoices (those still in
 *   exception reserve their goods), with the supplier's tolerances; the case is saved with its
 *   version under the PO's match guard (matches of one PO are serialised) and the workflow is told
 *   what comes next (voucher, clerk, or goods);
 * - `resolveInvoice` (`POST /v1/invoices/{invoiceId}/resolution`): an AP clerk's decision on a case in
 *   exception, audited (the note only in the audit payload hash), and handed to the waiting workflow;
 * - `raiseInvoiceAlert` (workflow task RaiseInvoiceAlert): a wait timed out or the voucher is blocked;
 * - `listInvoices` / `getInvoice` (`GET /v1/invoices…`): what AP clerks and suppliers may see. A
 *   supplier's client sees its own invoices only; another supplier's invoice is "not found".
 * Every step is safe to run again: a re-run finds the stored result and returns the same events
 * (same idempotency keys) for the workflow to publish.
 */
import type { BusEvent } from '../../../../contracts/events';
import { SCOPES } from '../../../../contracts/routes';
import type {
  Invoice,
  InvoiceCase,
  InvoiceResolution,
  MatchReason,
  MatchResult,
  PurchaseOrder,
  Receipt,
} from '../../../../contracts/procurement';
import { AuthorizationError, ConcurrencyError, NotFoundError } from '../../errors';
import type { PurchaseOrderMatchGuard } from '../../procurement-ports';
import {
  invoiceExceptionRaised,
  invoiceMatched,
  procurementAlertRaised,
  type ProcurementAlert,
} from '../../procurement/events';
import { recordMatch, resolveException, type InvoiceNextStep } from '../../procurement/invoice-case';
import { threeWayMatch } from '../../procurement/match';
import { receiptWait, receiptWaitsWokenBy, resolutionWait, type InvoiceWait } from './invoice-waits';
import { purchaseOrderConversions } from './receipts';
import { completeTask } from './requisitions';
import { envelopeInput, recordHop, toPutEventsEntries, type ProcurementUseCaseDependencies, type PutEventsEntry } from './shared';

const MAX_ATTEMPTS = 5;
/** Earlier invoices of a supplier looked at for duplicates and prior billing (newest first). */
const PRIOR_INVOICE_LIMIT = 500;

type CaseRecord = { invoice: Invoice; invoiceCase: InvoiceCase; version: number };

const requireCase = async (deps: Pick<ProcurementUseCaseDependencies, 'procurement'>, caseId: string): Promise<CaseRecord> => {
  const stored = await deps.procurement.getInvoiceCase(caseId);
  if (stored === undefined) throw new NotFoundError(`no invoice ${caseId}`, { details: { invoiceId: caseId } });
  return stored;
};

/** Retries `step` when a concurrent writer moved what it read (it re-reads on every attempt). */
const withVersionRetry = async <T>(step: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (e) {
      if (!(e instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
};

// --- matchInvoice -------------------------------------------------------------------------------

/** What the workflow does after MatchInvoice. */
export type AfterMatch = 'POST_AP_VOUCHER' | 'AWAIT_AP_CLERK' | 'AWAIT_RECEIPT' | 'DONE';

/** MatchInvoice's output (the ASL's `$.match`). */
export interface InvoiceMatchOutcome {
  caseId: string;
  correlationId: string;
  status: InvoiceCase['status'];
  reasons: MatchReason[];
  next: AfterMatch;
  /** Where to wait next (AWAIT_AP_CLERK, AWAIT_RECEIPT): RegisterWait's entity and awaited. */
  wait?: InvoiceWait;
  /** The PO the invoice names, when it names one. */
  poNumber?: string;
  /** InvoiceMatched or InvoiceExceptionRaised, for the workflow to publish (empty when nothing is news). */
  entries: PutEventsEntry[];
}

/**
 * The receipts the PO took: only those in `po.receiptIds`. A receipt stored but refused by the PO
 * (an over-receipt lost to a concurrent one) never counts as received.
 */
const appliedReceipts = async (deps: Pick<ProcurementUseCaseDependencies, 'procurement'>, po: PurchaseOrder): Promise<Receipt[]> => {
  const applied = new Set(po.receiptIds ?? []);
  return (await deps.procurement.listReceipts(po.poNumber)).filter((r) => applied.has(r.receiptId));
};

const isAccepted = (c: InvoiceCase): boolean => c.status === 'MATCHED' || c.status === 'PAID';

/** A fresh three-way match of a case, with the PO-level guard to save its outcome under. */
interface CurrentMatch {
  result: MatchResult;
  receipts: Receipt[];
  /** Absent when the invoice names no stored PO (nothing to serialise on). */
  guard?: PurchaseOrderMatchGuard;
}

/**
 * Three-way match the case as things stand now. Prior invoices: the supplier's accepted ones (for
 * duplicates across POs) plus every accepted invoice of the PO itself (for quantities, however old);
 * the PO's invoices still in EXCEPTION that arrived before this one reserve the goods they bill. The
 * PO's match sequence is read BEFORE its invoices, so saving under `guard` fails (and the step
 * re-runs) when another invoice of the PO was decided in between: two invoices for the same goods
 * can never both be paid on the same view of the PO.
 */
const matchAsOfNow = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement' | 'procurementConfig' | 'referenceData'>,
  invoice: Invoice,
  invoiceCase: InvoiceCase,
  now: Date,
): Promise<CurrentMatch> => {
  const po = invoice.poNumber === undefined ? undefined : await deps.procurement.getPurchaseOrder(invoice.poNumber);
  const guard = po === undefined ? undefined : { poNumber: po.poNumber, expectedSequence: await deps.procurement.getPurchaseOrderMatchSequence(po.poNumber) };
  const receipts = po === undefined ? [] : await appliedReceipts(deps, po);
  const others = (list: readonly { invoice: Invoice; invoiceCase: InvoiceCase }[]): { invoice: Invoice; invoiceCase: InvoiceCase }[] =>
    list.filter((s) => s.invoiceCase.caseId !== invoiceCase.caseId);
  const ofSupplier = others(await deps.procurement.listInvoicesBySupplier(invoiceCase.supplierId, PRIOR_INVOICE_LIMIT));
  const ofPo = po === undefined ? [] : others(await deps.procurement.listInvoicesOfPurchaseOrder(po.poNumber));
  const accepted = new Map<string, Invoice>();
  for (const s of [...ofSupplier, ...ofPo]) if (isAccepted(s.invoiceCase)) accepted.set(s.invoiceCase.caseId, s.invoice);
  // Earlier = arrived before this case: the oldest exception keeps the goods, so two exceptions never block each other.
  const arrivedBefore = (c: InvoiceCase): boolean =>
    c.createdAt < invoiceCase.createdAt || (c.createdAt === invoiceCase.createdAt && c.caseId < invoiceCase.caseId);
  const reserved = ofPo.filter((s) => s.invoiceCase.status === 'EXCEPTION' && arrivedBefore(s.invoiceCase)).map((s) => s.invoice);
  const result = threeWayMatch({
    po,
    receipts,
    invoice,
    priorInvoices: [...accepted.values()],
    reservedInvoices: reserved,
    tolerances: await deps.procurementConfig.tolerances(invoice.supplierId),
    conversions: po === undefined ? () => undefined : await purchaseOrderConversions(deps, po),
    today: now.toISOString().slice(0, 10),
  });
  return { result, receipts, ...(guard === undefined ? {} : { guard }) };
};

/** JSON with object keys sorted: equal for equal values whatever order a store returned the keys in. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

const sameVerdict = (a: MatchResult | undefined, b: MatchResult): boolean =>
  a !== undefined &&
  a.status === b.status &&
  canonicalJson([a.reasons, a.lines, a.approvedAmount, a.charges ?? []]) === canonicalJson([b.reasons, b.lines, b.approvedAmount, b.charges ?? []]);

/** The outcome of a case that needs no match (already payable, paid or rejected). */
const settledOutcome = (invoiceCase: InvoiceCase, events: readonly BusEvent[], eventBusName: string): InvoiceMatchOutcome => ({
  caseId: invoiceCase.caseId,
  correlationId: invoiceCase.correlationId,
  status: invoiceCase.status,
  reasons: invoiceCase.reasons,
  next: invoiceCase.status === 'MATCHED' ? 'POST_AP_VOUCHER' : 'DONE',
  ...(invoiceCase.poNumber === undefined ? {} : { poNumber: invoiceCase.poNumber }),
  entries: toPutEventsEntries(events, eventBusName),
});

/**
 * MatchInvoice: three-way match the case (OPEN or EXCEPTION) and save the verdict. MATCHED → post
 * the voucher; EXCEPTION → wait for an AP clerk, or for the PO's next receipt when a clerk chose to
 * wait for goods and goods are what is still missing (`QTY_NOT_RECEIVED`: when only a price or
 * charge is left, waiting for goods would wait forever, so the clerk is asked again). A case already
 * MATCHED goes on to its voucher; a PAID or REJECTED one is done. A re-run that reaches the same
 * verdict writes nothing and returns the same event.
 *
 * @throws NotFoundError for an unknown case; ConcurrencyError when the case kept moving.
 */
export const matchInvoice = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement' | 'procurementConfig' | 'referenceData' | 'transactions' | 'audit' | 'clock'>,
  input: { caseId: string; eventBusName: string },
): Promise<InvoiceMatchOutcome> =>
  withVersionRetry(async () => {
    const { invoice, invoiceCase, version } = await requireCase(deps, input.caseId);
    const now = deps.clock.now();
    const envelope = envelopeInput(invoiceCase.correlationId, invoiceCase.caseId, now);
    if (invoiceCase.status === 'MATCHED') return settledOutcome(invoiceCase, [invoiceMatched(envelope, invoiceCase)], input.eventBusName);
    if (invoiceCase.status === 'PAID' || invoiceCase.status === 'REJECTED') return settledOutcome(invoiceCase, [], input.eventBusName);

    const { result, receipts, guard } = await matchAsOfNow(deps, invoice, invoiceCase, now);
    const change = recordMatch(invoiceCase, result, now);
    let matched = change.invoiceCase;
    let step: InvoiceNextStep = change.next;
    if (step === 'REMATCH_ON_NEXT_RECEIPT' && !matched.reasons.includes('QTY_NOT_RECEIVED')) {
      matched = { ...matched, waitingForReceipt: false };
      step = 'AWAIT_AP_CLERK';
    }
    const unchanged =
      invoiceCase.status === matched.status && invoiceCase.waitingForReceipt === matched.waitingForReceipt && sameVerdict(invoiceCase.match, result);
    if (!unchanged) {
      await deps.procurement.saveInvoiceCase(matched, version, guard);
      await deps.audit.append(change.audit);
      await recordHop(deps, matched.correlationId, matched.status === 'MATCHED' ? 'invoice-matched' : 'invoice-exception', matched.status === 'MATCHED' ? 'ok' : 'error', {
        caseId: matched.caseId,
        invoiceNumber: matched.invoiceNumber,
        supplierId: matched.supplierId,
        ...(matched.poNumber === undefined ? {} : { poNumber: matched.poNumber }),
        reasons: matched.reasons,
        approvedAmount: matched.approvedAmount,
        receiptsSeen: receipts.length,
      });
    }
    const event = matched.status === 'MATCHED' ? invoiceMatched(envelope, matched) : invoiceExceptionRaised(envelope, matched);
    const next: AfterMatch = step === 'POST_AP_VOUCHER' ? 'POST_AP_VOUCHER' : step === 'REMATCH_ON_NEXT_RECEIPT' ? 'AWAIT_RECEIPT' : 'AWAIT_AP_CLERK';
    const wait =
      next === 'AWAIT_RECEIPT'
        ? receiptWait(matched.caseId, receipts.length)
        : next === 'AWAIT_AP_CLERK'
          ? resolutionWait(matched.caseId, matched.decisions.length)
          : undefined;
    return {
      caseId: matched.caseId,
      correlationId: matched.correlationId,
      status: matched.status,
      reasons: matched.reasons,
      next,
      ...(wait === undefined ? {} : { wait }),
      ...(matched.poNumber === undefined ? {} : { poNumber: matched.poNumber }),
      entries: toPutEventsEntries([event], input.eventBusName),
    };
  });

// --- who sees what --------------------------------------------------------------------------------

/**
 * Who is asking: an AP clerk (a client holding `hem/invoice.read.all`), a supplier's client (its
 * OAuth client id is on file), or anyone else, who sees no invoice at all (deny by default).
 */
export type InvoiceViewer = { kind: 'AP' } | { kind: 'SUPPLIER'; supplierId: string } | { kind: 'NONE' };

/** The authenticated caller: the token's client id and scopes (never anything from the body). */
export interface InvoiceCaller {
  clientId: string;
  scopes: readonly string[];
}

/**
 * The viewer behind a token. A supplier's client sees its own invoices only, whatever scopes it
 * holds; every supplier's invoices need the positive AP scope; anyone else sees none.
 */
export const invoiceViewerFor = async (deps: Pick<ProcurementUseCaseDependencies, 'procurementConfig'>, caller: InvoiceCaller): Promise<InvoiceViewer> => {
  const supplier = await deps.procurementConfig.findSupplierByClientId(caller.clientId);
  if (supplier !== undefined) return { kind: 'SUPPLIER', supplierId: supplier.supplierId };
  return caller.scopes.includes(SCOPES.invoiceReadAll) ? { kind: 'AP' } : { kind: 'NONE' };
};

/** An invoice as the API shows it (`invoiceId` is the case id). */
export interface InvoiceView {
  invoiceId: string;
  invoiceNumber: string;
  supplierId: string;
  poNumber?: string;
  invoiceDate: string;
  currency: string;
  invoiceAmount: number;
  status: InvoiceCase['status'];
  reasons: MatchReason[];
  approvedAmount: number;
  waitingForReceipt: boolean;
  lines: Invoice['lines'];
  charges: Invoice['charges'];
  match?: MatchResult;
  /** AP clerks only: who decided what (a supplier sees the outcome, not the staff). */
  decisions?: InvoiceCase['decisions'];
  correlationId: string;
  createdAt: string;
  updatedAt: string;
}

const viewOf = ({ invoice, invoiceCase }: { invoice: Invoice; invoiceCase: InvoiceCase }, viewer: InvoiceViewer): InvoiceView => ({
  invoiceId: invoiceCase.caseId,
  invoiceNumber: invoiceCase.invoiceNumber,
  supplierId: invoiceCase.supplierId,
  ...(invoiceCase.poNumber === undefined ? {} : { poNumber: invoiceCase.poNumber }),
  invoiceDate: invoiceCase.invoiceDate,
  currency: invoiceCase.currency,
  invoiceAmount: invoiceCase.invoiceAmount,
  status: invoiceCase.status,
  reasons: invoiceCase.reasons,
  approvedAmount: invoiceCase.approvedAmount,
  waitingForReceipt: invoiceCase.waitingForReceipt,
  lines: invoice.lines,
  charges: invoice.charges,
  ...(invoiceCase.match === undefined ? {} : { match: invoiceCase.match }),
  ...(viewer.kind === 'AP' ? { decisions: invoiceCase.decisions } : {}),
  correlationId: invoiceCase.correlationId,
  createdAt: invoiceCase.createdAt,
  updatedAt: invoiceCase.updatedAt,
});

const visibleTo = (invoiceCase: InvoiceCase, viewer: InvoiceViewer): boolean => {
  switch (viewer.kind) {
    case 'AP':
      return true;
    case 'SUPPLIER':
      return invoiceCase.supplierId === viewer.supplierId;
    case 'NONE':
      return false;
  }
};

const STATUSES: readonly InvoiceCase['status'][] = ['OPEN', 'EXCEPTION', 'MATCHED', 'REJECTED', 'PAID'];

/**
 * `GET /v1/invoices?status=…`: newest first. AP clerks see every supplier's; a supplier sees its own.
 * Without a status, every status.
 *
 * @throws AuthorizationError for a caller that may see no invoice (neither a supplier nor AP).
 */
export const listInvoices = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement'>,
  viewer: InvoiceViewer,
  query: { status?: InvoiceCase['status'] | undefined; limit: number },
): Promise<InvoiceView[]> => {
  if (viewer.kind === 'NONE') throw new AuthorizationError('this client may not read invoices across suppliers');
  const wanted = (c: InvoiceCase): boolean => query.status === undefined || c.status === query.status;
  let found: { invoice: Invoice; invoiceCase: InvoiceCase }[];
  if (viewer.kind === 'SUPPLIER') {
    found = (await deps.procurement.listInvoicesBySupplier(viewer.supplierId, PRIOR_INVOICE_LIMIT)).filter(({ invoiceCase }) => wanted(invoiceCase));
  } else if (query.status !== undefined) {
    found = await deps.procurement.listInvoicesByStatus(query.status, query.limit);
  } else {
    found = (await Promise.all(STATUSES.map((s) => deps.procurement.listInvoicesByStatus(s, query.limit)))).flat();
  }
  return found
    .filter(({ invoiceCase }) => visibleTo(invoiceCase, viewer))
    .sort((a, b) => (a.invoiceCase.createdAt < b.invoiceCase.createdAt ? 1 : a.invoiceCase.createdAt > b.invoiceCase.createdAt ? -1 : 0))
    .slice(0, query.limit)
    .map((record) => viewOf(record, viewer));
};

/**
 * `GET /v1/invoices/{invoiceId}`.
 *
 * @throws NotFoundError for an unknown invoice and for another supplier's (never revealing it exists).
 */
export const getInvoice = async (deps: Pick<ProcurementUseCaseDependencies, 'procurement'>, viewer: InvoiceViewer, invoiceId: string): Promise<InvoiceView> => {
  const stored = await deps.procurement.getInvoiceCase(invoiceId);
  if (stored === undefined || !visibleTo(stored.invoiceCase, viewer)) {
    throw new NotFoundError(`no invoice ${invoiceId}`, { details: { invoiceId } });
  }
  return viewOf(stored, viewer);
};

// --- resolveInvoice -----------------------------------------------------------------------------

/** What the workflow waiting for the clerk receives (the RESOLUTION arrival). */
export interface ResolutionArrival {
  caseId: string;
  action: InvoiceResolution['action'];
  status: InvoiceCase['status'];
  next: InvoiceNextStep;
}

/** What recording a decision did. */
export interface InvoiceResolved {
  invoice: InvoiceView;
  action: InvoiceResolution['action'];
  next: InvoiceNextStep;
  /** true when the same clerk's same decision had been recorded before: nothing changed. */
  replay: boolean;
  /** true when the waiting workflow was resumed now (otherwise its next wait finds the decision). */
  resumed: boolean;
}

const NEXT_AFTER: Record<InvoiceResolution['action'], InvoiceNextStep> = {
  ACCEPT_VARIANCE: 'POST_AP_VOUCHER',
  REJECT: 'NOTIFY_SUPPLIER_REJECTED',
  WAIT_FOR_RECEIPT: 'REMATCH_ON_NEXT_RECEIPT',
};

/**
 * Is this decision the last one recorded, by the same client for the same clerk, with the case still
 * where it left it?
 */
const isReplay = (invoiceCase: InvoiceCase, resolution: InvoiceResolution, actor: string): boolean => {
  const last = invoiceCase.decisions.at(-1);
  if (last === undefined || last.action !== resolution.action || last.actor !== actor || last.onBehalfOf !== resolution.clerk) return false;
  switch (resolution.action) {
    case 'ACCEPT_VARIANCE':
      return invoiceCase.status === 'MATCHED' || invoiceCase.status === 'PAID';
    case 'REJECT':
      return invoiceCase.status === 'REJECTED';
    case 'WAIT_FOR_RECEIPT':
      return invoiceCase.status === 'EXCEPTION' && invoiceCase.waitingForReceipt;
  }
};

/**
 * An AP clerk resolves an invoice in exception: ACCEPT_VARIANCE (payable: InvoiceMatched is published
 * and the workflow posts the voucher), REJECT (the workflow ends), WAIT_FOR_RECEIPT (the workflow
 * matches again now and then at every receipt of the PO). The decision is saved with the case's
 * version, audited with the authenticated client as actor and the clerk the body names as
 * `onBehalfOf` (an assertion, never the actor; the note only in the payload hash), recorded as a hop,
 * and handed to the workflow waiting for it. Sending the same decision again changes nothing and
 * nudges the workflow again: an invoice is vouchered once however often the clerk clicks.
 *
 * @throws AuthorizationError when a client that is not AP (a supplier's, or one without the AP scope) tries to decide.
 * @throws NotFoundError for an unknown invoice; ConflictError when it is not in exception or the
 *   action does not fit its reasons (e.g. ACCEPT_VARIANCE of an invoice without a PO, or of goods not
 *   received or already invoiced, as the match run again at the decision finds them).
 */
export const resolveInvoice = async (
  deps: Pick<
    ProcurementUseCaseDependencies,
    'procurement' | 'procurementConfig' | 'referenceData' | 'waits' | 'workflows' | 'events' | 'transactions' | 'audit' | 'clock'
  >,
  viewer: InvoiceViewer,
  invoiceId: string,
  resolution: InvoiceResolution,
  context: { correlationId: string; actor: string },
): Promise<InvoiceResolved> => {
  if (viewer.kind !== 'AP') throw new AuthorizationError('only AP clients may resolve invoice exceptions', { details: { invoiceId } });
  const decided = await withVersionRetry(async () => {
    const stored = await requireCase(deps, invoiceId);
    const { invoiceCase } = stored;
    if (isReplay(invoiceCase, resolution, context.actor)) {
      return { stored, decisionCount: invoiceCase.decisions.length - 1, next: NEXT_AFTER[resolution.action], replay: true, waitedForGoods: false };
    }
    const now = deps.clock.now();
    // Accepting a variance accepts the price only: the quantities are matched again, now, against the
    // PO's invoices as they stand (another may have been paid for these goods since the exception),
    // and the decision is saved under the PO's match guard like any match.
    const current = resolution.action === 'ACCEPT_VARIANCE' ? await matchAsOfNow(deps, stored.invoice, invoiceCase, now) : undefined;
    const change = resolveException(invoiceCase, resolution, context.actor, now, current?.result);
    await deps.procurement.saveInvoiceCase(change.invoiceCase, stored.version, current?.guard);
    await deps.audit.append(change.audit);
    return {
      stored: { ...stored, invoiceCase: change.invoiceCase },
      decisionCount: invoiceCase.decisions.length,
      next: change.next,
      replay: false,
      // A clerk deciding a case that was already waiting for goods (e.g. accepting the shortfall).
      waitedForGoods: invoiceCase.waitingForReceipt && resolution.action !== 'WAIT_FOR_RECEIPT',
    };
  });
  const { invoiceCase } = decided.stored;
  const now = deps.clock.now();
  if (!decided.replay) {
    await recordHop(deps, invoiceCase.correlationId, 'invoice-resolved', 'ok', {
      caseId: invoiceCase.caseId,
      action: resolution.action,
      status: invoiceCase.status,
      approvedAmount: invoiceCase.approvedAmount,
    });
  }
  if (invoiceCase.status === 'MATCHED') {
    await deps.events.publish([invoiceMatched(envelopeInput(invoiceCase.correlationId, context.correlationId, now), invoiceCase)]);
  }
  const arrival: ResolutionArrival = { caseId: invoiceCase.caseId, action: resolution.action, status: invoiceCase.status, next: decided.next };
  const waits = [resolutionWait(invoiceCase.caseId, decided.decisionCount)];
  if (decided.waitedForGoods && invoiceCase.poNumber !== undefined) {
    // The workflow waits for goods, not for a clerk: wake its receipt wait so it matches again and
    // finds the decision (see invoice-waits.ts for why every receipt count up to the PO's is woken).
    const po = await deps.procurement.getPurchaseOrder(invoiceCase.poNumber);
    waits.push(...receiptWaitsWokenBy(invoiceCase.caseId, (po?.receiptIds?.length ?? 0) + 1));
  }
  let resumed = false;
  for (const wait of waits) {
    const { taskToken } = await deps.waits.arrive(wait.entity, wait.awaited, arrival);
    if (taskToken !== undefined && (await completeTask(deps, taskToken, arrival))) resumed = true;
  }
  return { invoice: viewOf(decided.stored, viewer), action: resolution.action, next: decided.next, replay: decided.replay, resumed };
};

// --- raiseInvoiceAlert --------------------------------------------------------------------------

/**
 * Why the receipt-to-invoice workflow alerts: which wait timed out (RESOLUTION, RECEIPT), or what is
 * blocked after its retries (VOUCHER: the ERP or the ledger is down or refused it; MATCH: HEM's store).
 */
export type InvoiceAlertReason = 'RESOLUTION' | 'RECEIPT' | 'VOUCHER' | 'MATCH';

const ALERTS: Record<InvoiceAlertReason, Pick<ProcurementAlert, 'alertType' | 'severity'>> = {
  RESOLUTION: { alertType: 'INVOICE_RESOLUTION_OVERDUE', severity: 'WARNING' },
  RECEIPT: { alertType: 'RECEIPT_OVERDUE', severity: 'WARNING' },
  VOUCHER: { alertType: 'AP_VOUCHER_BLOCKED', severity: 'CRITICAL' },
  MATCH: { alertType: 'INVOICE_MATCH_BLOCKED', severity: 'CRITICAL' },
};

/** RaiseInvoiceAlert's output. */
export interface InvoiceAlertRaised {
  caseId: string;
  alertType: ProcurementAlert['alertType'];
  severity: ProcurementAlert['severity'];
  entries: PutEventsEntry[];
}

/**
 * RaiseInvoiceAlert: ProcurementAlertRaised about the invoice (entity kind INVOICE), keyed on type,
 * case and due time so each firing alerts once, plus an error hop; the workflow keeps waiting (or
 * retrying) after it. Operators see it on the alert metric's alarm.
 *
 * @throws NotFoundError for an unknown case.
 */
export const raiseInvoiceAlert = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement' | 'transactions' | 'clock'>,
  input: { caseId: string; reason: InvoiceAlertReason; eventBusName: string },
): Promise<InvoiceAlertRaised> => {
  const { invoiceCase } = await requireCase(deps, input.caseId);
  const now = deps.clock.now();
  const alert: ProcurementAlert = {
    ...ALERTS[input.reason],
    entity: { kind: 'INVOICE', id: invoiceCase.caseId },
    supplierId: invoiceCase.supplierId,
    dueAt: now.toISOString(),
  };
  await recordHop(deps, invoiceCase.correlationId, 'procurement-alert', 'error', {
    caseId: invoiceCase.caseId,
    alertType: alert.alertType,
    severity: alert.severity,
    reason: input.reason,
  });
  const event = procurementAlertRaised(envelopeInput(invoiceCase.correlationId, invoiceCase.caseId, now), alert);
  return { caseId: invoiceCase.caseId, alertType: alert.alertType, severity: alert.severity, entries: toPutEventsEntries([event], input.eventBusName) };
};

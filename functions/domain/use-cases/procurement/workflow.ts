/**
 * Use cases behind the task states of `state-machines/requisition-to-pay.asl.json`: evaluate the
 * approval policy, escalate an undecided requisition, build the purchase order, register a wait for
 * an outside event, raise an operator alert on a timeout, and close the purchase order. Each is safe
 * to run again with the same input (Step Functions retries tasks): state changes are conditional and
 * re-runs find the stored result. Events are returned as PutEvents entries the workflow publishes.
 */
import type { BusEvent } from '../../../../contracts/events';
import type { PurchaseOrder, Requisition } from '../../../../contracts/procurement';
import type { Item } from '../../../../contracts/reference';
import { ConflictError, DataError, NotFoundError } from '../../errors';
import { applyAutoApproval, decideApproval, escalateRequisition, markOrdered } from '../../procurement/approval';
import {
  escalationAlertFor,
  overdueAlertFor,
  procurementAlertRaised,
  purchaseOrderClosed,
  requisitionApproved,
  type ProcurementAlert,
} from '../../procurement/events';
import { recordOnOrderReleases } from '../../procurement/on-order';
import {
  canClose,
  closePurchaseOrder as closedPurchaseOrder,
  outstandingBaseQuantity,
  poNumberFor,
  purchaseOrderFromRequisition,
} from '../../procurement/purchase-order';
import { raisesOnOrder, releasePurchaseOrderOnOrder } from './on-order';
import { completeTask } from './requisitions';
import {
  DEFAULT_MAX_ESCALATIONS,
  envelopeInput,
  MAX_WAIT_SECONDS,
  payableMatchesOf,
  poSequenceKey,
  type ProcurementUseCaseDependencies,
  type PutEventsEntry,
  recordHop,
  requirePurchaseOrder,
  toPutEventsEntries,
  WORKFLOW_ACTOR,
  WORKFLOW_TIMEOUT_DEFAULTS,
  type WorkflowTimeouts,
} from './shared';

/** Input of EvaluateApproval: the execution input and the bus the workflow publishes to. */
export interface EvaluateApprovalInput {
  requisitionId: string;
  correlationId: string;
  /** Per-execution overrides of the wait timeouts (tests, urgent orders). */
  timeouts?: Partial<WorkflowTimeouts>;
  maxEscalations?: number;
  eventBusName: string;
}

/** What the workflow does with the requisition. */
export interface ApprovalEvaluation {
  requisitionId: string;
  correlationId: string;
  /** APPROVED (by policy now, or by anyone before), NEEDS_APPROVAL (a human decides) or REJECTED. */
  decision: 'APPROVED' | 'NEEDS_APPROVAL' | 'REJECTED';
  /** The policy's reason when it decided now. */
  reason?: string;
  /** Every wait's timeout for this execution: configuration overridden by the input. */
  timeouts: WorkflowTimeouts;
  maxEscalations: number;
  /** RequisitionApproved when approved (the same event, same key, on a re-run); empty otherwise. */
  entries: PutEventsEntry[];
}

const positiveInteger = (value: number | undefined): number | undefined =>
  value !== undefined && Number.isInteger(value) && value >= 1 ? value : undefined;

/** The configured timeouts, overridden by whatever valid value the input carries, each at most MAX_WAIT_SECONDS. */
export const effectiveTimeouts = (decisionSeconds: number, overrides: Partial<WorkflowTimeouts> = {}): WorkflowTimeouts => {
  const base: WorkflowTimeouts = { decisionSeconds, ...WORKFLOW_TIMEOUT_DEFAULTS };
  const merged = { ...base };
  for (const key of Object.keys(base) as (keyof WorkflowTimeouts)[]) {
    merged[key] = Math.min(MAX_WAIT_SECONDS, positiveInteger(overrides[key]) ?? positiveInteger(base[key]) ?? MAX_WAIT_SECONDS);
  }
  return merged;
};

const requireRequisition = async (deps: Pick<ProcurementUseCaseDependencies, 'procurement'>, requisitionId: string): Promise<Requisition> => {
  const requisition = await deps.procurement.getRequisition(requisitionId);
  if (requisition === undefined) throw new NotFoundError(`no requisition ${requisitionId}`, { details: { requisitionId } });
  return requisition;
};

/**
 * EvaluateApproval: applies the cost center's policy to a pending requisition. Contract lines under
 * the limit are approved now (stored, audited, RequisitionApproved returned for publishing); anything
 * else waits for a human. A requisition decided before (a retried task, or an approver faster than
 * the workflow) is reported as it is.
 */
export const evaluateApproval = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement' | 'procurementConfig' | 'transactions' | 'audit' | 'clock'>,
  input: EvaluateApprovalInput,
): Promise<ApprovalEvaluation> => {
  let requisition = await requireRequisition(deps, input.requisitionId);
  const policy = await deps.procurementConfig.approvalPolicy(requisition.costCenter);
  const now = deps.clock.now();
  const base = {
    requisitionId: requisition.requisitionId,
    correlationId: requisition.correlationId,
    timeouts: effectiveTimeouts(policy.decisionTimeoutSeconds, input.timeouts),
    maxEscalations: positiveInteger(input.maxEscalations) ?? DEFAULT_MAX_ESCALATIONS,
  };
  let reason: string | undefined;
  if (requisition.status === 'PENDING_APPROVAL' || requisition.status === 'ESCALATED') {
    const outcome = decideApproval(requisition, policy);
    reason = outcome.reason;
    if (outcome.decision === 'NEEDS_APPROVAL') return { ...base, decision: 'NEEDS_APPROVAL', reason, entries: [] };
    const change = applyAutoApproval(requisition, outcome, now);
    await deps.procurement.saveRequisition(change.requisition, requisition.status);
    requisition = change.requisition;
    await deps.audit.append(change.audit);
    await recordHop(deps, requisition.correlationId, 'requisition-approved', 'ok', {
      requisitionId: requisition.requisitionId,
      approval: 'AUTO',
      reason,
      totalAmount: requisition.totalAmount,
    });
  }
  if (requisition.status === 'REJECTED') return { ...base, decision: 'REJECTED', entries: [] };
  const approved = requisitionApproved(envelopeInput(requisition.correlationId, requisition.requisitionId, now), requisition);
  return { ...base, decision: 'APPROVED', ...(reason === undefined ? {} : { reason }), entries: toPutEventsEntries([approved], input.eventBusName) };
};

/** What an escalation did. */
export interface EscalationResult {
  requisitionId: string;
  /** false when the requisition was decided meanwhile: the workflow's next wait receives the decision. */
  escalated: boolean;
  escalationCount: number;
  entries: PutEventsEntry[];
}

/**
 * The decision timeout fired: the requisition becomes ESCALATED (counted, audited) and an
 * APPROVAL_ESCALATED alert is returned for publishing. A requisition decided in the meantime is left
 * as it is.
 */
export const escalate = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement' | 'transactions' | 'audit' | 'clock'>,
  input: { requisitionId: string; eventBusName: string },
): Promise<EscalationResult> => {
  const requisition = await requireRequisition(deps, input.requisitionId);
  if (requisition.status !== 'PENDING_APPROVAL' && requisition.status !== 'ESCALATED') {
    return { requisitionId: requisition.requisitionId, escalated: false, escalationCount: requisition.escalationCount ?? 0, entries: [] };
  }
  const now = deps.clock.now();
  const change = escalateRequisition(requisition, now);
  await deps.procurement.saveRequisition(change.requisition, requisition.status);
  await deps.audit.append(change.audit);
  const escalationCount = change.requisition.escalationCount ?? 1;
  await recordHop(deps, requisition.correlationId, 'requisition-escalated', 'error', { requisitionId: requisition.requisitionId, escalationCount });
  // Keyed on the escalation count: each escalation alerts once, whatever the clock says.
  const alert = procurementAlertRaised(
    {
      ...envelopeInput(requisition.correlationId, requisition.requisitionId, now),
      businessKey: `ALERT|APPROVAL_ESCALATED|REQUISITION|${requisition.requisitionId}|${escalationCount}`,
    },
    escalationAlertFor(change.requisition, now.toISOString()),
  );
  return { requisitionId: requisition.requisitionId, escalated: true, escalationCount, entries: toPutEventsEntries([alert], input.eventBusName) };
};

/** The PO the workflow goes on with. */
export interface PurchaseOrderBuilt {
  poNumber: string;
  requisitionId: string;
  supplierId: string;
  facilityId: string;
  correlationId: string;
  status: PurchaseOrder['status'];
  /** false when the PO existed already (a retried task). */
  created: boolean;
}

/**
 * BuildPurchaseOrder: the PO of an approved requisition. Its number is drawn from the facility's PO
 * counter and reserved on the requisition before the PO is written, so a retried task reuses it and
 * never leaves an orphan number behind; the requisition then becomes ORDERED.
 *
 * @throws ConflictError when the requisition is not approved; DataError when its facility or an item
 *   is unknown (see `purchaseOrderFromRequisition`).
 */
export const buildPurchaseOrder = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement' | 'controlNumbers' | 'referenceData' | 'transactions' | 'audit' | 'clock'>,
  input: { requisitionId: string },
): Promise<PurchaseOrderBuilt> => {
  let requisition = await requireRequisition(deps, input.requisitionId);
  if (requisition.status !== 'APPROVED' && requisition.status !== 'ORDERED') {
    throw new ConflictError(`requisition ${requisition.requisitionId} is ${requisition.status}, not APPROVED`, {
      details: { requisitionId: requisition.requisitionId, status: requisition.status },
    });
  }
  let poNumber = requisition.poNumber;
  if (poNumber === undefined) {
    const { group } = await deps.controlNumbers.next(poSequenceKey(requisition.facilityId));
    poNumber = poNumberFor(Number(group), requisition.facilityId);
    const reserved = { ...requisition, poNumber };
    await deps.procurement.saveRequisition(reserved, requisition.status);
    requisition = reserved;
  }
  const existing = await deps.procurement.getPurchaseOrder(poNumber);
  let purchaseOrder: PurchaseOrder | undefined = existing;
  let created = false;
  if (purchaseOrder === undefined) {
    const facility = await deps.referenceData.getFacility(requisition.facilityId);
    if (facility === undefined) {
      throw new DataError(`requisition ${requisition.requisitionId} is for unknown facility ${requisition.facilityId}`, {
        details: { requisitionId: requisition.requisitionId, facilityId: requisition.facilityId },
      });
    }
    const items = new Map<string, Item>();
    for (const line of requisition.lines) {
      const item = await deps.referenceData.getItem(line.itemId);
      if (item !== undefined) items.set(item.itemId, item);
    }
    const now = deps.clock.now();
    const built = purchaseOrderFromRequisition(requisition, items, facility, poNumber, now);
    ({ created, purchaseOrder } = await deps.procurement.createPurchaseOrder(built));
    if (created) {
      await deps.audit.append({ actor: WORKFLOW_ACTOR, action: 'PurchaseOrderCreated', entity: `po:${poNumber}`, correlationId: built.correlationId, payload: built });
      await recordHop(deps, built.correlationId, 'po-created', 'ok', {
        poNumber,
        requisitionId: requisition.requisitionId,
        supplierId: built.supplierId,
        lines: built.lines.length,
      });
    }
  }
  if (requisition.status === 'APPROVED') {
    await deps.procurement.saveRequisition(markOrdered(requisition, poNumber), 'APPROVED');
  }
  return {
    poNumber,
    requisitionId: requisition.requisitionId,
    supplierId: purchaseOrder.supplierId,
    facilityId: purchaseOrder.facilityId,
    correlationId: purchaseOrder.correlationId,
    status: purchaseOrder.status,
    created,
  };
};

/** What RegisterWait did with the task token. */
export interface WaitRegistered {
  entity: string;
  awaited: string;
  /** true when the event had arrived already: the task was completed at once with its payload. */
  alreadyArrived: boolean;
}

/**
 * RegisterWait: keeps the task token of a `.waitForTaskToken` state until the awaited event arrives
 * (`WaitRegistry.arrive` + `WorkflowControl.succeed` by whoever receives it). When the event came
 * first, the task is completed now with the stored payload.
 */
export const registerWait = async (
  deps: Pick<ProcurementUseCaseDependencies, 'waits' | 'workflows'>,
  input: { entity: string; awaited: string; token: string },
): Promise<WaitRegistered> => {
  const registration = await deps.waits.register(input.entity, input.awaited, input.token);
  if (!('alreadyArrived' in registration)) return { entity: input.entity, awaited: input.awaited, alreadyArrived: false };
  await completeTask(deps, input.token, registration.alreadyArrived ?? {});
  return { entity: input.entity, awaited: input.awaited, alreadyArrived: true };
};

/** What a PO step was waiting for when its timeout fired, or why it stopped. */
export type PurchaseOrderAlertReason =
  | 'ERP'
  | 'SUPPLIER_NETWORK'
  | 'ACKNOWLEDGMENT'
  | 'SHIP_NOTICE'
  | 'RECEIPT'
  | 'INVOICE'
  | 'REJECTED_BY_ERP'
  | 'REJECTED_BY_SUPPLIER';

/** The alert of one reason, for a PO, due `dueAt`. */
export const purchaseOrderAlert = (po: PurchaseOrder, reason: PurchaseOrderAlertReason, dueAt: string): ProcurementAlert => {
  const base = { entity: { kind: 'PURCHASE_ORDER' as const, id: po.poNumber }, supplierId: po.supplierId, costCenter: po.costCenter, dueAt };
  switch (reason) {
    case 'ACKNOWLEDGMENT':
    case 'SHIP_NOTICE':
    case 'INVOICE':
      return overdueAlertFor(po, reason, dueAt);
    case 'RECEIPT':
      return { ...base, alertType: 'RECEIPT_OVERDUE', severity: 'WARNING' };
    case 'ERP':
      return { ...base, alertType: 'ERP_UNAVAILABLE', severity: 'WARNING' };
    case 'SUPPLIER_NETWORK':
      return { ...base, alertType: 'SUPPLIER_NETWORK_UNAVAILABLE', severity: 'WARNING' };
    case 'REJECTED_BY_ERP':
    case 'REJECTED_BY_SUPPLIER':
      return { ...base, alertType: 'PURCHASE_ORDER_REJECTED', severity: 'CRITICAL' };
  }
};

/** An alert raised (or found unnecessary). */
export interface AlertRaised {
  alertType: ProcurementAlert['alertType'];
  severity: ProcurementAlert['severity'];
  poStatus: PurchaseOrder['status'];
  /**
   * true when the PO has already moved past what the wait expected (a supplier that sends no 855 or
   * no 856 but ships, goods received from an ASN): no alert, the workflow goes on to its next wait.
   */
  movedOn: boolean;
  /** ProcurementAlertRaised, or nothing when `movedOn`. */
  entries: PutEventsEntry[];
}

/** PO statuses that show the awaited document is no longer needed to go on. */
const MOVED_ON: Partial<Record<PurchaseOrderAlertReason, readonly PurchaseOrder['status'][]>> = {
  ACKNOWLEDGMENT: ['SHIPPED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'INVOICED', 'CLOSED'],
  SHIP_NOTICE: ['PARTIALLY_RECEIVED', 'RECEIVED', 'INVOICED', 'CLOSED'],
  RECEIPT: ['PARTIALLY_RECEIVED', 'RECEIVED', 'INVOICED', 'CLOSED'],
  INVOICE: ['INVOICED', 'CLOSED'],
};

/**
 * RaiseProcurementAlert for a purchase order: a wait timed out (the workflow waits again after it)
 * or a system refused the PO for good. A wait whose document the PO no longer needs (it moved past
 * it: see `movedOn`) raises nothing. Returns ProcurementAlertRaised for publishing (keyed on type,
 * PO and due time, so each firing alerts once) and records an error hop; operators see it on the
 * alert metric's alarm.
 */
export const raiseAlert = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement' | 'transactions' | 'clock'>,
  input: { poNumber: string; reason: PurchaseOrderAlertReason; eventBusName: string },
): Promise<AlertRaised> => {
  const po = await requirePurchaseOrder(deps, input.poNumber);
  const now = deps.clock.now();
  const alert = purchaseOrderAlert(po, input.reason, now.toISOString());
  if (MOVED_ON[input.reason]?.includes(po.status) === true) {
    return { alertType: alert.alertType, severity: alert.severity, poStatus: po.status, movedOn: true, entries: [] };
  }
  await recordHop(deps, po.correlationId, 'procurement-alert', 'error', {
    poNumber: po.poNumber,
    alertType: alert.alertType,
    severity: alert.severity,
    reason: input.reason,
  });
  const event = procurementAlertRaised(envelopeInput(po.correlationId, po.poNumber, now), alert);
  return { alertType: alert.alertType, severity: alert.severity, poStatus: po.status, movedOn: false, entries: toPutEventsEntries([event], input.eventBusName) };
};

/** What ClosePurchaseOrder found. */
export interface PurchaseOrderClosing {
  poNumber: string;
  closed: boolean;
  status: PurchaseOrder['status'];
  /** What an open PO still waits for. */
  outstanding?: 'RECEIPT' | 'INVOICE';
  /** true when an open PO was reported to operators (a reminder after a recheck). */
  reminded: boolean;
  /** PurchaseOrderClosed when closed; the reminder alert when reminded; empty otherwise. */
  entries: PutEventsEntry[];
}

/**
 * ClosePurchaseOrder: closes the PO when every line is received and invoiced (or rejected — a PO the
 * supplier rejected closes at once), stores and audits it and returns PurchaseOrderClosed. A PO with
 * goods or invoices still outstanding stays open; with `remindWhenOpen` (a recheck after waiting) the
 * outstanding part is alerted (RECEIPT_OVERDUE / INVOICE_OVERDUE). A replenishment PO closed short
 * (or rejected) gives back the on order of what never arrived (ON_ORDER_RELEASED, invariant I2), once:
 * a re-run of a closed PO finishes any release a crash left undone and repeats none. A replenishment
 * PO has one line, so PurchaseOrderClosed and its release stay well within PutEvents' 10 entries.
 */
export const closePurchaseOrder = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement' | 'transactions' | 'audit' | 'clock' | 'inventory'>,
  input: { poNumber: string; remindWhenOpen: boolean; eventBusName: string },
): Promise<PurchaseOrderClosing> => {
  const po = await requirePurchaseOrder(deps, input.poNumber);
  const now = deps.clock.now();
  const envelope = envelopeInput(po.correlationId, po.poNumber, now);
  const release = async (closed: PurchaseOrder): Promise<BusEvent[]> =>
    (await raisesOnOrder(deps, closed)) ? releasePurchaseOrderOnOrder(deps, closed, { causationId: po.poNumber, actor: WORKFLOW_ACTOR }) : [];
  if (po.status === 'CLOSED') {
    const { version: _version, ...closed } = po;
    const released = await release(closed);
    return { poNumber: po.poNumber, closed: true, status: po.status, reminded: false, entries: toPutEventsEntries([purchaseOrderClosed(envelope, closed), ...released], input.eventBusName) };
  }
  const matched = await payableMatchesOf(deps, po.poNumber);
  if (canClose(po, matched)) {
    const { version, ...stored } = po;
    const raised = await raisesOnOrder(deps, stored);
    const closing = closedPurchaseOrder(stored, matched, now);
    const closed = raised ? recordOnOrderReleases(closing) : closing;
    await deps.procurement.savePurchaseOrder(closed, version);
    await deps.audit.append({ actor: WORKFLOW_ACTOR, action: 'PurchaseOrderClosed', entity: `po:${po.poNumber}`, correlationId: po.correlationId, payload: closed });
    await recordHop(deps, po.correlationId, 'po-closed', 'ok', { poNumber: po.poNumber, rejected: closed.lines.every((l) => l.status === 'REJECTED') });
    const released = await release(closed);
    return { poNumber: po.poNumber, closed: true, status: closed.status, reminded: false, entries: toPutEventsEntries([purchaseOrderClosed(envelope, closed), ...released], input.eventBusName) };
  }
  const outstanding = po.lines.some((l) => outstandingBaseQuantity(l) > 0) ? 'RECEIPT' : 'INVOICE';
  if (!input.remindWhenOpen) return { poNumber: po.poNumber, closed: false, status: po.status, outstanding, reminded: false, entries: [] };
  const alert = purchaseOrderAlert(po, outstanding, now.toISOString());
  await recordHop(deps, po.correlationId, 'procurement-alert', 'error', { poNumber: po.poNumber, alertType: alert.alertType, outstanding });
  const events: BusEvent[] = [procurementAlertRaised(envelope, alert)];
  return { poNumber: po.poNumber, closed: false, status: po.status, outstanding, reminded: true, entries: toPutEventsEntries(events, input.eventBusName) };
};

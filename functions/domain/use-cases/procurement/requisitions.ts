/**
 * Use cases: raise a requisition (from a `ReplenishmentRequested` event or the SaaS procurement
 * tool) and start its requisition-to-pay workflow; read one; record a human approval decision and
 * hand it to the workflow waiting for it. Pure orchestration over the ports; the rules live in
 * functions/domain/procurement/.
 */
import type { ReplenishmentRequested } from '../../../../contracts/events';
import type { ApprovalDecision, Requisition } from '../../../../contracts/procurement';
import type { Item } from '../../../../contracts/reference';
import { DataError, NotFoundError } from '../../errors';
import { applyDecision } from '../../procurement/approval';
import { requisitionApproved, requisitionCreated, requisitionRejected } from '../../procurement/events';
import { parseRequisitionRequest, requisitionFromReplenishment, requisitionFromRequest } from '../../procurement/requisition';
import { releaseRequisitionOnOrder } from './on-order';
import {
  envelopeInput,
  recordHop,
  REQUISITION_TO_PAY,
  requisitionIdFor,
  type ProcurementUseCaseDependencies,
  WORKFLOW_ACTOR,
} from './shared';

/** What raising a requisition did. */
export interface RequisitionStarted {
  requisition: Requisition;
  /** false when the business key had raised it before (a redelivery or a resubmission). */
  created: boolean;
  /** false when its workflow was running or had run already. */
  workflowStarted: boolean;
}

/** The input of a RequisitionToPay execution (timeouts default from configuration in EvaluateApproval). */
export interface RequisitionToPayInput {
  requisitionId: string;
  correlationId: string;
}

type StartDependencies = Pick<ProcurementUseCaseDependencies, 'procurement' | 'workflows' | 'events' | 'transactions' | 'audit' | 'clock'>;

/**
 * Stores the requisition (idempotent on its externalRef), announces a new one (RequisitionCreated,
 * hop, audit) and starts the workflow named after the requisition id. Every step is safe to repeat:
 * a redelivery finds the stored requisition, republishes the same event (same idempotency key) and
 * the start answers "already started".
 */
const storeAndStart = async (
  deps: StartDependencies,
  requisition: Requisition,
  causationId: string,
  actor: string,
  clientCorrelationId?: string,
): Promise<RequisitionStarted> => {
  const { created, requisition: stored } = await deps.procurement.createRequisition(requisition);
  const now = deps.clock.now();
  // Published on a redelivery too: a crash between the write and the publish must not lose the event.
  await deps.events.publish([requisitionCreated(envelopeInput(stored.correlationId, causationId, now), stored)]);
  if (created) {
    await recordHop(deps, stored.correlationId, 'requisition-created', 'ok', {
      requisitionId: stored.requisitionId,
      source: stored.source,
      supplierId: stored.supplierId,
      costCenter: stored.costCenter,
      lines: stored.lines.length,
      totalAmount: stored.totalAmount,
      currency: stored.currency,
      ...(clientCorrelationId === undefined ? {} : { clientCorrelationId }),
    });
    await deps.audit.append({
      actor,
      action: 'RequisitionCreated',
      entity: `requisition:${stored.requisitionId}`,
      correlationId: stored.correlationId,
      payload: stored,
    });
  }
  const input: RequisitionToPayInput = { requisitionId: stored.requisitionId, correlationId: stored.correlationId };
  const { started } = await deps.workflows.start(REQUISITION_TO_PAY, stored.requisitionId, input);
  return { requisition: stored, created, workflowStarted: started };
};

/**
 * A `ReplenishmentRequested` event becomes a requisition of one line (the item's purchasing unit,
 * from the event's supplier else the item's), priced from the item master, and its workflow starts.
 * The requisition's externalRef is the event's idempotency key and its correlationId the event's, so
 * the transaction that consumed the stock is traceable to the purchase order.
 *
 * @param causationId the bus event's id.
 * @throws DataError when the item is unknown, has no supplier or no conversion for the purchasing unit.
 */
export const startRequisitionFromReplenishment = async (
  deps: StartDependencies & Pick<ProcurementUseCaseDependencies, 'referenceData'>,
  event: ReplenishmentRequested,
  causationId: string,
): Promise<RequisitionStarted> => {
  const item = await deps.referenceData.getItem(event.itemId);
  if (item === undefined) {
    throw new DataError(`replenishment for unknown item ${event.itemId}`, { details: { itemId: event.itemId } });
  }
  const requisition = requisitionFromReplenishment(
    event,
    item,
    { requisitionId: requisitionIdFor('REPLENISHMENT', event.idempotencyKey), correlationId: event.correlationId },
    deps.clock.now(),
  );
  return storeAndStart(deps, requisition, causationId, WORKFLOW_ACTOR);
};

/**
 * `POST /v1/requisitions`: a requisition raised in a SaaS procurement tool. The body is validated, the
 * supplier, facility, location and cost center must exist (and agree), prices come from HEM's data.
 * Resubmitting the same externalRef returns the stored requisition (`created: false`). The caller's
 * own correlation id, if it sent one, is kept as `clientCorrelationId` on the requisition-created hop.
 *
 * @throws ValidationError / DataError (with a JSON pointer location) for a body HEM cannot accept.
 */
export const createRequisitionFromRequest = async (
  deps: StartDependencies & Pick<ProcurementUseCaseDependencies, 'referenceData' | 'procurementConfig'>,
  body: unknown,
  context: { correlationId: string; actor: string; clientCorrelationId?: string },
): Promise<RequisitionStarted> => {
  const request = parseRequisitionRequest(body);
  if ((await deps.procurementConfig.getSupplier(request.supplierId)) === undefined) {
    throw new DataError(`unknown supplier ${request.supplierId}`, { location: '/supplierId', details: { supplierId: request.supplierId } });
  }
  if ((await deps.referenceData.getFacility(request.facilityId)) === undefined) {
    throw new DataError(`unknown facility ${request.facilityId}`, { location: '/facilityId', details: { facilityId: request.facilityId } });
  }
  const location = await deps.referenceData.getLocation(request.locationId);
  if (location === undefined || location.facilityId !== request.facilityId) {
    throw new DataError(`location ${request.locationId} is not a location of facility ${request.facilityId}`, {
      location: '/locationId',
      details: { locationId: request.locationId, facilityId: request.facilityId },
    });
  }
  const costCenter = await deps.referenceData.getCostCenter(request.costCenter);
  if (costCenter === undefined || costCenter.facilityId !== request.facilityId) {
    throw new DataError(`cost center ${request.costCenter} is not a cost center of facility ${request.facilityId}`, {
      location: '/costCenter',
      details: { costCenter: request.costCenter, facilityId: request.facilityId },
    });
  }
  const items = new Map<string, Item>();
  for (const itemId of new Set(request.lines.map((l) => l.itemId))) {
    const item = await deps.referenceData.getItem(itemId);
    if (item !== undefined) items.set(itemId, item);
  }
  const requisition = requisitionFromRequest(
    request,
    items,
    { requisitionId: requisitionIdFor('SAAS', request.externalRef), correlationId: context.correlationId },
    deps.clock.now(),
  );
  return storeAndStart(deps, requisition, context.correlationId, context.actor, context.clientCorrelationId);
};

/**
 * One requisition.
 *
 * @throws NotFoundError when there is none with this id.
 */
export const getRequisition = async (deps: Pick<ProcurementUseCaseDependencies, 'procurement'>, requisitionId: string): Promise<Requisition> => {
  const requisition = await deps.procurement.getRequisition(requisitionId);
  if (requisition === undefined) throw new NotFoundError(`no requisition ${requisitionId}`, { details: { requisitionId } });
  return requisition;
};

/** What the workflow waiting for a decision receives (the `DECISION` arrival payload). */
export interface DecisionArrival {
  requisitionId: string;
  decision: ApprovalDecision['decision'];
  status: Requisition['status'];
}

/** What recording a decision did. */
export interface DecisionRecorded {
  requisition: Requisition;
  /** true when a waiting workflow was resumed now; otherwise its next wait finds the decision. */
  resumed: boolean;
}

const sameDecision = (requisition: Requisition, decision: ApprovalDecision, actor: string): boolean =>
  requisition.approval !== undefined &&
  requisition.approval.by === actor &&
  requisition.approval.onBehalfOf === decision.approver &&
  requisition.approval.outcome === (decision.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED');

/**
 * `POST /v1/requisitions/{id}/decision`: an approver approves or rejects. The decision is stored
 * (audited, with the free-text comment only in the audit payload hash) with the authenticated client
 * (`context.actor`, from the token) as actor and the approver the body names as `onBehalfOf`, announced
 * (RequisitionApproved / RequisitionRejected), marked arrived in the WaitRegistry and the waiting
 * workflow's task token completed. Repeating the same client's same decision for the same approver
 * is a replay: nothing changes, the workflow is nudged again. A rejected replenishment requisition gives back what its
 * replenishment put on order (ON_ORDER_RELEASED, invariant I2; once, also when replayed after a crash),
 * or the par location would never reorder again.
 *
 * @throws NotFoundError for an unknown requisition; ConflictError when it was already decided
 *   otherwise; ConcurrencyError when it changed while deciding (retry).
 */
export const decideRequisition = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement' | 'waits' | 'workflows' | 'events' | 'transactions' | 'audit' | 'clock' | 'inventory' | 'referenceData'>,
  requisitionId: string,
  decision: ApprovalDecision,
  context: { correlationId: string; actor: string },
): Promise<DecisionRecorded> => {
  const current = await getRequisition(deps, requisitionId);
  const now = deps.clock.now();
  let requisition = current;
  if (!sameDecision(current, decision, context.actor)) {
    const change = applyDecision(current, decision, context.actor, now);
    await deps.procurement.saveRequisition(change.requisition, current.status);
    requisition = change.requisition;
    await deps.audit.append(change.audit);
    await recordHop(deps, requisition.correlationId, requisition.status === 'REJECTED' ? 'requisition-rejected' : 'requisition-approved', 'ok', {
      requisitionId,
      approval: 'HUMAN',
      totalAmount: requisition.totalAmount,
    });
  }
  const envelope = envelopeInput(requisition.correlationId, context.correlationId, now);
  const released = await releaseRequisitionOnOrder(deps, requisition, { causationId: context.correlationId, actor: context.actor });
  await deps.events.publish([requisition.status === 'REJECTED' ? requisitionRejected(envelope, requisition) : requisitionApproved(envelope, requisition), ...released]);
  const arrival: DecisionArrival = { requisitionId, decision: decision.decision, status: requisition.status };
  const { taskToken } = await deps.waits.arrive(requisitionId, 'DECISION', arrival);
  return { requisition, resumed: taskToken === undefined ? false : await completeTask(deps, taskToken, arrival) };
};

/**
 * Completes a waiting task. A task that no longer waits (its timeout fired a moment ago) is not an
 * error here: the arrival is stored, and the workflow's next wait receives it at once.
 *
 * @returns whether the task was completed now.
 */
export const completeTask = async (deps: Pick<ProcurementUseCaseDependencies, 'workflows'>, taskToken: string, output: unknown): Promise<boolean> => {
  try {
    await deps.workflows.succeed(taskToken, output);
    return true;
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
};

/**
 * Requisition approval (pure). The policy comes from configuration per cost center: a requisition
 * made only of contract items and totalling under the cost center's limit is approved without a
 * human; anything else waits for an approver (a Step Functions task token) and escalates when the
 * decision takes longer than the policy allows. Every decision yields the audit entry to append.
 */
import type { ApprovalDecision, ApprovalPolicy, Requisition } from '../../../contracts/procurement';
import { amountInCents } from '../costing';
import { ConflictError, DataError, NotFoundError } from '../errors';
import type { AuditEntry } from '../ports';

/** The actor recorded when the policy approves on its own. */
export const AUTO_APPROVER = 'hem:auto-approval';
/** The actor recorded when the decision timeout escalates a requisition. */
export const ESCALATION_ACTOR = 'hem:approval-timeout';
/** The policy entry that applies to cost centers without their own. */
export const DEFAULT_POLICY_COST_CENTER = 'default';

/** Why the policy decided as it did. */
export type ApprovalReason = 'CONTRACT_UNDER_LIMIT' | 'NON_CONTRACT_LINES' | 'AT_OR_OVER_LIMIT';

/** The policy's verdict on one requisition. */
export interface ApprovalOutcome {
  decision: 'AUTO_APPROVED' | 'NEEDS_APPROVAL';
  reason: ApprovalReason;
  /** Line numbers not on a supplier contract (empty when all are). */
  nonContractLines: number[];
  /** How long an approver may take before the workflow escalates (the task token's timeout). */
  decisionTimeoutSeconds: number;
}

/** A requisition after a state change, and the audit entry that records it. */
export interface RequisitionChange {
  requisition: Requisition;
  audit: AuditEntry;
}

const entityOf = (req: Requisition): string => `requisition:${req.requisitionId}`;

/**
 * The approval policy of a cost center: its own entry, else the `default` entry.
 *
 * @throws NotFoundError when neither exists (configuration error: nothing may be approved blindly).
 */
export const approvalPolicyFor = (policies: readonly ApprovalPolicy[], costCenter: string): ApprovalPolicy => {
  const policy = policies.find((p) => p.costCenter === costCenter) ?? policies.find((p) => p.costCenter === DEFAULT_POLICY_COST_CENTER);
  if (policy === undefined) {
    throw new NotFoundError(`no approval policy for cost center ${costCenter} and no default policy`, { details: { costCenter } });
  }
  return policy;
};

const assertPending = (req: Requisition): void => {
  if (req.status !== 'PENDING_APPROVAL' && req.status !== 'ESCALATED') {
    throw new ConflictError(`requisition ${req.requisitionId} is already ${req.status}`, {
      details: { requisitionId: req.requisitionId, status: req.status },
    });
  }
};

/**
 * Decide whether the policy approves the requisition on its own: only when every line is a contract
 * line AND the total is strictly under `autoApproveContractUnder` (compared in cents). Otherwise a
 * human decides, within `decisionTimeoutSeconds`.
 *
 * @throws ConflictError when the requisition was already decided.
 * @throws DataError when the policy belongs to another cost center.
 */
export const decideApproval = (req: Requisition, policy: ApprovalPolicy): ApprovalOutcome => {
  assertPending(req);
  if (policy.costCenter !== req.costCenter && policy.costCenter !== DEFAULT_POLICY_COST_CENTER) {
    throw new DataError(`policy of cost center ${policy.costCenter} applied to a requisition of ${req.costCenter}`, {
      details: { requisitionId: req.requisitionId, costCenter: req.costCenter },
    });
  }
  const nonContractLines = req.lines.filter((l) => !l.contract).map((l) => l.lineNumber);
  const base = { nonContractLines, decisionTimeoutSeconds: policy.decisionTimeoutSeconds };
  if (nonContractLines.length > 0) return { decision: 'NEEDS_APPROVAL', reason: 'NON_CONTRACT_LINES', ...base };
  if (amountInCents(1, req.totalAmount) >= amountInCents(1, policy.autoApproveContractUnder)) {
    return { decision: 'NEEDS_APPROVAL', reason: 'AT_OR_OVER_LIMIT', ...base };
  }
  return { decision: 'AUTO_APPROVED', reason: 'CONTRACT_UNDER_LIMIT', ...base };
};

/**
 * Approve by policy (the outcome of `decideApproval` must be AUTO_APPROVED).
 *
 * @throws ConflictError when the requisition was already decided or the policy asked for a human.
 */
export const applyAutoApproval = (req: Requisition, outcome: ApprovalOutcome, now: Date): RequisitionChange => {
  assertPending(req);
  if (outcome.decision !== 'AUTO_APPROVED') {
    throw new ConflictError(`requisition ${req.requisitionId} needs a human approval (${outcome.reason})`, {
      details: { requisitionId: req.requisitionId, reason: outcome.reason },
    });
  }
  const at = now.toISOString();
  return {
    requisition: { ...req, status: 'APPROVED', approval: { outcome: 'AUTO_APPROVED', by: AUTO_APPROVER, at } },
    audit: {
      actor: AUTO_APPROVER,
      action: 'RequisitionApproved',
      entity: entityOf(req),
      correlationId: req.correlationId,
      payload: { requisitionId: req.requisitionId, decision: 'AUTO_APPROVED', reason: outcome.reason, totalAmount: req.totalAmount, at },
    },
  };
};

/**
 * Record an approver's decision (the answer to the task token). Allowed while PENDING_APPROVAL or
 * ESCALATED. The comment goes only into the audit payload (hashed there), never into the stored
 * requisition: it is free text and could carry PHI. `actor` is the authenticated client that decided
 * (from the token); the approver the request names is only asserted by it, so it is kept as
 * `onBehalfOf` (on the requisition's approval and in the audit record), never as the actor.
 *
 * @throws ConflictError when the requisition was already approved, rejected or ordered.
 */
export const applyDecision = (req: Requisition, decision: ApprovalDecision, actor: string, now: Date): RequisitionChange => {
  assertPending(req);
  const at = now.toISOString();
  const approved = decision.decision === 'APPROVE';
  return {
    requisition: {
      ...req,
      status: approved ? 'APPROVED' : 'REJECTED',
      approval: { outcome: approved ? 'APPROVED' : 'REJECTED', by: actor, onBehalfOf: decision.approver, at },
    },
    audit: {
      actor,
      onBehalfOf: decision.approver,
      action: approved ? 'RequisitionApproved' : 'RequisitionRejected',
      entity: entityOf(req),
      correlationId: req.correlationId,
      payload: {
        requisitionId: req.requisitionId,
        decision: decision.decision,
        approver: decision.approver,
        ...(decision.comment === undefined ? {} : { comment: decision.comment }),
        totalAmount: req.totalAmount,
        at,
      },
    },
  };
};

/**
 * The decision timeout expired: the requisition escalates (it stays decidable). Escalating again
 * counts the escalations and keeps the first escalation time.
 *
 * @throws ConflictError when the requisition was already decided.
 */
export const escalateRequisition = (req: Requisition, now: Date): RequisitionChange => {
  assertPending(req);
  const at = now.toISOString();
  const escalationCount = (req.escalationCount ?? 0) + 1;
  return {
    requisition: { ...req, status: 'ESCALATED', escalatedAt: req.escalatedAt ?? at, escalationCount },
    audit: {
      actor: ESCALATION_ACTOR,
      action: 'RequisitionEscalated',
      entity: entityOf(req),
      correlationId: req.correlationId,
      payload: { requisitionId: req.requisitionId, escalationCount, at },
    },
  };
};

/**
 * The purchase order was created: APPROVED → ORDERED. Idempotent for the same PO number.
 *
 * @throws ConflictError when the requisition is not approved, or already ordered on another PO.
 */
export const markOrdered = (req: Requisition, poNumber: string): Requisition => {
  if (req.status === 'ORDERED' && req.poNumber === poNumber) return req;
  if (req.status !== 'APPROVED') {
    throw new ConflictError(`requisition ${req.requisitionId} is ${req.status}, not APPROVED`, {
      details: { requisitionId: req.requisitionId, status: req.status, poNumber },
    });
  }
  return { ...req, status: 'ORDERED', poNumber };
};

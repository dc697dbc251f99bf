import { describe, expect, it } from '@jest/globals';
import type { ApprovalPolicy } from '../../../contracts/procurement';
import { ConflictError, DataError, NotFoundError } from '../../../functions/domain/errors';
import {
  AUTO_APPROVER,
  applyAutoApproval,
  applyDecision,
  approvalPolicyFor,
  decideApproval,
  escalateRequisition,
  markOrdered,
} from '../../../functions/domain/procurement/approval';
import { NOW, pendingRequisition, standardLines } from './fixtures';

const policy: ApprovalPolicy = { costCenter: 'CC-NMC-OR', autoApproveContractUnder: 500, decisionTimeoutSeconds: 86_400 };
const fallback: ApprovalPolicy = { costCenter: 'default', autoApproveContractUnder: 100, decisionTimeoutSeconds: 3_600 };
const later = new Date('2025-03-15T09:30:00.000Z');

describe('approval policy', () => {
  it('auto-approves a requisition of contract items under the cost center’s limit', () => {
    // 27.00 + 148.80 + 160.00 = 335.80 < 500
    const outcome = decideApproval(pendingRequisition(standardLines()), policy);
    expect(outcome.decision).toBe('AUTO_APPROVED');
    expect(outcome.reason).toBe('CONTRACT_UNDER_LIMIT');
  });

  it('asks a human when any line is off contract, whatever the amount', () => {
    const lines = standardLines().map((l) => (l.lineNumber === 2 ? { ...l, contract: false } : l));
    const outcome = decideApproval(pendingRequisition(lines), policy);
    expect([outcome.decision, outcome.reason, outcome.nonContractLines]).toStrictEqual(['NEEDS_APPROVAL', 'NON_CONTRACT_LINES', [2]]);
    expect(outcome.decisionTimeoutSeconds).toBe(86_400);
  });

  it('asks a human when the total reaches the limit (under means strictly under, in cents)', () => {
    expect(decideApproval(pendingRequisition(standardLines()), { ...policy, autoApproveContractUnder: 335.8 }).reason).toBe('AT_OR_OVER_LIMIT');
    expect(decideApproval(pendingRequisition(standardLines()), { ...policy, autoApproveContractUnder: 335.81 }).decision).toBe('AUTO_APPROVED');
  });

  it('uses the cost center’s own policy, else the default one, else refuses', () => {
    expect(approvalPolicyFor([fallback, policy], 'CC-NMC-OR')).toBe(policy);
    expect(approvalPolicyFor([fallback, policy], 'CC-SCH-ICU')).toBe(fallback);
    expect(() => approvalPolicyFor([policy], 'CC-SCH-ICU')).toThrow(NotFoundError);
  });

  it('refuses another cost center’s policy and an already decided requisition', () => {
    expect(() => decideApproval(pendingRequisition(standardLines(), { costCenter: 'CC-SCH-OR' }), policy)).toThrow(DataError);
    expect(() => decideApproval(pendingRequisition(standardLines(), { status: 'APPROVED' }), policy)).toThrow(ConflictError);
  });
});

describe('approval decisions', () => {
  it('records the policy as approver when it auto-approves, with an audit entry', () => {
    const req = pendingRequisition(standardLines());
    const { requisition, audit } = applyAutoApproval(req, decideApproval(req, policy), NOW);
    expect(requisition.status).toBe('APPROVED');
    expect(requisition.approval).toStrictEqual({ outcome: 'AUTO_APPROVED', by: AUTO_APPROVER, at: NOW.toISOString() });
    expect(audit.actor).toBe(AUTO_APPROVER);
    expect(audit.entity).toBe('requisition:REQ-0001');
  });

  it('refuses to auto-approve what the policy sent to a human', () => {
    const req = pendingRequisition(standardLines());
    expect(() => applyAutoApproval(req, decideApproval(req, { ...policy, autoApproveContractUnder: 10 }), NOW)).toThrow(ConflictError);
  });

  it('approves or rejects on a human decision by the authenticated client on behalf of the named approver, keeping the comment only in the audit payload', () => {
    const req = pendingRequisition(standardLines());
    const approved = applyDecision(req, { decision: 'APPROVE', approver: 'mgr.okafor', comment: 'ok for the Friday list' }, 'approver-app', later);
    expect(approved.requisition.status).toBe('APPROVED');
    expect(approved.requisition.approval).toStrictEqual({ outcome: 'APPROVED', by: 'approver-app', onBehalfOf: 'mgr.okafor', at: later.toISOString() });
    expect([approved.audit.actor, approved.audit.onBehalfOf]).toStrictEqual(['approver-app', 'mgr.okafor']);
    expect(JSON.stringify(approved.requisition).includes('Friday')).toBe(false);
    expect((approved.audit.payload as { comment?: string }).comment).toBe('ok for the Friday list');
    const rejected = applyDecision(req, { decision: 'REJECT', approver: 'mgr.okafor' }, 'approver-app', later);
    expect(rejected.requisition.status).toBe('REJECTED');
    expect(rejected.audit.action).toBe('RequisitionRejected');
  });

  it('raises ConflictError on a decision for a requisition already decided', () => {
    const { requisition } = applyDecision(pendingRequisition(standardLines()), { decision: 'REJECT', approver: 'mgr.okafor' }, 'approver-app', later);
    expect(() => applyDecision(requisition, { decision: 'APPROVE', approver: 'cfo' }, 'approver-app', later)).toThrow(ConflictError);
  });

  it('escalates on the decision timeout, stays decidable, and counts repeated escalations', () => {
    const first = escalateRequisition(pendingRequisition(standardLines()), later);
    expect(first.requisition.status).toBe('ESCALATED');
    const second = escalateRequisition(first.requisition, new Date('2025-03-16T09:30:00.000Z'));
    expect(second.requisition.escalationCount).toBe(2);
    expect(second.requisition.escalatedAt).toBe(later.toISOString());
    expect(applyDecision(second.requisition, { decision: 'APPROVE', approver: 'director.lee' }, 'approver-app', later).requisition.status).toBe('APPROVED');
  });

  it('marks an approved requisition ordered once, idempotently for the same PO', () => {
    const { requisition } = applyDecision(pendingRequisition(standardLines()), { decision: 'APPROVE', approver: 'mgr.okafor' }, 'approver-app', later);
    const ordered = markOrdered(requisition, 'PO-NMC-00000001');
    expect(ordered.status).toBe('ORDERED');
    expect(markOrdered(ordered, 'PO-NMC-00000001')).toBe(ordered);
    expect(() => markOrdered(ordered, 'PO-NMC-00000002')).toThrow(ConflictError);
    expect(() => markOrdered(pendingRequisition(standardLines()), 'PO-NMC-00000001')).toThrow(ConflictError);
  });
});

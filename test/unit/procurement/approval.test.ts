import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    assert.equal(outcome.decision, 'AUTO_APPROVED');
    assert.equal(outcome.reason, 'CONTRACT_UNDER_LIMIT');
  });

  it('asks a human when any line is off contract, whatever the amount', () => {
    const lines = standardLines().map((l) => (l.lineNumber === 2 ? { ...l, contract: false } : l));
    const outcome = decideApproval(pendingRequisition(lines), policy);
    assert.deepEqual([outcome.decision, outcome.reason, outcome.nonContractLines], ['NEEDS_APPROVAL', 'NON_CONTRACT_LINES', [2]]);
    assert.equal(outcome.decisionTimeoutSeconds, 86_400);
  });

  it('asks a human when the total reaches the limit (under means strictly under, in cents)', () => {
    assert.equal(decideApproval(pendingRequisition(standardLines()), { ...policy, autoApproveContractUnder: 335.8 }).reason, 'AT_OR_OVER_LIMIT');
    assert.equal(decideApproval(pendingRequisition(standardLines()), { ...policy, autoApproveContractUnder: 335.81 }).decision, 'AUTO_APPROVED');
  });

  it('uses the cost center’s own policy, else the default one, else refuses', () => {
    assert.equal(approvalPolicyFor([fallback, policy], 'CC-NMC-OR'), policy);
    assert.equal(approvalPolicyFor([fallback, policy], 'CC-SCH-ICU'), fallback);
    assert.throws(() => approvalPolicyFor([policy], 'CC-SCH-ICU'), NotFoundError);
  });

  it('refuses another cost center’s policy and an already decided requisition', () => {
    assert.throws(() => decideApproval(pendingRequisition(standardLines(), { costCenter: 'CC-SCH-OR' }), policy), DataError);
    assert.throws(() => decideApproval(pendingRequisition(standardLines(), { status: 'APPROVED' }), policy), ConflictError);
  });
});

describe('approval decisions', () => {
  it('records the policy as approver when it auto-approves, with an audit entry', () => {
    const req = pendingRequisition(standardLines());
    const { requisition, audit } = applyAutoApproval(req, decideApproval(req, policy), NOW);
    assert.equal(requisition.status, 'APPROVED');
    assert.deepEqual(requisition.approval, { outcome: 'AUTO_APPROVED', by: AUTO_APPROVER, at: NOW.toISOString() });
    assert.equal(audit.actor, AUTO_APPROVER);
    assert.equal(audit.entity, 'requisition:REQ-0001');
  });

  it('refuses to auto-approve what the policy sent to a human', () => {
    const req = pendingRequisition(standardLines());
    assert.throws(() => applyAutoApproval(req, decideApproval(req, { ...policy, autoApproveContractUnder: 10 }), NOW), ConflictError);
  });

  it('approves or rejects on a human decision, keeping the comment only in the audit payload', () => {
    const req = pendingRequisition(standardLines());
    const approved = applyDecision(req, { decision: 'APPROVE', approver: 'mgr.okafor', comment: 'ok for the Friday list' }, later);
    assert.equal(approved.requisition.status, 'APPROVED');
    assert.deepEqual(approved.requisition.approval, { outcome: 'APPROVED', by: 'mgr.okafor', at: later.toISOString() });
    assert.equal(JSON.stringify(approved.requisition).includes('Friday'), false);
    assert.equal((approved.audit.payload as { comment?: string }).comment, 'ok for the Friday list');
    const rejected = applyDecision(req, { decision: 'REJECT', approver: 'mgr.okafor' }, later);
    assert.equal(rejected.requisition.status, 'REJECTED');
    assert.equal(rejected.audit.action, 'RequisitionRejected');
  });

  it('raises ConflictError on a decision for a requisition already decided', () => {
    const { requisition } = applyDecision(pendingRequisition(standardLines()), { decision: 'REJECT', approver: 'mgr.okafor' }, later);
    assert.throws(() => applyDecision(requisition, { decision: 'APPROVE', approver: 'cfo' }, later), ConflictError);
  });

  it('escalates on the decision timeout, stays decidable, and counts repeated escalations', () => {
    const first = escalateRequisition(pendingRequisition(standardLines()), later);
    assert.equal(first.requisition.status, 'ESCALATED');
    const second = escalateRequisition(first.requisition, new Date('2025-03-16T09:30:00.000Z'));
    assert.equal(second.requisition.escalationCount, 2);
    assert.equal(second.requisition.escalatedAt, later.toISOString());
    assert.equal(applyDecision(second.requisition, { decision: 'APPROVE', approver: 'director.lee' }, later).requisition.status, 'APPROVED');
  });

  it('marks an approved requisition ordered once, idempotently for the same PO', () => {
    const { requisition } = applyDecision(pendingRequisition(standardLines()), { decision: 'APPROVE', approver: 'mgr.okafor' }, later);
    const ordered = markOrdered(requisition, 'PO-NMC-00000001');
    assert.equal(ordered.status, 'ORDERED');
    assert.equal(markOrdered(ordered, 'PO-NMC-00000001'), ordered);
    assert.throws(() => markOrdered(ordered, 'PO-NMC-00000002'), ConflictError);
    assert.throws(() => markOrdered(pendingRequisition(standardLines()), 'PO-NMC-00000001'), ConflictError);
  });
});

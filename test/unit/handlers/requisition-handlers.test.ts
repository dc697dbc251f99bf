import { apiEvent, bodyOf, eventBridgeEvent, sqsEvent, sqsRecord } from './support';
import { describe, expect, it } from '@jest/globals';
import type { ReplenishmentRequested } from '../../../contracts/events';
import type { PurchaseOrder } from '../../../contracts/procurement';
import { CircuitBreaker } from '../../../functions/adapters/connectors/circuit-breaker';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../../functions/domain/errors';
import { makeHandler as makeErpConnector } from '../../../functions/handlers/erp-connector';
import { makeHandler as makeRaiseProcurementAlert } from '../../../functions/handlers/raise-procurement-alert';
import { makeHandler as makeRequisitionApi } from '../../../functions/handlers/requisition-api';
import { makeHandler as makeRequisitionStarter } from '../../../functions/handlers/requisition-starter';
import { makeHandler as makeSupplierConnector } from '../../../functions/handlers/supplier-connector';
import { gauzePurchaseOrder } from '../../support/simulators';
import { lambdaContext, replenishmentRequestedDetail } from '../fakes';
import { procurementFakeDependencies } from '../procurement-fakes';

const context = lambdaContext();

const purchaseOrder = (poNumber: string): PurchaseOrder => gauzePurchaseOrder(poNumber);

const saasBody = (overrides: Record<string, unknown> = {}): string =>
  JSON.stringify({
    externalRef: 'SAAS-42',
    facilityId: 'FAC-NMC',
    locationId: 'NMC-OR',
    costCenter: 'CC-NMC-OR',
    supplierId: 'SUP-MEDLINE',
    lines: [{ itemId: 'ITM-10001', quantity: 3, uom: 'BX' }],
    ...overrides,
  });

const SAAS_TOOL = { client_id: 'saas-procurement', scope: 'hem/requisition.write' };
const APPROVER_APP = { client_id: 'approver-app', scope: 'hem/requisition.approve' };

/** `requestId` (API Gateway's request id) is the transaction id HEM gives a new requisition. */
const post = (
  resource: string,
  body: string,
  pathParameters?: Record<string, string>,
  claims: Record<string, string> = pathParameters === undefined ? SAAS_TOOL : APPROVER_APP,
  headers: Record<string, string> = {},
): ReturnType<typeof apiEvent> =>
  apiEvent({
    method: 'POST',
    resource,
    body,
    headers: { 'Content-Type': 'application/json', ...headers },
    requestId: 'corr-api-1',
    claims,
    ...(pathParameters ? { pathParameters } : {}),
  });

describe('RequisitionApi handler', () => {
  it('returns 201 with the requisition id, status and correlation id, starts the workflow, and 200 for a resubmission', async () => {
    const fakes = procurementFakeDependencies();
    const api = makeRequisitionApi(fakes);
    const first = await api(post('/v1/requisitions', saasBody()), context);
    expect(first.statusCode).toBe(201);
    const body = bodyOf<{ requisitionId: string; status: string; correlationId: string }>(first);
    expect(body.requisitionId).toMatch(/^REQ-[0-9A-F]{20}$/);
    expect(body.status).toBe('PENDING_APPROVAL');
    expect(body.correlationId).toBe('corr-api-1');
    expect(fakes.workflows.starts.map((s) => [s.workflow, s.name])).toStrictEqual([['RequisitionToPay', body.requisitionId]]);
    expect(fakes.events.ofType('RequisitionCreated').length).toBe(1);

    const again = await api(post('/v1/requisitions', saasBody()), context);
    expect(again.statusCode).toBe(200);
    expect(bodyOf<{ requisitionId: string }>(again).requisitionId).toBe(body.requisitionId);
    expect(fakes.procurement.requisitions.size).toBe(1);
  });

  it('returns 400 naming the field for an unknown supplier or a location of another facility', async () => {
    const api = makeRequisitionApi(procurementFakeDependencies());
    const unknownSupplier = await api(post('/v1/requisitions', saasBody({ supplierId: 'SUP-NOBODY' })), context);
    expect(unknownSupplier.statusCode).toBe(400);
    expect(bodyOf<{ location: string }>(unknownSupplier).location).toBe('/supplierId');
    const otherFacility = await api(post('/v1/requisitions', saasBody({ locationId: 'SCH-OR' })), context);
    expect(bodyOf<{ location: string }>(otherFacility).location).toBe('/locationId');
  });

  it('returns 404 for an unknown requisition and 409 when a decided requisition is decided otherwise', async () => {
    const fakes = procurementFakeDependencies();
    const api = makeRequisitionApi(fakes);
    const missing = await api(apiEvent({ resource: '/v1/requisitions/{requisitionId}', pathParameters: { requisitionId: 'REQ-NOPE' } }), context);
    expect(missing.statusCode).toBe(404);

    const { requisitionId } = bodyOf<{ requisitionId: string }>(await api(post('/v1/requisitions', saasBody()), context));
    const decision = '/v1/requisitions/{requisitionId}/decision';
    const approved = await api(post(decision, JSON.stringify({ decision: 'APPROVE', approver: 'buyer-1', comment: 'ok for the OR' }), { requisitionId }), context);
    expect(approved.statusCode).toBe(200);
    expect(bodyOf<{ status: string; resumed: boolean }>(approved).status).toBe('APPROVED');
    const replay = await api(post(decision, JSON.stringify({ decision: 'APPROVE', approver: 'buyer-1' }), { requisitionId }), context);
    expect(replay.statusCode).toBe(200);
    const conflict = await api(post(decision, JSON.stringify({ decision: 'REJECT', approver: 'buyer-2' }), { requisitionId }), context);
    expect(conflict.statusCode).toBe(409);
    const stored = await api(apiEvent({ resource: '/v1/requisitions/{requisitionId}', pathParameters: { requisitionId } }), context);
    expect(bodyOf<{ approval: { by: string; onBehalfOf: string } }>(stored).approval).toMatchObject({ by: 'approver-app', onBehalfOf: 'buyer-1' });
    expect(JSON.stringify(bodyOf(stored)).includes('ok for the OR')).toBe(false);
  });

  it("regression #12: records the token's client as the actor of a decision and the body's approver only as onBehalfOf", async () => {
    const fakes = procurementFakeDependencies();
    const api = makeRequisitionApi(fakes);
    const { requisitionId } = bodyOf<{ requisitionId: string }>(await api(post('/v1/requisitions', saasBody()), context));
    const decided = await api(post('/v1/requisitions/{requisitionId}/decision', JSON.stringify({ decision: 'APPROVE', approver: 'cfo' }), { requisitionId }), context);
    expect(decided.statusCode).toBe(200);
    const audited = fakes.audit.records.filter((r) => r.action === 'RequisitionApproved');
    expect(audited.map((r) => [r.actor, r.onBehalfOf])).toStrictEqual([['approver-app', 'cfo']]);
    expect(fakes.procurement.requisitions.get(requisitionId)?.approval).toMatchObject({ by: 'approver-app', onBehalfOf: 'cfo' });
    expect(fakes.events.ofType('RequisitionApproved').map((e) => [e.detail.approvedBy, e.detail.onBehalfOf])).toStrictEqual([['approver-app', 'cfo']]);
  });

  it('answers 401 to a decision without an authenticated client and records nothing', async () => {
    const fakes = procurementFakeDependencies();
    const api = makeRequisitionApi(fakes);
    const { requisitionId } = bodyOf<{ requisitionId: string }>(await api(post('/v1/requisitions', saasBody()), context));
    const anonymous = apiEvent({
      method: 'POST',
      resource: '/v1/requisitions/{requisitionId}/decision',
      pathParameters: { requisitionId },
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ decision: 'APPROVE', approver: 'cfo' }),
    });
    expect((await api(anonymous, context)).statusCode).toBe(401);
    expect(fakes.procurement.requisitions.get(requisitionId)?.status).toBe('PENDING_APPROVAL');
  });

  it("regression #12: gives a new requisition HEM's correlation id, never the caller's X-Correlation-Id, and keeps that as clientCorrelationId on its first hop", async () => {
    const fakes = procurementFakeDependencies();
    const api = makeRequisitionApi(fakes);
    const created = await api(post('/v1/requisitions', saasBody(), undefined, SAAS_TOOL, { 'X-Correlation-Id': 'someone-elses-transaction' }), context);
    expect(created.statusCode).toBe(201);
    expect(bodyOf<{ correlationId: string }>(created).correlationId).toBe('corr-api-1');
    expect(fakes.transactions.hops.filter((h) => h.correlationId === 'someone-elses-transaction')).toStrictEqual([]);
    const [first] = fakes.transactions.hops.filter((h) => h.correlationId === 'corr-api-1');
    expect([first?.hop, first?.detail?.clientCorrelationId]).toStrictEqual(['requisition-created', 'someone-elses-transaction']);
  });

  it('hands the decision to the waiting workflow task', async () => {
    const fakes = procurementFakeDependencies();
    const api = makeRequisitionApi(fakes);
    const { requisitionId } = bodyOf<{ requisitionId: string }>(await api(post('/v1/requisitions', saasBody()), context));
    await fakes.waits.register(requisitionId, 'DECISION', 'token-decision');
    const decided = await api(post('/v1/requisitions/{requisitionId}/decision', JSON.stringify({ decision: 'REJECT', approver: 'buyer-1' }), { requisitionId }), context);
    expect(bodyOf<{ resumed: boolean }>(decided).resumed).toBe(true);
    expect(fakes.workflows.succeeded).toStrictEqual([{ taskToken: 'token-decision', output: { requisitionId, decision: 'REJECT', status: 'REJECTED' } }]);
    expect(fakes.events.ofType('RequisitionRejected').length).toBe(1);
  });
});

/** Gauze at NMC-OR fell to 38 on hand: 62 EA restore par, rounded up to 7 BX = 70 EA. */
const replenishment: ReplenishmentRequested = replenishmentRequestedDetail({
  correlationId: 'corr-rep-1',
  idempotencyKey: 'EPIC|NMC|MSG-9|1#ReplenishmentRequested',
  occurredAt: '2025-03-14T09:29:00.000Z',
  onHand: 38,
  quantity: 70,
  purchaseQuantity: 7,
});
const replenishmentBody = (detail: ReplenishmentRequested): string =>
  JSON.stringify({ ...eventBridgeEvent('hem.inventory', 'ReplenishmentRequested', detail, 'evt-bus-1'), time: '2025-03-14T09:29:00Z' });

describe('RequisitionStarter handler', () => {
  it('raises one requisition and starts one workflow for a redelivered event, and fails a poison record alone', async () => {
    const fakes = procurementFakeDependencies();
    const starter = makeRequisitionStarter(fakes);
    const response = await starter(sqsEvent([sqsRecord(replenishmentBody(replenishment), 'm-1'), sqsRecord('{"not":"an event"}', 'm-2')]), context);
    expect(response.batchItemFailures).toStrictEqual([{ itemIdentifier: 'm-2' }]);
    const redelivered = await starter(sqsEvent([sqsRecord(replenishmentBody(replenishment), 'm-3', 2)]), context);
    expect(redelivered.batchItemFailures).toStrictEqual([]);
    expect(fakes.procurement.requisitions.size).toBe(1);
    const [requisition] = [...fakes.procurement.requisitions.values()];
    expect(requisition?.externalRef).toBe(replenishment.idempotencyKey);
    expect(requisition?.correlationId).toBe('corr-rep-1');
    expect(fakes.workflows.starts.length).toBe(1);
    expect(fakes.workflows.starts[0]?.input).toStrictEqual({ requisitionId: requisition?.requisitionId, correlationId: 'corr-rep-1' });
  });

  it('fails the record of a replenishment for an unknown item', async () => {
    const fakes = procurementFakeDependencies();
    const response = await makeRequisitionStarter(fakes)(sqsEvent([sqsRecord(replenishmentBody({ ...replenishment, itemId: 'ITM-99999' }), 'm-1')]), context);
    expect(response.batchItemFailures).toStrictEqual([{ itemIdentifier: 'm-1' }]);
    expect(fakes.procurement.requisitions.size).toBe(0);
  });
});

const erpCommand = (poNumber: string, taskToken?: string): string =>
  JSON.stringify({ command: 'CreatePurchaseOrder', poNumber, correlationId: 'corr-po-1', ...(taskToken === undefined ? {} : { taskToken }) });

describe('ErpConnector handler', () => {
  it('creates the PO in the ERP once, keeps the ERP id and answers every copy of the command', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder(purchaseOrder('PO-NMC-00000042'));
    const connector = makeErpConnector(fakes, { breaker: new CircuitBreaker({ name: 'ERP' }) });
    const response = await connector(sqsEvent([sqsRecord(erpCommand('PO-NMC-00000042', 'tok-1'), 'm-1'), sqsRecord(erpCommand('PO-NMC-00000042', 'tok-2'), 'm-2')]), context);
    expect(response.batchItemFailures).toStrictEqual([]);
    expect(fakes.erp.calls.length).toBe(1);
    expect((await fakes.procurement.getPurchaseOrder('PO-NMC-00000042'))?.erpPoId).toBe('ERP-PO-000001');
    expect(fakes.workflows.succeeded.map((s) => s.taskToken)).toStrictEqual(['tok-1', 'tok-2']);
    expect(fakes.workflows.succeeded[0]?.output).toStrictEqual({ command: 'CreatePurchaseOrder', poNumber: 'PO-NMC-00000042', erpPoId: 'ERP-PO-000001' });
  });

  it('returns the record to the queue when the ERP is unavailable, without answering the task', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder(purchaseOrder('PO-NMC-00000043'));
    fakes.erp.failNext(1);
    const response = await makeErpConnector(fakes, { breaker: new CircuitBreaker({ name: 'ERP' }) })(sqsEvent([sqsRecord(erpCommand('PO-NMC-00000043', 'tok-1'), 'm-1')]), context);
    expect(response.batchItemFailures).toStrictEqual([{ itemIdentifier: 'm-1' }]);
    expect(fakes.workflows.succeeded).toStrictEqual([]);
    expect(fakes.workflows.failed).toStrictEqual([]);
    const hops = await fakes.transactions.list('corr-po-1');
    expect(hops.at(-1)?.hop).toBe('connector-failed');
  });

  it('fails the waiting task with ErpRejected and consumes the record when the ERP refuses the PO', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder(purchaseOrder('PO-NMC-00000044'));
    fakes.erp.script(new UpstreamRejectedError('ERP refused the purchaseOrders request (HTTP 400)', { details: { upstreamCode: 'HEMERP-VALIDATION' } }));
    const response = await makeErpConnector(fakes, { breaker: new CircuitBreaker({ name: 'ERP' }) })(sqsEvent([sqsRecord(erpCommand('PO-NMC-00000044', 'tok-1'), 'm-1')]), context);
    expect(response.batchItemFailures).toStrictEqual([]);
    expect(fakes.workflows.failed[0]?.error).toBe('ErpRejected');
    expect(fakes.workflows.failed[0]?.cause ?? '').toMatch(/HEMERP-VALIDATION/);
  });

  it('keeps a refused fire-and-forget command on the queue (for the DLQ) instead of dropping it', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder(purchaseOrder('PO-NMC-00000045'));
    fakes.erp.script(new UpstreamRejectedError('refused'));
    const response = await makeErpConnector(fakes, { breaker: new CircuitBreaker({ name: 'ERP' }) })(sqsEvent([sqsRecord(erpCommand('PO-NMC-00000045'), 'm-1')]), context);
    expect(response.batchItemFailures).toStrictEqual([{ itemIdentifier: 'm-1' }]);
  });

  it('fails the rest of the batch fast once its circuit opens, without calling the ERP', async () => {
    const fakes = procurementFakeDependencies();
    const poNumbers = ['PO-NMC-00000050', 'PO-NMC-00000051', 'PO-NMC-00000052', 'PO-NMC-00000053'];
    for (const poNumber of poNumbers) await fakes.procurement.createPurchaseOrder(purchaseOrder(poNumber));
    fakes.erp.script(new UpstreamUnavailableError('ERP 503'), new UpstreamUnavailableError('ERP 503'), new UpstreamUnavailableError('ERP 503'));
    const breaker = new CircuitBreaker({ name: 'ERP', failureThreshold: 2, coolDownMs: 60_000 });
    const response = await makeErpConnector(fakes, { breaker })(sqsEvent(poNumbers.map((po, i) => sqsRecord(erpCommand(po, `tok-${i}`), `m-${i}`))), context);
    expect(response.batchItemFailures.length).toBe(4);
    expect(fakes.erp.calls.length).toBe(2);
    expect(breaker.snapshot().state).toBe('OPEN');
  });
});

describe('SupplierConnector handler', () => {
  it('sends the 850 with control numbers kept on the PO, marks it ISSUED, publishes PurchaseOrderIssued and answers the task', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder(purchaseOrder('PO-NMC-00000060'));
    const command = JSON.stringify({ command: 'SendPurchaseOrder', poNumber: 'PO-NMC-00000060', correlationId: 'corr-po-1', taskToken: 'tok-850' });
    const response = await makeSupplierConnector(fakes, { breaker: new CircuitBreaker({ name: 'network' }) })(sqsEvent([sqsRecord(command, 'm-1')]), context);
    expect(response.batchItemFailures).toStrictEqual([]);
    const po = (await fakes.procurement.getPurchaseOrder('PO-NMC-00000060'))!;
    expect(po.status).toBe('ISSUED');
    expect(po.x12).toStrictEqual({ interchange: '000000001', group: '1', transactionSet: '0001', version: '005010', senderId: 'HEMHOSPITAL', receiverId: 'MEDLINE' });
    expect(fakes.supplierNetwork.sent[0]?.idempotencyKey).toBe('850|PO-NMC-00000060');
    expect(fakes.supplierNetwork.sent[0]?.interchange ?? '').toMatch(/^ISA\*00\*.*\*000000001\*/);
    expect(fakes.events.ofType('PurchaseOrderIssued').length).toBe(1);
    expect(fakes.workflows.succeeded[0]?.taskToken).toBe('tok-850');
  });

  it('resends a timed-out 850 with the same control numbers', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder(purchaseOrder('PO-NMC-00000061'));
    fakes.supplierNetwork.failNext(1);
    const command = JSON.stringify({ command: 'SendPurchaseOrder', poNumber: 'PO-NMC-00000061', correlationId: 'corr-po-1', taskToken: 'tok-1' });
    const connector = makeSupplierConnector(fakes, { breaker: new CircuitBreaker({ name: 'network' }) });
    expect((await connector(sqsEvent([sqsRecord(command, 'm-1')]), context)).batchItemFailures.length).toBe(1);
    expect((await connector(sqsEvent([sqsRecord(command, 'm-1', 2)]), context)).batchItemFailures).toStrictEqual([]);
    const [first, second] = fakes.supplierNetwork.sent;
    const isa13 = (text: string | undefined): string | undefined => text?.split('*')[13];
    expect(isa13(second?.interchange)).toBe(isa13(first?.interchange));
    expect(fakes.controlNumbers.counters.get('SUP-MEDLINE')).toBe(1);
  });
});

describe('RaiseProcurementAlert handler', () => {
  it('alerts an overdue ship notice once per firing, with the PO facts and no free text', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder({ ...purchaseOrder('PO-NMC-00000070'), status: 'ACKNOWLEDGED' });
    const raise = makeRaiseProcurementAlert(fakes);
    const result = await raise({ subject: 'PURCHASE_ORDER', poNumber: 'PO-NMC-00000070', reason: 'SHIP_NOTICE', eventBusName: 'hem-test' }, context);
    expect('movedOn' in result && result.movedOn).toBe(false);
    expect(result.entries.length).toBe(1);
    expect({ ...result.entries[0]!.Detail, idempotencyKey: undefined, occurredAt: undefined }).toStrictEqual({
        version: '1',
        correlationId: 'corr-po-1',
        causationId: 'PO-NMC-00000070',
        idempotencyKey: undefined,
        occurredAt: undefined,
        alertType: 'SHIP_NOTICE_OVERDUE',
        severity: 'WARNING',
        entity: { kind: 'PURCHASE_ORDER', id: 'PO-NMC-00000070' },
        supplierId: 'SUP-MEDLINE',
        costCenter: 'CC-NMC-OR',
        dueAt: '2025-03-14T09:30:00.000Z',
      });
  });

  it('raises nothing when the PO moved past the awaited document (goods received without an 856)', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder({ ...purchaseOrder('PO-NMC-00000071'), status: 'RECEIVED' });
    const result = await makeRaiseProcurementAlert(fakes)({ subject: 'PURCHASE_ORDER', poNumber: 'PO-NMC-00000071', reason: 'SHIP_NOTICE', eventBusName: 'hem-test' }, context);
    expect('movedOn' in result && result.movedOn).toBe(true);
    expect(result.entries).toStrictEqual([]);
    expect(await fakes.transactions.list('corr-po-1')).toStrictEqual([]);
  });
});

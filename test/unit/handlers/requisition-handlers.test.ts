import { apiEvent, bodyOf, eventBridgeEvent, sqsEvent, sqsRecord } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

const post = (resource: string, body: string, pathParameters?: Record<string, string>): ReturnType<typeof apiEvent> =>
  apiEvent({ method: 'POST', resource, body, headers: { 'Content-Type': 'application/json', 'X-Correlation-Id': 'corr-api-1' }, ...(pathParameters ? { pathParameters } : {}) });

describe('RequisitionApi handler', () => {
  it('returns 201 with the requisition id, status and correlation id, starts the workflow, and 200 for a resubmission', async () => {
    const fakes = procurementFakeDependencies();
    const api = makeRequisitionApi(fakes);
    const first = await api(post('/v1/requisitions', saasBody()), context);
    assert.equal(first.statusCode, 201);
    const body = bodyOf<{ requisitionId: string; status: string; correlationId: string }>(first);
    assert.match(body.requisitionId, /^REQ-[0-9A-F]{20}$/);
    assert.equal(body.status, 'PENDING_APPROVAL');
    assert.equal(body.correlationId, 'corr-api-1');
    assert.deepEqual(fakes.workflows.starts.map((s) => [s.workflow, s.name]), [['RequisitionToPay', body.requisitionId]]);
    assert.equal(fakes.events.ofType('RequisitionCreated').length, 1);

    const again = await api(post('/v1/requisitions', saasBody()), context);
    assert.equal(again.statusCode, 200);
    assert.equal(bodyOf<{ requisitionId: string }>(again).requisitionId, body.requisitionId);
    assert.equal(fakes.procurement.requisitions.size, 1);
  });

  it('returns 400 naming the field for an unknown supplier or a location of another facility', async () => {
    const api = makeRequisitionApi(procurementFakeDependencies());
    const unknownSupplier = await api(post('/v1/requisitions', saasBody({ supplierId: 'SUP-NOBODY' })), context);
    assert.equal(unknownSupplier.statusCode, 400);
    assert.equal(bodyOf<{ location: string }>(unknownSupplier).location, '/supplierId');
    const otherFacility = await api(post('/v1/requisitions', saasBody({ locationId: 'SCH-OR' })), context);
    assert.equal(bodyOf<{ location: string }>(otherFacility).location, '/locationId');
  });

  it('returns 404 for an unknown requisition and 409 when a decided requisition is decided otherwise', async () => {
    const fakes = procurementFakeDependencies();
    const api = makeRequisitionApi(fakes);
    const missing = await api(apiEvent({ resource: '/v1/requisitions/{requisitionId}', pathParameters: { requisitionId: 'REQ-NOPE' } }), context);
    assert.equal(missing.statusCode, 404);

    const { requisitionId } = bodyOf<{ requisitionId: string }>(await api(post('/v1/requisitions', saasBody()), context));
    const decision = '/v1/requisitions/{requisitionId}/decision';
    const approved = await api(post(decision, JSON.stringify({ decision: 'APPROVE', approver: 'buyer-1', comment: 'ok for the OR' }), { requisitionId }), context);
    assert.equal(approved.statusCode, 200);
    assert.equal(bodyOf<{ status: string; resumed: boolean }>(approved).status, 'APPROVED');
    const replay = await api(post(decision, JSON.stringify({ decision: 'APPROVE', approver: 'buyer-1' }), { requisitionId }), context);
    assert.equal(replay.statusCode, 200);
    const conflict = await api(post(decision, JSON.stringify({ decision: 'REJECT', approver: 'buyer-2' }), { requisitionId }), context);
    assert.equal(conflict.statusCode, 409);
    const stored = await api(apiEvent({ resource: '/v1/requisitions/{requisitionId}', pathParameters: { requisitionId } }), context);
    assert.equal(bodyOf<{ approval: { by: string } }>(stored).approval.by, 'buyer-1');
    assert.equal(JSON.stringify(bodyOf(stored)).includes('ok for the OR'), false, 'the free-text comment is never stored');
  });

  it('hands the decision to the waiting workflow task', async () => {
    const fakes = procurementFakeDependencies();
    const api = makeRequisitionApi(fakes);
    const { requisitionId } = bodyOf<{ requisitionId: string }>(await api(post('/v1/requisitions', saasBody()), context));
    await fakes.waits.register(requisitionId, 'DECISION', 'token-decision');
    const decided = await api(post('/v1/requisitions/{requisitionId}/decision', JSON.stringify({ decision: 'REJECT', approver: 'buyer-1' }), { requisitionId }), context);
    assert.equal(bodyOf<{ resumed: boolean }>(decided).resumed, true);
    assert.deepEqual(fakes.workflows.succeeded, [{ taskToken: 'token-decision', output: { requisitionId, decision: 'REJECT', status: 'REJECTED' } }]);
    assert.equal(fakes.events.ofType('RequisitionRejected').length, 1);
  });
});

/** Gauze at NMC-OR fell to 38 on hand: 62 EA restore par, rounded up to 7 BX = 70 EA. */
const replenishment: ReplenishmentRequested = replenishmentRequestedDetail({
  correlationId: 'corr-rep-1',
  idempotencyKey: 'EPIC|MSG-9|1#ReplenishmentRequested',
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
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: 'm-2' }]);
    const redelivered = await starter(sqsEvent([sqsRecord(replenishmentBody(replenishment), 'm-3', 2)]), context);
    assert.deepEqual(redelivered.batchItemFailures, []);
    assert.equal(fakes.procurement.requisitions.size, 1);
    const [requisition] = [...fakes.procurement.requisitions.values()];
    assert.equal(requisition?.externalRef, replenishment.idempotencyKey);
    assert.equal(requisition?.correlationId, 'corr-rep-1');
    assert.equal(fakes.workflows.starts.length, 1);
    assert.deepEqual(fakes.workflows.starts[0]?.input, { requisitionId: requisition?.requisitionId, correlationId: 'corr-rep-1' });
  });

  it('fails the record of a replenishment for an unknown item', async () => {
    const fakes = procurementFakeDependencies();
    const response = await makeRequisitionStarter(fakes)(sqsEvent([sqsRecord(replenishmentBody({ ...replenishment, itemId: 'ITM-99999' }), 'm-1')]), context);
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: 'm-1' }]);
    assert.equal(fakes.procurement.requisitions.size, 0);
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
    assert.deepEqual(response.batchItemFailures, []);
    assert.equal(fakes.erp.calls.length, 1);
    assert.equal((await fakes.procurement.getPurchaseOrder('PO-NMC-00000042'))?.erpPoId, 'ERP-PO-000001');
    assert.deepEqual(
      fakes.workflows.succeeded.map((s) => s.taskToken),
      ['tok-1', 'tok-2'],
    );
    assert.deepEqual(fakes.workflows.succeeded[0]?.output, { command: 'CreatePurchaseOrder', poNumber: 'PO-NMC-00000042', erpPoId: 'ERP-PO-000001' });
  });

  it('returns the record to the queue when the ERP is unavailable, without answering the task', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder(purchaseOrder('PO-NMC-00000043'));
    fakes.erp.failNext(1);
    const response = await makeErpConnector(fakes, { breaker: new CircuitBreaker({ name: 'ERP' }) })(sqsEvent([sqsRecord(erpCommand('PO-NMC-00000043', 'tok-1'), 'm-1')]), context);
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: 'm-1' }]);
    assert.deepEqual(fakes.workflows.succeeded, []);
    assert.deepEqual(fakes.workflows.failed, []);
    const hops = await fakes.transactions.list('corr-po-1');
    assert.equal(hops.at(-1)?.hop, 'connector-failed');
  });

  it('fails the waiting task with ErpRejected and consumes the record when the ERP refuses the PO', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder(purchaseOrder('PO-NMC-00000044'));
    fakes.erp.script(new UpstreamRejectedError('ERP refused the purchaseOrders request (HTTP 400)', { details: { upstreamCode: 'HEMERP-VALIDATION' } }));
    const response = await makeErpConnector(fakes, { breaker: new CircuitBreaker({ name: 'ERP' }) })(sqsEvent([sqsRecord(erpCommand('PO-NMC-00000044', 'tok-1'), 'm-1')]), context);
    assert.deepEqual(response.batchItemFailures, []);
    assert.equal(fakes.workflows.failed[0]?.error, 'ErpRejected');
    assert.match(fakes.workflows.failed[0]?.cause ?? '', /HEMERP-VALIDATION/);
  });

  it('keeps a refused fire-and-forget command on the queue (for the DLQ) instead of dropping it', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder(purchaseOrder('PO-NMC-00000045'));
    fakes.erp.script(new UpstreamRejectedError('refused'));
    const response = await makeErpConnector(fakes, { breaker: new CircuitBreaker({ name: 'ERP' }) })(sqsEvent([sqsRecord(erpCommand('PO-NMC-00000045'), 'm-1')]), context);
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: 'm-1' }]);
  });

  it('fails the rest of the batch fast once its circuit opens, without calling the ERP', async () => {
    const fakes = procurementFakeDependencies();
    const poNumbers = ['PO-NMC-00000050', 'PO-NMC-00000051', 'PO-NMC-00000052', 'PO-NMC-00000053'];
    for (const poNumber of poNumbers) await fakes.procurement.createPurchaseOrder(purchaseOrder(poNumber));
    fakes.erp.script(new UpstreamUnavailableError('ERP 503'), new UpstreamUnavailableError('ERP 503'), new UpstreamUnavailableError('ERP 503'));
    const breaker = new CircuitBreaker({ name: 'ERP', failureThreshold: 2, coolDownMs: 60_000 });
    const response = await makeErpConnector(fakes, { breaker })(sqsEvent(poNumbers.map((po, i) => sqsRecord(erpCommand(po, `tok-${i}`), `m-${i}`))), context);
    assert.equal(response.batchItemFailures.length, 4);
    assert.equal(fakes.erp.calls.length, 2);
    assert.equal(breaker.snapshot().state, 'OPEN');
  });
});

describe('SupplierConnector handler', () => {
  it('sends the 850 with control numbers kept on the PO, marks it ISSUED, publishes PurchaseOrderIssued and answers the task', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder(purchaseOrder('PO-NMC-00000060'));
    const command = JSON.stringify({ command: 'SendPurchaseOrder', poNumber: 'PO-NMC-00000060', correlationId: 'corr-po-1', taskToken: 'tok-850' });
    const response = await makeSupplierConnector(fakes, { breaker: new CircuitBreaker({ name: 'network' }) })(sqsEvent([sqsRecord(command, 'm-1')]), context);
    assert.deepEqual(response.batchItemFailures, []);
    const po = (await fakes.procurement.getPurchaseOrder('PO-NMC-00000060'))!;
    assert.equal(po.status, 'ISSUED');
    assert.deepEqual(po.x12, { interchange: '000000001', group: '1', transactionSet: '0001', version: '005010', senderId: 'HEMHOSPITAL', receiverId: 'MEDLINE' });
    assert.equal(fakes.supplierNetwork.sent[0]?.idempotencyKey, '850|PO-NMC-00000060');
    assert.match(fakes.supplierNetwork.sent[0]?.interchange ?? '', /^ISA\*00\*.*\*000000001\*/);
    assert.equal(fakes.events.ofType('PurchaseOrderIssued').length, 1);
    assert.equal(fakes.workflows.succeeded[0]?.taskToken, 'tok-850');
  });

  it('resends a timed-out 850 with the same control numbers', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder(purchaseOrder('PO-NMC-00000061'));
    fakes.supplierNetwork.failNext(1);
    const command = JSON.stringify({ command: 'SendPurchaseOrder', poNumber: 'PO-NMC-00000061', correlationId: 'corr-po-1', taskToken: 'tok-1' });
    const connector = makeSupplierConnector(fakes, { breaker: new CircuitBreaker({ name: 'network' }) });
    assert.equal((await connector(sqsEvent([sqsRecord(command, 'm-1')]), context)).batchItemFailures.length, 1);
    assert.deepEqual((await connector(sqsEvent([sqsRecord(command, 'm-1', 2)]), context)).batchItemFailures, []);
    const [first, second] = fakes.supplierNetwork.sent;
    const isa13 = (text: string | undefined): string | undefined => text?.split('*')[13];
    assert.equal(isa13(second?.interchange), isa13(first?.interchange));
    assert.equal(fakes.controlNumbers.counters.get('SUP-MEDLINE'), 1);
  });
});

describe('RaiseProcurementAlert handler', () => {
  it('alerts an overdue ship notice once per firing, with the PO facts and no free text', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder({ ...purchaseOrder('PO-NMC-00000070'), status: 'ACKNOWLEDGED' });
    const raise = makeRaiseProcurementAlert(fakes);
    const result = await raise({ subject: 'PURCHASE_ORDER', poNumber: 'PO-NMC-00000070', reason: 'SHIP_NOTICE', eventBusName: 'hem-test' }, context);
    assert.equal('movedOn' in result && result.movedOn, false);
    assert.equal(result.entries.length, 1);
    assert.deepEqual(
      { ...result.entries[0]!.Detail, idempotencyKey: undefined, occurredAt: undefined },
      {
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
      },
    );
  });

  it('raises nothing when the PO moved past the awaited document (goods received without an 856)', async () => {
    const fakes = procurementFakeDependencies();
    await fakes.procurement.createPurchaseOrder({ ...purchaseOrder('PO-NMC-00000071'), status: 'RECEIVED' });
    const result = await makeRaiseProcurementAlert(fakes)({ subject: 'PURCHASE_ORDER', poNumber: 'PO-NMC-00000071', reason: 'SHIP_NOTICE', eventBusName: 'hem-test' }, context);
    assert.equal('movedOn' in result && result.movedOn, true);
    assert.deepEqual(result.entries, []);
    assert.deepEqual(await fakes.transactions.list('corr-po-1'), []);
  });
});

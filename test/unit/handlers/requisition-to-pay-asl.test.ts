import { sqsEvent, sqsRecord, apiEvent, bodyOf, eventBridgeEvent } from './support';
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import validator from 'asl-validator';
import type { ReplenishmentRequested } from '../../../contracts/events';
import type { Invoice, InvoiceCase, MatchResult } from '../../../contracts/procurement';
import { EVENT_BUS_PLACEHOLDER, STATE_MACHINES } from '../../../contracts/routing';
import { UpstreamRejectedError } from '../../../functions/domain/errors';
import { applyAcknowledgment, applyReceipt } from '../../../functions/domain/procurement/purchase-order';
import type { WorkflowControl } from '../../../functions/domain/procurement-ports';
import { makeHandler as makeBuildPurchaseOrder } from '../../../functions/handlers/build-purchase-order';
import { makeHandler as makeClosePurchaseOrder } from '../../../functions/handlers/close-purchase-order';
import { makeHandler as makeErpConnector } from '../../../functions/handlers/erp-connector';
import { makeHandler as makeEvaluateApproval } from '../../../functions/handlers/evaluate-approval';
import { makeHandler as makeRaiseProcurementAlert } from '../../../functions/handlers/raise-procurement-alert';
import { makeHandler as makeRegisterWait } from '../../../functions/handlers/register-wait';
import { makeHandler as makeRequisitionApi } from '../../../functions/handlers/requisition-api';
import { makeHandler as makeRequisitionStarter } from '../../../functions/handlers/requisition-starter';
import { makeHandler as makeSupplierConnector } from '../../../functions/handlers/supplier-connector';
import { CircuitBreaker } from '../../../functions/adapters/connectors/circuit-breaker';
import type { PutEventsRequestEntry } from '../../../local/bus';
import { silentLogger } from '../../../local/persistence';
import { ExecutionAlreadyExistsError, LocalStateMachine, type StartedExecution } from '../../../local/stepfunctions';
import { expectTruthy } from '../../support/expect-narrowing';
import { lambdaContext, replenishmentRequestedDetail } from '../fakes';
import { procurementFakeDependencies } from '../procurement-fakes';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const definition = STATE_MACHINES.find((m) => m.id === 'RequisitionToPay')!;
const raw = readFileSync(path.join(REPO_ROOT, definition.file), 'utf8');

const lambdaArn = (name: string): string => `arn:aws:lambda:us-east-1:123456789012:function:hem-${name}`;
const QUEUE_URLS = {
  ErpCommandsQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/hem-ErpCommands',
  SupplierOutboundQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/hem-SupplierOutbound',
};
const SUBSTITUTIONS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(definition.functionPlaceholders).map(([placeholder, fn]) => [placeholder, lambdaArn(fn)])),
  ...QUEUE_URLS,
  [EVENT_BUS_PLACEHOLDER]: 'hem-test',
};

type State = Record<string, unknown> & { Type: string };
const aslStates = (): Record<string, State> => (JSON.parse(raw) as { States: Record<string, State> }).States;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Polls `probe` until it returns a value (or fails the test after `timeoutMs`). */
const until = async <T>(probe: () => T | undefined, what: string, timeoutMs = 8000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
};

/**
 * The workflow on the real interpreter (LocalStateMachine) with every task bound to its handler's
 * makeHandler over the in-memory fakes; `sqs:sendMessage.waitForTaskToken` delivers the message to
 * the connector handler inline, as one SQS batch. WorkflowControl is the machine itself.
 */
const harness = (inputOverrides: Record<string, unknown> = {}) => {
  const fakes = procurementFakeDependencies();
  const executions = new Map<string, StartedExecution>();
  const published: PutEventsRequestEntry[] = [];
  // Built below: the workflow control and the machine refer to each other.
  const ref: { machine?: LocalStateMachine } = {};
  const workflows: WorkflowControl = {
    start: async (_workflow, name, input) => {
      try {
        executions.set(name, ref.machine!.start({ ...(input as object), ...inputOverrides }, { name }));
        return { started: true };
      } catch (e) {
        if (e instanceof ExecutionAlreadyExistsError) return { started: false };
        throw e;
      }
    },
    succeed: async (token, output) => ref.machine!.sendTaskSuccess(token, output),
    fail: async (token, error, cause) => ref.machine!.sendTaskFailure(token, error, cause),
  };
  const deps = { ...fakes, workflows };
  const context = lambdaContext();
  const bind =
    <E, R>(handler: (event: E, ctx: typeof context) => Promise<R>) =>
    (payload: unknown): Promise<R> =>
      handler(payload as E, context);
  const connectors: Record<string, (body: string) => Promise<unknown>> = {
    [QUEUE_URLS.ErpCommandsQueueUrl]: (body) => makeErpConnector(deps, { breaker: new CircuitBreaker({ name: 'ERP' }) })(sqsEvent([sqsRecord(body, 'm-erp')]), context),
    [QUEUE_URLS.SupplierOutboundQueueUrl]: (body) =>
      makeSupplierConnector(deps, { breaker: new CircuitBreaker({ name: 'network' }) })(sqsEvent([sqsRecord(body, 'm-sup')]), context),
  };
  const machine = new LocalStateMachine({
    name: 'hem-RequisitionToPay',
    definition: raw,
    substitutions: SUBSTITUTIONS,
    lambdaInvokers: {
      [SUBSTITUTIONS.EvaluateApprovalFunctionArn!]: bind(makeEvaluateApproval(deps)),
      [SUBSTITUTIONS.BuildPurchaseOrderFunctionArn!]: bind(makeBuildPurchaseOrder(deps)),
      [SUBSTITUTIONS.RegisterWaitFunctionArn!]: bind(makeRegisterWait(deps)),
      [SUBSTITUTIONS.RaiseProcurementAlertFunctionArn!]: bind(makeRaiseProcurementAlert(deps)),
      [SUBSTITUTIONS.ClosePurchaseOrderFunctionArn!]: bind(makeClosePurchaseOrder(deps)),
    },
    putEvents: async (entries) => {
      published.push(...entries);
      return { FailedEntryCount: 0, Entries: entries.map((_e, i) => ({ EventId: `e-${published.length + i}` })) };
    },
    integrations: {
      'arn:aws:states:::sqs:sendMessage': async (parameters) => {
        const { QueueUrl, MessageBody } = parameters as { QueueUrl: string; MessageBody: unknown };
        const deliver = connectors[QueueUrl];
        if (deliver === undefined) throw Object.assign(new Error(`no queue ${QueueUrl}`), { name: 'SQS.QueueDoesNotExistException' });
        await deliver(typeof MessageBody === 'string' ? MessageBody : JSON.stringify(MessageBody));
        return { MessageId: `msg-${Date.now()}` };
      },
    },
    retryIntervalScale: 0.001,
    logger: silentLogger,
  });
  ref.machine = machine;
  const alerts = (alertType: string): PutEventsRequestEntry[] =>
    published.filter((e) => e.DetailType === 'ProcurementAlertRaised' && (e.Detail as { alertType?: string }).alertType === alertType);
  /** Waits until the workflow waits for (entity, awaited), then marks it arrived and completes the token. */
  const arrive = async (entity: string, awaited: string, payload: unknown): Promise<void> => {
    await until(() => fakes.waits.waiting(entity, awaited), `the wait for ${awaited}`);
    const { taskToken } = await fakes.waits.arrive(entity, awaited, payload);
    expectTruthy(taskToken);
    machine.sendTaskSuccess(taskToken, payload);
  };
  return { fakes, deps, machine, executions, published, alerts, arrive, context };
};

/** Gauze at NMC-OR fell to 38 on hand: 62 EA restore par, rounded up to 7 BX = 70 EA. */
const replenishment = (overrides: Partial<ReplenishmentRequested> = {}): ReplenishmentRequested =>
  replenishmentRequestedDetail({
    correlationId: 'corr-rtp-1',
    causationId: 'evt-usage-1',
    idempotencyKey: 'EPIC|NMC|MSG-RTP-1|1#ReplenishmentRequested',
    occurredAt: '2025-03-14T09:29:00.000Z',
    onHand: 38,
    quantity: 70,
    purchaseQuantity: 7,
    ...overrides,
  });

const replenishmentMessage = (detail: ReplenishmentRequested): string =>
  JSON.stringify({ ...eventBridgeEvent('hem.inventory', 'ReplenishmentRequested', detail, 'b9a5c0e1-0000-4000-8000-0000000000c1'), time: '2025-03-14T09:29:00Z' });

describe('requisition-to-pay ASL', () => {
  it('is valid Amazon States Language once its placeholders are substituted', () => {
    const substituted = raw.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => SUBSTITUTIONS[name] ?? whole);
    const result = validator(JSON.parse(substituted));
    expect(result.isValid).toBe(true);
  });

  it('uses exactly the placeholders of contracts/routing.ts plus EventBusName, and is a Standard workflow', () => {
    const used = new Set([...raw.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toStrictEqual([...Object.keys(definition.functionPlaceholders), ...Object.keys(definition.queuePlaceholders ?? {}), EVENT_BUS_PLACEHOLDER].sort());
    expect(definition.type).toBe('STANDARD');
    expect(definition.queuePlaceholders).toStrictEqual({ ErpCommandsQueueUrl: { queue: 'ErpCommands' }, SupplierOutboundQueueUrl: { queue: 'SupplierOutbound' } });
  });

  it('uses JSONPath only and gives every state a Comment except terminal ones', () => {
    const document = JSON.parse(raw) as { QueryLanguage?: string };
    expect(document.QueryLanguage).not.toBe('JSONata');
    for (const [, state] of Object.entries(aslStates())) {
      expect(state.QueryLanguage).not.toBe('JSONata');
      for (const field of ['Arguments', 'Output', 'Assign']) expect(field in state).toBe(false);
      expect(typeof state.Comment).toBe('string');
    }
  });

  it('retries every Task with jittered backoff, and never retries a wait on its own timeout', () => {
    const tasks = Object.entries(aslStates()).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length >= 20).toBeTruthy();
    for (const [, task] of tasks) {
      const retries = (task.Retry ?? []) as { ErrorEquals: string[]; JitterStrategy?: string }[];
      expect(retries.length > 0).toBeTruthy();
      expect(retries.every((r) => r.JitterStrategy === 'FULL')).toBeTruthy();
      if (String(task.Resource).endsWith('.waitForTaskToken')) {
        expect(!retries.some((r) => r.ErrorEquals.includes('States.Timeout') || r.ErrorEquals.includes('States.ALL'))).toBeTruthy();
      }
    }
  });

  it('bounds every wait with a timeout whose Catch raises an alert: no silent wait', () => {
    const states = aslStates();
    const waits = Object.entries(states).filter(([, s]) => String(s.Resource ?? '').endsWith('.waitForTaskToken'));
    expect(waits.map(([name]) => name)).toStrictEqual(['AwaitApproval', 'CreateInErp', 'SendToSupplier', 'AwaitAcknowledgment', 'AwaitShipNotice', 'AwaitReceipt', 'AwaitInvoiceMatched']);
    for (const [, state] of waits) {
      expect(state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined).toBeTruthy();
      const onTimeout = (state.Catch as { ErrorEquals: string[]; Next: string }[]).find((c) => c.ErrorEquals.includes('States.Timeout'));
      expectTruthy(onTimeout);
      const handler = states[onTimeout.Next]!;
      expect(String(handler.Resource)).toMatch(/RaiseProcurementAlertFunctionArn/);
    }
    for (const [, state] of Object.entries(states).filter(([, s]) => s.Type === 'Wait')) {
      expect(states[state.Next as string]!.Resource).toBe('${ClosePurchaseOrderFunctionArn}');
    }
  });

  it('passes the task token to every callback and takes wait timeouts from the execution (TimeoutSecondsPath)', () => {
    const states = aslStates();
    for (const name of ['AwaitApproval', 'AwaitAcknowledgment', 'AwaitShipNotice', 'AwaitReceipt', 'AwaitInvoiceMatched']) {
      const state = states[name]!;
      expect(state.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(state.TimeoutSecondsPath).toBe('$.Payload.timeoutSeconds');
      const payload = (state.Parameters as { Payload: Record<string, string> }).Payload;
      expect(payload['token.$']).toBe('$$.Task.Token');
    }
    for (const name of ['CreateInErp', 'SendToSupplier']) {
      const body = (states[name]!.Parameters as { MessageBody: Record<string, string> }).MessageBody;
      expect(body['taskToken.$']).toBe('$$.Task.Token');
    }
  });

  describe('executed by the local runtime (LocalStateMachine, handlers over in-memory fakes)', () => {
    it('takes an auto-approved replenishment to a PO in the ERP and an 850, waits for each document, alerts an overdue 855, and closes the PO', async () => {
      const h = harness({ timeouts: { acknowledgmentSeconds: 1 } });
      const starter = makeRequisitionStarter(h.deps);
      const response = await starter(sqsEvent([sqsRecord(replenishmentMessage(replenishment()), 'm-1')]), h.context);
      expect(response.batchItemFailures).toStrictEqual([]);
      const [requisitionId, execution] = [...h.executions.entries()][0]!;

      const ordered = await until(() => h.fakes.procurement.requisitions.get(requisitionId)?.poNumber, 'the PO number');
      const poNumber = await until(() => (h.fakes.waits.waiting(ordered, 'ACK_855') === undefined ? undefined : ordered), 'the 855 wait');
      expect(poNumber).toBe('PO-NMC-00000001');
      const requisition = h.fakes.procurement.requisitions.get(requisitionId)!;
      expect(requisition.status).toBe('ORDERED');
      expect(requisition.approval?.outcome).toBe('AUTO_APPROVED');
      expect(requisition.correlationId).toBe('corr-rtp-1');
      expect([...h.fakes.erp.purchaseOrders.keys()]).toStrictEqual([`PO|${poNumber}`]);
      expect(h.fakes.supplierNetwork.sent.length).toBe(1);
      expect(h.fakes.supplierNetwork.sent[0]!.interchange).toMatch(new RegExp(`BEG\\*00\\*SA\\*${poNumber}\\*`));
      const issued = (await h.fakes.procurement.getPurchaseOrder(poNumber))!;
      expect(issued.status).toBe('ISSUED');
      expect(issued.erpPoId).toBe('ERP-PO-000001');
      expect(issued.x12?.receiverId).toBe('MEDLINE');
      expect(issued.correlationId).toBe('corr-rtp-1');
      expect(h.fakes.events.events.map((e) => e.detailType)).toStrictEqual(['RequisitionCreated', 'PurchaseOrderIssued']);
      expect(h.published[0]?.DetailType).toBe('RequisitionApproved');
      expect(h.published[0]?.EventBusName).toBe('hem-test');

      // The 855 is late: the workflow alerts (ACKNOWLEDGMENT_OVERDUE) and waits again.
      await until(() => (h.alerts('ACKNOWLEDGMENT_OVERDUE').length > 0 ? true : undefined), 'the overdue alert', 5000);
      const acknowledged = applyAcknowledgment(issued, {
        poNumber,
        supplierId: 'SUP-MEDLINE',
        ackType: 'AD',
        acknowledgedAt: '2025-03-14',
        lines: [{ lineNumber: 1, status: 'ACCEPTED', statusCode: 'IA', quantity: 7, uom: 'BX' }],
        control: { interchange: '000000101', group: '101', transactionSet: '0101', version: '005010', senderId: 'MEDLINE', receiverId: 'HEMHOSPITAL' },
      });
      await h.fakes.procurement.savePurchaseOrder(acknowledged, issued.version);
      await h.arrive(poNumber, 'ACK_855', { poNumber, outcome: 'ACCEPTED', status: 'ACKNOWLEDGED' });
      await h.arrive(poNumber, 'ASN_856', { poNumber, shipmentId: 'ASN-1' });

      const receipt = {
        receiptId: 'RCV-1',
        poNumber,
        facilityId: 'FAC-NMC',
        locationId: 'NMC-OR',
        receivedAt: '2025-03-15T08:00:00.000Z',
        source: 'DOCK' as const,
        lines: [{ poLineNumber: 1, quantity: 7, uom: 'BX' }],
      };
      const current = (await h.fakes.procurement.getPurchaseOrder(poNumber))!;
      await h.fakes.procurement.savePurchaseOrder(applyReceipt(current, receipt).purchaseOrder, current.version);
      await h.fakes.procurement.saveReceipt(receipt);
      await h.arrive(poNumber, 'RECEIPT', { poNumber, receiptId: 'RCV-1' });

      const match: MatchResult = {
        invoiceNumber: 'INV-1',
        supplierId: 'SUP-MEDLINE',
        poNumber,
        status: 'MATCHED',
        reasons: [],
        lines: [
          {
            invoiceLineNumber: 1,
            poLineNumber: 1,
            invoicedBaseQuantity: 70,
            receivedBaseQuantity: 70,
            orderedBaseQuantity: 70,
            invoiceUnitPrice: 4.5,
            poUnitPrice: 4.5,
            reasons: [],
          },
        ],
        approvedAmount: 31.5,
      };
      const invoice: Invoice = {
        invoiceNumber: 'INV-1',
        supplierId: 'SUP-MEDLINE',
        poNumber,
        invoiceDate: '2025-03-16',
        currency: 'USD',
        lines: [{ lineNumber: 1, poLineNumber: 1, quantity: 7, uom: 'BX', unitPrice: 4.5, amount: 31.5 }],
        charges: [],
        totalAmount: 31.5,
      };
      const invoiceCase: InvoiceCase = {
        caseId: 'SUP-MEDLINE|INV-1|2025-03-16',
        invoiceNumber: 'INV-1',
        supplierId: 'SUP-MEDLINE',
        poNumber,
        invoiceDate: '2025-03-16',
        currency: 'USD',
        invoiceAmount: 31.5,
        status: 'MATCHED',
        reasons: [],
        approvedAmount: 31.5,
        match,
        waitingForReceipt: false,
        decisions: [],
        correlationId: 'corr-rtp-1',
        createdAt: '2025-03-16T10:00:00.000Z',
        updatedAt: '2025-03-16T10:00:00.000Z',
      };
      await h.fakes.procurement.saveInvoice(invoice, invoiceCase);
      await h.arrive(poNumber, 'INVOICE_MATCHED', { poNumber, caseId: invoiceCase.caseId });

      await execution.result;
      expect(h.machine.describeExecution(execution.executionArn).status).toBe('SUCCEEDED');
      const closed = (await h.fakes.procurement.getPurchaseOrder(poNumber))!;
      expect(closed.status).toBe('CLOSED');
      const closedEvent = h.published.find((e) => e.DetailType === 'PurchaseOrderClosed');
      expect((closedEvent?.Detail as { correlationId?: string }).correlationId).toBe('corr-rtp-1');
      const hops = (await h.fakes.transactions.list('corr-rtp-1')).map((x) => x.hop);
      for (const hop of ['requisition-created', 'requisition-approved', 'po-created', 'po-created-in-erp', 'po-issued', 'procurement-alert', 'po-closed'] as const) {
        expect(hops.includes(hop)).toBeTruthy();
      }
    });

    it('waits for a human on a requisition that needs approval, escalates on each timeout and stops after maxEscalations', async () => {
      const h = harness({ timeouts: { decisionSeconds: 1 }, maxEscalations: 2 });
      const api = makeRequisitionApi(h.deps);
      const created = await api(
        apiEvent({
          method: 'POST',
          resource: '/v1/requisitions',
          headers: { 'Content-Type': 'application/json' },
          requestId: 'corr-saas-1',
          claims: { client_id: 'saas-procurement', scope: 'hem/requisition.write' },
          body: JSON.stringify({
            externalRef: 'SAAS-REQ-1',
            facilityId: 'FAC-NMC',
            locationId: 'NMC-CATH',
            costCenter: 'CC-NMC-CATH',
            supplierId: 'SUP-MEDLINE',
            lines: [{ itemId: 'ITM-10003', quantity: 2, uom: 'CS' }],
          }),
        }),
        h.context,
      );
      expect(created.statusCode).toBe(201);
      const { requisitionId } = bodyOf<{ requisitionId: string }>(created);
      const execution = h.executions.get(requisitionId)!;
      await expect(execution.result).rejects.toThrow();
      const description = h.machine.describeExecution(execution.executionArn);
      expect(description.status).toBe('FAILED');
      expect(description.error).toBe('ApprovalNeverDecided');
      const escalations = h.alerts('APPROVAL_ESCALATED');
      expect(escalations.length).toBe(2);
      expect((escalations[0]!.Detail as { idempotencyKey: string }).idempotencyKey).not.toBe((escalations[1]!.Detail as { idempotencyKey: string }).idempotencyKey);
      const requisition = h.fakes.procurement.requisitions.get(requisitionId)!;
      expect(requisition.status).toBe('ESCALATED');
      expect(requisition.escalationCount).toBe(2);
    });

    it('resumes an escalated requisition when the approver decides, and orders it', async () => {
      const h = harness({ timeouts: { decisionSeconds: 1 }, maxEscalations: 10 });
      const api = makeRequisitionApi(h.deps);
      const created = await api(
        apiEvent({
          method: 'POST',
          resource: '/v1/requisitions',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            externalRef: 'SAAS-REQ-2',
            facilityId: 'FAC-NMC',
            locationId: 'NMC-CATH',
            costCenter: 'CC-NMC-CATH',
            supplierId: 'SUP-MEDLINE',
            lines: [{ itemId: 'ITM-10003', quantity: 1, uom: 'CS' }],
          }),
        }),
        h.context,
      );
      const { requisitionId } = bodyOf<{ requisitionId: string }>(created);
      await until(() => (h.alerts('APPROVAL_ESCALATED').length > 0 ? true : undefined), 'the first escalation', 5000);
      const decided = await api(
        apiEvent({
          method: 'POST',
          resource: '/v1/requisitions/{requisitionId}/decision',
          pathParameters: { requisitionId },
          headers: { 'Content-Type': 'application/json' },
          claims: { client_id: 'approver-app', scope: 'hem/requisition.approve' },
          body: JSON.stringify({ decision: 'APPROVE', approver: 'buyer-17' }),
        }),
        h.context,
      );
      expect(decided.statusCode).toBe(200);
      const poNumber = await until(() => h.fakes.procurement.requisitions.get(requisitionId)?.poNumber, 'the PO');
      await until(() => h.fakes.waits.waiting(poNumber, 'ACK_855'), 'the 855 wait');
      expect(h.fakes.procurement.requisitions.get(requisitionId)?.approval).toMatchObject({ by: 'approver-app', onBehalfOf: 'buyer-17' });
      await h.machine.close();
    });

    it('closes the PO as rejected when the supplier rejects the whole order in its 855', async () => {
      const h = harness();
      await makeRequisitionStarter(h.deps)(sqsEvent([sqsRecord(replenishmentMessage(replenishment({ idempotencyKey: 'EPIC|NMC|MSG-RTP-3|1#ReplenishmentRequested' })), 'm-3')]), h.context);
      const [requisitionId, execution] = [...h.executions.entries()][0]!;
      const poNumber = await until(() => h.fakes.procurement.requisitions.get(requisitionId)?.poNumber, 'the PO number');
      await until(() => h.fakes.waits.waiting(poNumber, 'ACK_855'), 'the 855 wait');
      const issued = (await h.fakes.procurement.getPurchaseOrder(poNumber))!;
      const rejected = applyAcknowledgment(issued, {
        poNumber,
        supplierId: 'SUP-MEDLINE',
        ackType: 'RD',
        acknowledgedAt: '2025-03-14',
        lines: [{ lineNumber: 1, status: 'REJECTED', statusCode: 'IR', quantity: 0, uom: 'BX' }],
        control: { interchange: '000000102', group: '102', transactionSet: '0102', version: '005010', senderId: 'MEDLINE', receiverId: 'HEMHOSPITAL' },
      });
      await h.fakes.procurement.savePurchaseOrder(rejected, issued.version);
      await h.arrive(poNumber, 'ACK_855', { poNumber, status: 'REJECTED', outcome: 'REJECTED' });
      await execution.result;
      expect((await h.fakes.procurement.getPurchaseOrder(poNumber))?.status).toBe('CLOSED');
      const closed = h.published.find((e) => e.DetailType === 'PurchaseOrderClosed');
      expect((closed?.Detail as { rejected?: boolean }).rejected).toBe(true);
      expect(h.fakes.waits.waiting(poNumber, 'ASN_856')).toBe(undefined);
    });

    it('alerts and stops when the supplier network refuses the 850 for good', async () => {
      const h = harness();
      h.fakes.supplierNetwork.script(new UpstreamRejectedError('supplier network rejected the interchange (999 R)', { details: { ackType: '999' } }));
      await makeRequisitionStarter(h.deps)(sqsEvent([sqsRecord(replenishmentMessage(replenishment({ idempotencyKey: 'EPIC|NMC|MSG-RTP-2|1#ReplenishmentRequested' })), 'm-2')]), h.context);
      const execution = [...h.executions.values()][0]!;
      await expect(execution.result).rejects.toThrow();
      const description = h.machine.describeExecution(execution.executionArn);
      expect(description.error).toBe('SupplierRejected');
      expect(description.cause ?? '').toMatch(/UPSTREAM_REJECTED/);
      const [alert] = h.alerts('PURCHASE_ORDER_REJECTED');
      expect((alert?.Detail as { severity?: string }).severity).toBe('CRITICAL');
    });
  });
});

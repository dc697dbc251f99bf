import { apiEvent, assertTasksRetry, bodyOf, sqsEvent, sqsRecord, substitute } from './support';
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import validator from 'asl-validator';
import type { EventDetailType } from '../../../contracts/events';
import { EVENT_BUS_PLACEHOLDER, STATE_MACHINES } from '../../../contracts/routing';
import { CircuitBreaker } from '../../../functions/adapters/connectors/circuit-breaker';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../../functions/domain/errors';
import type { WorkflowControl } from '../../../functions/domain/procurement-ports';
import { receiptWait, resolutionWait, type InvoiceWait } from '../../../functions/domain/use-cases/procurement/invoice-waits';
import { makeHandler as makeErpConnector } from '../../../functions/handlers/erp-connector';
import { makeHandler as makeFinanceConnector } from '../../../functions/handlers/finance-connector';
import { makeHandler as makeInvoiceApi } from '../../../functions/handlers/invoice-api';
import { makeHandler as makeMatchInvoice } from '../../../functions/handlers/match-invoice';
import { makeHandler as makePrepareApVoucher } from '../../../functions/handlers/prepare-ap-voucher';
import { makeHandler as makeRaiseInvoiceAlert } from '../../../functions/handlers/raise-invoice-alert';
import { makeHandler as makeRecordApVoucher } from '../../../functions/handlers/record-ap-voucher';
import { makeHandler as makeReceiptApi } from '../../../functions/handlers/receipt-api';
import { makeHandler as makeRegisterWait } from '../../../functions/handlers/register-wait';
import { silentLogger } from '../../../local/persistence';
import { LocalStateMachine } from '../../../local/stepfunctions';
import type { PutEventsRequestEntry } from '../../../local/stepfunctions';
import { expectTruthy } from '../../support/expect-narrowing';
import { lambdaContext } from '../fakes';
import {
  CORRELATION_ID,
  dockReceipt,
  glovesInvoice,
  receiptInvoiceFakes,
  receiveInvoice,
  type ReceiptInvoiceFakes,
} from '../procurement/receipt-invoice-fixtures';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const definition = STATE_MACHINES.find((m) => m.id === 'ReceiptToInvoice')!;
const raw = readFileSync(path.join(REPO_ROOT, definition.file), 'utf8');

const arn = (name: string): string => `arn:aws:lambda:us-east-1:123456789012:function:hem-${name}`;
const queueUrl = (queue: string): string => `https://sqs.us-east-1.amazonaws.com/123456789012/hem-${queue}`;
const SUBSTITUTIONS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(definition.functionPlaceholders).map(([placeholder, functionId]) => [placeholder, arn(functionId)])),
  ...Object.fromEntries(Object.entries(definition.queuePlaceholders ?? {}).map(([placeholder, ref]) => [placeholder, queueUrl('queue' in ref ? ref.queue : ref.ruleDeadLetterQueue)])),
  [EVENT_BUS_PLACEHOLDER]: 'hem-test',
};

type State = Record<string, unknown> & { Type: string };
const states = (JSON.parse(raw) as { States: Record<string, State> }).States;

describe('receipt-to-invoice ASL', () => {
  it('is valid Amazon States Language once its placeholders are substituted', () => {
    const result = validator(JSON.parse(substitute(raw, SUBSTITUTIONS)));
    expect(result.isValid).toBe(true);
  });

  it('is a Standard workflow using exactly the placeholders of contracts/routing.ts plus EventBusName', () => {
    expect(definition.type).toBe('STANDARD');
    const used = new Set([...raw.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toStrictEqual([...Object.keys(definition.functionPlaceholders), ...Object.keys(definition.queuePlaceholders ?? {}), EVENT_BUS_PLACEHOLDER].sort());
    expect(definition.queuePlaceholders).toStrictEqual({ ErpCommandsQueueUrl: { queue: 'ErpCommands' }, FinancePostingsQueueUrl: { queue: 'FinancePostings' } });
  });

  it('uses JSONPath only, with readable state names', () => {
    expect((JSON.parse(raw) as { QueryLanguage?: string }).QueryLanguage).toBe(undefined);
    for (const [name, state] of Object.entries(states)) {
      expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
      for (const field of ['QueryLanguage', 'Arguments', 'Output', 'Assign']) expect(field in state).toBe(false);
    }
  });

  it('retries every task with jittered backoff, Lambda tasks on Lambda and HEM retryable errors', () => {
    assertTasksRetry(Object.entries(states).filter(([, s]) => s.Type === 'Task'));
  });

  it('never waits silently: every callback wait has a timeout whose Catch raises an alert', () => {
    const waits = Object.entries(states).filter(([, s]) => String(s.Resource).endsWith('.waitForTaskToken'));
    expect(waits.map(([name]) => name).sort()).toStrictEqual(['AwaitReceipt', 'AwaitResolution', 'CreatePayablesInvoiceInErp', 'PostApVoucherToFinance']);
    for (const [, wait] of waits) {
      expect('TimeoutSecondsPath' in wait || 'TimeoutSeconds' in wait).toBeTruthy();
      const onTimeout = (wait.Catch as { ErrorEquals: string[]; Next: string }[]).find((c) => c.ErrorEquals.includes('States.Timeout') || c.ErrorEquals.includes('States.ALL'));
      expectTruthy(onTimeout);
      expect(states[onTimeout.Next]?.Next).toBe('RaiseInvoiceAlert');
      // The path must resolve both against the state input (AWS) and against the resolved Parameters (the local interpreter).
      const sqs = String(wait.Resource).startsWith('arn:aws:states:::sqs:');
      expect(wait.TimeoutSecondsPath).toBe(sqs ? '$.MessageBody.timeoutSeconds' : '$.Payload.timeoutSeconds');
    }
  });

  it('sends the voucher through the connector queues: ERP payables invoice, then the ledger, keyed on the voucher id; refusals stop, the rest alerts and retries', () => {
    const erp = states.CreatePayablesInvoiceInErp as State & { Parameters: { QueueUrl: string; MessageBody: Record<string, string> }; Catch: { ErrorEquals: string[]; Next: string }[] };
    const finance = states.PostApVoucherToFinance as typeof erp;
    expect([erp.Parameters.QueueUrl, finance.Parameters.QueueUrl]).toStrictEqual(['${ErpCommandsQueueUrl}', '${FinancePostingsQueueUrl}']);
    expect(erp.Parameters.MessageBody['voucherId.$']).toBe('$.MessageBody.voucherId');
    expect((states.PrepareErpCommand as State & { Parameters: Record<string, string> }).Parameters['voucherId.$']).toBe('$.prepared.voucherId');
    expect(finance.Parameters.MessageBody['voucher.$']).toBe('$.MessageBody.voucher');
    for (const [task, rejection] of [[erp, 'ErpRejected'], [finance, 'FinanceRejected']] as const) {
      expect(task.Parameters.MessageBody['taskToken.$']).toBe('$$.Task.Token');
      expect(task.Catch.map((c) => [c.ErrorEquals, c.Next])).toStrictEqual([[[rejection], 'VoucherRefused'], [['States.ALL'], 'VoucherBlocked']]);
    }
    expect(['PrepareApVoucher', 'PrepareErpCommand', 'CreatePayablesInvoiceInErp', 'PrepareFinanceCommand', 'PostApVoucherToFinance', 'RecordApVoucher'].map((n) => states[n]?.Next)).toStrictEqual(['PrepareErpCommand', 'CreatePayablesInvoiceInErp', 'PrepareFinanceCommand', 'PostApVoucherToFinance', 'RecordApVoucher', 'PublishVoucherPosted']);
  });
});

/** Polls until `check` passes (the execution runs concurrently with the test). */
const eventually = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** The deps of the running test: the machine's invokers read it on every call. */
let deps: ReceiptInvoiceFakes;
/** The connectors' circuit breakers of the running test (module scope on AWS: one per container). */
let breakers: { erp: CircuitBreaker; finance: CircuitBreaker };
/** Every message the workflow sent, by queue URL. */
let sent: { queueUrl: string; body: Record<string, unknown> }[];
/** Messages that used up their receives (what the DLQ would hold). */
let deadLettered: string[];
/** Deliveries in flight (drained at the end of each test). */
const deliveries = new Set<Promise<void>>();

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** The connector behind each queue, as its event source mapping invokes it. */
const consumers = (): Record<string, (event: ReturnType<typeof sqsEvent>) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>> => ({
  [queueUrl('ErpCommands')]: (event) => makeErpConnector(deps, { breaker: breakers.erp })(event, lambdaContext()),
  [queueUrl('FinancePostings')]: (event) => makeFinanceConnector(deps, { breaker: breakers.finance })(event, lambdaContext()),
});

/**
 * A queue in miniature: the message is received up to 5 times (maxReceiveCount), a few milliseconds
 * apart (the visibility timeout), and then dead-lettered.
 */
const deliver = async (url: string, body: string, messageId: string): Promise<void> => {
  const consume = consumers()[url];
  if (consume === undefined) throw new Error(`no consumer for ${url}`);
  for (let receive = 1; receive <= 5; receive += 1) {
    const { batchItemFailures } = await consume(sqsEvent([sqsRecord(body, messageId, receive)]));
    if (batchItemFailures.length === 0) return;
    await sleep(5);
  }
  deadLettered.push(body);
};

const machine: LocalStateMachine = new LocalStateMachine({
  name: 'ReceiptToInvoice',
  definition: raw,
  substitutions: SUBSTITUTIONS,
  lambdaInvokers: {
    [arn('MatchInvoice')]: (payload) => makeMatchInvoice(deps)(payload, lambdaContext()),
    [arn('PrepareApVoucher')]: (payload) => makePrepareApVoucher(deps)(payload, lambdaContext()),
    [arn('RecordApVoucher')]: (payload) => makeRecordApVoucher(deps)(payload, lambdaContext()),
    [arn('RaiseInvoiceAlert')]: (payload) => makeRaiseInvoiceAlert(deps)(payload, lambdaContext()),
    [arn('RegisterWait')]: (payload) => makeRegisterWait(deps)(payload, lambdaContext()),
  },
  putEvents: async (entries: PutEventsRequestEntry[]) => {
    expect(entries.every((e) => e.EventBusName === 'hem-test')).toBeTruthy();
    await deps.events.publish(entries.map((e) => ({ source: e.Source, detailType: e.DetailType as EventDetailType, detail: e.Detail as never })));
    return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `evt-${i}` })) };
  },
  integrations: {
    // SendMessage returns at once; the connector receives the message afterwards, as from SQS.
    'arn:aws:states:::sqs:sendMessage': async (parameters) => {
      const { QueueUrl, MessageBody } = parameters as { QueueUrl: string; MessageBody: Record<string, unknown> };
      if (consumers()[QueueUrl] === undefined) throw Object.assign(new Error(`no queue ${QueueUrl}`), { name: 'SQS.QueueDoesNotExistException' });
      sent.push({ queueUrl: QueueUrl, body: MessageBody });
      const messageId = `msg-${sent.length}`;
      const delivery = deliver(QueueUrl, JSON.stringify(MessageBody), messageId).finally(() => deliveries.delete(delivery));
      deliveries.add(delivery);
      return { MessageId: messageId };
    },
  },
  retryIntervalScale: 0.001,
  waitScale: 0.001,
  logger: silentLogger,
});
afterAll(async () => {
  await Promise.all([...deliveries]);
  await machine.close();
});

/** Task tokens go to the local machine, as SfnWorkflowControl sends them to Step Functions. */
const machineControl = (): WorkflowControl => ({
  start: async () => ({ started: true }),
  succeed: async (taskToken, output) => {
    machine.sendTaskSuccess(taskToken, output);
  },
  fail: async (taskToken, error, cause) => {
    machine.sendTaskFailure(taskToken, error, cause);
  },
});

/** Fresh fakes whose workflow callbacks reach the machine, fresh breakers and an empty queue log. */
const freshDeps = (): ReceiptInvoiceFakes => {
  const fakes = receiptInvoiceFakes();
  breakers = {
    erp: new CircuitBreaker({ name: 'ERP', failureThreshold: 5, coolDownMs: 10 }),
    finance: new CircuitBreaker({ name: 'finance ledger', failureThreshold: 5, coolDownMs: 10 }),
  };
  sent = [];
  deadLettered = [];
  return Object.assign(fakes, { workflows: machineControl() }) as ReceiptInvoiceFakes;
};

/** The commands sent to one queue. */
const sentTo = (queue: string): Record<string, unknown>[] => sent.filter((m) => m.queueUrl === queueUrl(queue)).map((m) => m.body);

const AP_CLIENT = { client_id: 'ap-workbench', scope: 'hem/invoice.read hem/invoice.read.all hem/invoice.resolve' };
const DOCK_CLIENT = { client_id: 'dock-scanner-nmc' };

const receive = async (receiptId: string, quantity: number): Promise<void> => {
  const res = await makeReceiptApi(deps)(
    apiEvent({ method: 'POST', resource: '/v1/receipts', body: JSON.stringify(dockReceipt(receiptId, [{ quantity, uom: 'EA' }])), claims: DOCK_CLIENT }),
    lambdaContext(),
  );
  expect(res.statusCode === 201 || res.statusCode === 200).toBeTruthy();
};

const resolve = async (caseId: string, action: string): Promise<Record<string, unknown>> => {
  const res = await makeInvoiceApi(deps)(
    apiEvent({
      method: 'POST',
      resource: '/v1/invoices/{invoiceId}/resolution',
      pathParameters: { invoiceId: caseId },
      body: JSON.stringify({ action, clerk: 'ap.nguyen' }),
      claims: AP_CLIENT,
    }),
    lambdaContext(),
  );
  expect(res.statusCode).toBe(200);
  return bodyOf(res);
};

const waitingOn = (wait: InvoiceWait): (() => boolean) => () => deps.waits.waiting(wait.entity, wait.awaited) !== undefined;

const start = (caseId: string, name: string, timeouts?: Record<string, number>): ReturnType<LocalStateMachine['start']> =>
  machine.start({ caseId, correlationId: CORRELATION_ID, ...(timeouts === undefined ? {} : { timeouts }) }, { name });

const detailTypes = (): string[] => deps.events.events.map((e) => e.detailType);

describe('receipt-to-invoice on the local interpreter with the real handlers', () => {
  it('vouchers a matched invoice once and ends PAID', async () => {
    deps = freshDeps();
    await receive('RCV-1', 120);
    await receive('RCV-2', 80);
    const caseId = await receiveInvoice(deps, glovesInvoice('INV-8001', [{ quantity: 2, uom: 'CS', unitPrice: 120 }]));
    const output = (await start(caseId, 'matched').result) as { voucher: { voucherId: string; totalAmount: number } };
    expect([output.voucher.voucherId, output.voucher.totalAmount]).toStrictEqual(['APV|SUP-MEDLINE|INV-8001', 240]);
    expect(deps.finance.apVouchers.size).toBe(1);
    expect([...deps.erp.payablesInvoices.keys()]).toStrictEqual(['APV|SUP-MEDLINE|INV-8001']);
    expect((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.status).toBe('PAID');
    expect(detailTypes().filter((t) => t.startsWith('Invoice') || t === 'ApVoucherPosted')).toStrictEqual(['InvoiceMatched', 'ApVoucherPosted']);
    expect(sentTo('ErpCommands').map((m) => [m.command, m.caseId, m.voucherId])).toStrictEqual([['CreatePayablesInvoice', caseId, 'APV|SUP-MEDLINE|INV-8001']]);
    expect(sentTo('FinancePostings').map((m) => [m.command, (m.voucher as { voucherId: string }).voucherId])).toStrictEqual([['PostApVoucher', 'APV|SUP-MEDLINE|INV-8001']]);
    expect(deadLettered).toStrictEqual([]);
  });

  it('waits for an AP clerk on an exception; ACCEPT_VARIANCE resumes it and the invoice is vouchered once even if resent', async () => {
    deps = freshDeps();
    await receive('RCV-1', 200);
    const caseId = await receiveInvoice(deps, glovesInvoice('INV-8002', [{ quantity: 2, uom: 'CS', unitPrice: 200 }]));
    const execution = start(caseId, 'exception-accepted');
    await eventually(waitingOn(resolutionWait(caseId, 0)), 'the AP clerk wait');
    expect(detailTypes().filter((t) => t.startsWith('Invoice'))).toStrictEqual(['InvoiceExceptionRaised']);

    const decided = await resolve(caseId, 'ACCEPT_VARIANCE');
    expect([decided.status, decided.next, decided.resumed]).toStrictEqual(['MATCHED', 'POST_AP_VOUCHER', true]);
    await execution.result;
    const resent = await resolve(caseId, 'ACCEPT_VARIANCE');
    expect(resent.replay).toBe(true);
    expect(deps.finance.apVouchers.size).toBe(1);
    expect(deps.finance.apVouchers.get('APV|SUP-MEDLINE|INV-8002')?.voucher.totalAmount).toBe(400);
    expect((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.status).toBe('PAID');
    expect(machine.describeExecution(execution.executionArn).status).toBe('SUCCEEDED');
  });

  it('WAIT_FOR_RECEIPT: matches again at once, waits for the goods, and vouchers when the receipt arrives', async () => {
    deps = freshDeps();
    await receive('RCV-1', 120);
    const caseId = await receiveInvoice(deps, glovesInvoice('INV-8003', [{ quantity: 2, uom: 'CS', unitPrice: 120 }]));
    const execution = start(caseId, 'wait-for-goods');
    await eventually(waitingOn(resolutionWait(caseId, 0)), 'the AP clerk wait');
    await resolve(caseId, 'WAIT_FOR_RECEIPT');
    await eventually(waitingOn(receiptWait(caseId, 1)), 'the goods wait');
    expect(deps.finance.apVouchers.size).toBe(0);

    await receive('RCV-2', 80);
    await execution.result;
    expect(deps.finance.apVouchers.size).toBe(1);
    const stored = await deps.procurement.getInvoiceCase(caseId);
    expect([stored?.invoiceCase.status, stored?.invoiceCase.match?.lines[0]?.receivedBaseQuantity]).toStrictEqual(['PAID', 200]);
  });

  it('alerts when the clerk does not decide in time, keeps waiting, and ends when the clerk rejects', async () => {
    deps = freshDeps();
    await receive('RCV-1', 200);
    const caseId = await receiveInvoice(deps, glovesInvoice('INV-8004', [{ quantity: 2, uom: 'CS', unitPrice: 200 }]));
    const execution = start(caseId, 'clerk-overdue', { resolutionSeconds: 1, receiptSeconds: 1, retrySeconds: 1 });
    await eventually(() => deps.events.ofType('ProcurementAlertRaised').length > 0, 'the overdue alert');
    const [alert] = deps.events.ofType('ProcurementAlertRaised');
    expect([alert?.detail.alertType, alert?.detail.entity]).toStrictEqual(['INVOICE_RESOLUTION_OVERDUE', { kind: 'INVOICE', id: caseId }]);
    await eventually(waitingOn(resolutionWait(caseId, 0)), 'the wait registered again');
    await resolve(caseId, 'REJECT');
    await execution.result;
    expect(deps.finance.apVouchers.size).toBe(0);
    expect((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.status).toBe('REJECTED');
  });

  it('alerts when the ERP stays down past the queue\'s receives and the task timeout, pauses, and posts the voucher once it is back', async () => {
    deps = freshDeps();
    await receive('RCV-1', 200);
    const caseId = await receiveInvoice(deps, glovesInvoice('INV-8005', [{ quantity: 2, uom: 'CS', unitPrice: 120 }]));
    deps.erp.failNext(5);
    await start(caseId, 'erp-down', { resolutionSeconds: 60, receiptSeconds: 60, connectorSeconds: 1, retrySeconds: 1 }).result;
    expect(deps.events.ofType('ProcurementAlertRaised').map((e) => e.detail.alertType)).toStrictEqual(['AP_VOUCHER_BLOCKED']);
    expect(deadLettered.length).toBe(1);
    expect(sentTo('ErpCommands').length).toBe(2);
    expect(deps.erp.payablesInvoices.size).toBe(1);
    expect(deps.finance.apVouchers.size).toBe(1);
    expect((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.status).toBe('PAID');
  });

  it('holds the voucher while the ledger fails, retries it from the queue, and posts it exactly once when it recovers', async () => {
    deps = freshDeps();
    await receive('RCV-1', 200);
    const caseId = await receiveInvoice(deps, glovesInvoice('INV-8006', [{ quantity: 2, uom: 'CS', unitPrice: 120 }]));
    deps.finance.script(...[1, 2, 3].map(() => new UpstreamUnavailableError('finance ledger unavailable (HTTP 503)')));
    const output = (await start(caseId, 'ledger-flaky').result) as { voucher: { journalId: string } };
    expect(output.voucher.journalId).toBe('APJ-000001');
    expect(deps.finance.calls).toBe(4);
    expect(deps.finance.apVouchers.size).toBe(1);
    expect(sentTo('FinancePostings').length).toBe(1);
    expect(deps.events.ofType('ProcurementAlertRaised')).toStrictEqual([]);
    expect((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.status).toBe('PAID');
  });

  it('stops with ApVoucherRefused after an alert when the ledger refuses the voucher for good; the case is not paid', async () => {
    deps = freshDeps();
    await receive('RCV-1', 200);
    const caseId = await receiveInvoice(deps, glovesInvoice('INV-8007', [{ quantity: 2, uom: 'CS', unitPrice: 120 }]));
    deps.finance.script(new UpstreamRejectedError('finance ledger rejected the AP voucher (HTTP 422)', { details: { status: 422 } }));
    const execution = start(caseId, 'ledger-refuses');
    await expect(execution.result).rejects.toThrow();
    const described = machine.describeExecution(execution.executionArn);
    expect([described.status, described.error]).toStrictEqual(['FAILED', 'ApVoucherRefused']);
    expect(deps.events.ofType('ProcurementAlertRaised').map((e) => e.detail.alertType)).toStrictEqual(['AP_VOUCHER_BLOCKED']);
    expect(deps.finance.apVouchers.size).toBe(0);
    expect((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.status).toBe('MATCHED');
  });
});

import { apiEvent, bodyOf, substitute } from './support';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import validator from 'asl-validator';
import type { EventDetailType } from '../../../contracts/events';
import { EVENT_BUS_PLACEHOLDER, STATE_MACHINES } from '../../../contracts/routing';
import type { WorkflowControl } from '../../../functions/domain/procurement-ports';
import { receiptWait, resolutionWait, type InvoiceWait } from '../../../functions/domain/use-cases/procurement/invoice-waits';
import { makeHandler as makeInvoiceApi } from '../../../functions/handlers/invoice-api';
import { makeHandler as makeMatchInvoice } from '../../../functions/handlers/match-invoice';
import { makeHandler as makePostApVoucher } from '../../../functions/handlers/post-ap-voucher';
import { makeHandler as makeRaiseInvoiceAlert } from '../../../functions/handlers/raise-invoice-alert';
import { makeHandler as makeReceiptApi } from '../../../functions/handlers/receipt-api';
import { makeHandler as makeRegisterWait } from '../../../functions/handlers/register-wait';
import { silentLogger } from '../../../local/persistence';
import { LocalStateMachine } from '../../../local/stepfunctions';
import type { PutEventsRequestEntry } from '../../../local/stepfunctions';
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
const SUBSTITUTIONS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(definition.functionPlaceholders).map(([placeholder, functionId]) => [placeholder, arn(functionId)])),
  [EVENT_BUS_PLACEHOLDER]: 'hem-test',
};

type State = Record<string, unknown> & { Type: string };
const states = (JSON.parse(raw) as { States: Record<string, State> }).States;

describe('receipt-to-invoice ASL', () => {
  it('is valid Amazon States Language once its placeholders are substituted', () => {
    const result = validator(JSON.parse(substitute(raw, SUBSTITUTIONS)));
    assert.equal(result.isValid, true, result.errorsText());
  });

  it('is a Standard workflow using exactly the placeholders of contracts/routing.ts plus EventBusName', () => {
    assert.equal(definition.type, 'STANDARD');
    const used = new Set([...raw.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
    assert.deepEqual([...used].sort(), [...Object.keys(definition.functionPlaceholders), EVENT_BUS_PLACEHOLDER].sort());
  });

  it('uses JSONPath only, with readable state names', () => {
    assert.equal((JSON.parse(raw) as { QueryLanguage?: string }).QueryLanguage, undefined);
    for (const [name, state] of Object.entries(states)) {
      assert.match(name, /^[A-Z][A-Za-z]+$/, name);
      for (const field of ['QueryLanguage', 'Arguments', 'Output', 'Assign']) assert.equal(field in state, false, `${name} uses ${field}`);
    }
  });

  it('retries every task with jittered backoff, Lambda tasks on Lambda and HEM retryable errors', () => {
    for (const [name, task] of Object.entries(states).filter(([, s]) => s.Type === 'Task')) {
      const retries = (task.Retry ?? []) as { ErrorEquals: string[]; JitterStrategy?: string }[];
      assert.ok(retries.length > 0, `${name} has no Retry`);
      assert.ok(retries.every((r) => r.JitterStrategy === 'FULL'), `${name} retries without jitter`);
      if (String(task.Resource).includes('FunctionArn')) {
        const errors = retries.flatMap((r) => r.ErrorEquals);
        for (const expected of ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'ConcurrencyError', 'InfrastructureError']) {
          assert.ok(errors.includes(expected), `${name} does not retry ${expected}`);
        }
      }
    }
  });

  it('never waits silently: every callback wait has a timeout whose Catch raises an alert', () => {
    const waits = Object.entries(states).filter(([, s]) => String(s.Resource).endsWith('.waitForTaskToken'));
    assert.deepEqual(waits.map(([name]) => name).sort(), ['AwaitReceipt', 'AwaitResolution']);
    for (const [name, wait] of waits) {
      assert.ok('TimeoutSecondsPath' in wait || 'TimeoutSeconds' in wait, `${name} has no timeout`);
      const onTimeout = (wait.Catch as { ErrorEquals: string[]; Next: string }[]).find((c) => c.ErrorEquals.includes('States.Timeout'));
      assert.ok(onTimeout, `${name} does not catch its timeout`);
      assert.equal(states[onTimeout.Next]?.Next, 'RaiseInvoiceAlert', `${name}'s timeout does not alert`);
      assert.equal(wait.TimeoutSecondsPath, '$.Payload.timeoutSeconds', `${name} must read its timeout where both interpreters find it`);
    }
  });
});

/** Polls until `check` passes (the execution runs concurrently with the test). */
const eventually = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** The deps of the running test: the machine's invokers read it on every call. */
let deps: ReceiptInvoiceFakes;

const machine: LocalStateMachine = new LocalStateMachine({
  name: 'ReceiptToInvoice',
  definition: raw,
  substitutions: SUBSTITUTIONS,
  lambdaInvokers: {
    [arn('MatchInvoice')]: (payload) => makeMatchInvoice(deps)(payload, lambdaContext()),
    [arn('PostApVoucher')]: (payload) => makePostApVoucher(deps)(payload, lambdaContext()),
    [arn('RaiseInvoiceAlert')]: (payload) => makeRaiseInvoiceAlert(deps)(payload, lambdaContext()),
    [arn('RegisterWait')]: (payload) => makeRegisterWait(deps)(payload, lambdaContext()),
  },
  putEvents: async (entries: PutEventsRequestEntry[]) => {
    assert.ok(entries.every((e) => e.EventBusName === 'hem-test'));
    await deps.events.publish(entries.map((e) => ({ source: e.Source, detailType: e.DetailType as EventDetailType, detail: e.Detail as never })));
    return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `evt-${i}` })) };
  },
  retryIntervalScale: 0.001,
  waitScale: 0.001,
  logger: silentLogger,
});
after(() => machine.close());

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

/** Fresh fakes whose workflow callbacks reach the machine. */
const freshDeps = (): ReceiptInvoiceFakes => {
  const fakes = receiptInvoiceFakes();
  return Object.assign(fakes, { workflows: machineControl() }) as ReceiptInvoiceFakes;
};

const AP_CLIENT = { client_id: 'ap-workbench' };
const DOCK_CLIENT = { client_id: 'dock-scanner-nmc' };

const receive = async (receiptId: string, quantity: number): Promise<void> => {
  const res = await makeReceiptApi(deps)(
    apiEvent({ method: 'POST', resource: '/v1/receipts', body: JSON.stringify(dockReceipt(receiptId, [{ quantity, uom: 'EA' }])), claims: DOCK_CLIENT }),
    lambdaContext(),
  );
  assert.ok(res.statusCode === 201 || res.statusCode === 200, res.body);
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
  assert.equal(res.statusCode, 200, res.body);
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
    assert.deepEqual([output.voucher.voucherId, output.voucher.totalAmount], ['APV|SUP-MEDLINE|INV-8001', 240]);
    assert.equal(deps.finance.apVouchers.size, 1);
    assert.equal(deps.erp.payablesInvoices.size, 1);
    assert.equal((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.status, 'PAID');
    assert.deepEqual(detailTypes().filter((t) => t.startsWith('Invoice') || t === 'ApVoucherPosted'), ['InvoiceMatched', 'ApVoucherPosted']);
  });

  it('waits for an AP clerk on an exception; ACCEPT_VARIANCE resumes it and the invoice is vouchered once even if resent', async () => {
    deps = freshDeps();
    await receive('RCV-1', 200);
    const caseId = await receiveInvoice(deps, glovesInvoice('INV-8002', [{ quantity: 2, uom: 'CS', unitPrice: 200 }]));
    const execution = start(caseId, 'exception-accepted');
    await eventually(waitingOn(resolutionWait(caseId, 0)), 'the AP clerk wait');
    assert.deepEqual(detailTypes().filter((t) => t.startsWith('Invoice')), ['InvoiceExceptionRaised']);

    const decided = await resolve(caseId, 'ACCEPT_VARIANCE');
    assert.deepEqual([decided.status, decided.next, decided.resumed], ['MATCHED', 'POST_AP_VOUCHER', true]);
    await execution.result;
    const resent = await resolve(caseId, 'ACCEPT_VARIANCE');
    assert.equal(resent.replay, true);
    assert.equal(deps.finance.apVouchers.size, 1);
    assert.equal(deps.finance.apVouchers.get('APV|SUP-MEDLINE|INV-8002')?.voucher.totalAmount, 400);
    assert.equal((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.status, 'PAID');
    assert.equal(machine.describeExecution(execution.executionArn).status, 'SUCCEEDED');
  });

  it('WAIT_FOR_RECEIPT: matches again at once, waits for the goods, and vouchers when the receipt arrives', async () => {
    deps = freshDeps();
    await receive('RCV-1', 120);
    const caseId = await receiveInvoice(deps, glovesInvoice('INV-8003', [{ quantity: 2, uom: 'CS', unitPrice: 120 }]));
    const execution = start(caseId, 'wait-for-goods');
    await eventually(waitingOn(resolutionWait(caseId, 0)), 'the AP clerk wait');
    await resolve(caseId, 'WAIT_FOR_RECEIPT');
    await eventually(waitingOn(receiptWait(caseId, 1)), 'the goods wait');
    assert.equal(deps.finance.apVouchers.size, 0);

    await receive('RCV-2', 80);
    await execution.result;
    assert.equal(deps.finance.apVouchers.size, 1);
    const stored = await deps.procurement.getInvoiceCase(caseId);
    assert.deepEqual([stored?.invoiceCase.status, stored?.invoiceCase.match?.lines[0]?.receivedBaseQuantity], ['PAID', 200]);
  });

  it('alerts when the clerk does not decide in time, keeps waiting, and ends when the clerk rejects', async () => {
    deps = freshDeps();
    await receive('RCV-1', 200);
    const caseId = await receiveInvoice(deps, glovesInvoice('INV-8004', [{ quantity: 2, uom: 'CS', unitPrice: 200 }]));
    const execution = start(caseId, 'clerk-overdue', { resolutionSeconds: 1, receiptSeconds: 1, retrySeconds: 1 });
    await eventually(() => deps.events.ofType('ProcurementAlertRaised').length > 0, 'the overdue alert');
    const [alert] = deps.events.ofType('ProcurementAlertRaised');
    assert.deepEqual([alert?.detail.alertType, alert?.detail.entity], ['INVOICE_RESOLUTION_OVERDUE', { kind: 'INVOICE', id: caseId }]);
    await eventually(waitingOn(resolutionWait(caseId, 0)), 'the wait registered again');
    await resolve(caseId, 'REJECT');
    await execution.result;
    assert.equal(deps.finance.apVouchers.size, 0);
    assert.equal((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.status, 'REJECTED');
  });

  it('alerts when the ERP stays down past the retries, pauses, and posts the voucher once it is back', async () => {
    deps = freshDeps();
    await receive('RCV-1', 200);
    const caseId = await receiveInvoice(deps, glovesInvoice('INV-8005', [{ quantity: 2, uom: 'CS', unitPrice: 120 }]));
    deps.erp.failNext(6);
    await start(caseId, 'erp-down', { resolutionSeconds: 60, receiptSeconds: 60, retrySeconds: 1 }).result;
    assert.deepEqual(deps.events.ofType('ProcurementAlertRaised').map((e) => e.detail.alertType), ['AP_VOUCHER_BLOCKED']);
    assert.equal(deps.erp.calls.filter((c) => c.method === 'createPayablesInvoice').length, 7);
    assert.equal(deps.finance.apVouchers.size, 1);
  });

});

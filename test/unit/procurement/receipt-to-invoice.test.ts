import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_CATALOG } from '../../../contracts/events';
import { ConflictError, DataError, NotFoundError, AuthorizationError, UpstreamUnavailableError } from '../../../functions/domain/errors';
import { receiptWait, resolutionWait } from '../../../functions/domain/use-cases/procurement/invoice-waits';
import {
  getInvoice,
  invoiceViewerFor,
  listInvoices,
  matchInvoice,
  raiseInvoiceAlert,
  resolveInvoice,
} from '../../../functions/domain/use-cases/procurement/invoices';
import { receiveAtDock, receiptLineBusinessKey } from '../../../functions/domain/use-cases/procurement/receipts';
import { processErpCommand } from '../../../functions/domain/use-cases/procurement/connectors';
import {
  postApVoucherToLedger,
  prepareApVoucher,
  recordApVoucher,
  type ApVoucherPostedOutcome,
} from '../../../functions/domain/use-cases/procurement/vouchers';
import {
  CORRELATION_ID,
  dockReceipt,
  glovesInvoice,
  PO_NUMBER,
  receiptInvoiceFakes,
  receiveInvoice,
  type ReceiptInvoiceFakes,
} from './receipt-invoice-fixtures';

const BUS = 'hem-test';
const DOCK = { actor: 'dock-nmc', causationId: 'req-1' };
const AP = { kind: 'AP' } as const;

/** 20 BX received as 120 EA then 80 EA. */
const receiveEverything = async (deps: ReceiptInvoiceFakes): Promise<void> => {
  await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 120, uom: 'EA' }]), DOCK);
  await receiveAtDock(deps, dockReceipt('RCV-2', [{ quantity: 80, uom: 'EA' }]), DOCK);
};

/** An invoice of 2 CS at 120.00 (= 20 BX at 12.00), or at `unitPrice` per CS. */
const invoiceOf2Cases = (invoiceNumber: string, unitPrice = 120): ReturnType<typeof glovesInvoice> =>
  glovesInvoice(invoiceNumber, [{ quantity: 2, uom: 'CS', unitPrice }]);

/**
 * What the receipt-to-invoice workflow does with a payable invoice, without its queues: PrepareApVoucher,
 * the ERP connector's CreatePayablesInvoice, the finance connector's PostApVoucher, RecordApVoucher.
 */
const postApVoucher = async (deps: ReceiptInvoiceFakes, caseId: string): Promise<ApVoucherPostedOutcome> => {
  const prepared = await prepareApVoucher(deps, { caseId });
  const erp = await processErpCommand(deps, { command: 'CreatePayablesInvoice', caseId, voucherId: prepared.voucherId, correlationId: prepared.correlationId });
  assert.equal(erp.command, 'CreatePayablesInvoice');
  const { journalId } = await postApVoucherToLedger(deps, prepared.voucher);
  return recordApVoucher(deps, { caseId, voucher: prepared.voucher, erpInvoiceId: erp.erpInvoiceId, journalId, eventBusName: BUS });
};

/** Every entry validates against the event catalog. */
const assertValidEntries = (entries: readonly { DetailType: string; Detail: Record<string, unknown> }[]): void => {
  for (const e of entries) EVENT_CATALOG[e.DetailType as keyof typeof EVENT_CATALOG].schema.parse(e.Detail);
};

describe('recordReceipt (dock)', () => {
  it('raises on hand and lowers on order at the PO location, once per receipt line, however often the receipt is sent', async () => {
    const deps = receiptInvoiceFakes();
    const first = await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 12, uom: 'BX' }]), DOCK);
    assert.equal(first.created, true);
    assert.equal(first.poStatus, 'PARTIALLY_RECEIVED');
    assert.equal(first.correlationId, CORRELATION_ID);
    assert.deepEqual(first.stock, [{ lineNumber: 1, itemId: 'ITM-10003', locationId: 'NMC-CATH', baseQuantity: 120, onHand: 370, onOrder: 80, applied: true }]);

    const again = await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 12, uom: 'BX' }]), DOCK);
    assert.equal(again.created, false);
    assert.equal(again.stock[0]?.applied, false);
    const position = await deps.inventory.getPosition('NMC-CATH', 'ITM-10003');
    assert.deepEqual([position?.onHand, position?.onOrder], [370, 80]);
    const movements = await deps.inventory.listMovements('NMC-CATH', 'ITM-10003', 10);
    assert.deepEqual(movements.map((m) => [m.businessKey, m.reason, m.delta]), [[receiptLineBusinessKey('RCV-1', 1), 'RECEIPT', 120]]);
    const po = await deps.procurement.getPurchaseOrder(PO_NUMBER);
    assert.deepEqual([po?.lines[0]?.receivedBaseQuantity, po?.receiptIds], [120, ['RCV-1']]);
  });

  it('publishes GoodsReceived and InventoryPositionChanged with the same keys on a resend, tells the ERP connector, audits once', async () => {
    const deps = receiptInvoiceFakes();
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 50, uom: 'EA' }]), DOCK);
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 50, uom: 'EA' }]), DOCK);
    const goods = deps.events.ofType('GoodsReceived');
    assert.equal(goods.length, 2);
    assert.equal(goods[0]?.detail.idempotencyKey, goods[1]?.detail.idempotencyKey);
    assert.equal(goods[0]?.detail.correlationId, CORRELATION_ID);
    EVENT_CATALOG.GoodsReceived.schema.parse(goods[0]?.detail);
    const changed = deps.events.ofType('InventoryPositionChanged');
    assert.deepEqual(changed.map((e) => [e.detail.reason, e.detail.delta, e.detail.onHand]), [['RECEIPT', 50, 300], ['RECEIPT', 50, 300]]);
    assert.deepEqual(deps.erpCommands.sent[0], { command: 'CreateReceipt', receiptId: 'RCV-1', poNumber: PO_NUMBER, correlationId: CORRELATION_ID });
    assert.deepEqual(deps.audit.actions().filter((a) => a === 'GoodsReceived'), ['GoodsReceived']);
    assert.deepEqual(deps.transactions.hops.filter((h) => h.hop === 'goods-received').map((h) => h.status), ['ok', 'skipped']);
  });

  it('answers a resend after the PO closed with the same receipt, and refuses a new receipt on the closed PO', async () => {
    const deps = receiptInvoiceFakes();
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 20, uom: 'BX' }]), DOCK);
    const stored = (await deps.procurement.getPurchaseOrder(PO_NUMBER))!;
    const { version, ...received } = stored;
    await deps.procurement.savePurchaseOrder({ ...received, status: 'CLOSED', closedAt: '2025-03-20T10:00:00.000Z' }, version);

    const again = await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 20, uom: 'BX' }]), DOCK);
    assert.deepEqual([again.created, again.poStatus, again.stock[0]?.applied], [false, 'CLOSED', false]);
    assert.deepEqual((await deps.inventory.getPosition('NMC-CATH', 'ITM-10003'))?.onHand, 450);
    await assert.rejects(receiveAtDock(deps, dockReceipt('RCV-2', [{ quantity: 1, uom: 'BX' }]), DOCK), ConflictError);
  });

  it('resumes the PO workflow waiting for a receipt', async () => {
    const deps = receiptInvoiceFakes();
    await deps.waits.register(PO_NUMBER, 'RECEIPT', 'token-po');
    const recorded = await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 1, uom: 'BX' }]), DOCK);
    assert.equal(recorded.purchaseOrderResumed, true);
    assert.deepEqual(deps.workflows.succeeded.map((s) => s.taskToken), ['token-po']);
  });

  it('refuses an over-receipt as a conflict and changes nothing', async () => {
    const deps = receiptInvoiceFakes();
    await assert.rejects(receiveAtDock(deps, dockReceipt('RCV-9', [{ quantity: 21, uom: 'BX' }]), DOCK), ConflictError);
    assert.equal(deps.procurement.receipts.size, 0);
    assert.equal((await deps.inventory.getPosition('NMC-CATH', 'ITM-10003'))?.onHand, 250);
    assert.equal(deps.erpCommands.sent.length, 0);
  });

  it('answers not found for an unknown PO and a data error for a unit the item does not have', async () => {
    const deps = receiptInvoiceFakes();
    await assert.rejects(receiveAtDock(deps, { ...dockReceipt('RCV-1', [{ quantity: 1, uom: 'BX' }]), poNumber: 'PO-NMC-99999999' }, DOCK), NotFoundError);
    await assert.rejects(receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 1, uom: 'PK' }]), DOCK), DataError);
  });

  it('refuses the same receipt id with other goods', async () => {
    const deps = receiptInvoiceFakes();
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 1, uom: 'BX' }]), DOCK);
    await assert.rejects(receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 2, uom: 'BX' }]), DOCK), ConflictError);
  });

  it('finishes on a resend what a failure left undone (the ERP command)', async () => {
    const deps = receiptInvoiceFakes();
    deps.erpCommands.failNext(new UpstreamUnavailableError('queue down'));
    await assert.rejects(receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 3, uom: 'BX' }]), DOCK), UpstreamUnavailableError);
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 3, uom: 'BX' }]), DOCK);
    assert.equal(deps.erpCommands.sent.length, 1);
    assert.equal((await deps.inventory.getPosition('NMC-CATH', 'ITM-10003'))?.onHand, 280);
  });
});

describe('matchInvoice', () => {
  it('matches an invoice in CS against partial receipts in EA on a BX line', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-1001'));
    const outcome = await matchInvoice(deps, { caseId, eventBusName: BUS });
    assert.deepEqual([outcome.status, outcome.next, outcome.reasons], ['MATCHED', 'POST_AP_VOUCHER', []]);
    assert.equal(outcome.wait, undefined);
    assert.deepEqual(outcome.entries.map((e) => [e.DetailType, e.EventBusName]), [['InvoiceMatched', BUS]]);
    assertValidEntries(outcome.entries);
    const stored = await deps.procurement.getInvoiceCase(caseId);
    assert.deepEqual([stored?.invoiceCase.status, stored?.invoiceCase.approvedAmount], ['MATCHED', 240]);
    assert.deepEqual(stored?.invoiceCase.match?.lines.map((l) => [l.invoicedBaseQuantity, l.receivedBaseQuantity]), [[200, 200]]);
    assert.ok(deps.transactions.hopNames(CORRELATION_ID).includes('invoice-matched'));
    assert.ok(deps.audit.actions().includes('InvoiceMatched'));
  });

  it('raises an exception for a price over tolerance and waits for an AP clerk on a key of its own', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-1002', 200));
    const outcome = await matchInvoice(deps, { caseId, eventBusName: BUS });
    assert.deepEqual([outcome.status, outcome.next, outcome.reasons], ['EXCEPTION', 'AWAIT_AP_CLERK', ['PRICE_VARIANCE']]);
    assert.deepEqual(outcome.wait, resolutionWait(caseId, 0));
    assert.deepEqual(outcome.entries.map((e) => e.DetailType), ['InvoiceExceptionRaised']);
    assertValidEntries(outcome.entries);
  });

  it('writes nothing when a re-run reaches the same verdict, and sends a matched case on to its voucher', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-1003', 200));
    await matchInvoice(deps, { caseId, eventBusName: BUS });
    const audited = deps.audit.records.length;
    const again = await matchInvoice(deps, { caseId, eventBusName: BUS });
    assert.equal(again.next, 'AWAIT_AP_CLERK');
    assert.equal(deps.audit.records.length, audited);
    assert.equal(deps.procurement.invoices.get(caseId)?.version, 2);
  });

  it('flags a duplicate of an accepted invoice', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const first = await receiveInvoice(deps, invoiceOf2Cases('INV-2001'));
    await matchInvoice(deps, { caseId: first, eventBusName: BUS });
    const rekeyed = await receiveInvoice(deps, invoiceOf2Cases('INV 2001'));
    const outcome = await matchInvoice(deps, { caseId: rekeyed, eventBusName: BUS });
    assert.ok(outcome.reasons.includes('DUPLICATE'));
  });
});

describe('resolveInvoice and the AP voucher (prepare, ERP, ledger, record)', () => {
  it('ACCEPT_VARIANCE makes the invoice payable, resumes the workflow, and it is vouchered once even if the decision is resent', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-3001', 200));
    const matched = await matchInvoice(deps, { caseId, eventBusName: BUS });
    await deps.waits.register(matched.wait!.entity, matched.wait!.awaited, 'token-clerk');

    const decision = { action: 'ACCEPT_VARIANCE' as const, clerk: 'ap.nguyen', note: 'price increase agreed by phone' };
    const resolved = await resolveInvoice(deps, AP, caseId, decision, { correlationId: 'req-9' });
    assert.deepEqual([resolved.invoice.status, resolved.next, resolved.replay, resolved.resumed], ['MATCHED', 'POST_AP_VOUCHER', false, true]);
    assert.deepEqual(deps.workflows.succeeded, [{ taskToken: 'token-clerk', output: { caseId, action: 'ACCEPT_VARIANCE', status: 'MATCHED', next: 'POST_AP_VOUCHER' } }]);
    assert.equal(deps.events.ofType('InvoiceMatched').length, 1);
    const resent = await resolveInvoice(deps, AP, caseId, decision, { correlationId: 'req-10' });
    assert.equal(resent.replay, true);
    assert.equal((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.decisions.length, 1);
    assert.deepEqual(deps.audit.actions().filter((a) => a === 'InvoiceVarianceAccepted'), ['InvoiceVarianceAccepted']);
    // The note is in the audit payload hash only: never in the case, an event or a hop.
    assert.equal(JSON.stringify([...deps.procurement.invoices.values(), deps.events.events, deps.transactions.hops]).includes('phone'), false);

    await deps.waits.register(PO_NUMBER, 'INVOICE_MATCHED', 'token-po');
    const posted = await postApVoucher(deps, caseId);
    const repeated = await postApVoucher(deps, caseId);
    assert.equal(posted.voucherId, 'APV|SUP-MEDLINE|INV-3001');
    assert.deepEqual([repeated.journalId, repeated.erpInvoiceId], [posted.journalId, posted.erpInvoiceId]);
    assert.equal(deps.finance.apVouchers.size, 1);
    assert.equal(deps.erp.payablesInvoices.size, 1);
    const voucher = deps.finance.apVouchers.get(posted.voucherId)?.voucher;
    assert.equal(voucher?.totalAmount, 400);
    assert.deepEqual(voucher?.lines.map((l) => [l.kind, l.costCenter, l.glAccount, l.amount]), [['MERCHANDISE', 'CC-NMC-CATH', '6100-200', 400]]);
    assert.equal((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.status, 'PAID');
    assert.equal(posted.purchaseOrderResumed, true);
    assert.deepEqual(deps.audit.actions().filter((a) => a === 'ApVoucherPosted'), ['ApVoucherPosted']);
    assertValidEntries(posted.entries);
    const po = await deps.procurement.getPurchaseOrder(PO_NUMBER);
    assert.deepEqual([po?.status, po?.lines[0]?.invoicedBaseQuantity], ['INVOICED', 200]);
  });

  it('REJECT ends the case; a later ACCEPT_VARIANCE is a conflict', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-3002', 200));
    await matchInvoice(deps, { caseId, eventBusName: BUS });
    const rejected = await resolveInvoice(deps, AP, caseId, { action: 'REJECT', clerk: 'ap.nguyen' }, { correlationId: 'r' });
    assert.deepEqual([rejected.invoice.status, rejected.next], ['REJECTED', 'NOTIFY_SUPPLIER_REJECTED']);
    await assert.rejects(resolveInvoice(deps, AP, caseId, { action: 'ACCEPT_VARIANCE', clerk: 'ap.nguyen' }, { correlationId: 'r' }), ConflictError);
    await assert.rejects(postApVoucher(deps, caseId), ConflictError);
    assert.equal((await matchInvoice(deps, { caseId, eventBusName: BUS })).next, 'DONE');
  });

  it('prepares the same voucher on every retry, without calling the ERP or the ledger', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-3003'));
    await matchInvoice(deps, { caseId, eventBusName: BUS });
    const first = await prepareApVoucher(deps, { caseId });
    deps.clock.advance(3 * 86_400_000);
    const later = await prepareApVoucher(deps, { caseId });
    assert.deepEqual(later, first, 'same voucher, id and posting date days later');
    assert.deepEqual([first.voucherId, first.poNumber, first.voucher.totalAmount], ['APV|SUP-MEDLINE|INV-3003', PO_NUMBER, 240]);
    assert.deepEqual([deps.erp.calls.length, deps.finance.calls], [0, 0]);
  });

  it('creates the ERP payables invoice keyed on the voucher id, once, and refuses a voucher id that is not the invoice\'s', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-3004'));
    await matchInvoice(deps, { caseId, eventBusName: BUS });
    const command = { command: 'CreatePayablesInvoice' as const, caseId, voucherId: 'APV|SUP-MEDLINE|INV-3004', correlationId: CORRELATION_ID };
    const created = await processErpCommand(deps, command);
    const again = await processErpCommand(deps, command);
    assert.deepEqual(again, created);
    assert.deepEqual([...deps.erp.payablesInvoices.keys()], ['APV|SUP-MEDLINE|INV-3004']);
    await assert.rejects(processErpCommand(deps, { ...command, voucherId: 'APV|SUP-MEDLINE|INV-0000' }), DataError);
    assert.equal(deps.erp.payablesInvoices.size, 1);
  });

  it('records a failed ledger post on the transaction and rethrows it for the connector', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-3005'));
    await matchInvoice(deps, { caseId, eventBusName: BUS });
    const { voucher } = await prepareApVoucher(deps, { caseId });
    deps.finance.script(new UpstreamUnavailableError('finance ledger unavailable'));
    await assert.rejects(postApVoucherToLedger(deps, voucher), UpstreamUnavailableError);
    assert.equal(deps.transactions.hopNames(voucher.correlationId).at(-1), 'connector-failed');
    assert.deepEqual(await postApVoucherToLedger(deps, voucher), { voucherId: voucher.voucherId, journalId: 'APJ-000001' });
    assert.equal(deps.finance.apVouchers.size, 1);
  });

  it('WAIT_FOR_RECEIPT: the invoice is matched again when the missing goods arrive', async () => {
    const deps = receiptInvoiceFakes();
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 120, uom: 'EA' }]), DOCK);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-4001'));
    const short = await matchInvoice(deps, { caseId, eventBusName: BUS });
    assert.deepEqual([short.reasons, short.next], [['QTY_NOT_RECEIVED'], 'AWAIT_AP_CLERK']);
    await resolveInvoice(deps, AP, caseId, { action: 'WAIT_FOR_RECEIPT', clerk: 'ap.nguyen' }, { correlationId: 'r' });

    const waiting = await matchInvoice(deps, { caseId, eventBusName: BUS });
    assert.deepEqual([waiting.next, waiting.wait], ['AWAIT_RECEIPT', receiptWait(caseId, 1)]);
    await deps.waits.register(waiting.wait!.entity, waiting.wait!.awaited, 'token-goods');

    const recorded = await receiveAtDock(deps, dockReceipt('RCV-2', [{ quantity: 8, uom: 'BX' }]), DOCK);
    assert.deepEqual(recorded.invoicesResumed, [caseId]);
    assert.ok(deps.workflows.succeeded.some((s) => s.taskToken === 'token-goods'));
    const rematched = await matchInvoice(deps, { caseId, eventBusName: BUS });
    assert.deepEqual([rematched.status, rematched.next], ['MATCHED', 'POST_AP_VOUCHER']);
  });

  it('asks the clerk again when, after waiting for goods, only a price is left', async () => {
    const deps = receiptInvoiceFakes();
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 120, uom: 'EA' }]), DOCK);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-4002', 200));
    await matchInvoice(deps, { caseId, eventBusName: BUS });
    await resolveInvoice(deps, AP, caseId, { action: 'WAIT_FOR_RECEIPT', clerk: 'ap.nguyen' }, { correlationId: 'r' });
    await receiveAtDock(deps, dockReceipt('RCV-2', [{ quantity: 80, uom: 'EA' }]), DOCK);
    const rematched = await matchInvoice(deps, { caseId, eventBusName: BUS });
    assert.deepEqual([rematched.reasons, rematched.next, rematched.wait], [['PRICE_VARIANCE'], 'AWAIT_AP_CLERK', resolutionWait(caseId, 1)]);
  });
});

describe('who sees which invoice', () => {
  it('lists exceptions for AP clerks; a supplier sees its own invoices only and cannot resolve', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-5001', 200));
    await matchInvoice(deps, { caseId, eventBusName: BUS });

    const exceptions = await listInvoices(deps, AP, { status: 'EXCEPTION', limit: 50 });
    assert.deepEqual(exceptions.map((i) => [i.invoiceId, i.reasons]), [[caseId, ['PRICE_VARIANCE']]]);
    const medline = await invoiceViewerFor(deps, 'supplier-medline');
    const cardinal = await invoiceViewerFor(deps, 'supplier-cardinal');
    assert.deepEqual(medline, { kind: 'SUPPLIER', supplierId: 'SUP-MEDLINE' });
    assert.equal((await getInvoice(deps, medline, caseId)).invoiceNumber, 'INV-5001');
    assert.equal((await getInvoice(deps, medline, caseId)).decisions, undefined);
    await assert.rejects(getInvoice(deps, cardinal, caseId), NotFoundError);
    assert.deepEqual(await listInvoices(deps, cardinal, { limit: 50 }), []);
    await assert.rejects(resolveInvoice(deps, medline, caseId, { action: 'ACCEPT_VARIANCE', clerk: 'x' }, { correlationId: 'r' }), AuthorizationError);
  });
});

describe('raiseInvoiceAlert', () => {
  it('alerts operators about the invoice (not a PO) with an error hop', async () => {
    const deps = receiptInvoiceFakes();
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-6001'));
    const raised = await raiseInvoiceAlert(deps, { caseId, reason: 'RESOLUTION', eventBusName: BUS });
    assert.deepEqual([raised.alertType, raised.severity], ['INVOICE_RESOLUTION_OVERDUE', 'WARNING']);
    assertValidEntries(raised.entries);
    assert.deepEqual(raised.entries[0]?.Detail.entity, { kind: 'INVOICE', id: caseId });
    assert.deepEqual(deps.transactions.hops.map((h) => [h.hop, h.status]), [['procurement-alert', 'error']]);
  });
});

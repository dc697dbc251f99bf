import { describe, expect, it } from '@jest/globals';
import { EVENT_CATALOG } from '../../../contracts/events';
import { SCOPES } from '../../../contracts/routes';
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
import { expectToBe } from '../../support/expect-narrowing';
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
  expectToBe(erp.command, 'CreatePayablesInvoice');
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
    expect(first.created).toBe(true);
    expect(first.poStatus).toBe('PARTIALLY_RECEIVED');
    expect(first.correlationId).toBe(CORRELATION_ID);
    expect(first.stock).toStrictEqual([{ lineNumber: 1, itemId: 'ITM-10003', locationId: 'NMC-CATH', baseQuantity: 120, onHand: 370, onOrder: 80, applied: true }]);

    const again = await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 12, uom: 'BX' }]), DOCK);
    expect(again.created).toBe(false);
    expect(again.stock[0]?.applied).toBe(false);
    const position = await deps.inventory.getPosition('NMC-CATH', 'ITM-10003');
    expect([position?.onHand, position?.onOrder]).toStrictEqual([370, 80]);
    const movements = await deps.inventory.listMovements('NMC-CATH', 'ITM-10003', 10);
    expect(movements.map((m) => [m.businessKey, m.reason, m.delta])).toStrictEqual([[receiptLineBusinessKey('RCV-1', 1), 'RECEIPT', 120]]);
    const po = await deps.procurement.getPurchaseOrder(PO_NUMBER);
    expect([po?.lines[0]?.receivedBaseQuantity, po?.receiptIds]).toStrictEqual([120, ['RCV-1']]);
  });

  it('publishes GoodsReceived and InventoryPositionChanged with the same keys on a resend, tells the ERP connector, audits once', async () => {
    const deps = receiptInvoiceFakes();
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 50, uom: 'EA' }]), DOCK);
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 50, uom: 'EA' }]), DOCK);
    const goods = deps.events.ofType('GoodsReceived');
    expect(goods.length).toBe(2);
    expect(goods[0]?.detail.idempotencyKey).toBe(goods[1]?.detail.idempotencyKey);
    expect(goods[0]?.detail.correlationId).toBe(CORRELATION_ID);
    EVENT_CATALOG.GoodsReceived.schema.parse(goods[0]?.detail);
    const changed = deps.events.ofType('InventoryPositionChanged');
    expect(changed.map((e) => [e.detail.reason, e.detail.delta, e.detail.onHand])).toStrictEqual([['RECEIPT', 50, 300], ['RECEIPT', 50, 300]]);
    expect(deps.erpCommands.sent[0]).toStrictEqual({ command: 'CreateReceipt', receiptId: 'RCV-1', poNumber: PO_NUMBER, correlationId: CORRELATION_ID });
    expect(deps.audit.actions().filter((a) => a === 'GoodsReceived')).toStrictEqual(['GoodsReceived']);
    expect(deps.transactions.hops.filter((h) => h.hop === 'goods-received').map((h) => h.status)).toStrictEqual(['ok', 'skipped']);
  });

  it('answers a resend after the PO closed with the same receipt, and refuses a new receipt on the closed PO', async () => {
    const deps = receiptInvoiceFakes();
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 20, uom: 'BX' }]), DOCK);
    const stored = (await deps.procurement.getPurchaseOrder(PO_NUMBER))!;
    const { version, ...received } = stored;
    await deps.procurement.savePurchaseOrder({ ...received, status: 'CLOSED', closedAt: '2025-03-20T10:00:00.000Z' }, version);

    const again = await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 20, uom: 'BX' }]), DOCK);
    expect([again.created, again.poStatus, again.stock[0]?.applied]).toStrictEqual([false, 'CLOSED', false]);
    expect((await deps.inventory.getPosition('NMC-CATH', 'ITM-10003'))?.onHand).toStrictEqual(450);
    await expect(receiveAtDock(deps, dockReceipt('RCV-2', [{ quantity: 1, uom: 'BX' }]), DOCK)).rejects.toThrow(ConflictError);
  });

  it('resumes the PO workflow waiting for a receipt', async () => {
    const deps = receiptInvoiceFakes();
    await deps.waits.register(PO_NUMBER, 'RECEIPT', 'token-po');
    const recorded = await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 1, uom: 'BX' }]), DOCK);
    expect(recorded.purchaseOrderResumed).toBe(true);
    expect(deps.workflows.succeeded.map((s) => s.taskToken)).toStrictEqual(['token-po']);
  });

  it('refuses an over-receipt as a conflict and changes nothing', async () => {
    const deps = receiptInvoiceFakes();
    await expect(receiveAtDock(deps, dockReceipt('RCV-9', [{ quantity: 21, uom: 'BX' }]), DOCK)).rejects.toThrow(ConflictError);
    expect(deps.procurement.receipts.size).toBe(0);
    expect((await deps.inventory.getPosition('NMC-CATH', 'ITM-10003'))?.onHand).toBe(250);
    expect(deps.erpCommands.sent.length).toBe(0);
  });

  it('answers not found for an unknown PO and a data error for a unit the item does not have', async () => {
    const deps = receiptInvoiceFakes();
    await expect(receiveAtDock(deps, { ...dockReceipt('RCV-1', [{ quantity: 1, uom: 'BX' }]), poNumber: 'PO-NMC-99999999' }, DOCK)).rejects.toThrow(NotFoundError);
    await expect(receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 1, uom: 'PK' }]), DOCK)).rejects.toThrow(DataError);
  });

  it('refuses the same receipt id with other goods', async () => {
    const deps = receiptInvoiceFakes();
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 1, uom: 'BX' }]), DOCK);
    await expect(receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 2, uom: 'BX' }]), DOCK)).rejects.toThrow(ConflictError);
  });

  it('finishes on a resend what a failure left undone (the ERP command)', async () => {
    const deps = receiptInvoiceFakes();
    deps.erpCommands.failNext(new UpstreamUnavailableError('queue down'));
    await expect(receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 3, uom: 'BX' }]), DOCK)).rejects.toThrow(UpstreamUnavailableError);
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 3, uom: 'BX' }]), DOCK);
    expect(deps.erpCommands.sent.length).toBe(1);
    expect((await deps.inventory.getPosition('NMC-CATH', 'ITM-10003'))?.onHand).toBe(280);
  });
});

describe('matchInvoice', () => {
  it('matches an invoice in CS against partial receipts in EA on a BX line', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-1001'));
    const outcome = await matchInvoice(deps, { caseId, eventBusName: BUS });
    expect([outcome.status, outcome.next, outcome.reasons]).toStrictEqual(['MATCHED', 'POST_AP_VOUCHER', []]);
    expect(outcome.wait).toBe(undefined);
    expect(outcome.entries.map((e) => [e.DetailType, e.EventBusName])).toStrictEqual([['InvoiceMatched', BUS]]);
    assertValidEntries(outcome.entries);
    const stored = await deps.procurement.getInvoiceCase(caseId);
    expect([stored?.invoiceCase.status, stored?.invoiceCase.approvedAmount]).toStrictEqual(['MATCHED', 240]);
    expect(stored?.invoiceCase.match?.lines.map((l) => [l.invoicedBaseQuantity, l.receivedBaseQuantity])).toStrictEqual([[200, 200]]);
    expect(deps.transactions.hopNames(CORRELATION_ID).includes('invoice-matched')).toBeTruthy();
    expect(deps.audit.actions().includes('InvoiceMatched')).toBeTruthy();
  });

  it('raises an exception for a price over tolerance and waits for an AP clerk on a key of its own', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-1002', 200));
    const outcome = await matchInvoice(deps, { caseId, eventBusName: BUS });
    expect([outcome.status, outcome.next, outcome.reasons]).toStrictEqual(['EXCEPTION', 'AWAIT_AP_CLERK', ['PRICE_VARIANCE']]);
    expect(outcome.wait).toStrictEqual(resolutionWait(caseId, 0));
    expect(outcome.entries.map((e) => e.DetailType)).toStrictEqual(['InvoiceExceptionRaised']);
    assertValidEntries(outcome.entries);
  });

  it('writes nothing when a re-run reaches the same verdict, and sends a matched case on to its voucher', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-1003', 200));
    await matchInvoice(deps, { caseId, eventBusName: BUS });
    const audited = deps.audit.records.length;
    const again = await matchInvoice(deps, { caseId, eventBusName: BUS });
    expect(again.next).toBe('AWAIT_AP_CLERK');
    expect(deps.audit.records.length).toBe(audited);
    expect(deps.procurement.invoices.get(caseId)?.version).toBe(2);
  });

  it('flags a duplicate of an accepted invoice', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const first = await receiveInvoice(deps, invoiceOf2Cases('INV-2001'));
    await matchInvoice(deps, { caseId: first, eventBusName: BUS });
    const rekeyed = await receiveInvoice(deps, invoiceOf2Cases('INV 2001'));
    const outcome = await matchInvoice(deps, { caseId: rekeyed, eventBusName: BUS });
    expect(outcome.reasons.includes('DUPLICATE')).toBeTruthy();
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
    const resolved = await resolveInvoice(deps, AP, caseId, decision, { correlationId: 'req-9', actor: 'ap-clerk' });
    expect([resolved.invoice.status, resolved.next, resolved.replay, resolved.resumed]).toStrictEqual(['MATCHED', 'POST_AP_VOUCHER', false, true]);
    expect(deps.workflows.succeeded).toStrictEqual([{ taskToken: 'token-clerk', output: { caseId, action: 'ACCEPT_VARIANCE', status: 'MATCHED', next: 'POST_AP_VOUCHER' } }]);
    expect(deps.events.ofType('InvoiceMatched').length).toBe(1);
    const resent = await resolveInvoice(deps, AP, caseId, decision, { correlationId: 'req-10', actor: 'ap-clerk' });
    expect(resent.replay).toBe(true);
    expect((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.decisions.length).toBe(1);
    expect(deps.audit.actions().filter((a) => a === 'InvoiceVarianceAccepted')).toStrictEqual(['InvoiceVarianceAccepted']);
    // The note is in the audit payload hash only: never in the case, an event or a hop.
    expect(JSON.stringify([...deps.procurement.invoices.values(), deps.events.events, deps.transactions.hops]).includes('phone')).toBe(false);

    await deps.waits.register(PO_NUMBER, 'INVOICE_MATCHED', 'token-po');
    const posted = await postApVoucher(deps, caseId);
    const repeated = await postApVoucher(deps, caseId);
    expect(posted.voucherId).toBe('APV|SUP-MEDLINE|INV-3001');
    expect([repeated.journalId, repeated.erpInvoiceId]).toStrictEqual([posted.journalId, posted.erpInvoiceId]);
    expect(deps.finance.apVouchers.size).toBe(1);
    expect(deps.erp.payablesInvoices.size).toBe(1);
    const voucher = deps.finance.apVouchers.get(posted.voucherId)?.voucher;
    expect(voucher?.totalAmount).toBe(400);
    expect(voucher?.lines.map((l) => [l.kind, l.costCenter, l.glAccount, l.amount])).toStrictEqual([['MERCHANDISE', 'CC-NMC-CATH', '6100-200', 400]]);
    expect((await deps.procurement.getInvoiceCase(caseId))?.invoiceCase.status).toBe('PAID');
    expect(posted.purchaseOrderResumed).toBe(true);
    expect(deps.audit.actions().filter((a) => a === 'ApVoucherPosted')).toStrictEqual(['ApVoucherPosted']);
    assertValidEntries(posted.entries);
    const po = await deps.procurement.getPurchaseOrder(PO_NUMBER);
    expect([po?.status, po?.lines[0]?.invoicedBaseQuantity]).toStrictEqual(['INVOICED', 200]);
  });

  it('REJECT ends the case; a later ACCEPT_VARIANCE is a conflict', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-3002', 200));
    await matchInvoice(deps, { caseId, eventBusName: BUS });
    const rejected = await resolveInvoice(deps, AP, caseId, { action: 'REJECT', clerk: 'ap.nguyen' }, { correlationId: 'r', actor: 'ap-clerk' });
    expect([rejected.invoice.status, rejected.next]).toStrictEqual(['REJECTED', 'NOTIFY_SUPPLIER_REJECTED']);
    await expect(resolveInvoice(deps, AP, caseId, { action: 'ACCEPT_VARIANCE', clerk: 'ap.nguyen' }, { correlationId: 'r', actor: 'ap-clerk' })).rejects.toThrow(ConflictError);
    await expect(postApVoucher(deps, caseId)).rejects.toThrow(ConflictError);
    expect((await matchInvoice(deps, { caseId, eventBusName: BUS })).next).toBe('DONE');
  });

  it('prepares the same voucher on every retry, without calling the ERP or the ledger', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-3003'));
    await matchInvoice(deps, { caseId, eventBusName: BUS });
    const first = await prepareApVoucher(deps, { caseId });
    deps.clock.advance(3 * 86_400_000);
    const later = await prepareApVoucher(deps, { caseId });
    expect(later).toStrictEqual(first);
    expect([first.voucherId, first.poNumber, first.voucher.totalAmount]).toStrictEqual(['APV|SUP-MEDLINE|INV-3003', PO_NUMBER, 240]);
    expect([deps.erp.calls.length, deps.finance.calls]).toStrictEqual([0, 0]);
  });

  it('creates the ERP payables invoice keyed on the voucher id, once, and refuses a voucher id that is not the invoice\'s', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-3004'));
    await matchInvoice(deps, { caseId, eventBusName: BUS });
    const command = { command: 'CreatePayablesInvoice' as const, caseId, voucherId: 'APV|SUP-MEDLINE|INV-3004', correlationId: CORRELATION_ID };
    const created = await processErpCommand(deps, command);
    const again = await processErpCommand(deps, command);
    expect(again).toStrictEqual(created);
    expect([...deps.erp.payablesInvoices.keys()]).toStrictEqual(['APV|SUP-MEDLINE|INV-3004']);
    await expect(processErpCommand(deps, { ...command, voucherId: 'APV|SUP-MEDLINE|INV-0000' })).rejects.toThrow(DataError);
    expect(deps.erp.payablesInvoices.size).toBe(1);
  });

  it('records a failed ledger post on the transaction and rethrows it for the connector', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-3005'));
    await matchInvoice(deps, { caseId, eventBusName: BUS });
    const { voucher } = await prepareApVoucher(deps, { caseId });
    deps.finance.script(new UpstreamUnavailableError('finance ledger unavailable'));
    await expect(postApVoucherToLedger(deps, voucher)).rejects.toThrow(UpstreamUnavailableError);
    expect(deps.transactions.hopNames(voucher.correlationId).at(-1)).toBe('connector-failed');
    expect(await postApVoucherToLedger(deps, voucher)).toStrictEqual({ voucherId: voucher.voucherId, journalId: 'APJ-000001' });
    expect(deps.finance.apVouchers.size).toBe(1);
  });

  it('WAIT_FOR_RECEIPT: the invoice is matched again when the missing goods arrive', async () => {
    const deps = receiptInvoiceFakes();
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 120, uom: 'EA' }]), DOCK);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-4001'));
    const short = await matchInvoice(deps, { caseId, eventBusName: BUS });
    expect([short.reasons, short.next]).toStrictEqual([['QTY_NOT_RECEIVED'], 'AWAIT_AP_CLERK']);
    await resolveInvoice(deps, AP, caseId, { action: 'WAIT_FOR_RECEIPT', clerk: 'ap.nguyen' }, { correlationId: 'r', actor: 'ap-clerk' });

    const waiting = await matchInvoice(deps, { caseId, eventBusName: BUS });
    expect([waiting.next, waiting.wait]).toStrictEqual(['AWAIT_RECEIPT', receiptWait(caseId, 1)]);
    await deps.waits.register(waiting.wait!.entity, waiting.wait!.awaited, 'token-goods');

    const recorded = await receiveAtDock(deps, dockReceipt('RCV-2', [{ quantity: 8, uom: 'BX' }]), DOCK);
    expect(recorded.invoicesResumed).toStrictEqual([caseId]);
    expect(deps.workflows.succeeded.some((s) => s.taskToken === 'token-goods')).toBeTruthy();
    const rematched = await matchInvoice(deps, { caseId, eventBusName: BUS });
    expect([rematched.status, rematched.next]).toStrictEqual(['MATCHED', 'POST_AP_VOUCHER']);
  });

  it('asks the clerk again when, after waiting for goods, only a price is left', async () => {
    const deps = receiptInvoiceFakes();
    await receiveAtDock(deps, dockReceipt('RCV-1', [{ quantity: 120, uom: 'EA' }]), DOCK);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-4002', 200));
    await matchInvoice(deps, { caseId, eventBusName: BUS });
    await resolveInvoice(deps, AP, caseId, { action: 'WAIT_FOR_RECEIPT', clerk: 'ap.nguyen' }, { correlationId: 'r', actor: 'ap-clerk' });
    await receiveAtDock(deps, dockReceipt('RCV-2', [{ quantity: 80, uom: 'EA' }]), DOCK);
    const rematched = await matchInvoice(deps, { caseId, eventBusName: BUS });
    expect([rematched.reasons, rematched.next, rematched.wait]).toStrictEqual([['PRICE_VARIANCE'], 'AWAIT_AP_CLERK', resolutionWait(caseId, 1)]);
  });
});

describe('who sees which invoice', () => {
  it('lists exceptions for AP clerks; a supplier sees its own invoices only and cannot resolve', async () => {
    const deps = receiptInvoiceFakes();
    await receiveEverything(deps);
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-5001', 200));
    await matchInvoice(deps, { caseId, eventBusName: BUS });

    const exceptions = await listInvoices(deps, AP, { status: 'EXCEPTION', limit: 50 });
    expect(exceptions.map((i) => [i.invoiceId, i.reasons])).toStrictEqual([[caseId, ['PRICE_VARIANCE']]]);
    const medline = await invoiceViewerFor(deps, { clientId: 'supplier-medline', scopes: [SCOPES.invoiceRead] });
    const cardinal = await invoiceViewerFor(deps, { clientId: 'supplier-cardinal', scopes: [SCOPES.invoiceRead] });
    expect(medline).toStrictEqual({ kind: 'SUPPLIER', supplierId: 'SUP-MEDLINE' });
    expect((await getInvoice(deps, medline, caseId)).invoiceNumber).toBe('INV-5001');
    expect((await getInvoice(deps, medline, caseId)).decisions).toBe(undefined);
    await expect(getInvoice(deps, cardinal, caseId)).rejects.toThrow(NotFoundError);
    expect(await listInvoices(deps, cardinal, { limit: 50 })).toStrictEqual([]);
    await expect(resolveInvoice(deps, medline, caseId, { action: 'ACCEPT_VARIANCE', clerk: 'x' }, { correlationId: 'r', actor: 'ap-clerk' })).rejects.toThrow(AuthorizationError);
  });
});

describe('raiseInvoiceAlert', () => {
  it('alerts operators about the invoice (not a PO) with an error hop', async () => {
    const deps = receiptInvoiceFakes();
    const caseId = await receiveInvoice(deps, invoiceOf2Cases('INV-6001'));
    const raised = await raiseInvoiceAlert(deps, { caseId, reason: 'RESOLUTION', eventBusName: BUS });
    expect([raised.alertType, raised.severity]).toStrictEqual(['INVOICE_RESOLUTION_OVERDUE', 'WARNING']);
    assertValidEntries(raised.entries);
    expect(raised.entries[0]?.Detail.entity).toStrictEqual({ kind: 'INVOICE', id: caseId });
    expect(deps.transactions.hops.map((h) => [h.hop, h.status])).toStrictEqual([['procurement-alert', 'error']]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvoiceCaseSchema, type InvoiceCase } from '../../../contracts/procurement';
import { ConflictError, DataError } from '../../../functions/domain/errors';
import {
  invoiceCaseIdFor,
  markPaid,
  openInvoiceCase,
  recordMatch,
  resolveException,
  shouldRematchOnReceipt,
} from '../../../functions/domain/procurement/invoice-case';
import { threeWayMatch } from '../../../functions/domain/procurement/match';
import { NOW, TODAY, control, conversions, invoice, receipt, standardPo, tolerances } from './fixtures';

const later = new Date('2025-03-18T10:00:00.000Z');
const gauzeInvoice = invoice('INV-7001', [{ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 }], { control: control(30) });
const open = (): InvoiceCase => openInvoiceCase(gauzeInvoice, { caseId: invoiceCaseIdFor(gauzeInvoice), correlationId: 'corr-inv-1' }, NOW);
const matchWith = (receipts: ReturnType<typeof receipt>[], inv = gauzeInvoice): ReturnType<typeof threeWayMatch> =>
  threeWayMatch({ po: standardPo(), receipts, invoice: inv, priorInvoices: [], tolerances, conversions, today: TODAY });

const partlyReceived = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 3, uom: 'BX' }])];
const inException = (): InvoiceCase => recordMatch(open(), matchWith(partlyReceived), NOW).invoiceCase;

describe('invoice cases', () => {
  it('opens a case per invoice document, keyed on supplier, number and 810 control numbers', () => {
    const c = open();
    assert.equal(c.caseId, 'SUP-MEDLINE|INV-7001|000000030|0030');
    assert.equal(c.status, 'OPEN');
    assert.equal(InvoiceCaseSchema.safeParse(c).success, true);
    const { control: _c, ...noControl } = gauzeInvoice;
    assert.equal(invoiceCaseIdFor(noControl), 'SUP-MEDLINE|INV-7001|2025-03-17');
  });

  it('records a match: MATCHED goes on to the AP voucher', () => {
    const change = recordMatch(open(), matchWith([receipt('RCV-1', [{ poLineNumber: 1, quantity: 6, uom: 'BX' }])]), NOW);
    assert.deepEqual([change.invoiceCase.status, change.invoiceCase.approvedAmount, change.next], ['MATCHED', 27, 'POST_AP_VOUCHER']);
    assert.equal(change.audit.action, 'InvoiceMatched');
  });

  it('records an exception for AP clerks with its reasons', () => {
    const change = recordMatch(open(), matchWith(partlyReceived), NOW);
    assert.deepEqual([change.invoiceCase.status, change.invoiceCase.reasons, change.next], ['EXCEPTION', ['QTY_NOT_RECEIVED'], 'AWAIT_AP_CLERK']);
    assert.equal(change.audit.action, 'InvoiceExceptionRaised');
  });

  it('refuses another invoice’s match and a match on a decided case', () => {
    const other = matchWith(partlyReceived, { ...gauzeInvoice, invoiceNumber: 'INV-7002' });
    assert.throws(() => recordMatch(open(), other, NOW), DataError);
    const paid = { ...open(), status: 'PAID' as const };
    assert.throws(() => recordMatch(paid, matchWith(partlyReceived), NOW), ConflictError);
  });
});

describe('resolving invoice exceptions', () => {
  it('ACCEPT_VARIANCE makes the case MATCHED with the invoice amount approved and the accepted reasons on record', () => {
    const change = resolveException(inException(), { action: 'ACCEPT_VARIANCE', clerk: 'ap.nguyen', note: 'short-shipped, credit agreed' }, later);
    const c = change.invoiceCase;
    assert.deepEqual([c.status, c.approvedAmount, c.reasons, change.next], ['MATCHED', 27, [], 'POST_AP_VOUCHER']);
    assert.deepEqual([c.match?.status, c.match?.approvedAmount, c.match?.acceptedReasons], ['MATCHED', 27, ['QTY_NOT_RECEIVED']]);
    assert.deepEqual(c.decisions, [{ action: 'ACCEPT_VARIANCE', clerk: 'ap.nguyen', at: later.toISOString(), reasons: ['QTY_NOT_RECEIVED'] }]);
  });

  it('audits every decision with the clerk as actor, and keeps the note out of the case', () => {
    const change = resolveException(inException(), { action: 'REJECT', clerk: 'ap.nguyen', note: 'call vendor rep' }, later);
    assert.deepEqual([change.audit.actor, change.audit.action, change.audit.entity], ['ap.nguyen', 'InvoiceRejected', `invoice:${open().caseId}`]);
    assert.equal((change.audit.payload as { note?: string }).note, 'call vendor rep');
    assert.equal(JSON.stringify(change.invoiceCase).includes('vendor rep'), false);
  });

  it('REJECT makes the case REJECTED and tells the supplier', () => {
    const change = resolveException(inException(), { action: 'REJECT', clerk: 'ap.nguyen' }, later);
    assert.deepEqual([change.invoiceCase.status, change.invoiceCase.approvedAmount, change.next], ['REJECTED', 0, 'NOTIFY_SUPPLIER_REJECTED']);
  });

  it('WAIT_FOR_RECEIPT keeps the exception and rematches when the next receipt for the PO arrives', () => {
    const waiting = resolveException(inException(), { action: 'WAIT_FOR_RECEIPT', clerk: 'ap.nguyen' }, later);
    assert.deepEqual([waiting.invoiceCase.status, waiting.invoiceCase.waitingForReceipt, waiting.next], ['EXCEPTION', true, 'REMATCH_ON_NEXT_RECEIPT']);
    assert.equal(shouldRematchOnReceipt(waiting.invoiceCase, { poNumber: 'PO-NMC-00000001' }), true);
    assert.equal(shouldRematchOnReceipt(waiting.invoiceCase, { poNumber: 'PO-NMC-00000002' }), false);
    const stillShort = recordMatch(waiting.invoiceCase, matchWith(partlyReceived), later);
    assert.equal(stillShort.next, 'REMATCH_ON_NEXT_RECEIPT');
    const arrived = recordMatch(waiting.invoiceCase, matchWith([...partlyReceived, receipt('RCV-2', [{ poLineNumber: 1, quantity: 30, uom: 'EA' }])]), later);
    assert.deepEqual([arrived.invoiceCase.status, arrived.invoiceCase.waitingForReceipt, arrived.next], ['MATCHED', false, 'POST_AP_VOUCHER']);
  });

  it('refuses WAIT_FOR_RECEIPT when no goods are missing, and ACCEPT_VARIANCE for an invoice that cannot be paid on the PO', () => {
    const overpriced = { ...gauzeInvoice, lines: [{ ...gauzeInvoice.lines[0]!, unitPrice: 6, amount: 36 }], totalAmount: 36 };
    const priced = recordMatch(open(), matchWith([receipt('RCV-1', [{ poLineNumber: 1, quantity: 6, uom: 'BX' }])], overpriced), NOW);
    assert.deepEqual(priced.invoiceCase.reasons, ['PRICE_VARIANCE']);
    assert.throws(() => resolveException(priced.invoiceCase, { action: 'WAIT_FOR_RECEIPT', clerk: 'ap.nguyen' }, later), ConflictError);
    const noPo = recordMatch(open(), threeWayMatch({ receipts: [], invoice: gauzeInvoice, priorInvoices: [], tolerances, conversions, today: TODAY }), NOW);
    assert.throws(() => resolveException(noPo.invoiceCase, { action: 'ACCEPT_VARIANCE', clerk: 'ap.nguyen' }, later), ConflictError);
    assert.equal(resolveException(noPo.invoiceCase, { action: 'REJECT', clerk: 'ap.nguyen' }, later).invoiceCase.status, 'REJECTED');
  });

  it('raises ConflictError when resolving a case that is not in exception', () => {
    const rejected = resolveException(inException(), { action: 'REJECT', clerk: 'ap.nguyen' }, later).invoiceCase;
    assert.throws(() => resolveException(rejected, { action: 'ACCEPT_VARIANCE', clerk: 'ap.lopez' }, later), ConflictError);
    assert.throws(() => resolveException(open(), { action: 'REJECT', clerk: 'ap.lopez' }, later), ConflictError);
  });

  it('marks a matched case PAID once, and refuses to pay an unmatched one', () => {
    const matched = resolveException(inException(), { action: 'ACCEPT_VARIANCE', clerk: 'ap.nguyen' }, later).invoiceCase;
    const paid = markPaid(matched, later);
    assert.equal(paid.status, 'PAID');
    assert.equal(markPaid(paid, later), paid);
    assert.throws(() => markPaid(inException(), later), ConflictError);
  });
});

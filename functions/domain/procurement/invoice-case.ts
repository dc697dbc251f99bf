/**
 * An invoice's case in accounts payable (pure): opened when the 810 arrives, MATCHED or EXCEPTION
 * after the three-way match, resolved by an AP clerk (accept the variance, reject, or wait for the
 * goods), PAID once the voucher is posted. Every change yields the audit entry to append; clerk notes
 * live only in that entry's payload (which the audit log hashes and never stores), never in the case.
 */
import type { Invoice, InvoiceCase, InvoiceResolution, MatchReason, MatchResult, Receipt } from '../../../contracts/procurement';
import { ConflictError, DataError } from '../errors';
import type { AuditEntry } from '../ports';

/** The actor recorded for automatic matches. */
export const MATCH_ACTOR = 'hem:three-way-match';

/** What the workflow does next with the case. */
export type InvoiceNextStep = 'POST_AP_VOUCHER' | 'AWAIT_AP_CLERK' | 'REMATCH_ON_NEXT_RECEIPT' | 'NOTIFY_SUPPLIER_REJECTED';

/** A case after a change, what happens next, and the audit entry recording it. */
export interface InvoiceCaseChange {
  invoiceCase: InvoiceCase;
  next: InvoiceNextStep;
  audit: AuditEntry;
}

/**
 * Reasons a clerk cannot accept as a variance: the invoice cannot be paid against this PO at all
 * (no PO, a line that is not on it, a unit nobody can convert, another supplier or currency). The
 * clerk rejects it, or fixes the reference data and the invoice is matched again.
 */
export const REASONS_NOT_ACCEPTABLE: readonly MatchReason[] = ['NO_PO', 'NO_PO_LINE', 'UOM_MISMATCH', 'SUPPLIER_MISMATCH', 'CURRENCY_MISMATCH'];

/**
 * Quantity reasons no acceptance can pay past: accepting a variance accepts a price (or charge)
 * difference only, never goods that were not received or that another invoice already bills. The
 * clerk waits for the goods (WAIT_FOR_RECEIPT) or rejects the invoice.
 */
export const QUANTITY_REASONS: readonly MatchReason[] = ['QTY_NOT_RECEIVED', 'QTY_OVER_ORDERED'];

/**
 * The case id of one received invoice document: supplier + invoice number + the 810's interchange
 * and transaction set control numbers (else its date), so a re-keyed duplicate gets its own case
 * (and its DUPLICATE exception) while a redelivered 810 maps to the same one.
 */
export const invoiceCaseIdFor = (invoice: Pick<Invoice, 'supplierId' | 'invoiceNumber' | 'invoiceDate' | 'control'>): string =>
  invoice.control === undefined
    ? `${invoice.supplierId}|${invoice.invoiceNumber}|${invoice.invoiceDate}`
    : `${invoice.supplierId}|${invoice.invoiceNumber}|${invoice.control.interchange}|${invoice.control.transactionSet}`;

/** A new case for a received invoice: OPEN until matched. */
export const openInvoiceCase = (invoice: Invoice, ids: { caseId: string; correlationId: string }, now: Date): InvoiceCase => ({
  caseId: ids.caseId,
  invoiceNumber: invoice.invoiceNumber,
  supplierId: invoice.supplierId,
  ...(invoice.poNumber === undefined ? {} : { poNumber: invoice.poNumber }),
  invoiceDate: invoice.invoiceDate,
  currency: invoice.currency,
  invoiceAmount: invoice.totalAmount,
  status: 'OPEN',
  reasons: [],
  approvedAmount: 0,
  waitingForReceipt: false,
  decisions: [],
  correlationId: ids.correlationId,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
});

const entityOf = (c: InvoiceCase): string => `invoice:${c.caseId}`;

/**
 * Record a (re)match: OPEN or EXCEPTION → MATCHED (next: post the voucher) or EXCEPTION (next: wait
 * for a clerk, or for the next receipt when a clerk chose to wait).
 *
 * @throws DataError when the result is another invoice's.
 * @throws ConflictError when the case is already MATCHED, REJECTED or PAID.
 */
export const recordMatch = (invoiceCase: InvoiceCase, result: MatchResult, now: Date): InvoiceCaseChange => {
  if (result.invoiceNumber !== invoiceCase.invoiceNumber || result.supplierId !== invoiceCase.supplierId) {
    throw new DataError(`match of invoice ${result.invoiceNumber} recorded on case ${invoiceCase.caseId}`, {
      details: { caseId: invoiceCase.caseId },
    });
  }
  if (invoiceCase.status !== 'OPEN' && invoiceCase.status !== 'EXCEPTION') {
    throw new ConflictError(`invoice case ${invoiceCase.caseId} is already ${invoiceCase.status}`, {
      details: { caseId: invoiceCase.caseId, status: invoiceCase.status },
    });
  }
  const matched = result.status === 'MATCHED';
  const waitingForReceipt = !matched && invoiceCase.waitingForReceipt;
  const at = now.toISOString();
  return {
    invoiceCase: {
      ...invoiceCase,
      status: matched ? 'MATCHED' : 'EXCEPTION',
      reasons: matched ? [] : result.reasons,
      approvedAmount: result.approvedAmount,
      match: result,
      waitingForReceipt,
      updatedAt: at,
    },
    next: matched ? 'POST_AP_VOUCHER' : waitingForReceipt ? 'REMATCH_ON_NEXT_RECEIPT' : 'AWAIT_AP_CLERK',
    audit: {
      actor: MATCH_ACTOR,
      action: matched ? 'InvoiceMatched' : 'InvoiceExceptionRaised',
      entity: entityOf(invoiceCase),
      correlationId: invoiceCase.correlationId,
      payload: { caseId: invoiceCase.caseId, status: result.status, reasons: result.reasons, approvedAmount: result.approvedAmount, at },
    },
  };
};

const AUDIT_ACTIONS: Record<InvoiceResolution['action'], string> = {
  ACCEPT_VARIANCE: 'InvoiceVarianceAccepted',
  REJECT: 'InvoiceRejected',
  WAIT_FOR_RECEIPT: 'InvoiceAwaitingReceipt',
};

/**
 * An AP clerk resolves an invoice in EXCEPTION:
 * - ACCEPT_VARIANCE → MATCHED, approvedAmount = the invoice amount; the accepted reasons stay on the
 *   match as `acceptedReasons`. Next: post the AP voucher. Not allowed for `REASONS_NOT_ACCEPTABLE`,
 *   nor while a `QUANTITY_REASONS` holds: on the case, or — authoritative when given — on `rematch`,
 *   the match run again at the moment of the decision (another invoice may have been paid for the
 *   same goods since the exception was raised, or the goods may have arrived).
 * - REJECT → REJECTED. Next: tell the supplier.
 * - WAIT_FOR_RECEIPT → stays EXCEPTION, flagged to be matched again when the PO's next receipt
 *   arrives. Only when goods are missing (QTY_NOT_RECEIVED).
 * The decision (actor, onBehalfOf, action, open reasons, time) is kept on the case; the note only in
 * the audit entry. `actor` is the authenticated client that decided (from the token); the clerk the
 * request names is only asserted by that client, so it is kept as `onBehalfOf`, never as the actor.
 *
 * @throws ConflictError when the case is not in EXCEPTION, or the action does not fit its reasons
 *   (details.reasons: the reasons that block it).
 */
export const resolveException = (
  invoiceCase: InvoiceCase,
  resolution: InvoiceResolution,
  actor: string,
  now: Date,
  rematch?: Pick<MatchResult, 'reasons'>,
): InvoiceCaseChange => {
  if (invoiceCase.status !== 'EXCEPTION') {
    throw new ConflictError(`invoice case ${invoiceCase.caseId} is ${invoiceCase.status}, not in exception`, {
      details: { caseId: invoiceCase.caseId, status: invoiceCase.status },
    });
  }
  const blocking = invoiceCase.reasons.filter((r) => REASONS_NOT_ACCEPTABLE.includes(r));
  if (resolution.action === 'ACCEPT_VARIANCE' && blocking.length > 0) {
    const why = blocking.join(', ');
    throw new ConflictError(`invoice case ${invoiceCase.caseId} cannot be accepted as a variance (${why}): reject it or fix the reference data`, {
      details: { caseId: invoiceCase.caseId, reasons: blocking },
    });
  }
  const quantityShort = (rematch ?? invoiceCase).reasons.filter((r) => QUANTITY_REASONS.includes(r));
  if (resolution.action === 'ACCEPT_VARIANCE' && quantityShort.length > 0) {
    const why = quantityShort.join(', ');
    throw new ConflictError(
      `invoice case ${invoiceCase.caseId} cannot be accepted as a variance (${why}): its goods are not received or already invoiced; wait for the receipt or reject it`,
      { details: { caseId: invoiceCase.caseId, reasons: quantityShort } },
    );
  }
  if (resolution.action === 'WAIT_FOR_RECEIPT' && !invoiceCase.reasons.includes('QTY_NOT_RECEIVED')) {
    throw new ConflictError(`invoice case ${invoiceCase.caseId} is not waiting for goods (no QTY_NOT_RECEIVED)`, {
      details: { caseId: invoiceCase.caseId, reasons: invoiceCase.reasons },
    });
  }
  const at = now.toISOString();
  const decision = { action: resolution.action, actor, onBehalfOf: resolution.clerk, at, reasons: invoiceCase.reasons };
  const decided = { ...invoiceCase, decisions: [...invoiceCase.decisions, decision], updatedAt: at };
  const resolved = ((): Pick<InvoiceCaseChange, 'invoiceCase' | 'next'> => {
    switch (resolution.action) {
      case 'ACCEPT_VARIANCE':
        return {
          invoiceCase: {
            ...decided,
            status: 'MATCHED',
            reasons: [],
            approvedAmount: invoiceCase.invoiceAmount,
            waitingForReceipt: false,
            ...(invoiceCase.match === undefined
              ? {}
              : {
                  match: {
                    ...invoiceCase.match,
                    status: 'MATCHED',
                    reasons: [],
                    acceptedReasons: invoiceCase.reasons,
                    approvedAmount: invoiceCase.invoiceAmount,
                  },
                }),
          },
          next: 'POST_AP_VOUCHER',
        };
      case 'REJECT':
        return { invoiceCase: { ...decided, status: 'REJECTED', approvedAmount: 0, waitingForReceipt: false }, next: 'NOTIFY_SUPPLIER_REJECTED' };
      case 'WAIT_FOR_RECEIPT':
        return { invoiceCase: { ...decided, waitingForReceipt: true }, next: 'REMATCH_ON_NEXT_RECEIPT' };
    }
  })();
  return {
    ...resolved,
    audit: {
      actor,
      onBehalfOf: resolution.clerk,
      action: AUDIT_ACTIONS[resolution.action],
      entity: entityOf(invoiceCase),
      correlationId: invoiceCase.correlationId,
      payload: {
        caseId: invoiceCase.caseId,
        invoiceNumber: invoiceCase.invoiceNumber,
        supplierId: invoiceCase.supplierId,
        action: resolution.action,
        reasons: invoiceCase.reasons,
        approvedAmount: resolved.invoiceCase.approvedAmount,
        ...(resolution.note === undefined ? {} : { note: resolution.note }),
        at,
      },
    },
  };
};

/** Should this receipt trigger a rematch of the case? When a clerk chose to wait for goods on its PO. */
export const shouldRematchOnReceipt = (invoiceCase: InvoiceCase, receipt: Pick<Receipt, 'poNumber'>): boolean =>
  invoiceCase.status === 'EXCEPTION' && invoiceCase.waitingForReceipt && invoiceCase.poNumber === receipt.poNumber;

/**
 * Finance posted the voucher: MATCHED → PAID. Idempotent on a PAID case.
 *
 * @throws ConflictError when the case is not MATCHED.
 */
export const markPaid = (invoiceCase: InvoiceCase, now: Date): InvoiceCase => {
  if (invoiceCase.status === 'PAID') return invoiceCase;
  if (invoiceCase.status !== 'MATCHED') {
    throw new ConflictError(`invoice case ${invoiceCase.caseId} is ${invoiceCase.status}, not MATCHED`, {
      details: { caseId: invoiceCase.caseId, status: invoiceCase.status },
    });
  }
  return { ...invoiceCase, status: 'PAID', updatedAt: now.toISOString() };
};

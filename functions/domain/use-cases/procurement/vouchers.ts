/**
 * Use cases of the AP voucher of a payable invoice (MATCHED, or its variance accepted by an AP clerk),
 * in the order the receipt-to-invoice workflow runs them:
 * 1. `prepareApVoucher` (task PrepareApVoucher): checks the case is payable and builds its voucher,
 *    coded per cost center and GL account (`apVoucherFromMatch`). Deterministic: the same case gives
 *    the same voucher, id and posting date on every retry, so what the connectors receive is stable.
 * 2. the ERP connector creates the payables invoice (`CreatePayablesInvoice`, keyed on the voucher
 *    id) and the finance connector posts the voucher (`postApVoucherToLedger`, exactly once per
 *    voucher id); both answer the workflow's task token. They run behind their queues, retries and
 *    circuit breakers, so an ERP or ledger that is down holds the voucher instead of failing it.
 * 3. `recordApVoucher` (task RecordApVoucher): the case becomes PAID (saved with its version), the
 *    PO's invoiced totals are brought up to date, an audit record and a hop are written,
 *    ApVoucherPosted is returned for the workflow to publish, and the PO's workflow is told
 *    (`WaitRegistry.arrive(poNumber, 'INVOICE_MATCHED')`).
 * Each step is keyed on the voucher id, so a retry after a timeout books nothing twice; a PAID case
 * repeats what is idempotent and finishes whatever a crash left undone.
 */
import type { ApVoucher, Invoice, InvoiceCase, MatchResult } from '../../../../contracts/procurement';
import { ConcurrencyError, ConflictError, DataError, HemError, NotFoundError } from '../../errors';
import { apVoucherFromMatch } from '../../procurement/ap-voucher';
import { apVoucherPosted } from '../../procurement/events';
import { markPaid } from '../../procurement/invoice-case';
import { recordInvoiceMatches } from '../../procurement/purchase-order';
import { canonicalJson } from './invoices';
import { completeTask } from './requisitions';
import { envelopeInput, payableMatchesOf, recordHop, toPutEventsEntries, type ProcurementUseCaseDependencies, type PutEventsEntry } from './shared';

/** The actor recorded for what the receipt-to-invoice workflow does on its own. */
export const RECEIPT_TO_INVOICE_ACTOR = 'hem:receipt-to-invoice';

/** The actor recorded for what the finance connector posts. */
export const FINANCE_CONNECTOR_ACTOR = 'hem.finance-connector';

const MAX_ATTEMPTS = 5;

/** PrepareApVoucher's output: the voucher the connectors post, and who it belongs to. */
export interface ApVoucherPrepared {
  caseId: string;
  voucherId: string;
  poNumber: string;
  correlationId: string;
  voucher: ApVoucher;
}

/** RecordApVoucher's input: the voucher and what the ERP and the ledger answered for it. */
export interface ApVoucherAnswers {
  caseId: string;
  voucher: ApVoucher;
  erpInvoiceId: string;
  journalId: string;
  eventBusName: string;
}

/** RecordApVoucher's output. */
export interface ApVoucherPostedOutcome {
  caseId: string;
  voucherId: string;
  poNumber: string;
  totalAmount: number;
  currency: string;
  erpInvoiceId: string;
  journalId: string;
  status: InvoiceCase['status'];
  /** true when the PO's workflow was waiting for this matched invoice and resumed now. */
  purchaseOrderResumed: boolean;
  /** ApVoucherPosted, for the workflow to publish. */
  entries: PutEventsEntry[];
}

/** The ports preparing a voucher reads. */
export type PrepareApVoucherDependencies = Pick<ProcurementUseCaseDependencies, 'procurement' | 'referenceData' | 'clock'>;

/** The ports recording a posted voucher touches. */
export type RecordApVoucherDependencies = Pick<ProcurementUseCaseDependencies, 'procurement' | 'waits' | 'workflows' | 'transactions' | 'audit' | 'clock'>;

/** The ports posting a voucher to the ledger touches (the finance connector). */
export type PostApVoucherToLedgerDependencies = Pick<ProcurementUseCaseDependencies, 'finance' | 'transactions' | 'audit' | 'clock'>;

const retryOnConflict = async <T>(step: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (e) {
      if (!(e instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
};

/**
 * The day the invoice became payable: the clerk's acceptance, else the day it matched. Stable across
 * retries on later days, so the voucher (and its posting date) is the same every time it is sent.
 */
const payableOn = (invoiceCase: InvoiceCase, today: string): string =>
  invoiceCase.decisions.findLast((d) => d.action === 'ACCEPT_VARIANCE')?.at.slice(0, 10) ?? invoiceCase.match?.matchedOn ?? today;

/** A case that may be paid (MATCHED, or PAID by an earlier run), with its PO number and match. */
const requirePayable = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement'>,
  caseId: string,
): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase & { poNumber: string; match: MatchResult } }> => {
  const stored = await deps.procurement.getInvoiceCase(caseId);
  if (stored === undefined) throw new NotFoundError(`no invoice ${caseId}`, { details: { invoiceId: caseId } });
  const { invoice, invoiceCase } = stored;
  if (invoiceCase.status !== 'MATCHED' && invoiceCase.status !== 'PAID') {
    throw new ConflictError(`invoice ${invoiceCase.caseId} is ${invoiceCase.status}, not payable`, {
      details: { caseId: invoiceCase.caseId, status: invoiceCase.status },
    });
  }
  if (invoiceCase.poNumber === undefined || invoiceCase.match === undefined) {
    throw new ConflictError(`invoice ${invoiceCase.caseId} has no match against a PO`, { details: { caseId: invoiceCase.caseId } });
  }
  return { invoice, invoiceCase: { ...invoiceCase, poNumber: invoiceCase.poNumber, match: invoiceCase.match } };
};

/**
 * PrepareApVoucher (see the module comment): the voucher of a payable case. Reads only.
 *
 * @throws NotFoundError for an unknown case or PO; DataError for a cost center missing from the reference data.
 * @throws ConflictError when the case is not payable (OPEN, EXCEPTION, REJECTED) or has no match against a PO.
 */
export const prepareApVoucher = async (deps: PrepareApVoucherDependencies, input: { caseId: string }): Promise<ApVoucherPrepared> => {
  const { invoice, invoiceCase } = await requirePayable(deps, input.caseId);
  const poNumber = invoiceCase.poNumber;
  const po = await deps.procurement.getPurchaseOrder(poNumber);
  if (po === undefined) throw new NotFoundError(`no purchase order ${poNumber}`, { details: { poNumber } });
  const costCenter = await deps.referenceData.getCostCenter(po.costCenter);
  if (costCenter === undefined) {
    throw new DataError(`cost center ${po.costCenter} of PO ${poNumber} is not in the reference data`, { details: { costCenter: po.costCenter } });
  }
  const voucher = apVoucherFromMatch(
    invoice,
    { ...invoiceCase.match, status: 'MATCHED', approvedAmount: invoiceCase.approvedAmount },
    po,
    { costCenter: po.costCenter, glAccount: costCenter.glAccount },
    { postingDate: payableOn(invoiceCase, deps.clock.now().toISOString().slice(0, 10)), correlationId: invoiceCase.correlationId },
  );
  return { caseId: invoiceCase.caseId, voucherId: voucher.voucherId, poNumber, correlationId: invoiceCase.correlationId, voucher };
};

/**
 * The finance connector's work for a `PostApVoucher` command: the voucher to the ledger, which
 * deduplicates on the voucher id (`Idempotency-Key`), so a redelivery or a resent command after a
 * timeout returns the same journal instead of posting twice. A failure records a `connector-failed`
 * hop (code only) and is rethrown for the connector to retry or refuse.
 */
export const postApVoucherToLedger = async (deps: PostApVoucherToLedgerDependencies, voucher: ApVoucher): Promise<{ voucherId: string; journalId: string }> => {
  let journalId: string;
  try {
    ({ journalId } = await deps.finance.postApVoucher(voucher));
  } catch (e) {
    await recordHop(deps, voucher.correlationId, 'connector-failed', 'error', {
      command: 'PostApVoucher',
      businessKey: voucher.voucherId,
      code: e instanceof HemError ? e.code : 'UNEXPECTED',
      retryable: e instanceof HemError ? e.retryable : true,
    });
    throw e;
  }
  await deps.audit.append({
    actor: FINANCE_CONNECTOR_ACTOR,
    action: 'ApVoucherPostedToLedger',
    entity: `journal:${journalId}`,
    correlationId: voucher.correlationId,
    payload: { voucherId: voucher.voucherId, poNumber: voucher.poNumber, totalAmount: voucher.totalAmount, currency: voucher.currency, journalId },
  });
  return { voucherId: voucher.voucherId, journalId };
};

/**
 * RecordApVoucher (see the module comment): what HEM keeps once the ERP and the ledger took the voucher.
 *
 * @throws NotFoundError for an unknown case; ConflictError when the case is not payable, or the
 *   voucher is not this case's (another invoice, or a voucher its workflow did not prepare).
 */
export const recordApVoucher = async (deps: RecordApVoucherDependencies, input: ApVoucherAnswers): Promise<ApVoucherPostedOutcome> => {
  const { invoiceCase } = await requirePayable(deps, input.caseId);
  const { voucher, erpInvoiceId, journalId } = input;
  const poNumber = invoiceCase.poNumber;
  if (voucher.supplierId !== invoiceCase.supplierId || voucher.invoiceNumber !== invoiceCase.invoiceNumber || voucher.poNumber !== poNumber) {
    throw new ConflictError(`voucher ${voucher.voucherId} is not the voucher of invoice ${invoiceCase.caseId}`, {
      details: { caseId: invoiceCase.caseId, voucherId: voucher.voucherId },
    });
  }
  const now = deps.clock.now();
  const paidNow = await retryOnConflict(async () => {
    const current = await deps.procurement.getInvoiceCase(input.caseId);
    if (current === undefined) throw new NotFoundError(`no invoice ${input.caseId}`, { details: { invoiceId: input.caseId } });
    if (current.invoiceCase.status === 'PAID') return false;
    await deps.procurement.saveInvoiceCase(markPaid(current.invoiceCase, deps.clock.now()), current.version);
    return true;
  });
  await retryOnConflict(async () => {
    const current = await deps.procurement.getPurchaseOrder(poNumber);
    if (current === undefined || current.status === 'CLOSED') return;
    const { version, ...plain } = current;
    const updated = recordInvoiceMatches(plain, await payableMatchesOf(deps, plain.poNumber));
    if (canonicalJson(updated) !== canonicalJson(plain)) await deps.procurement.savePurchaseOrder(updated, version);
  });
  if (paidNow) {
    await deps.audit.append({
      actor: RECEIPT_TO_INVOICE_ACTOR,
      action: 'ApVoucherPosted',
      entity: `invoice:${invoiceCase.caseId}`,
      correlationId: invoiceCase.correlationId,
      payload: { voucher, erpInvoiceId, journalId },
    });
    await recordHop(deps, invoiceCase.correlationId, 'voucher-posted', 'ok', {
      caseId: invoiceCase.caseId,
      voucherId: voucher.voucherId,
      poNumber,
      totalAmount: voucher.totalAmount,
      currency: voucher.currency,
      erpInvoiceId,
      journalId,
    });
  }
  const arrival = { poNumber, caseId: invoiceCase.caseId, invoiceNumber: invoiceCase.invoiceNumber, voucherId: voucher.voucherId };
  const { taskToken } = await deps.waits.arrive(poNumber, 'INVOICE_MATCHED', arrival);
  const purchaseOrderResumed = taskToken === undefined ? false : await completeTask(deps, taskToken, arrival);
  return {
    caseId: invoiceCase.caseId,
    voucherId: voucher.voucherId,
    poNumber,
    totalAmount: voucher.totalAmount,
    currency: voucher.currency,
    erpInvoiceId,
    journalId,
    status: 'PAID',
    purchaseOrderResumed,
    entries: toPutEventsEntries([apVoucherPosted(envelopeInput(invoiceCase.correlationId, invoiceCase.caseId, now), voucher)], input.eventBusName),
  };
};

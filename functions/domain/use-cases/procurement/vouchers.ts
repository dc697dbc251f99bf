/**
 * Use case behind the workflow task PostApVoucher: a payable invoice (MATCHED, or its variance
 * accepted by an AP clerk) becomes
 * 1. a payables invoice in the ERP for the approved amount (`ErpGateway.createPayablesInvoice`,
 *    idempotency key = the voucher id),
 * 2. an AP voucher in finance, coded per cost center and GL account (`apVoucherFromMatch` →
 *    `FinanceLedger.postApVoucher`, exactly once per voucher id),
 * 3. a PAID case (saved with its version), the PO's invoiced totals brought up to date, an audit
 *    record, a hop and ApVoucherPosted (returned for the workflow to publish),
 * 4. the arrival the PO's workflow waits for (`WaitRegistry.arrive(poNumber, 'INVOICE_MATCHED')`).
 * Each step is keyed on the voucher id, so a retry after a timeout (the ERP or the ledger answered,
 * the answer was lost) books nothing twice; a PAID case repeats the idempotent calls to report the
 * same ids and finish whatever a crash left undone.
 */
import type { InvoiceCase, MatchResult, PurchaseOrder } from '../../../../contracts/procurement';
import { ConcurrencyError, ConflictError, DataError, NotFoundError } from '../../errors';
import { apVoucherFromMatch } from '../../procurement/ap-voucher';
import { apVoucherPosted } from '../../procurement/events';
import { markPaid } from '../../procurement/invoice-case';
import { recordInvoiceMatches } from '../../procurement/purchase-order';
import { canonicalJson } from './invoices';
import { completeTask } from './requisitions';
import { envelopeInput, recordHop, toPutEventsEntries, type ProcurementUseCaseDependencies, type PutEventsEntry } from './shared';

/** The actor recorded for what the receipt-to-invoice workflow does on its own. */
export const RECEIPT_TO_INVOICE_ACTOR = 'hem:receipt-to-invoice';

const MAX_ATTEMPTS = 5;
const INVOICE_SCAN_LIMIT = 1000;

/** PostApVoucher's output. */
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

/** The ports posting a voucher touches. */
export type PostApVoucherDependencies = Pick<
  ProcurementUseCaseDependencies,
  'procurement' | 'referenceData' | 'erp' | 'finance' | 'waits' | 'workflows' | 'transactions' | 'audit' | 'clock'
>;

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

/** The PO's payable match results (this one included), for its invoiced totals. */
const payableMatchesOf = async (deps: Pick<ProcurementUseCaseDependencies, 'procurement'>, po: PurchaseOrder): Promise<MatchResult[]> =>
  (await deps.procurement.listInvoicesBySupplier(po.supplierId, INVOICE_SCAN_LIMIT))
    .map(({ invoiceCase }) => invoiceCase)
    .filter((c) => c.poNumber === po.poNumber && (c.status === 'MATCHED' || c.status === 'PAID') && c.match !== undefined)
    .map((c) => ({ ...(c.match as MatchResult), status: 'MATCHED' as const }));

/**
 * PostApVoucher (see the module comment).
 *
 * @throws NotFoundError for an unknown case, PO or cost center.
 * @throws ConflictError when the case is not payable (OPEN, EXCEPTION, REJECTED).
 * @throws UpstreamUnavailableError (retryable) / UpstreamRejectedError from the ERP or the ledger.
 */
export const postApVoucher = async (
  deps: PostApVoucherDependencies,
  input: { caseId: string; eventBusName: string },
): Promise<ApVoucherPostedOutcome> => {
  const stored = await deps.procurement.getInvoiceCase(input.caseId);
  if (stored === undefined) throw new NotFoundError(`no invoice ${input.caseId}`, { details: { invoiceId: input.caseId } });
  const { invoice, invoiceCase } = stored;
  if (invoiceCase.status !== 'MATCHED' && invoiceCase.status !== 'PAID') {
    throw new ConflictError(`invoice ${invoiceCase.caseId} is ${invoiceCase.status}, not payable`, {
      details: { caseId: invoiceCase.caseId, status: invoiceCase.status },
    });
  }
  if (invoiceCase.poNumber === undefined || invoiceCase.match === undefined) {
    throw new ConflictError(`invoice ${invoiceCase.caseId} has no match against a PO`, { details: { caseId: invoiceCase.caseId } });
  }
  const poNumber = invoiceCase.poNumber;
  const po = await deps.procurement.getPurchaseOrder(poNumber);
  if (po === undefined) throw new NotFoundError(`no purchase order ${poNumber}`, { details: { poNumber } });
  const costCenter = await deps.referenceData.getCostCenter(po.costCenter);
  if (costCenter === undefined) {
    throw new DataError(`cost center ${po.costCenter} of PO ${poNumber} is not in the reference data`, { details: { costCenter: po.costCenter } });
  }

  const now = deps.clock.now();
  const voucher = apVoucherFromMatch(
    invoice,
    { ...invoiceCase.match, status: 'MATCHED', approvedAmount: invoiceCase.approvedAmount },
    po,
    { costCenter: po.costCenter, glAccount: costCenter.glAccount },
    { postingDate: payableOn(invoiceCase, now.toISOString().slice(0, 10)), correlationId: invoiceCase.correlationId },
  );
  const { erpInvoiceId } = await deps.erp.createPayablesInvoice(invoice, invoiceCase.approvedAmount, voucher.voucherId);
  const { journalId } = await deps.finance.postApVoucher(voucher);

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
    const updated = recordInvoiceMatches(plain, await payableMatchesOf(deps, plain));
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

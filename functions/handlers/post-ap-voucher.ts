/**
 * Workflow task `PostApVoucher` of `state-machines/receipt-to-invoice.asl.json`. Input
 * `{ caseId, eventBusName }`: the payable invoice becomes an ERP payables invoice and an AP voucher
 * in finance (both keyed on the voucher id, so a retry never posts twice), the case PAID, and the
 * PO's workflow is told. Output `{ caseId, voucherId, poNumber, totalAmount, currency, erpInvoiceId,
 * journalId, status, purchaseOrderResumed, entries }` (ApVoucherPosted for the next state to publish).
 * Upstream failures are rethrown by name (UpstreamUnavailableError is retried by the ASL).
 */
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { postApVoucher, type ApVoucherPostedOutcome } from '../domain/use-cases/procurement/vouchers';
import { HemError } from '../domain/errors';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { countReceiptInvoice, InvoiceTaskInputSchema, RECEIPT_INVOICE_METRIC } from './shared/receipt-invoice-schemas';
import { parseOrThrow } from './shared/validation';

export type PostApVoucherHandlerDependencies = Pick<
  ProcurementHandlerDependencies,
  'procurement' | 'referenceData' | 'erp' | 'finance' | 'waits' | 'workflows' | 'transactions' | 'audit' | 'clock'
>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: PostApVoucherHandlerDependencies): LambdaFunction<unknown, ApVoucherPostedOutcome> =>
  withPowertools(async (event) => {
    const input = parseOrThrow(InvoiceTaskInputSchema, event, 'PostApVoucher input');
    try {
      const posted = await postApVoucher(deps, input);
      countReceiptInvoice(RECEIPT_INVOICE_METRIC.apVouchersPosted);
      logger.info('AP voucher posted', {
        caseId: posted.caseId,
        voucherId: posted.voucherId,
        totalAmount: posted.totalAmount,
        currency: posted.currency,
        purchaseOrderResumed: posted.purchaseOrderResumed,
      });
      return posted;
    } catch (e) {
      logger.warn('AP voucher not posted', {
        caseId: input.caseId,
        errorName: e instanceof Error ? e.name : typeof e,
        code: e instanceof HemError ? e.code : undefined,
        retryable: e instanceof HemError ? e.retryable : true,
      });
      throw e;
    }
  });

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

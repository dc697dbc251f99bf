/**
 * Workflow task `RecordApVoucher` of `state-machines/receipt-to-invoice.asl.json`, once the ERP connector
 * created the payables invoice and the finance connector posted the voucher. Input `{ caseId, voucher,
 * erpInvoiceId, journalId, eventBusName }`: the case becomes PAID, the PO's invoiced totals, audit and
 * hop are recorded, and the PO's workflow is told the invoice matched. Output `{ caseId, voucherId,
 * poNumber, totalAmount, currency, erpInvoiceId, journalId, status, purchaseOrderResumed, entries }`
 * (ApVoucherPosted for the next state to publish). Idempotent: a PAID case records nothing twice.
 */
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { recordApVoucher, type ApVoucherPostedOutcome } from '../domain/use-cases/procurement/vouchers';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { countReceiptInvoice, RECEIPT_INVOICE_METRIC, RecordApVoucherInputSchema } from './shared/receipt-invoice-schemas';
import { parseOrThrow } from './shared/validation';
import { failureFacts } from './shared/error-mapping';

export type RecordApVoucherHandlerDependencies = Pick<
  ProcurementHandlerDependencies,
  'procurement' | 'waits' | 'workflows' | 'transactions' | 'audit' | 'clock'
>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: RecordApVoucherHandlerDependencies): LambdaFunction<unknown, ApVoucherPostedOutcome> =>
  withPowertools(async (event) => {
    const input = parseOrThrow(RecordApVoucherInputSchema, event, 'RecordApVoucher input');
    try {
      const posted = await recordApVoucher(deps, input);
      countReceiptInvoice(RECEIPT_INVOICE_METRIC.apVouchersPosted);
      logger.info('AP voucher posted', {
        caseId: posted.caseId,
        voucherId: posted.voucherId,
        totalAmount: posted.totalAmount,
        currency: posted.currency,
        erpInvoiceId: posted.erpInvoiceId,
        journalId: posted.journalId,
        purchaseOrderResumed: posted.purchaseOrderResumed,
      });
      return posted;
    } catch (e) {
      logger.warn('AP voucher not recorded', {
        caseId: input.caseId,
        voucherId: input.voucher.voucherId,
        ...failureFacts(e),
      });
      throw e;
    }
  });

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

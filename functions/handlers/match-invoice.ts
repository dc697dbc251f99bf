/**
 * Workflow task `MatchInvoice` of `state-machines/receipt-to-invoice.asl.json`. Input
 * `{ caseId, eventBusName }`; output `{ caseId, correlationId, status, reasons, next, wait?, poNumber?,
 * entries }` where `entries` are the PutEvents entries the next state publishes (InvoiceMatched or
 * InvoiceExceptionRaised) and `next`/`wait` tell the workflow where to go and wait.
 */
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { matchInvoice, type InvoiceMatchOutcome } from '../domain/use-cases/procurement/invoices';
import { useCorrelationId } from './shared/correlation';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { countReceiptInvoice, InvoiceTaskInputSchema, RECEIPT_INVOICE_METRIC } from './shared/receipt-invoice-schemas';
import { parseOrThrow } from './shared/validation';

export type MatchInvoiceDependencies = Pick<
  ProcurementHandlerDependencies,
  'procurement' | 'procurementConfig' | 'referenceData' | 'transactions' | 'audit' | 'clock'
>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: MatchInvoiceDependencies): LambdaFunction<unknown, InvoiceMatchOutcome> =>
  withPowertools(async (event) => {
    const input = parseOrThrow(InvoiceTaskInputSchema, event, 'MatchInvoice input');
    const outcome = await matchInvoice(deps, input);
    useCorrelationId(outcome.correlationId);
    if (outcome.next === 'POST_AP_VOUCHER') countReceiptInvoice(RECEIPT_INVOICE_METRIC.invoicesMatched);
    if (outcome.status === 'EXCEPTION') countReceiptInvoice(RECEIPT_INVOICE_METRIC.invoiceExceptions);
    logger.info('invoice matched', { caseId: outcome.caseId, status: outcome.status, reasons: outcome.reasons, next: outcome.next });
    return outcome;
  });

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

/**
 * Workflow task `RaiseInvoiceAlert` of `state-machines/receipt-to-invoice.asl.json`: a wait for an AP
 * clerk or for goods timed out, or the match or the voucher is blocked after its retries. Input
 * `{ caseId, reason: RESOLUTION | RECEIPT | VOUCHER | MATCH, eventBusName }`; output `{ caseId,
 * alertType, severity, entries }` (ProcurementAlertRaised about the invoice, for the next state to
 * publish). Counted on the ProcurementAlerts metric, whose alarm pages the operator.
 */
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { raiseInvoiceAlert, type InvoiceAlertRaised } from '../domain/use-cases/procurement/invoices';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { countProcurement, PROCUREMENT_METRIC } from './shared/procurement-metrics';
import { RaiseInvoiceAlertInputSchema } from './shared/receipt-invoice-schemas';
import { parseOrThrow } from './shared/validation';

export type RaiseInvoiceAlertDependencies = Pick<ProcurementHandlerDependencies, 'procurement' | 'transactions' | 'clock'>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: RaiseInvoiceAlertDependencies): LambdaFunction<unknown, InvoiceAlertRaised> =>
  withPowertools(async (event) => {
    const input = parseOrThrow(RaiseInvoiceAlertInputSchema, event, 'RaiseInvoiceAlert input');
    const raised = await raiseInvoiceAlert(deps, input);
    countProcurement(PROCUREMENT_METRIC.procurementAlerts);
    logger.warn('invoice alert raised', { caseId: raised.caseId, alertType: raised.alertType, severity: raised.severity, reason: input.reason });
    return raised;
  });

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

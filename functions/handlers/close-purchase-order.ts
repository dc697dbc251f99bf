/**
 * Workflow task `ClosePurchaseOrder`: closes the PO when every line is received and invoiced (or the
 * supplier rejected it), returning PurchaseOrderClosed for the workflow to publish. An open PO is
 * reported as such (`closed: false`); with `remindWhenOpen` its outstanding part is alerted.
 */
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { closePurchaseOrder, type PurchaseOrderClosing } from '../domain/use-cases/procurement/workflow';
import { useCorrelationId } from './shared/correlation';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { countProcurement, PROCUREMENT_METRIC } from './shared/procurement-metrics';
import { ClosePurchaseOrderInputSchema } from './shared/procurement-schemas';
import { parseOrThrow } from './shared/validation';

export type ClosePurchaseOrderDependencies = Pick<ProcurementHandlerDependencies, 'procurement' | 'transactions' | 'audit' | 'clock' | 'inventory'>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: ClosePurchaseOrderDependencies): LambdaFunction<unknown, PurchaseOrderClosing> =>
  withPowertools(async (event) => {
    const input = parseOrThrow(ClosePurchaseOrderInputSchema, event, 'ClosePurchaseOrder input');
    if (input.correlationId !== undefined) useCorrelationId(input.correlationId);
    const result = await closePurchaseOrder(deps, input);
    if (result.closed) countProcurement(PROCUREMENT_METRIC.purchaseOrdersClosed);
    if (result.reminded) countProcurement(PROCUREMENT_METRIC.procurementAlerts);
    logger.info(result.closed ? 'purchase order closed' : 'purchase order still open', {
      poNumber: result.poNumber,
      status: result.status,
      outstanding: result.outstanding,
    });
    return result;
  });

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

/**
 * Workflow task `BuildPurchaseOrder`: the PO of an approved requisition (number from the facility's
 * PO counter, status CREATED). Input `{ requisitionId, correlationId }`; output `PurchaseOrderBuilt`.
 */
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { buildPurchaseOrder, type PurchaseOrderBuilt } from '../domain/use-cases/procurement/workflow';
import { useCorrelationId } from './shared/correlation';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { countProcurement, PROCUREMENT_METRIC } from './shared/procurement-metrics';
import { BuildPurchaseOrderInputSchema } from './shared/procurement-schemas';
import { parseOrThrow } from './shared/validation';

export type BuildPurchaseOrderDependencies = Pick<
  ProcurementHandlerDependencies,
  'procurement' | 'controlNumbers' | 'referenceData' | 'transactions' | 'audit' | 'clock'
>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: BuildPurchaseOrderDependencies): LambdaFunction<unknown, PurchaseOrderBuilt> =>
  withPowertools(async (event) => {
    const input = parseOrThrow(BuildPurchaseOrderInputSchema, event, 'BuildPurchaseOrder input');
    useCorrelationId(input.correlationId);
    const built = await buildPurchaseOrder(deps, input);
    if (built.created) countProcurement(PROCUREMENT_METRIC.purchaseOrdersCreated);
    logger.info(built.created ? 'purchase order created' : 'purchase order existed', {
      requisitionId: built.requisitionId,
      poNumber: built.poNumber,
      supplierId: built.supplierId,
    });
    return built;
  });

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

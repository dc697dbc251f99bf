/**
 * Workflow task `EvaluateApproval` (requisition-to-pay, first step). Input `{ input: <execution
 * input>, eventBusName }`; output `ApprovalEvaluation`: the decision (APPROVED / NEEDS_APPROVAL /
 * REJECTED), every wait's timeout for this execution and the RequisitionApproved entry the workflow
 * publishes when approved.
 */
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { evaluateApproval, type ApprovalEvaluation } from '../domain/use-cases/procurement/workflow';
import { useCorrelationId } from './shared/correlation';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { countProcurement, PROCUREMENT_METRIC } from './shared/procurement-metrics';
import { EvaluateApprovalInputSchema } from './shared/procurement-schemas';
import { parseOrThrow } from './shared/validation';

export type EvaluateApprovalDependencies = Pick<ProcurementHandlerDependencies, 'procurement' | 'procurementConfig' | 'transactions' | 'audit' | 'clock'>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: EvaluateApprovalDependencies): LambdaFunction<unknown, ApprovalEvaluation> =>
  withPowertools(async (event) => {
    const { input, eventBusName } = parseOrThrow(EvaluateApprovalInputSchema, event, 'EvaluateApproval input');
    useCorrelationId(input.correlationId);
    const evaluation = await evaluateApproval(deps, { ...input, eventBusName });
    if (evaluation.decision === 'APPROVED' && evaluation.reason !== undefined) countProcurement(PROCUREMENT_METRIC.requisitionsAutoApproved);
    logger.info('requisition evaluated', { requisitionId: evaluation.requisitionId, decision: evaluation.decision, reason: evaluation.reason });
    return evaluation;
  });

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

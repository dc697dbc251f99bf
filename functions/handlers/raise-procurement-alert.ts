/**
 * Workflow task `RaiseProcurementAlert`: a wait timed out or a system refused the order.
 * - `{ subject: 'REQUISITION', requisitionId }`: the approval decision is overdue, the requisition
 *   escalates (output `EscalationResult`: `escalated`, `escalationCount`, `entries`);
 * - `{ subject: 'PURCHASE_ORDER', poNumber, reason }`: an 855/856/receipt/invoice is overdue, the
 *   ERP or network did not take the order in time, or refused it (output `AlertRaised`).
 * The workflow publishes `entries` (ProcurementAlertRaised) and, for timeouts, waits again.
 */
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { escalate, raiseAlert, type AlertRaised, type EscalationResult } from '../domain/use-cases/procurement/workflow';
import { useCorrelationId } from './shared/correlation';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { countProcurement, PROCUREMENT_METRIC } from './shared/procurement-metrics';
import { RaiseProcurementAlertInputSchema } from './shared/procurement-schemas';
import { parseOrThrow } from './shared/validation';

export type RaiseProcurementAlertDependencies = Pick<ProcurementHandlerDependencies, 'procurement' | 'transactions' | 'audit' | 'clock'>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: RaiseProcurementAlertDependencies): LambdaFunction<unknown, EscalationResult | AlertRaised> =>
  withPowertools(async (event) => {
    const input = parseOrThrow(RaiseProcurementAlertInputSchema, event, 'RaiseProcurementAlert input');
    if (input.correlationId !== undefined) useCorrelationId(input.correlationId);
    if (input.subject === 'REQUISITION') {
      const result = await escalate(deps, input);
      if (result.escalated) {
        countProcurement(PROCUREMENT_METRIC.requisitionsEscalated);
        countProcurement(PROCUREMENT_METRIC.procurementAlerts);
      }
      logger.warn(result.escalated ? 'requisition escalated: approval overdue' : 'requisition decided before its escalation', {
        requisitionId: result.requisitionId,
        escalationCount: result.escalationCount,
      });
      return result;
    }
    const result = await raiseAlert(deps, input);
    countProcurement(PROCUREMENT_METRIC.procurementAlerts);
    logger.warn('procurement alert raised', { poNumber: input.poNumber, reason: input.reason, alertType: result.alertType, severity: result.severity });
    return result;
  });

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

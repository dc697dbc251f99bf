/**
 * SQS consumer of the `ErpCommands` queue (contracts/procurement-commands.ts): creates purchase
 * orders, receipts and payables invoices in the ERP and answers the waiting workflow task. Batch,
 * idempotency and answers: see `shared/connector.ts`.
 *
 * Circuit breaker: one per Lambda execution environment (module scope, `erpCircuit`): 5 consecutive
 * retryable ERP failures open it for 30 s; while open, records fail fast as retryable (back to the
 * queue, visibility timeout, eventually the DLQ) without calling the ERP; after the cool-down one
 * probe goes through and closes it again on success. See functions/adapters/connectors/circuit-breaker.ts.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { commandBusinessKey, CONNECTOR_REJECTION_ERRORS, ErpCommandSchema } from '../../contracts/procurement-commands';
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { CircuitBreaker, guardErpGateway } from '../adapters/connectors/circuit-breaker';
import { processErpCommand } from '../domain/use-cases/procurement/connectors';
import { connectorHandler } from './shared/connector';
import type { LambdaFunction } from './shared/middleware';
import { traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { PROCUREMENT_METRIC } from './shared/procurement-metrics';

export type ErpConnectorDependencies = Pick<
  ProcurementHandlerDependencies,
  'procurement' | 'erp' | 'workflows' | 'transactions' | 'audit' | 'clock' | 'idempotencyStore'
>;

/** The ERP circuit of this execution environment. */
export const erpCircuit = new CircuitBreaker({ name: 'ERP', failureThreshold: 5, coolDownMs: 30_000 });

/** Builds the handler on the given ports (tests pass their own breaker). */
export const makeHandler = (deps: ErpConnectorDependencies, options: { breaker?: CircuitBreaker } = {}): LambdaFunction<SQSEvent, SQSBatchResponse> => {
  const breaker = options.breaker ?? erpCircuit;
  const guarded = { ...deps, erp: guardErpGateway(deps.erp, breaker) };
  return connectorHandler({
    system: 'ERP',
    schema: ErpCommandSchema,
    businessKey: commandBusinessKey,
    process: (command) => processErpCommand(guarded, command),
    rejectionError: CONNECTOR_REJECTION_ERRORS.erp,
    workflows: deps.workflows,
    idempotencyStore: deps.idempotencyStore,
    metrics: { processed: PROCUREMENT_METRIC.erpCommands, failed: PROCUREMENT_METRIC.erpCommandFailures },
  });
};

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

/**
 * SQS consumer of the `SupplierOutbound` queue (contracts/procurement-commands.ts): writes each PO as
 * an X12 850 (control numbers drawn once per PO and kept on it), sends it through the supplier
 * network, marks the PO ISSUED, publishes PurchaseOrderIssued and answers the waiting workflow task.
 * Batch, idempotency and answers: see `shared/connector.ts`.
 *
 * Circuit breaker: one per Lambda execution environment (module scope, `supplierNetworkCircuit`):
 * 5 consecutive retryable failures open it for 30 s; while open, records fail fast as retryable
 * without calling the network; after the cool-down one probe goes through. See
 * functions/adapters/connectors/circuit-breaker.ts.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { commandBusinessKey, CONNECTOR_REJECTION_ERRORS, SupplierCommandSchema } from '../../contracts/procurement-commands';
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { CircuitBreaker, guardSupplierNetwork } from '../adapters/connectors/circuit-breaker';
import { build850, controlNumbersOf850 } from '../adapters/x12';
import { processSupplierCommand, type PurchaseOrderEdiWriter } from '../domain/use-cases/procurement/connectors';
import { connectorHandler } from './shared/connector';
import type { LambdaFunction } from './shared/middleware';
import { traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { PROCUREMENT_METRIC } from './shared/procurement-metrics';

export type SupplierConnectorDependencies = Pick<
  ProcurementHandlerDependencies,
  | 'procurement'
  | 'controlNumbers'
  | 'procurementConfig'
  | 'referenceData'
  | 'supplierNetwork'
  | 'workflows'
  | 'events'
  | 'transactions'
  | 'audit'
  | 'clock'
  | 'idempotencyStore'
>;

/** The supplier network circuit of this execution environment. */
export const supplierNetworkCircuit = new CircuitBreaker({ name: 'supplier network', failureThreshold: 5, coolDownMs: 30_000 });

/** HEM's X12 850 writer. */
export const x12PurchaseOrderWriter: PurchaseOrderEdiWriter = { build850, controlNumbersOf850 };

/** Builds the handler on the given ports (tests pass their own breaker). */
export const makeHandler = (
  deps: SupplierConnectorDependencies,
  options: { breaker?: CircuitBreaker } = {},
): LambdaFunction<SQSEvent, SQSBatchResponse> => {
  const breaker = options.breaker ?? supplierNetworkCircuit;
  const guarded = { ...deps, supplierNetwork: guardSupplierNetwork(deps.supplierNetwork, breaker), edi: x12PurchaseOrderWriter };
  return connectorHandler({
    system: 'supplier network',
    schema: SupplierCommandSchema,
    businessKey: commandBusinessKey,
    process: (command) => processSupplierCommand(guarded, command),
    rejectionError: CONNECTOR_REJECTION_ERRORS.supplier,
    workflows: deps.workflows,
    idempotencyStore: deps.idempotencyStore,
    metrics: { processed: PROCUREMENT_METRIC.supplierCommands, failed: PROCUREMENT_METRIC.supplierCommandFailures },
  });
};

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

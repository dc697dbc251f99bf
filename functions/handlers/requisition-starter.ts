/**
 * SQS consumer of the `ProcurementRequests` queue: each message is a `ReplenishmentRequested` event
 * the bus routed there. Each becomes a requisition and starts its RequisitionToPay workflow, once per
 * `detail.idempotencyKey` (Powertools idempotency; the requisition store is idempotent on the same
 * key as externalRef and the workflow start on the requisition id, so even a redelivery after the
 * idempotency record expired changes nothing). BatchProcessor + `batchItemFailures`: only failed
 * records return to the queue; a record that is not a ReplenishmentRequested event is poison, logged
 * without its body and failed until it reaches the DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { HemError, ValidationError } from '../domain/errors';
import { startRequisitionFromReplenishment, type RequisitionStarted } from '../domain/use-cases/procurement/requisitions';
import { useCorrelationId } from './shared/correlation';
import { failureFacts } from './shared/error-mapping';
import { asHemError, idempotentOperation } from './shared/idempotency';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { countProcurement, PROCUREMENT_METRIC } from './shared/procurement-metrics';
import { ReplenishmentRequestedEventSchema } from './shared/procurement-schemas';
import { jsonPath } from './shared/validation';

export type RequisitionStarterDependencies = Pick<
  ProcurementHandlerDependencies,
  'procurement' | 'workflows' | 'referenceData' | 'events' | 'transactions' | 'audit' | 'clock' | 'idempotencyStore'
>;

type ReplenishmentEvent = z.infer<typeof ReplenishmentRequestedEventSchema>;

/** Parse one record body; poison records throw a ValidationError whose message names paths only. */
const parseRecord = (record: SQSRecord): ReplenishmentEvent => {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new ValidationError('record body is not JSON', { location: '$' });
  }
  const parsed = ReplenishmentRequestedEventSchema.safeParse(body);
  if (!parsed.success) {
    const paths = parsed.error.issues.slice(0, 5).map((i) => jsonPath(i.path));
    throw new ValidationError(`record is not a ReplenishmentRequested event (${paths.join(', ')})`, { location: paths[0] ?? '$' });
  }
  return parsed.data;
};

/** Builds the handler on the given ports. */
export const makeHandler = (deps: RequisitionStarterDependencies): LambdaFunction<SQSEvent, SQSBatchResponse> => {
  const start = idempotentOperation<ReplenishmentEvent, RequisitionStarted>(deps.idempotencyStore, (event) =>
    startRequisitionFromReplenishment(deps, event.detail, event.id),
  );

  const processRecord = async (record: SQSRecord): Promise<void> => {
    let event: ReplenishmentEvent;
    try {
      event = parseRecord(record);
    } catch (e) {
      logger.error('poison record on the procurement requests queue', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        reason: e instanceof HemError ? e.message : 'unreadable',
      });
      throw e;
    }
    const { detail } = event;
    useCorrelationId(detail.correlationId);
    try {
      const started = await start.run({ idempotencyKey: `requisition|${detail.idempotencyKey}` }, event);
      if (started.created) countProcurement(PROCUREMENT_METRIC.requisitionsCreated);
      logger.info(started.created ? 'requisition raised from replenishment' : 'replenishment had raised its requisition', {
        requisitionId: started.requisition.requisitionId,
        itemId: detail.itemId,
        locationId: detail.locationId,
        workflowStarted: started.workflowStarted,
      });
    } catch (e) {
      const error = asHemError(e);
      logger.warn('requisition could not be raised', {
        idempotencyKey: detail.idempotencyKey,
        ...failureFacts(error),
      });
      throw error;
    }
  };

  return withPowertools(async (event, context) => {
    start.registerLambdaContext(context);
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false });
  });
};

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

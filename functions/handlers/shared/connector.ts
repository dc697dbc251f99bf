/**
 * What the ERP, supplier and finance connectors share: an SQS batch of commands (contracts/procurement-commands.ts),
 * each processed once per business key and answered to the workflow waiting for it.
 *
 * Per record:
 * 1. parse the body (poison → logged without the body, failed until the DLQ takes it);
 * 2. run the command once per `commandBusinessKey` (Powertools idempotency: a redelivered message
 *    gets the stored result without calling the system again);
 * 3. success → `WorkflowControl.succeed(taskToken, result)` when the command has a token (a task that
 *    no longer waits — it timed out and resent the command with a new token — is logged, the record
 *    consumed: the resend is answered by its own record);
 * 4. a retryable failure (system down, circuit open, concurrency) → the record fails and returns to
 *    the queue after its visibility timeout, then the DLQ after maxReceiveCount;
 * 5. a refusal for good → with a token, `WorkflowControl.fail(taskToken, <rejection error>, cause)` and
 *    the record is consumed (the workflow alerts and stops); without one, the record fails so the
 *    command ends in the DLQ where an operator sees it.
 * Records of a batch are processed in order, one at a time (see the handler below).
 * Idempotency and the answer are separate on purpose: the answer must go to each message's own token,
 * even when the work was done for an earlier copy of the command.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { HemError, NotFoundError, ValidationError } from '../../domain/errors';
import type { WorkflowControl } from '../../domain/procurement-ports';
import { useCorrelationId } from './correlation';
import { failureFacts } from './error-mapping';
import { asHemError, idempotentOperation } from './idempotency';
import { withPowertools, type LambdaFunction } from './middleware';
import { logger } from './powertools';
import { countProcurement, PROCUREMENT_METRIC, type ProcurementMetric } from './procurement-metrics';
import { jsonPath } from './validation';

/** A command as every connector queue carries it. */
interface Command {
  command: string;
  correlationId: string;
  taskToken?: string | undefined;
}

export interface ConnectorOptions<C extends Command, R> {
  /** For logs: `ERP`, `supplier network`. */
  system: string;
  schema: z.ZodType<C>;
  businessKey: (command: C) => string;
  process: (command: C) => Promise<R>;
  /** The error name a waiting task fails with on a refusal (`ErpRejected`, `SupplierRejected`). */
  rejectionError: string;
  workflows: Pick<WorkflowControl, 'succeed' | 'fail'>;
  idempotencyStore: BasePersistenceLayer;
  /** What a processed / failed command counts: a metric each, or a function of the command (a queue carrying several kinds). */
  metrics: { processed: ProcurementMetric; failed: ProcurementMetric } | ((command: C, outcome: 'processed' | 'failed') => void);
}

const countOutcome = <C extends Command>(metrics: ConnectorOptions<C, unknown>['metrics'], command: C, outcome: 'processed' | 'failed'): void => {
  if (typeof metrics === 'function') metrics(command, outcome);
  else countProcurement(outcome === 'processed' ? metrics.processed : metrics.failed);
};

const parseCommand = <C>(record: SQSRecord, schema: z.ZodType<C>): C => {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new ValidationError('record body is not JSON', { location: '$' });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const paths = parsed.error.issues.slice(0, 5).map((i) => jsonPath(i.path));
    throw new ValidationError(`record is not a known command (${paths.join(', ')})`, { location: paths[0] ?? '$' });
  }
  return parsed.data;
};

/** A PHI-free cause for SendTaskFailure: the error's code and HEM message (never a foreign message). */
const causeOf = (error: unknown): string =>
  JSON.stringify({
    code: error instanceof HemError ? error.code : 'UNEXPECTED',
    message: error instanceof HemError ? error.message : 'unexpected failure',
    ...(error instanceof HemError ? { details: error.details } : {}),
  });

/** Answers a task; a task that no longer waits is logged (its command's resend has its own token). */
const answer = async (send: () => Promise<void>, facts: Record<string, unknown>): Promise<void> => {
  try {
    await send();
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    logger.warn('the workflow task no longer waits for this command', facts);
  }
};

/** The batch handler of a connector queue (see the module comment). */
export const connectorHandler = <C extends Command, R>(options: ConnectorOptions<C, R>): LambdaFunction<SQSEvent, SQSBatchResponse> => {
  const run = idempotentOperation<C, R>(options.idempotencyStore, options.process);

  const processRecord = async (record: SQSRecord): Promise<void> => {
    let command: C;
    try {
      command = parseCommand(record, options.schema);
    } catch (e) {
      logger.error(`poison record on the ${options.system} command queue`, {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        reason: e instanceof HemError ? e.message : 'unreadable',
      });
      throw e;
    }
    useCorrelationId(command.correlationId);
    const businessKey = options.businessKey(command);
    const facts = { command: command.command, businessKey, receiveCount: record.attributes?.ApproximateReceiveCount };
    let result: R;
    try {
      result = await run.run({ idempotencyKey: `connector|${businessKey}` }, command);
    } catch (e) {
      const error = asHemError(e);
      countOutcome(options.metrics, command, 'failed');
      const circuit = error instanceof HemError ? error.details.circuit : undefined;
      if (circuit !== undefined) countProcurement(PROCUREMENT_METRIC.circuitOpen);
      const { retryable } = failureFacts(error);
      logger.warn(`${options.system} command failed`, {
        ...facts,
        ...failureFacts(error),
        ...(circuit === undefined ? {} : { circuit }),
      });
      if (retryable || command.taskToken === undefined) throw error;
      const token = command.taskToken;
      await answer(() => options.workflows.fail(token, options.rejectionError, causeOf(error)), facts);
      return;
    }
    countOutcome(options.metrics, command, 'processed');
    if (command.taskToken !== undefined) {
      const token = command.taskToken;
      await answer(() => options.workflows.succeed(token, result), facts);
    }
    logger.info(`${options.system} command done`, facts);
  };

  return withPowertools(async (event, context) => {
    run.registerLambdaContext(context);
    // One processor per invocation: it holds the batch's state. Records run one after the other: a
    // circuit that opens fails the rest of the batch fast, and a copy of a command in the same batch
    // finds the first copy's stored result instead of colliding with it.
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false, processInParallel: false });
  });
};

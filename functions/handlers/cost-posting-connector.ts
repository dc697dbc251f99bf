/**
 * SQS consumer of the finance postings queue: each message is an EventBridge `CostPosted` event.
 * Records are processed with Powertools' BatchProcessor and reported with `batchItemFailures`, so
 * only failed records return to the queue. Each posting runs once per `detail.idempotencyKey`
 * (Powertools idempotency; the ledger also deduplicates on the key, since idempotency cannot undo a
 * side effect that happened before a timeout). A record that is not a valid CostPosted event is
 * poison: logged without its body and failed, so it reaches the DLQ after maxReceiveCount.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { CostPosted } from '../../contracts/events';
import { awsDependencies } from '../adapters/aws/dependencies';
import { HemError, ValidationError } from '../domain/errors';
import { postCost, type PostCostResult } from '../domain/use-cases/post-cost';
import type { HandlerDependencies } from './shared/deps';
import { idempotentOperation } from './shared/idempotency';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { count, logger, METRIC, traceAwsClient } from './shared/powertools';
import { CostPostedEventSchema } from './shared/schemas';
import { jsonPath } from './shared/validation';

export type CostPostingDependencies = Pick<HandlerDependencies, 'finance' | 'transactions' | 'audit' | 'clock' | 'idempotencyStore'>;

/** Parse one record body; poison records throw a ValidationError whose message names paths only. */
const parseRecord = (record: SQSRecord): CostPosted => {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new ValidationError('record body is not JSON', { location: '$' });
  }
  const parsed = CostPostedEventSchema.safeParse(body);
  if (!parsed.success) {
    const paths = parsed.error.issues.slice(0, 5).map((i) => jsonPath(i.path));
    throw new ValidationError(`record is not a CostPosted event (${paths.join(', ')})`, { location: paths[0] ?? '$' });
  }
  return parsed.data.detail;
};

/** Builds the handler on the given ports. */
export const makeHandler = (deps: CostPostingDependencies): LambdaFunction<SQSEvent, SQSBatchResponse> => {
  const post = idempotentOperation<CostPosted, PostCostResult>(deps.idempotencyStore, (posting) => postCost(deps, posting));

  const processRecord = async (record: SQSRecord): Promise<void> => {
    let posting: CostPosted;
    try {
      posting = parseRecord(record);
    } catch (e) {
      logger.error('poison record on the finance postings queue', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        reason: e instanceof HemError ? e.message : 'unreadable',
      });
      throw e;
    }
    try {
      const { journalId } = await post.run({ idempotencyKey: `cost|${posting.idempotencyKey}` }, posting);
      count(METRIC.costPostings);
      logger.info('cost posted', { correlationId: posting.correlationId, idempotencyKey: posting.idempotencyKey, journalId });
    } catch (e) {
      count(METRIC.costPostingFailures);
      logger.warn('cost posting failed', {
        correlationId: posting.correlationId,
        idempotencyKey: posting.idempotencyKey,
        errorName: e instanceof Error ? e.name : typeof e,
        code: e instanceof HemError ? e.code : undefined,
        retryable: e instanceof HemError ? e.retryable : true,
      });
      throw e;
    }
  };

  return withPowertools(async (event, context) => {
    post.registerLambdaContext(context);
    // One processor per invocation: it holds the batch's state.
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false });
  });
};

export const handler = makeHandler(awsDependencies(process.env, { instrumentClient: traceAwsClient }));

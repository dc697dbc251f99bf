/**
 * Workflow task `MapUsageLines` (usage-to-replenishment, first step). Input: the EventBridge event
 * that started the execution (`SupplyUsageRecorded`). Output: `{ correlationId, mappedLines,
 * exceptionCount }`; the ASL applies `mappedLines` one by one.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { awsDependencies } from '../adapters/aws/dependencies';
import { mapUsageLines, type MapUsageLinesResult } from '../domain/use-cases/map-usage-lines';
import type { HandlerDependencies } from './shared/deps';
import { useCorrelationId } from './shared/correlation';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { count, logger, METRIC, traceAwsClient } from './shared/powertools';
import { SupplyUsageRecordedEventSchema } from './shared/schemas';
import { parseOrThrow } from './shared/validation';

export type MapUsageLinesDependencies = Pick<
  HandlerDependencies,
  'referenceData' | 'exceptions' | 'transactions' | 'audit' | 'events' | 'clock'
>;

/** Builds the handler on the given ports. */
export const makeHandler = (
  deps: MapUsageLinesDependencies,
): LambdaFunction<EventBridgeEvent<string, unknown>, MapUsageLinesResult> =>
  withPowertools(async (event) => {
    const parsed = parseOrThrow(SupplyUsageRecordedEventSchema, event, 'SupplyUsageRecorded event');
    const { detail } = parsed;
    useCorrelationId(detail.correlationId);
    const result = await mapUsageLines(deps, { usage: detail.usage, correlationId: detail.correlationId, causationId: parsed.id });
    count(METRIC.usageExceptions, result.exceptionCount);
    logger.info('usage lines mapped', {
      sourceSystem: detail.usage.sourceSystem,
      messageControlId: detail.usage.messageControlId,
      lines: detail.usage.lines.length,
      mapped: result.mappedLines.length,
      exceptions: result.exceptionCount,
    });
    return result;
  });

export const handler = makeHandler(awsDependencies(process.env, { instrumentClient: traceAwsClient }));

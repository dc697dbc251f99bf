/**
 * Powertools singletons shared by every handler of a Lambda bundle: one Logger, one Metrics
 * (namespace `HEM`, service `hem`), one Tracer. Configured by the standard POWERTOOLS_* variables.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const SERVICE_NAME = 'hem';
export const METRICS_NAMESPACE = 'HEM';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
  // Metrics' own notices go through the structured logger; "no metrics to publish" is routine for
  // query handlers, so it is debug, not a warning on every invocation.
  logger: {
    debug: (...args: unknown[]) => logger.debug(String(args[0] ?? '')),
    info: (...args: unknown[]) => logger.info(String(args[0] ?? '')),
    warn: (...args: unknown[]) => {
      const text = String(args[0] ?? '');
      if (text.startsWith('No application metrics to publish')) logger.debug(text);
      else logger.warn(text);
    },
    error: (...args: unknown[]) => logger.error(String(args[0] ?? '')),
  },
});
export const tracer = new Tracer({ serviceName: SERVICE_NAME });

/** The business and technical metrics HEM emits (EMF). */
export const METRIC = {
  usageEventsProcessed: 'UsageEventsProcessed',
  usageLinesApplied: 'UsageLinesApplied',
  reordersTriggered: 'ReordersTriggered',
  usageExceptions: 'UsageExceptions',
  costPostings: 'CostPostings',
  costPostingFailures: 'CostPostingFailures',
  messagesRejected: 'MessagesRejected',
  /** An idempotency key reused by its client for different content (refused, never dropped). */
  idempotencyKeyReused: 'IdempotencyKeyReused',
} as const;

/** Adds `value` to a count metric (skipped when zero: an EMF datapoint of 0 carries no news). */
export const count = (name: (typeof METRIC)[keyof typeof METRIC], value = 1): void => {
  if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
};

/** Traces an AWS SDK v3 client (X-Ray subsegments per call); a no-op outside Lambda. */
export const traceAwsClient = <C>(client: C): C => tracer.captureAWSv3Client(client);

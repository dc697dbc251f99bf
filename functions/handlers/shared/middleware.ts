/**
 * The middy chain every HEM handler wears: Tracer (response not captured: it may be an HL7 ACK or
 * a DLQ body), Logger context (never the event: PHI), EMF metrics flushed per invocation.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './powertools';

/** A Lambda handler as HEM writes them: async, event + context. */
export type LambdaFunction<E, R> = (event: E, context: Context) => Promise<R>;

/** Wrap `fn` in the standard middy + Powertools chain. */
export const withPowertools = <E, R>(fn: LambdaFunction<E, R>): LambdaFunction<E, R> =>
  middy(fn)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true })) as unknown as LambdaFunction<E, R>;

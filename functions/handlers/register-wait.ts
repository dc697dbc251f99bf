/**
 * Workflow task `RegisterWait`, called by `arn:aws:states:::lambda:invoke.waitForTaskToken` states
 * with `{ entity, awaited, token }` (the token is `$$.Task.Token`): keeps the token in the
 * WaitRegistry until the awaited event arrives, or completes the task at once when it arrived first.
 * Its return value is not the task's output (the callback's is); the token is never logged.
 */
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { registerWait, type WaitRegistered } from '../domain/use-cases/procurement/workflow';
import { useCorrelationId } from './shared/correlation';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { RegisterWaitInputSchema } from './shared/procurement-schemas';
import { parseOrThrow } from './shared/validation';

export type RegisterWaitDependencies = Pick<ProcurementHandlerDependencies, 'waits' | 'workflows'>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: RegisterWaitDependencies): LambdaFunction<unknown, WaitRegistered> =>
  withPowertools(async (event) => {
    const input = parseOrThrow(RegisterWaitInputSchema, event, 'RegisterWait input');
    if (input.correlationId !== undefined) useCorrelationId(input.correlationId);
    const registered = await registerWait(deps, input);
    logger.info(registered.alreadyArrived ? 'awaited event had arrived: task completed' : 'waiting for event', {
      entity: registered.entity,
      awaited: registered.awaited,
      timeoutSeconds: input.timeoutSeconds,
    });
    return registered;
  });

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

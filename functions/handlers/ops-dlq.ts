/**
 * Operator routes (IAM SigV4) for dead-letter queues:
 * - `GET /v1/ops/dlqs` → every DLQ with its depth
 * - `GET /v1/ops/dlqs/{queueName}?max=N` → up to N (default 10, max 50) messages, PHI-free by construction
 * - `POST /v1/ops/dlqs/{queueName}/redrive` → moves every message back to its source
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { ROUTES } from '../../contracts/routes';
import { awsDeadLetterQueues, clientOptionsFrom } from '../adapters/aws/lazy-clients';
import { NotFoundError } from '../domain/errors';
import type { DeadLetterQueues } from '../domain/ports';
import { clientCorrelationIdOf, correlationIdOf, useCorrelationId } from './shared/correlation';
import type { HandlerDependencies } from './shared/deps';
import { problemFor } from './shared/error-mapping';
import { actorOf, json } from './shared/http';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import { matchRoute } from './shared/router';
import { parseOrThrow } from './shared/validation';

export const DlqPeekQuerySchema = z.object({ max: z.coerce.number().int().min(1).max(50).default(10) });

const OPS_DLQ_ROUTES = ROUTES.filter((r) => r.functionId === 'OpsDlq');

/** A known queue name, or NotFoundError (so an unknown name is a 404 whatever the adapter does). */
const knownQueue = async (dlqs: DeadLetterQueues, name: string): Promise<string> => {
  const queues = await dlqs.list();
  if (!queues.some((q) => q.name === name)) throw new NotFoundError(`no dead-letter queue ${name}`);
  return name;
};

/** Builds the handler on the given ports. */
export const makeHandler = (
  deps: Pick<HandlerDependencies, 'deadLetterQueues'>,
): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> =>
  withPowertools(async (event) => {
    const correlationId = useCorrelationId(correlationIdOf(event), clientCorrelationIdOf(event));
    try {
      const { route, params } = matchRoute(event, OPS_DLQ_ROUTES);
      switch (`${route.method} ${route.path}`) {
        case 'GET /v1/ops/dlqs':
          return json(200, { queues: await deps.deadLetterQueues.list() }, correlationId);
        case 'GET /v1/ops/dlqs/{queueName}': {
          const name = await knownQueue(deps.deadLetterQueues, params.queueName ?? '');
          const { max } = parseOrThrow(DlqPeekQuerySchema, event.queryStringParameters ?? {}, 'query');
          return json(200, { queueName: name, messages: await deps.deadLetterQueues.peek(name, max) }, correlationId);
        }
        case 'POST /v1/ops/dlqs/{queueName}/redrive': {
          const name = await knownQueue(deps.deadLetterQueues, params.queueName ?? '');
          const { moved } = await deps.deadLetterQueues.redrive(name);
          // Logged, not audited: this function only has SQS access (contracts/functions.ts), and
          // each redriven message is audited again by the consumer that applies it.
          logger.info('dead-letter queue redriven', { queueName: name, moved, actor: actorOf(event) });
          return json(200, { queueName: name, moved }, correlationId);
        }
        default:
          return problemFor(new Error(`route ${route.path} has no implementation`), correlationId);
      }
    } catch (e) {
      return problemFor(e, correlationId);
    }
  });

// Only the DLQ port: composing it apart from awsDependencies() keeps DynamoDB out of this function's init.
export const handler = makeHandler({ deadLetterQueues: awsDeadLetterQueues(process.env, clientOptionsFrom(process.env, traceAwsClient)) });

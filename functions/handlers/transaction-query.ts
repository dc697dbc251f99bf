/** `GET /v1/transactions/{correlationId}`: every hop of one business transaction. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { awsDependencies } from '../adapters/aws/dependencies';
import { ValidationError } from '../domain/errors';
import { getTransaction } from '../domain/use-cases/queries';
import { correlationIdOf, isSaneCorrelationId, useCorrelationId } from './shared/correlation';
import type { HandlerDependencies } from './shared/deps';
import { problemFor } from './shared/error-mapping';
import { json, pathParameter } from './shared/http';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { traceAwsClient } from './shared/powertools';

/** Builds the handler on the given ports. */
export const makeHandler = (
  deps: Pick<HandlerDependencies, 'transactions'>,
): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> =>
  withPowertools(async (event) => {
    const correlationId = useCorrelationId(correlationIdOf(event));
    try {
      const wanted = pathParameter(event, 'correlationId');
      if (!isSaneCorrelationId(wanted)) {
        throw new ValidationError('correlationId must be 1-128 letters, digits or ._:-', { location: 'correlationId' });
      }
      return json(200, await getTransaction(deps, wanted), correlationId);
    } catch (e) {
      return problemFor(e, correlationId);
    }
  });

export const handler = makeHandler(awsDependencies(process.env, { instrumentClient: traceAwsClient }));

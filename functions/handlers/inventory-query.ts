/** `GET /v1/inventory/{locationId}/{itemId}`: on hand, par, reorder point, on order, last movements. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { awsDependencies } from '../adapters/aws/dependencies';
import { getInventory } from '../domain/use-cases/queries';
import { clientCorrelationIdOf, correlationIdOf, useCorrelationId } from './shared/correlation';
import type { HandlerDependencies } from './shared/deps';
import { problemFor } from './shared/error-mapping';
import { json, pathParameter } from './shared/http';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { traceAwsClient } from './shared/powertools';

/** Builds the handler on the given ports. */
export const makeHandler = (deps: Pick<HandlerDependencies, 'inventory'>): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> =>
  withPowertools(async (event) => {
    const correlationId = useCorrelationId(correlationIdOf(event), clientCorrelationIdOf(event));
    try {
      const { position, movements } = await getInventory(deps, pathParameter(event, 'locationId'), pathParameter(event, 'itemId'));
      return json(200, {
        locationId: position.locationId,
        itemId: position.itemId,
        onHand: position.onHand,
        onOrder: position.onOrder,
        parLevel: position.parLevel,
        reorderPoint: position.reorderPoint,
        baseUom: position.baseUom,
        updatedAt: position.updatedAt,
        movements: movements.map((m) => ({
          at: m.at,
          delta: m.delta,
          onHandAfter: m.onHandAfter,
          reason: m.reason,
          businessKey: m.businessKey,
          correlationId: m.correlationId,
        })),
      }, correlationId);
    } catch (e) {
      return problemFor(e, correlationId);
    }
  });

export const handler = makeHandler(awsDependencies(process.env, { instrumentClient: traceAwsClient }));

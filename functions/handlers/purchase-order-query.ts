/**
 * `GET /v1/purchase-orders/{poNumber}`: the PO with its receipts and invoice cases. Deny by default:
 * a supplier's client sees only its own POs, a client that is no supplier's needs `hem/po.read.all`;
 * a PO the caller may not see is 404, like one that does not exist (see `getPurchaseOrderView`).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { AuthenticationError } from '../domain/errors';
import { getPurchaseOrderView } from '../domain/use-cases/procurement/purchase-order-query';
import { clientIdOf, clientScopesOf } from './shared/client-identity';
import { clientCorrelationIdOf, correlationIdOf, useCorrelationId } from './shared/correlation';
import { problemFor } from './shared/error-mapping';
import { json, pathParameter } from './shared/http';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { traceAwsClient } from './shared/powertools';
import type { ProcurementDependencies } from './shared/procurement-deps';

export type PurchaseOrderQueryDependencies = Pick<ProcurementDependencies, 'procurement' | 'procurementConfig'>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: PurchaseOrderQueryDependencies): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> =>
  withPowertools(async (event) => {
    const correlationId = useCorrelationId(correlationIdOf(event), clientCorrelationIdOf(event));
    try {
      const clientId = clientIdOf(event);
      if (clientId === undefined) throw new AuthenticationError('an OAuth2 client-credentials token is required');
      const view = await getPurchaseOrderView(deps, pathParameter(event, 'poNumber'), { clientId, scopes: clientScopesOf(event) });
      return json(200, view, correlationId);
    } catch (e) {
      return problemFor(e, correlationId);
    }
  });

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

/**
 * Requisition routes for SaaS procurement tools and approvers (OAuth2 scopes):
 * - `POST /v1/requisitions` (hem/requisition.write): raise a requisition → 201 `{ requisitionId,
 *   status, correlationId }` (200 with the stored one when the tool resubmits the same externalRef);
 * - `GET /v1/requisitions/{requisitionId}` (hem/requisition.write or hem/requisition.approve);
 * - `POST /v1/requisitions/{requisitionId}/decision` (hem/requisition.approve): approve or reject →
 *   200 `{ requisitionId, status, decision, resumed, correlationId }`; 409 when decided otherwise.
 * The correlation id of a new requisition is HEM's (the request id), never the caller's
 * X-Correlation-Id (kept as `clientCorrelationId` on the requisition-created hop); its workflow
 * carries it to the purchase order and every event after. The actor of a decision is the token's
 * client id; the body's `approver` is only asserted by that client and is kept as `onBehalfOf`.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ROUTES } from '../../contracts/routes';
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { createRequisitionFromRequest, decideRequisition, getRequisition } from '../domain/use-cases/procurement/requisitions';
import { clientCorrelationIdOf, correlationIdOf, useCorrelationId } from './shared/correlation';
import { problemFor } from './shared/error-mapping';
import { AuthenticationError } from '../domain/errors';
import { clientIdOf } from './shared/client-identity';
import { actorOf, json, jsonBody } from './shared/http';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { countProcurement, PROCUREMENT_METRIC } from './shared/procurement-metrics';
import { ApprovalDecisionBodySchema } from './shared/procurement-schemas';
import { matchRoute } from './shared/router';
import { parseOrThrow } from './shared/validation';

const REQUISITION_ROUTES = ROUTES.filter((r) => r.functionId === 'RequisitionApi');

export type RequisitionApiDependencies = Pick<
  ProcurementHandlerDependencies,
  'procurement' | 'procurementConfig' | 'referenceData' | 'inventory' | 'workflows' | 'waits' | 'events' | 'transactions' | 'audit' | 'clock'
>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: RequisitionApiDependencies): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> =>
  withPowertools(async (event) => {
    const clientCorrelationId = clientCorrelationIdOf(event);
    const correlationId = useCorrelationId(correlationIdOf(event), clientCorrelationId);
    try {
      const { route, params } = matchRoute(event, REQUISITION_ROUTES);
      switch (`${route.method} ${route.path}`) {
        case 'POST /v1/requisitions': {
          const started = await createRequisitionFromRequest(deps, jsonBody(event), {
            correlationId,
            actor: actorOf(event),
            ...(clientCorrelationId === undefined ? {} : { clientCorrelationId }),
          });
          if (started.created) countProcurement(PROCUREMENT_METRIC.requisitionsCreated);
          const { requisition } = started;
          logger.info(started.created ? 'requisition raised' : 'requisition resubmitted', {
            requisitionId: requisition.requisitionId,
            workflowStarted: started.workflowStarted,
          });
          return json(
            started.created ? 201 : 200,
            { requisitionId: requisition.requisitionId, status: requisition.status, correlationId: requisition.correlationId },
            correlationId,
            { Location: `/v1/requisitions/${encodeURIComponent(requisition.requisitionId)}` },
          );
        }
        case 'GET /v1/requisitions/{requisitionId}':
          return json(200, await getRequisition(deps, params.requisitionId ?? ''), correlationId);
        case 'POST /v1/requisitions/{requisitionId}/decision': {
          const actor = clientIdOf(event);
          if (actor === undefined) throw new AuthenticationError('an OAuth2 client-credentials token is required');
          const decision = parseOrThrow(ApprovalDecisionBodySchema, jsonBody(event), 'approval decision');
          const recorded = await decideRequisition(deps, params.requisitionId ?? '', decision, { correlationId, actor });
          countProcurement(PROCUREMENT_METRIC.requisitionsDecided);
          const { requisition } = recorded;
          logger.info('requisition decided', { requisitionId: requisition.requisitionId, status: requisition.status, resumed: recorded.resumed });
          return json(
            200,
            {
              requisitionId: requisition.requisitionId,
              status: requisition.status,
              decision: decision.decision,
              resumed: recorded.resumed,
              correlationId: requisition.correlationId,
            },
            correlationId,
          );
        }
        default:
          return problemFor(new Error(`route ${route.path} has no implementation`), correlationId);
      }
    } catch (e) {
      return problemFor(e, correlationId);
    }
  });

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

/**
 * Operator routes (IAM SigV4) for usage exceptions and the crosswalks that cause them:
 * - `GET /v1/ops/exceptions?status=OPEN|RESOLVED&limit=N` (default OPEN)
 * - `GET /v1/ops/exceptions/{exceptionId}`
 * - `POST /v1/ops/exceptions/{exceptionId}/reprocess` → 202
 * - `PUT /v1/ops/crosswalks/charge-codes/{sourceSystem}/{chargeCode}` body `{ itemId }`
 * - `PUT /v1/ops/crosswalks/departments/{sourceSystem}/{facilityCode}/{departmentCode}` body `{ locationId, costCenter }`
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { ROUTES } from '../../contracts/routes';
import { awsDependencies } from '../adapters/aws/dependencies';
import { upsertChargeCode, upsertDepartment } from '../domain/use-cases/crosswalks';
import { DEFAULT_EXCEPTION_LIMIT, getException, listExceptions, reprocessException } from '../domain/use-cases/exceptions';
import { clientCorrelationIdOf, correlationIdOf, useCorrelationId } from './shared/correlation';
import type { HandlerDependencies } from './shared/deps';
import { problemFor } from './shared/error-mapping';
import { actorOf, json, jsonBody } from './shared/http';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import { matchRoute } from './shared/router';
import { ChargeCodeCrosswalkBodySchema, DepartmentCrosswalkBodySchema } from './shared/payload-schemas';
import { parseOrThrow } from './shared/validation';

/** Query of the exception list. */
export const ExceptionListQuerySchema = z.object({
  status: z.enum(['OPEN', 'RESOLVED']).default('OPEN'),
  limit: z.coerce.number().int().min(1).max(500).default(DEFAULT_EXCEPTION_LIMIT),
});

const OPS_EXCEPTION_ROUTES = ROUTES.filter((r) => r.functionId === 'OpsExceptions');

export type OpsExceptionsDependencies = Pick<
  HandlerDependencies,
  'exceptions' | 'events' | 'transactions' | 'audit' | 'clock' | 'referenceData'
>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: OpsExceptionsDependencies): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> =>
  withPowertools(async (event) => {
    const correlationId = useCorrelationId(correlationIdOf(event), clientCorrelationIdOf(event));
    try {
      const { route, params } = matchRoute(event, OPS_EXCEPTION_ROUTES);
      const actor = actorOf(event);
      switch (`${route.method} ${route.path}`) {
        case 'GET /v1/ops/exceptions': {
          const query = parseOrThrow(ExceptionListQuerySchema, event.queryStringParameters ?? {}, 'query');
          const exceptions = await listExceptions(deps, query.status, query.limit);
          return json(200, { status: query.status, count: exceptions.length, exceptions }, correlationId);
        }
        case 'GET /v1/ops/exceptions/{exceptionId}':
          return json(200, await getException(deps, params.exceptionId ?? ''), correlationId);
        case 'POST /v1/ops/exceptions/{exceptionId}/reprocess': {
          const result = await reprocessException(deps, params.exceptionId ?? '', actor);
          logger.info('exception reprocessed', { exceptionId: result.exceptionId, transaction: result.correlationId });
          return json(202, result, correlationId);
        }
        case 'PUT /v1/ops/crosswalks/charge-codes/{sourceSystem}/{chargeCode}': {
          const body = parseOrThrow(ChargeCodeCrosswalkBodySchema, jsonBody(event), 'charge-code crosswalk');
          const entry = await upsertChargeCode(
            deps,
            { sourceSystem: params.sourceSystem ?? '', chargeCode: params.chargeCode ?? '', itemId: body.itemId },
            { actor, correlationId },
          );
          return json(200, entry, correlationId);
        }
        case 'PUT /v1/ops/crosswalks/departments/{sourceSystem}/{facilityCode}/{departmentCode}': {
          const body = parseOrThrow(DepartmentCrosswalkBodySchema, jsonBody(event), 'department crosswalk');
          const entry = await upsertDepartment(
            deps,
            {
              sourceSystem: params.sourceSystem ?? '',
              facilityCode: params.facilityCode ?? '',
              departmentCode: params.departmentCode ?? '',
              ...body,
            },
            { actor, correlationId },
          );
          return json(200, entry, correlationId);
        }
        default:
          return problemFor(new Error(`route ${route.path} has no implementation`), correlationId);
      }
    } catch (e) {
      return problemFor(e, correlationId);
    }
  });

export const handler = makeHandler(awsDependencies(process.env, { instrumentClient: traceAwsClient }));

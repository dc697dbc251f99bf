/**
 * Operator routes (IAM SigV4) that act on the whole system:
 * - `POST /v1/ops/replays` body `{ from, to, ruleNames? }` → 202: replays the bus archive over
 *   [from, to) to every rule (or the named ones). Safe because every consumer is idempotent.
 * - `GET /v1/ops/audit/verify` → 200 `{ ok: true, count, headHash }` or `{ ok: false, brokenAtSeq,
 *   reason }`: recomputes the audit hash chain. A broken chain is a finding, not a failed request.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ROUTES } from '../../contracts/routes';
import { awsDependencies } from '../adapters/aws/dependencies';
import { startReplay, verifyAuditChain } from '../domain/use-cases/operations';
import { correlationIdOf, useCorrelationId } from './shared/correlation';
import type { HandlerDependencies } from './shared/deps';
import { problemFor } from './shared/error-mapping';
import { actorOf, json, jsonBody } from './shared/http';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import { matchRoute } from './shared/router';
import { ReplayRequestBodySchema } from './shared/payload-schemas';
import { parseOrThrow } from './shared/validation';

const OPS_ADMIN_ROUTES = ROUTES.filter((r) => r.functionId === 'OpsAdmin');

export type OpsAdminDependencies = Pick<HandlerDependencies, 'eventReplayer' | 'audit' | 'clock'>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: OpsAdminDependencies): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> =>
  withPowertools(async (event, context) => {
    const correlationId = useCorrelationId(correlationIdOf(event));
    try {
      const { route } = matchRoute(event, OPS_ADMIN_ROUTES);
      switch (`${route.method} ${route.path}`) {
        case 'POST /v1/ops/replays': {
          const window = parseOrThrow(ReplayRequestBodySchema, jsonBody(event), 'replay');
          const started = await startReplay(deps, window, context.awsRequestId);
          // Logged, not audited: a replay changes nothing by itself; each consumer audits what it applies.
          logger.info('archive replay started', { replayName: started.replayName, from: window.from, to: window.to, ruleNames: window.ruleNames, actor: actorOf(event) });
          return json(202, { ...started, from: window.from, to: window.to, ...(window.ruleNames === undefined ? {} : { ruleNames: window.ruleNames }) }, correlationId);
        }
        case 'GET /v1/ops/audit/verify': {
          const verdict = await verifyAuditChain(deps);
          if (!verdict.ok) logger.error('audit chain is broken', { brokenAtSeq: verdict.brokenAtSeq, reason: verdict.reason });
          return json(200, verdict, correlationId);
        }
        default:
          return problemFor(new Error(`route ${route.path} has no implementation`), correlationId);
      }
    } catch (e) {
      return problemFor(e, correlationId);
    }
  });

export const handler = makeHandler(awsDependencies(process.env, { instrumentClient: traceAwsClient }));

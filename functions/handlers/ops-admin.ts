/**
 * Operator routes (IAM SigV4) that act on the whole system:
 * - `POST /v1/ops/replays` body `{ from, to, ruleNames? }` → 202: replays the bus archive over
 *   [from, to) to every rule (or the named ones). Safe because every consumer is idempotent.
 * - `GET /v1/ops/audit/verify` → 200 `{ ok: true, count, headHash }` or `{ ok: false, brokenAtSeq,
 *   reason }`: recomputes the audit hash chain. A broken chain is a finding, not a failed request.
 * - `GET /v1/ops/stuck?olderThan=10m&limit=50&cursor=…` → 200 `{ receivedSince, receivedBefore,
 *   transactions: [{ correlationId, receivedAt, status, lines }], cursor? }`: transactions received
 *   longer ago than `olderThan` (default 10m, at most 7d; within the last 7 days before that) whose
 *   status is not `completed`. Bounded per call; `cursor` reads on.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { ROUTES } from '../../contracts/routes';
import { awsDependencies } from '../adapters/aws/dependencies';
import { startReplay, verifyAuditChain } from '../domain/use-cases/operations';
import { listStuckTransactions, parseAge, STUCK_DEFAULT_LIMIT, STUCK_MAX_LIMIT } from '../domain/use-cases/queries';
import { clientCorrelationIdOf, correlationIdOf, useCorrelationId } from './shared/correlation';
import type { HandlerDependencies } from './shared/deps';
import { problemFor } from './shared/error-mapping';
import { actorOf, json, jsonBody } from './shared/http';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import { matchRoute } from './shared/router';
import { ReplayRequestBodySchema } from './shared/payload-schemas';
import { parseOrThrow } from './shared/validation';

const OPS_ADMIN_ROUTES = ROUTES.filter((r) => r.functionId === 'OpsAdmin');

export type OpsAdminDependencies = Pick<HandlerDependencies, 'eventReplayer' | 'audit' | 'transactions' | 'clock'>;

/** A position in the received-message index: `<ISO time>#<correlationId>`, base64url in the query string. */
const POSITION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z#[A-Za-z0-9._:-]{1,128}$/;
const decodeCursor = (cursor: string): string | undefined => {
  const position = Buffer.from(cursor, 'base64url').toString('utf8');
  return POSITION.test(position) && !Number.isNaN(Date.parse(position.slice(0, position.indexOf('#')))) ? position : undefined;
};

export const StuckQuerySchema = z.object({
  olderThan: z.string().default('10m'),
  limit: z.coerce.number().int().min(1).max(STUCK_MAX_LIMIT).default(STUCK_DEFAULT_LIMIT),
  cursor: z
    .string()
    .max(400)
    .transform((cursor, ctx) => {
      const position = decodeCursor(cursor);
      if (position !== undefined) return position;
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this route returned' });
      return z.NEVER;
    })
    .optional(),
});

/** Builds the handler on the given ports. */
export const makeHandler = (deps: OpsAdminDependencies): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> =>
  withPowertools(async (event, context) => {
    const correlationId = useCorrelationId(correlationIdOf(event), clientCorrelationIdOf(event));
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
        case 'GET /v1/ops/stuck': {
          const query = parseOrThrow(StuckQuerySchema, event.queryStringParameters ?? {}, 'query');
          const view = await listStuckTransactions(deps, {
            olderThanMs: parseAge(query.olderThan),
            limit: query.limit,
            ...(query.cursor === undefined ? {} : { after: query.cursor }),
          });
          const { next, ...rest } = view;
          return json(200, { ...rest, ...(next === undefined ? {} : { cursor: Buffer.from(next, 'utf8').toString('base64url') }) }, correlationId);
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

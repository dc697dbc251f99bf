/**
 * Invoice routes for AP clerks and suppliers (OAuth2 scopes):
 * - `GET /v1/invoices?status=exception|matched|open|rejected|paid&limit=N` (hem/invoice.read) →
 *   200 `{ status?, count, invoices }`, newest first;
 * - `GET /v1/invoices/{invoiceId}` (hem/invoice.read) → 200 the invoice with its match;
 * - `POST /v1/invoices/{invoiceId}/resolution` (hem/invoice.resolve) body `{ action, clerk, note? }` →
 *   200 `{ invoiceId, action, status, next, replay, resumed }`; 409 when the invoice is not in
 *   exception or the action does not fit its reasons.
 * `invoiceId` is the invoice case id (`<supplierId>|<invoiceNumber>|<ISA13>|<ST02>`, URL-encoded in
 * the path). Who sees what comes from the token only, deny by default: a supplier's client (its OAuth
 * client id is on file) sees its own invoices only (another supplier's answers 404) and may not
 * resolve (403); a client holding `hem/invoice.read.all` is AP and sees every supplier's; any other
 * client sees none (list 403, one invoice 404, resolve 403). The actor of a resolution is the token's
 * client id; the body's `clerk` is only asserted by that client and is kept as `onBehalfOf`.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ROUTES } from '../../contracts/routes';
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { AuthenticationError } from '../domain/errors';
import { getInvoice, invoiceViewerFor, listInvoices, resolveInvoice, type InvoiceViewer } from '../domain/use-cases/procurement/invoices';
import { clientIdOf, clientScopesOf } from './shared/client-identity';
import { clientCorrelationIdOf, correlationIdOf, useCorrelationId } from './shared/correlation';
import { problemFor } from './shared/error-mapping';
import { json, jsonBody } from './shared/http';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import {
  countReceiptInvoice,
  InvoiceListQuerySchema,
  InvoiceResolutionBodySchema,
  RECEIPT_INVOICE_METRIC,
} from './shared/receipt-invoice-schemas';
import { matchRoute } from './shared/router';
import { parseOrThrow } from './shared/validation';

const INVOICE_ROUTES = ROUTES.filter((r) => r.functionId === 'InvoiceApi');

export type InvoiceApiDependencies = Pick<
  ProcurementHandlerDependencies,
  'procurement' | 'procurementConfig' | 'referenceData' | 'waits' | 'workflows' | 'events' | 'transactions' | 'audit' | 'clock'
>;

/** Who is calling, from the token's client id and scopes (never from the body). */
const callerOf = async (deps: InvoiceApiDependencies, event: APIGatewayProxyEvent): Promise<{ clientId: string; viewer: InvoiceViewer }> => {
  const clientId = clientIdOf(event);
  if (clientId === undefined) throw new AuthenticationError('an OAuth2 client-credentials token is required');
  return { clientId, viewer: await invoiceViewerFor(deps, { clientId, scopes: clientScopesOf(event) }) };
};

/** Builds the handler on the given ports. */
export const makeHandler = (deps: InvoiceApiDependencies): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> =>
  withPowertools(async (event) => {
    const correlationId = useCorrelationId(correlationIdOf(event), clientCorrelationIdOf(event));
    try {
      const { route, params } = matchRoute(event, INVOICE_ROUTES);
      const { clientId, viewer } = await callerOf(deps, event);
      switch (`${route.method} ${route.path}`) {
        case 'GET /v1/invoices': {
          const query = parseOrThrow(InvoiceListQuerySchema, event.queryStringParameters ?? {}, 'query');
          const invoices = await listInvoices(deps, viewer, query);
          return json(200, { ...(query.status === undefined ? {} : { status: query.status }), count: invoices.length, invoices }, correlationId);
        }
        case 'GET /v1/invoices/{invoiceId}':
          return json(200, await getInvoice(deps, viewer, params.invoiceId ?? ''), correlationId);
        case 'POST /v1/invoices/{invoiceId}/resolution': {
          const resolution = parseOrThrow(InvoiceResolutionBodySchema, jsonBody(event), 'resolution');
          const resolved = await resolveInvoice(deps, viewer, params.invoiceId ?? '', resolution, { correlationId, actor: clientId });
          if (!resolved.replay) countReceiptInvoice(RECEIPT_INVOICE_METRIC.invoiceResolutions);
          logger.info(resolved.replay ? 'invoice resolution sent again' : 'invoice resolved', {
            invoiceId: resolved.invoice.invoiceId,
            action: resolved.action,
            status: resolved.invoice.status,
            resumed: resolved.resumed,
          });
          return json(
            200,
            {
              invoiceId: resolved.invoice.invoiceId,
              action: resolved.action,
              status: resolved.invoice.status,
              next: resolved.next,
              replay: resolved.replay,
              resumed: resolved.resumed,
              correlationId: resolved.invoice.correlationId,
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

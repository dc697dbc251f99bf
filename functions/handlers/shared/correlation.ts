/**
 * The correlation id of a business transaction: always HEM's own — the API Gateway request id when
 * it is sane, else a fresh UUID — never the caller's. A caller that sends `X-Correlation-Id` could
 * otherwise name another transaction's id and attach its hops to it. The caller's value, when sane,
 * is kept as `clientCorrelationId`: logged on every line of the invocation and stored on the
 * transaction's first hop, so a partner can still find its request. Every log line carries both.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { logger } from './powertools';

/** Letters, digits and `._:-`, 1 to 128 characters: safe in logs, headers and keys. */
const SANE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A header value, whatever the case of its name (API Gateway keeps the caller's casing). */
export const headerOf = (event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
};

/** True when `value` may be used as a correlation id. */
export const isSaneCorrelationId = (value: string | undefined): value is string =>
  value !== undefined && SANE_CORRELATION_ID.test(value);

/** The correlation id HEM gives the transaction an API request starts (see module comment). */
export const correlationIdOf = (event: Pick<APIGatewayProxyEvent, 'requestContext'>): string => {
  const requestId = event.requestContext?.requestId;
  return isSaneCorrelationId(requestId) ? requestId : randomUUID();
};

/** The caller's own `X-Correlation-Id` when it is sane: a reference to keep, never the transaction id. */
export const clientCorrelationIdOf = (event: Pick<APIGatewayProxyEvent, 'headers'>): string | undefined => {
  const fromCaller = headerOf(event, 'X-Correlation-Id')?.trim();
  return isSaneCorrelationId(fromCaller) ? fromCaller : undefined;
};

/**
 * Adds `correlationId` (and the caller's `clientCorrelationId`, when it sent one) to every following
 * log line of this invocation (reset by injectLambdaContext).
 */
export const useCorrelationId = (correlationId: string, clientCorrelationId?: string): string => {
  logger.appendKeys({ correlationId, ...(clientCorrelationId === undefined ? {} : { clientCorrelationId }) });
  return correlationId;
};

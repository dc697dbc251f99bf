/**
 * The correlation id of a business transaction: taken from the caller's `X-Correlation-Id` when it
 * is sane, else the API Gateway request id. Every log line of the invocation carries it.
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

/** The correlation id of an API request (see module comment). */
export const correlationIdOf = (event: Pick<APIGatewayProxyEvent, 'headers' | 'requestContext'>): string => {
  const fromCaller = headerOf(event, 'X-Correlation-Id')?.trim();
  if (isSaneCorrelationId(fromCaller)) return fromCaller;
  const requestId = event.requestContext?.requestId;
  return isSaneCorrelationId(requestId) ? requestId : randomUUID();
};

/** Adds `correlationId` to every following log line of this invocation (reset by injectLambdaContext). */
export const useCorrelationId = (correlationId: string): string => {
  logger.appendKeys({ correlationId });
  return correlationId;
};

/**
 * The ONE place a failure becomes an HTTP status and problem body:
 * ValidationError 400 · NotFoundError 404 · ConflictError 409 · AuthenticationError 401 ·
 * AuthorizationError 403 · IdempotencyKeyReusedError 422 · any retryable HemError (upstream, concurrency, infrastructure) 503 ·
 * everything else 500 with a generic detail. 4xx details are the HemError's own message (PHI-free
 * by contract); 5xx never expose internals. Every 5xx is logged with the error's name and code only.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  AuthenticationError,
  AuthorizationError,
  ConflictError,
  HemError,
  IdempotencyKeyReusedError,
  isRetryable,
  NotFoundError,
  ValidationError,
} from '../../domain/errors';
import { problem } from './http';
import { logger } from './powertools';

/** Problem types: stable URNs clients can switch on. */
const problemType = (code: string): string => `urn:hem:problem:${code.toLowerCase().replaceAll('_', '-')}`;

/** HTTP status for any thrown value. */
export const httpStatusFor = (e: unknown): number => {
  if (e instanceof ValidationError) return 400;
  if (e instanceof AuthenticationError) return 401;
  if (e instanceof AuthorizationError) return 403;
  if (e instanceof NotFoundError) return 404;
  if (e instanceof ConflictError) return 409;
  if (e instanceof IdempotencyKeyReusedError) return 422;
  if (e instanceof HemError && e.retryable) return 503;
  return 500;
};

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  422: 'Unprocessable content',
  500: 'Internal error',
  503: 'Service temporarily unavailable',
};

/**
 * What a log line may say about a failure without PHI: its name, HEM code and whether a retry can
 * help — never the raw message of a foreign error. A foreign error counts as retryable.
 */
export const failureFacts = (e: unknown): { errorName: string; code: string | undefined; retryable: boolean } => ({
  errorName: e instanceof Error ? e.name : typeof e,
  code: e instanceof HemError ? e.code : undefined,
  retryable: isRetryable(e),
});

/** Logs a failure without PHI (see `failureFacts`). */
export const logFailure = (e: unknown, status: number): void => {
  const { errorName, code } = failureFacts(e);
  const facts = {
    errorName,
    code,
    causeName: e instanceof Error && e.cause instanceof Error ? e.cause.name : undefined,
    status,
  };
  if (status >= 500) logger.error(e instanceof HemError ? e.message : 'unexpected failure', facts);
  else logger.warn(e instanceof HemError ? e.message : 'request refused', facts);
};

/** The problem response for a failure (and the log line). */
export const problemFor = (e: unknown, correlationId: string): APIGatewayProxyResult => {
  const status = httpStatusFor(e);
  logFailure(e, status);
  const title = TITLES[status] ?? 'Error';
  if (status === 503) {
    return problem(
      {
        type: problemType(e instanceof HemError ? e.code : 'unavailable'),
        title,
        status,
        detail: 'A system HEM depends on is temporarily unavailable; retry later with the same request.',
        correlationId,
      },
      { 'Retry-After': '5' },
    );
  }
  if (status === 500) {
    return problem({
      type: problemType('internal_error'),
      title,
      status,
      detail: 'HEM could not process the request; quote the correlation id when reporting it.',
      correlationId,
    });
  }
  const error = e as HemError;
  return problem({
    type: problemType(error.code),
    title,
    status,
    detail: error.message,
    correlationId,
    ...((e instanceof ValidationError || e instanceof IdempotencyKeyReusedError) && e.location !== undefined ? { location: e.location } : {}),
  });
};

/** API Gateway proxy responses: JSON bodies and RFC 9457 problem details. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ValidationError } from '../../domain/errors';

/** Every response carries the transaction's correlation id. */
const baseHeaders = (correlationId: string, contentType: string): Record<string, string> => ({
  'Content-Type': contentType,
  'X-Correlation-Id': correlationId,
  'Cache-Control': 'no-store',
});

/** A JSON response. */
export const json = (
  statusCode: number,
  body: unknown,
  correlationId: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers: { ...baseHeaders(correlationId, 'application/json'), ...headers },
  body: JSON.stringify(body),
});

/** An RFC 9457 problem body. `location` names the offending field (JSON path, header, HL7 field). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  correlationId: string;
  location?: string;
}

/** An `application/problem+json` response. */
export const problem = (
  fields: Omit<Problem, 'type'> & { type?: string },
  headers: Record<string, string> = {},
): APIGatewayProxyResult => {
  const body: Problem = { type: fields.type ?? 'about:blank', ...fields };
  if (body.location === undefined) delete body.location;
  return {
    statusCode: fields.status,
    headers: { ...baseHeaders(fields.correlationId, 'application/problem+json'), ...headers },
    body: JSON.stringify(body),
  };
};

/** A plain-text response (HL7 ACKs). */
export const text = (statusCode: number, body: string, contentType: string, correlationId: string): APIGatewayProxyResult => ({
  statusCode,
  headers: baseHeaders(correlationId, contentType),
  body,
});

/** The request body as text, decoding API Gateway's base64 for binary media types. */
export const bodyText = (event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): string => {
  if (event.body === null || event.body === undefined) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
};

/**
 * The request body parsed as JSON. A syntax error becomes a `ValidationError` without the parser's
 * message, which quotes the input (and the input may hold PHI).
 */
export const jsonBody = (event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): unknown => {
  const raw = bodyText(event);
  if (raw.trim() === '') throw new ValidationError('the request body is empty', { location: '$' });
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ValidationError('the request body is not valid JSON', { location: '$' });
  }
};

/** Who called: the OAuth client id (Cognito authorizer), else the IAM caller, else `unknown`. */
export const actorOf = (event: Pick<APIGatewayProxyEvent, 'requestContext'>): string => {
  const context = event.requestContext;
  const authorizer = (context?.authorizer ?? {}) as Record<string, unknown>;
  const claims = (authorizer.claims ?? authorizer) as Record<string, unknown>;
  for (const candidate of [claims.client_id, claims.sub, authorizer.principalId, context?.identity?.userArn, context?.identity?.caller]) {
    if (typeof candidate === 'string' && candidate !== '') return candidate;
  }
  return 'unknown';
};

/** A path parameter (URL-decoded), or a ValidationError naming it. */
export const pathParameter = (event: Pick<APIGatewayProxyEvent, 'pathParameters'>, name: string): string => {
  const raw = event.pathParameters?.[name];
  let value: string | undefined;
  try {
    value = raw === undefined || raw === null ? undefined : decodeURIComponent(raw);
  } catch {
    value = undefined;
  }
  if (value === undefined || value.trim() === '' || value.length > 128) {
    throw new ValidationError(`path parameter ${name} is missing, malformed or too long`, { location: name });
  }
  return value;
};

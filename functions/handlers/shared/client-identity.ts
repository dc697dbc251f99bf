/** The authenticated OAuth client of an API request, for object-level authorization. */
import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * The OAuth client id the Cognito authorizer verified (`claims.client_id` of a client-credentials
 * access token), or `undefined` on a route without a token. Unlike `actorOf` it never falls back to
 * another identity: authorization decisions are made on the client id only.
 */
export const clientIdOf = (event: Pick<APIGatewayProxyEvent, 'requestContext'>): string | undefined => {
  const authorizer = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
  const claims = (authorizer.claims ?? {}) as Record<string, unknown>;
  const clientId = claims.client_id;
  return typeof clientId === 'string' && clientId !== '' ? clientId : undefined;
};

/**
 * The OAuth scopes the Cognito authorizer verified (`claims.scope`, space-separated), empty on a
 * route without a token. Object-level authorization needs a positive scope for cross-supplier reads.
 */
export const clientScopesOf = (event: Pick<APIGatewayProxyEvent, 'requestContext'>): string[] => {
  const authorizer = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
  const claims = (authorizer.claims ?? {}) as Record<string, unknown>;
  const scope = claims.scope;
  return typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [];
};

/**
 * Dispatch inside a handler that serves several routes of `contracts/routes.ts`. Matches on API
 * Gateway's `resource` (the route template) and falls back to matching the concrete `path`
 * against the templates, so path parameters are available either way.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { RouteDefinition } from '../../../contracts/routes';
import { NotFoundError } from '../../domain/errors';

export interface RouteMatch {
  route: RouteDefinition;
  /** Path parameters, URL-decoded. */
  params: Record<string, string>;
}

const templateRegex = (template: string): RegExp =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([A-Za-z0-9_]+)\}/g, '(?<$1>[^/]+)')}/?$`);

const safeDecode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** The route of `event` among `routes`; `NotFoundError` when none matches. */
export const matchRoute = (
  event: Pick<APIGatewayProxyEvent, 'httpMethod' | 'resource' | 'path' | 'pathParameters'>,
  routes: readonly RouteDefinition[],
): RouteMatch => {
  const candidates = routes.filter((r) => r.method === event.httpMethod);
  const byResource = candidates.find((r) => r.path === event.resource);
  if (byResource !== undefined) {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (v !== undefined) params[k] = safeDecode(v);
    return { route: byResource, params };
  }
  for (const route of candidates) {
    const match = templateRegex(route.path).exec(event.path ?? '');
    if (match !== null) {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(match.groups ?? {})) params[k] = safeDecode(v);
      return { route, params };
    }
  }
  throw new NotFoundError(`no route ${event.httpMethod} ${event.resource ?? event.path}`);
};

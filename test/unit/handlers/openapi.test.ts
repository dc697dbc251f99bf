import { apiEvent, bodyOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { ROUTES, SCOPES } from '../../../contracts/routes';
import { buildOpenApiDocument, makeHandler } from '../../../functions/handlers/openapi';
import { lambdaContext } from '../fakes';

type Doc = {
  openapi: string;
  servers?: { url: string }[];
  paths: Record<string, Record<string, { security: Record<string, string[]>[]; responses: Record<string, unknown>; operationId: string }>>;
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, Record<string, unknown>> };
};

/** Every `$ref` in a value. */
const refs = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refs(v)));
  }
  return [];
};

describe('openapi', () => {
  const doc = buildOpenApiDocument({ tokenUrl: 'https://auth.example/oauth2/token' }) as Doc;

  it('is an OpenAPI 3.1 document with every route of contracts/routes.ts', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const route of ROUTES) expect(doc.paths[route.path]?.[route.method.toLowerCase()]).toBeTruthy();
  });

  it('secures partner routes with Cognito client-credentials scopes and ops routes with SigV4', () => {
    const flows = doc.components.securitySchemes.cognito!.flows as { clientCredentials: { tokenUrl: string; scopes: Record<string, string> } };
    expect(flows.clientCredentials.tokenUrl).toBe('https://auth.example/oauth2/token');
    expect(Object.keys(flows.clientCredentials.scopes).sort()).toStrictEqual(Object.values(SCOPES).sort());
    expect(doc.components.securitySchemes.sigv4!['x-amazon-apigateway-authtype']).toBe('awsSigv4');
    expect(doc.paths['/v1/usage-events']!.post!.security).toStrictEqual([{ cognito: ['hem/usage.write'] }]);
    expect(doc.paths['/v1/ops/dlqs']!.get!.security).toStrictEqual([{ sigv4: [] }]);
  });

  it('has unique operation ids and resolves every $ref to a component', () => {
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const ref of refs(doc.paths)) {
      const name = ref.replace('#/components/schemas/', '');
      expect(doc.components.schemas[name]).toBeTruthy();
    }
  });

  it('includes the zod-derived request schema and the canonical event schemas', () => {
    const usage = doc.components.schemas.UsageRecordRequest!;
    expect((usage.required as string[]).sort()).toStrictEqual(['facilityCode', 'lines', 'occurredAt', 'recordId', 'sourceSystem']);
    for (const name of ['SupplyUsageRecorded', 'InventoryPositionChanged', 'ReplenishmentRequested', 'CostPosted', 'UsageExceptionRaised']) {
      expect(doc.components.schemas[name]).toBeTruthy();
      expect('$schema' in doc.components.schemas[name]!).toBe(false);
    }
  });

  it('serves the document with the caller host as server', async () => {
    const response = await makeHandler({}, {})(apiEvent({ resource: '/v1/openapi.json', headers: { Host: 'abc123.execute-api.us-east-1.amazonaws.com' } }), lambdaContext());
    expect(response.statusCode).toBe(200);
    const served = bodyOf<Doc>(response);
    expect(served.servers).toStrictEqual([{ url: 'https://abc123.execute-api.us-east-1.amazonaws.com/v1' }]);
    const flows = served.components.securitySchemes.cognito!.flows as { clientCredentials: { tokenUrl: string } };
    expect(flows.clientCredentials.tokenUrl).toBe('https://abc123.execute-api.us-east-1.amazonaws.com/oauth2/token');
  });
});

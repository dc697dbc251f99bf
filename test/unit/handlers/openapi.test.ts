import { apiEvent, bodyOf } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    assert.equal(doc.openapi, '3.1.0');
    for (const route of ROUTES) assert.ok(doc.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`);
  });

  it('secures partner routes with Cognito client-credentials scopes and ops routes with SigV4', () => {
    const flows = doc.components.securitySchemes.cognito!.flows as { clientCredentials: { tokenUrl: string; scopes: Record<string, string> } };
    assert.equal(flows.clientCredentials.tokenUrl, 'https://auth.example/oauth2/token');
    assert.deepEqual(Object.keys(flows.clientCredentials.scopes).sort(), Object.values(SCOPES).sort());
    assert.equal(doc.components.securitySchemes.sigv4!['x-amazon-apigateway-authtype'], 'awsSigv4');
    assert.deepEqual(doc.paths['/v1/usage-events']!.post!.security, [{ cognito: ['hem/usage.write'] }]);
    assert.deepEqual(doc.paths['/v1/ops/dlqs']!.get!.security, [{ sigv4: [] }]);
  });

  it('has unique operation ids and resolves every $ref to a component', () => {
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    assert.equal(new Set(ids).size, ids.length);
    for (const ref of refs(doc.paths)) {
      const name = ref.replace('#/components/schemas/', '');
      assert.ok(doc.components.schemas[name], `${ref} is not a component`);
    }
  });

  it('includes the zod-derived request schema and the canonical event schemas', () => {
    const usage = doc.components.schemas.UsageRecordRequest!;
    assert.deepEqual((usage.required as string[]).sort(), ['facilityCode', 'lines', 'occurredAt', 'recordId', 'sourceSystem']);
    for (const name of ['SupplyUsageRecorded', 'InventoryPositionChanged', 'ReplenishmentRequested', 'CostPosted', 'UsageExceptionRaised']) {
      assert.ok(doc.components.schemas[name], name);
      assert.equal('$schema' in doc.components.schemas[name]!, false);
    }
  });

  it('serves the document with the caller host as server', async () => {
    const response = await makeHandler({}, {})(apiEvent({ resource: '/v1/openapi.json', headers: { Host: 'abc123.execute-api.us-east-1.amazonaws.com' } }), lambdaContext());
    assert.equal(response.statusCode, 200);
    const served = bodyOf<Doc>(response);
    assert.deepEqual(served.servers, [{ url: 'https://abc123.execute-api.us-east-1.amazonaws.com/v1' }]);
    const flows = served.components.securitySchemes.cognito!.flows as { clientCredentials: { tokenUrl: string } };
    assert.equal(flows.clientCredentials.tokenUrl, 'https://abc123.execute-api.us-east-1.amazonaws.com/oauth2/token');
  });
});

/**
 * `GET /v1/openapi.json`: the API catalog as an OpenAPI 3.1 document, built from the route table
 * (`contracts/routes.ts`) and the zod schemas (`z.toJSONSchema`, JSON Schema 2020-12 = OpenAPI 3.1's
 * dialect). Partner routes use the Cognito OAuth2 client-credentials scheme with their scopes; ops
 * routes use IAM SigV4. The canonical event schemas are included as components for consumers.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { EVENT_CATALOG } from '../../contracts/events';
import { ChargeCodeCrosswalkSchema, DepartmentCrosswalkSchema } from '../../contracts/reference';
import { ROUTES, SCOPES, type RouteDefinition, type Scope } from '../../contracts/routes';
import { UsageMessageSchema, UsageRecordRequestSchema } from '../../contracts/usage';
import { clientCorrelationIdOf, correlationIdOf, headerOf, useCorrelationId } from './shared/correlation';
import type { HandlerDependencies } from './shared/deps';
import { problemFor } from './shared/error-mapping';
import { json } from './shared/http';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { DockReceiptBodySchema } from './shared/receipt-invoice-schemas';
import { ChargeCodeCrosswalkBodySchema, DepartmentCrosswalkBodySchema, ReplayRequestBodySchema } from './shared/schemas';

/** Environment variable with the OAuth2 token endpoint (the Cognito domain's `/oauth2/token`). */
export const TOKEN_URL_ENV = 'HEM_OAUTH_TOKEN_URL';

const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  correlationId: z.string(),
  location: z.string().optional().describe('The offending field: JSON path, header or HL7 field'),
});

const UsageAcceptedSchema = z.object({
  correlationId: z.string(),
  messages: z.number().int(),
  lines: z.number().int(),
});

const FhirResourceSchema = z
  .object({ resourceType: z.enum(['Procedure', 'ChargeItem', 'SupplyDelivery', 'Bundle']) })
  .passthrough()
  .describe('A FHIR R4 Procedure, ChargeItem, SupplyDelivery or a Bundle of them');

const MovementSchema = z.object({
  at: z.string(),
  delta: z.number(),
  onHandAfter: z.number(),
  reason: z.enum(['USAGE', 'REVERSAL', 'RECEIPT', 'ADJUSTMENT', 'ON_ORDER_RELEASED']),
  /** How on order changed with the movement (negative: received or released); absent when it did not. */
  onOrderDelta: z.number().optional(),
  onOrderAfter: z.number().optional(),
  businessKey: z.string(),
  correlationId: z.string(),
});

const InventoryViewSchema = z.object({
  locationId: z.string(),
  itemId: z.string(),
  onHand: z.number(),
  onOrder: z.number(),
  parLevel: z.number(),
  reorderPoint: z.number(),
  baseUom: z.string(),
  updatedAt: z.string(),
  movements: z.array(MovementSchema).max(10),
});

const TransactionHopSchema = z.object({
  correlationId: z.string(),
  hop: z.enum(['received', 'rejected', 'mapped', 'exception', 'applied', 'duplicate', 'reorder', 'cost-posted', 'cost-post-failed', 'reprocessed', 'dead-lettered']),
  status: z.enum(['ok', 'error', 'skipped']),
  at: z.string(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

const TransactionStatusSchema = z
  .enum(['in-progress', 'completed', 'partial', 'failed', 'untracked'])
  .describe(
    'From the usage lines: in-progress (some not settled), completed (every line applied), partial (all settled, some applied, some excepted or dead-lettered), ' +
      'failed (all settled and none applied, the message dead-lettered, or rejected at ingest), untracked (no usage message: read the hops)',
  );
const TransactionLinesSchema = z.object({
  expected: z.number().int(),
  applied: z.number().int(),
  excepted: z.number().int(),
  deadLettered: z.number().int(),
  pending: z.number().int(),
});

const TransactionViewSchema = z.object({
  correlationId: z.string(),
  status: TransactionStatusSchema,
  lines: TransactionLinesSchema,
  hops: z.array(TransactionHopSchema),
});

const StuckTransactionsSchema = z.object({
  receivedSince: z.string(),
  receivedBefore: z.string(),
  transactions: z.array(z.object({ correlationId: z.string(), receivedAt: z.string(), status: TransactionStatusSchema, lines: TransactionLinesSchema })),
  cursor: z.string().optional().describe('Pass as ?cursor= to read on; absent when the window is exhausted'),
});

const UsageExceptionSchema = z.object({
  exceptionId: z.string(),
  status: z.enum(['OPEN', 'RESOLVED']),
  businessKey: z.string(),
  correlationId: z.string(),
  reasons: z.array(z.string()),
  usage: UsageMessageSchema,
  lineNumber: z.number().int(),
  createdAt: z.string(),
  resolvedAt: z.string().optional(),
});

const ExceptionListSchema = z.object({
  status: z.enum(['OPEN', 'RESOLVED']),
  count: z.number().int(),
  exceptions: z.array(UsageExceptionSchema),
});

const ReprocessAcceptedSchema = z.object({ exceptionId: z.string(), correlationId: z.string() });

const DlqListSchema = z.object({
  queues: z.array(z.object({ name: z.string(), sourceQueue: z.string(), depth: z.number().int() })),
});
const DlqMessagesSchema = z.object({
  queueName: z.string(),
  messages: z.array(
    z.object({
      messageId: z.string(),
      body: z.string(),
      receiveCount: z.number().int(),
      sentAt: z.string(),
      attributes: z.record(z.string(), z.string()),
    }),
  ),
});
const DlqRedriveSchema = z.object({ queueName: z.string(), moved: z.number().int() });
const ReplayStartedSchema = z.object({
  replayName: z.string(),
  state: z.enum(['STARTING', 'RUNNING', 'CANCELLING', 'COMPLETED', 'CANCELLED', 'FAILED']),
  eventCount: z.number().int().optional().describe('Archived events in the window, when known up front'),
  from: z.string(),
  to: z.string(),
  ruleNames: z.array(z.string()).optional(),
});
const AuditVerificationSchema = z.union([
  z.object({ ok: z.literal(true), count: z.number().int(), headHash: z.string() }),
  z.object({ ok: z.literal(false), brokenAtSeq: z.number().int(), reason: z.enum(['HASH_MISMATCH', 'PREVIOUS_HASH_MISMATCH', 'SEQUENCE_GAP']) }),
]);

/** Component name → zod schema. */
const COMPONENTS: Record<string, z.ZodType> = {
  Problem: ProblemSchema,
  UsageRecordRequest: UsageRecordRequestSchema,
  FhirResource: FhirResourceSchema,
  UsageAccepted: UsageAcceptedSchema,
  UsageMessage: UsageMessageSchema,
  InventoryView: InventoryViewSchema,
  TransactionView: TransactionViewSchema,
  UsageException: UsageExceptionSchema,
  ExceptionList: ExceptionListSchema,
  ReprocessAccepted: ReprocessAcceptedSchema,
  ChargeCodeCrosswalkBody: ChargeCodeCrosswalkBodySchema,
  ChargeCodeCrosswalk: ChargeCodeCrosswalkSchema,
  DepartmentCrosswalkBody: DepartmentCrosswalkBodySchema,
  DepartmentCrosswalk: DepartmentCrosswalkSchema,
  DeadLetterQueues: DlqListSchema,
  DeadLetterMessages: DlqMessagesSchema,
  DeadLetterRedrive: DlqRedriveSchema,
  ReplayRequestBody: ReplayRequestBodySchema,
  ReplayStarted: ReplayStartedSchema,
  AuditVerification: AuditVerificationSchema,
  StuckTransactions: StuckTransactionsSchema,
  ReceiptBody: DockReceiptBodySchema,
  ...Object.fromEntries(Object.entries(EVENT_CATALOG).map(([name, entry]) => [name, entry.schema])),
};

/** JSON Schema 2020-12 of a zod schema, without the `$schema` member (components inherit the dialect). */
const jsonSchemaOf = (schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any', io }) as Record<string, unknown>;
  return rest;
};

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (name: string): Record<string, unknown> => ({ 'application/json': { schema: ref(name) } });
const problemResponse = (description: string): Record<string, unknown> => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

// Typed by Scope: a scope added to contracts/routes.ts does not compile until it is described here.
const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  [SCOPES.usageWrite]: 'Submit supply usage (HL7 v2, FHIR, canonical JSON)',
  [SCOPES.inventoryRead]: 'Read inventory positions',
  [SCOPES.transactionsRead]: 'Read business transactions',
  [SCOPES.catalogRead]: 'Read the item catalog and the API catalog',
  [SCOPES.ediWrite]: 'Submit X12 EDI interchanges',
  [SCOPES.poRead]: 'Read purchase orders (a supplier\'s client: its own only)',
  [SCOPES.poReadAll]: 'Read every supplier\'s purchase orders (hospital clients; with hem/po.read)',
  [SCOPES.requisitionWrite]: 'Create requisitions (SaaS procurement tools)',
  [SCOPES.requisitionApprove]: 'Approve or reject requisitions',
  [SCOPES.receiptWrite]: 'Record goods receipts at the receiving dock',
  [SCOPES.invoiceRead]: 'Read supplier invoices and their match status (a supplier\'s client: its own only)',
  [SCOPES.invoiceReadAll]: 'Read every supplier\'s invoices (AP clerks; with hem/invoice.read)',
  [SCOPES.invoiceResolve]: 'Resolve invoice match exceptions',
};

const correlationHeader = {
  'X-Correlation-Id': { description: 'The business transaction id', schema: { type: 'string' } },
};

/** Operation details per route (`METHOD path`); routes not listed get a generic JSON 200. */
const operationDetails = (route: RouteDefinition): Record<string, unknown> => {
  const common = {
    '401': problemResponse('Missing or invalid credentials'),
    '403': problemResponse('Not allowed for this client'),
    '500': problemResponse('Internal error'),
    '503': problemResponse('A dependency is temporarily unavailable; retry'),
  };
  const ok = (status: string, description: string, component: string): Record<string, unknown> => ({
    [status]: { description, headers: correlationHeader, content: jsonContent(component) },
  });
  switch (`${route.method} ${route.path}`) {
    case 'POST /v1/hl7': {
      const er7 = Object.fromEntries((route.contentTypes ?? []).map((t) => [t, { schema: { type: 'string' } }]));
      return {
        requestBody: { required: true, description: 'One HL7 v2.x DFT^P03 message (ER7)', content: er7 },
        responses: {
          '200': { description: 'HL7 ACK with MSA-1 = AA', headers: correlationHeader, content: { 'application/hl7-v2': { schema: { type: 'string' } } } },
          '400': { description: 'HL7 ACK with MSA-1 = AE or AR and an ERR segment', headers: correlationHeader, content: { 'application/hl7-v2': { schema: { type: 'string' } } } },
          ...common,
        },
      };
    }
    case 'POST /v1/usage-events':
      return {
        parameters: [
          { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 128 } },
          { name: 'X-Correlation-Id', in: 'header', required: false, schema: { type: 'string', maxLength: 128 } },
          { name: 'X-Source-System', in: 'header', required: false, description: 'Sending system of FHIR resources that do not carry one', schema: { type: 'string' } },
          { name: 'X-Facility-Code', in: 'header', required: false, description: 'Facility of FHIR resources that do not carry one', schema: { type: 'string' } },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { oneOf: [ref('UsageRecordRequest'), ref('FhirResource')] } },
            'application/fhir+json': { schema: ref('FhirResource') },
          },
        },
        responses: { ...ok('202', 'Accepted: the usage is recorded and being processed', 'UsageAccepted'), '400': problemResponse('Invalid usage; `location` names the JSON path'), ...common },
      };
    case 'GET /v1/inventory/{locationId}/{itemId}':
      return { responses: { ...ok('200', 'The inventory position', 'InventoryView'), '404': problemResponse('Item not stocked at the location'), ...common } };
    case 'GET /v1/transactions/{correlationId}':
      return { responses: { ...ok('200', 'Every hop of the transaction', 'TransactionView'), '404': problemResponse('Unknown correlation id'), ...common } };
    case 'GET /v1/ops/exceptions':
      return {
        parameters: [
          { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['OPEN', 'RESOLVED'], default: 'OPEN' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 } },
        ],
        responses: { ...ok('200', 'Usage exceptions', 'ExceptionList'), ...common },
      };
    case 'GET /v1/ops/exceptions/{exceptionId}':
      return { responses: { ...ok('200', 'One usage exception', 'UsageException'), '404': problemResponse('Unknown exception'), ...common } };
    case 'POST /v1/ops/exceptions/{exceptionId}/reprocess':
      return {
        responses: {
          ...ok('202', 'The line is being reprocessed', 'ReprocessAccepted'),
          '404': problemResponse('Unknown exception'),
          '409': problemResponse('The exception is already resolved'),
          ...common,
        },
      };
    case 'PUT /v1/ops/crosswalks/charge-codes/{sourceSystem}/{chargeCode}':
      return {
        requestBody: { required: true, content: jsonContent('ChargeCodeCrosswalkBody') },
        responses: { ...ok('200', 'The crosswalk entry', 'ChargeCodeCrosswalk'), '400': problemResponse('Unknown item'), ...common },
      };
    case 'PUT /v1/ops/crosswalks/departments/{sourceSystem}/{facilityCode}/{departmentCode}':
      return {
        requestBody: { required: true, content: jsonContent('DepartmentCrosswalkBody') },
        responses: { ...ok('200', 'The crosswalk entry', 'DepartmentCrosswalk'), '400': problemResponse('Unknown location or cost center'), ...common },
      };
    case 'GET /v1/ops/dlqs':
      return { responses: { ...ok('200', 'Dead-letter queues and their depth', 'DeadLetterQueues'), ...common } };
    case 'GET /v1/ops/dlqs/{queueName}':
      return {
        parameters: [{ name: 'max', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 50, default: 10 } }],
        responses: { ...ok('200', 'Messages in the queue', 'DeadLetterMessages'), '404': problemResponse('Unknown queue'), ...common },
      };
    case 'POST /v1/ops/dlqs/{queueName}/redrive':
      return {
        responses: {
          ...ok('200', 'Messages moved back to the source queue, or re-published to the bus', 'DeadLetterRedrive'),
          '404': problemResponse('Unknown queue'),
          '409': problemResponse('The queue has no redrive path (inspect only)'),
          ...common,
        },
      };
    case 'POST /v1/ops/replays':
      return {
        requestBody: { required: true, content: jsonContent('ReplayRequestBody') },
        responses: {
          ...ok('202', 'The replay started; it runs asynchronously', 'ReplayStarted'),
          '400': problemResponse('Invalid window or unknown rule'),
          '409': problemResponse('A replay of that name exists, or too many replays run'),
          ...common,
        },
      };
    case 'GET /v1/ops/audit/verify':
      return { responses: { ...ok('200', 'The verdict: ok with the count and head hash, or the first broken record', 'AuditVerification'), ...common } };
    case 'GET /v1/ops/stuck':
      return {
        parameters: [
          { name: 'olderThan', in: 'query', required: false, schema: { type: 'string', pattern: '^\\d{1,7}[smhd]$', default: '10m' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
        ],
        responses: { ...ok('200', 'Transactions received before the window that are not completed, oldest first', 'StuckTransactions'), '400': problemResponse('Invalid olderThan, limit or cursor'), ...common },
      };
    case 'POST /v1/receipts': {
      const receipt = { 'application/json': { schema: { type: 'object' } } };
      return {
        requestBody: {
          required: true,
          description: 'Either a dock count (`receiptId`, `lines`) or a ship notice confirmed (`shipmentId`, no `lines`): received exactly as that 856 shipped',
          content: jsonContent('ReceiptBody'),
        },
        responses: {
          '201': { description: 'Received: the receipt (`source` DOCK or ASN) and the stock it moved', headers: correlationHeader, content: receipt },
          '200': { description: 'The same receipt again (`duplicate: true`): nothing moved twice', headers: correlationHeader, content: receipt },
          '400': problemResponse('Invalid body (both or neither of `lines` and `shipmentId`), unknown PO line or unit; `location` names it'),
          '404': problemResponse('Unknown purchase order, or a shipment it did not take'),
          '409': problemResponse('Over-receipt, closed PO, receipt id used for other goods, or a shipment another receipt received'),
          ...common,
        },
      };
    }
    case 'GET /v1/openapi.json':
      return { responses: { '200': { description: 'This document', content: { 'application/json': { schema: { type: 'object' } } } }, ...common } };
    default:
      return { responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } }, ...common } };
  }
};

const operationId = (route: RouteDefinition): string =>
  `${route.method.toLowerCase()}${route.path
    .split('/')
    .filter((s) => s !== '' && s !== 'v1')
    .map((s) => s.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase()))
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('')}`;

export interface OpenApiOptions {
  /** The OAuth2 token endpoint (Cognito domain or the local issuer). */
  tokenUrl: string;
  /** Base URL of the API (the stage URL). */
  serverUrl?: string;
}

/** The OpenAPI 3.1 document of every route in `contracts/routes.ts`. */
export const buildOpenApiDocument = (options: OpenApiOptions): Record<string, unknown> => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const pathParameters = [...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string', maxLength: 128 },
    }));
    const details = operationDetails(route);
    const parameters = [...pathParameters, ...((details.parameters as unknown[] | undefined) ?? [])];
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: operationId(route),
      summary: route.summary,
      tags: [route.auth === 'iam' ? 'operations' : 'partners'],
      security: route.auth === 'iam' ? [{ sigv4: [] }] : [{ cognito: [...(route.scopes ?? [])] }],
      ...details,
      ...(parameters.length > 0 ? { parameters } : {}),
    };
  }
  const schemas = Object.fromEntries(
    Object.entries(COMPONENTS).map(([name, schema]) => [name, jsonSchemaOf(schema, name.endsWith('Request') || name.endsWith('Body') ? 'input' : 'output')]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'HEM — Healthcare ERP Middleware',
      version: '1',
      description:
        'EHR supply usage (HL7 v2 DFT^P03, FHIR R4, canonical JSON) to inventory, replenishment and cost posting. ' +
        'Every response carries X-Correlation-Id; GET /v1/transactions/{correlationId} shows each hop.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    ...(options.serverUrl === undefined ? {} : { servers: [{ url: options.serverUrl }] }),
    tags: [
      { name: 'partners', description: 'EHR interfaces, suppliers and SaaS platforms (OAuth2 client credentials)' },
      { name: 'operations', description: 'Operators and the hem CLI (IAM SigV4)' },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        cognito: {
          type: 'oauth2',
          description: 'Amazon Cognito OAuth2 client credentials; one app client per partner, scopes per route',
          flows: { clientCredentials: { tokenUrl: options.tokenUrl, scopes: SCOPE_DESCRIPTIONS } },
        },
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4 with IAM credentials (service execute-api)',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  };
};

/** The origin the request came to (`https://host`), from the Host and X-Forwarded-Proto headers. */
const originOf = (event: APIGatewayProxyEvent): string | undefined => {
  const host = headerOf(event, 'Host');
  if (host === undefined || !/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) return undefined;
  const proto = headerOf(event, 'X-Forwarded-Proto') === 'http' || /^(127\.0\.0\.1|localhost)(:|$)/.test(host) ? 'http' : 'https';
  return `${proto}://${host}`;
};

/** Builds the handler (it needs no ports). */
export const makeHandler = (
  _deps: Partial<HandlerDependencies> = {},
  env: Record<string, string | undefined> = process.env,
): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> => {
  // Schemas do not change at runtime: convert them once per container and origin.
  const documents = new Map<string, string>();
  return withPowertools(async (event) => {
    const correlationId = useCorrelationId(correlationIdOf(event), clientCorrelationIdOf(event));
    try {
      const origin = originOf(event);
      const stage = event.requestContext?.stage;
      const key = `${origin ?? ''}|${stage ?? ''}`;
      let body = documents.get(key);
      if (body === undefined) {
        // execute-api URLs carry the stage in the path; custom domains and the local gateway do not.
        const stageInPath = origin?.endsWith('.amazonaws.com') === true && stage !== undefined && stage !== '$default';
        const serverUrl = origin === undefined ? undefined : stageInPath ? `${origin}/${stage}` : origin;
        const tokenUrl = env[TOKEN_URL_ENV] ?? `${origin ?? ''}/oauth2/token`;
        body = JSON.stringify(buildOpenApiDocument({ tokenUrl, ...(serverUrl === undefined ? {} : { serverUrl }) }));
        documents.set(key, body);
      }
      const response = json(200, null, correlationId, { 'Cache-Control': 'public, max-age=300' });
      return { ...response, body };
    } catch (e) {
      return problemFor(e, correlationId);
    }
  });
};

export const handler = makeHandler();

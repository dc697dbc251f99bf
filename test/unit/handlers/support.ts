/**
 * Handler test support. Import it FIRST in a handler test: it quiets Powertools before the handler
 * modules create their Logger and Metrics (logs are captured on demand with `captureLogs`), and it
 * builds the event shapes AWS delivers (API Gateway REST proxy, EventBridge, SQS).
 */
import './quiet-powertools';
import { expect } from '@jest/globals';
import { EVENT_BUS_PLACEHOLDER } from '../../../contracts/routing';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';

export interface ApiEventInput {
  method?: string;
  /** The route template, e.g. `/v1/inventory/{locationId}/{itemId}`. */
  resource: string;
  /** Values for the template's parameters (the concrete path is derived). */
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestId?: string;
  /** Cognito authorizer claims (JWT routes). */
  claims?: Record<string, string>;
  /** IAM caller ARN (SigV4 routes). */
  userArn?: string;
}

let requestCounter = 0;

/** An API Gateway REST (v1) proxy event. */
export const apiEvent = (input: ApiEventInput): APIGatewayProxyEvent => {
  requestCounter += 1;
  const path = input.resource.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => encodeURIComponent(input.pathParameters?.[name] ?? ''));
  const requestId = input.requestId ?? `c0ffee00-0000-4000-8000-${String(requestCounter).padStart(12, '0')}`;
  return {
    resource: input.resource,
    path,
    httpMethod: input.method ?? 'GET',
    headers: { Host: 'api.hem.example', ...(input.headers ?? {}) },
    multiValueHeaders: {},
    queryStringParameters: input.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: input.pathParameters ?? null,
    stageVariables: null,
    body: input.body ?? null,
    isBase64Encoded: input.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      authorizer: input.claims === undefined ? null : { claims: input.claims },
      protocol: 'HTTP/1.1',
      httpMethod: input.method ?? 'GET',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '10.0.0.1',
        user: null,
        userAgent: 'hem-test',
        userArn: input.userArn ?? null,
      },
      path: `/v1${path}`,
      stage: 'v1',
      requestId,
      requestTimeEpoch: 1_741_944_600_000,
      resourceId: 'res123',
      resourcePath: input.resource,
    },
  };
};

/** An EventBridge event as a Step Functions target receives it. */
export const eventBridgeEvent = <D>(
  source: string,
  detailType: string,
  detail: D,
  id = 'b9a5c0e1-0000-4000-8000-000000000001',
): EventBridgeEvent<string, D> => ({
  version: '0',
  id,
  'detail-type': detailType,
  source,
  account: '123456789012',
  time: '2025-03-14T09:30:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

/** One SQS record carrying `body`. */
export const sqsRecord = (body: string, messageId: string, receiveCount = 1): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: '1741944600000',
    SenderId: 'AIDAEXAMPLE',
    ApproximateFirstReceiveTimestamp: '1741944600001',
  },
  messageAttributes: {},
  md5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:hem-FinancePostings',
  awsRegion: 'us-east-1',
});

/** An SQS batch event. */
export const sqsEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records });

/** The parsed JSON body of a response. */
export const bodyOf = <T = Record<string, unknown>>(response: APIGatewayProxyResult): T => JSON.parse(response.body) as T;

/** A response header, whatever its case. */
export const headerOf = (response: APIGatewayProxyResult, name: string): string | undefined => {
  const entry = Object.entries(response.headers ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return entry === undefined ? undefined : String(entry[1]);
};

/** Powertools JSON log lines written while a capture is active; `undefined` = discard them. */
let captured: Record<string, unknown>[] | undefined;

/** Filters Powertools' JSON lines out of stdout/stderr (the test runner's own output passes through). */
const installLogFilter = (stream: NodeJS.WriteStream): void => {
  const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    const candidates = text.split('\n').filter((l) => l.trim() !== '');
    const logLines = candidates.filter((l) => l.startsWith('{') && l.includes('"service":"hem"'));
    if (logLines.length > 0 && logLines.length === candidates.length) {
      for (const l of logLines) captured?.push(JSON.parse(l) as Record<string, unknown>);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }
    return original(chunk, ...rest);
  }) as typeof stream.write;
};
installLogFilter(process.stdout);
installLogFilter(process.stderr);

/** Runs `fn` and returns the Powertools log lines it wrote. */
export const captureLogs = async <T>(fn: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> => {
  const lines: Record<string, unknown>[] = [];
  captured = lines;
  try {
    return { result: await fn(), lines };
  } finally {
    captured = undefined;
  }
};

/**
 * Asserts that every one of these ASL Task states retries, always with full-jitter backoff, and that
 * every Lambda task (its Resource names a FunctionArn) retries Lambda's service errors and HEM's
 * retryable errors.
 */
export const assertTasksRetry = (tasks: [string, Record<string, unknown>][]): void => {
  for (const [, task] of tasks) {
    const retries = (task.Retry ?? []) as { ErrorEquals: string[]; JitterStrategy?: string }[];
    expect(retries.length > 0).toBeTruthy();
    expect(retries.every((r) => r.JitterStrategy === 'FULL')).toBeTruthy();
    if (String(task.Resource).includes('FunctionArn')) {
      const errors = retries.flatMap((r) => r.ErrorEquals);
      for (const expected of ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'ConcurrencyError', 'InfrastructureError']) {
        expect(errors.includes(expected)).toBeTruthy();
      }
    }
  }
};

/** Substitute `${Name}` as CloudFormation's DefinitionSubstitutions does. */
export const substitute = (text: string, values: Record<string, string>): string =>
  text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => values[name] ?? whole);

export const SUBSTITUTIONS: Record<string, string> = {
  MapUsageLinesFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:hem-MapUsageLines',
  ApplyUsageLineFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:hem-ApplyUsageLine',
  WorkflowDeadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/hem-usage-to-replenishment-dlq',
  [EVENT_BUS_PLACEHOLDER]: 'hem-test',
};

/**
 * The Lambda bench measures what is deployed: its bundle of a handler is byte-for-byte the one
 * CDK's NodejsFunction builds through ServiceFunction, its baseline loads exactly the declared SDK
 * clients, and it tells SDK packages loaded at init from those loaded on first use.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Metafile } from 'esbuild';
import { baselineSource, bundle, sdkImportsOf } from '../../../bench/lambda-init';
import { PROJECT_ROOT } from '../../../lib/hem-app';
import { LAMBDA_NODE_ENVIRONMENT } from '../../../lib/constructs/lambda-bundling';

/** Bundles live under node_modules so `@aws-sdk/*` resolves as in Lambda; a fresh clone has no cache folder yet. */
const cacheDir = (): string => {
  const dir = path.join(PROJECT_ROOT, 'node_modules/.cache');
  mkdirSync(dir, { recursive: true });
  return dir;
};
import { ServiceFunction } from '../../../lib/constructs/service-function';

const ENTRY = 'functions/handlers/openapi.ts';

describe('bench bundles like the deployment', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'hem-bench-cdk-'));
  const benchDir = mkdtempSync(path.join(cacheDir(), 'hem-bench-test-'));
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(benchDir, { recursive: true, force: true });
  });

  it('builds the same index.mjs as ServiceFunction and starts it with the same NODE_OPTIONS', async () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'BenchParity');
    const fn = new ServiceFunction(stack, 'OpenApi', {
      projectRoot: PROJECT_ROOT,
      entry: ENTRY,
      description: 'bench parity',
      memorySize: 256,
      timeout: Duration.seconds(5),
      reservedConcurrentExecutions: 1,
      encryptionKey: new kms.Key(stack, 'Key'),
      logRetention: logs.RetentionDays.ONE_DAY,
      removalPolicy: RemovalPolicy.DESTROY,
      asyncDeadLetterQueue: new sqs.Queue(stack, 'Dlq'),
      serviceName: 'hem',
      metricsNamespace: 'HEM',
    });
    app.synth();
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.') && existsSync(path.join(outdir, d, 'index.mjs')));
    expect(assets.length).toBe(1);
    const deployed = readFileSync(path.join(outdir, assets[0] as string, 'index.mjs'));
    expect(deployed.toString('utf8')).not.toMatch(/from\s*"node:http"/);
    expect(existsSync(path.join(outdir, assets[0] as string, 'index.mjs.map'))).toBeTruthy();

    const benched = await bundle(PROJECT_ROOT, ENTRY, path.join(benchDir, 'index.mjs'));
    expect(benched.mapKb > 0).toBeTruthy();
    expect(readFileSync(benched.file).equals(deployed)).toBeTruthy();

    const environment = Stack.of(fn).resolve((fn.function.node.defaultChild as { environment?: unknown }).environment) as {
      variables: Record<string, string>;
    };
    expect(environment.variables.NODE_OPTIONS).toBe(LAMBDA_NODE_ENVIRONMENT.NODE_OPTIONS);
  });
});

describe('LAMBDA_BUNDLING shims', () => {
  const dir = mkdtempSync(path.join(cacheDir(), 'hem-shim-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives ESM imports of node:http the very module object require returns, default and named', async () => {
    const entry = path.join(dir, 'entry.mjs');
    writeFileSync(
      entry,
      [
        "import http from 'node:http';",
        "import { request, STATUS_CODES } from 'node:http';",
        'export const handler = () => ({ http, request, STATUS_CODES, closing: WebSocket.CLOSING, closed: WebSocket.CLOSED });',
      ].join('\n'),
    );
    const built = await bundle(PROJECT_ROOT, entry, path.join(dir, 'out', 'index.mjs'));
    const text = readFileSync(built.file, 'utf8');
    expect(text).not.toMatch(/from\s*"node:http"/);
    expect(text).not.toMatch(/WebSocket\./);
    const mod = (await import(pathToFileURL(built.file).href)) as { handler: () => Record<string, unknown> };
    const exported = mod.handler();
    const http = createRequire(import.meta.url)('http') as { request: unknown; STATUS_CODES: unknown };
    expect(exported.http).toBe(http);
    expect(exported.request).toBe(http.request);
    expect(exported.STATUS_CODES).toBe(http.STATUS_CODES);
    expect(exported.closing).toBe(2);
    expect(exported.closed).toBe(3);
  });
});

describe('bench baseline', () => {
  it('imports exactly the declared SDK clients, in a stable order, and constructs none', () => {
    const source = baselineSource(['lib-dynamodb', 'client-eventbridge', 'client-dynamodb', 'lib-dynamodb']);
    const imports = source.split('\n').filter((l) => l.startsWith('import '));
    expect(imports).toStrictEqual([
      "import '@aws-sdk/client-dynamodb';",
      "import '@aws-sdk/client-eventbridge';",
      "import '@aws-sdk/lib-dynamodb';",
    ]);
    expect(source).not.toMatch(/\bnew\b/);
    expect(baselineSource(['client-sqs', 'client-eventbridge'])).toBe(baselineSource(['client-eventbridge', 'client-sqs']));
  });

  it('is an empty module for a function without SDK clients', () => {
    expect(baselineSource([])
        .split('\n')
        .filter((l) => l.startsWith('import '))).toStrictEqual([]);
  });
});

describe('SDK imports of a bundle', () => {
  const metafile = (imports: { path: string; kind: string; external?: boolean }[]): Metafile =>
    ({ inputs: {}, outputs: { 'index.mjs': { imports, exports: [], inputs: {}, bytes: 1 } } }) as unknown as Metafile;

  it('tells packages evaluated at init from those loaded on first use', () => {
    const sdk = sdkImportsOf(
      metafile([
        { path: '@aws-sdk/client-dynamodb', kind: 'import-statement', external: true },
        { path: '@aws-sdk/lib-dynamodb', kind: 'import-statement', external: true },
        { path: '@aws-sdk/client-eventbridge', kind: 'dynamic-import', external: true },
        { path: '@aws-sdk/client-dynamodb', kind: 'dynamic-import', external: true },
        { path: 'node:crypto', kind: 'import-statement', external: true },
      ]),
    );
    expect(sdk.atInit).toStrictEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']);
    expect(sdk.onFirstUse).toStrictEqual(['@aws-sdk/client-eventbridge']);
  });
});

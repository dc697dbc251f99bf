/**
 * Lambda bundle size and cold-init benchmark. Every entry of `contracts/functions.ts` is bundled
 * with exactly the esbuild options `ServiceFunction` gives `NodejsFunction`
 * (`lib/constructs/lambda-bundling.ts`: ESM, node24, minified, external source map, `@aws-sdk/*`
 * external because the nodejs24.x runtime provides AWS SDK v3) and started with the runtime's
 * `NODE_OPTIONS` (source maps enabled) and a Lambda-like environment.
 *
 * Baseline of a function = a bundle that imports the AWS SDK clients the function declares
 * (`sdkClients`) and nothing else. It constructs no client because HEM's composition root
 * (`functions/adapters/aws/dependencies.ts`) constructs none at init: every client is created on
 * first use (`test/unit/adapters/aws-dependencies.test.ts` holds it to that).
 *
 * Handler side: a fresh process imports the handler bundle (`initMs`, the analogue of Lambda's Init
 * Duration: runtime start + module init), then the baseline module in the same process
 * (`coldMs`). A declared client the handler already loaded costs nothing the second time; one it
 * defers to its first call (dynamic `import()`) is loaded then, so deferring an SDK import moves
 * cost without hiding it. `ratio` = coldMs ÷ baselineMs: exactly the same SDK packages on both
 * sides, the difference is HEM's own code and libraries. Medians of N runs, handler and baseline
 * interleaved so machine noise hits both alike.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import type { FunctionDefinition } from '../contracts/functions';
import { LAMBDA_NODE_ENVIRONMENT, esbuildOptionsFor } from '../lib/constructs/lambda-bundling';
import { median, round } from './stats';

export interface LambdaBenchOptions {
  root: string;
  functions: readonly FunctionDefinition[];
  /** Measured runs per function (plus one discarded warm-up run). */
  runs: number;
  /** The node binary that plays the Lambda runtime. */
  nodeBin: string;
  /** Per-process timeout. */
  timeoutMs?: number;
  /**
   * `no-source-maps`: bundle without a source map and start without `--enable-source-maps`. NOT the
   * deployed configuration: only to show what source maps cost at init.
   */
  whatIf?: WhatIf;
}

/** Deliberate departures from the deployed configuration, for what-if measurements only. */
export type WhatIf = 'no-source-maps';

export interface FunctionBenchResult {
  id: string;
  entry: string;
  sdkClients: readonly string[];
  /** Minified bundle size without the external AWS SDK (the `.map` next to it not counted). */
  bundleKb?: number;
  /** Size of the bundle's source map, which the runtime reads at init (`--enable-source-maps`). */
  sourceMapKb?: number;
  baselineKb?: number;
  /** Median ms from process start to the handler module evaluated (Lambda's Init Duration analogue). */
  initMs?: number;
  /** Median ms from process start to the handler module evaluated plus every declared SDK client loaded. */
  coldMs?: number;
  /** Median ms from process start to the baseline (declared SDK clients only) evaluated. */
  baselineMs?: number;
  /**
   * coldMs ÷ baselineMs (goal ≤ 1.25), as the median of the per-round ratios: each round runs the
   * handler and its baseline back to back, so a burst of load elsewhere on the machine hits a pair
   * rather than one side of the comparison.
   */
  ratio?: number;
  /**
   * The same ratio in CPU time (user + system of the process, median of the per-round ratios): less
   * sensitive to other load on a shared machine than wall time; a wide gap between the two says the
   * run was noisy.
   */
  cpuRatio?: number;
  /** Median ms spent in the dynamic import alone (module graph evaluation, runtime start excluded). */
  importMs?: number;
  baselineImportMs?: number;
  /** Largest contributors to the bundle, by package, in KB. */
  topInputs?: { input: string; kb: number }[];
  /** AWS SDK packages the bundle imports statically: evaluated at init. */
  sdkAtInit?: string[];
  /** Declared SDK clients the bundle loads only on first use (dynamic import). */
  sdkDeferred?: string[];
  /** SDK packages the bundle evaluates at init that `sdkClients` does not declare (their cost counts against the handler). */
  sdkUndeclared?: string[];
  /** SDK packages the bundle may load on first use that `sdkClients` does not declare (not timed). */
  sdkUndeclaredOnFirstUse?: string[];
  runs: number;
  /**
   * The entry looks like a placeholder (tiny bundle, or none of its declared SDK clients imported):
   * its figures say nothing about the real handler yet.
   */
  placeholder?: boolean;
  withinSizeBudget?: boolean;
  withinInitGoal?: boolean;
  /** Why a figure is missing: bundling failed, or importing the bundle failed. */
  error?: string;
}

export const SIZE_BUDGET_KB = 600;
export const INIT_GOAL_RATIO = 1.25;

const OUT_DIR_RELATIVE = 'node_modules/.cache/hem-bench';

/**
 * Source of the SDK-only baseline for a set of clients (order-independent): each declared client's
 * package imported (evaluated) and nothing constructed, like HEM's handlers at init.
 */
export function baselineSource(sdkClients: readonly string[]): string {
  const packages = [...new Set(sdkClients)].sort().map((c) => `@aws-sdk/${c}`);
  return [
    '// Generated by bench/lambda-init.ts: the AWS SDK clients a function declares, loaded, nothing else.',
    ...packages.map((p) => `import '${p}';`),
    `export const handler = async () => ${packages.length};`,
    '',
  ].join('\n');
}

/**
 * Environment a deployed HEM Lambda has: the runtime's (region, function identity, task root, X-Ray
 * daemon, `NODE_OPTIONS` from the shared bundling definition), Powertools settings, HEM table/bus names.
 */
const lambdaEnvironment = async (
  root: string,
  functionId: string,
  taskRoot: string,
  bundleText: string,
  whatIf?: WhatIf,
): Promise<Record<string, string>> => {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    ...(whatIf === 'no-source-maps' ? {} : LAMBDA_NODE_ENVIRONMENT),
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAHEMBENCHEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'hem-bench-not-a-secret',
    AWS_SESSION_TOKEN: 'hem-bench-session',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: `hem-bench-${functionId}`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/hem-bench-${functionId}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/26/[$LATEST]0123456789abcdef',
    // Active tracing: the X-Ray SDK starts in Lambda mode (facade segment) as it does in the runtime.
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    _AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129',
    _AWS_XRAY_DAEMON_PORT: '2000',
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_LAMBDA_LOG_LEVEL: 'INFO',
    POWERTOOLS_SERVICE_NAME: 'hem',
    POWERTOOLS_METRICS_NAMESPACE: 'HEM',
    POWERTOOLS_LOGGER_LOG_EVENT: 'false',
    POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
  };
  // The HEM variable names come from the adapters' own list when it exists; values are placeholders.
  const values: Record<string, string> = {
    HEM_TABLE_IDEMPOTENCY: 'hem-bench-idempotency',
    HEM_TABLE_AUDIT: 'hem-bench-audit',
    HEM_TABLE_OPERATIONS: 'hem-bench-operations',
    HEM_TABLE_REFERENCE: 'hem-bench-reference',
    HEM_EVENT_BUS_NAME: 'hem-bench-bus',
    HEM_FINANCE_URL: 'http://127.0.0.1:9',
    HEM_FINANCE_TIMEOUT_MS: '5000',
    HEM_ENCOUNTER_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hem-bench-encounter-key-AbCdEf',
    HEM_DLQS: JSON.stringify([
      {
        name: 'finance-postings-dlq',
        dlqUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/hem-bench-finance-postings-dlq',
        sourceUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/hem-bench-finance-postings',
      },
    ]),
  };
  const names = new Set(Object.keys(values));
  try {
    const mod = (await import(pathToFileURL(path.join(root, 'functions/adapters/aws/environment.ts')).href)) as { HEM_ENV?: Record<string, string> };
    for (const name of Object.values(mod.HEM_ENV ?? {})) {
      names.add(name);
    }
  } catch {
    // The list is a convenience; the scan of the bundle below finds the names as well.
  }
  for (const match of bundleText.matchAll(/\bHEM_[A-Z0-9_]+\b/g)) {
    names.add(match[0]);
  }
  for (const name of names) {
    env[name] = values[name] ?? `hem-bench-${name.toLowerCase().replace(/_/g, '-')}`;
  }
  return env;
};

interface ProbeResult {
  ok: boolean;
  initMs?: number;
  /** initMs plus the optional second module (`HEM_BENCH_THEN`) imported. */
  coldMs?: number;
  importMs?: number;
  /** CPU time (user + system, all threads) of the process at the same two moments. */
  initCpuMs?: number;
  coldCpuMs?: number;
  error?: string;
}

/**
 * Runs inside the fresh process: import the bundle, report the time since process start; then
 * import `HEM_BENCH_THEN` (the declared SDK clients) when given, and report again.
 */
const PROBE = `
const started = performance.now();
let out;
try {
  const mod = await import(process.env.HEM_BENCH_MODULE);
  const ready = performance.now();
  const readyCpu = process.cpuUsage();
  if (process.env.HEM_BENCH_THEN) await import(process.env.HEM_BENCH_THEN);
  const cold = performance.now();
  const coldCpu = process.cpuUsage();
  const cpuMs = (c) => (c.user + c.system) / 1000;
  out = typeof mod.handler === 'function'
    ? { ok: true, initMs: ready, coldMs: cold, importMs: ready - started, initCpuMs: cpuMs(readyCpu), coldCpuMs: cpuMs(coldCpu) }
    : { ok: false, error: 'the bundle exports no handler function' };
} catch (error) {
  out = { ok: false, error: String(error && error.stack || error).split('\\n').slice(0, 4).join(' | ').slice(0, 500) };
}
process.stdout.write('\\n__HEM_BENCH__' + JSON.stringify(out) + '\\n');
process.exit(0);
`;

const probe = (nodeBin: string, modulePath: string, thenPath: string | undefined, env: Record<string, string>, timeoutMs: number): Promise<ProbeResult> =>
  new Promise((resolve) => {
    const modules = { HEM_BENCH_MODULE: pathToFileURL(modulePath).href, ...(thenPath === undefined ? {} : { HEM_BENCH_THEN: pathToFileURL(thenPath).href }) };
    execFile(
      nodeBin,
      ['--input-type=module', '-e', PROBE],
      { env: { ...env, ...modules }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, cwd: path.dirname(modulePath) },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').findLast((l) => l.startsWith('__HEM_BENCH__'));
        if (line !== undefined) {
          resolve(JSON.parse(line.slice('__HEM_BENCH__'.length)) as ProbeResult);
          return;
        }
        const reason = error?.killed ? `timed out after ${timeoutMs} ms` : (stderr.trim().split('\n').slice(0, 4).join(' | ') || String(error));
        resolve({ ok: false, error: reason.slice(0, 500) });
      },
    );
  });

/** Bytes per package (or per project folder) in one output, largest first. */
const topInputs = (metafile: Metafile, limit = 5): { input: string; kb: number }[] => {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
      bytes.set(pkg, (bytes.get(pkg) ?? 0) + info.bytesInOutput);
    }
  }
  return [...bytes.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([input, b]) => ({ input, kb: round(b / 1024, 1) }));
};

const errorText = (error: unknown): string => {
  if (error !== null && typeof error === 'object' && 'errors' in error && Array.isArray(error.errors) && error.errors.length > 0) {
    const first = error.errors[0] as { text?: string; location?: { file?: string; line?: number } | null };
    return `bundle failed: ${first.text ?? 'unknown'}${first.location ? ` (${first.location.file}:${first.location.line})` : ''}`.slice(0, 500);
  }
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
};

export interface Bundle {
  file: string;
  kb: number;
  mapKb: number;
  metafile: Metafile;
}

/** Builds like `NodejsFunction` (the shared options), plus a metafile and no console output. */
export const bundle = async (root: string, entry: string, outfile: string, whatIf?: WhatIf): Promise<Bundle> => {
  const options = esbuildOptionsFor(root, entry, outfile);
  if (whatIf === 'no-source-maps') options.sourcemap = false;
  const result = await build({ ...options, metafile: true, logLevel: 'silent' });
  const mapFile = `${outfile}.map`;
  return {
    file: outfile,
    kb: round(statSync(outfile).size / 1024, 1),
    mapKb: existsSync(mapFile) ? round(statSync(mapFile).size / 1024, 1) : 0,
    metafile: result.metafile,
  };
};

/** SDK packages a declared client loads itself (so importing them directly costs nothing extra). */
const SDK_DEPENDENCIES: Record<string, readonly string[]> = {
  '@aws-sdk/lib-dynamodb': ['@aws-sdk/client-dynamodb', '@aws-sdk/util-dynamodb'],
};

/** The AWS SDK packages an output imports, statically (evaluated at init) and dynamically (on first use). */
export const sdkImportsOf = (metafile: Metafile): { atInit: string[]; onFirstUse: string[] } => {
  const atInit = new Set<string>();
  const dynamic = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const i of output.imports) {
      const pkg = /^@aws-sdk\/[^/]+/.exec(i.path)?.[0];
      if (pkg === undefined || i.external !== true) continue;
      (i.kind === 'dynamic-import' ? dynamic : atInit).add(pkg);
    }
  }
  return { atInit: [...atInit].sort(), onFirstUse: [...dynamic].filter((p) => !atInit.has(p)).sort() };
};

/**
 * Bundles every function and its baseline, then measures cold init N times each.
 * A function whose bundle or import fails is reported with `error`; the others still run.
 */
export async function runLambdaBench(options: LambdaBenchOptions, log: (line: string) => void = () => {}): Promise<FunctionBenchResult[]> {
  const outDir = path.join(options.root, OUT_DIR_RELATIVE);
  // The cache sits under node_modules so the bundles resolve the external @aws-sdk/* like Lambda's runtime does.
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const timeoutMs = options.timeoutMs ?? 30_000;

  interface Prepared {
    result: FunctionBenchResult;
    handler?: Bundle;
    baseline?: Bundle;
    env: Record<string, string>;
    initSamples: number[];
    coldSamples: number[];
    importSamples: number[];
    coldCpuSamples: number[];
    baselineSamples: number[];
    baselineImportSamples: number[];
    baselineCpuSamples: number[];
  }

  const baselines = new Map<string, Promise<Bundle>>();
  const prepared: Prepared[] = [];
  for (const fn of options.functions) {
    const result: FunctionBenchResult = { id: fn.id, entry: fn.entry, sdkClients: fn.sdkClients, runs: 0 };
    const key = [...new Set(fn.sdkClients)].sort().join('+') || 'none';
    if (!baselines.has(key)) {
      const source = path.join(outDir, `baseline-${key}.mjs`);
      writeFileSync(source, baselineSource(fn.sdkClients));
      baselines.set(key, bundle(options.root, source, path.join(outDir, `baseline-${key}`, 'index.mjs'), options.whatIf));
    }
    const baseline = await baselines.get(key);
    let handler: Bundle | undefined;
    if (!existsSync(path.join(options.root, fn.entry))) {
      result.error = `entry ${fn.entry} does not exist`;
    } else {
      try {
        handler = await bundle(options.root, fn.entry, path.join(outDir, fn.id, 'index.mjs'), options.whatIf);
        result.bundleKb = handler.kb;
        result.sourceMapKb = handler.mapKb;
        result.withinSizeBudget = handler.kb <= SIZE_BUDGET_KB;
        result.topInputs = topInputs(handler.metafile);
        const sdk = sdkImportsOf(handler.metafile);
        const declared = fn.sdkClients.map((c) => `@aws-sdk/${c}`);
        const covered = new Set(declared.flatMap((p) => [p, ...(SDK_DEPENDENCIES[p] ?? [])]));
        result.sdkAtInit = sdk.atInit;
        result.sdkDeferred = declared.filter((p) => !sdk.atInit.includes(p)).sort();
        result.sdkUndeclared = sdk.atInit.filter((p) => !covered.has(p));
        result.sdkUndeclaredOnFirstUse = sdk.onFirstUse.filter((p) => !covered.has(p));
        const importsDeclaredSdk = declared.some((p) => sdk.atInit.includes(p) || sdk.onFirstUse.includes(p));
        if (handler.kb < 1 || (declared.length > 0 && !importsDeclaredSdk)) {
          result.placeholder = true;
        }
      } catch (error) {
        result.error = errorText(error);
      }
    }
    result.baselineKb = baseline?.kb;
    const taskRoot = path.dirname(handler?.file ?? baseline?.file ?? outDir);
    const env = await lambdaEnvironment(options.root, fn.id, taskRoot, handler ? readFileSync(handler.file, 'utf8') : '', options.whatIf);
    prepared.push({
      result,
      ...(handler ? { handler } : {}),
      ...(baseline ? { baseline } : {}),
      env,
      initSamples: [],
      coldSamples: [],
      importSamples: [],
      coldCpuSamples: [],
      baselineSamples: [],
      baselineImportSamples: [],
      baselineCpuSamples: [],
    });
    log(`bundled ${fn.id}: ${result.bundleKb ?? '—'} KB${result.error ? ` (${result.error})` : ''}`);
  }

  // Round 0 warms the file cache and is discarded; rounds alternate which of the pair runs first.
  for (let round = 0; round <= options.runs; round += 1) {
    for (const p of prepared) {
      if (p.handler === undefined || p.baseline === undefined || p.result.error !== undefined) {
        continue;
      }
      const pair = [
        { kind: 'baseline' as const, file: p.baseline.file, then: undefined },
        // The handler, then the declared SDK clients in the same process: what it deferred is loaded now.
        { kind: 'handler' as const, file: p.handler.file, then: p.baseline.file },
      ];
      if (round % 2 === 1) {
        pair.reverse();
      }
      for (const { kind, file, then } of pair) {
        const outcome = await probe(options.nodeBin, file, then, p.env, timeoutMs);
        if (
          !outcome.ok ||
          outcome.initMs === undefined ||
          outcome.coldMs === undefined ||
          outcome.importMs === undefined ||
          outcome.initCpuMs === undefined ||
          outcome.coldCpuMs === undefined
        ) {
          p.result.error = `${kind === 'handler' ? 'handler' : 'baseline'} import failed: ${outcome.error ?? 'unknown'}`;
          break;
        }
        if (round === 0) {
          continue;
        }
        if (kind === 'handler') {
          p.initSamples.push(outcome.initMs);
          p.coldSamples.push(outcome.coldMs);
          p.importSamples.push(outcome.importMs);
          p.coldCpuSamples.push(outcome.coldCpuMs);
        } else {
          p.baselineSamples.push(outcome.initMs);
          p.baselineImportSamples.push(outcome.importMs);
          p.baselineCpuSamples.push(outcome.initCpuMs);
        }
      }
    }
    if (round > 0) {
      log(`init round ${round}/${options.runs} done`);
    }
  }

  return prepared.map((p) => {
    const r = p.result;
    if (p.coldSamples.length > 0 && p.baselineSamples.length > 0) {
      r.runs = p.coldSamples.length;
      r.initMs = round(median(p.initSamples), 1);
      r.coldMs = round(median(p.coldSamples), 1);
      r.baselineMs = round(median(p.baselineSamples), 1);
      r.importMs = round(median(p.importSamples), 1);
      r.baselineImportMs = round(median(p.baselineImportSamples), 1);
      // Samples of round k sit at index k-1 on both sides (a failed probe stops the function's rounds).
      const paired = (handler: number[], baseline: number[]): number =>
        median(handler.slice(0, baseline.length).map((h, i) => h / (baseline[i] as number)));
      r.ratio = round(paired(p.coldSamples, p.baselineSamples), 2);
      r.cpuRatio = round(paired(p.coldCpuSamples, p.baselineCpuSamples), 2);
      r.withinInitGoal = r.ratio <= INIT_GOAL_RATIO;
    }
    return r;
  });
}

/**
 * `npm run bench`: HL7 ingest throughput and Lambda bundle size / cold init, each reported as a
 * ratio against a baseline measured in the same run on the same machine (absolute figures on a
 * shared 2-core box move from run to run; ratios hold). Writes bench/results/latest.json and prints
 * a markdown table for the README.
 *
 * Options: --runs=N (fresh processes per function, default 7), --rounds=N (ingest rounds, default 40),
 * --only=ingest|functions, --functions=Id,Id (subset of FUNCTIONS), --what-if=no-source-maps (NOT the
 * deployed configuration: Lambda figures without source maps, written to results/what-if-*.json).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { FUNCTIONS } from '../contracts/functions';
import { runIngestBench } from './hl7-ingest';
import type { IngestResult } from './hl7-ingest';
import { INIT_GOAL_RATIO, SIZE_BUDGET_KB, runLambdaBench } from './lambda-init';
import type { FunctionBenchResult, WhatIf } from './lambda-init';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface BenchReport {
  date: string;
  node: string;
  /** The Node version of the fresh processes that play the Lambda runtime. */
  lambdaNode: string;
  machine: { cores: number; cpu: string; memoryGb: number; loadAverage: number[]; platform: string };
  goals: { ingestRatio: number; initRatio: number; bundleKb: number };
  /** Set when the Lambda figures deliberately depart from the deployed configuration. */
  whatIf?: WhatIf;
  ingest?: IngestResult;
  functions?: FunctionBenchResult[];
}

const argument = (name: string): string | undefined =>
  process.argv
    .slice(2)
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3);

const positiveInt = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

const fmt = (value: number | undefined, digits = 1): string => (value === undefined ? '—' : value.toFixed(digits));

const ingestTable = (ingest: IngestResult): string => {
  const rows = ingest.candidates.map((c) => {
    const vs = (baseline: number): string => `${(c.medianUs / baseline).toFixed(2)}×`;
    return `| ${c.name} | ${fmt(c.medianUs, 1)} | ${fmt(c.p95Us, 1)} | ${vs(ingest.medplumParseUs)} | ${vs(ingest.medplumSameFieldsUs)} | ${vs(ingest.medplumFullParseUs)} |`;
  });
  const m = ingest.messages;
  return [
    `HL7 v2 ingest: ${m.built} generated DFT^P03 + ${m.fixtures} fixture messages (mean ${m.meanSegments} segments, ${m.meanFt1} FT1, ${m.meanBytes} bytes), median of ${ingest.rounds} interleaved rounds × ${ingest.repetitions} passes`,
    '',
    '| parser | µs/message (median) | p95 of rounds | vs Hl7Message.parse | vs parse + same fields | vs parse + every field |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    ...(ingest.ratio === undefined
      ? ['', `parseDftP03 not measured: ${ingest.error ?? 'unavailable'}`]
      : [
          '',
          `parseDftP03 / Hl7Message.parse = **${ingest.ratio.toFixed(2)}×** (goal ≤ ${ingest.goal}×): ${ingest.ratio <= ingest.goal ? 'met' : 'not met'}` +
            ` — medplum 5 parses lazily, so this baseline is little more than splitting the text.` +
            (ingest.floorRatio === undefined
              ? ''
              : ` The encounter-reference HMAC and the canonical schema check alone (the "component" rows) are already **${ingest.floorRatio.toFixed(2)}×** it, before a single field is read.`) +
            ` parseDftP03 / (parse + the same fields read raw) = **${(ingest.ratioVsSameFields ?? 0).toFixed(2)}×**: what validation, PHI minimisation, the HMAC and the schema check cost on top.`,
        ]),
  ].join('\n');
};

const functionsTable = (functions: readonly FunctionBenchResult[], runs: number): string => {
  const short = (pkgs: readonly string[] | undefined): string => (pkgs ?? []).map((p) => p.replace('@aws-sdk/', '')).join(', ');
  const rows = functions.map((f) => {
    const verdicts: string[] = [];
    if (f.withinSizeBudget === false) verdicts.push(`over ${SIZE_BUDGET_KB} KB`);
    if (f.withinInitGoal === false) verdicts.push(`init > ${INIT_GOAL_RATIO}×`);
    if (f.placeholder === true) verdicts.push('placeholder entry, not the real handler yet');
    if ((f.sdkUndeclared ?? []).length > 0) verdicts.push(`loads undeclared ${short(f.sdkUndeclared)} at init`);
    if (f.error !== undefined) verdicts.push(f.error.replace(/\|/g, '/').slice(0, 120));
    const ok = verdicts.length === 0 && f.ratio !== undefined ? 'yes' : verdicts.join('; ');
    const deferred = (f.sdkDeferred ?? []).length > 0 ? ` (+ ${short(f.sdkDeferred)})` : '';
    return `| ${f.id} | ${fmt(f.bundleKb)} | ${fmt(f.initMs)} | ${fmt(f.coldMs)}${deferred} | ${fmt(f.baselineMs)} | ${f.ratio === undefined ? '—' : `${f.ratio.toFixed(2)}×`} | ${short(f.sdkClients) || 'none'} | ${ok} |`;
  });
  return [
    `Lambda bundles (built with ServiceFunction's esbuild options: ESM, node24, minified, source map, @aws-sdk/* external) and cold init under the runtime's NODE_OPTIONS: median of ${runs} fresh node processes each`,
    '',
    '| function | bundle KB | init ms | init + declared SDK ms | SDK-only baseline ms | ratio | declared SDK clients | within goals |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...rows,
    '',
    `Goals: bundle ≤ ${SIZE_BUDGET_KB} KB, init ≤ ${INIT_GOAL_RATIO}× its baseline. Baseline = a bundle importing only the declared SDK clients (none constructed: HEM constructs clients on first use);` +
      ' the handler side is timed until its module and the same SDK clients are loaded (a client it defers to first use, in parentheses, is loaded then), so ratio = (init + declared SDK) ÷ baseline.',
  ].join('\n');
};

async function main(): Promise<void> {
  const runs = positiveInt(argument('runs'), 7);
  const rounds = positiveInt(argument('rounds'), 40);
  const only = argument('only');
  const subset = argument('functions')?.split(',').filter(Boolean);
  const whatIfArgument = argument('what-if');
  if (whatIfArgument !== undefined && whatIfArgument !== 'no-source-maps') {
    throw new Error(`unknown --what-if=${whatIfArgument} (known: no-source-maps)`);
  }
  const whatIf: WhatIf | undefined = whatIfArgument;
  const localNode = path.join(root, 'node_modules/.bin/node');
  const nodeBin = existsSync(localNode) ? localNode : process.execPath;
  const log = (line: string): void => {
    process.stderr.write(`[bench] ${line}\n`);
  };

  const report: BenchReport = {
    date: new Date().toISOString(),
    node: process.version,
    lambdaNode: execFileSync(nodeBin, ['--version'], { encoding: 'utf8' }).trim(),
    machine: {
      cores: os.availableParallelism(),
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
      platform: `${os.platform()} ${os.arch()}`,
    },
    goals: { ingestRatio: 1.5, initRatio: INIT_GOAL_RATIO, bundleKb: SIZE_BUDGET_KB },
    ...(whatIf === undefined ? {} : { whatIf }),
  };

  if (only === undefined || only === 'ingest') {
    log('HL7 ingest…');
    report.ingest = await runIngestBench({ root, rounds, repetitions: 10 });
  }
  if (only === undefined || only === 'functions') {
    const functions = subset === undefined ? FUNCTIONS : FUNCTIONS.filter((f) => subset.includes(f.id));
    log(`Lambda bundles and init (${functions.length} functions × ${runs} runs, ${nodeBin})…`);
    report.functions = await runLambdaBench({ root, functions, runs, nodeBin, ...(whatIf === undefined ? {} : { whatIf }) }, log);
  }

  const resultsDir = path.join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  // A what-if run must never pass for the deployed figures.
  const resultsFile = path.join(resultsDir, whatIf === undefined ? 'latest.json' : `what-if-${whatIf}.json`);
  writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);

  const m = report.machine;
  const sections = [
    `### Benchmarks (${report.date.slice(0, 10)}, bench ${report.node}, Lambda runtime stand-in ${report.lambdaNode}, ${m.cores} cores ${m.cpu}, load ${m.loadAverage.join('/')})`,
    ...(whatIf === undefined ? [] : [`**What-if run (${whatIf}): NOT the deployed configuration.**`]),
    ...(report.ingest ? [ingestTable(report.ingest)] : []),
    ...(report.functions ? [functionsTable(report.functions, runs)] : []),
  ];
  process.stdout.write(`${sections.join('\n\n')}\n`);
  log(`results written to ${path.relative(root, resultsFile)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

/**
 * `npm run bench`: HL7 ingest throughput and Lambda bundle size / cold init, each reported as a
 * ratio against a baseline measured in the same run on the same machine (absolute figures on a
 * shared 2-core box move from run to run; ratios hold). Writes bench/results/latest.json and prints
 * a markdown table for the README.
 *
 * Options: --runs=N (fresh processes per function, default 7), --rounds=N (ingest rounds, default 40),
 * --only=ingest|functions, --functions=Id,Id (subset of FUNCTIONS).
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
import type { FunctionBenchResult } from './lambda-init';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface BenchReport {
  date: string;
  node: string;
  /** The Node version of the fresh processes that play the Lambda runtime. */
  lambdaNode: string;
  machine: { cores: number; cpu: string; memoryGb: number; loadAverage: number[]; platform: string };
  goals: { ingestRatio: number; initRatio: number; bundleKb: number };
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
            ` parseDftP03 / (parse + the same fields read raw) = **${(ingest.ratioVsSameFields ?? 0).toFixed(2)}×**: what validation, PHI minimisation, the HMAC and the schema check cost on top.`,
        ]),
  ].join('\n');
};

const functionsTable = (functions: readonly FunctionBenchResult[], runs: number): string => {
  const rows = functions.map((f) => {
    const verdicts: string[] = [];
    if (f.withinSizeBudget === false) verdicts.push(`over ${SIZE_BUDGET_KB} KB`);
    if (f.withinInitGoal === false) verdicts.push(`init > ${INIT_GOAL_RATIO}×`);
    if (f.placeholder === true) verdicts.push('placeholder entry, not the real handler yet');
    if (f.error !== undefined) verdicts.push(f.error.replace(/\|/g, '/').slice(0, 120));
    const ok = verdicts.length === 0 && f.ratio !== undefined ? 'yes' : verdicts.join('; ');
    return `| ${f.id} | ${fmt(f.bundleKb)} | ${fmt(f.initMs)} | ${fmt(f.baselineMs)} | ${f.ratio === undefined ? '—' : `${f.ratio.toFixed(2)}×`} | ${fmt(f.importMs)} / ${fmt(f.baselineImportMs)} | ${ok} |`;
  });
  return [
    `Lambda bundles (esbuild ESM, node24, minified, @aws-sdk/* external) and cold init: median of ${runs} fresh node processes each, baseline = the same SDK clients imported and constructed`,
    '',
    '| function | bundle KB | init ms | SDK-only baseline ms | ratio | import ms (handler / baseline) | within goals |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    `Goals: bundle ≤ ${SIZE_BUDGET_KB} KB, init ≤ ${INIT_GOAL_RATIO}× its baseline.`,
  ].join('\n');
};

async function main(): Promise<void> {
  const runs = positiveInt(argument('runs'), 7);
  const rounds = positiveInt(argument('rounds'), 40);
  const only = argument('only');
  const subset = argument('functions')?.split(',').filter(Boolean);
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
  };

  if (only === undefined || only === 'ingest') {
    log('HL7 ingest…');
    report.ingest = await runIngestBench({ root, rounds, repetitions: 10 });
  }
  if (only === undefined || only === 'functions') {
    const functions = subset === undefined ? FUNCTIONS : FUNCTIONS.filter((f) => subset.includes(f.id));
    log(`Lambda bundles and init (${functions.length} functions × ${runs} runs, ${nodeBin})…`);
    report.functions = await runLambdaBench({ root, functions, runs, nodeBin }, log);
  }

  const resultsDir = path.join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);

  const m = report.machine;
  const sections = [
    `### Benchmarks (${report.date.slice(0, 10)}, bench ${report.node}, Lambda runtime stand-in ${report.lambdaNode}, ${m.cores} cores ${m.cpu}, load ${m.loadAverage.join('/')})`,
    ...(report.ingest ? [ingestTable(report.ingest)] : []),
    ...(report.functions ? [functionsTable(report.functions, runs)] : []),
  ];
  process.stdout.write(`${sections.join('\n\n')}\n`);
  log(`results written to ${path.relative(root, path.join(resultsDir, 'latest.json'))}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

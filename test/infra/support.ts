/**
 * Shared setup for the CDK tests: builds the HEM app exactly as bin/app.ts does, with the cdk.json
 * context (feature flags + environments) and Lambda bundling skipped.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { addCompliancePacks, createHemStacks, PROJECT_ROOT } from '../../lib/hem-app';
import type { HemStack } from '../../lib/stacks/hem-stack';

/** Context entry that makes a failed policy validation throw its full report (not print it). */
export const IN_MEMORY_APP_MODE = ['@aws-cdk/core:appMode', 'inmemory'] as const;

/** The `context` object of cdk.json (what the CDK CLI passes to the app). */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

export interface TestAppOptions {
  /** Only this environment (`-c env=...`). */
  readonly env?: string;
  /** Register the cdk-nag packs like bin/app.ts. */
  readonly compliancePacks?: boolean;
  /** Extra or replaced context values. */
  readonly context?: Record<string, unknown>;
  /** Run NodejsFunction bundling (slow); skipped by default. */
  readonly bundle?: boolean;
}

/** Builds (does not synthesize) the HEM app into a fresh temporary cloud-assembly directory. */
export function buildTestApp(options: TestAppOptions = {}): { app: App; stacks: HemStack[]; outdir: string } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'hem-cdk-'));
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      // In-memory mode: a failed validation throws with the whole report instead of printing it.
      [IN_MEMORY_APP_MODE[0]]: IN_MEMORY_APP_MODE[1],
      ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...(options.env === undefined ? {} : { env: options.env }),
      ...options.context,
    },
  });
  const stacks = createHemStacks(app);
  if (options.compliancePacks === true) {
    addCompliancePacks(app);
  }
  return { app, stacks, outdir };
}

/**
 * Synthesizes the real app through the CDK CLI (cdk.json → bin/app.ts, offline esbuild bundling,
 * cdk-nag on) and lints every template with cfn-lint via scripts/cfn-lint.sh.
 * Needs the Python tool cfn-lint (`pip install cfn-lint`); the test fails, not skips, without it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../lib/hem-app';

const env = { ...process.env, PATH: `${path.join(PROJECT_ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` };

describe('synthesized CloudFormation templates', () => {
  let outdir: string;
  let templates: string[];

  before(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'hem-synth-'));
    const synth = spawnSync('npx', ['cdk', 'synth', '-q', '-o', outdir], { cwd: PROJECT_ROOT, env, encoding: 'utf8', timeout: 300_000 });
    assert.equal(synth.status, 0, `cdk synth failed:\n${synth.stdout}\n${synth.stderr}`);
    templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  });

  it('synthesizes one template per environment offline', () => {
    assert.deepEqual(templates.sort(), ['Hem-dev.template.json', 'Hem-prod.template.json']);
  });

  it('passes cfn-lint with no errors (scripts/cfn-lint.sh)', () => {
    const lint = spawnSync('bash', [path.join(PROJECT_ROOT, 'scripts', 'cfn-lint.sh'), outdir], { cwd: PROJECT_ROOT, env, encoding: 'utf8' });
    assert.notEqual(lint.status, 127, `cfn-lint is not installed: ${lint.stderr}`);
    assert.equal(lint.status, 0, `cfn-lint reported errors:\n${lint.stdout}\n${lint.stderr}`);
  });

  it('reports at most warnings when cfn-lint runs on the templates directly (exit code 0, 4 or 8 without the error bit)', () => {
    const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', '--', ...templates.map((t) => path.join(outdir, t))], { env, encoding: 'utf8' });
    assert.ok(lint.error === undefined, `cfn-lint could not run (pip install cfn-lint): ${lint.error?.message}`);
    assert.ok(lint.status !== null && lint.status !== 1 && (lint.status & 2) === 0, `exit ${lint.status}:\n${lint.stdout}`);
  });
});

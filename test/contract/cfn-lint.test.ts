/**
 * Synthesizes the app exactly as bin/app.ts wires it (all environments, cdk-nag on; Lambda bundling
 * skipped because cfn-lint only reads templates) and lints every template with cfn-lint through
 * scripts/cfn-lint.sh. Needs the Python tool cfn-lint (`pip install cfn-lint`): without it the test
 * fails with the install hint, it does not skip.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/hem-app';
import { buildTestApp } from '../infra/support';

describe('synthesized CloudFormation templates', () => {
  let outdir: string;
  let templates: string[];

  beforeAll(() => {
    const built = buildTestApp({ compliancePacks: true });
    built.app.synth();
    outdir = built.outdir;
    templates = readdirSync(outdir)
      .filter((f) => f.endsWith('.template.json'))
      .sort();
  });

  it('synthesizes one template per environment of cdk.json', () => {
    expect(templates).toStrictEqual(['Hem-dev.template.json', 'Hem-prod.template.json']);
  });

  it('passes scripts/cfn-lint.sh: cfn-lint exits 0, or with only the warning/informational bits (4/8), never errors', () => {
    const lint = spawnSync('bash', [path.join(PROJECT_ROOT, 'scripts', 'cfn-lint.sh'), outdir], { encoding: 'utf8' });
    expect(lint.status).not.toBe(127);
    expect(lint.status).toBe(0);
    const exitCode = Number(/cfn-lint exit code: (\d+)/.exec(lint.stdout)?.[1]);
    expect([0, 4, 8, 12].includes(exitCode)).toBeTruthy();
  });
});

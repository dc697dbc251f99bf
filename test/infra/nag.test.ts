import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { App, Stack, type App as CdkApp } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { listAcknowledgements } from '../../lib/constructs/compliance';
import { addCompliancePacks } from '../../lib/hem-app';
import { buildTestApp, IN_MEMORY_APP_MODE } from './support';

interface Violation {
  ruleName: string;
  severity?: string;
  violatingResources?: { constructPath?: string; resourceLogicalId?: string }[];
  violatingConstructs?: { constructPath?: string }[];
}
interface PluginReport {
  summary?: { pluginName?: string; status?: string };
  violations?: Violation[];
}

/** Synthesizes an app and returns the validation error message (undefined when it passed). */
function synthesize(app: CdkApp): string | undefined {
  try {
    app.synth();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('cdk-nag compliance gate (AwsSolutions, HIPAA.Security, Serverless)', () => {
  let app: App;
  let outdir: string;
  let synthError: string | undefined;

  before(() => {
    ({ app, outdir } = buildTestApp({ compliancePacks: true }));
    synthError = synthesize(app);
  });

  it('synthesizes dev and prod with zero unacknowledged errors', () => {
    assert.equal(synthError, undefined, `validation failed:\n${synthError?.slice(0, 6000)}`);
  });

  it('leaves no warnings either in the validation report', () => {
    const reportFile = path.join(outdir, 'validation-report.json');
    assert.ok(existsSync(reportFile), 'CDK wrote validation-report.json');
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { pluginReports: PluginReport[] };
    const findings = report.pluginReports.flatMap((r) =>
      (r.violations ?? []).map((v) => `${r.summary?.pluginName ?? '?'} ${v.severity ?? '?'} ${v.ruleName}`),
    );
    assert.deepEqual(findings, []);
  });

  it('acknowledges one finding per acknowledgement, on a resource-level construct, with a real reason', (t) => {
    const acknowledgements = listAcknowledgements(app).filter((a) => /^(AwsSolutions|HIPAA\.Security|Serverless)-/.test(a.id));
    assert.ok(acknowledgements.length > 0);
    const byRule = new Map<string, number>();
    for (const { path: where, id, reason } of acknowledgements) {
      assert.match(id, /^(AwsSolutions|HIPAA\.Security|Serverless)-[A-Za-z0-9]+(\[[^\]]+\])?$/, `${where}: ${id}`);
      if (/^AwsSolutions-IAM[45]/.test(id)) {
        assert.match(id, /\[(Resource|Action|Policy)::.+\]$/, `${where}: ${id} must name the finding`);
      }
      assert.ok(reason.length >= 40, `${where} ${id}: reason too short`);
      assert.doesNotMatch(reason, /\b(todo|later|future|temporar|demo)\b/i, `${where} ${id}`);
      assert.ok(where.split('/').length > 2, `${where} ${id}: acknowledge on the narrowest construct, not a stack`);
      const rule = id.replace(/\[.*$/, '');
      byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
    }
    t.diagnostic(
      `acknowledgements by rule (dev + prod): ${[...byRule].sort().map(([rule, n]) => `${rule}=${n}`).join(', ')}; total ${acknowledgements.length}`,
    );
  });

  it('fails the synth when a resource breaks a rule nobody acknowledged', () => {
    const probe = new App({ context: { [IN_MEMORY_APP_MODE[0]]: IN_MEMORY_APP_MODE[1] } });
    new sqs.Queue(new Stack(probe, 'Probe'), 'Unprotected', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    addCompliancePacks(probe);
    const message = synthesize(probe);
    assert.ok(message !== undefined, 'synth must fail');
    assert.match(message, /AwsSolutions-SQS3|AwsSolutions-SQS4|Serverless-SQSRedrivePolicy/);
  });
});

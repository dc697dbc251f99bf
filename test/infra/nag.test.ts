import { beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
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

  beforeAll(() => {
    ({ app, outdir } = buildTestApp({ compliancePacks: true }));
    synthError = synthesize(app);
  });

  it('synthesizes dev and prod with zero unacknowledged errors', () => {
    expect(synthError).toBe(undefined);
  });

  it('leaves no warnings either in the validation report', () => {
    const reportFile = path.join(outdir, 'validation-report.json');
    expect(existsSync(reportFile)).toBeTruthy();
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { pluginReports: PluginReport[] };
    const findings = report.pluginReports.flatMap((r) =>
      (r.violations ?? []).map((v) => `${r.summary?.pluginName ?? '?'} ${v.severity ?? '?'} ${v.ruleName}`),
    );
    expect(findings).toStrictEqual([]);
  });

  it('acknowledges one finding per acknowledgement, on a resource-level construct, with a real reason', () => {
    const acknowledgements = listAcknowledgements(app).filter((a) => /^(AwsSolutions|HIPAA\.Security|Serverless)-/.test(a.id));
    expect(acknowledgements.length > 0).toBeTruthy();
    const byRule = new Map<string, number>();
    for (const { path: where, id, reason } of acknowledgements) {
      expect(id).toMatch(/^(AwsSolutions|HIPAA\.Security|Serverless)-[A-Za-z0-9]+(\[[^\]]+\])?$/);
      if (/^AwsSolutions-IAM[45]/.test(id)) {
        expect(id).toMatch(/\[(Resource|Action|Policy)::.+\]$/);
      }
      expect(reason.length >= 40).toBeTruthy();
      expect(reason).not.toMatch(/\b(todo|later|future|temporar|demo)\b/i);
      expect(where.split('/').length > 2).toBeTruthy();
      const rule = id.replace(/\[.*$/, '');
      byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
    }
    console.log(
      `acknowledgements by rule (dev + prod): ${[...byRule].sort().map(([rule, n]) => `${rule}=${n}`).join(', ')}; total ${acknowledgements.length}`,
    );
  });

  it('fails the synth when a resource breaks a rule nobody acknowledged', () => {
    const probe = new App({ context: { [IN_MEMORY_APP_MODE[0]]: IN_MEMORY_APP_MODE[1] } });
    new sqs.Queue(new Stack(probe, 'Probe'), 'Unprotected', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    addCompliancePacks(probe);
    const message = synthesize(probe);
    expect(message !== undefined).toBeTruthy();
    expect(message).toMatch(/AwsSolutions-SQS3|AwsSolutions-SQS4|Serverless-SQSRedrivePolicy/);
  });
});

import { beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack, type App as CdkApp } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { FUNCTION_ACCESS } from '../../lib/stacks/function-access';
import { EXTERNAL_SYSTEM_ENV } from '../../lib/stacks/hem-stack';
import { listAcknowledgements } from '../../lib/constructs/compliance';
import { ENCOUNTER_KEY_ROTATION_REASON } from '../../lib/constructs/encounter-key';
import { SYNTHETIC_DATA_BACKUP_REASON } from '../../lib/constructs/storage';
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

  describe('acknowledgements reviewed in issue #12 (item 8) say what is true', () => {
    const ofRule = (rule: string): { path: string; id: string; reason: string }[] =>
      listAcknowledgements(app).filter((a) => a.id === rule);

    it('encounter key: no rotation schedule, no dual-read window claimed, the operator re-keying procedure stated', () => {
      for (const rule of ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled']) {
        const acks = ofRule(rule);
        expect(acks.map((a) => a.path).sort()).toStrictEqual(['Hem-dev/EncounterKey/Secret', 'Hem-prod/EncounterKey/Secret']);
        for (const { reason } of acks) {
          expect(reason).toBe(ENCOUNTER_KEY_ROTATION_REASON);
        }
      }
      expect(ENCOUNTER_KEY_ROTATION_REASON).not.toMatch(/dual-read window|dual read window/i);
      expect(ENCOUNTER_KEY_ROTATION_REASON).toMatch(/no dual read/);
      expect(ENCOUNTER_KEY_ROTATION_REASON).toMatch(/put a new secret value/);
      expect(ENCOUNTER_KEY_ROTATION_REASON).toMatch(/Hl7Ingest and UsageIngest/);
    });

    it('synthetic-data backup waiver: only in an environment that declares syntheticDataOnly (dev), never in prod', () => {
      const waived = ofRule('HIPAA.Security-DynamoDBInBackupPlan').filter((a) => a.reason === SYNTHETIC_DATA_BACKUP_REASON);
      expect(waived.map((a) => a.path).sort()).toStrictEqual(['Hem-dev/Storage/Audit', 'Hem-dev/Storage/Operations', 'Hem-dev/Storage/Reference']);
      expect(SYNTHETIC_DATA_BACKUP_REASON).toMatch(/declares syntheticDataOnly/);
      expect(SYNTHETIC_DATA_BACKUP_REASON).toMatch(/refuses that declaration for an environment whose name contains "prod"/);
      // prod acknowledges DynamoDBInBackupPlan only for the idempotency table (TTL records).
      expect(ofRule('HIPAA.Security-DynamoDBInBackupPlan').filter((a) => a.path.startsWith('Hem-prod/')).map((a) => a.path)).toStrictEqual([
        'Hem-prod/Storage/Idempotency',
      ]);
    });

    it('no-VPC: every function says egress is unfiltered; connectors name their partner endpoint; no control is claimed that does not exist', () => {
      const acks = ofRule('HIPAA.Security-LambdaInsideVPC');
      expect(acks.length).toBe(2 * Object.keys(FUNCTION_ACCESS).length);
      for (const [id, access] of Object.entries(FUNCTION_ACCESS)) {
        for (const env of ['dev', 'prod']) {
          const ack = acks.find((a) => a.path === `Hem-${env}/Functions/${id}/Function`);
          expect({ id, found: ack !== undefined }).toStrictEqual({ id, found: true });
          const { reason } = ack!;
          expect(reason).toMatch(/No egress filtering exists/);
          expect(reason).toMatch(/egress firewall/);
          expect(reason).not.toMatch(/without narrowing/);
          const urls = (access.calls ?? []).map((system) => EXTERNAL_SYSTEM_ENV[system]);
          if (urls.length === 0) {
            expect(reason).not.toMatch(/Connector/);
          } else {
            expect(reason).toMatch(/^Connector outside a VPC/);
            for (const url of urls) expect(reason).toContain(url);
          }
        }
      }
      const connectors = Object.entries(FUNCTION_ACCESS).filter(([, a]) => (a.calls ?? []).length > 0).map(([id]) => id).sort();
      expect(connectors).toStrictEqual(['ErpConnector', 'FinanceConnector', 'SupplierConnector']);
    });
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

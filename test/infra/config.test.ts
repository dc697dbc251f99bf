import { describe, expect, it } from '@jest/globals';
import { expectInstanceOf } from '../support/expect-narrowing';
import { DEFAULT_LOCAL_CLIENTS } from '../../local/oauth';
import {
  EnvironmentConfigError,
  parseEnvironments,
  totalReservedConcurrency,
  type EnvironmentConfig,
} from '../../lib/config/environment';
import { buildTestApp, cdkJsonContext } from './support';

const valid: EnvironmentConfig = {
  logRetentionDays: 30,
  removalPolicy: 'destroy',
  deletionProtection: false,
  financeUrl: 'https://finance.example.org/v1',
  erpUrl: 'https://erp.example.org',
  supplierNetworkUrl: 'https://supplier-network.example.org',
  lambda: { memoryMb: 512, timeoutSeconds: 10, reservedConcurrency: { api: 5, stateMachine: 5, queue: 2 } },
  api: { throttlingRateLimit: 10, throttlingBurstLimit: 20 },
  waf: { rateLimitPer5Minutes: 1000 },
  partners: [{ name: 'epic-ehr', scopes: ['hem/usage.write'] }],
  syntheticDataOnly: true,
};

/** A production-like environment: retained, protected, backed up (no synthetic-data declaration). */
const { syntheticDataOnly: _synthetic, ...validWithoutDeclaration } = valid;
const validProd: EnvironmentConfig = {
  ...validWithoutDeclaration,
  removalPolicy: 'retain',
  deletionProtection: true,
  backup: { deleteAfterDays: 35 },
};

describe('parseEnvironments', () => {
  it('accepts the dev and prod environments of cdk.json', () => {
    const environments = parseEnvironments(cdkJsonContext().environments);
    expect(environments.map((e) => e.name)).toStrictEqual(['dev', 'prod']);
    const prod = environments.find((e) => e.name === 'prod')!.config;
    expect(prod.removalPolicy).toBe('retain');
    expect(prod.deletionProtection).toBe(true);
    expect(prod.backup !== undefined).toBeTruthy();
    expect(prod.syntheticDataOnly).toBe(undefined);
    expect(environments.find((e) => e.name === 'dev')!.config.syntheticDataOnly).toBe(true);
  });

  it('selects only the environment named by -c env=<name>', () => {
    expect(parseEnvironments({ dev: valid, prod: validProd }, 'prod').map((e) => e.name)).toStrictEqual(['prod']);
  });

  it('accepts the environments as a JSON string (as passed with -c environments=...)', () => {
    expect(parseEnvironments(JSON.stringify({ dev: valid }))[0]!.config.logRetentionDays).toBe(30);
  });

  it('reports every problem of every environment in one error', () => {
    const broken = {
      dev: { ...valid, logRetentionDays: 42, partners: [{ name: 'Bad Name', scopes: ['hem/nope'] }] },
      prod: { ...validProd, removalPolicy: 'keep', lambda: { ...valid.lambda, timeoutSeconds: 60 } },
    };
    expect(() => parseEnvironments(broken)).toThrow(expect.toSatisfy((error: unknown) => {
        expectInstanceOf(error, EnvironmentConfigError);
        const text = error.message;
        for (const path of [
          'environments.dev.logRetentionDays',
          'environments.dev.partners.0.name',
          'environments.dev.partners.0.scopes.0',
          'environments.prod.removalPolicy',
          'environments.prod.lambda.timeoutSeconds',
        ]) {
          expect(text).toContain(path);
        }
        expect(error.issues.length).toBe(5);
        return true;
      }));
  });

  it('rejects unknown keys, an account without a region and duplicate partners', () => {
    expect(() => parseEnvironments({ dev: { ...valid, colour: 'blue' } })).toThrow(/colour/);
    expect(() => parseEnvironments({ dev: { ...valid, account: '123456789012' } })).toThrow(/both account and region/);
    expect(() => parseEnvironments({ dev: { ...valid, partners: [valid.partners[0], valid.partners[0]] } })).toThrow(/partner "epic-ehr" is configured twice/);
  });

  it('rejects a missing environments context and an unknown -c env', () => {
    expect(() => parseEnvironments(undefined)).toThrow(/missing/);
    expect(() => parseEnvironments({ dev: valid }, 'qa')).toThrow(/"qa" is not configured \(known: dev\)/);
  });

  it('requires the ERP and supplier-network base URLs', () => {
    const { erpUrl: _erp, ...withoutErp } = valid;
    expect(() => parseEnvironments({ dev: withoutErp })).toThrow(/environments\.dev\.erpUrl/);
    expect(() => parseEnvironments({ dev: { ...valid, supplierNetworkUrl: 'supplier network' } })).toThrow(/environments\.dev\.supplierNetworkUrl/);
  });

  describe('the synthetic-data backup waiver (syntheticDataOnly) cannot be chosen by production', () => {
    const productionCdkJson = (): Record<string, unknown> => {
      const environments = cdkJsonContext().environments as Record<string, Record<string, unknown>>;
      const { backup: _backup, ...prod } = environments.prod!;
      return { ...environments, prod: { ...prod, syntheticDataOnly: true } };
    };

    it('refuses it for the prod environment of cdk.json, at config validation and when the app is built', () => {
      expect(() => parseEnvironments(productionCdkJson())).toThrow(/environments\.prod\.syntheticDataOnly: syntheticDataOnly is refused/);
      expect(() => buildTestApp({ context: { environments: productionCdkJson() } })).toThrow(EnvironmentConfigError);
    });

    it('refuses it for any environment whose name contains "prod", even when it looks disposable', () => {
      for (const name of ['prod', 'prodeu', 'preprod']) {
        expect(() => parseEnvironments({ [name]: valid })).toThrow(new RegExp(`environments\\.${name}\\.syntheticDataOnly: .*"${name}"`));
      }
      expect(parseEnvironments({ staging: valid })[0]!.config.syntheticDataOnly).toBe(true);
    });

    it('refuses it for an environment flagged production-like (removalPolicy retain or deletionProtection)', () => {
      expect(() => parseEnvironments({ qa: { ...valid, removalPolicy: 'retain' } })).toThrow(/environments\.qa\.syntheticDataOnly: .*production-like/);
      expect(() => parseEnvironments({ qa: { ...valid, deletionProtection: true } })).toThrow(/environments\.qa\.syntheticDataOnly: .*production-like/);
    });

    it('is an explicit declaration: omitting backup without it, or setting both, is refused', () => {
      expect(() => parseEnvironments({ qa: validWithoutDeclaration })).toThrow(/environments\.qa\.backup: set backup\.deleteAfterDays, or declare syntheticDataOnly/);
      expect(() => parseEnvironments({ qa: { ...valid, backup: { deleteAfterDays: 7 } } })).toThrow(/not both/);
      expect(() => parseEnvironments({ qa: { ...valid, syntheticDataOnly: false } })).toThrow(/environments\.qa\.syntheticDataOnly/);
      expect(parseEnvironments({ qa: validProd })[0]!.config.backup).toStrictEqual({ deleteAfterDays: 35 });
    });
  });

  it('requires https:// partner base URLs (connectors call them over the public internet)', () => {
    for (const key of ['financeUrl', 'erpUrl', 'supplierNetworkUrl'] as const) {
      expect(() => parseEnvironments({ dev: { ...valid, [key]: 'http://partner.example.org' } })).toThrow(new RegExp(`environments\\.dev\\.${key}: an https:// URL`));
    }
  });

  it('rejects reserved concurrency that the account quota cannot hold, naming the total and the limit', () => {
    const greedy = { ...valid, lambda: { ...valid.lambda, reservedConcurrency: { api: 100, stateMachine: 100, queue: 100 } } };
    const total = totalReservedConcurrency(greedy.lambda.reservedConcurrency);
    expect(() => parseEnvironments({ dev: greedy })).toThrow(new RegExp(`reserve ${total} concurrent executions; an account quota of 1000 allows at most 900`));
    const raised = { ...greedy, lambda: { ...greedy.lambda, accountConcurrencyLimit: total + 100 } };
    expect(parseEnvironments({ dev: raised }).length).toBe(1);
  });

  it('fits every configured environment into its account concurrency quota', () => {
    for (const { name, config } of parseEnvironments(cdkJsonContext().environments)) {
      const limit = config.lambda.accountConcurrencyLimit ?? 1000;
      expect({ name, reserved: totalReservedConcurrency(config.lambda.reservedConcurrency) }).toStrictEqual({ name, reserved: expect.toSatisfy((n: number) => n <= limit - 100) });
    }
  });

  it('configures the local runtime\'s partner clients in every environment with the same scopes (ops-console aside: operators use IAM on AWS)', () => {
    for (const { name, config } of parseEnvironments(cdkJsonContext().environments)) {
      const partners = new Map(config.partners.map((p) => [p.name, [...p.scopes].sort()]));
      for (const client of DEFAULT_LOCAL_CLIENTS.filter((c) => c.clientId !== 'ops-console')) {
        expect({ name, scopes: partners.get(client.clientId) }).toStrictEqual({ name, scopes: [...client.allowedScopes].sort() });
      }
    }
  });
});

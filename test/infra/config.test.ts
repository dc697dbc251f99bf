import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LOCAL_CLIENTS } from '../../local/oauth';
import {
  EnvironmentConfigError,
  parseEnvironments,
  totalReservedConcurrency,
  type EnvironmentConfig,
} from '../../lib/config/environment';
import { cdkJsonContext } from './support';

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
};

describe('parseEnvironments', () => {
  it('accepts the dev and prod environments of cdk.json', () => {
    const environments = parseEnvironments(cdkJsonContext().environments);
    assert.deepEqual(environments.map((e) => e.name), ['dev', 'prod']);
    const prod = environments.find((e) => e.name === 'prod')!.config;
    assert.equal(prod.removalPolicy, 'retain');
    assert.equal(prod.deletionProtection, true);
    assert.ok(prod.backup !== undefined, 'prod is backed up');
  });

  it('selects only the environment named by -c env=<name>', () => {
    assert.deepEqual(parseEnvironments({ dev: valid, prod: valid }, 'prod').map((e) => e.name), ['prod']);
  });

  it('accepts the environments as a JSON string (as passed with -c environments=...)', () => {
    assert.equal(parseEnvironments(JSON.stringify({ dev: valid }))[0]!.config.logRetentionDays, 30);
  });

  it('reports every problem of every environment in one error', () => {
    const broken = {
      dev: { ...valid, logRetentionDays: 42, partners: [{ name: 'Bad Name', scopes: ['hem/nope'] }] },
      prod: { ...valid, removalPolicy: 'keep', lambda: { ...valid.lambda, timeoutSeconds: 60 } },
    };
    assert.throws(
      () => parseEnvironments(broken),
      (error: unknown) => {
        assert.ok(error instanceof EnvironmentConfigError);
        const text = error.message;
        for (const path of [
          'environments.dev.logRetentionDays',
          'environments.dev.partners.0.name',
          'environments.dev.partners.0.scopes.0',
          'environments.prod.removalPolicy',
          'environments.prod.lambda.timeoutSeconds',
        ]) {
          assert.ok(text.includes(path), `message names ${path}:\n${text}`);
        }
        assert.equal(error.issues.length, 5);
        return true;
      },
    );
  });

  it('rejects unknown keys, an account without a region and duplicate partners', () => {
    assert.throws(() => parseEnvironments({ dev: { ...valid, colour: 'blue' } }), /colour/);
    assert.throws(() => parseEnvironments({ dev: { ...valid, account: '123456789012' } }), /both account and region/);
    assert.throws(
      () => parseEnvironments({ dev: { ...valid, partners: [valid.partners[0], valid.partners[0]] } }),
      /partner "epic-ehr" is configured twice/,
    );
  });

  it('rejects a missing environments context and an unknown -c env', () => {
    assert.throws(() => parseEnvironments(undefined), /missing/);
    assert.throws(() => parseEnvironments({ dev: valid }, 'qa'), /"qa" is not configured \(known: dev\)/);
  });

  it('requires the ERP and supplier-network base URLs', () => {
    const { erpUrl: _erp, ...withoutErp } = valid;
    assert.throws(() => parseEnvironments({ dev: withoutErp }), /environments\.dev\.erpUrl/);
    assert.throws(() => parseEnvironments({ dev: { ...valid, supplierNetworkUrl: 'supplier network' } }), /environments\.dev\.supplierNetworkUrl/);
  });

  it('rejects reserved concurrency that the account quota cannot hold, naming the total and the limit', () => {
    const greedy = { ...valid, lambda: { ...valid.lambda, reservedConcurrency: { api: 100, stateMachine: 100, queue: 100 } } };
    const total = totalReservedConcurrency(greedy.lambda.reservedConcurrency);
    assert.throws(() => parseEnvironments({ dev: greedy }), new RegExp(`reserve ${total} concurrent executions; an account quota of 1000 allows at most 900`));
    const raised = { ...greedy, lambda: { ...greedy.lambda, accountConcurrencyLimit: total + 100 } };
    assert.equal(parseEnvironments({ dev: raised }).length, 1);
  });

  it('fits every configured environment into its account concurrency quota', () => {
    for (const { name, config } of parseEnvironments(cdkJsonContext().environments)) {
      const limit = config.lambda.accountConcurrencyLimit ?? 1000;
      assert.ok(totalReservedConcurrency(config.lambda.reservedConcurrency) <= limit - 100, name);
    }
  });

  it('configures the local runtime\'s partner clients in every environment with the same scopes (ops-console aside: operators use IAM on AWS)', () => {
    for (const { name, config } of parseEnvironments(cdkJsonContext().environments)) {
      const partners = new Map(config.partners.map((p) => [p.name, [...p.scopes].sort()]));
      for (const client of DEFAULT_LOCAL_CLIENTS.filter((c) => c.clientId !== 'ops-console')) {
        assert.deepEqual(partners.get(client.clientId), [...client.allowedScopes].sort(), `${name}: partner ${client.clientId}`);
      }
    }
  });
});

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FUNCTIONS, type FunctionId } from '../../contracts/functions';
import { ROUTES } from '../../contracts/routes';
import { QUEUES, RULES, STATE_MACHINES } from '../../contracts/routing';
import { TABLES } from '../../contracts/tables';
import { parseEnvironments, type EnvironmentConfig } from '../../lib/config/environment';
import { TABLE_ENV } from '../../lib/stacks/hem-stack';
import { buildTestApp, cdkJsonContext } from './support';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized templates are untyped JSON walked by path
type Json = Record<string, any>;

/** Synthesized templates and the config they were built from, per environment. */
const envs: Record<string, { template: Template; json: Json; config: EnvironmentConfig }> = {};

const resourcesOf = (json: Json, type: string): [string, Json][] =>
  Object.entries(json.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);

/** Logical id of the Lambda function deployed for a contract entry (matched by its description). */
function functionLogicalId(json: Json, id: FunctionId): string {
  const definition = FUNCTIONS.find((f) => f.id === id)!;
  const match = resourcesOf(json, 'AWS::Lambda::Function').filter(([, r]) => r.Properties.Description === definition.description.slice(0, 256));
  assert.equal(match.length, 1, `exactly one Lambda function for ${id}`);
  return match[0]![0];
}

/** Every statement of the IAM policies attached to a function's role. */
function roleStatements(json: Json, functionId: FunctionId): Json[] {
  const fn = json.Resources[functionLogicalId(json, functionId)];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  return resourcesOf(json, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
}

const actionsOf = (statements: Json[]): string[] => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
const mentions = (value: unknown, logicalId: string): boolean => JSON.stringify(value).includes(`"${logicalId}"`);

/** API path of every AWS::ApiGateway::Resource logical id. */
function resourcePaths(json: Json): Map<string, string> {
  const resources = new Map(resourcesOf(json, 'AWS::ApiGateway::Resource'));
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const cached = paths.get(id);
    if (cached !== undefined) return cached;
    const r = resources.get(id)!;
    const parent = r.Properties.ParentId;
    const parentPath = parent.Ref === undefined ? '' : pathOf(parent.Ref as string);
    const p = `${parentPath}/${r.Properties.PathPart as string}`;
    paths.set(id, p);
    return p;
  };
  for (const id of resources.keys()) pathOf(id);
  return paths;
}

describe('HemStack', () => {
  before(() => {
    const { app, stacks } = buildTestApp();
    const assembly = app.synth();
    const configs = parseEnvironments(cdkJsonContext().environments);
    for (const stack of stacks) {
      const json = assembly.getStackByName(stack.stackName).template as Json;
      const name = stack.stackName.replace(/^Hem-/, '');
      envs[name] = { template: Template.fromJSON(json), json, config: configs.find((c) => c.name === name)!.config };
    }
  });

  it('synthesizes one stack per configured environment (dev and prod)', () => {
    assert.deepEqual(Object.keys(envs).sort(), ['dev', 'prod']);
  });

  describe('functions', () => {
    it('deploys exactly one nodejs24.x arm64 function per FUNCTIONS entry, traced, with explicit memory, timeout, reserved concurrency and async DLQ', () => {
      for (const { template, json, config } of Object.values(envs)) {
        template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length);
        for (const definition of FUNCTIONS) {
          template.hasResourceProperties('AWS::Lambda::Function', {
            Description: definition.description.slice(0, 256),
            Runtime: 'nodejs24.x',
            Architectures: ['arm64'],
            TracingConfig: { Mode: 'Active' },
            MemorySize: definition.memoryMb ?? config.lambda.memoryMb,
            Timeout: definition.timeoutSeconds ?? config.lambda.timeoutSeconds,
            ReservedConcurrentExecutions: config.lambda.reservedConcurrency[definition.trigger],
            DeadLetterConfig: { TargetArn: Match.anyValue() },
            LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
          });
          assert.ok(functionLogicalId(json, definition.id));
        }
      }
    });

    it('passes table names and the bus name to every function and never logs events or captures responses', () => {
      for (const { template } of Object.values(envs)) {
        for (const definition of FUNCTIONS) {
          template.hasResourceProperties('AWS::Lambda::Function', {
            Description: definition.description.slice(0, 256),
            Environment: {
              Variables: Match.objectLike({
                ...Object.fromEntries(Object.values(TABLE_ENV).map((name) => [name, Match.anyValue()])),
                HEM_EVENT_BUS_NAME: Match.anyValue(),
                POWERTOOLS_SERVICE_NAME: 'hem',
                POWERTOOLS_METRICS_NAMESPACE: 'HEM',
                POWERTOOLS_LOGGER_LOG_EVENT: 'false',
                POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
              }),
            },
          });
        }
      }
    });

    it('gives the encounter key only to ingest functions, the finance URL to the connector and the DLQ map to OpsDlq', () => {
      const { json, config } = envs.prod!;
      const variables = (id: FunctionId): Json => json.Resources[functionLogicalId(json, id)].Properties.Environment.Variables;
      for (const definition of FUNCTIONS) {
        const hasKey = 'HEM_ENCOUNTER_KEY_SECRET_ARN' in variables(definition.id);
        assert.equal(hasKey, definition.id === 'Hl7Ingest' || definition.id === 'UsageIngest', `${definition.id} encounter key`);
      }
      assert.equal(variables('CostPostingConnector').HEM_FINANCE_URL, config.financeUrl);
      const queueUrls = JSON.stringify(variables('OpsDlq').HEM_QUEUE_URLS);
      for (const name of ['finance-postings-dlq', 'usage-to-replenishment-dlq', 'cost-postings-to-finance-dlq', 'lambda-async-dlq']) {
        assert.ok(queueUrls.includes(`\\"${name}\\":`), `HEM_QUEUE_URLS has ${name}`);
      }
    });

    it('grants query functions read-only table access and no PutEvents', () => {
      const { json } = envs.dev!;
      for (const id of ['InventoryQuery', 'TransactionQuery'] as const) {
        const actions = actionsOf(roleStatements(json, id));
        assert.ok(actions.includes('dynamodb:Query'), `${id} can query`);
        for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'events:PutEvents']) {
          assert.ok(!actions.includes(write), `${id} must not have ${write}`);
        }
      }
    });

    it('lets ingest functions write idempotency and operations records, append audit, put events and read the encounter key', () => {
      const { json } = envs.dev!;
      const tableId = (id: string): string => resourcesOf(json, 'AWS::DynamoDB::Table').find(([logicalId]) => logicalId.startsWith(`Storage${id}`))![0];
      for (const id of ['Hl7Ingest', 'UsageIngest'] as const) {
        const statements = roleStatements(json, id);
        const writable = statements.filter((s) => actionsOf([s]).includes('dynamodb:UpdateItem'));
        assert.ok(writable.some((s) => mentions(s.Resource, tableId('Idempotency'))), `${id} writes idempotency`);
        assert.ok(writable.some((s) => mentions(s.Resource, tableId('Operations'))), `${id} writes operations`);
        assert.ok(!writable.some((s) => mentions(s.Resource, tableId('Audit'))), `${id} cannot update audit records`);
        assert.ok(statements.some((s) => actionsOf([s]).includes('dynamodb:PutItem') && mentions(s.Resource, tableId('Audit'))));
        assert.ok(actionsOf(statements).includes('events:PutEvents'));
        assert.ok(actionsOf(statements).includes('secretsmanager:GetSecretValue'));
        assert.ok(!writable.some((s) => mentions(s.Resource, tableId('Reference'))), `${id} cannot write reference data`);
      }
    });

    it('never grants a wildcard action, and Resource "*" only to X-Ray and log-delivery actions', () => {
      const resourceStarAllowed = /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/;
      for (const { json } of Object.values(envs)) {
        for (const [id, policy] of resourcesOf(json, 'AWS::IAM::Policy')) {
          for (const statement of policy.Properties.PolicyDocument.Statement as Json[]) {
            const actions = actionsOf([statement]);
            assert.ok(actions.every((a) => a !== '*' && !a.endsWith(':*')), `${id}: wildcard action ${actions.join(',')}`);
            const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
            if (resources.includes('*')) {
              assert.ok(actions.every((a) => resourceStarAllowed.test(a)), `${id}: Resource * for ${actions.join(',')}`);
            }
          }
        }
      }
    });
  });

  describe('queues', () => {
    it('encrypts every queue with the customer key and denies non-TLS access', () => {
      for (const { template, json } of Object.values(envs)) {
        const queues = resourcesOf(json, 'AWS::SQS::Queue');
        assert.ok(queues.length > 0);
        for (const [id, queue] of queues) {
          assert.ok(queue.Properties.KmsMasterKeyId?.['Fn::GetAtt']?.[0]?.startsWith('DataKey'), `${id} uses the data key`);
          template.hasResourceProperties('AWS::SQS::QueuePolicy', {
            Queues: Match.arrayWith([{ Ref: id }]),
            PolicyDocument: {
              Statement: Match.arrayWith([
                Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
              ]),
            },
          });
        }
      }
    });

    it('gives every queue a DLQ, or makes it the DLQ of a queue, rule target, function or subscription', () => {
      for (const { json } of Object.values(envs)) {
        const deadLetterTargets = [
          ...resourcesOf(json, 'AWS::SQS::Queue').map(([, q]) => q.Properties.RedrivePolicy?.deadLetterTargetArn),
          ...resourcesOf(json, 'AWS::Events::Rule').flatMap(([, r]) => (r.Properties.Targets as Json[]).map((t) => t.DeadLetterConfig?.Arn)),
          ...resourcesOf(json, 'AWS::Lambda::Function').map(([, f]) => f.Properties.DeadLetterConfig?.TargetArn),
          ...resourcesOf(json, 'AWS::SNS::Subscription').map(([, s]) => s.Properties.RedrivePolicy?.deadLetterTargetArn),
        ].filter((t) => t !== undefined);
        for (const [id, queue] of resourcesOf(json, 'AWS::SQS::Queue')) {
          const isDlq = deadLetterTargets.some((t) => mentions(t, id));
          assert.ok(queue.Properties.RedrivePolicy !== undefined || isDlq, `${id} has a DLQ or is one`);
          assert.ok(!(queue.Properties.RedrivePolicy !== undefined && isDlq), `${id} is not both a DLQ and a source`);
        }
      }
    });

    it('redrives connector queues to their DLQ after maxReceiveCount, and DLQs outlive their source', () => {
      for (const { template } of Object.values(envs)) {
        for (const definition of QUEUES) {
          template.hasResourceProperties('AWS::SQS::Queue', {
            VisibilityTimeout: definition.visibilityTimeoutSeconds,
            MessageRetentionPeriod: 4 * 86400,
            RedrivePolicy: { maxReceiveCount: definition.maxReceiveCount, deadLetterTargetArn: Match.anyValue() },
          });
          template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
            BatchSize: definition.batchSize,
            FunctionResponseTypes: ['ReportBatchItemFailures'],
            ScalingConfig: { MaximumConcurrency: Match.anyValue() },
          });
        }
        const dlqs = Object.values(template.findResources('AWS::SQS::Queue')).filter((q) => q.Properties.RedrivePolicy === undefined);
        assert.ok(dlqs.every((q) => q.Properties.MessageRetentionPeriod === 14 * 86400), 'DLQs keep messages 14 days');
      }
    });
  });

  describe('bus', () => {
    it('creates one rule per RULES entry with the contract pattern, a retry policy and a DLQ on its target', () => {
      for (const { template, json } of Object.values(envs)) {
        template.resourceCountIs('AWS::Events::Rule', RULES.length);
        for (const rule of RULES) {
          template.hasResourceProperties('AWS::Events::Rule', {
            EventPattern: rule.eventPattern,
            Targets: [
              Match.objectLike({
                DeadLetterConfig: { Arn: Match.anyValue() },
                RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
              }),
            ],
          });
        }
        for (const [id, rule] of resourcesOf(json, 'AWS::Events::Rule')) {
          for (const target of rule.Properties.Targets as Json[]) {
            assert.ok(target.DeadLetterConfig?.Arn, `${id} target has a DLQ`);
            assert.ok(target.RetryPolicy?.MaximumRetryAttempts > 0, `${id} target retries`);
          }
        }
      }
    });

    it('archives everything HEM publishes for replay', () => {
      envs.prod!.template.hasResourceProperties('AWS::Events::Archive', {
        EventPattern: { source: [{ prefix: 'hem.' }] },
        RetentionDays: 90,
      });
    });

    it('lets EventBridge use the data key for target DLQs of this bus', () => {
      envs.dev!.template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'events.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': Match.anyValue() } }),
            }),
          ]),
        },
      });
    });
  });

  describe('storage', () => {
    it('creates the contract tables with PITR, the customer key, TTL and GSIs', () => {
      for (const { template } of Object.values(envs)) {
        template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
        for (const table of TABLES) {
          template.hasResourceProperties('AWS::DynamoDB::Table', {
            KeySchema: [
              { AttributeName: table.partitionKey, KeyType: 'HASH' },
              ...(table.sortKey === undefined ? [] : [{ AttributeName: table.sortKey, KeyType: 'RANGE' }]),
            ],
            BillingMode: 'PAY_PER_REQUEST',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
            TimeToLiveSpecification:
              table.timeToLiveAttribute === undefined ? Match.absent() : { AttributeName: table.timeToLiveAttribute, Enabled: true },
            GlobalSecondaryIndexes:
              table.globalSecondaryIndexes === undefined
                ? Match.absent()
                : table.globalSecondaryIndexes.map((i) => Match.objectLike({ IndexName: i.indexName })),
          });
        }
      }
    });

    it('retains and deletion-protects prod tables and keys; dev tables are disposable', () => {
      const prodTables = envs.prod!.template.findResources('AWS::DynamoDB::Table');
      for (const [id, table] of Object.entries(prodTables)) {
        assert.equal(table.DeletionPolicy, 'Retain', id);
        assert.equal(table.UpdateReplacePolicy, 'Retain', id);
        assert.equal(table.Properties.DeletionProtectionEnabled, true, id);
      }
      for (const key of Object.values(envs.prod!.template.findResources('AWS::KMS::Key'))) {
        assert.equal(key.DeletionPolicy, 'Retain');
      }
      for (const [id, table] of Object.entries(envs.dev!.template.findResources('AWS::DynamoDB::Table'))) {
        assert.equal(table.DeletionPolicy, 'Delete', id);
      }
    });

    it('backs up the durable tables in prod, not the idempotency table', () => {
      const { json, template } = envs.prod!;
      template.resourceCountIs('AWS::Backup::BackupPlan', 1);
      const selection = JSON.stringify(resourcesOf(json, 'AWS::Backup::BackupSelection')[0]![1]);
      for (const table of ['Audit', 'Operations', 'Reference']) {
        assert.match(selection, new RegExp(`"Storage${table}[0-9A-F]{8}"`));
      }
      assert.doesNotMatch(selection, /StorageIdempotency/);
      envs.dev!.template.resourceCountIs('AWS::Backup::BackupPlan', 0);
    });

    it('encrypts every log group with the customer key and sets a retention', () => {
      for (const { json, config } of Object.values(envs)) {
        for (const [id, group] of resourcesOf(json, 'AWS::Logs::LogGroup')) {
          assert.ok(group.Properties.KmsKeyId, `${id} encrypted`);
          assert.equal(group.Properties.RetentionInDays, config.logRetentionDays, `${id} retention`);
        }
      }
    });
  });

  describe('workflows', () => {
    it('inlines each ASL definition with every ${placeholder} substituted, logging ALL without execution data', () => {
      for (const { template, json } of Object.values(envs)) {
        template.resourceCountIs('AWS::StepFunctions::StateMachine', STATE_MACHINES.length);
        for (const [id, machine] of resourcesOf(json, 'AWS::StepFunctions::StateMachine')) {
          const p = machine.Properties;
          assert.equal(p.DefinitionS3Location, undefined, `${id} has no S3 definition`);
          assert.equal(typeof p.DefinitionString, 'string', `${id} definition is inline`);
          const substituted = (p.DefinitionString as string).replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
            name in (p.DefinitionSubstitutions ?? {}) ? 'substituted' : whole,
          );
          assert.ok(!substituted.includes('${'), `${id}: unsubstituted placeholder in ${substituted}`);
          assert.deepEqual(p.LoggingConfiguration.Level, 'ALL');
          assert.equal(p.LoggingConfiguration.IncludeExecutionData, false);
          assert.deepEqual(p.TracingConfiguration, { Enabled: true });
          assert.equal(p.EncryptionConfiguration.Type, 'CUSTOMER_MANAGED_KMS_KEY');
        }
      }
    });
  });

  describe('api', () => {
    it('exposes every route with the Cognito authorizer and the route scopes, and AWS_IAM on /v1/ops', () => {
      for (const { template, json } of Object.values(envs)) {
        template.resourceCountIs('AWS::ApiGateway::Method', ROUTES.length);
        const paths = resourcePaths(json);
        const methods = resourcesOf(json, 'AWS::ApiGateway::Method');
        for (const route of ROUTES) {
          const found = methods.filter(
            ([, m]) => m.Properties.HttpMethod === route.method && paths.get(m.Properties.ResourceId.Ref as string) === route.path,
          );
          assert.equal(found.length, 1, `${route.method} ${route.path}`);
          const p = found[0]![1].Properties;
          if (route.auth === 'jwt') {
            assert.equal(p.AuthorizationType, 'COGNITO_USER_POOLS', route.path);
            assert.deepEqual(p.AuthorizationScopes, route.scopes, route.path);
            assert.ok(p.AuthorizerId?.Ref, route.path);
          } else {
            assert.ok(route.path.startsWith('/v1/ops/'));
            assert.equal(p.AuthorizationType, 'AWS_IAM', route.path);
          }
          assert.ok(p.RequestValidatorId, `${route.path} validates requests`);
        }
      }
    });

    it('creates one client-credentials app client per configured partner with its scopes', () => {
      for (const { template, config } of Object.values(envs)) {
        template.resourceCountIs('AWS::Cognito::UserPoolClient', config.partners.length);
        for (const partner of config.partners) {
          template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
            ClientName: partner.name,
            AllowedOAuthFlows: ['client_credentials'],
            GenerateSecret: true,
            AllowedOAuthScopes: partner.scopes.map((s) => ({ 'Fn::Join': ['', [Match.anyValue(), `/${s.split('/')[1]}`]] })),
          });
        }
        template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', { Identifier: 'hem' });
        template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
      }
    });

    it('logs access as JSON, never traces data, throttles and disables caching on the stage', () => {
      for (const { template, config } of Object.values(envs)) {
        template.hasResourceProperties('AWS::ApiGateway::Stage', {
          AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('^\\{"requestId"') },
          TracingEnabled: true,
          MethodSettings: [
            Match.objectLike({
              HttpMethod: '*',
              ResourcePath: '/*',
              DataTraceEnabled: false,
              CachingEnabled: false,
              LoggingLevel: 'INFO',
              ThrottlingRateLimit: config.api.throttlingRateLimit,
              ThrottlingBurstLimit: config.api.throttlingBurstLimit,
            }),
          ],
        });
      }
    });

    it('associates a WAF web ACL with managed rules and the configured rate limit to the stage', () => {
      for (const { template, json, config } of Object.values(envs)) {
        const stageId = resourcesOf(json, 'AWS::ApiGateway::Stage')[0]![0];
        const association = resourcesOf(json, 'AWS::WAFv2::WebACLAssociation');
        assert.equal(association.length, 1);
        assert.ok(mentions(association[0]![1].Properties.ResourceArn, stageId), 'association targets the stage');
        template.hasResourceProperties('AWS::WAFv2::WebACL', {
          Scope: 'REGIONAL',
          Rules: Match.arrayWith([
            Match.objectLike({ Statement: { ManagedRuleGroupStatement: Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }) } }),
            Match.objectLike({ Statement: { ManagedRuleGroupStatement: Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }) } }),
            Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: config.waf.rateLimitPer5Minutes }) } }),
          ]),
        });
        template.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
      }
    });
  });

  describe('observability', () => {
    it('alarms on the depth of every dead-letter queue, notifying the alarm topic', () => {
      for (const { json } of Object.values(envs)) {
        const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
        const dlqs = resourcesOf(json, 'AWS::SQS::Queue').filter(([, q]) => q.Properties.RedrivePolicy === undefined);
        assert.ok(dlqs.length >= RULES.length + QUEUES.length + 1);
        for (const [id] of dlqs) {
          const alarm = alarms.find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && mentions(a.Dimensions, id));
          assert.ok(alarm, `alarm for ${id}`);
          assert.equal(alarm.Threshold, 0);
          assert.equal(alarm.ComparisonOperator, 'GreaterThanThreshold');
          assert.ok(alarm.AlarmActions.length > 0, `${id} alarm notifies`);
        }
      }
    });

    it('alarms on workflow failures, API 5xx and API p99 latency', () => {
      for (const { json } of Object.values(envs)) {
        const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
        assert.ok(alarms.some((a) => JSON.stringify(a.Metrics ?? []).includes('ExecutionsFailed')), 'workflow failures');
        assert.ok(alarms.some((a) => a.MetricName === '5XXError'), 'API 5xx');
        assert.ok(alarms.some((a) => a.MetricName === 'Latency' && a.ExtendedStatistic === 'p99'), 'API p99 latency');
      }
    });

    it('publishes alarms to a KMS-encrypted topic and draws one dashboard with the business metrics', () => {
      for (const { template, json } of Object.values(envs)) {
        template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
        const dashboards = resourcesOf(json, 'AWS::CloudWatch::Dashboard');
        assert.equal(dashboards.length, 1);
        const body = JSON.stringify(dashboards[0]![1].Properties.DashboardBody);
        for (const metric of ['UsageEventsProcessed', 'ReordersTriggered', 'ApproximateNumberOfMessagesVisible', 'Latency']) {
          assert.ok(body.includes(metric), `dashboard shows ${metric}`);
        }
      }
      envs.prod!.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
      });
    });
  });
});

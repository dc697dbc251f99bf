import { beforeAll, describe, expect, it } from '@jest/globals';
import { expectTruthy } from '../support/expect-narrowing';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FUNCTIONS, type FunctionId } from '../../contracts/functions';
import { ROUTES } from '../../contracts/routes';
import { QUEUES, RULES, STATE_MACHINES, type StateMachineId } from '../../contracts/routing';
import { TABLES, type TableId } from '../../contracts/tables';
import { parseEnvironments, type EnvironmentConfig } from '../../lib/config/environment';
import { BUSINESS_METRICS } from '../../lib/constructs/observability';
import { findAslPlaceholders } from '../../lib/constructs/state-machine-from-asl';
import { PROJECT_ROOT } from '../../lib/hem-app';
import { FUNCTION_ACCESS } from '../../lib/stacks/function-access';
import { dlqNameOfQueue, dlqNameOfRule, OPENAPI_TOKEN_URL_ENV, TABLE_ENV } from '../../lib/stacks/hem-stack';
import { parseDeadLetterQueueConfig, parseRuleArns } from '../../functions/adapters/aws/dependencies';
import { HEM_ENV } from '../../functions/adapters/aws/environment';
import { parseStateMachineArns } from '../../functions/adapters/aws/procurement-connectors';
import { TOKEN_URL_ENV } from '../../functions/handlers/openapi';
import { METRIC } from '../../functions/handlers/shared/powertools';
import { PROCUREMENT_METRIC } from '../../functions/handlers/shared/procurement-metrics';
import { RECEIPT_INVOICE_METRIC } from '../../functions/handlers/shared/receipt-invoice-schemas';
import { handlerPorts } from './handler-ports';
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
  expect(match.length).toBe(1);
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

/**
 * A CloudFormation string value as the function will read it: `Fn::Join` parts concatenated, every
 * token (Ref, GetAtt…) replaced by `https://token.invalid/<logical id>`.
 */
const resolveForTest = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const join = (value as Json)['Fn::Join'] as [string, unknown[]] | undefined;
  if (join !== undefined) return join[1].map(resolveForTest).join(join[0]);
  const token = value as Json;
  const logicalId = (token.Ref ?? token['Fn::GetAtt']?.[0]) as string | undefined;
  expectTruthy(logicalId);
  return `https://token.invalid/${logicalId}`;
};

/** Statements of the role of the (only) state machine whose logical id starts with `prefix`. */
function stateMachineStatements(json: Json, prefix: string): Json[] {
  const [[, machine]] = resourcesOf(json, 'AWS::StepFunctions::StateMachine').filter(([id]) => id.startsWith(prefix)) as [[string, Json]];
  const roleId = machine.Properties.RoleArn['Fn::GetAtt'][0] as string;
  return resourcesOf(json, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
}

const actionsOf = (statements: Json[]): string[] => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
const mentions = (value: unknown, logicalId: string): boolean => JSON.stringify(value).includes(`"${logicalId}"`);

/** Task states of an ASL document (nested Parallel branches and Map iterators included) that wait for a task token. */
function callbackStates(asl: Json): Json[] {
  const states = Object.values((asl.States ?? {}) as Record<string, Json>);
  return states.flatMap((state) => [
    ...(state.Type === 'Task' && String(state.Resource).endsWith('.waitForTaskToken') ? [state] : []),
    ...((state.Branches ?? []) as Json[]).flatMap(callbackStates),
    ...[state.Iterator, state.ItemProcessor].filter((p) => p !== undefined).flatMap((p) => callbackStates(p as Json)),
  ]);
}

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
  beforeAll(() => {
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
    expect(Object.keys(envs).sort()).toStrictEqual(['dev', 'prod']);
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
          expect(functionLogicalId(json, definition.id)).toBeTruthy();
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

    it('gives the encounter key only to ingest functions, the finance URL to the finance connector and no outside URL to the voucher tasks', () => {
      const { json, config } = envs.prod!;
      const variables = (id: FunctionId): Json => json.Resources[functionLogicalId(json, id)].Properties.Environment.Variables;
      for (const definition of FUNCTIONS) {
        const hasKey = 'HEM_ENCOUNTER_KEY_SECRET_ARN' in variables(definition.id);
        expect(hasKey).toBe(definition.id === 'Hl7Ingest' || definition.id === 'UsageIngest');
      }
      expect(variables('FinanceConnector').HEM_FINANCE_URL).toBe(config.financeUrl);
      expect(FUNCTIONS.filter((f) => 'HEM_FINANCE_URL' in variables(f.id)).map((f) => f.id)).toStrictEqual(['FinanceConnector']);
      for (const task of ['PrepareApVoucher', 'RecordApVoucher'] as const) {
        for (const variable of ['HEM_FINANCE_URL', 'HEM_ERP_URL', 'HEM_ENCOUNTER_KEY_SECRET_ARN']) {
          expect(!(variable in variables(task))).toBeTruthy();
        }
      }
    });

    it('sets the HEM_DLQS the OpsDlq adapter reads, in the format it parses, with a redrive path per DLQ', () => {
      const { json } = envs.prod!;
      const variables = json.Resources[functionLogicalId(json, 'OpsDlq')].Properties.Environment.Variables as Json;
      expect(HEM_ENV.deadLetterQueues in variables).toBeTruthy();
      const config = parseDeadLetterQueueConfig(resolveForTest(variables[HEM_ENV.deadLetterQueues]));
      const byName = new Map(config.map((q) => [q.name, q]));
      expect([...byName.keys()].sort()).toStrictEqual([...QUEUES.map((q) => dlqNameOfQueue(q.id)), ...RULES.map((r) => dlqNameOfRule(r.name)), 'lambda-async-dlq'].sort());
      for (const queue of QUEUES) {
        const dlq = byName.get(dlqNameOfQueue(queue.id));
        expect(dlq?.redrive?.kind).toBe('queue');
        expect(JSON.stringify(dlq?.redrive)).toMatch(new RegExp(`Connectors${queue.id}Queue`));
      }
      for (const rule of RULES) {
        const dlq = byName.get(`${rule.name}-dlq`);
        expect(dlq?.redrive?.kind).toBe('bus');
        expect(dlq?.dlqUrl ?? '').toMatch(new RegExp(`Bus${rule.name.replace(/-/g, '')}dlqQueue`));
      }
      expect(byName.get('lambda-async-dlq')?.redrive).toBe(undefined);
    });

    it('gives OpsAdmin the archive, bus and rule ARNs its replayer reads', () => {
      const { json } = envs.prod!;
      const variables = json.Resources[functionLogicalId(json, 'OpsAdmin')].Properties.Environment.Variables as Json;
      expect(resolveForTest(variables[HEM_ENV.archiveArn])).toMatch(/token\.invalid\/BusEventBusArchive/);
      expect(resolveForTest(variables[HEM_ENV.eventBusArn])).toMatch(/token\.invalid\/BusEventBus/);
      const ruleArns = parseRuleArns(resolveForTest(variables[HEM_ENV.ruleArns]).replace(/https:\/\/token\.invalid\//g, 'arn:'));
      expect(Object.keys(ruleArns).sort()).toStrictEqual(RULES.map((r) => r.name).sort());
    });

    it('lets OpsAdmin start replays of the archive only and read the audit table, and OpsDlq re-publish to the bus', () => {
      const { json } = envs.dev!;
      const archiveId = resourcesOf(json, 'AWS::Events::Archive')[0]![0];
      const admin = roleStatements(json, 'OpsAdmin');
      const replays = admin.filter((s) => actionsOf([s]).includes('events:StartReplay'));
      expect(replays.length).toBe(1);
      expect(mentions(replays[0]!.Resource, archiveId)).toBeTruthy();
      expect(actionsOf(admin).includes('dynamodb:Query')).toBeTruthy();
      for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'events:PutEvents']) {
        expect(!actionsOf(admin).includes(write)).toBeTruthy();
      }
      expect(actionsOf(roleStatements(json, 'OpsDlq')).includes('events:PutEvents')).toBeTruthy();
    });

    it('grants query functions read-only table access and no PutEvents', () => {
      const { json } = envs.dev!;
      for (const id of ['InventoryQuery', 'TransactionQuery'] as const) {
        const actions = actionsOf(roleStatements(json, id));
        expect(actions.includes('dynamodb:Query')).toBeTruthy();
        for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'events:PutEvents']) {
          expect(!actions.includes(write)).toBeTruthy();
        }
      }
    });

    it('lets ingest functions write idempotency and operations records, append audit, put events and read the encounter key', () => {
      const { json } = envs.dev!;
      const tableId = (id: string): string => resourcesOf(json, 'AWS::DynamoDB::Table').find(([logicalId]) => logicalId.startsWith(`Storage${id}`))![0];
      for (const id of ['Hl7Ingest', 'UsageIngest'] as const) {
        const statements = roleStatements(json, id);
        const writable = statements.filter((s) => actionsOf([s]).includes('dynamodb:UpdateItem'));
        expect(writable.some((s) => mentions(s.Resource, tableId('Idempotency')))).toBeTruthy();
        expect(writable.some((s) => mentions(s.Resource, tableId('Operations')))).toBeTruthy();
        expect(!writable.some((s) => mentions(s.Resource, tableId('Audit')))).toBeTruthy();
        expect(statements.some((s) => actionsOf([s]).includes('dynamodb:PutItem') && mentions(s.Resource, tableId('Audit')))).toBeTruthy();
        expect(actionsOf(statements).includes('events:PutEvents')).toBeTruthy();
        expect(actionsOf(statements).includes('secretsmanager:GetSecretValue')).toBeTruthy();
        expect(!writable.some((s) => mentions(s.Resource, tableId('Reference')))).toBeTruthy();
      }
    });

    it('never grants a wildcard action, and Resource "*" only to X-Ray and log-delivery actions', () => {
      const resourceStarAllowed = /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/;
      for (const { json } of Object.values(envs)) {
        for (const [, policy] of resourcesOf(json, 'AWS::IAM::Policy')) {
          for (const statement of policy.Properties.PolicyDocument.Statement as Json[]) {
            const actions = actionsOf([statement]);
            expect(actions.every((a) => a !== '*' && !a.endsWith(':*'))).toBeTruthy();
            const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
            if (resources.includes('*')) {
              expect(actions.every((a) => resourceStarAllowed.test(a))).toBeTruthy();
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
        expect(queues.length > 0).toBeTruthy();
        for (const [id, queue] of queues) {
          expect(queue.Properties.KmsMasterKeyId?.['Fn::GetAtt']?.[0]?.startsWith('DataKey')).toBeTruthy();
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
          expect(queue.Properties.RedrivePolicy !== undefined || isDlq).toBeTruthy();
          expect(!(queue.Properties.RedrivePolicy !== undefined && isDlq)).toBeTruthy();
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
        expect(dlqs.every((q) => q.Properties.MessageRetentionPeriod === 14 * 86400)).toBeTruthy();
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
        for (const [, rule] of resourcesOf(json, 'AWS::Events::Rule')) {
          for (const target of rule.Properties.Targets as Json[]) {
            expect(target.DeadLetterConfig?.Arn).toBeTruthy();
            expect(target.RetryPolicy?.MaximumRetryAttempts > 0).toBeTruthy();
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
      for (const [, table] of Object.entries(prodTables)) {
        expect(table.DeletionPolicy).toBe('Retain');
        expect(table.UpdateReplacePolicy).toBe('Retain');
        expect(table.Properties.DeletionProtectionEnabled).toBe(true);
      }
      for (const key of Object.values(envs.prod!.template.findResources('AWS::KMS::Key'))) {
        expect(key.DeletionPolicy).toBe('Retain');
      }
      for (const [, table] of Object.entries(envs.dev!.template.findResources('AWS::DynamoDB::Table'))) {
        expect(table.DeletionPolicy).toBe('Delete');
      }
    });

    it('backs up the durable tables in prod, not the idempotency table', () => {
      const { json, template } = envs.prod!;
      template.resourceCountIs('AWS::Backup::BackupPlan', 1);
      const selection = JSON.stringify(resourcesOf(json, 'AWS::Backup::BackupSelection')[0]![1]);
      for (const table of ['Audit', 'Operations', 'Reference']) {
        expect(selection).toMatch(new RegExp(`"Storage${table}[0-9A-F]{8}"`));
      }
      expect(selection).not.toMatch(/StorageIdempotency/);
      envs.dev!.template.resourceCountIs('AWS::Backup::BackupPlan', 0);
    });

    it('encrypts every log group with the customer key and sets a retention', () => {
      for (const { json, config } of Object.values(envs)) {
        for (const [, group] of resourcesOf(json, 'AWS::Logs::LogGroup')) {
          expect(group.Properties.KmsKeyId).toBeTruthy();
          expect(group.Properties.RetentionInDays).toBe(config.logRetentionDays);
        }
      }
    });
  });

  describe('workflows', () => {
    it('inlines each ASL definition with every ${placeholder} substituted, logging ALL without execution data', () => {
      for (const { template, json } of Object.values(envs)) {
        template.resourceCountIs('AWS::StepFunctions::StateMachine', STATE_MACHINES.length);
        for (const [, machine] of resourcesOf(json, 'AWS::StepFunctions::StateMachine')) {
          const p = machine.Properties;
          expect(p.DefinitionS3Location).toBe(undefined);
          expect(typeof p.DefinitionString).toBe('string');
          const substituted = (p.DefinitionString as string).replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
            name in (p.DefinitionSubstitutions ?? {}) ? 'substituted' : whole,
          );
          expect(!substituted.includes('${')).toBeTruthy();
          expect(p.LoggingConfiguration.Level).toStrictEqual('ALL');
          expect(p.LoggingConfiguration.IncludeExecutionData).toBe(false);
          expect(p.TracingConfiguration).toStrictEqual({ Enabled: true });
          expect(p.EncryptionConfiguration.Type).toBe('CUSTOMER_MANAGED_KMS_KEY');
        }
      }
    });

    it('lets usage-to-replenishment dead-letter its failed events into its rule DLQ (send + the data key), nothing more', () => {
      for (const { json } of Object.values(envs)) {
        const dlqId = resourcesOf(json, 'AWS::SQS::Queue').find(([id]) => id.startsWith('BususagetoreplenishmentdlqQueue'))![0];
        const [[, machine]] = resourcesOf(json, 'AWS::StepFunctions::StateMachine').filter(([id]) => id.startsWith('WorkflowsUsageToReplenishment')) as [[string, Json]];
        expect(machine.Properties.DefinitionSubstitutions.WorkflowDeadLetterQueueUrl).toStrictEqual({ Ref: dlqId });
        const statements = stateMachineStatements(json, 'WorkflowsUsageToReplenishment');
        const sends = statements.filter((s) => actionsOf([s]).includes('sqs:SendMessage'));
        expect(sends.length).toBe(1);
        expect(mentions(sends[0]!.Resource, dlqId)).toBeTruthy();
        const keyId = resourcesOf(json, 'AWS::KMS::Key')[0]![0];
        expect(statements.some((s) => actionsOf([s]).includes('kms:GenerateDataKey*') && mentions(s.Resource, keyId))).toBeTruthy();
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
          expect(found.length).toBe(1);
          const p = found[0]![1].Properties;
          if (route.auth === 'jwt') {
            expect(p.AuthorizationType).toBe('COGNITO_USER_POOLS');
            expect(p.AuthorizationScopes).toStrictEqual(route.scopes);
            expect(p.AuthorizerId?.Ref).toBeTruthy();
          } else {
            expect(route.path.startsWith('/v1/ops/')).toBeTruthy();
            expect(p.AuthorizationType).toBe('AWS_IAM');
          }
          expect(p.RequestValidatorId).toBeTruthy();
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
        expect(association.length).toBe(1);
        expect(mentions(association[0]![1].Properties.ResourceArn, stageId)).toBeTruthy();
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
        expect(dlqs.length >= RULES.length + QUEUES.length + 1).toBeTruthy();
        for (const [id] of dlqs) {
          const alarm = alarms.find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && mentions(a.Dimensions, id));
          expectTruthy(alarm);
          expect(alarm.Threshold).toBe(0);
          expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
          expect(alarm.AlarmActions.length > 0).toBeTruthy();
        }
      }
    });

    it('alarms on workflow failures, API 5xx and API p99 latency', () => {
      for (const { json } of Object.values(envs)) {
        const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
        expect(alarms.some((a) => JSON.stringify(a.Metrics ?? []).includes('ExecutionsFailed'))).toBeTruthy();
        expect(alarms.some((a) => a.MetricName === '5XXError')).toBeTruthy();
        expect(alarms.some((a) => a.MetricName === 'Latency' && a.ExtendedStatistic === 'p99')).toBeTruthy();
      }
    });

    it('publishes alarms to a KMS-encrypted topic and draws one dashboard with the business metrics', () => {
      for (const { template, json } of Object.values(envs)) {
        template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
        const dashboards = resourcesOf(json, 'AWS::CloudWatch::Dashboard');
        expect(dashboards.length).toBe(1);
        const body = JSON.stringify(dashboards[0]![1].Properties.DashboardBody);
        for (const metric of ['UsageEventsProcessed', 'ReordersTriggered', 'ApproximateNumberOfMessagesVisible', 'Latency']) {
          expect(body.includes(metric)).toBeTruthy();
        }
      }
      envs.prod!.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
      });
    });
  });

  describe('procure-to-pay', () => {
    const standard = STATE_MACHINES.filter((m) => m.type === 'STANDARD');
    const functionIdsOf = (json: Json): Map<string, FunctionId> => new Map(FUNCTIONS.map((f) => [functionLogicalId(json, f.id), f.id]));
    const machineOf = (json: Json, id: StateMachineId): [string, Json] => {
      const found = resourcesOf(json, 'AWS::StepFunctions::StateMachine').filter(([logicalId]) => logicalId.startsWith(`Workflows${id}`));
      expect(found.length).toBe(1);
      return found[0]!;
    };
    /** The deployed ARN of a workflow, as a function's variables and policies spell it (resolved for the test). */
    const expectedArn = (env: string, id: StateMachineId): RegExp =>
      new RegExp(`^arn:https://token\\.invalid/AWS::Partition:states:https://token\\.invalid/AWS::Region:https://token\\.invalid/AWS::AccountId:stateMachine:Hem-${env}-${id}$`);

    it('deploys RequisitionToPay and ReceiptToInvoice as Standard workflows with their deterministic names and inline definitions', () => {
      expect(standard.map((m) => m.id).sort()).toStrictEqual(['ReceiptToInvoice', 'RequisitionToPay']);
      for (const [env, { json }] of Object.entries(envs)) {
        for (const definition of standard) {
          const [, machine] = machineOf(json, definition.id);
          const p = machine.Properties;
          expect(p.StateMachineType).toBe('STANDARD');
          expect(p.StateMachineName).toBe(`Hem-${env}-${definition.id}`);
          expect(p.DefinitionString).toBe(readFileSync(path.join(PROJECT_ROOT, definition.file), 'utf8'));
          expect(Object.keys(p.DefinitionSubstitutions).sort()).toStrictEqual(findAslPlaceholders(p.DefinitionString as string));
          const substituted = (p.DefinitionString as string).replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
            name in p.DefinitionSubstitutions ? 'substituted' : whole,
          );
          expect(!substituted.includes('${')).toBeTruthy();
          for (const [placeholder, fn] of Object.entries(definition.functionPlaceholders)) {
            expect(p.DefinitionSubstitutions[placeholder]).toStrictEqual({ 'Fn::GetAtt': [functionLogicalId(json, fn), 'Arn'] });
          }
        }
      }
    });

    it("lets each workflow's role invoke exactly its Lambdas (waitForTaskToken tasks included), send to exactly its queues and publish to the bus", () => {
      for (const { json } of Object.values(envs)) {
        const busId = resourcesOf(json, 'AWS::Events::EventBus')[0]![0];
        for (const definition of STATE_MACHINES) {
          const statements = stateMachineStatements(json, `Workflows${definition.id}`);
          const invoked = statements
            .filter((s) => actionsOf([s]).includes('lambda:InvokeFunction'))
            .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) as Json[]);
          expect(invoked.map((r) => JSON.stringify(r)).sort()).toStrictEqual([...new Set(Object.values(definition.functionPlaceholders))].map((fn) => JSON.stringify({ 'Fn::GetAtt': [functionLogicalId(json, fn), 'Arn'] })).sort());
          const sentTo = statements
            .filter((s) => actionsOf([s]).includes('sqs:SendMessage'))
            .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) as Json[])
            .map((r) => (r['Fn::GetAtt'] as [string, string])[0])
            .sort();
          const [, machine] = machineOf(json, definition.id);
          const expectedQueues = Object.keys(definition.queuePlaceholders ?? {})
            .map((placeholder) => (machine.Properties.DefinitionSubstitutions[placeholder] as Json).Ref as string)
            .sort();
          expect(sentTo).toStrictEqual(expectedQueues);
          if (JSON.stringify(machine.Properties.DefinitionString).includes('events:putEvents')) {
            expect(statements.some((s) => actionsOf([s]).includes('events:PutEvents') && mentions(s.Resource, busId))).toBeTruthy();
          }
          for (const action of actionsOf(statements)) {
            expect(!action.startsWith('states:')).toBeTruthy();
          }
        }
      }
    });

    it('hands every task token to a function allowed to answer it (waitForTaskToken Lambda tasks and queue consumers)', () => {
      const recipients: string[] = [];
      for (const definition of STATE_MACHINES) {
        const asl = JSON.parse(readFileSync(path.join(PROJECT_ROOT, definition.file), 'utf8')) as Json;
        for (const state of callbackStates(asl)) {
          const resource = state.Resource as string;
          const placeholder = /^\$\{([A-Za-z0-9_]+)\}$/.exec(String(state.Parameters?.FunctionName ?? state.Parameters?.QueueUrl ?? ''))?.[1];
          expectTruthy(placeholder);
          let recipient: FunctionId;
          if (resource.startsWith('arn:aws:states:::lambda:invoke')) {
            recipient = definition.functionPlaceholders[placeholder]!;
          } else if (resource.startsWith('arn:aws:states:::sqs:sendMessage')) {
            const ref = definition.queuePlaceholders?.[placeholder];
            expectTruthy(ref !== undefined && 'queue' in ref);
            recipient = QUEUES.find((q) => q.id === ref.queue)!.consumer;
          } else {
            throw new Error(`${definition.id}: no known recipient for the task token of ${resource}`);
          }
          const workflows = FUNCTION_ACCESS[recipient].completeWorkflowTasks ?? [];
          expect((workflows as readonly string[]).includes(definition.id)).toBeTruthy();
          recipients.push(`${definition.id}:${recipient}`);
        }
      }
      expect(recipients.includes('RequisitionToPay:ErpConnector') && recipients.includes('RequisitionToPay:SupplierConnector')).toBeTruthy();
      expect(recipients.includes('ReceiptToInvoice:RegisterWait')).toBeTruthy();
      expect(recipients.includes('ReceiptToInvoice:ErpConnector') && recipients.includes('ReceiptToInvoice:FinanceConnector')).toBeTruthy();
    });

    it('lets ReceiptToInvoice send the voucher to the ERP and finance connector queues, and those connectors answer its task tokens', () => {
      for (const [env, { json }] of Object.entries(envs)) {
        const sentTo = stateMachineStatements(json, 'WorkflowsReceiptToInvoice')
          .filter((s) => actionsOf([s]).includes('sqs:SendMessage'))
          .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) as Json[])
          .map((r) => (r['Fn::GetAtt'] as [string, string])[0])
          .sort();
        expect(sentTo.length).toBe(2);
        expect(sentTo[0]!).toMatch(/^ConnectorsErpCommandsQueue[0-9A-F]{8}$/);
        expect(sentTo[1]!).toMatch(/^ConnectorsFinancePostingsQueue[0-9A-F]{8}$/);
        for (const connector of ['FinanceConnector', 'ErpConnector'] as const) {
          const answers = roleStatements(json, connector)
            .filter((s) => actionsOf([s]).includes('states:SendTaskSuccess') && actionsOf([s]).includes('states:SendTaskFailure'))
            .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) as unknown[])
            .map(resolveForTest);
          expect(answers.some((arn) => expectedArn(env, 'ReceiptToInvoice').test(arn))).toBeTruthy();
        }
        const consumer = resourcesOf(json, 'AWS::Lambda::EventSourceMapping')
          .map(([, m]) => m.Properties)
          .filter((m) => mentions(m.EventSourceArn, sentTo[1]!));
        expect(consumer.map((m) => m.FunctionName)).toStrictEqual([{ Ref: functionLogicalId(json, 'FinanceConnector') }]);
      }
    });

    it('lets exactly the starters start exactly their workflows, and the answerers answer exactly their task tokens', () => {
      for (const [env, { json }] of Object.entries(envs)) {
        const keyId = resourcesOf(json, 'AWS::KMS::Key')[0]![0];
        for (const definition of FUNCTIONS) {
          const access = FUNCTION_ACCESS[definition.id];
          const statements = roleStatements(json, definition.id);
          const resourcesFor = (action: string): string[] =>
            statements
              .filter((s) => actionsOf([s]).includes(action))
              .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) as unknown[])
              .map(resolveForTest)
              .sort();
          const starts = access.startWorkflows ?? [];
          const starting = resourcesFor('states:StartExecution');
          expect(starting.length).toBe(starts.length);
          for (const workflow of starts) {
            expect(starting.some((arn) => expectedArn(env, workflow).test(arn))).toBeTruthy();
          }
          const answers = access.completeWorkflowTasks ?? [];
          for (const action of ['states:SendTaskSuccess', 'states:SendTaskFailure']) {
            const answering = resourcesFor(action);
            expect(answering.length).toBe(answers.length);
            for (const workflow of answers) {
              expect(answering.some((arn) => expectedArn(env, workflow).test(arn))).toBeTruthy();
            }
          }
          expect(resourcesFor('states:SendTaskHeartbeat')).toStrictEqual([]);
          // The workflows are encrypted with the data key: starting or answering needs it, in that workflow's context only.
          const dataKey = statements.filter(
            (s) => actionsOf([s]).includes('kms:GenerateDataKey') && s.Condition?.StringEquals?.['kms:EncryptionContext:aws:states:stateMachineArn'] !== undefined,
          );
          const contexts = dataKey.map((s) => resolveForTest(s.Condition.StringEquals['kms:EncryptionContext:aws:states:stateMachineArn']));
          for (const workflow of new Set([...starts, ...answers])) {
            expect(contexts.some((arn) => expectedArn(env, workflow).test(arn))).toBeTruthy();
          }
          expect(dataKey.every((s) => mentions(s.Resource, keyId))).toBeTruthy();
        }
      }
    });

    it('breaks the workflow/function dependency cycle: functions see workflow ARNs built from names, never references', () => {
      for (const { json } of Object.values(envs)) {
        const machineIds = resourcesOf(json, 'AWS::StepFunctions::StateMachine').map(([id]) => id);
        const functionIds = functionIdsOf(json);
        const rolesOfFunctions = new Set([...functionIds.keys()].map((id) => json.Resources[id].Properties.Role['Fn::GetAtt'][0] as string));
        for (const [logicalId] of functionIds) {
          const fn = json.Resources[logicalId];
          for (const machineId of machineIds) {
            expect(!mentions(fn, machineId)).toBeTruthy();
          }
        }
        for (const [, policy] of resourcesOf(json, 'AWS::IAM::Policy')) {
          if (!(policy.Properties.Roles as Json[]).some((r) => rolesOfFunctions.has(r.Ref as string))) continue;
          for (const machineId of machineIds) {
            expect(!mentions(policy, machineId)).toBeTruthy();
          }
        }
      }
    });

    it('feeds every connector queue to its consumer with ReportBatchItemFailures, a DLQ after maxReceiveCount and a DLQ alarm', () => {
      for (const { json } of Object.values(envs)) {
        const mappings = resourcesOf(json, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
        const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
        for (const definition of QUEUES) {
          const [[queueId, queue]] = resourcesOf(json, 'AWS::SQS::Queue').filter(([id]) => new RegExp(`^Connectors${definition.id}Queue[0-9A-F]{8}$`).test(id)) as [[string, Json]];
          expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(definition.maxReceiveCount);
          const dlqId = queue.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string;
          expect(alarms.some((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && mentions(a.Dimensions, dlqId))).toBeTruthy();
          const mapping = mappings.filter((m) => mentions(m.EventSourceArn, queueId));
          expect(mapping.length).toBe(1);
          expect(mapping[0]!.FunctionName).toStrictEqual({ Ref: functionLogicalId(json, definition.consumer) });
          expect(mapping[0]!.FunctionResponseTypes).toStrictEqual(['ReportBatchItemFailures']);
          expect(mapping[0]!.BatchSize).toBe(definition.batchSize);
        }
      }
    });

    it('routes ReplenishmentRequested to the ProcurementRequests queue with retries and a DLQ, and lets EventBridge use the queue key', () => {
      for (const { json } of Object.values(envs)) {
        for (const rule of RULES.filter((r) => r.target.kind === 'queue')) {
          const [[, deployed]] = resourcesOf(json, 'AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(rule.eventPattern)) as [[string, Json]];
          const [target] = deployed.Properties.Targets as Json[];
          expect(target!.Arn['Fn::GetAtt'][0] as string).toMatch(new RegExp(`^Connectors${rule.target.id}Queue`));
          expect(target!.DeadLetterConfig.Arn['Fn::GetAtt'][0].startsWith(`Bus${rule.name.replace(/-/g, '')}dlqQueue`)).toBeTruthy();
          expect(target!.RetryPolicy.MaximumRetryAttempts > 0).toBeTruthy();
        }
        const replenishment = RULES.find((r) => r.name === 'replenishment-to-requisition');
        expect(replenishment?.target).toStrictEqual({ kind: 'queue', id: 'ProcurementRequests' });
        const keyPolicy = JSON.stringify(resourcesOf(json, 'AWS::KMS::Key')[0]![1].Properties.KeyPolicy);
        expect(keyPolicy).toMatch(/"Service":"events\.amazonaws\.com"/);
      }
    });

    it('gives ReceiptApi send access to ErpCommands only, and nobody else queue rights beyond their access table', () => {
      for (const { json } of Object.values(envs)) {
        for (const definition of FUNCTIONS) {
          const access = FUNCTION_ACCESS[definition.id];
          if (access.operateDeadLetterQueues === true) continue;
          const sends = roleStatements(json, definition.id)
            .filter((s) => actionsOf([s]).includes('sqs:SendMessage'))
            .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) as Json[])
            .map((r) => (r['Fn::GetAtt'] as [string, string])[0]);
          const allowed = [...(access.sendToQueues ?? [])].map((q) => `Connectors${q}Queue`);
          const unexpected = sends.filter((id) => !id.startsWith('LambdaAsyncDlq') && !allowed.some((prefix) => id.startsWith(prefix)));
          expect(unexpected).toStrictEqual([]);
        }
        expect(FUNCTION_ACCESS.ReceiptApi.sendToQueues).toStrictEqual(['ErpCommands']);
      }
    });

    it('charts the procurement business metrics the handlers emit and alarms on every ProcurementAlerts datapoint', () => {
      const declared = new Set<string>([...Object.values(METRIC), ...Object.values(PROCUREMENT_METRIC), ...Object.values(RECEIPT_INVOICE_METRIC)]);
      for (const metric of BUSINESS_METRICS) {
        expect(declared.has(metric)).toBeTruthy();
      }
      for (const metric of ['ReordersTriggered', 'PurchaseOrdersIssued', 'InvoicesMatched', 'InvoiceExceptions', 'ProcurementAlerts']) {
        expect((BUSINESS_METRICS as readonly string[]).includes(metric)).toBeTruthy();
      }
      for (const { json } of Object.values(envs)) {
        const body = resolveForTest(resourcesOf(json, 'AWS::CloudWatch::Dashboard')[0]![1].Properties.DashboardBody);
        for (const metric of BUSINESS_METRICS) {
          expect(body.includes(`MetricName=\\"${metric}\\"`)).toBeTruthy();
        }
        const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
        const alerts = alarms.filter((a) => a.MetricName === 'ProcurementAlerts');
        expect(alerts.length).toBe(1);
        const alarm = alerts[0]!;
        expect(alarm.Namespace).toBe('HEM');
        expect(alarm.Dimensions).toStrictEqual([{ Name: 'service', Value: 'hem' }]);
        expect(alarm.Statistic).toBe('Sum');
        expect(alarm.Threshold).toBe(0);
        expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
        expect(alarm.AlarmActions.length > 0).toBeTruthy();
        for (const definition of standard) {
          const [machineId] = machineOf(json, definition.id);
          expect(alarms.some((a) => JSON.stringify(a.Metrics ?? []).includes('ExecutionsFailed') && JSON.stringify(a.Metrics).includes('ExecutionsTimedOut') && mentions(a.Metrics, machineId))).toBeTruthy();
        }
      }
    });

    it('accepts X12 bodies on POST /v1/edi/x12 (no JSON model on its content types) and tells the catalog the Cognito token endpoint', () => {
      expect(OPENAPI_TOKEN_URL_ENV).toBe(TOKEN_URL_ENV);
      for (const { json } of Object.values(envs)) {
        const paths = resourcePaths(json);
        const edi = ROUTES.find((r) => r.path === '/v1/edi/x12')!;
        expect(edi.contentTypes?.includes('application/edi-x12')).toBeTruthy();
        const [[, method]] = resourcesOf(json, 'AWS::ApiGateway::Method').filter(
          ([, m]) => m.Properties.HttpMethod === 'POST' && paths.get(m.Properties.ResourceId.Ref as string) === '/v1/edi/x12',
        ) as [[string, Json]];
        expect(method.Properties.RequestModels).toBe(undefined);
        expect(method.Properties.AuthorizationScopes).toStrictEqual(['hem/edi.write']);
        const variables = json.Resources[functionLogicalId(json, 'OpenApi')].Properties.Environment.Variables as Json;
        expect(resolveForTest(variables[OPENAPI_TOKEN_URL_ENV])).toMatch(/\/oauth2\/token$/);
      }
    });
  });

  describe('function access follows the handler ports', () => {
    /** What each port's AWS adapter needs: the tables it reads or writes and the variables it requires. */
    const PORT_NEEDS: Readonly<Record<string, { tables?: readonly TableId[]; env?: readonly string[] }>> = {
      referenceData: { tables: ['Reference'], env: [HEM_ENV.tableReference] },
      procurementConfig: { tables: ['Reference'], env: [HEM_ENV.tableReference] },
      inventory: { tables: ['Operations'], env: [HEM_ENV.tableOperations] },
      transactions: { tables: ['Operations'], env: [HEM_ENV.tableOperations] },
      exceptions: { tables: ['Operations'], env: [HEM_ENV.tableOperations] },
      procurement: { tables: ['Operations'], env: [HEM_ENV.tableOperations] },
      controlNumbers: { tables: ['Operations'], env: [HEM_ENV.tableOperations] },
      ediDocuments: { tables: ['Operations'], env: [HEM_ENV.tableOperations] },
      waits: { tables: ['Operations'], env: [HEM_ENV.tableOperations] },
      audit: { tables: ['Audit'], env: [HEM_ENV.tableAudit] },
      idempotencyStore: { tables: ['Idempotency'], env: [HEM_ENV.tableIdempotency] },
      events: { env: [HEM_ENV.eventBusName] },
      deadLetterQueues: { env: [HEM_ENV.deadLetterQueues] },
      eventReplayer: { env: [HEM_ENV.archiveArn, HEM_ENV.eventBusArn, HEM_ENV.ruleArns] },
      finance: { env: [HEM_ENV.financeUrl] },
      encounterKey: { env: [HEM_ENV.encounterKeySecretArn] },
      // HEM_STATE_MACHINE_ARNS is read by `start` only: checked against `startWorkflows` below.
      workflows: {},
      erp: { env: [HEM_ENV.erpUrl] },
      supplierNetwork: { env: [HEM_ENV.supplierNetworkUrl] },
      erpCommands: { env: [HEM_ENV.erpCommandsQueueUrl] },
      clock: {},
    };
    /** Variables with a default in the adapters (per-attempt HTTP timeouts; no deployment client bindings). */
    const OPTIONAL_ENV: readonly string[] = [HEM_ENV.financeTimeoutMs, HEM_ENV.erpTimeoutMs, HEM_ENV.supplierNetworkTimeoutMs, HEM_ENV.supplierClients];

    let ports: Map<FunctionId, string[]>;
    beforeAll(() => {
      const byEntry = handlerPorts(PROJECT_ROOT, FUNCTIONS.map((f) => f.entry));
      ports = new Map(FUNCTIONS.map((f) => [f.id, byEntry.get(f.entry)!]));
    });

    it('knows what every port of every handler needs, and every variable the adapters read', () => {
      const unknown = [...ports].flatMap(([id, names]) => names.filter((p) => !(p in PORT_NEEDS)).map((p) => `${id}.${p}`));
      expect(unknown).toStrictEqual([]);
      const covered = new Set([...Object.values(PORT_NEEDS).flatMap((n) => n.env ?? []), HEM_ENV.stateMachineArns, ...OPTIONAL_ENV]);
      expect(Object.values(HEM_ENV).filter((v) => !covered.has(v))).toStrictEqual([]);
    });

    it('grants each function exactly the tables, bus, key, queues, workflows and external systems its ports use', () => {
      for (const definition of FUNCTIONS) {
        const used = new Set(ports.get(definition.id));
        const access = FUNCTION_ACCESS[definition.id];
        const has = (port: string): boolean => used.has(port);
        const tables = new Set([...used].flatMap((p) => PORT_NEEDS[p]?.tables ?? []));
        expect(Object.keys(access.tables).sort()).toStrictEqual([...tables].sort());
        // OpsDlq redrives rule-target DLQs by re-publishing their events.
        expect(access.putEvents === true).toBe(has('events') || has('deadLetterQueues'));
        expect(access.encounterKey === true).toBe(has('encounterKey'));
        expect(access.operateDeadLetterQueues === true).toBe(has('deadLetterQueues'));
        expect(access.replayArchive === true).toBe(has('eventReplayer'));
        const workflowRights = [...(access.startWorkflows ?? []), ...(access.completeWorkflowTasks ?? [])];
        expect(workflowRights.length > 0).toBe(has('workflows'));
        expect([...(access.calls ?? [])].sort()).toStrictEqual((['erp', 'finance', 'supplierNetwork'] as const).filter(has));
        expect([...(access.sendToQueues ?? [])]).toStrictEqual(has('erpCommands') ? ['ErpCommands'] : []);
      }
    });

    it('sets every variable a handler\'s adapters read on that function, with the configured URLs and the ARNs of the workflows it starts', () => {
      for (const [env, { json, config }] of Object.entries(envs)) {
        for (const definition of FUNCTIONS) {
          const variables = json.Resources[functionLogicalId(json, definition.id)].Properties.Environment.Variables as Json;
          for (const port of ports.get(definition.id)!) {
            for (const variable of PORT_NEEDS[port]?.env ?? []) {
              expect(variable in variables && resolveForTest(variables[variable]) !== '').toBeTruthy();
            }
          }
          const starts = FUNCTION_ACCESS[definition.id].startWorkflows ?? [];
          if (starts.length === 0) {
            expect(!(HEM_ENV.stateMachineArns in variables)).toBeTruthy();
          } else {
            const arns = parseStateMachineArns(resolveForTest(variables[HEM_ENV.stateMachineArns]));
            expect(Object.keys(arns).sort()).toStrictEqual([...starts].sort());
            for (const workflow of starts) {
              expect(arns[workflow]!).toMatch(new RegExp(`:stateMachine:Hem-${env}-${workflow}$`));
            }
          }
          const urls: Record<string, string> = { [HEM_ENV.financeUrl]: config.financeUrl, [HEM_ENV.erpUrl]: config.erpUrl, [HEM_ENV.supplierNetworkUrl]: config.supplierNetworkUrl };
          for (const [variable, url] of Object.entries(urls)) {
            if (variable in variables) expect(variables[variable]).toBe(url);
          }
        }
        const receipt = json.Resources[functionLogicalId(json, 'ReceiptApi')].Properties.Environment.Variables as Json;
        expect(JSON.stringify(receipt[HEM_ENV.erpCommandsQueueUrl])).toMatch(/ConnectorsErpCommandsQueue/);
      }
    });
  });
});

import * as path from 'node:path';
import { Aspects, CfnOutput, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FUNCTIONS, type FunctionId } from '../../contracts/functions';
import { ROUTES, SCOPES } from '../../contracts/routes';
import {
  ARCHIVE_PATTERN,
  ARCHIVE_RETENTION_DAYS,
  dlqNameOfQueue,
  dlqNameOfRule,
  EVENT_BUS_PLACEHOLDER,
  QUEUES,
  RULES,
  STATE_MACHINES,
  type QueueId,
  type QueueReference,
  type StateMachineId,
} from '../../contracts/routing';
import type { DeadLetterQueueConfig } from '../../functions/adapters/aws/dead-letter-queues';
import { HEM_ENV } from '../../functions/adapters/aws/environment';
import type { TableId } from '../../contracts/tables';
import type { EnvironmentConfig } from '../config/environment';
import { Api } from '../constructs/api';
import { ApiFirewall } from '../constructs/api-firewall';
import { Bus } from '../constructs/bus';
import { IamPolicyReview } from '../constructs/compliance';
import { Connectors } from '../constructs/connectors';
import { DataKey } from '../constructs/data-key';
import { EncounterKey } from '../constructs/encounter-key';
import { Observability } from '../constructs/observability';
import { DeadLetterQueue } from '../constructs/resilient-queue';
import { ServiceFunction } from '../constructs/service-function';
import { StateMachineFromAsl } from '../constructs/state-machine-from-asl';
import { Storage } from '../constructs/storage';
import { FUNCTION_ACCESS, type ExternalSystem, type ProcurementWorkflow, type TableAccess } from './function-access';

/** Powertools service name and EMF namespace shared by every function. */
export const SERVICE_NAME = 'hem';
export const METRICS_NAMESPACE = 'HEM';

/** Environment variable carrying each table's name (adapters receive names, never ARNs). */
export const TABLE_ENV: Readonly<Record<TableId, string>> = {
  Idempotency: 'HEM_TABLE_IDEMPOTENCY',
  Audit: 'HEM_TABLE_AUDIT',
  Operations: 'HEM_TABLE_OPERATIONS',
  Reference: 'HEM_TABLE_REFERENCE',
};

export { dlqNameOfQueue, dlqNameOfRule };
/** The DLQ of asynchronous Lambda invocations (AWS only: nothing invokes HEM's functions asynchronously). */
export const LAMBDA_ASYNC_DLQ_NAME = 'lambda-async-dlq';

/** Variable carrying each external system's base URL (`FUNCTION_ACCESS[...].calls`). */
export const EXTERNAL_SYSTEM_ENV: Readonly<Record<ExternalSystem, string>> = {
  finance: HEM_ENV.financeUrl,
  erp: HEM_ENV.erpUrl,
  supplierNetwork: HEM_ENV.supplierNetworkUrl,
};

/** Variable carrying the URL of each queue a function sends commands to (`FUNCTION_ACCESS[...].sendToQueues`). */
export const QUEUE_URL_ENV: Readonly<Partial<Record<QueueId, string>>> = {
  ErpCommands: HEM_ENV.erpCommandsQueueUrl,
};

/**
 * The OpenAPI handler's token-endpoint variable (functions/handlers/openapi.ts `TOKEN_URL_ENV`),
 * spelled here so the CDK app does not load a handler module; a test keeps the two equal.
 */
export const OPENAPI_TOKEN_URL_ENV = 'HEM_OAUTH_TOKEN_URL';

/** Physical name of a workflow: deterministic, so functions can be given its ARN without a reference. */
export const stateMachineNameOf = (stackName: string, id: StateMachineId): string => `${stackName}-${id}`;

export interface HemStackProps extends StackProps {
  /** `dev`, `prod`...: the stage name of the API and part of every physical name. */
  readonly environmentName: string;
  readonly config: EnvironmentConfig;
  /** Repository root (handler entries and ASL files are resolved from it). */
  readonly projectRoot: string;
}

/**
 * HEM on AWS for one environment, composed from the shared contracts: storage and keys, the bus and
 * its routing table, one function per FUNCTIONS entry with least-privilege grants, the workflows,
 * the SQS connectors, the partner API with its firewall, and the dashboard with alarms.
 */
export class HemStack extends Stack {
  readonly functions: Record<FunctionId, ServiceFunction>;
  readonly workflows: Record<StateMachineId, StateMachineFromAsl>;
  readonly storage: Storage;
  readonly bus: Bus;
  readonly connectors: Connectors;
  readonly api: Api;
  readonly observability: Observability;
  /** DLQ name (as in `HEM_DLQS`) → queue. */
  readonly deadLetterQueues: ReadonlyMap<string, sqs.IQueue>;
  /** What OpsDlq reads from `HEM_DLQS`: every DLQ with its redrive path. */
  private readonly deadLetterQueueConfig: { name: string; queue: sqs.IQueue; redrive?: DeadLetterQueueConfig['redrive'] }[] = [];

  constructor(scope: Construct, id: string, props: HemStackProps) {
    super(scope, id, { description: `HEM - Healthcare ERP Middleware (${props.environmentName})`, ...props });
    const { config, environmentName } = props;
    const removalPolicy = config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    // cfn-lint 1.51's resource schema predates Tags on AWS::CloudWatch::Dashboard; dashboards stay untagged.
    const untagged = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
    Tags.of(this).add('application', 'hem', untagged);
    Tags.of(this).add('environment', environmentName, untagged);

    const dataKey = new DataKey(this, 'DataKey', { aliasName: `hem/${environmentName}`, removalPolicy });
    const key = dataKey.key;
    // Config validation allows exactly one of the two, and never syntheticDataOnly for production.
    const backup = config.backup ?? (config.syntheticDataOnly === true ? 'syntheticDataOnly' : undefined);
    if (backup === undefined) {
      throw new Error(`environment "${environmentName}": set backup or syntheticDataOnly (see lib/config/environment.ts)`);
    }
    this.storage = new Storage(this, 'Storage', {
      encryptionKey: key,
      removalPolicy,
      deletionProtection: config.deletionProtection,
      backup,
    });
    const encounterKey = new EncounterKey(this, 'EncounterKey', { encryptionKey: key, removalPolicy });
    this.bus = new Bus(this, 'Bus', {
      dataKey,
      removalPolicy,
      archivePattern: ARCHIVE_PATTERN,
      archiveRetention: Duration.days(ARCHIVE_RETENTION_DAYS),
    });
    const asyncDlq = new DeadLetterQueue(this, 'LambdaAsyncDlq', {
      encryptionKey: key,
      removalPolicy,
      purpose: 'failed asynchronous Lambda invocations',
      source: 'lambda-async',
    }).queue;

    const sharedEnvironment: Record<string, string> = {
      ...Object.fromEntries(Object.entries(TABLE_ENV).map(([t, env]) => [env, this.storage.tables[t as TableId].tableName])),
      HEM_EVENT_BUS_NAME: this.bus.eventBus.eventBusName,
      HEM_ENVIRONMENT: environmentName,
    };
    const functionsScope = new Construct(this, 'Functions');
    this.functions = Object.fromEntries(
      FUNCTIONS.map((definition) => [
        definition.id,
        new ServiceFunction(functionsScope, definition.id, {
          projectRoot: props.projectRoot,
          entry: definition.entry,
          description: definition.description,
          memorySize: definition.memoryMb ?? config.lambda.memoryMb,
          timeout: Duration.seconds(definition.timeoutSeconds ?? config.lambda.timeoutSeconds),
          reservedConcurrentExecutions: config.lambda.reservedConcurrency[definition.trigger],
          encryptionKey: key,
          logRetention,
          removalPolicy,
          asyncDeadLetterQueue: asyncDlq,
          serviceName: SERVICE_NAME,
          metricsNamespace: METRICS_NAMESPACE,
          environment: sharedEnvironment,
          partnerEndpoints: (FUNCTION_ACCESS[definition.id].calls ?? []).map((system) => EXTERNAL_SYSTEM_ENV[system]),
        }),
      ]),
    ) as Record<FunctionId, ServiceFunction>;

    // Before the workflows: an ASL file may send to a connector queue (contracts/routing.ts queuePlaceholders).
    this.connectors = new Connectors(this, 'Connectors', {
      queues: QUEUES,
      functions: this.functions,
      encryptionKey: key,
      removalPolicy,
      maxConcurrency: config.lambda.reservedConcurrency.queue,
    });

    const workflowsScope = new Construct(this, 'Workflows');
    this.workflows = Object.fromEntries(
      STATE_MACHINES.map((definition) => {
        const functionArns = Object.fromEntries(
          Object.entries(definition.functionPlaceholders).map(([placeholder, fn]) => [placeholder, this.functions[fn].function.functionArn]),
        );
        const queues = Object.entries(definition.queuePlaceholders ?? {}).map(([placeholder, ref]) => [placeholder, this.queueOf(ref)] as const);
        return [
          definition.id,
          new StateMachineFromAsl(workflowsScope, definition.id, {
            definitionFile: path.join(props.projectRoot, definition.file),
            stateMachineName: stateMachineNameOf(this.stackName, definition.id),
            stateMachineType: definition.type === 'EXPRESS' ? sfn.StateMachineType.EXPRESS : sfn.StateMachineType.STANDARD,
            substitutions: {
              ...functionArns,
              ...Object.fromEntries(queues.map(([placeholder, queue]) => [placeholder, queue.queueUrl])),
              [EVENT_BUS_PLACEHOLDER]: this.bus.eventBus.eventBusName,
            },
            invokedFunctions: Object.values(definition.functionPlaceholders).map((fn) => this.functions[fn].function),
            eventBus: this.bus.eventBus,
            sendsToQueues: queues.map(([, queue]) => queue),
            encryptionKey: key,
            logRetention,
            removalPolicy,
          }),
        ];
      }),
    ) as Record<StateMachineId, StateMachineFromAsl>;

    this.bus.addRoutes(RULES, {
      stateMachines: this.workflows,
      queues: Object.fromEntries(Object.entries(this.connectors.queues).map(([id, q]) => [id, q.queue as sqs.IQueue])) as Record<
        QueueId,
        sqs.IQueue
      >,
    });

    const deadLetterQueues = new Map<string, sqs.IQueue>();
    const addDlq = (name: string, queue: sqs.IQueue, redrive?: DeadLetterQueueConfig['redrive']): void => {
      if (deadLetterQueues.has(name)) {
        throw new Error(`dead-letter queue name "${name}" is used twice`);
      }
      deadLetterQueues.set(name, queue);
      this.deadLetterQueueConfig.push({ name, queue, ...(redrive === undefined ? {} : { redrive }) });
    };
    for (const q of QUEUES) {
      const connector = this.connectors.queues[q.id];
      addDlq(dlqNameOfQueue(q.id), connector.deadLetterQueue, { kind: 'queue', sourceUrl: connector.queue.queueUrl });
    }
    // Rule-target DLQs hold EventBridge events (the workflow's own failures included): they go back through the bus.
    for (const [rule, q] of this.bus.targetDeadLetterQueues) {
      addDlq(dlqNameOfRule(rule), q, { kind: 'bus', eventBusName: this.bus.eventBus.eventBusName });
    }
    // No function is invoked asynchronously, so this one stays empty unless something is misconfigured: inspect only.
    addDlq(LAMBDA_ASYNC_DLQ_NAME, asyncDlq);
    this.deadLetterQueues = deadLetterQueues;

    this.grantAccess(encounterKey, config);

    this.api = new Api(this, 'Api', {
      routes: ROUTES,
      scopes: Object.values(SCOPES),
      functions: Object.fromEntries(Object.entries(this.functions).map(([id, f]) => [id, f.function])) as Record<
        FunctionId,
        ServiceFunction['function']
      >,
      partners: config.partners,
      cognitoDomainPrefix: config.cognitoDomainPrefix ?? `hem-${environmentName}-${this.account}`,
      stageName: environmentName,
      throttlingRateLimit: config.api.throttlingRateLimit,
      throttlingBurstLimit: config.api.throttlingBurstLimit,
      encryptionKey: key,
      logRetention,
      removalPolicy,
      deletionProtection: config.deletionProtection,
    });
    // The catalog advertises the Cognito token endpoint (its default, the API's own origin, is the local gateway's).
    this.functions.OpenApi.addEnvironment(OPENAPI_TOKEN_URL_ENV, this.api.tokenEndpoint);
    this.bindSupplierClients(config);
    new ApiFirewall(this, 'Firewall', {
      stage: this.api.restApi.deploymentStage,
      rateLimitPer5Minutes: config.waf.rateLimitPer5Minutes,
      encryptionKey: key,
      logRetention,
      removalPolicy,
    });

    this.observability = new Observability(this, 'Observability', {
      dashboardName: this.stackName,
      encryptionKey: key,
      removalPolicy,
      alarmEmail: config.alarmEmail,
      metricsNamespace: METRICS_NAMESPACE,
      serviceName: SERVICE_NAME,
      restApi: this.api.restApi,
      functions: new Map(Object.entries(this.functions).map(([id, f]) => [id, f.function])),
      stateMachines: new Map(Object.entries(this.workflows).map(([id, w]) => [id, w.stateMachine])),
      queues: new Map(Object.entries(this.connectors.queues).map(([id, q]) => [id, q.queue])),
      deadLetterQueues,
    });

    Aspects.of(this).add(new IamPolicyReview());
    this.addOutputs();
  }

  /**
   * Applies FUNCTION_ACCESS: each function gets exactly the table, bus, key, queue and workflow rights
   * listed there, and the variables its adapters read for them.
   */
  private grantAccess(encounterKey: EncounterKey, environmentConfig: EnvironmentConfig): void {
    const baseUrls: Record<ExternalSystem, string> = {
      finance: environmentConfig.financeUrl,
      erp: environmentConfig.erpUrl,
      supplierNetwork: environmentConfig.supplierNetworkUrl,
    };
    for (const [id, access] of Object.entries(FUNCTION_ACCESS) as [FunctionId, (typeof FUNCTION_ACCESS)[FunctionId]][]) {
      const fn = this.functions[id];
      for (const [tableId, tableAccess] of Object.entries(access.tables) as [TableId, TableAccess][]) {
        grantTable(this.storage.tables[tableId], fn.function, tableAccess);
      }
      if (access.putEvents === true) {
        this.bus.eventBus.grantPutEventsTo(fn.function);
      }
      if (access.encounterKey === true) {
        encounterKey.secret.grantRead(fn.function);
        // The secret is encrypted with the data key; decrypt must also be allowed by the role's own policy.
        encounterKey.secret.encryptionKey?.grantDecrypt(fn.function);
        fn.addEnvironment('HEM_ENCOUNTER_KEY_SECRET_ARN', encounterKey.secret.secretArn);
      }
      if (access.operateDeadLetterQueues === true) {
        for (const dlq of this.deadLetterQueues.values()) {
          dlq.grantConsumeMessages(fn.function);
          dlq.grant(fn.function, 'sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks', 'sqs:CancelMessageMoveTask');
        }
        // Redrive moves messages back into the source queues (bus redrives need `putEvents` as well).
        for (const queue of Object.values(this.connectors.queues)) {
          queue.queue.grantSendMessages(fn.function);
        }
        const config: DeadLetterQueueConfig[] = this.deadLetterQueueConfig.map(({ name, queue, redrive }) => ({
          name,
          dlqUrl: queue.queueUrl,
          ...(redrive === undefined ? {} : { redrive }),
        }));
        fn.addEnvironment(HEM_ENV.deadLetterQueues, this.toJsonString(config));
      }
      for (const system of access.calls ?? []) {
        fn.addEnvironment(EXTERNAL_SYSTEM_ENV[system], baseUrls[system]);
      }
      for (const queueId of access.sendToQueues ?? []) {
        const variable = QUEUE_URL_ENV[queueId];
        if (variable === undefined) {
          throw new Error(`${id} sends to ${queueId}, but no environment variable carries that queue's URL (QUEUE_URL_ENV)`);
        }
        const queue = this.connectors.queues[queueId].queue;
        queue.grantSendMessages(fn.function);
        fn.addEnvironment(variable, queue.queueUrl);
      }
      // Workflow ARNs are built from their physical names (StateMachineFromAsl.stateMachineArn): the
      // workflows reference these functions, so a reference back would be a dependency cycle.
      const starts = access.startWorkflows ?? [];
      for (const workflow of starts) {
        this.workflows[workflow].grantStartExecution(fn.function);
      }
      if (starts.length > 0) {
        const arns: Partial<Record<ProcurementWorkflow, string>> = Object.fromEntries(
          starts.map((workflow) => [workflow, this.workflows[workflow].stateMachineArn]),
        );
        fn.addEnvironment(HEM_ENV.stateMachineArns, this.toJsonString(arns));
      }
      for (const workflow of access.completeWorkflowTasks ?? []) {
        this.workflows[workflow].grantTaskResponse(fn.function);
      }
      if (access.replayArchive === true) {
        fn.function.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['events:StartReplay'], resources: [this.bus.archive.archiveArn] }),
        );
        fn.addEnvironment(HEM_ENV.archiveArn, this.bus.archive.archiveArn);
        fn.addEnvironment(HEM_ENV.eventBusArn, this.bus.eventBus.eventBusArn);
        fn.addEnvironment(
          HEM_ENV.ruleArns,
          this.toJsonString(Object.fromEntries([...this.bus.rules].map(([name, rule]) => [name, rule.ruleArn]))),
        );
      }
    }
  }

  /**
   * Tells the functions that recognise suppliers which generated Cognito client speaks for which
   * supplier (`partners[].supplierId`): client ids exist only once Cognito has made them, so they
   * travel as deploy-time tokens in `HEM_SUPPLIER_CLIENTS`.
   */
  private bindSupplierClients(environmentConfig: EnvironmentConfig): void {
    const bindings = environmentConfig.partners.flatMap((partner) => {
      const client = this.api.partnerClients.get(partner.name);
      if (partner.supplierId === undefined || client === undefined) return [];
      return [{ clientId: client.userPoolClientId, supplierId: partner.supplierId }];
    });
    for (const [id, access] of Object.entries(FUNCTION_ACCESS) as [FunctionId, (typeof FUNCTION_ACCESS)[FunctionId]][]) {
      if (access.identifiesSuppliers === true) this.functions[id].addEnvironment(HEM_ENV.supplierClients, this.toJsonString(bindings));
    }
  }

  /** The queue a workflow's `queuePlaceholders` entry names. */
  private queueOf(ref: QueueReference): sqs.IQueue {
    if ('queue' in ref) {
      return this.connectors.queues[ref.queue].queue;
    }
    if (!RULES.some((rule) => rule.name === ref.ruleDeadLetterQueue)) {
      throw new Error(`a workflow sends to the dead-letter queue of rule "${ref.ruleDeadLetterQueue}", which is not in the routing table`);
    }
    return this.bus.targetDeadLetterQueue(ref.ruleDeadLetterQueue);
  }

  private addOutputs(): void {
    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url, description: 'Base URL of the partner API (append v1/...)' });
    new CfnOutput(this, 'TokenEndpoint', { value: this.api.tokenEndpoint, description: 'OAuth2 client-credentials token endpoint' });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.alarmTopic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.stackName });
    for (const [name, client] of this.api.partnerClients) {
      new CfnOutput(this, `PartnerClient${name.replace(/[^A-Za-z0-9]/g, '')}`, {
        value: client.userPoolClientId,
        description: `Cognito app client id of partner ${name}`,
      });
    }
  }
}

/** One table grant of FUNCTION_ACCESS. */
function grantTable(table: dynamodb.Table, grantee: iam.IGrantable, access: TableAccess): void {
  switch (access) {
    case 'read':
      table.grantReadData(grantee);
      return;
    case 'readWrite':
      table.grantReadWriteData(grantee);
      return;
    case 'append':
      table.grant(grantee, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable');
      table.encryptionKey?.grantEncryptDecrypt(grantee);
      return;
  }
}

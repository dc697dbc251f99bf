/**
 * Composition of the AWS adapters. With `lazy-clients.ts` (the clients loaded on first use, the DLQ
 * port), the only place HEM creates AWS SDK clients.
 *
 * - `awsDependencies(env)`: the Lambda composition root (`export const handler = makeHandler(awsDependencies())`).
 *   Reads `HEM_*` variables (see `environment.ts`) once, creates each SDK client at most once per
 *   module and only when a port that needs it is first used: a handler that only touches DynamoDB
 *   never constructs the EventBridge, SQS or Secrets Manager clients, and never even evaluates
 *   those SDK packages (they are loaded with dynamic `import()` on first call). A missing variable
 *   is a clear `Error` naming it, raised at first use of the port that needs it (not at import, so
 *   importing a handler module in a test needs no AWS configuration).
 * - `buildAwsAdapters({ dynamoClient, tableNames })`: the DynamoDB-backed ports for any client, e.g.
 *   DynamoDB Local's. The local runtime uses it so local and Lambda run the exact same adapter code,
 *   and supplies its own events, dead-letter queues, finance, encounter key and clock.
 * - `createDynamoDependencies({ endpoint, region, credentials, tableNames })`: the same, creating the client.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import * as z from 'zod';
import type { TableNames } from '../../../contracts/tables';
import type {
  AuditLog,
  Clock,
  EncounterKeyProvider,
  EventPublisher,
  EventReplayer,
  ExceptionRepository,
  InventoryRepository,
  ReferenceDataRepository,
  TransactionLog,
} from '../../domain/ports';
import type { HandlerDependencies } from '../../handlers/shared/deps';
import { HttpFinanceLedger } from '../connectors/finance-client';
import { DynamoAuditLog } from './audit-log';
import { HEM_ENV } from './environment';
import {
  awsDeadLetterQueues,
  clientOptionsFrom,
  createdLazyClients,
  eventBridgeClientFor,
  lazyAsyncPort,
  lazyPort,
  once,
  parseJsonEnv,
  regionConfig,
  requireEnv,
  secretsClientFor,
  type ClientOptions,
} from './lazy-clients';

export { parseDeadLetterQueueConfig } from './lazy-clients';
import { DynamoExceptionRepository } from './exception-repository';
import { DynamoInventoryRepository } from './inventory-repository';
import { DynamoReferenceDataRepository } from './reference-data-repository';
import { DynamoTransactionLog } from './transaction-log';
import type { ProcurementDependencies } from '../../handlers/shared/procurement-deps';
import { DynamoControlNumberRepository } from './control-number-repository';
import { DynamoEdiDocumentLog } from './edi-document-log';
import { DynamoProcurementConfig } from './procurement-config';
import { DynamoProcurementRepository } from './procurement-repository';
import { DynamoWaitRegistry } from './wait-registry';

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * The document client every repository uses. `removeUndefinedValues` because optional fields of
 * the canonical model are `undefined` when absent, which DynamoDB's marshaller otherwise refuses.
 */
export const createDocumentClient = (dynamoClient: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } });

/**
 * A Powertools idempotency store on the Idempotency table (default `id` / `expiration` attributes).
 * Create ONE PER HANDLER: Powertools configures a store once (`eventKeyJmesPath`, expiry…) from the
 * first handler that uses it and keeps a per-call key prefix on the instance, so handlers sharing a
 * store in one process (the local runtime) would read each other's configuration.
 */
export const createIdempotencyStore = (dynamoClient: DynamoDBClient, tableName: string): BasePersistenceLayer =>
  new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: dynamoClient });

/** The DynamoDB-backed ports. */
export interface AwsAdapters {
  referenceData: ReferenceDataRepository;
  inventory: InventoryRepository;
  transactions: TransactionLog;
  exceptions: ExceptionRepository;
  audit: AuditLog;
  /** One store; see `createIdempotencyStore` before sharing it between handlers. */
  idempotencyStore: BasePersistenceLayer;
}

export interface BuildAwsAdaptersOptions {
  dynamoClient: DynamoDBClient;
  tableNames: TableNames;
  /** Stamps audit records. @default systemClock */
  clock?: Clock;
  /** Reference-data cache TTL (ms); 0 disables it. @default 30000 */
  referenceCacheTtlMs?: number;
}

/** Builds the DynamoDB-backed ports on the given client (AWS, DynamoDB Local or moto). */
export const buildAwsAdapters = (options: BuildAwsAdaptersOptions): AwsAdapters => {
  const client = createDocumentClient(options.dynamoClient);
  const { tableNames } = options;
  return {
    referenceData: new DynamoReferenceDataRepository({
      client,
      tableName: tableNames.Reference,
      ...(options.referenceCacheTtlMs === undefined ? {} : { cacheTtlMs: options.referenceCacheTtlMs }),
    }),
    inventory: new DynamoInventoryRepository({ client, tableName: tableNames.Operations }),
    transactions: new DynamoTransactionLog({ client, tableName: tableNames.Operations }),
    exceptions: new DynamoExceptionRepository({ client, tableName: tableNames.Operations }),
    audit: new DynamoAuditLog({ client, tableName: tableNames.Audit, clock: options.clock ?? systemClock }),
    idempotencyStore: createIdempotencyStore(options.dynamoClient, tableNames.Idempotency),
  };
};

export interface CreateDynamoDependenciesOptions extends Omit<BuildAwsAdaptersOptions, 'dynamoClient'> {
  /** e.g. DynamoDB Local's `http://127.0.0.1:8000`; AWS's regional endpoint when absent. */
  endpoint?: string;
  region: string;
  credentials?: DynamoDBClientConfig['credentials'];
}

/** `buildAwsAdapters` with a client created from an endpoint; `destroy()` closes the client's sockets. */
export const createDynamoDependencies = (
  options: CreateDynamoDependenciesOptions,
): AwsAdapters & { dynamoClient: DynamoDBClient; destroy(): void } => {
  const { endpoint, region, credentials, ...rest } = options;
  const dynamoClient = new DynamoDBClient({
    region,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
  });
  return { ...buildAwsAdapters({ ...rest, dynamoClient }), dynamoClient, destroy: () => dynamoClient.destroy() };
};

/** Parses `HEM_RULE_ARNS`: routing rule name → rule ARN. */
export const parseRuleArns = (json: string): Record<string, string> => {
  const result = z.record(z.string().min(1), z.string().startsWith('arn:')).safeParse(parseJsonEnv(HEM_ENV.ruleArns, json));
  if (!result.success) {
    throw new Error(`${HEM_ENV.ruleArns} must be a JSON object of rule name → rule ARN`);
  }
  return result.data;
};

/**
 * Parses `HEM_SUPPLIER_CLIENTS` (see `HEM_ENV.supplierClients`): app client id → supplier id.
 *
 * @throws Error when it is not a JSON array of `{clientId, supplierId}` or binds one client twice.
 */
export const parseSupplierClients = (json: string): ReadonlyMap<string, string> => {
  const result = z
    .array(z.object({ clientId: z.string().min(1), supplierId: z.string().min(1) }).strict())
    .safeParse(parseJsonEnv(HEM_ENV.supplierClients, json));
  if (!result.success) {
    throw new Error(`${HEM_ENV.supplierClients} must be a JSON array of {clientId, supplierId}`);
  }
  const bindings = new Map<string, string>();
  for (const { clientId, supplierId } of result.data) {
    const bound = bindings.get(clientId);
    if (bound !== undefined && bound !== supplierId) {
      throw new Error(`${HEM_ENV.supplierClients} binds client ${clientId} to both ${bound} and ${supplierId}`);
    }
    bindings.set(clientId, supplierId);
  }
  return bindings;
};

/** The DynamoDB client, at most one per module (i.e. per Lambda instance), created on first use. */
let moduleDynamoClient: DynamoDBClient | undefined;
const dynamoClientFor = (o: ClientOptions): DynamoDBClient => (moduleDynamoClient ??= o.instrument(new DynamoDBClient(regionConfig(o.region))));

/** Which SDK clients this module has created so far (the lazy-init guarantee is tested with it). */
export const createdAwsClients = (): ('dynamodb' | 'eventbridge' | 'sqs' | 'secretsmanager')[] => [
  ...(moduleDynamoClient === undefined ? [] : (['dynamodb'] as const)),
  ...createdLazyClients(),
];

export interface AwsDependenciesOptions {
  /** Wraps each SDK client once when it is created (tracing). @default identity */
  instrumentClient?: <C>(client: C) => C;
}

/**
 * The Lambda composition root: every port over AWS, configured from `HEM_*` variables (see
 * `HEM_ENV`) and `AWS_REGION`. Everything is lazy: see the module comment.
 */
export const awsDependencies = (
  env: Record<string, string | undefined> = process.env,
  options: AwsDependenciesOptions = {},
): HandlerDependencies => {
  const clientOptions = clientOptionsFrom(env, options.instrumentClient);
  const documentClient = once(() => createDocumentClient(dynamoClientFor(clientOptions)));
  // Each factory reads its variables before touching a client, so a missing one costs nothing.
  const dynamoPort = <T>(variable: string, build: (client: DynamoDBDocumentClient, tableName: string) => T): (() => T) => () => {
    const tableName = requireEnv(env, variable);
    return build(documentClient(), tableName);
  };

  return {
    referenceData: lazyPort(
      dynamoPort(HEM_ENV.tableReference, (client, tableName) => new DynamoReferenceDataRepository({ client, tableName })),
    ),
    inventory: lazyPort(dynamoPort(HEM_ENV.tableOperations, (client, tableName) => new DynamoInventoryRepository({ client, tableName }))),
    transactions: lazyPort(dynamoPort(HEM_ENV.tableOperations, (client, tableName) => new DynamoTransactionLog({ client, tableName }))),
    exceptions: lazyPort(dynamoPort(HEM_ENV.tableOperations, (client, tableName) => new DynamoExceptionRepository({ client, tableName }))),
    audit: lazyPort(
      dynamoPort(HEM_ENV.tableAudit, (client, tableName) => new DynamoAuditLog({ client, tableName, clock: systemClock })),
    ),
    idempotencyStore: lazyPort(() => {
      const tableName = requireEnv(env, HEM_ENV.tableIdempotency);
      return createIdempotencyStore(dynamoClientFor(clientOptions), tableName);
    }),
    events: lazyAsyncPort<EventPublisher>(async () => {
      const eventBusName = requireEnv(env, HEM_ENV.eventBusName);
      const [{ EventBridgePublisher }, client] = await Promise.all([import('./event-publisher'), eventBridgeClientFor(clientOptions)]);
      return new EventBridgePublisher({ client, eventBusName });
    }),
    deadLetterQueues: awsDeadLetterQueues(env, clientOptions),
    eventReplayer: lazyAsyncPort<EventReplayer>(async () => {
      const archiveArn = requireEnv(env, HEM_ENV.archiveArn);
      const eventBusArn = requireEnv(env, HEM_ENV.eventBusArn);
      const ruleArns = parseRuleArns(requireEnv(env, HEM_ENV.ruleArns));
      const [{ EventBridgeReplayer }, client] = await Promise.all([import('./event-replayer'), eventBridgeClientFor(clientOptions)]);
      return new EventBridgeReplayer({ client, archiveArn, eventBusArn, ruleArns });
    }),
    finance: lazyPort(() => {
      const baseUrl = requireEnv(env, HEM_ENV.financeUrl);
      const timeout = Number(env[HEM_ENV.financeTimeoutMs]);
      return new HttpFinanceLedger({ baseUrl, ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutMs: timeout } : {}) });
    }),
    encounterKey: lazyAsyncPort<EncounterKeyProvider>(async () => {
      const secretId = requireEnv(env, HEM_ENV.encounterKeySecretArn);
      const [{ SecretsManagerEncounterKeyProvider }, client] = await Promise.all([import('./encounter-key'), secretsClientFor(clientOptions)]);
      return new SecretsManagerEncounterKeyProvider({ client, secretId });
    }),
    clock: systemClock,
  };
};

/**
 * The DynamoDB-backed procure-to-pay ports (Operations table; the configuration on the Reference
 * table). Step Functions, the ERP and the supplier network are not DynamoDB: the callers add them.
 */
export type ProcurementStores = Pick<ProcurementDependencies, 'procurement' | 'controlNumbers' | 'ediDocuments' | 'procurementConfig' | 'waits'> & {
  /** The concrete configuration store: the local runtime seeds it with `load(buildProcurementSeed())`. */
  procurementConfig: DynamoProcurementConfig;
};

export interface BuildProcurementAdaptersOptions {
  dynamoClient: DynamoDBClient;
  tableNames: Pick<TableNames, 'Operations' | 'Reference'>;
  /** Leases of the EDI document log, arrival times of waits. @default systemClock */
  clock?: Clock;
  /** Configuration cache TTL (ms); 0 disables it. @default 30000 */
  configCacheTtlMs?: number;
  /** The deployment's app client → supplier bindings (`HEM_SUPPLIER_CLIENTS`). @default none */
  supplierClients?: ReadonlyMap<string, string>;
}

/** Builds the DynamoDB-backed procurement ports on the given client (AWS, DynamoDB Local or moto). */
export const buildProcurementAdapters = (options: BuildProcurementAdaptersOptions): ProcurementStores => {
  const client = createDocumentClient(options.dynamoClient);
  const operations = options.tableNames.Operations;
  const clock = options.clock ?? systemClock;
  return {
    procurement: new DynamoProcurementRepository({ client, tableName: operations }),
    controlNumbers: new DynamoControlNumberRepository({ client, tableName: operations }),
    ediDocuments: new DynamoEdiDocumentLog({ client, tableName: operations, clock }),
    waits: new DynamoWaitRegistry({ client, tableName: operations, clock }),
    procurementConfig: new DynamoProcurementConfig({
      client,
      tableName: options.tableNames.Reference,
      ...(options.configCacheTtlMs === undefined ? {} : { cacheTtlMs: options.configCacheTtlMs }),
      ...(options.supplierClients === undefined ? {} : { supplierClients: options.supplierClients }),
    }),
  };
};

/**
 * The Lambda composition of the DynamoDB-backed procurement ports, from the same `HEM_TABLE_*`
 * variables and the same module-scoped client as `awsDependencies` (lazy like it: nothing is
 * created before a port is used). A procurement handler composes
 * `{ ...awsDependencies(env, o), ...awsProcurementDependencies(env, o), workflows, erp, supplierNetwork }`.
 */
export const awsProcurementDependencies = (
  env: Record<string, string | undefined> = process.env,
  options: AwsDependenciesOptions = {},
): Pick<ProcurementDependencies, 'procurement' | 'controlNumbers' | 'ediDocuments' | 'procurementConfig' | 'waits'> => {
  const clientOptions = clientOptionsFrom(env, options.instrumentClient);
  const documentClient = once(() => createDocumentClient(dynamoClientFor(clientOptions)));
  // The variable is read before the client is touched, so a missing one costs nothing.
  const operations = <T>(build: (client: DynamoDBDocumentClient, tableName: string) => T): T =>
    lazyPort(() => {
      const tableName = requireEnv(env, HEM_ENV.tableOperations);
      return build(documentClient(), tableName) as T & object;
    }) as T;
  return {
    procurement: operations((client, tableName) => new DynamoProcurementRepository({ client, tableName })),
    controlNumbers: operations((client, tableName) => new DynamoControlNumberRepository({ client, tableName })),
    ediDocuments: operations((client, tableName) => new DynamoEdiDocumentLog({ client, tableName, clock: systemClock })),
    waits: operations((client, tableName) => new DynamoWaitRegistry({ client, tableName, clock: systemClock })),
    procurementConfig: lazyPort(() => {
      const tableName = requireEnv(env, HEM_ENV.tableReference);
      const bindings = env[HEM_ENV.supplierClients];
      return new DynamoProcurementConfig({
        client: documentClient(),
        tableName,
        ...(bindings === undefined || bindings === '' ? {} : { supplierClients: parseSupplierClients(bindings) }),
      });
    }),
  };
};

/**
 * Composition of the AWS adapters. The only place HEM creates AWS SDK clients.
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
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import * as z from 'zod';
import type { TableNames } from '../../../contracts/tables';
import type {
  AuditLog,
  Clock,
  DeadLetterQueues,
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
import type { DeadLetterQueueConfig } from './dead-letter-queues';
import { HEM_ENV } from './environment';
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

/** Reads one variable, once; a missing or empty one is an error naming it. */
const requireEnv = (env: Record<string, string | undefined>, name: string): string => {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`environment variable ${name} is not set (the HEM stack sets it on every function)`);
  }
  return value.trim();
};

/**
 * The `HEM_DLQS` schema, built on first use rather than at module load: every Lambda bundles this
 * module, and only the ones that compose the dead-letter-queue port ever read `HEM_DLQS`.
 */
const buildDeadLetterQueueConfigSchema = () => {
  const redrive = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('queue'), sourceUrl: z.url() }).strict(),
    z.object({ kind: z.literal('bus'), eventBusName: z.string().min(1) }).strict(),
  ]);
  return z.array(
    z.union([
      z.object({ name: z.string().min(1), dlqUrl: z.url(), redrive: redrive.optional() }).strict(),
      // The first format (`sourceUrl` only): a queue redrive.
      z
        .object({ name: z.string().min(1), dlqUrl: z.url(), sourceUrl: z.url() })
        .strict()
        .transform(({ sourceUrl, ...queue }) => ({ ...queue, redrive: { kind: 'queue' as const, sourceUrl } })),
    ]),
  );
};
let deadLetterQueueConfigSchema: ReturnType<typeof buildDeadLetterQueueConfigSchema> | undefined;

/** Reads one JSON variable. */
const parseJsonEnv = (name: string, json: string): unknown => {
  try {
    return JSON.parse(json);
  } catch {
    throw new Error(`${name} is not valid JSON`);
  }
};

/** Parses `HEM_DLQS` (see `HEM_ENV.deadLetterQueues` for the format). */
export const parseDeadLetterQueueConfig = (json: string): DeadLetterQueueConfig[] => {
  const result = (deadLetterQueueConfigSchema ??= buildDeadLetterQueueConfigSchema()).safeParse(parseJsonEnv(HEM_ENV.deadLetterQueues, json));
  if (!result.success) {
    throw new Error(
      `${HEM_ENV.deadLetterQueues} must be a JSON array of {name, dlqUrl, redrive?: {kind: "queue", sourceUrl} | {kind: "bus", eventBusName}}`,
    );
  }
  return result.data;
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

/** Memoizes a factory. */
const once = <T>(create: () => T): (() => T) => {
  let created = false;
  let value: T;
  return () => {
    if (!created) {
      value = create();
      created = true;
    }
    return value;
  };
};

/**
 * A stand-in for a port that builds the real adapter on first use of any of its members. Spreading
 * or destructuring a dependency container therefore costs nothing; the first method call (or
 * property read) pays for the client and surfaces a missing variable.
 */
const lazyPort = <T extends object>(create: () => T): T => {
  const instance = once(create);
  let materialised = false;
  const target = (): T => {
    const value = instance();
    materialised = true;
    return value;
  };
  return new Proxy({} as T, {
    get(_stub, property) {
      // Not a thenable (`await port` must not build it), and inspection symbols don't build it either.
      if (property === 'then' || (typeof property === 'symbol' && !materialised)) {
        return undefined;
      }
      const real = target();
      const value: unknown = Reflect.get(real, property, real);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(real) : value;
    },
    set(_stub, property, value) {
      return Reflect.set(target(), property, value);
    },
    has(_stub, property) {
      return Reflect.has(target(), property);
    },
    getPrototypeOf() {
      return Reflect.getPrototypeOf(target());
    },
  });
};

/**
 * A stand-in for a port whose members are all async methods: the adapter module and its SDK
 * client are loaded with dynamic `import()` on the first call, so a handler that never publishes,
 * redrives or reads the encounter key never even evaluates those SDK packages (the bundler keeps
 * them in the file but defers their initialisation). Failures, a missing variable included,
 * surface as the call's rejection; a failed load is retried by the next call.
 */
const lazyAsyncPort = <T extends object>(load: () => Promise<T>): T => {
  let pending: Promise<T> | undefined;
  const instance = (): Promise<T> =>
    (pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
  return new Proxy({} as T, {
    get(_stub, property) {
      if (property === 'then' || typeof property === 'symbol') {
        return undefined;
      }
      return async (...args: unknown[]): Promise<unknown> => {
        const real = await instance();
        const member: unknown = Reflect.get(real, property, real);
        if (typeof member !== 'function') {
          throw new TypeError(`${String(property)} is not a method of this port`);
        }
        return (member as (...a: unknown[]) => unknown).apply(real, args);
      };
    },
  });
};

/**
 * SDK clients, at most one of each per module (i.e. per Lambda instance), created on first use.
 * `instrument` lets the handler wrap a client (e.g. Powertools Tracer's `captureAWSv3Client`).
 */
interface ClientOptions {
  region: string | undefined;
  instrument: <C>(client: C) => C;
}
const moduleClients: {
  dynamo?: DynamoDBClient;
  eventBridge?: Promise<EventBridgeClient>;
  sqs?: Promise<SQSClient>;
  secrets?: Promise<SecretsManagerClient>;
} = {};
const regionConfig = (region: string | undefined): { region?: string } => (region === undefined ? {} : { region });
const dynamoClientFor = (o: ClientOptions): DynamoDBClient =>
  (moduleClients.dynamo ??= o.instrument(new DynamoDBClient(regionConfig(o.region))));
const eventBridgeClientFor = (o: ClientOptions): Promise<EventBridgeClient> =>
  (moduleClients.eventBridge ??= import('@aws-sdk/client-eventbridge').then((m) => o.instrument(new m.EventBridgeClient(regionConfig(o.region)))));
const sqsClientFor = (o: ClientOptions): Promise<SQSClient> =>
  (moduleClients.sqs ??= import('@aws-sdk/client-sqs').then((m) => o.instrument(new m.SQSClient(regionConfig(o.region)))));
const secretsClientFor = (o: ClientOptions): Promise<SecretsManagerClient> =>
  (moduleClients.secrets ??= import('@aws-sdk/client-secrets-manager').then((m) =>
    o.instrument(new m.SecretsManagerClient(regionConfig(o.region))),
  ));

/** Which SDK clients this module has created so far (the lazy-init guarantee is tested with it). */
export const createdAwsClients = (): ('dynamodb' | 'eventbridge' | 'sqs' | 'secretsmanager')[] => [
  ...(moduleClients.dynamo === undefined ? [] : (['dynamodb'] as const)),
  ...(moduleClients.eventBridge === undefined ? [] : (['eventbridge'] as const)),
  ...(moduleClients.sqs === undefined ? [] : (['sqs'] as const)),
  ...(moduleClients.secrets === undefined ? [] : (['secretsmanager'] as const)),
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
  const clientOptions: ClientOptions = {
    region: env.AWS_REGION === undefined || env.AWS_REGION === '' ? undefined : env.AWS_REGION,
    instrument: options.instrumentClient ?? (<C>(client: C): C => client),
  };
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
    deadLetterQueues: lazyAsyncPort<DeadLetterQueues>(async () => {
      const queues = parseDeadLetterQueueConfig(requireEnv(env, HEM_ENV.deadLetterQueues));
      const redrivesToBus = queues.some((q) => q.redrive?.kind === 'bus');
      const [{ SqsDeadLetterQueues }, client, eventBridge] = await Promise.all([
        import('./dead-letter-queues'),
        sqsClientFor(clientOptions),
        redrivesToBus ? eventBridgeClientFor(clientOptions) : undefined,
      ]);
      return new SqsDeadLetterQueues({ client, queues, ...(eventBridge === undefined ? {} : { eventBridge }) });
    }),
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
  const clientOptions: ClientOptions = {
    region: env.AWS_REGION === undefined || env.AWS_REGION === '' ? undefined : env.AWS_REGION,
    instrument: options.instrumentClient ?? (<C>(client: C): C => client),
  };
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

/**
 * The embedded local runtime (`npm start` = `hem local`): the same handlers, ASL files, routing table
 * and schemas as the AWS deployment, wired to local stand-ins — DynamoDB Local for DynamoDB,
 * aws-local-stepfunctions for Step Functions, an in-process bus and queues for EventBridge and SQS,
 * a local gateway + OAuth2 issuer for API Gateway and Cognito, and a finance simulator over HTTP.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Server } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, SQSEvent, SQSBatchResponse } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FUNCTIONS, type FunctionId } from '../contracts/functions';
import { ROUTES } from '../contracts/routes';
import { QUEUES, RULES, STATE_MACHINES, EVENT_BUS_PLACEHOLDER, type QueueId, type StateMachineId } from '../contracts/routing';
import type { TableNames } from '../contracts/tables';
import type { DeadLetterQueues, DeadLetterMessage } from '../functions/domain/ports';
import { NotFoundError } from '../functions/domain/errors';
import type { HandlerDependencies } from '../functions/handlers/shared/deps';
import { buildAwsAdapters } from '../functions/adapters/aws/dependencies';
import { HttpFinanceLedger } from '../functions/adapters/connectors/finance-client';
import { checkPrerequisites } from './prerequisites';
import { startDynamoDbLocal, ensureTables, localTableNames } from './dynamodb-local';
import { LocalEventBus } from './bus';
import { LocalQueue } from './queue';
import { LocalStateMachine } from './stepfunctions';
import { LocalIssuer, DEFAULT_LOCAL_CLIENTS } from './oauth';
import { LOCAL_OPS_CREDENTIALS } from './sigv4';
import { createGateway } from './gateway';
import { buildSeedData, seedSummary } from './seed';
import { startFinanceSimulator } from './simulators/finance';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const ACCOUNT = '000000000000';
const REGION = 'local';
const BUS_NAME = 'hem-local';

/** Options of `startRuntime`. */
export interface RuntimeOptions {
  /** TCP port of the gateway; 0 picks a free one. */
  port: number;
  host?: string;
  /** Keep tables, queues, bus archive and keys under this folder across restarts; in memory when absent. */
  dataDir?: string;
  /** Scales retry/backoff/visibility delays (tests use a small value so redeliveries happen fast). */
  timeScale?: number;
  /** Skip seeding reference data (tests that seed their own). */
  seed?: boolean;
}

/** A running local runtime. */
export interface Runtime {
  baseUrl: string;
  financeUrl: string;
  issuer: LocalIssuer;
  bus: LocalEventBus;
  queues: Map<string, LocalQueue>;
  deps: HandlerDependencies;
  /** DynamoDB Local's endpoint and the table names (tests scan them). */
  dynamoEndpoint: string;
  tableNames: TableNames;
  /** Resolves when the bus, workflows and queues have nothing in flight. */
  whenIdle(): Promise<void>;
  stop(): Promise<void>;
}

const lambdaArn = (id: FunctionId): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:hem-${id}`;

/** A minimal Lambda context: the handlers only read request ids and remaining time. */
const lambdaContext = (functionName: string): Context => {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, 30_000 - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

type AnyHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Loads (or creates) the encounter-reference HMAC key: persisted with --data-dir so references stay stable. */
const loadEncounterKey = (dataDir: string | undefined): Uint8Array => {
  if (!dataDir) return randomBytes(32);
  const file = path.join(dataDir, 'secrets', 'encounter-key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  const key = randomBytes(32);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  return key;
};

/** The DeadLetterQueues port over the local queues (what the ops DLQ routes call). */
class LocalDeadLetterQueues implements DeadLetterQueues {
  constructor(
    private readonly dlqs: Map<string, DlqEntry>,
    private readonly redriveRule: (ruleName: string) => Promise<number>,
  ) {}

  async list(): Promise<{ name: string; sourceQueue: string; depth: number }[]> {
    return [...this.dlqs.entries()].map(([name, q]) => ({ name, sourceQueue: q.sourceName, depth: q.dlq.depth() }));
  }

  async peek(name: string, max: number): Promise<DeadLetterMessage[]> {
    return this.get(name)
      .dlq.peek()
      .slice(0, max)
      .map((m) => ({
        messageId: m.messageId,
        body: m.body,
        receiveCount: m.receiveCount,
        sentAt: new Date(m.sentAt).toISOString(),
        attributes: m.attributes ?? {},
      }));
  }

  async redrive(name: string): Promise<{ moved: number }> {
    const q = this.get(name);
    // A bus target's DLQ has no source queue: its events go back through the bus to the rule's target.
    if (q.ruleName) return { moved: await this.redriveRule(q.ruleName) };
    return { moved: q.dlq.redrive(q.source) };
  }

  private get(name: string): DlqEntry {
    const q = this.dlqs.get(name);
    if (!q) throw new NotFoundError(`no dead-letter queue named ${name}`);
    return q;
  }
}

interface DlqEntry {
  dlq: LocalQueue;
  source?: LocalQueue;
  sourceName: string;
  ruleName?: string;
}

/** Starts DynamoDB Local, the bus, queues, workflows, simulators and the gateway; seeds reference data. */
export const startRuntime = async (options: RuntimeOptions): Promise<Runtime> => {
  const host = options.host ?? '127.0.0.1';
  const timeScale = options.timeScale ?? 1;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  await checkPrerequisites();

  const stops: (() => Promise<void>)[] = [];
  const ddb = await startDynamoDbLocal({ dataDir });
  stops.push(() => ddb.stop());
  try {
    const tableNames = localTableNames();
    await ensureTables(ddb.endpoint, tableNames);
    const dynamoClient = new DynamoDBClient({
      endpoint: ddb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stops.push(async () => dynamoClient.destroy());

    const finance = await startFinanceSimulator({ port: 0 });
    stops.push(() => finance.stop());

    // Queues with their DLQs, and one DLQ per bus rule target (EventBridge target DLQs).
    const queues = new Map<string, LocalQueue>();
    const dlqIndex = new Map<string, DlqEntry>();
    for (const def of QUEUES) {
      const dlq = new LocalQueue({ name: `${def.id}-dlq`, visibilityTimeoutSeconds: 30, maxReceiveCount: 1_000_000, dataDir, retentionSeconds: 14 * 86400 });
      const queue = new LocalQueue({
        name: def.id,
        visibilityTimeoutSeconds: def.visibilityTimeoutSeconds * timeScale,
        maxReceiveCount: def.maxReceiveCount,
        dlq,
        dataDir,
        retentionSeconds: 4 * 86400,
      });
      queues.set(def.id, queue);
      queues.set(dlq.name, dlq);
      dlqIndex.set(dlq.name, { dlq, source: queue, sourceName: def.id });
    }
    const ruleDlqs = new Map<string, LocalQueue>();
    for (const rule of RULES) {
      const dlq = new LocalQueue({ name: `rule-${rule.name}-dlq`, visibilityTimeoutSeconds: 30, maxReceiveCount: 1_000_000, dataDir, retentionSeconds: 14 * 86400 });
      ruleDlqs.set(rule.name, dlq);
      queues.set(dlq.name, dlq);
      dlqIndex.set(dlq.name, { dlq, sourceName: `rule:${rule.name}`, ruleName: rule.name });
    }

    const encounterKeyBytes = loadEncounterKey(dataDir);
    const adapters = buildAwsAdapters({ dynamoClient, tableNames });
    // The bus is created below (its rules start the workflows, which invoke these handlers); the
    // indirection lets handlers be built first.
    const busRef: { bus?: LocalEventBus } = {};
    const theBus = (): LocalEventBus => {
      if (!busRef.bus) throw new Error('the local bus is not started yet');
      return busRef.bus;
    };
    const deps: HandlerDependencies = {
      ...adapters,
      events: { publish: async (events) => theBus().publish(events) },
      finance: new HttpFinanceLedger({ baseUrl: finance.url, timeoutMs: 5_000 }),
      encounterKey: { getKey: async () => encounterKeyBytes },
      deadLetterQueues: new LocalDeadLetterQueues(dlqIndex, async (ruleName) => (await theBus().redriveDeadLetters(ruleName)).redriven),
      clock: { now: () => new Date() },
    };

    // Every Lambda: the module's own makeHandler, given the local dependencies.
    const handlers = new Map<FunctionId, AnyHandler>();
    for (const fn of FUNCTIONS) {
      const mod = (await import(pathToFileURL(path.join(REPO_ROOT, fn.entry)).href)) as { makeHandler: (d: HandlerDependencies) => AnyHandler };
      handlers.set(fn.id, mod.makeHandler(deps));
    }
    const invoke = async (id: FunctionId, event: unknown): Promise<unknown> => {
      const h = handlers.get(id);
      if (!h) throw new Error(`no local function ${id}`);
      return h(event, lambdaContext(`hem-${id}`));
    };

    // State machines: the very ASL files CDK deploys.
    const machines = new Map<StateMachineId, LocalStateMachine>();
    for (const sm of STATE_MACHINES) {
      const substitutions: Record<string, string> = { [EVENT_BUS_PLACEHOLDER]: BUS_NAME };
      const lambdaInvokers: Record<string, (payload: unknown) => Promise<unknown>> = {};
      for (const [placeholder, fnId] of Object.entries(sm.functionPlaceholders)) {
        substitutions[placeholder] = lambdaArn(fnId);
        lambdaInvokers[lambdaArn(fnId)] = (payload) => invoke(fnId, payload);
      }
      machines.set(
        sm.id,
        new LocalStateMachine({
          name: `hem-${sm.id}`,
          aslPath: path.join(REPO_ROOT, sm.file),
          substitutions,
          lambdaInvokers,
          retryIntervalScale: timeScale,
          type: sm.type,
          putEvents: async (entries) => theBus().putEvents(entries),
        }),
      );
    }

    const bus = new LocalEventBus({
      dataDir,
      name: BUS_NAME,
      retryBaseDelayMs: 1000 * timeScale,
      rules: RULES.map((rule) => ({
        name: rule.name,
        eventPattern: rule.eventPattern,
        dlq: ruleDlqs.get(rule.name),
        // Locally a failed execution counts as a failed delivery, so it is retried and dead-lettered like
        // the deployed workflow's Catch → DLQ path; on AWS the target only starts the execution.
        target: async (event: unknown): Promise<void> => {
          if (rule.target.kind === 'stateMachine') {
            const machine = machines.get(rule.target.id);
            if (!machine) throw new Error(`no local state machine ${rule.target.id}`);
            await machine.start(event).result;
          } else {
            const queue = queues.get(rule.target.id as QueueId);
            if (!queue) throw new Error(`no local queue ${rule.target.id}`);
            queue.send(JSON.stringify(event));
          }
        },
      })),
    });

    busRef.bus = bus;

    // SQS-fed consumers.
    for (const def of QUEUES) {
      const queue = queues.get(def.id) as LocalQueue;
      const stop = queue.startConsumer(
        async (event: SQSEvent) => (await invoke(def.consumer, event)) as SQSBatchResponse | void,
        { batchSize: def.batchSize, pollIntervalMs: Math.max(10, 100 * timeScale) },
      );
      stops.push(async () => stop());
    }

    if (options.seed !== false) {
      const data = buildSeedData();
      await deps.referenceData.load(data);
      const items = new Map(data.items.map((i) => [i.itemId, i]));
      const now = new Date().toISOString();
      for (const par of data.parSettings) {
        await deps.inventory.initialisePosition({
          locationId: par.locationId,
          itemId: par.itemId,
          onHand: par.initialOnHand,
          onOrder: 0,
          parLevel: par.parLevel,
          reorderPoint: par.reorderPoint,
          baseUom: items.get(par.itemId)?.baseUom ?? 'EA',
          version: 0,
          updatedAt: now,
        });
      }
      seedSummaryCache = seedSummary(data);
    }

    let ready = false;
    const issuerHolder: { issuer?: LocalIssuer } = {};
    const server: Server = createGateway({
      routes: ROUTES,
      invoke: async (id: FunctionId, event: APIGatewayProxyEvent) => (await invoke(id, event)) as APIGatewayProxyResult,
      get issuer() {
        return issuerHolder.issuer as LocalIssuer;
      },
      opsCredentials: LOCAL_OPS_CREDENTIALS,
      health: () => ({ ready }),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const baseUrl = `http://${host}:${port}`;
    issuerHolder.issuer = await LocalIssuer.create({ issuer: baseUrl, clients: DEFAULT_LOCAL_CLIENTS, dataDir });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    ready = true;

    const whenIdle = async (): Promise<void> => {
      // Settle until bus deliveries and queue consumers are quiet twice in a row.
      for (let i = 0; i < 2; i += 1) {
        await bus.whenIdle();
        for (const m of machines.values()) await m.whenIdle();
        for (const q of queues.values()) await q.whenIdle();
      }
    };

    return {
      baseUrl,
      financeUrl: finance.url,
      issuer: issuerHolder.issuer,
      bus,
      queues,
      deps,
      dynamoEndpoint: ddb.endpoint,
      tableNames,
      whenIdle,
      stop: async () => {
        ready = false;
        await bus.close();
        for (const m of machines.values()) await m.close();
        for (const stop of stops.reverse()) await stop();
        for (const q of queues.values()) await q.close();
      },
    };
  } catch (e) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw e;
  }
};

let seedSummaryCache: Record<string, number> | undefined;
/** Counts of the seeded reference data (for the banner). */
export const lastSeedSummary = (): Record<string, number> | undefined => seedSummaryCache;

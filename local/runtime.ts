/**
 * The embedded local runtime (`npm start` = `hem local`): the same handlers, ASL files, routing table
 * and schemas as the AWS deployment, wired to local stand-ins — DynamoDB Local for DynamoDB,
 * aws-local-stepfunctions for Step Functions, an in-process bus and queues for EventBridge and SQS,
 * a local gateway + OAuth2 issuer for API Gateway and Cognito, and simulators of the finance ledger,
 * the ERP and the supplier network over HTTP.
 *
 * Procure-to-pay runs here as on AWS: the DynamoDB adapters of `buildProcurementAdapters` over
 * DynamoDB Local (the procurement configuration seeded at start), `WorkflowControl` over the local
 * Standard state machines, the ERP and supplier network through the connectors' own HTTP clients
 * (`HttpErpGateway`, `HttpSupplierNetwork`) talking to the simulators, and the supplier network
 * answering every 850 with 855/856/810 posted back to this gateway with the supplier's own token.
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
import { dlqNameOfQueue, dlqNameOfRule, QUEUES, RULES, STATE_MACHINES, EVENT_BUS_PLACEHOLDER, type QueueId, type StateMachineId } from '../contracts/routing';
import type { TableNames } from '../contracts/tables';
import type { DeadLetterQueues, DeadLetterMessage, EventReplayer } from '../functions/domain/ports';
import type { ErpCommandQueue, SupplierNetwork as SupplierNetworkPort } from '../functions/domain/procurement-ports';
import { NotFoundError } from '../functions/domain/errors';
import { openingPosition } from '../functions/domain/inventory';
import type { HandlerDependencies } from '../functions/handlers/shared/deps';
import type { ProcurementDependencies } from '../functions/handlers/shared/procurement-deps';
import { buildAwsAdapters, buildProcurementAdapters, createIdempotencyStore } from '../functions/adapters/aws/dependencies';
import { HttpFinanceLedger } from '../functions/adapters/connectors/finance-client';
import { HttpErpGateway } from '../functions/adapters/connectors/erp-client';
import { HttpSupplierNetwork } from '../functions/adapters/connectors/supplier-network-client';
import { CircuitBreaker } from '../functions/adapters/connectors/circuit-breaker';
import { checkPrerequisites } from './prerequisites';
import { startDynamoDbLocal, ensureTables, findFreePort, localTableNames } from './dynamodb-local';
import { LocalEventBus } from './bus';
import { LocalQueue } from './queue';
import { LocalStateMachine } from './stepfunctions';
import { sqsSendMessageIntegration } from './sqs-integration';
import { LocalIssuer, DEFAULT_LOCAL_CLIENTS } from './oauth';
import { LOCAL_OPS_CREDENTIALS } from './sigv4';
import { createGateway } from './gateway';
import { buildSeedData, seedSummary } from './seed';
import { buildProcurementSeed } from './seed-procurement';
import { LocalErpCommandQueue, LocalWorkflowControl } from './procurement-ports';
import { startFinanceSimulator, type FinanceSimulator } from './simulators/finance';
import { startErpSimulator, type ErpSimulator } from './simulators/erp';
import { startSupplierNetwork, type Scenario, type SupplierNetwork } from './simulators/supplier-network';

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
  /**
   * Scales retry/backoff/visibility delays, the connectors' HTTP backoff, the circuit breakers'
   * cool-down and the supplier network's document delays (tests use a small value so redeliveries
   * and supplier answers happen fast). Default 1.
   */
  timeScale?: number;
  /** Skip seeding reference data (tests that seed their own). */
  seed?: boolean;
  /** How the simulated suppliers answer each 850 (the supplier network's `/_scenario` changes it later). */
  supplierScenario?: Scenario;
}

/** Every port a handler of this runtime may receive: issue-2 and procurement ports, and the ERP command queue. */
export type RuntimeDependencies = HandlerDependencies & ProcurementDependencies & { erpCommands: ErpCommandQueue };

/** A running local runtime. */
export interface Runtime {
  baseUrl: string;
  financeUrl: string;
  /** The ERP simulator (Oracle Fusion-like REST under `/fscmRestApi/resources/11.13.18.05`). */
  erpUrl: string;
  /** The supplier network simulator (`POST /edi/inbound`, `GET /_inbox`, `/_outbox`, `/_scenario`). */
  supplierNetworkUrl: string;
  issuer: LocalIssuer;
  bus: LocalEventBus;
  queues: Map<string, LocalQueue>;
  /** The local state machines by id (executions, task tokens). */
  machines: ReadonlyMap<StateMachineId, LocalStateMachine>;
  /** The simulators, in process (tests and the demo may also use their HTTP control routes). */
  simulators: { finance: FinanceSimulator; erp: ErpSimulator; supplierNetwork: SupplierNetwork };
  deps: RuntimeDependencies;
  /** DynamoDB Local's endpoint and the table names (tests scan them). */
  dynamoEndpoint: string;
  tableNames: TableNames;
  /** Milliseconds from the call to ready, by phase (the banner and `npm run demo` print them). */
  startup: Record<string, number>;
  /** Resolves when the bus, workflows (except those waiting on a task token), queues and supplier network have nothing in flight. */
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

/** The connector handlers take their circuit breaker as a second argument: one per runtime, scaled with time. */
const CONNECTOR_BREAKERS: Partial<Record<FunctionId, string>> = { ErpConnector: 'ERP', SupplierConnector: 'supplier network', FinanceConnector: 'finance ledger' };

/** Starts DynamoDB Local, the bus, queues, workflows, simulators and the gateway; seeds reference data. */
export const startRuntime = async (options: RuntimeOptions): Promise<Runtime> => {
  const t0 = Date.now();
  const startup: Record<string, number> = {};
  let mark = t0;
  const phase = (name: string): void => {
    const now = Date.now();
    startup[name] = now - mark;
    mark = now;
  };
  const host = options.host ?? '127.0.0.1';
  const timeScale = options.timeScale ?? 1;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  await checkPrerequisites();

  const stops: (() => Promise<void>)[] = [];
  // DynamoDB Local is a JVM that takes seconds to boot: everything that does not need it to answer
  // (simulators, handler modules, ASL validation) is prepared meanwhile, against the endpoint it will have.
  const ddbPort = await findFreePort();
  const ddbEndpoint = `http://127.0.0.1:${ddbPort}`;
  const ddbStarting = startDynamoDbLocal({ dataDir, port: ddbPort });
  void ddbStarting.catch(() => undefined);
  stops.push(async () => (await ddbStarting).stop());
  try {
    const tableNames = localTableNames();
    const dynamoClient = new DynamoDBClient({
      endpoint: ddbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stops.push(async () => dynamoClient.destroy());

    const [finance, erp] = await Promise.all([startFinanceSimulator({ port: 0 }), startErpSimulator({ port: 0 })]);
    stops.push(() => finance.stop());
    stops.push(() => erp.stop());
    phase('simulators');

    // Queues with their DLQs, and one DLQ per bus rule target (EventBridge target DLQs).
    const queues = new Map<string, LocalQueue>();
    const dlqIndex = new Map<string, DlqEntry>();
    for (const def of QUEUES) {
      const dlq = new LocalQueue({ name: dlqNameOfQueue(def.id), visibilityTimeoutSeconds: 30, maxReceiveCount: 1_000_000, dataDir, retentionSeconds: 14 * 86400 });
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
      const dlq = new LocalQueue({ name: dlqNameOfRule(rule.name), visibilityTimeoutSeconds: 30, maxReceiveCount: 1_000_000, dataDir, retentionSeconds: 14 * 86400 });
      ruleDlqs.set(rule.name, dlq);
      queues.set(dlq.name, dlq);
      dlqIndex.set(dlq.name, { dlq, sourceName: `rule:${rule.name}`, ruleName: rule.name });
    }

    const encounterKeyBytes = loadEncounterKey(dataDir);
    const adapters = buildAwsAdapters({ dynamoClient, tableNames });
    const procurementStores = buildProcurementAdapters({ dynamoClient, tableNames });
    // The bus, the state machines and the supplier network are created below (the bus's rules start
    // workflows that invoke these handlers; the network needs the gateway's URL): the indirections
    // let the handlers be built first.
    const busRef: { bus?: LocalEventBus } = {};
    const theBus = (): LocalEventBus => {
      if (!busRef.bus) throw new Error('the local bus is not started yet');
      return busRef.bus;
    };
    const machines = new Map<StateMachineId, LocalStateMachine>();
    const networkRef: { client?: SupplierNetworkPort } = {};
    // The connectors' HTTP clients, with their backoff scaled like every other local delay.
    const httpRetry = { timeoutMs: 5_000, baseDelayMs: Math.max(1, 200 * timeScale), maxDelayMs: Math.max(5, 2_000 * timeScale) };
    const deps: RuntimeDependencies = {
      ...adapters,
      ...procurementStores,
      events: { publish: async (events) => theBus().publish(events) },
      finance: new HttpFinanceLedger({ baseUrl: finance.url, ...httpRetry }),
      encounterKey: { getKey: async () => encounterKeyBytes },
      deadLetterQueues: new LocalDeadLetterQueues(dlqIndex, async (ruleName) => (await theBus().redriveDeadLetters(ruleName)).redriven),
      eventReplayer: {
        startReplay: async (request) => {
          const replay = await theBus().replay({
            from: request.from,
            to: request.to,
            name: request.replayName,
            ...(request.ruleNames === undefined ? {} : { ruleNames: request.ruleNames }),
          });
          return { replayName: replay.replayName, state: 'STARTING', eventCount: replay.eventCount };
        },
      } satisfies EventReplayer,
      clock: { now: () => new Date() },
      workflows: new LocalWorkflowControl(() => machines),
      erp: new HttpErpGateway({ baseUrl: erp.url, ...httpRetry }),
      supplierNetwork: {
        send: async (supplier, interchange, key) => {
          if (!networkRef.client) throw new Error('the local supplier network is not started yet');
          return networkRef.client.send(supplier, interchange, key);
        },
      },
      erpCommands: new LocalErpCommandQueue(queues.get('ErpCommands') as LocalQueue),
    };

    // Every Lambda: the module's own makeHandler, given the local dependencies. Each gets its own
    // idempotency store (Powertools configures a store once per instance, see createIdempotencyStore)
    // and each connector its own circuit breaker (module scope on AWS = one per container; here one per runtime).
    const handlers = new Map<FunctionId, AnyHandler>();
    const modules = await Promise.all(
      FUNCTIONS.map(async (fn) => ({
        fn,
        mod: (await import(pathToFileURL(path.join(REPO_ROOT, fn.entry)).href)) as {
          makeHandler: (d: RuntimeDependencies, o?: { breaker?: CircuitBreaker }) => AnyHandler;
        },
      })),
    );
    for (const { fn, mod } of modules) {
      // A live view of `deps` (tests swap a port on `runtime.deps` to inject an outage) with the handler's own store.
      const store = createIdempotencyStore(dynamoClient, tableNames.Idempotency);
      const own = new Proxy(deps, {
        get: (target, property, receiver) => (property === 'idempotencyStore' ? store : Reflect.get(target, property, receiver)),
      });
      const breakerName = CONNECTOR_BREAKERS[fn.id];
      handlers.set(
        fn.id,
        breakerName === undefined
          ? mod.makeHandler(own)
          : mod.makeHandler(own, { breaker: new CircuitBreaker({ name: breakerName, failureThreshold: 5, coolDownMs: 30_000 * timeScale }) }),
      );
    }
    // Invocations in flight: stop() lets them finish before DynamoDB Local goes away.
    const inFlight = new Set<Promise<unknown>>();
    const invoke = async (id: FunctionId, event: unknown): Promise<unknown> => {
      const h = handlers.get(id);
      if (!h) throw new Error(`no local function ${id}`);
      const call = h(event, lambdaContext(`hem-${id}`));
      inFlight.add(call);
      try {
        return await call;
      } finally {
        inFlight.delete(call);
      }
    };
    phase('handlers');

    // State machines: the very ASL files CDK deploys. sqs:sendMessage(.waitForTaskToken) delivers to
    // the local queue; with a task token in the message body the connector answers it through WorkflowControl.
    const integrations = { 'arn:aws:states:::sqs:sendMessage': sqsSendMessageIntegration(() => queues.values()) };
    for (const sm of STATE_MACHINES) {
      const substitutions: Record<string, string> = { [EVENT_BUS_PLACEHOLDER]: BUS_NAME };
      const lambdaInvokers: Record<string, (payload: unknown) => Promise<unknown>> = {};
      for (const [placeholder, fnId] of Object.entries(sm.functionPlaceholders)) {
        substitutions[placeholder] = lambdaArn(fnId);
        lambdaInvokers[lambdaArn(fnId)] = (payload) => invoke(fnId, payload);
      }
      for (const [placeholder, ref] of Object.entries(sm.queuePlaceholders ?? {})) {
        const queue = 'queue' in ref ? queues.get(ref.queue) : ruleDlqs.get(ref.ruleDeadLetterQueue);
        if (!queue) throw new Error(`state machine ${sm.id}: no local queue for \${${placeholder}} (${JSON.stringify(ref)})`);
        substitutions[placeholder] = queue.url;
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
          integrations,
        }),
      );
    }
    phase('state-machines');

    const bus = new LocalEventBus({
      dataDir,
      name: BUS_NAME,
      retryBaseDelayMs: 1000 * timeScale,
      rules: RULES.map((rule) => ({
        name: rule.name,
        eventPattern: rule.eventPattern,
        dlq: ruleDlqs.get(rule.name),
        // As on AWS, delivering to a workflow means starting it: the bus never sees how the execution
        // ends. A failed execution dead-letters its own event (the ASL's Catch → DeadLetterExecution).
        target: async (event: unknown): Promise<void> => {
          if (rule.target.kind === 'stateMachine') {
            const machine = machines.get(rule.target.id);
            if (!machine) throw new Error(`no local state machine ${rule.target.id}`);
            machine.start(event);
          } else {
            const queue = queues.get(rule.target.id as QueueId);
            if (!queue) throw new Error(`no local queue ${rule.target.id}`);
            queue.send(JSON.stringify(event));
          }
        },
      })),
    });

    busRef.bus = bus;
    phase('bus');

    const ddb = await ddbStarting;
    phase('dynamodb-wait');
    await ensureTables(ddb.endpoint, tableNames);
    phase('tables');

    // SQS-fed consumers (after the tables: a --data-dir may hold messages from the last run).
    for (const def of QUEUES) {
      const queue = queues.get(def.id) as LocalQueue;
      const stop = queue.startConsumer(
        async (event: SQSEvent) => (await invoke(def.consumer, event)) as SQSBatchResponse | void,
        { batchSize: def.batchSize, pollIntervalMs: Math.max(10, 100 * timeScale) },
      );
      stops.push(async () => stop());
    }

    const data = buildSeedData();
    const procurementSeed = buildProcurementSeed();
    if (options.seed !== false) {
      // Puts and conditional position writes: seeding again over a --data-dir changes nothing.
      const items = new Map(data.items.map((i) => [i.itemId, i]));
      const now = new Date().toISOString();
      const initialise = (par: (typeof data.parSettings)[number]): Promise<unknown> =>
        deps.inventory.initialisePosition(openingPosition(par, items.get(par.itemId)?.baseUom ?? 'EA', now));
      // Positions go in 32 at a time: more would only queue behind the SDK's 50 sockets (and warn).
      const initialisePositions = async (): Promise<void> => {
        const pending = [...data.parSettings];
        const worker = async (): Promise<void> => {
          for (let par = pending.shift(); par !== undefined; par = pending.shift()) await initialise(par);
        };
        await Promise.all(Array.from({ length: 32 }, worker));
      };
      await Promise.all([deps.referenceData.load(data), procurementStores.procurementConfig.load(procurementSeed), initialisePositions()]);
      seedSummaryCache = {
        ...seedSummary(data),
        suppliers: procurementSeed.suppliers.length,
        'approval policies': procurementSeed.approvalPolicies.length,
      };
    }
    phase('seed');

    let ready = false;
    const networkUrl: { url?: string } = {};
    const issuerHolder: { issuer?: LocalIssuer } = {};
    const server: Server = createGateway({
      routes: ROUTES,
      invoke: async (id: FunctionId, event: APIGatewayProxyEvent) => (await invoke(id, event)) as APIGatewayProxyResult,
      get issuer() {
        return issuerHolder.issuer as LocalIssuer;
      },
      opsCredentials: LOCAL_OPS_CREDENTIALS,
      // The simulators' URLs and the time scale let `npm run demo` (HEM_URL) drive a runtime it did not start.
      health: () => ({
        ready,
        timeScale,
        simulators: { finance: finance.url, erp: erp.url, ...(networkUrl.url === undefined ? {} : { supplierNetwork: networkUrl.url }) },
      }),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const baseUrl = `http://${host}:${port}`;
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const issuer = await LocalIssuer.create({ issuer: baseUrl, clients: DEFAULT_LOCAL_CLIENTS, dataDir });
    issuerHolder.issuer = issuer;

    // The supplier network posts its 855/856/810 to this gateway as the supplier's own OAuth2 client.
    const clientOfSupplier = new Map(procurementSeed.suppliers.map((s) => [s.supplierId, s.oauthClientId]));
    const supplierNetwork = await startSupplierNetwork({
      port: 0,
      host,
      hemBaseUrl: baseUrl,
      timeScale,
      suppliers: procurementSeed.suppliers,
      items: data.items,
      ...(options.supplierScenario === undefined ? {} : { scenario: options.supplierScenario }),
      tokenFor: async (supplierId) => {
        const clientId = clientOfSupplier.get(supplierId);
        if (clientId === undefined) throw new Error(`no OAuth2 client for supplier ${supplierId}`);
        return issuer.issueToken(clientId);
      },
    });
    networkRef.client = new HttpSupplierNetwork({ baseUrl: supplierNetwork.url, ...httpRetry });
    networkUrl.url = supplierNetwork.url;
    phase('gateway+supplier-network');
    ready = true;
    startup.total = Date.now() - t0;

    const whenIdle = async (): Promise<void> => {
      // Settle until bus deliveries, executions (which the bus only starts), queue consumers and the
      // supplier's scheduled documents are quiet twice in a row.
      for (let i = 0; i < 2; i += 1) {
        await bus.whenIdle();
        for (const m of machines.values()) await m.whenIdle();
        for (const q of queues.values()) await q.whenIdle();
        await supplierNetwork.whenIdle();
      }
    };

    return {
      baseUrl,
      financeUrl: finance.url,
      erpUrl: erp.url,
      supplierNetworkUrl: supplierNetwork.url,
      issuer,
      bus,
      queues,
      machines,
      simulators: { finance, erp, supplierNetwork },
      deps,
      dynamoEndpoint: ddb.endpoint,
      tableNames,
      startup,
      whenIdle,
      stop: async () => {
        ready = false;
        // First: no supplier document is posted to a runtime that is shutting down.
        await supplierNetwork.stop();
        await bus.close();
        for (const m of machines.values()) await m.close();
        // Bounded: a handler stuck on a hung simulator must not hold the shutdown.
        await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
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

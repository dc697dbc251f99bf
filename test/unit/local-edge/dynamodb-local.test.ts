import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLES } from '../../../contracts/tables';
import {
  ensureTables,
  findFreePort,
  localDynamoDbClientConfig,
  localTableNames,
  startDynamoDbLocal,
} from '../../../local/dynamodb-local';
import type { DynamoDbLocal } from '../../../local/dynamodb-local';

describe('localTableNames', () => {
  it('prefixes every table of the contract', () => {
    expect(localTableNames()).toStrictEqual({
      Idempotency: 'hem-local-idempotency',
      Audit: 'hem-local-audit',
      Operations: 'hem-local-operations',
      Reference: 'hem-local-reference',
    });
    expect(localTableNames('e2e-7').Audit).toBe('e2e-7-audit');
  });
});

describe('DynamoDB Local in memory', () => {
  let ddb: DynamoDbLocal;
  let client: DynamoDBClient;
  const names = localTableNames('unit');

  beforeAll(async () => {
    ddb = await startDynamoDbLocal();
    client = new DynamoDBClient(localDynamoDbClientConfig(ddb.endpoint));
    console.log(`DynamoDB Local (in memory) answered after ${ddb.startupMs} ms`);
  });
  afterAll(async () => {
    client.destroy();
    await ddb.stop();
  });

  it('answers on a loopback endpoint and reports its startup time', () => {
    expect(ddb.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ddb.startupMs > 0).toBeTruthy();
  });

  it('creates the contract tables with their keys, ALL-projected GSIs, on-demand billing and TTL', async () => {
    await ensureTables(ddb.endpoint, names);
    for (const table of TABLES) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: names[table.id] }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      const hash = Table?.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
      const range = Table?.KeySchema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
      expect(hash).toBe(table.partitionKey);
      expect(range).toBe(table.sortKey);
      expect((Table?.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName, g.Projection?.ProjectionType])).toStrictEqual((table.globalSecondaryIndexes ?? []).map((g) => [g.indexName, 'ALL']));
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: names[table.id] }));
      if (table.timeToLiveAttribute === undefined) {
        expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).not.toBe('ENABLED');
      } else {
        expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
        expect(ttl.TimeToLiveDescription?.AttributeName).toBe(table.timeToLiveAttribute);
      }
    }
    const { Table: audit } = await client.send(new DescribeTableCommand({ TableName: names.Audit }));
    expect(audit?.AttributeDefinitions?.find((a) => a.AttributeName === 'seq')?.AttributeType).toBe('N');
  });

  it('is idempotent: a second ensureTables changes nothing and keeps items', async () => {
    await ensureTables(ddb.endpoint, names);
    await client.send(new PutItemCommand({ TableName: names.Idempotency, Item: { id: { S: 'k1' } } }));
    await ensureTables(ddb.endpoint, names);
    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect(TableNames?.filter((n) => n.startsWith('unit-')).sort()).toStrictEqual(Object.values(names).sort());
    const { Item } = await client.send(new GetItemCommand({ TableName: names.Idempotency, Key: { id: { S: 'k1' } } }));
    expect(Item?.id?.S).toBe('k1');
  });
});

describe('DynamoDB Local with a dataDir', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hem-ddb-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps tables and items across a restart, and stop() ends the Java process', async () => {
    const names = localTableNames();
    const first = await startDynamoDbLocal({ dataDir });
    try {
      await ensureTables(first.endpoint, names);
      const client = new DynamoDBClient(localDynamoDbClientConfig(first.endpoint));
      await client.send(
        new PutItemCommand({ TableName: names.Reference, Item: { pk: { S: 'ITEM#ITM-10001' }, sk: { S: 'META' } } }),
      );
      client.destroy();
    } finally {
      await first.stop();
    }
    expect((await stat(join(dataDir, 'dynamodb', 'shared-local-instance.db'))).size > 0).toBeTruthy();
    await expect(new DynamoDBClient({ ...localDynamoDbClientConfig(first.endpoint), maxAttempts: 1 }).send(new ListTablesCommand({}))).rejects.toThrow(); // the first instance no longer answers after stop()

    const second = await startDynamoDbLocal({ dataDir });
    try {
      await ensureTables(second.endpoint, names);
      const client = new DynamoDBClient(localDynamoDbClientConfig(second.endpoint));
      const { Item } = await client.send(
        new GetItemCommand({ TableName: names.Reference, Key: { pk: { S: 'ITEM#ITM-10001' }, sk: { S: 'META' } } }),
      );
      client.destroy();
      expect(Item?.pk?.S).toBe('ITEM#ITM-10001');
    } finally {
      await second.stop();
    }
  });
});

describe('DynamoDB Local startup failure', () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    port = await findFreePort();
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, r));
  });
  afterAll(async () => {
    await new Promise<void>((r) => blocker.close(() => r()));
  });

  it('refuses a port that is already in use before spawning Java', async () => {
    await expect(startDynamoDbLocal({ port })).rejects.toThrow(/cannot use port \d+: it is already in use/);
  });

  it('throws an error with the process stderr when Java dies during startup', async () => {
    await expect(startDynamoDbLocal({ jvmOptions: ['-XX:+HemNoSuchJvmOption'] })).rejects.toThrow(expect.toSatisfy((e: Error) => {
      expect(e.message).toMatch(/DynamoDB Local exited during startup \(code 1/);
      expect(e.message).toMatch(/stderr:[\s\S]*HemNoSuchJvmOption/);
      return true;
    }));
  });
});

describe('DynamoDB Local never outlives its parent', () => {
  const fixture = fileURLToPath(new URL('./fixtures/start-dynamodb-local.ts', import.meta.url));

  const isAlive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  const waitUntilGone = async (pid: number): Promise<boolean> => {
    for (let i = 0; i < 100 && isAlive(pid); i += 1) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return !isAlive(pid);
  };

  /** Runs the fixture and resolves with the Java pid it printed, plus the child handle. */
  const startChild = async (mode: 'exit' | 'wait' | 'graceful'): Promise<{ javaPid: number; child: ChildProcess; output: () => string }> => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const javaPid = await new Promise<number>((resolvePid, reject) => {
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line !== undefined) resolvePid((JSON.parse(line) as { pid: number }).pid);
      });
      child.once('exit', (code) => (out.includes('\n') ? undefined : reject(new Error(`fixture exited ${code}`))));
    });
    return { javaPid, child, output: () => out };
  };

  it('kills Java when the parent exits without calling stop()', async () => {
    const { javaPid, child } = await startChild('exit');
    await once(child, 'exit');
    expect(await waitUntilGone(javaPid)).toBe(true);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`kills Java and still exits when the parent gets ${signal}`, async () => {
      const { javaPid, child } = await startChild('wait');
      expect(isAlive(javaPid)).toBe(true);
      const exited = once(child, 'exit');
      child.kill(signal);
      const [, exitSignal] = (await exited) as [number | null, NodeJS.Signals | null];
      expect(exitSignal).toBe(signal);
      expect(await waitUntilGone(javaPid)).toBe(true);
    });
  }

  it('leaves Java running for a graceful-shutdown handler of the parent, which then stops it', async () => {
    const { javaPid, child, output } = await startChild('graceful');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(output()).toMatch(/\nanswered\n/);
    expect(await waitUntilGone(javaPid)).toBe(true);
  });
});

/**
 * DynamoDB Local for adapter tests: one JVM per test file (started in `before`, stopped in
 * `after`), HEM's tables created from `contracts/tables.ts` under a unique prefix, and a client
 * configured for it. Uses the runtime's own launcher (`local/dynamodb-local.ts`) so tests and
 * `npm start` exercise the same startup code. Needs Java 17+ on the PATH.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../../contracts/tables';
import { ensureTables, localDynamoDbClientConfig, localTableNames, startDynamoDbLocal } from '../../local/dynamodb-local';

export interface TestDynamo {
  endpoint: string;
  /** Milliseconds the JVM took to answer (reported by tests that measure). */
  startupMs: number;
  /** A client for the instance (destroyed by `stop`). */
  client: DynamoDBClient;
  /** Creates a fresh set of HEM tables under a new unique prefix and returns their names. */
  createTables(): Promise<TableNames>;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local in memory on a free port. */
export const startTestDynamo = async (): Promise<TestDynamo> => {
  const local = await startDynamoDbLocal();
  const client = new DynamoDBClient(localDynamoDbClientConfig(local.endpoint));
  return {
    endpoint: local.endpoint,
    startupMs: local.startupMs,
    client,
    async createTables() {
      const names = localTableNames(`t-${randomBytes(4).toString('hex')}`);
      await ensureTables(local.endpoint, names);
      return names;
    },
    async stop() {
      client.destroy();
      await local.stop();
    },
  };
};

/**
 * Contract: the DynamoDB repositories against moto's DynamoDB (a second, independent emulator of
 * the same API), including the TransactWriteItems dedup and version-conflict paths. The
 * concurrency scenarios run on DynamoDB Local only (test/unit/adapters): moto 5.2.1 does not make
 * a transaction atomic across its request threads (measured: with 20 concurrent applies of one
 * business key, two transactions both passed the dedup condition).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { TableNames } from '../../contracts/tables';
import { buildAwsAdapters, createIdempotencyStore } from '../../functions/adapters/aws/dependencies';
import type { AwsAdapters } from '../../functions/adapters/aws/dependencies';
import { ensureTables, localTableNames } from '../../local/dynamodb-local';
import { startMoto } from '../support/moto';
import type { Moto } from '../support/moto';
import {
  auditScenarios,
  exceptionScenarios,
  inventoryScenarios,
  referenceDataScenarios,
  transactionLogScenarios,
  unique,
} from '../unit/adapters/scenarios';

let moto: Moto;
let dynamoClient: DynamoDBClient;
let tableNames: TableNames;
let adapters: AwsAdapters;
const ctx = (): AwsAdapters => adapters;

describe('DynamoDB adapters on moto', () => {
  beforeAll(async () => {
    moto = await startMoto();
    tableNames = localTableNames('contract');
    await ensureTables(moto.endpoint, tableNames);
    dynamoClient = new DynamoDBClient(moto.clientConfig);
    adapters = buildAwsAdapters({ dynamoClient, tableNames });
  });

  afterAll(async () => {
    dynamoClient?.destroy();
    await moto?.stop();
  });

  describe('DynamoInventoryRepository', () => {
    inventoryScenarios(ctx, { concurrency: false });
  });

  describe('DynamoReferenceDataRepository', () => {
    referenceDataScenarios(ctx);
  });

  describe('DynamoTransactionLog', () => {
    transactionLogScenarios(ctx);
  });

  describe('DynamoExceptionRepository', () => {
    exceptionScenarios(ctx);
  });

  describe('DynamoAuditLog', () => {
    auditScenarios(ctx, { concurrency: false });
  });

  describe('Powertools idempotency with DynamoDBPersistenceLayer', () => {
    it('runs the function once for a key and returns the stored result the second time', async () => {
      const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', throwOnNoIdempotencyKey: true });
      config.registerLambdaContext({ getRemainingTimeInMillis: () => 30_000 } as Context);
      let runs = 0;
      const fn = makeIdempotent(
        async (event: { key: string }) => {
          runs++;
          return { key: event.key, runs };
        },
        { persistenceStore: createIdempotencyStore(dynamoClient, tableNames.Idempotency), config },
      );
      const key = unique('K');
      const first = await fn({ key });
      expect(await fn({ key })).toStrictEqual(first);
      expect(runs).toBe(1);
    });
  });
});

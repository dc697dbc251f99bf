/**
 * The DynamoDB repositories against a real DynamoDB Local (one JVM for this file, fresh tables):
 * conditions, TransactWriteItems, GSIs and Powertools idempotency behave as on AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import type { TableNames } from '../../../contracts/tables';
import { DynamoAuditLog } from '../../../functions/adapters/aws/audit-log';
import { buildAwsAdapters, createDocumentClient, createIdempotencyStore } from '../../../functions/adapters/aws/dependencies';
import { DynamoInventoryRepository } from '../../../functions/adapters/aws/inventory-repository';
import { DynamoReferenceDataRepository } from '../../../functions/adapters/aws/reference-data-repository';
import { ConcurrencyError, InfrastructureError } from '../../../functions/domain/errors';
import type { AwsAdapters } from '../../../functions/adapters/aws/dependencies';
import { startTestDynamo } from '../../support/dynamodb';
import type { TestDynamo } from '../../support/dynamodb';
import {
  applyWithRetry,
  auditScenarios,
  referenceDataSet,
  exceptionScenarios,
  inventoryScenarios,
  openingPosition,
  referenceDataScenarios,
  transactionLogScenarios,
  unique,
  usageOutcome,
} from './scenarios';
import { expectInstanceOf, expectTruthy } from '../../support/expect-narrowing';

/** Outside Lambda there is no context; Powertools wants one to bound in-progress records. */
const idempotencyConfig = (eventKeyJmesPath: string): IdempotencyConfig => {
  const config = new IdempotencyConfig({ eventKeyJmesPath, throwOnNoIdempotencyKey: true });
  config.registerLambdaContext({ getRemainingTimeInMillis: () => 30_000 } as Context);
  return config;
};

let dynamo: TestDynamo;
let tableNames: TableNames;
let adapters: AwsAdapters;
const ctx = (): AwsAdapters => adapters;

describe('DynamoDB adapters on DynamoDB Local', () => {
  beforeAll(async () => {
    dynamo = await startTestDynamo();
    tableNames = await dynamo.createTables();
    adapters = buildAwsAdapters({ dynamoClient: dynamo.client, tableNames });
  });

  afterAll(async () => {
    await dynamo?.stop();
  });

  describe('DynamoInventoryRepository', () => {
    inventoryScenarios(ctx, { concurrency: true });

    it('sustains a measurable apply throughput (read + conditional transaction per movement)', async () => {
      const { inventory } = ctx();
      const itemId = unique('ITM');
      await inventory.initialisePosition(openingPosition('NMC-OR', itemId, 100_000));
      const sequential = 150;
      let started = performance.now();
      for (let i = 0; i < sequential; i++) {
        await applyWithRetry(inventory, 'NMC-OR', itemId, `EPIC|NMC|SEQ${i}-${itemId}`, 1);
      }
      const sequentialPerSecond = sequential / ((performance.now() - started) / 1000);

      // Concurrent writers on distinct positions (the realistic case: many items, many locations).
      const items = Array.from({ length: 20 }, () => unique('ITM'));
      await Promise.all(items.map((id) => inventory.initialisePosition(openingPosition('NMC-OR', id, 1_000))));
      const perItem = 10;
      started = performance.now();
      await Promise.all(
        items.map(async (id) => {
          for (let i = 0; i < perItem; i++) {
            await applyWithRetry(inventory, 'NMC-OR', id, `EPIC|NMC|PAR${i}-${id}`, 1);
          }
        }),
      );
      const parallelPerSecond = (items.length * perItem) / ((performance.now() - started) / 1000);
      console.log(
        `DynamoDB Local apply throughput: ${sequentialPerSecond.toFixed(0)}/s sequential, ` +
          `${parallelPerSecond.toFixed(0)}/s with 20 writers on 20 positions (startup ${dynamo.startupMs} ms)`,
      );
      expect((await inventory.getPosition('NMC-OR', itemId))?.onHand).toBe(100_000 - sequential);
      for (const id of items) {
        expect((await inventory.getPosition('NMC-OR', id))?.onHand).toBe(1_000 - perItem);
      }
    });

    it('stores the outcome with its events so a duplicate can re-publish them', async () => {
      const { inventory } = ctx();
      const itemId = unique('ITM');
      await inventory.initialisePosition(openingPosition('NMC-OR', itemId, 60));
      const outcome = usageOutcome(openingPosition('NMC-OR', itemId, 60), unique('EPIC|NMC|EV'), 30);
      outcome.replenishment = {
        source: 'hem.inventory',
        detailType: 'ReplenishmentRequested',
        detail: { ...outcome.positionChanged.detail, quantity: 70 },
      };
      await inventory.applyMovement(0, outcome);
      const duplicate = await inventory.applyMovement(1, usageOutcome(outcome.position, outcome.businessKey, 30));
      expect(duplicate.applied).toBe(false);
      expect(duplicate.outcome.replenishment).toStrictEqual(outcome.replenishment);
      expect(duplicate.outcome.costPosting).toStrictEqual(outcome.costPosting);
    });
  });

  describe('DynamoReferenceDataRepository', () => {
    referenceDataScenarios(ctx);
  });

  describe('DynamoReferenceDataRepository cache', () => {
    it('serves a hit from the cache until its TTL passes, then reads the table again', async () => {
      let now = 1_000_000;
      const client = createDocumentClient(dynamo.client);
      const cached = new DynamoReferenceDataRepository({ client, tableName: tableNames.Reference, cacheTtlMs: 30_000, now: () => now });
      const writer = new DynamoReferenceDataRepository({ client, tableName: tableNames.Reference, cacheTtlMs: 0 });
      const data = referenceDataSet(1, 'CACHE');
      await writer.load(data);
      expect((await cached.getItem('CACHE-10001'))?.unitCost).toBe(0.45);
      const [item] = data.items;
      expect(item).toBeTruthy();
      await writer.load({ ...data, items: [{ ...item, unitCost: 0.5 }] });
      expect((await cached.getItem('CACHE-10001'))?.unitCost).toBe(0.45);
      expect((await writer.getItem('CACHE-10001'))?.unitCost).toBe(0.5);
      now += 30_001;
      expect((await cached.getItem('CACHE-10001'))?.unitCost).toBe(0.5);
    });

    it('hands out copies: a caller mutating its result does not change the cache', async () => {
      const repo = new DynamoReferenceDataRepository({ client: createDocumentClient(dynamo.client), tableName: tableNames.Reference });
      await repo.load(referenceDataSet(1, 'COPY'));
      const first = await repo.getItem('COPY-10001');
      expectTruthy(first);
      first.unitCost = 999;
      expect((await repo.getItem('COPY-10001'))?.unitCost).toBe(0.45);
    });
  });

  describe('failures', () => {
    it('wraps a DynamoDB failure in InfrastructureError naming the operation and table', async () => {
      const missing = new DynamoInventoryRepository({ client: createDocumentClient(dynamo.client), tableName: 'no-such-table' });
      const error = await missing.getPosition('NMC-OR', 'ITM-10001').then(
        () => {
          throw new Error('expected a rejection');
        },
        (e: unknown) => e,
      );
      expectInstanceOf(error, InfrastructureError);
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/GetItem on no-such-table failed \(ResourceNotFoundException\)/);
    });

    it('gives up on the audit chain with ConcurrencyError when the head keeps moving', async () => {
      const names = await dynamo.createTables();
      const impatient = new DynamoAuditLog({ client: createDocumentClient(dynamo.client), tableName: names.Audit, maxAttempts: 1 });
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => impatient.append({ actor: 't', action: 'A', entity: `E#${i}`, correlationId: 'c', payload: i })),
      );
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused.length > 0).toBeTruthy();
      expect(refused.every((r) => r.reason instanceof ConcurrencyError)).toBeTruthy();
      expect((await impatient.list()).length).toBe(10 - refused.length);
    });
  });

  describe('DynamoTransactionLog', () => {
    transactionLogScenarios(ctx);
  });

  describe('DynamoExceptionRepository', () => {
    exceptionScenarios(ctx);
  });

  describe('DynamoAuditLog', () => {
    auditScenarios(ctx, { concurrency: true });
  });

  describe('Powertools idempotency with DynamoDBPersistenceLayer', () => {
    it('runs the function once for a key and returns the stored result the second time', async () => {
      const store = createIdempotencyStore(dynamo.client, tableNames.Idempotency);
      let runs = 0;
      const recordUsage = makeIdempotent(
        async (event: { messageControlId: string; lines: number }) => {
          runs++;
          return { correlationId: `corr-${event.messageControlId}`, run: runs };
        },
        { persistenceStore: store, config: idempotencyConfig('messageControlId') },
      );
      const key = unique('MSG');
      const first = await recordUsage({ messageControlId: key, lines: 2 });
      const second = await recordUsage({ messageControlId: key, lines: 2 });
      expect(runs).toBe(1);
      expect(second).toStrictEqual(first);
      await recordUsage({ messageControlId: unique('MSG'), lines: 1 });
      expect(runs).toBe(2);
    });

    it('refuses a concurrent duplicate while the first call is in progress', async () => {
      const store = createIdempotencyStore(dynamo.client, tableNames.Idempotency);
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const slow = makeIdempotent(
        async (event: { key: string }) => {
          await gate;
          return { done: event.key };
        },
        { persistenceStore: store, config: idempotencyConfig('key') },
      );
      const key = unique('K');
      const first = slow({ key });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(slow({ key })).rejects.toThrow(IdempotencyAlreadyInProgressError);
      release();
      expect(await first).toStrictEqual({ done: key });
    });
  });
});

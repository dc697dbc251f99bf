/**
 * Contract: the procurement DynamoDB adapters against moto's DynamoDB (a second, independent
 * emulator of the same API). The concurrent-writer scenarios run on DynamoDB Local only
 * (test/unit/adapters/procurement-dynamo.test.ts): moto does not serialise transactions across its
 * request threads (see dynamodb.contract.test.ts).
 */
import { afterAll, beforeAll, describe } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildProcurementAdapters } from '../../functions/adapters/aws/dependencies';
import { ensureTables, localTableNames } from '../../local/dynamodb-local';
import { startMoto } from '../support/moto';
import type { Moto } from '../support/moto';
import { FixedClock } from '../unit/fakes';
import {
  controlNumberScenarios,
  ediDocumentLogScenarios,
  procurementConfigScenarios,
  procurementRepositoryScenarios,
  waitRegistryScenarios,
} from '../unit/adapters/procurement-scenarios';
import type { ProcurementScenarioContext } from '../unit/adapters/procurement-scenarios';

let moto: Moto;
let dynamoClient: DynamoDBClient;
let context: ProcurementScenarioContext;
const ctx = (): ProcurementScenarioContext => context;

describe('procurement adapters on moto', () => {
  beforeAll(async () => {
    moto = await startMoto();
    const tableNames = localTableNames('procurement-contract');
    await ensureTables(moto.endpoint, tableNames);
    dynamoClient = new DynamoDBClient(moto.clientConfig);
    const clock = new FixedClock('2025-03-14T09:30:00.000Z');
    context = { clock, stores: buildProcurementAdapters({ dynamoClient, tableNames, clock, configCacheTtlMs: 0 }) };
  });

  afterAll(async () => {
    dynamoClient?.destroy();
    await moto?.stop();
  });

  describe('DynamoProcurementRepository', () => {
    procurementRepositoryScenarios(ctx, { concurrency: false });
  });
  describe('DynamoControlNumberRepository', () => {
    controlNumberScenarios(ctx, { concurrency: false });
  });
  describe('DynamoEdiDocumentLog', () => {
    ediDocumentLogScenarios(ctx);
  });
  describe('DynamoWaitRegistry', () => {
    waitRegistryScenarios(ctx, { concurrency: false });
  });
  describe('DynamoProcurementConfig', () => {
    procurementConfigScenarios(ctx);
  });
});

/**
 * The in-memory procurement fakes keep the promises of the DynamoDB adapters: the very scenarios
 * the adapters pass on DynamoDB Local and moto (test/unit/adapters/procurement-scenarios.ts) run here.
 */
import { describe } from '@jest/globals';
import {
  controlNumberScenarios,
  ediDocumentLogScenarios,
  procurementConfigScenarios,
  procurementRepositoryScenarios,
  waitRegistryScenarios,
} from './adapters/procurement-scenarios';
import type { ProcurementScenarioContext } from './adapters/procurement-scenarios';
import { FixedClock } from './fakes';
import { procurementFakes } from './procurement-fakes';

const clock = new FixedClock('2025-03-14T09:30:00.000Z');
const context: ProcurementScenarioContext = { clock, stores: procurementFakes(clock) };
const ctx = (): ProcurementScenarioContext => context;

describe('procurement fakes', () => {
  describe('InMemoryProcurementRepository', () => {
    procurementRepositoryScenarios(ctx, { concurrency: true });
  });
  describe('InMemoryControlNumbers', () => {
    controlNumberScenarios(ctx, { concurrency: true });
  });
  describe('InMemoryEdiDocumentLog', () => {
    ediDocumentLogScenarios(ctx);
  });
  describe('InMemoryWaitRegistry', () => {
    waitRegistryScenarios(ctx, { concurrency: true });
  });
  describe('SeedProcurementConfig', () => {
    procurementConfigScenarios(ctx);
  });
});

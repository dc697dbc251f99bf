/**
 * The procurement DynamoDB adapters against a real DynamoDB Local (one JVM for this file, fresh
 * tables): conditional writes, transactions, the atomic counter and the GSIs behave as on AWS;
 * plus the EdiIngest handler end to end on these adapters.
 */
import { apiEvent } from '../handlers/support';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TableNames } from '../../../contracts/tables';
import { buildAwsAdapters, buildProcurementAdapters } from '../../../functions/adapters/aws/dependencies';
import { makeHandler as makeEdiIngest } from '../../../functions/handlers/edi-ingest';
import { buildProcurementSeed } from '../../../local/seed-procurement';
import { PO_123, po123 } from '../domain/use-cases/procurement/edi-support';
import { readX12Fixture } from '../x12/support';
import { startTestDynamo } from '../../support/dynamodb';
import type { TestDynamo } from '../../support/dynamodb';
import { FixedClock, fakeDependencies, lambdaContext } from '../fakes';
import { procurementFakes } from '../procurement-fakes';
import { invoiceCaseIdFor, openInvoiceCase } from '../../../functions/domain/procurement/invoice-case';
import { matchInvoice } from '../../../functions/domain/use-cases/procurement/invoices';
import { receiveAtDock } from '../../../functions/domain/use-cases/procurement/receipts';
import { PO_NUMBER, dockReceipt, glovesInvoice, glovesPurchaseOrder, receiptInvoiceFakes } from '../procurement/receipt-invoice-fixtures';
import {
  controlNumberScenarios,
  ediDocumentLogScenarios,
  procurementConfigScenarios,
  procurementRepositoryScenarios,
  waitRegistryScenarios,
} from './procurement-scenarios';
import type { ProcurementScenarioContext } from './procurement-scenarios';

let dynamo: TestDynamo;
let tableNames: TableNames;
let context: ProcurementScenarioContext;
const ctx = (): ProcurementScenarioContext => context;

describe('procurement adapters on DynamoDB Local', () => {
  beforeAll(async () => {
    dynamo = await startTestDynamo();
    tableNames = await dynamo.createTables();
    const clock = new FixedClock('2025-03-14T09:30:00.000Z');
    context = { clock, stores: buildProcurementAdapters({ dynamoClient: dynamo.client, tableNames, clock, configCacheTtlMs: 0 }) };
  });

  afterAll(async () => {
    await dynamo?.stop();
  });

  describe('DynamoProcurementRepository', () => {
    procurementRepositoryScenarios(ctx, { concurrency: true });
  });
  describe('DynamoControlNumberRepository', () => {
    controlNumberScenarios(ctx, { concurrency: true });
  });
  describe('DynamoEdiDocumentLog', () => {
    ediDocumentLogScenarios(ctx);
  });
  describe('DynamoWaitRegistry', () => {
    waitRegistryScenarios(ctx, { concurrency: true });
  });
  describe('DynamoProcurementConfig', () => {
    procurementConfigScenarios(ctx);
  });

  describe('EdiIngest on the DynamoDB adapters', () => {
    it('acknowledges a 5010 855, applies it to the stored PO once, and answers its resend from the idempotency table', async () => {
      const clock = new FixedClock('2026-03-05T14:40:00.000Z');
      const stores = buildProcurementAdapters({ dynamoClient: dynamo.client, tableNames, clock, configCacheTtlMs: 0 });
      const base = buildAwsAdapters({ dynamoClient: dynamo.client, tableNames, clock });
      const fakes = fakeDependencies();
      const { workflows, erpCommands } = procurementFakes(clock);
      await stores.procurementConfig.load(buildProcurementSeed());
      await stores.procurement.createPurchaseOrder(po123());
      const handler = makeEdiIngest({ ...fakes, ...base, ...stores, workflows, erpCommands, clock });
      const post = () =>
        apiEvent({
          method: 'POST',
          resource: '/v1/edi/x12',
          body: readX12Fixture('medline_855_5010.edi'),
          headers: { 'Content-Type': 'application/edi-x12' },
          claims: { client_id: 'supplier-medline' },
        });

      const first = await handler(post(), lambdaContext());
      const resent = await handler(post(), lambdaContext());

      expect(first.statusCode).toBe(200);
      expect(first.body).toMatch(/IK5\*A~/);
      expect(resent.body).toBe(first.body);
      const po = await stores.procurement.getPurchaseOrder(PO_123);
      expect(po?.status).toBe('ACKNOWLEDGED');
      expect(po?.version).toBe(2);
      expect(fakes.events.ofType('PurchaseOrderAcknowledged').length).toBe(1);
      expect((await base.transactions.list('corr-po-123')).map((h) => h.hop)).toStrictEqual(['po-acknowledged']);
    });
  });

  describe('three-way match on the DynamoDB repository (issue #11)', () => {
    it('pays exactly one of two invoices for the same received goods matched concurrently: the other retries, sees it and becomes an exception', async () => {
      const deps = receiptInvoiceFakes();
      const procurement = ctx().stores.procurement;
      const onDynamo = { ...deps, procurement };
      await procurement.createPurchaseOrder(glovesPurchaseOrder());
      await receiveAtDock(onDynamo, dockReceipt('RCV-GLOVES-1', [{ quantity: 20, uom: 'BX' }]), { actor: 'dock-nmc', causationId: 'req-1' });
      const caseIds: string[] = [];
      for (const invoiceNumber of ['INV-CONC-1', 'INV-CONC-2']) {
        const doc = glovesInvoice(invoiceNumber, [{ quantity: 2, uom: 'CS', unitPrice: 120 }]);
        const caseId = invoiceCaseIdFor(doc);
        await procurement.saveInvoice(doc, openInvoiceCase(doc, { caseId, correlationId: 'corr-conc' }, deps.clock.now()));
        caseIds.push(caseId);
      }
      const outcomes = await Promise.all(caseIds.map((caseId) => matchInvoice(onDynamo, { caseId, eventBusName: 'hem-test' })));
      expect(outcomes.map((o) => o.status).sort()).toStrictEqual(['EXCEPTION', 'MATCHED']);
      expect(outcomes.find((o) => o.status === 'EXCEPTION')?.reasons.includes('QTY_NOT_RECEIVED')).toBe(true);
      const stored = await procurement.listInvoicesOfPurchaseOrder(PO_NUMBER);
      expect(stored.map((s) => s.invoiceCase.status).sort()).toStrictEqual(['EXCEPTION', 'MATCHED']);
    });
  });
});

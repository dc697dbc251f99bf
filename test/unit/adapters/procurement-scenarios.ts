/**
 * Behaviour the DynamoDB-backed procurement adapters must show, written once and run against
 * DynamoDB Local (test/unit/adapters/procurement-dynamo.test.ts) and moto
 * (test/contract/procurement.contract.test.ts). Each builder registers `it` blocks inside the
 * caller's `describe` and reads its adapters from `ctx()`, filled in the caller's `before`.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { InvoiceCase, PurchaseOrder } from '../../../contracts/procurement';
import type { ProcurementConfigData } from '../../../functions/adapters/aws/procurement-config';
import type { ProcurementConfig } from '../../../functions/domain/procurement-ports';
import type { ProcurementDependencies } from '../../../functions/handlers/shared/procurement-deps';
import { ConcurrencyError, NotFoundError } from '../../../functions/domain/errors';
import { invoiceCaseIdFor, openInvoiceCase } from '../../../functions/domain/procurement/invoice-case';
import { buildProcurementSeed } from '../../../local/seed-procurement';
import type { FixedClock } from '../fakes';
import { control, invoice, pendingRequisition, receipt, standardLines, standardPo } from '../procurement/fixtures';
import { unique } from './scenarios';

/** The stores under test: the DynamoDB adapters, or the in-memory fakes (which promise the same). */
export type ProcurementStoresUnderTest = Pick<ProcurementDependencies, 'procurement' | 'controlNumbers' | 'ediDocuments' | 'waits'> & {
  procurementConfig: ProcurementConfig & { load(data: ProcurementConfigData): Promise<void> };
};

/** What the scenarios need: the stores and the clock they were built with. */
export interface ProcurementScenarioContext {
  stores: ProcurementStoresUnderTest;
  clock: FixedClock;
}

export interface ProcurementScenarioOptions {
  /** Run the concurrent-writer scenarios (DynamoDB Local; moto does not serialise transactions). */
  concurrency: boolean;
}

/** A PO with unique number and supplier, created at `createdAt`. */
const uniquePo = (overrides: Partial<PurchaseOrder> = {}): PurchaseOrder => ({
  ...standardPo(),
  poNumber: unique('PO'),
  supplierId: unique('SUP'),
  ...overrides,
});

const invoiceWithCase = (
  supplierId: string,
  invoiceNumber: string,
  createdAt: string,
  interchange = 1,
  poNumber?: string,
): { invoice: ReturnType<typeof invoice>; invoiceCase: InvoiceCase } => {
  const doc = invoice(invoiceNumber, [{ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice: 4.5 }], {
    supplierId,
    control: control(interchange),
    ...(poNumber === undefined ? {} : { poNumber }),
  });
  return { invoice: doc, invoiceCase: openInvoiceCase(doc, { caseId: invoiceCaseIdFor(doc), correlationId: 'corr-inv' }, new Date(createdAt)) };
};

/** Scenarios of `DynamoProcurementRepository`. */
export const procurementRepositoryScenarios = (ctx: () => ProcurementScenarioContext, options: ProcurementScenarioOptions): void => {
  it('creates a requisition once per external ref and returns the stored one to a second create', async () => {
    const { procurement } = ctx().stores;
    const externalRef = unique('EXT');
    const first = pendingRequisition(standardLines(), { requisitionId: unique('REQ'), externalRef });
    const again = { ...first, requisitionId: unique('REQ') };
    assert.deepEqual(await procurement.createRequisition(first), { created: true, requisition: first });
    const second = await procurement.createRequisition(again);
    assert.equal(second.created, false);
    assert.equal(second.requisition.requisitionId, first.requisitionId);
    assert.equal(await procurement.getRequisition(again.requisitionId), undefined);
    assert.deepEqual(await procurement.getRequisition(first.requisitionId), first);
  });

  it('saves a requisition only from the status it was read in', async () => {
    const { procurement } = ctx().stores;
    const req = pendingRequisition(standardLines(), { requisitionId: unique('REQ'), externalRef: unique('EXT') });
    await procurement.createRequisition(req);
    await procurement.saveRequisition({ ...req, status: 'APPROVED' }, 'PENDING_APPROVAL');
    assert.equal((await procurement.getRequisition(req.requisitionId))?.status, 'APPROVED');
    await assert.rejects(procurement.saveRequisition({ ...req, status: 'REJECTED' }, 'PENDING_APPROVAL'), ConcurrencyError);
    await assert.rejects(procurement.saveRequisition({ ...req, requisitionId: unique('REQ') }, 'PENDING_APPROVAL'), NotFoundError);
  });

  it('creates a purchase order once and saves it only at the version it was read', async () => {
    const { procurement } = ctx().stores;
    const po = uniquePo();
    assert.equal((await procurement.createPurchaseOrder(po)).created, true);
    const again = await procurement.createPurchaseOrder({ ...po, status: 'ISSUED' });
    assert.equal(again.created, false);
    assert.equal(again.purchaseOrder.status, 'CREATED');
    const read = await procurement.getPurchaseOrder(po.poNumber);
    assert.deepEqual(read, { ...po, version: 1 });
    await procurement.savePurchaseOrder({ ...po, status: 'ISSUED' }, 1);
    const saved = await procurement.getPurchaseOrder(po.poNumber);
    assert.equal(saved?.status, 'ISSUED');
    assert.equal(saved?.version, 2);
    await assert.rejects(procurement.savePurchaseOrder({ ...po, status: 'ACKNOWLEDGED' }, 1), ConcurrencyError);
    await assert.rejects(procurement.savePurchaseOrder(uniquePo(), 1), NotFoundError);
    assert.equal(await procurement.getPurchaseOrder(unique('PO')), undefined);
  });

  it('lists a supplier’s purchase orders newest first, and only theirs', async () => {
    const { procurement } = ctx().stores;
    const supplierId = unique('SUP');
    const older = uniquePo({ supplierId, createdAt: '2025-03-01T08:00:00.000Z' });
    const newer = uniquePo({ supplierId, createdAt: '2025-03-02T08:00:00.000Z' });
    await procurement.createPurchaseOrder(older);
    await procurement.createPurchaseOrder(newer);
    await procurement.createPurchaseOrder(uniquePo());
    const listed = await procurement.listPurchaseOrdersBySupplier(supplierId, 10);
    assert.deepEqual(
      listed.map((p) => p.poNumber),
      [newer.poNumber, older.poNumber],
    );
    assert.equal((await procurement.listPurchaseOrdersBySupplier(supplierId, 1)).length, 1);
  });

  it('saves a receipt once per receipt id and lists a PO’s receipts oldest first', async () => {
    const { procurement } = ctx().stores;
    const poNumber = unique('PO');
    const second = { ...receipt(unique('RCV'), [{ poLineNumber: 1, quantity: 2, uom: 'BX' }], poNumber), receivedAt: '2025-03-17T10:00:00.000Z' };
    const first = { ...receipt(unique('RCV'), [{ poLineNumber: 1, quantity: 4, uom: 'BX' }], poNumber), receivedAt: '2025-03-16T10:00:00.000Z' };
    assert.deepEqual(await procurement.saveReceipt(second), { created: true });
    assert.deepEqual(await procurement.saveReceipt(first), { created: true });
    assert.deepEqual(await procurement.saveReceipt(first), { created: false });
    assert.deepEqual(await procurement.saveReceipt({ ...first, poNumber: unique('PO') }), { created: false }, 'a receipt id is unique across POs');
    assert.deepEqual(await procurement.listReceipts(poNumber), [first, second]);
    assert.deepEqual(await procurement.listReceipts(unique('PO')), []);
  });

  it('lists the invoices naming a PO, oldest first, and only those', async () => {
    const { procurement } = ctx().stores;
    const supplierId = unique('SUP');
    const poNumber = unique('PO');
    const later = invoiceWithCase(supplierId, unique('INV'), '2025-03-19T08:00:00.000Z', 1, poNumber);
    const earlier = invoiceWithCase(supplierId, unique('INV'), '2025-03-18T08:00:00.000Z', 1, poNumber);
    const otherPo = invoiceWithCase(supplierId, unique('INV'), '2025-03-18T09:00:00.000Z', 1, unique('PO'));
    const { poNumber: _none, ...withoutPo } = invoiceWithCase(supplierId, unique('INV'), '2025-03-18T10:00:00.000Z').invoice;
    const noPo = { invoice: withoutPo, invoiceCase: openInvoiceCase(withoutPo, { caseId: invoiceCaseIdFor(withoutPo), correlationId: 'corr-inv' }, new Date()) };
    assert.equal(noPo.invoiceCase.poNumber, undefined);
    for (const x of [later, earlier, otherPo, noPo]) await procurement.saveInvoice(x.invoice, x.invoiceCase);
    await procurement.saveInvoice(later.invoice, later.invoiceCase);

    const listed = await procurement.listInvoicesOfPurchaseOrder(poNumber);
    assert.deepEqual(listed, [earlier, later]);
    const matched = { ...earlier.invoiceCase, status: 'MATCHED' as const, updatedAt: '2025-03-20T08:00:00.000Z' };
    await procurement.saveInvoiceCase(matched, 1);
    assert.deepEqual((await procurement.listInvoicesOfPurchaseOrder(poNumber)).map((x) => x.invoiceCase.status), ['MATCHED', 'OPEN'], 'read consistently');
    assert.deepEqual(await procurement.listInvoicesOfPurchaseOrder(unique('PO')), []);
  });

  it('stores an invoice with its case once, versions the case and lists it by status and by supplier', async () => {
    const { procurement } = ctx().stores;
    const supplierId = unique('SUP');
    const a = invoiceWithCase(supplierId, unique('INV'), '2025-03-17T08:00:00.000Z');
    const b = invoiceWithCase(supplierId, unique('INV'), '2025-03-18T08:00:00.000Z');
    assert.deepEqual(await procurement.saveInvoice(a.invoice, a.invoiceCase), { created: true });
    assert.deepEqual(await procurement.saveInvoice(a.invoice, { ...a.invoiceCase, status: 'MATCHED' }), { created: false });
    await procurement.saveInvoice(b.invoice, b.invoiceCase);

    const stored = await procurement.getInvoiceCase(a.invoiceCase.caseId);
    assert.deepEqual(stored, { invoice: a.invoice, invoiceCase: a.invoiceCase, version: 1 });
    assert.equal(await procurement.getInvoiceCase(unique('CASE')), undefined);

    const exception: InvoiceCase = { ...a.invoiceCase, status: 'EXCEPTION', reasons: ['PRICE_VARIANCE'], updatedAt: '2025-03-17T09:00:00.000Z' };
    await procurement.saveInvoiceCase(exception, 1);
    await assert.rejects(procurement.saveInvoiceCase({ ...exception, status: 'MATCHED' }, 1), ConcurrencyError);
    await assert.rejects(procurement.saveInvoiceCase({ ...exception, caseId: unique('CASE') }, 1), NotFoundError);
    assert.equal((await procurement.getInvoiceCase(a.invoiceCase.caseId))?.version, 2);

    const bySupplier = await procurement.listInvoicesBySupplier(supplierId, 10);
    assert.deepEqual(
      bySupplier.map((x) => [x.invoiceCase.caseId, x.invoiceCase.status]),
      [
        [b.invoiceCase.caseId, 'OPEN'],
        [a.invoiceCase.caseId, 'EXCEPTION'],
      ],
    );
    assert.deepEqual(bySupplier[1]?.invoice, a.invoice);
    const exceptions = await procurement.listInvoicesByStatus('EXCEPTION', 1_000);
    const mine = exceptions.filter((x) => x.invoiceCase.supplierId === supplierId);
    assert.deepEqual(
      mine.map((x) => x.invoiceCase.caseId),
      [a.invoiceCase.caseId],
    );
    assert.deepEqual(mine[0]?.invoice, a.invoice);
    const open = await procurement.listInvoicesByStatus('OPEN', 1_000);
    assert.ok(!open.some((x) => x.invoiceCase.caseId === a.invoiceCase.caseId), 'the case left the OPEN view');
  });

  if (options.concurrency) {
    it('lets exactly one of 12 concurrent creates with one external ref win', async () => {
      const { procurement } = ctx().stores;
      const externalRef = unique('EXT');
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, () =>
          procurement.createRequisition(pendingRequisition(standardLines(), { requisitionId: unique('REQ'), externalRef })),
        ),
      );
      const fulfilled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const created = fulfilled.filter((r) => r.created);
      assert.equal(created.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ConcurrencyError);
      for (const r of fulfilled) assert.equal(r.requisition.requisitionId, created[0]?.requisition.requisitionId);
    });

    it('lets exactly one of 12 concurrent saves at one PO version win', async () => {
      const { procurement } = ctx().stores;
      const po = uniquePo();
      await procurement.createPurchaseOrder(po);
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => procurement.savePurchaseOrder({ ...po, erpPoId: `ERP-${i}` }, 1)),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ConcurrencyError);
      assert.equal((await procurement.getPurchaseOrder(po.poNumber))?.version, 2);
    });
  }
};

/** Scenarios of `DynamoControlNumberRepository`. */
export const controlNumberScenarios = (ctx: () => ProcurementScenarioContext, options: ProcurementScenarioOptions): void => {
  it('issues monotonic 9-digit interchange numbers per partner, and consecutive blocks', async () => {
    const { controlNumbers } = ctx().stores;
    const partner = unique('SUP');
    assert.deepEqual(await controlNumbers.next(partner), { interchange: '000000001', group: '1', transactionSet: '0001' });
    assert.deepEqual(await controlNumbers.next(partner), { interchange: '000000002', group: '2', transactionSet: '0002' });
    assert.deepEqual(
      (await controlNumbers.reserve(partner, 3)).map((c) => c.interchange),
      ['000000003', '000000004', '000000005'],
    );
    assert.equal((await controlNumbers.next(unique('SUP'))).interchange, '000000001', 'another partner has its own counter');
  });

  if (options.concurrency) {
    it('never issues one number twice to concurrent callers', async () => {
      const { controlNumbers } = ctx().stores;
      const partner = unique('SUP');
      const issued = await Promise.all(Array.from({ length: 25 }, () => controlNumbers.next(partner)));
      assert.equal(new Set(issued.map((c) => c.interchange)).size, 25);
    });
  }
};

/** Scenarios of `DynamoEdiDocumentLog`. */
export const ediDocumentLogScenarios = (ctx: () => ProcurementScenarioContext): void => {
  const key = (businessKey = unique('855|PO')): { supplierId: string; control: ReturnType<typeof control>; businessKey: string } => ({
    supplierId: 'SUP-MEDLINE',
    control: control(Math.floor(Math.random() * 1e8)),
    businessKey,
  });

  it('records a document once: a resend is refused, another document under the same envelope is not', async () => {
    const { ediDocuments } = ctx().stores;
    const doc = key();
    assert.equal(await ediDocuments.recordOnce(doc), true);
    assert.equal(await ediDocuments.recordOnce(doc), false, 'while it is being applied');
    await ediDocuments.markApplied(doc);
    assert.equal(await ediDocuments.recordOnce(doc), false, 'once applied');
    assert.equal(await ediDocuments.recordOnce({ ...doc, businessKey: unique('855|PO') }), true);
  });

  it('forgets a released document so its resend applies it, but never releases an applied one', async () => {
    const { ediDocuments } = ctx().stores;
    const doc = key();
    assert.equal(await ediDocuments.recordOnce(doc), true);
    await ediDocuments.release(doc);
    assert.equal(await ediDocuments.recordOnce(doc), true);
    await ediDocuments.markApplied(doc);
    await ediDocuments.release(doc);
    assert.equal(await ediDocuments.recordOnce(doc), false);
  });

  it('lets a resend take over a claim whose lease ran out, never an applied document', async () => {
    const { stores, clock } = ctx();
    const stale = key();
    const applied = key();
    assert.equal(await stores.ediDocuments.recordOnce(stale), true);
    assert.equal(await stores.ediDocuments.recordOnce(applied), true);
    await stores.ediDocuments.markApplied(applied);
    clock.advance(10 * 60_000);
    assert.equal(await stores.ediDocuments.recordOnce(stale), true);
    assert.equal(await stores.ediDocuments.recordOnce(applied), false);
  });
};

/** Scenarios of `DynamoWaitRegistry`. */
export const waitRegistryScenarios = (ctx: () => ProcurementScenarioContext, options: ProcurementScenarioOptions): void => {
  it('hands the registered token to the arrival', async () => {
    const { waits } = ctx().stores;
    const entity = unique('PO');
    assert.deepEqual(await waits.register(entity, 'ACK_855', 'token-1'), {});
    assert.deepEqual(await waits.arrive(entity, 'ACK_855', { status: 'ACKNOWLEDGED' }), { taskToken: 'token-1' });
    assert.deepEqual(await waits.arrive(entity, 'ASN_856', {}), {}, 'another awaited event has its own slot');
  });

  it('answers a registration with the payload that arrived first, and a later wait too', async () => {
    const { waits } = ctx().stores;
    const entity = unique('PO');
    assert.deepEqual(await waits.arrive(entity, 'ACK_855', { status: 'REJECTED' }), {});
    assert.deepEqual(await waits.register(entity, 'ACK_855', 'token-1'), { alreadyArrived: { status: 'REJECTED' } });
    assert.deepEqual(await waits.register(entity, 'ACK_855', 'token-2'), { alreadyArrived: { status: 'REJECTED' } });
  });

  it('hands the newest token after the timeout loop registered again', async () => {
    const { waits } = ctx().stores;
    const entity = unique('REQ');
    await waits.register(entity, 'DECISION', 'token-1');
    await waits.register(entity, 'DECISION', 'token-2');
    assert.deepEqual(await waits.arrive(entity, 'DECISION', { decision: 'APPROVE' }), { taskToken: 'token-2' });
  });

  if (options.concurrency) {
    it('decides every race between register and arrive one way: never both waiting', async () => {
      const { waits } = ctx().stores;
      for (let round = 0; round < 20; round++) {
        const entity = unique('PO');
        const [registered, arrived] = await Promise.all([waits.register(entity, 'ASN_856', `tok-${round}`), waits.arrive(entity, 'ASN_856', { round })]);
        const tokenHandedOut = arrived.taskToken === `tok-${round}`;
        const arrivalSeen = 'alreadyArrived' in registered;
        assert.equal(tokenHandedOut !== arrivalSeen, true, `round ${round}: exactly one side sees the other`);
      }
    });
  }
};

/** Scenarios of `DynamoProcurementConfig` loaded with the seed. */
export const procurementConfigScenarios = (ctx: () => ProcurementScenarioContext): void => {
  it('loads the seed and finds suppliers by id, X12 sender and OAuth client', async () => {
    const config = ctx().stores.procurementConfig;
    const seed = buildProcurementSeed();
    await config.load(seed);
    const medline = seed.suppliers.find((s) => s.supplierId === 'SUP-MEDLINE');
    assert.deepEqual(await config.getSupplier('SUP-MEDLINE'), medline);
    assert.deepEqual(await config.findSupplierByX12('ZZ', 'MEDLINE'), medline);
    assert.deepEqual(await config.findSupplierByClientId('supplier-medline'), medline);
    assert.equal(await config.findSupplierByX12('ZZ', 'NOBODY'), undefined);
    assert.equal(await config.findSupplierByClientId('ap-clerk'), undefined);
    assert.equal(await config.getSupplier('SUP-NOBODY'), undefined);
  });

  it('answers the cost center’s approval policy, else the default, and tolerances per supplier', async () => {
    const config = ctx().stores.procurementConfig;
    const seed = buildProcurementSeed();
    await config.load(seed);
    assert.equal((await config.approvalPolicy('CC-NMC-OR')).autoApproveContractUnder, 5000);
    assert.deepEqual(await config.approvalPolicy('CC-NOWHERE'), seed.approvalPolicies.find((p) => p.costCenter === 'default'));
    assert.deepEqual(await config.tolerances('SUP-OWENS'), seed.tolerances.bySupplier['SUP-OWENS']);
    assert.deepEqual(await config.tolerances('SUP-MEDLINE'), seed.tolerances.default);
    assert.deepEqual(await config.buyer(), seed.buyer);
  });
};

/**
 * Behaviour the DynamoDB-backed procurement adapters must show, written once and run against
 * DynamoDB Local (test/unit/adapters/procurement-dynamo.test.ts) and moto
 * (test/contract/procurement.contract.test.ts). Each builder registers `it` blocks inside the
 * caller's `describe` and reads its adapters from `ctx()`, filled in the caller's `before`.
 */
import { expect, it } from '@jest/globals';
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
    expect(await procurement.createRequisition(first)).toStrictEqual({ created: true, requisition: first });
    const second = await procurement.createRequisition(again);
    expect(second.created).toBe(false);
    expect(second.requisition.requisitionId).toBe(first.requisitionId);
    expect(await procurement.getRequisition(again.requisitionId)).toBe(undefined);
    expect(await procurement.getRequisition(first.requisitionId)).toStrictEqual(first);
  });

  it('saves a requisition only from the status it was read in', async () => {
    const { procurement } = ctx().stores;
    const req = pendingRequisition(standardLines(), { requisitionId: unique('REQ'), externalRef: unique('EXT') });
    await procurement.createRequisition(req);
    await procurement.saveRequisition({ ...req, status: 'APPROVED' }, 'PENDING_APPROVAL');
    expect((await procurement.getRequisition(req.requisitionId))?.status).toBe('APPROVED');
    await expect(procurement.saveRequisition({ ...req, status: 'REJECTED' }, 'PENDING_APPROVAL')).rejects.toThrow(ConcurrencyError);
    await expect(procurement.saveRequisition({ ...req, requisitionId: unique('REQ') }, 'PENDING_APPROVAL')).rejects.toThrow(NotFoundError);
  });

  it('creates a purchase order once and saves it only at the version it was read', async () => {
    const { procurement } = ctx().stores;
    const po = uniquePo();
    expect((await procurement.createPurchaseOrder(po)).created).toBe(true);
    const again = await procurement.createPurchaseOrder({ ...po, status: 'ISSUED' });
    expect(again.created).toBe(false);
    expect(again.purchaseOrder.status).toBe('CREATED');
    const read = await procurement.getPurchaseOrder(po.poNumber);
    expect(read).toStrictEqual({ ...po, version: 1 });
    await procurement.savePurchaseOrder({ ...po, status: 'ISSUED' }, 1);
    const saved = await procurement.getPurchaseOrder(po.poNumber);
    expect(saved?.status).toBe('ISSUED');
    expect(saved?.version).toBe(2);
    await expect(procurement.savePurchaseOrder({ ...po, status: 'ACKNOWLEDGED' }, 1)).rejects.toThrow(ConcurrencyError);
    await expect(procurement.savePurchaseOrder(uniquePo(), 1)).rejects.toThrow(NotFoundError);
    expect(await procurement.getPurchaseOrder(unique('PO'))).toBe(undefined);
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
    expect(listed.map((p) => p.poNumber)).toStrictEqual([newer.poNumber, older.poNumber]);
    expect((await procurement.listPurchaseOrdersBySupplier(supplierId, 1)).length).toBe(1);
  });

  it('saves a receipt once per receipt id and lists a PO’s receipts oldest first', async () => {
    const { procurement } = ctx().stores;
    const poNumber = unique('PO');
    const second = { ...receipt(unique('RCV'), [{ poLineNumber: 1, quantity: 2, uom: 'BX' }], poNumber), receivedAt: '2025-03-17T10:00:00.000Z' };
    const first = { ...receipt(unique('RCV'), [{ poLineNumber: 1, quantity: 4, uom: 'BX' }], poNumber), receivedAt: '2025-03-16T10:00:00.000Z' };
    expect(await procurement.saveReceipt(second)).toStrictEqual({ created: true });
    expect(await procurement.saveReceipt(first)).toStrictEqual({ created: true });
    expect(await procurement.saveReceipt(first)).toStrictEqual({ created: false });
    expect(await procurement.saveReceipt({ ...first, poNumber: unique('PO') })).toStrictEqual({ created: false });
    expect(await procurement.listReceipts(poNumber)).toStrictEqual([first, second]);
    expect(await procurement.listReceipts(unique('PO'))).toStrictEqual([]);
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
    expect(noPo.invoiceCase.poNumber).toBe(undefined);
    for (const x of [later, earlier, otherPo, noPo]) await procurement.saveInvoice(x.invoice, x.invoiceCase);
    await procurement.saveInvoice(later.invoice, later.invoiceCase);

    const listed = await procurement.listInvoicesOfPurchaseOrder(poNumber);
    expect(listed).toStrictEqual([earlier, later]);
    const matched = { ...earlier.invoiceCase, status: 'MATCHED' as const, updatedAt: '2025-03-20T08:00:00.000Z' };
    await procurement.saveInvoiceCase(matched, 1);
    expect((await procurement.listInvoicesOfPurchaseOrder(poNumber)).map((x) => x.invoiceCase.status)).toStrictEqual(['MATCHED', 'OPEN']);
    expect(await procurement.listInvoicesOfPurchaseOrder(unique('PO'))).toStrictEqual([]);
  });

  it('stores an invoice with its case once, versions the case and lists it by status and by supplier', async () => {
    const { procurement } = ctx().stores;
    const supplierId = unique('SUP');
    const a = invoiceWithCase(supplierId, unique('INV'), '2025-03-17T08:00:00.000Z');
    const b = invoiceWithCase(supplierId, unique('INV'), '2025-03-18T08:00:00.000Z');
    expect(await procurement.saveInvoice(a.invoice, a.invoiceCase)).toStrictEqual({ created: true });
    expect(await procurement.saveInvoice(a.invoice, { ...a.invoiceCase, status: 'MATCHED' })).toStrictEqual({ created: false });
    await procurement.saveInvoice(b.invoice, b.invoiceCase);

    const stored = await procurement.getInvoiceCase(a.invoiceCase.caseId);
    expect(stored).toStrictEqual({ invoice: a.invoice, invoiceCase: a.invoiceCase, version: 1 });
    expect(await procurement.getInvoiceCase(unique('CASE'))).toBe(undefined);

    const exception: InvoiceCase = { ...a.invoiceCase, status: 'EXCEPTION', reasons: ['PRICE_VARIANCE'], updatedAt: '2025-03-17T09:00:00.000Z' };
    await procurement.saveInvoiceCase(exception, 1);
    await expect(procurement.saveInvoiceCase({ ...exception, status: 'MATCHED' }, 1)).rejects.toThrow(ConcurrencyError);
    await expect(procurement.saveInvoiceCase({ ...exception, caseId: unique('CASE') }, 1)).rejects.toThrow(NotFoundError);
    expect((await procurement.getInvoiceCase(a.invoiceCase.caseId))?.version).toBe(2);

    const bySupplier = await procurement.listInvoicesBySupplier(supplierId, 10);
    expect(bySupplier.map((x) => [x.invoiceCase.caseId, x.invoiceCase.status])).toStrictEqual([
        [b.invoiceCase.caseId, 'OPEN'],
        [a.invoiceCase.caseId, 'EXCEPTION'],
      ]);
    expect(bySupplier[1]?.invoice).toStrictEqual(a.invoice);
    const exceptions = await procurement.listInvoicesByStatus('EXCEPTION', 1_000);
    const mine = exceptions.filter((x) => x.invoiceCase.supplierId === supplierId);
    expect(mine.map((x) => x.invoiceCase.caseId)).toStrictEqual([a.invoiceCase.caseId]);
    expect(mine[0]?.invoice).toStrictEqual(a.invoice);
    const open = await procurement.listInvoicesByStatus('OPEN', 1_000);
    expect(!open.some((x) => x.invoiceCase.caseId === a.invoiceCase.caseId)).toBeTruthy();
  });

  it('saves an invoice case under its PO match guard only at the sequence read, moving the sequence on with it', async () => {
    const { procurement } = ctx().stores;
    const supplierId = unique('SUP');
    const poNumber = unique('PO');
    const a = invoiceWithCase(supplierId, unique('INV'), '2025-03-18T08:00:00.000Z', 1, poNumber);
    const b = invoiceWithCase(supplierId, unique('INV'), '2025-03-18T08:01:00.000Z', 2, poNumber);
    for (const x of [a, b]) await procurement.saveInvoice(x.invoice, x.invoiceCase);
    expect(await procurement.getPurchaseOrderMatchSequence(poNumber)).toBe(0);

    await procurement.saveInvoiceCase({ ...a.invoiceCase, status: 'MATCHED' }, 1, { poNumber, expectedSequence: 0 });
    expect(await procurement.getPurchaseOrderMatchSequence(poNumber)).toBe(1);
    // b was matched on the view before a's save: refused, and nothing of it written.
    await expect(procurement.saveInvoiceCase({ ...b.invoiceCase, status: 'MATCHED' }, 1, { poNumber, expectedSequence: 0 })).rejects.toThrow(ConcurrencyError);
    expect((await procurement.getInvoiceCase(b.invoiceCase.caseId))?.invoiceCase.status).toBe('OPEN');
    await procurement.saveInvoiceCase({ ...b.invoiceCase, status: 'EXCEPTION', reasons: ['QTY_NOT_RECEIVED'] }, 1, { poNumber, expectedSequence: 1 });
    expect(await procurement.getPurchaseOrderMatchSequence(poNumber)).toBe(2);
    // The PO's invoices list stays the invoices only.
    expect((await procurement.listInvoicesOfPurchaseOrder(poNumber)).map((x) => x.invoiceCase.status)).toStrictEqual(['MATCHED', 'EXCEPTION']);
    // A moved case version is refused under the guard too, and leaves the sequence where it was.
    await expect(procurement.saveInvoiceCase({ ...a.invoiceCase, status: 'PAID' }, 1, { poNumber, expectedSequence: 2 })).rejects.toThrow(ConcurrencyError);
    expect(await procurement.getPurchaseOrderMatchSequence(poNumber)).toBe(2);
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
      expect(created.length).toBe(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason instanceof ConcurrencyError).toBeTruthy();
      for (const r of fulfilled) expect(r.requisition.requisitionId).toBe(created[0]?.requisition.requisitionId);
    });

    it('lets exactly one of 8 concurrent guarded saves of different invoices of one PO win', async () => {
      const { procurement } = ctx().stores;
      const supplierId = unique('SUP');
      const poNumber = unique('PO');
      const cases = Array.from({ length: 8 }, (_, i) => invoiceWithCase(supplierId, unique('INV'), '2025-03-18T08:00:00.000Z', i + 1, poNumber));
      for (const x of cases) await procurement.saveInvoice(x.invoice, x.invoiceCase);
      const results = await Promise.allSettled(
        cases.map((x) => procurement.saveInvoiceCase({ ...x.invoiceCase, status: 'MATCHED' }, 1, { poNumber, expectedSequence: 0 })),
      );
      expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason instanceof ConcurrencyError).toBeTruthy();
      expect(await procurement.getPurchaseOrderMatchSequence(poNumber)).toBe(1);
      expect((await procurement.listInvoicesOfPurchaseOrder(poNumber)).filter((x) => x.invoiceCase.status === 'MATCHED').length).toBe(1);
    });

    it('lets exactly one of 12 concurrent saves at one PO version win', async () => {
      const { procurement } = ctx().stores;
      const po = uniquePo();
      await procurement.createPurchaseOrder(po);
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => procurement.savePurchaseOrder({ ...po, erpPoId: `ERP-${i}` }, 1)),
      );
      expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason instanceof ConcurrencyError).toBeTruthy();
      expect((await procurement.getPurchaseOrder(po.poNumber))?.version).toBe(2);
    });
  }
};

/** Scenarios of `DynamoControlNumberRepository`. */
export const controlNumberScenarios = (ctx: () => ProcurementScenarioContext, options: ProcurementScenarioOptions): void => {
  it('issues monotonic 9-digit interchange numbers per partner, and consecutive blocks', async () => {
    const { controlNumbers } = ctx().stores;
    const partner = unique('SUP');
    expect(await controlNumbers.next(partner)).toStrictEqual({ interchange: '000000001', group: '1', transactionSet: '0001' });
    expect(await controlNumbers.next(partner)).toStrictEqual({ interchange: '000000002', group: '2', transactionSet: '0002' });
    expect((await controlNumbers.reserve(partner, 3)).map((c) => c.interchange)).toStrictEqual(['000000003', '000000004', '000000005']);
    expect((await controlNumbers.next(unique('SUP'))).interchange).toBe('000000001');
  });

  if (options.concurrency) {
    it('never issues one number twice to concurrent callers', async () => {
      const { controlNumbers } = ctx().stores;
      const partner = unique('SUP');
      const issued = await Promise.all(Array.from({ length: 25 }, () => controlNumbers.next(partner)));
      expect(new Set(issued.map((c) => c.interchange)).size).toBe(25);
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
    expect(await ediDocuments.recordOnce(doc)).toBe(true);
    expect(await ediDocuments.recordOnce(doc)).toBe(false);
    await ediDocuments.markApplied(doc);
    expect(await ediDocuments.recordOnce(doc)).toBe(false);
    expect(await ediDocuments.recordOnce({ ...doc, businessKey: unique('855|PO') })).toBe(true);
  });

  it('forgets a released document so its resend applies it, but never releases an applied one', async () => {
    const { ediDocuments } = ctx().stores;
    const doc = key();
    expect(await ediDocuments.recordOnce(doc)).toBe(true);
    await ediDocuments.release(doc);
    expect(await ediDocuments.recordOnce(doc)).toBe(true);
    await ediDocuments.markApplied(doc);
    await ediDocuments.release(doc);
    expect(await ediDocuments.recordOnce(doc)).toBe(false);
  });

  it('lets a resend take over a claim whose lease ran out, never an applied document', async () => {
    const { stores, clock } = ctx();
    const stale = key();
    const applied = key();
    expect(await stores.ediDocuments.recordOnce(stale)).toBe(true);
    expect(await stores.ediDocuments.recordOnce(applied)).toBe(true);
    await stores.ediDocuments.markApplied(applied);
    clock.advance(10 * 60_000);
    expect(await stores.ediDocuments.recordOnce(stale)).toBe(true);
    expect(await stores.ediDocuments.recordOnce(applied)).toBe(false);
  });
};

/** Scenarios of `DynamoWaitRegistry`. */
export const waitRegistryScenarios = (ctx: () => ProcurementScenarioContext, options: ProcurementScenarioOptions): void => {
  it('hands the registered token to the arrival', async () => {
    const { waits } = ctx().stores;
    const entity = unique('PO');
    expect(await waits.register(entity, 'ACK_855', 'token-1')).toStrictEqual({});
    expect(await waits.arrive(entity, 'ACK_855', { status: 'ACKNOWLEDGED' })).toStrictEqual({ taskToken: 'token-1' });
    expect(await waits.arrive(entity, 'ASN_856', {})).toStrictEqual({});
  });

  it('answers a registration with the payload that arrived first, and a later wait too', async () => {
    const { waits } = ctx().stores;
    const entity = unique('PO');
    expect(await waits.arrive(entity, 'ACK_855', { status: 'REJECTED' })).toStrictEqual({});
    expect(await waits.register(entity, 'ACK_855', 'token-1')).toStrictEqual({ alreadyArrived: { status: 'REJECTED' } });
    expect(await waits.register(entity, 'ACK_855', 'token-2')).toStrictEqual({ alreadyArrived: { status: 'REJECTED' } });
  });

  it('hands the newest token after the timeout loop registered again', async () => {
    const { waits } = ctx().stores;
    const entity = unique('REQ');
    await waits.register(entity, 'DECISION', 'token-1');
    await waits.register(entity, 'DECISION', 'token-2');
    expect(await waits.arrive(entity, 'DECISION', { decision: 'APPROVE' })).toStrictEqual({ taskToken: 'token-2' });
  });

  if (options.concurrency) {
    it('decides every race between register and arrive one way: never both waiting', async () => {
      const { waits } = ctx().stores;
      for (let round = 0; round < 20; round++) {
        const entity = unique('PO');
        const [registered, arrived] = await Promise.all([waits.register(entity, 'ASN_856', `tok-${round}`), waits.arrive(entity, 'ASN_856', { round })]);
        const tokenHandedOut = arrived.taskToken === `tok-${round}`;
        const arrivalSeen = 'alreadyArrived' in registered;
        expect(tokenHandedOut !== arrivalSeen).toBe(true);
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
    expect(await config.getSupplier('SUP-MEDLINE')).toStrictEqual(medline);
    expect(await config.findSupplierByX12('ZZ', 'MEDLINE')).toStrictEqual(medline);
    expect(await config.findSupplierByClientId('supplier-medline')).toStrictEqual(medline);
    expect(await config.findSupplierByX12('ZZ', 'NOBODY')).toBe(undefined);
    expect(await config.findSupplierByClientId('ap-clerk')).toBe(undefined);
    expect(await config.getSupplier('SUP-NOBODY')).toBe(undefined);
  });

  it('answers the cost center’s approval policy, else the default, and tolerances per supplier', async () => {
    const config = ctx().stores.procurementConfig;
    const seed = buildProcurementSeed();
    await config.load(seed);
    expect((await config.approvalPolicy('CC-NMC-OR')).autoApproveContractUnder).toBe(5000);
    expect(await config.approvalPolicy('CC-NOWHERE')).toStrictEqual(seed.approvalPolicies.find((p) => p.costCenter === 'default'));
    expect(await config.tolerances('SUP-OWENS')).toStrictEqual(seed.tolerances.bySupplier['SUP-OWENS']);
    expect(await config.tolerances('SUP-MEDLINE')).toStrictEqual(seed.tolerances.default);
    expect(await config.buyer()).toStrictEqual(seed.buyer);
  });
};

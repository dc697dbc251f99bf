/**
 * Test data for the supplier-document tests: the purchase orders the Medline X12 fixtures
 * (test/fixtures/x12) refer to, built with the domain's own `purchaseOrderFromRequisition`, and the
 * canonical documents those fixtures read as.
 */
import type { PurchaseOrder, Requisition } from '../../../../../contracts/procurement';
import type { AcceptedSet } from '../../../../../functions/adapters/x12';
import { applyDecision } from '../../../../../functions/domain/procurement/approval';
import { markIssued, purchaseOrderFromRequisition } from '../../../../../functions/domain/procurement/purchase-order';
import type { SupplierDocument, SupplierDocumentInput } from '../../../../../functions/domain/use-cases/procurement/supplier-documents';
import { ITEMS, NMC, NOW, pendingRequisition } from '../../../procurement/fixtures';
import { ackText, readX12Fixture } from '../../../x12/support';

/** PO of medline_855_5010 / medline_810_5010: 10 BX gauze, 5 BX suture, 2 CS gloves, 1 BX suture. */
export const PO_123 = 'HEM-PO-000123';
/** PO of medline_855_4010 / medline_810_4010: 4 BX gauze, 1 CS gloves. */
export const PO_124 = 'HEM-PO-000124';

const issuedPo = (poNumber: string, lines: Requisition['lines'], overrides: Partial<Requisition>): PurchaseOrder => {
  const requisition = pendingRequisition(lines, { requisitionId: `REQ-${poNumber}`, externalRef: `EXT-${poNumber}`, ...overrides });
  const approved = applyDecision(requisition, { decision: 'APPROVE', approver: 'buyer.jones' }, 'approver-app', NOW).requisition;
  return markIssued(purchaseOrderFromRequisition(approved, ITEMS, NMC, poNumber, NOW), { erpPoId: `ERP-${poNumber}` });
};

/** HEM-PO-000123 for Medline, ISSUED, in the transaction `corr-po-123`. */
export const po123 = (overrides: Partial<Requisition> = {}): PurchaseOrder =>
  issuedPo(
    PO_123,
    [
      { lineNumber: 1, itemId: 'ITM-10001', quantity: 10, uom: 'BX', unitPrice: 4.5, contract: true },
      { lineNumber: 2, itemId: 'ITM-10002', quantity: 5, uom: 'BX', unitPrice: 2.2, contract: true },
      { lineNumber: 3, itemId: 'ITM-10003', quantity: 2, uom: 'CS', unitPrice: 4, contract: true },
      { lineNumber: 4, itemId: 'ITM-10002', quantity: 1, uom: 'BX', unitPrice: 3.1, contract: true },
    ],
    { correlationId: 'corr-po-123', ...overrides },
  );

/** HEM-PO-000124 for Medline, ISSUED, in the transaction `corr-po-124`. */
export const po124 = (overrides: Partial<Requisition> = {}): PurchaseOrder =>
  issuedPo(
    PO_124,
    [
      { lineNumber: 1, itemId: 'ITM-10001', quantity: 4, uom: 'BX', unitPrice: 4.5, contract: true },
      { lineNumber: 2, itemId: 'ITM-10003', quantity: 1, uom: 'CS', unitPrice: 4, contract: true },
    ],
    { correlationId: 'corr-po-124', ...overrides },
  );

/** The accepted sets of a fixture, read by the X12 adapter as the seeded Medline partner. */
export const acceptedSetsOf = (fixture: string): AcceptedSet[] => ackText(readX12Fixture(fixture)).accepted;

/** The canonical documents of an accepted set, as the use case takes them. */
export const documentsOfSet = (set: AcceptedSet): SupplierDocument[] => {
  switch (set.kind) {
    case 'PoAcknowledgment':
      return set.documents.map((document) => ({ kind: 'PoAcknowledgment' as const, document }));
    case 'ShipNotice':
      return set.documents.map((document) => ({ kind: 'ShipNotice' as const, document }));
    case 'Invoice':
      return set.documents.map((document) => ({ kind: 'Invoice' as const, document }));
    case 'FunctionalAck':
      return [];
  }
};

/** The use case's input for the first document of a fixture's first accepted set. */
export const documentInput = (fixture: string, overrides: Partial<SupplierDocumentInput> = {}): SupplierDocumentInput => {
  const [set] = acceptedSetsOf(fixture);
  if (set === undefined) throw new Error(`${fixture} has no accepted set`);
  const doc = documentsOfSet(set)[0];
  if (doc === undefined) throw new Error(`${fixture}'s first set holds no 855/856/810 document`);
  return {
    supplierId: set.supplierId ?? 'SUP-MEDLINE',
    control: set.control,
    businessKey: set.businessKeys[0] ?? 'none',
    doc,
    requestCorrelationId: 'corr-request-1',
    causationId: 'req-1',
    actor: 'supplier-medline',
    ...overrides,
  };
};

/**
 * Applying the documents a supplier sends over X12 (`POST /v1/edi/x12`), once each, to HEM's
 * purchase orders and invoices (pure orchestration over the ports):
 *
 * - 855 → `acknowledgePurchaseOrder` on the PO with the supplier's match tolerances (saved at its
 *   version, re-read and re-applied on a ConcurrencyError), `PurchaseOrderAcknowledged`, then the
 *   `ACK_855` wait of the PO's workflow. A unit price raised beyond the tolerances is held back (the
 *   PO keeps its price, the line records the acknowledged one): a `ProcurementAlertRaised`
 *   (ACKNOWLEDGMENT_PRICE_CHANGE) names the lines and both prices for a buyer, with an audit record
 *   and a `procurement-alert` hop; the 855 is applied all the same and the workflow moves on. An
 *   invoice at the higher price then fails the three-way match (PRICE_VARIANCE) for an AP clerk.
 * - 856 → `applyShipNotice` (the PO keeps the shipments it applied and what they shipped),
 *   `ShipmentNotified`, then the `ASN_856` wait. For a supplier configured to receive on ship notice
 *   (`Supplier.receiveOnShipNotice`, evaluated receipt) HEM then receives the shipment itself through
 *   the receipt use case (`receiveShipNotice`: stock, GoodsReceived, ERP receipt, the `RECEIPT` wait,
 *   invoices waiting for goods) under the shipment's own receipt id, so a resent 856 never receives
 *   twice. When the PO refuses that receipt (the dock counted the goods first, the PO closed) the 856
 *   stays applied and a `goods-received` hop with status `error` and an audit record say why; the
 *   PO's workflow keeps waiting for a receipt and alerts when none comes (RECEIPT_OVERDUE).
 * - 810 → the invoice and its case (OPEN), `InvoiceReceived`, and the case's `ReceiptToInvoice`
 *   execution, named after the case id.
 *
 * Exactly once: the `EdiDocumentLog` claims the document (envelope + business key) before anything
 * is applied. A resend finds the claim and changes nothing. When applying fails with an error a retry
 * can fix (a table or the bus unavailable), the claim is released and the error propagates, so the
 * supplier's resend applies it; each step is itself idempotent (same PO result, same event keys, same
 * case id, same execution name), so a half-done first attempt is finished, never doubled.
 *
 * Partner trust: a document must name a PO of the sending supplier. The X12 ingest rejects any
 * other in its 999/997 before this use case runs ({@link ownPurchaseOrderNumbers} tells it which
 * are); should one get here all the same (the PO vanished in between), nothing of the PO is
 * changed or revealed, and an invoice on it is NOT stored (no invoice case, no workflow).
 *
 * A document that is valid X12 but cannot be applied — its PO is unknown or another supplier's, a
 * line or unit is not on the PO, the PO is closed or rejected — is not dropped: it stays recorded
 * (a resend does nothing), an `exception` hop and an audit record keep its facts, and a
 * `ProcurementAlertRaised` (SUPPLIER_DOCUMENT_UNMATCHED) tells an operator.
 * Correlation: the PO's correlationId (the requisition's, end to end); the request's when there is no PO.
 */
import type { BusEvent } from '../../../../contracts/events';
import type { Invoice, PoAcknowledgment, PurchaseOrder, ShipNotice, X12ControlNumbers } from '../../../../contracts/procurement';
import { ConcurrencyError, ConflictError, DataError, HemError } from '../../errors';
import {
  acknowledgmentPriceChangeAlert,
  invoiceReceived,
  procurementAlertRaised,
  purchaseOrderAcknowledged,
  shipmentNotified,
  type ProcurementAlert,
} from '../../procurement/events';
import { invoiceCaseIdFor, openInvoiceCase } from '../../procurement/invoice-case';
import { recordOnOrderReleases } from '../../procurement/on-order';
import { acknowledgePurchaseOrder, acknowledgmentOutcome, applyShipNotice, type HeldPriceChange } from '../../procurement/purchase-order';
import type { EdiDocumentKey, EdiDocumentLog, ErpCommandQueue } from '../../procurement-ports';
import { executionNameFor } from './control-numbers';
import { raisesOnOrder, releasePurchaseOrderOnOrder } from './on-order';
import { purchaseOrderConversions, receiveShipNotice, SHIP_NOTICE_RECEIVER, type ReceiptRecorded } from './receipts';
import { completeTask } from './requisitions';
import { envelopeInput, recordHop, type ProcurementUseCaseDependencies } from './shared';

/** What applying supplier documents touches (inventory and the ERP command queue: receipts on ship notice). */
export type SupplierDocumentDependencies = Pick<
  ProcurementUseCaseDependencies,
  'procurement' | 'waits' | 'workflows' | 'events' | 'transactions' | 'audit' | 'clock' | 'referenceData' | 'inventory' | 'procurementConfig'
> & { ediDocuments: EdiDocumentLog; erpCommands: ErpCommandQueue };

/** A canonical document read from an accepted X12 set. */
export type SupplierDocument =
  | { kind: 'PoAcknowledgment'; document: PoAcknowledgment }
  | { kind: 'ShipNotice'; document: ShipNotice }
  | { kind: 'Invoice'; document: Invoice };

/** One document to apply, with where it came from. */
export interface SupplierDocumentInput {
  /** The supplier the interchange sender (and the caller's client id) resolved to. */
  supplierId: string;
  /** The envelope's control numbers. */
  control: X12ControlNumbers;
  /** The document's business key from the X12 adapter (e.g. supplier + PO + BAK01 + date). */
  businessKey: string;
  doc: SupplierDocument;
  /** The request's correlation id: used when the document finds no PO. */
  requestCorrelationId: string;
  /** What caused it (the API request id). */
  causationId: string;
  /** Who sent it (the OAuth client id). */
  actor: string;
}

/** Why a valid document could not be applied. */
export type UnmatchedReason = 'UNKNOWN_PURCHASE_ORDER' | 'NOT_APPLICABLE';

/** What happened to one document. */
export type SupplierDocumentOutcome =
  | {
      status: 'APPLIED';
      kind: SupplierDocument['kind'];
      correlationId: string;
      poNumber?: string;
      /** The PO's status after the document (855/856). */
      poStatus?: PurchaseOrder['status'];
      /** The invoice case (810). */
      caseId?: string;
      /** Whether a waiting workflow task was completed now (855/856). */
      resumedWorkflow?: boolean;
      /** 856 of a supplier that receives on ship notice: the receipt HEM recorded for the shipment. */
      receiptId?: string;
      /** 855: the PO lines whose price increase was held back beyond tolerance (present only when some were). */
      priceChangesHeld?: number[];
    }
  | { status: 'DUPLICATE'; kind: SupplierDocument['kind']; correlationId: string; poNumber?: string }
  | {
      status: 'UNMATCHED';
      kind: SupplierDocument['kind'];
      correlationId: string;
      poNumber?: string;
      reason: UnmatchedReason;
      /** The domain error's code (NOT_FOUND, DATA_ERROR, CONFLICT). */
      code: string;
      caseId?: string;
    };

/** The awaited names of the PO's waits this use case completes. */
export const SUPPLIER_DOCUMENT_WAITS = { acknowledgment: 'ACK_855', shipNotice: 'ASN_856' } as const;

/** What the workflow's `ACK_855` / `ASN_856` task receives (and a later RegisterWait, when the document came first). */
export interface PurchaseOrderDocumentArrival {
  poNumber: string;
  /** The PO's status after the document: the workflow's Choice reads `REJECTED` here. */
  status: PurchaseOrder['status'];
  /** 855: ACCEPTED / ACCEPTED_WITH_CHANGES / REJECTED. */
  outcome?: ReturnType<typeof acknowledgmentOutcome>;
  /** 856: the shipment id. */
  shipmentId?: string;
}

/** The name of the invoice workflow (WorkflowControl.start). */
export const RECEIPT_TO_INVOICE = 'ReceiptToInvoice';

/** What the ReceiptToInvoice execution of an invoice case gets as input. */
export interface ReceiptToInvoiceInput {
  caseId: string;
  correlationId: string;
}

/** The ReceiptToInvoice execution name of an invoice case (deterministic: starting twice is a no-op). */
export const invoiceExecutionName = (caseId: string): string => executionNameFor(caseId);

/** Attempts to save a PO whose version keeps moving under concurrent writers. */
const MAX_SAVE_ATTEMPTS = 5;

const SUPPLIER_DOCUMENT_ACTION = {
  PoAcknowledgment: 'PurchaseOrderAcknowledged',
  ShipNotice: 'ShipmentNotified',
  Invoice: 'InvoiceReceived',
} as const;

const X12_SET_OF = { PoAcknowledgment: '855', ShipNotice: '856', Invoice: '810' } as const;

/** The PO a document names, when it exists and is the sending supplier's. */
const supplierPurchaseOrder = async (
  deps: Pick<SupplierDocumentDependencies, 'procurement'>,
  poNumber: string | undefined,
  supplierId: string,
): Promise<(PurchaseOrder & { version: number }) | undefined> => {
  if (poNumber === undefined) return undefined;
  const po = await deps.procurement.getPurchaseOrder(poNumber);
  // Another supplier's PO is "unknown" to this one: nothing about it is revealed or changed.
  return po?.supplierId === supplierId ? po : undefined;
};

/**
 * Which of `poNumbers` name purchase orders of `supplierId`: one read per distinct number. A PO of
 * another supplier and one that does not exist are alike left out (the caller must not tell them
 * apart in what it answers).
 */
export const ownPurchaseOrderNumbers = async (
  deps: Pick<SupplierDocumentDependencies, 'procurement'>,
  supplierId: string,
  poNumbers: Iterable<string>,
): Promise<Set<string>> => {
  const own = new Set<string>();
  for (const poNumber of new Set(poNumbers)) {
    if ((await supplierPurchaseOrder(deps, poNumber, supplierId)) !== undefined) own.add(poNumber);
  }
  return own;
};

const withoutVersion = (po: PurchaseOrder & { version: number }): PurchaseOrder => {
  const { version: _version, ...plain } = po;
  return plain;
};

/** A domain refusal that makes the document unmatched rather than failed. */
const isNotApplicable = (e: unknown): e is DataError | ConflictError => e instanceof DataError || e instanceof ConflictError;

const controlFacts = (control: X12ControlNumbers): Record<string, string> => ({
  interchange: control.interchange,
  group: control.group,
  transactionSet: control.transactionSet,
  version: control.version,
});

/**
 * Reads the PO, applies `change` and saves it at the version read; on a ConcurrencyError reads
 * again and re-applies (the change is a pure function of the PO and the document).
 */
const updatePurchaseOrder = async <R>(
  deps: Pick<SupplierDocumentDependencies, 'procurement'>,
  poNumber: string,
  supplierId: string,
  change: (po: PurchaseOrder) => { purchaseOrder: PurchaseOrder; save: boolean; result: R },
): Promise<{ purchaseOrder: PurchaseOrder; result: R } | undefined> => {
  for (let attempt = 1; ; attempt++) {
    const po = await supplierPurchaseOrder(deps, poNumber, supplierId);
    if (po === undefined) return undefined;
    const changed = change(withoutVersion(po));
    if (!changed.save) return { purchaseOrder: changed.purchaseOrder, result: changed.result };
    try {
      await deps.procurement.savePurchaseOrder(changed.purchaseOrder, po.version);
      return { purchaseOrder: changed.purchaseOrder, result: changed.result };
    } catch (e) {
      if (!(e instanceof ConcurrencyError) || attempt >= MAX_SAVE_ATTEMPTS) throw e;
    }
  }
};

/** Marks the PO's wait arrived and completes the waiting task, if any. */
const arrive = async (deps: SupplierDocumentDependencies, poNumber: string, awaited: string, arrival: PurchaseOrderDocumentArrival): Promise<boolean> => {
  const { taskToken } = await deps.waits.arrive(poNumber, awaited, arrival);
  return taskToken === undefined ? false : completeTask(deps, taskToken, arrival);
};

/** Records an unmatched document: exception hop, audit record, operator alert. */
const recordUnmatched = async (
  deps: SupplierDocumentDependencies,
  input: SupplierDocumentInput,
  facts: { correlationId: string; poNumber?: string; reason: UnmatchedReason; code: string; caseId?: string; location?: string },
): Promise<SupplierDocumentOutcome> => {
  const now = deps.clock.now();
  const set = X12_SET_OF[input.doc.kind];
  const entity = facts.caseId !== undefined ? `invoice:${facts.caseId}` : `po:${facts.poNumber ?? 'none'}`;
  await deps.audit.append({ actor: input.actor, action: 'SupplierDocumentUnmatched', entity, correlationId: facts.correlationId, payload: input.doc.document });
  await recordHop(deps, facts.correlationId, 'exception', 'error', {
    document: set,
    supplierId: input.supplierId,
    ...(facts.poNumber === undefined ? {} : { poNumber: facts.poNumber }),
    ...(facts.caseId === undefined ? {} : { caseId: facts.caseId }),
    reason: facts.reason,
    code: facts.code,
    ...(facts.location === undefined ? {} : { location: facts.location }),
    control: controlFacts(input.control),
  });
  const alert: ProcurementAlert = {
    alertType: 'SUPPLIER_DOCUMENT_UNMATCHED',
    severity: 'WARNING',
    entity: facts.caseId !== undefined ? { kind: 'INVOICE', id: facts.caseId } : { kind: 'PURCHASE_ORDER', id: facts.poNumber ?? input.businessKey },
    supplierId: input.supplierId,
  };
  await deps.events.publish([
    procurementAlertRaised(
      { ...envelopeInput(facts.correlationId, input.causationId, now), businessKey: `EDI|${input.supplierId}|${input.businessKey}|${input.control.interchange}|${input.control.transactionSet}` },
      alert,
    ),
  ]);
  return {
    status: 'UNMATCHED',
    kind: input.doc.kind,
    correlationId: facts.correlationId,
    reason: facts.reason,
    code: facts.code,
    ...(facts.poNumber === undefined ? {} : { poNumber: facts.poNumber }),
    ...(facts.caseId === undefined ? {} : { caseId: facts.caseId }),
  };
};

const unmatchedFacts = (e: unknown): { reason: UnmatchedReason; code: string; location?: string } => {
  if (e instanceof HemError) {
    const location = e instanceof DataError ? e.location : undefined;
    return { reason: 'NOT_APPLICABLE', code: e.code, ...(location === undefined ? {} : { location }) };
  }
  return { reason: 'NOT_APPLICABLE', code: 'UNKNOWN' };
};

const applyAcknowledgmentDocument = async (
  deps: SupplierDocumentDependencies,
  input: SupplierDocumentInput,
  ack: PoAcknowledgment,
): Promise<SupplierDocumentOutcome> => {
  const known = await supplierPurchaseOrder(deps, ack.poNumber, input.supplierId);
  if (known === undefined) {
    return recordUnmatched(deps, input, { correlationId: input.requestCorrelationId, poNumber: ack.poNumber, reason: 'UNKNOWN_PURCHASE_ORDER', code: 'NOT_FOUND' });
  }
  const conversions = await purchaseOrderConversions(deps, known);
  const tolerances = await deps.procurementConfig.tolerances(input.supplierId);
  const raised = await raisesOnOrder(deps, known);
  let updated: { purchaseOrder: PurchaseOrder; result: HeldPriceChange[] } | undefined;
  try {
    updated = await updatePurchaseOrder(deps, ack.poNumber, input.supplierId, (po) => {
      const application = acknowledgePurchaseOrder(po, ack, tolerances, conversions);
      // Rejected lines, cancelled backorders and quantities changed down give back their on order (I2).
      const purchaseOrder = raised ? recordOnOrderReleases(application.purchaseOrder) : application.purchaseOrder;
      return { purchaseOrder, save: true, result: application.heldPriceChanges };
    });
  } catch (e) {
    if (!isNotApplicable(e)) throw e;
    return recordUnmatched(deps, input, { correlationId: known.correlationId, poNumber: ack.poNumber, ...unmatchedFacts(e) });
  }
  if (updated === undefined) {
    return recordUnmatched(deps, input, { correlationId: input.requestCorrelationId, poNumber: ack.poNumber, reason: 'UNKNOWN_PURCHASE_ORDER', code: 'NOT_FOUND' });
  }
  const po = updated.purchaseOrder;
  const held = updated.result;
  const now = deps.clock.now();
  const outcome = acknowledgmentOutcome(ack);
  const envelope = envelopeInput(po.correlationId, input.causationId, now);
  // After the save: a retry of this 855 finds the release steps saved and applies any it missed.
  const released = raised ? await releasePurchaseOrderOnOrder(deps, po, { causationId: input.causationId, actor: input.actor }) : [];
  await deps.events.publish([
    purchaseOrderAcknowledged(envelope, po, ack),
    ...(held.length === 0 ? [] : [acknowledgmentPriceChangeAlert(envelope, po, ack, held)]),
    ...released,
  ]);
  await deps.audit.append({ actor: input.actor, action: SUPPLIER_DOCUMENT_ACTION.PoAcknowledgment, entity: `po:${po.poNumber}`, correlationId: po.correlationId, payload: ack });
  await recordHop(deps, po.correlationId, 'po-acknowledged', 'ok', {
    poNumber: po.poNumber,
    supplierId: po.supplierId,
    ackType: ack.ackType,
    outcome,
    poStatus: po.status,
    control: controlFacts(input.control),
  });
  if (held.length > 0) await recordHeldPriceChanges(deps, input, po, held);
  const resumedWorkflow = await arrive(deps, po.poNumber, SUPPLIER_DOCUMENT_WAITS.acknowledgment, { poNumber: po.poNumber, status: po.status, outcome });
  return {
    status: 'APPLIED',
    kind: 'PoAcknowledgment',
    correlationId: po.correlationId,
    poNumber: po.poNumber,
    poStatus: po.status,
    resumedWorkflow,
    ...(held.length === 0 ? {} : { priceChangesHeld: held.map((h) => h.lineNumber) }),
  };
};

/** The audit record and `procurement-alert` hop of an 855's price increases held back for a buyer (the alert is published with the 855's event). */
const recordHeldPriceChanges = async (
  deps: SupplierDocumentDependencies,
  input: SupplierDocumentInput,
  po: PurchaseOrder,
  held: readonly HeldPriceChange[],
): Promise<void> => {
  const priceChanges = held.map((h) => ({
    lineNumber: h.lineNumber,
    itemId: h.itemId,
    uom: h.uom,
    poUnitPrice: h.poUnitPrice,
    acknowledgedUnitPrice: h.acknowledgedUnitPrice,
  }));
  await deps.audit.append({
    actor: input.actor,
    action: 'AcknowledgmentPriceChangeHeld',
    entity: `po:${po.poNumber}`,
    correlationId: po.correlationId,
    payload: { poNumber: po.poNumber, supplierId: po.supplierId, control: controlFacts(input.control), priceChanges },
  });
  await recordHop(deps, po.correlationId, 'procurement-alert', 'error', {
    poNumber: po.poNumber,
    supplierId: po.supplierId,
    alertType: 'ACKNOWLEDGMENT_PRICE_CHANGE',
    severity: 'WARNING',
    priceChanges,
    control: controlFacts(input.control),
  });
};

const applyShipNoticeDocument = async (
  deps: SupplierDocumentDependencies,
  input: SupplierDocumentInput,
  asn: ShipNotice,
): Promise<SupplierDocumentOutcome> => {
  const known = await supplierPurchaseOrder(deps, asn.poNumber, input.supplierId);
  if (known === undefined) {
    return recordUnmatched(deps, input, { correlationId: input.requestCorrelationId, poNumber: asn.poNumber, reason: 'UNKNOWN_PURCHASE_ORDER', code: 'NOT_FOUND' });
  }
  const conversions = await purchaseOrderConversions(deps, known);
  let updated: { purchaseOrder: PurchaseOrder; result: ReturnType<typeof applyShipNotice>['lines'] } | undefined;
  try {
    updated = await updatePurchaseOrder(deps, asn.poNumber, input.supplierId, (po) => {
      const application = applyShipNotice(po, asn, conversions);
      // Already applied (a first attempt saved it and failed later): finish the rest, save nothing.
      return { purchaseOrder: application.purchaseOrder, save: application.applied, result: application.lines };
    });
  } catch (e) {
    if (!isNotApplicable(e)) throw e;
    return recordUnmatched(deps, input, { correlationId: known.correlationId, poNumber: asn.poNumber, ...unmatchedFacts(e) });
  }
  if (updated === undefined) {
    return recordUnmatched(deps, input, { correlationId: input.requestCorrelationId, poNumber: asn.poNumber, reason: 'UNKNOWN_PURCHASE_ORDER', code: 'NOT_FOUND' });
  }
  const po = updated.purchaseOrder;
  const now = deps.clock.now();
  await deps.events.publish([shipmentNotified(envelopeInput(po.correlationId, input.causationId, now), asn, updated.result)]);
  await deps.audit.append({ actor: input.actor, action: SUPPLIER_DOCUMENT_ACTION.ShipNotice, entity: `po:${po.poNumber}`, correlationId: po.correlationId, payload: asn });
  await recordHop(deps, po.correlationId, 'shipment-notified', 'ok', {
    poNumber: po.poNumber,
    supplierId: po.supplierId,
    shipmentId: asn.shipmentId,
    lines: updated.result.map((l) => ({ poLineNumber: l.poLineNumber, itemId: l.itemId, baseQuantity: l.baseQuantity })),
    poStatus: po.status,
    control: controlFacts(input.control),
  });
  const resumedWorkflow = await arrive(deps, po.poNumber, SUPPLIER_DOCUMENT_WAITS.shipNotice, { poNumber: po.poNumber, status: po.status, shipmentId: asn.shipmentId });
  const received = await receiveOnShipNotice(deps, input, po, asn);
  return {
    status: 'APPLIED',
    kind: 'ShipNotice',
    correlationId: po.correlationId,
    poNumber: po.poNumber,
    poStatus: received?.poStatus ?? po.status,
    resumedWorkflow,
    ...(received === undefined ? {} : { receiptId: received.receipt.receiptId }),
  };
};

/**
 * Evaluated receipt of a just-applied 856 when its supplier is configured for it; undefined when it
 * is not, or when the PO refuses the receipt (recorded as a `goods-received` error hop and audited).
 */
const receiveOnShipNotice = async (
  deps: SupplierDocumentDependencies,
  input: SupplierDocumentInput,
  po: PurchaseOrder,
  asn: ShipNotice,
): Promise<ReceiptRecorded | undefined> => {
  const supplier = await deps.procurementConfig.getSupplier(input.supplierId);
  if (supplier?.receiveOnShipNotice !== true) return undefined;
  try {
    return await receiveShipNotice(deps, { poNumber: po.poNumber, shipmentId: asn.shipmentId }, { causationId: input.causationId });
  } catch (e) {
    // Retryable failures propagate (the 856 is released and its resend finishes the receipt).
    if (!isNotApplicable(e)) throw e;
    const facts = { poNumber: po.poNumber, shipmentId: asn.shipmentId, source: 'ASN', code: e.code, message: e.message };
    await deps.audit.append({ actor: SHIP_NOTICE_RECEIVER, action: 'ShipNoticeReceiptRefused', entity: `po:${po.poNumber}`, correlationId: po.correlationId, payload: facts });
    await recordHop(deps, po.correlationId, 'goods-received', 'error', { ...facts, control: controlFacts(input.control) });
    return undefined;
  }
};

const receiveInvoiceDocument = async (
  deps: SupplierDocumentDependencies,
  input: SupplierDocumentInput,
  invoice: Invoice,
): Promise<SupplierDocumentOutcome> => {
  const po = await supplierPurchaseOrder(deps, invoice.poNumber, input.supplierId);
  if (po === undefined) {
    // Not the sender's PO (or none): no invoice case that would show another supplier's PO data.
    return recordUnmatched(deps, input, {
      correlationId: input.requestCorrelationId,
      ...(invoice.poNumber === undefined ? {} : { poNumber: invoice.poNumber }),
      reason: 'UNKNOWN_PURCHASE_ORDER',
      code: 'NOT_FOUND',
    });
  }
  const correlationId = po.correlationId;
  const now = deps.clock.now();
  const caseId = invoiceCaseIdFor(invoice);
  await deps.procurement.saveInvoice(invoice, openInvoiceCase(invoice, { caseId, correlationId }, now));
  const events: BusEvent[] = [invoiceReceived(envelopeInput(correlationId, input.causationId, now), invoice)];
  await deps.events.publish(events);
  await deps.audit.append({ actor: input.actor, action: SUPPLIER_DOCUMENT_ACTION.Invoice, entity: `invoice:${caseId}`, correlationId, payload: invoice });
  await recordHop(deps, correlationId, 'invoice-received', 'ok', {
    caseId,
    invoiceNumber: invoice.invoiceNumber,
    supplierId: invoice.supplierId,
    ...(invoice.poNumber === undefined ? {} : { poNumber: invoice.poNumber }),
    totalAmount: invoice.totalAmount,
    currency: invoice.currency,
    control: controlFacts(input.control),
  });
  const workflowInput: ReceiptToInvoiceInput = { caseId, correlationId };
  await deps.workflows.start(RECEIPT_TO_INVOICE, invoiceExecutionName(caseId), workflowInput);
  return { status: 'APPLIED', kind: 'Invoice', correlationId, poNumber: po.poNumber, caseId };
};

const poNumberOf = (doc: SupplierDocument): string | undefined => doc.document.poNumber;

/**
 * Applies one supplier document exactly once (see the module comment).
 *
 * @throws whatever retryable failure stopped it (the document is released: a resend applies it).
 */
export const applySupplierDocument = async (deps: SupplierDocumentDependencies, input: SupplierDocumentInput): Promise<SupplierDocumentOutcome> => {
  const key: EdiDocumentKey = { supplierId: input.supplierId, control: input.control, businessKey: input.businessKey };
  if (!(await deps.ediDocuments.recordOnce(key))) {
    const po = await supplierPurchaseOrder(deps, poNumberOf(input.doc), input.supplierId);
    const correlationId = po?.correlationId ?? input.requestCorrelationId;
    await recordHop(deps, correlationId, 'duplicate', 'skipped', {
      document: X12_SET_OF[input.doc.kind],
      supplierId: input.supplierId,
      ...(po === undefined ? {} : { poNumber: po.poNumber }),
      control: controlFacts(input.control),
    });
    return { status: 'DUPLICATE', kind: input.doc.kind, correlationId, ...(po === undefined ? {} : { poNumber: po.poNumber }) };
  }
  try {
    let outcome: SupplierDocumentOutcome;
    switch (input.doc.kind) {
      case 'PoAcknowledgment':
        outcome = await applyAcknowledgmentDocument(deps, input, input.doc.document);
        break;
      case 'ShipNotice':
        outcome = await applyShipNoticeDocument(deps, input, input.doc.document);
        break;
      case 'Invoice':
        outcome = await receiveInvoiceDocument(deps, input, input.doc.document);
        break;
    }
    await deps.ediDocuments.markApplied(key);
    return outcome;
  } catch (e) {
    await deps.ediDocuments.release(key);
    throw e;
  }
};

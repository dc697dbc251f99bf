/**
 * Use cases of the two connectors: carry out one ERP command (create the PO, book a receipt, create
 * the payables invoice) and one supplier command (send the PO as an X12 850). Both read the documents
 * from the procurement repository by the command's business key, call the outside system with an
 * idempotency key derived from the same business key (so a retried call never books twice), record
 * what changed, and return the result the waiting workflow receives. Upstream errors propagate as the
 * gateways raise them (UpstreamUnavailableError retryable, UpstreamRejectedError not).
 */
import type { ErpCommand, SupplierCommand } from '../../../../contracts/procurement-commands';
import type { PurchaseOrder, Supplier, X12ControlNumbers } from '../../../../contracts/procurement';
import { ConcurrencyError, DataError, HemError, NotFoundError } from '../../errors';
import { apVoucherIdFor } from '../../procurement/ap-voucher';
import { markIssued } from '../../procurement/purchase-order';
import { purchaseOrderIssued } from '../../procurement/events';
import {
  envelopeInput,
  ERP_CONNECTOR_ACTOR,
  type ProcurementUseCaseDependencies,
  recordHop,
  requirePurchaseOrder,
  SUPPLIER_CONNECTOR_ACTOR,
} from './shared';

/** What an ERP command answers (the waiting task's output). */
export type ErpCommandResult =
  | { command: 'CreatePurchaseOrder'; poNumber: string; erpPoId: string }
  | { command: 'CreateReceipt'; receiptId: string; poNumber: string; erpReceiptId: string }
  | { command: 'CreatePayablesInvoice'; caseId: string; voucherId: string; erpInvoiceId: string };

type ErpDependencies = Pick<ProcurementUseCaseDependencies, 'procurement' | 'erp' | 'transactions' | 'audit' | 'clock'>;

/** Optimistic saves of a PO retry a few times against a concurrent writer (an 855 applied meanwhile). */
const SAVE_ATTEMPTS = 3;

/**
 * Re-reads the PO and saves `change(po)` conditionally, up to SAVE_ATTEMPTS times when another writer
 * moved it in between; `change` returning the PO unchanged skips the write.
 */
const updatePurchaseOrder = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement'>,
  poNumber: string,
  change: (po: PurchaseOrder) => PurchaseOrder,
): Promise<PurchaseOrder> => {
  for (let attempt = 1; ; attempt += 1) {
    const current = await deps.procurement.getPurchaseOrder(poNumber);
    if (current === undefined) throw new NotFoundError(`no purchase order ${poNumber}`, { details: { poNumber } });
    const { version, ...po } = current;
    const next = change(po);
    if (next === po) return po;
    try {
      await deps.procurement.savePurchaseOrder(next, version);
      return next;
    } catch (e) {
      if (!(e instanceof ConcurrencyError) || attempt >= SAVE_ATTEMPTS) throw e;
    }
  }
};

/** The stored PO without its version: the document the ERP and the supplier are sent. */
const requirePlainPurchaseOrder = async (deps: Pick<ProcurementUseCaseDependencies, 'procurement'>, poNumber: string): Promise<PurchaseOrder> => {
  const { version: _version, ...plain } = await requirePurchaseOrder(deps, poNumber);
  return plain;
};

/** Records a failed command on the transaction (error name and code only) and rethrows it. */
const recordFailure = async (
  deps: Pick<ProcurementUseCaseDependencies, 'transactions' | 'clock'>,
  correlationId: string,
  command: string,
  businessKey: string,
  error: unknown,
): Promise<never> => {
  await recordHop(deps, correlationId, 'connector-failed', 'error', {
    command,
    businessKey,
    code: error instanceof HemError ? error.code : 'UNEXPECTED',
    retryable: error instanceof HemError ? error.retryable : true,
  });
  throw error;
};

/**
 * Carries out one ERP command. `CreatePurchaseOrder` keeps the ERP's id on the PO (a PO that has one
 * is not sent again); receipts and payables invoices are keyed on the receipt id and the AP voucher
 * id. Idempotency keys sent to the ERP: `PO|<poNumber>`, `RCV|<receiptId>`, the voucher id
 * (`APV|<supplierId>|<invoiceNumber>`, as the receipt-to-invoice workflow has always sent it).
 *
 * @throws NotFoundError when the document is not in HEM; DataError when a payables invoice's voucher id
 *   is not its invoice's; the gateway's errors otherwise.
 */
export const processErpCommand = async (deps: ErpDependencies, command: ErpCommand): Promise<ErpCommandResult> => {
  switch (command.command) {
    case 'CreatePurchaseOrder': {
      const po = await requirePlainPurchaseOrder(deps, command.poNumber);
      if (po.erpPoId !== undefined) return { command: command.command, poNumber: po.poNumber, erpPoId: po.erpPoId };
      let erpPoId: string;
      try {
        ({ erpPoId } = await deps.erp.createPurchaseOrder(po, `PO|${po.poNumber}`));
      } catch (e) {
        return recordFailure(deps, command.correlationId, command.command, po.poNumber, e);
      }
      await updatePurchaseOrder(deps, po.poNumber, (current) => (current.erpPoId === erpPoId ? current : { ...current, erpPoId }));
      await recordHop(deps, po.correlationId, 'po-created-in-erp', 'ok', { poNumber: po.poNumber, erpPoId });
      await deps.audit.append({
        actor: ERP_CONNECTOR_ACTOR,
        action: 'PurchaseOrderCreatedInErp',
        entity: `po:${po.poNumber}`,
        correlationId: po.correlationId,
        payload: { poNumber: po.poNumber, erpPoId },
      });
      return { command: command.command, poNumber: po.poNumber, erpPoId };
    }
    case 'CreateReceipt': {
      const receipt = (await deps.procurement.listReceipts(command.poNumber)).find((r) => r.receiptId === command.receiptId);
      if (receipt === undefined) {
        throw new NotFoundError(`no receipt ${command.receiptId} on PO ${command.poNumber}`, { details: { receiptId: command.receiptId, poNumber: command.poNumber } });
      }
      let erpReceiptId: string;
      try {
        ({ erpReceiptId } = await deps.erp.createReceipt(receipt, `RCV|${receipt.receiptId}`));
      } catch (e) {
        return recordFailure(deps, command.correlationId, command.command, receipt.receiptId, e);
      }
      await deps.audit.append({
        actor: ERP_CONNECTOR_ACTOR,
        action: 'ReceiptCreatedInErp',
        entity: `receipt:${receipt.receiptId}`,
        correlationId: command.correlationId,
        payload: { receiptId: receipt.receiptId, poNumber: receipt.poNumber, erpReceiptId },
      });
      return { command: command.command, receiptId: receipt.receiptId, poNumber: receipt.poNumber, erpReceiptId };
    }
    case 'CreatePayablesInvoice': {
      const stored = await deps.procurement.getInvoiceCase(command.caseId);
      if (stored === undefined) throw new NotFoundError(`no invoice case ${command.caseId}`, { details: { caseId: command.caseId } });
      const { invoice, invoiceCase } = stored;
      // The voucher id is the ERP's idempotency key: it must be this invoice's, or another invoice would be deduplicated away.
      if (command.voucherId !== apVoucherIdFor(invoice.supplierId, invoice.invoiceNumber)) {
        throw new DataError(`voucher ${command.voucherId} is not the voucher of invoice case ${command.caseId}`, {
          details: { caseId: command.caseId, voucherId: command.voucherId },
        });
      }
      let erpInvoiceId: string;
      try {
        ({ erpInvoiceId } = await deps.erp.createPayablesInvoice(invoice, invoiceCase.approvedAmount, command.voucherId));
      } catch (e) {
        return recordFailure(deps, command.correlationId, command.command, command.voucherId, e);
      }
      await deps.audit.append({
        actor: ERP_CONNECTOR_ACTOR,
        action: 'PayablesInvoiceCreatedInErp',
        entity: `invoice:${command.caseId}`,
        correlationId: invoiceCase.correlationId,
        payload: { caseId: command.caseId, voucherId: command.voucherId, approvedAmount: invoiceCase.approvedAmount, erpInvoiceId },
      });
      return { command: command.command, caseId: command.caseId, voucherId: command.voucherId, erpInvoiceId };
    }
  }
};

/** The buyer's identity on an 850 (ProcurementConfig.buyer()). */
export type BuyerIdentity = Awaited<ReturnType<ProcurementUseCaseDependencies['procurementConfig']['buyer']>>;

/**
 * Writes the outbound 850 (an X12 adapter: the domain does not know the format). Implemented by
 * `build850` / `controlNumbersOf850` of functions/adapters/x12.
 */
export interface PurchaseOrderEdiWriter {
  /** The control numbers an 850 with these envelope numbers carries (what `PurchaseOrder.x12` keeps). */
  controlNumbersOf850(
    parties: { buyer: BuyerIdentity; supplier: Supplier },
    control: { interchange: string; group: string; transactionSet: string },
  ): X12ControlNumbers;
  /** The interchange text. @throws ValidationError when the PO cannot be written as an 850. */
  build850(
    po: PurchaseOrder,
    parties: { buyer: BuyerIdentity; supplier: Supplier; shipTo: { name: string; gln: string } },
    control: { interchange: string; group: string; transactionSet: string },
    now: Date,
  ): string;
}

/** What a supplier command answers (the waiting task's output). */
export interface SupplierCommandResult {
  command: 'SendPurchaseOrder';
  poNumber: string;
  /** The 850's envelope: the supplier's 855/856/810 refer to it, resends reuse it. */
  control: X12ControlNumbers;
  /** false when the 850 had gone out before (a redelivered command): nothing was sent again. */
  sent: boolean;
  /** Whether the network answered with a functional acknowledgment (999/997). */
  functionalAck: boolean;
}

type SupplierDependencies = Pick<
  ProcurementUseCaseDependencies,
  'procurement' | 'controlNumbers' | 'procurementConfig' | 'referenceData' | 'supplierNetwork' | 'events' | 'transactions' | 'audit' | 'clock'
> & { edi: PurchaseOrderEdiWriter };

/**
 * Sends a PO to its supplier as an X12 850. The envelope's control numbers are drawn once
 * (ControlNumberRepository, per supplier) and kept on the PO before anything is sent, so a resend
 * after a timeout is the same interchange to the supplier. Once the network took it, the PO is
 * ISSUED, PurchaseOrderIssued is published, the hop and audit recorded. A PO already issued is not
 * sent again.
 *
 * @throws NotFoundError / DataError when the PO, its supplier or facility is missing; ValidationError
 *   when the PO cannot be written as an 850; the network's errors otherwise.
 */
export const processSupplierCommand = async (deps: SupplierDependencies, command: SupplierCommand): Promise<SupplierCommandResult> => {
  let po = await requirePlainPurchaseOrder(deps, command.poNumber);
  if (po.status !== 'CREATED' && po.x12 !== undefined) {
    return { command: command.command, poNumber: po.poNumber, control: po.x12, sent: false, functionalAck: false };
  }
  const supplier = await deps.procurementConfig.getSupplier(po.supplierId);
  if (supplier === undefined) throw new DataError(`PO ${po.poNumber} is for unknown supplier ${po.supplierId}`, { details: { poNumber: po.poNumber, supplierId: po.supplierId } });
  const facility = await deps.referenceData.getFacility(po.facilityId);
  if (facility === undefined) throw new DataError(`PO ${po.poNumber} ships to unknown facility ${po.facilityId}`, { details: { poNumber: po.poNumber, facilityId: po.facilityId } });
  const buyer = await deps.procurementConfig.buyer();
  if (po.x12 === undefined) {
    const drawn = deps.edi.controlNumbersOf850({ buyer, supplier }, await deps.controlNumbers.next(supplier.supplierId));
    po = await updatePurchaseOrder(deps, po.poNumber, (current) => (current.x12 === undefined ? { ...current, x12: drawn } : current));
  }
  const control = po.x12 as X12ControlNumbers;
  const interchange = deps.edi.build850(
    po,
    { buyer, supplier, shipTo: { name: facility.name, gln: facility.gln } },
    { interchange: control.interchange, group: control.group, transactionSet: control.transactionSet },
    deps.clock.now(),
  );
  let functionalAck: string | undefined;
  try {
    ({ functionalAck } = await deps.supplierNetwork.send(supplier, interchange, `850|${po.poNumber}`));
  } catch (e) {
    return recordFailure(deps, command.correlationId, command.command, po.poNumber, e);
  }
  const issued = await updatePurchaseOrder(deps, po.poNumber, (current) => markIssued(current, { x12: control }));
  const now = deps.clock.now();
  await deps.events.publish([purchaseOrderIssued(envelopeInput(issued.correlationId, issued.poNumber, now), issued)]);
  await recordHop(deps, issued.correlationId, 'po-issued', 'ok', {
    poNumber: issued.poNumber,
    supplierId: issued.supplierId,
    interchange: control.interchange,
    transactionSet: control.transactionSet,
  });
  await deps.audit.append({
    actor: SUPPLIER_CONNECTOR_ACTOR,
    action: 'PurchaseOrderSent',
    entity: `po:${issued.poNumber}`,
    correlationId: issued.correlationId,
    payload: { poNumber: issued.poNumber, control, interchange },
  });
  return { command: command.command, poNumber: issued.poNumber, control, sent: true, functionalAck: functionalAck !== undefined };
};

/**
 * Use case: goods received against a purchase order, at the dock (`POST /v1/receipts` with counted
 * lines) or confirmed from an 856 (`source: 'ASN'`): by the dock (`POST /v1/receipts` naming the
 * shipment, `confirmShipNotice`) or by HEM itself for a supplier configured to receive on ship notice
 * (`receiveShipNotice`, evaluated receipt). A shipment is received by one receipt only. One receipt,
 * applied once however often it is sent:
 * 1. the PO takes the receipt (`applyReceipt`: units converted, over-receipt refused), saved with its
 *    version (re-read and re-applied when another writer moved it);
 * 2. the receipt is stored (idempotent on its id);
 * 3. each receipt line goes into stock at the PO's location exactly once — on hand up, and for a
 *    replenishment PO on order down by what that PO line still had on order (`onOrderTakenByReceipt`,
 *    invariant I2: a SaaS requisition's receipt leaves on order alone) — (`InventoryRepository.applyMovement`,
 *    reason RECEIPT, business key `RCV|<receiptId>|<line>`);
 * 4. GoodsReceived and the InventoryPositionChanged events are published, the ERP connector is told
 *    to book the receipt (`CreateReceipt` on the ErpCommands queue, fire-and-forget), the transaction
 *    gets a hop and the audit chain a record;
 * 5. the PO's workflow waiting for a receipt is resumed (`WaitRegistry.arrive(poNumber, 'RECEIPT')`),
 *    and so is every invoice whose AP clerk chose to wait for these goods (`shouldRematchOnReceipt`):
 *    its receipt-to-invoice workflow matches it again.
 * A resent receipt repeats steps 2–5 without changing anything (every effect is keyed), so a crash
 * between steps is finished by the resend; the events carry the same idempotency keys.
 */
import type { BusEvent } from '../../../../contracts/events';
import type { PurchaseOrder, Receipt } from '../../../../contracts/procurement';
import type { Item } from '../../../../contracts/reference';
import { ConcurrencyError, ConflictError, DataError } from '../../errors';
import { inventoryPositionChanged } from '../../events';
import { applyMovement, openingPosition } from '../../inventory';
import type { ApplyMovementResult, InventoryPosition, MovementOutcome } from '../../ports';
import { sum } from '../../procurement/decimal';
import { goodsReceived } from '../../procurement/events';
import { shouldRematchOnReceipt } from '../../procurement/invoice-case';
import { onOrderTakenByReceipt } from '../../procurement/on-order';
import { applyReceipt, type ResolvedLine } from '../../procurement/purchase-order';
import { assertShipmentNotReceivedElsewhere, receiptForShipment, receiptOfShipment, shipNoticeReceiptId } from '../../procurement/ship-notice-receipt';
import { conversionsFromItems, type UomConversions } from '../../procurement/units';
import type { ErpCommandQueue } from '../../procurement-ports';
import { receiptWaitsWokenBy } from './invoice-waits';
import { raisesOnOrder } from './on-order';
import { completeTask } from './requisitions';
import { envelopeInput, recordHop, requirePurchaseOrder, type ProcurementUseCaseDependencies } from './shared';

/** The ports recording a receipt touches. */
export type ReceiptDependencies = Pick<
  ProcurementUseCaseDependencies,
  'procurement' | 'inventory' | 'referenceData' | 'events' | 'transactions' | 'audit' | 'clock' | 'waits' | 'workflows'
> & { erpCommands: ErpCommandQueue };

/** A receipt as the receiving dock reports it (`POST /v1/receipts`); the PO says where the goods go. */
export interface DockReceiptRequest {
  /** The dock's receipt (or packing slip) number: the business key, unique across POs. */
  receiptId: string;
  poNumber: string;
  /** When the goods were counted; now when absent. */
  receivedAt?: string | undefined;
  lines: { poLineNumber: number; quantity: number; uom: string }[];
}

/**
 * The dock confirms a ship notice (`POST /v1/receipts` with `shipmentId` and no lines): the goods are
 * what that 856 shipped.
 */
export interface ShipNoticeConfirmationRequest {
  /** The dock's receipt number; absent = the shipment's own (`shipNoticeReceiptId`). */
  receiptId?: string | undefined;
  poNumber: string;
  /** The 856 shipment id (BSN02) the PO took. */
  shipmentId: string;
  /** When the goods were confirmed; now when absent. */
  receivedAt?: string | undefined;
}

/** One receipt line as it went into stock. */
export interface ReceiptStockMovement {
  lineNumber: number;
  itemId: string;
  locationId: string;
  /** Base units added to on hand. */
  baseQuantity: number;
  onHand: number;
  onOrder: number;
  /** false when this line had gone into stock before (a resent receipt). */
  applied: boolean;
}

/** What recording a receipt did. */
export interface ReceiptRecorded {
  receipt: Receipt;
  /** The requisition's transaction, which the receipt joins. */
  correlationId: string;
  poStatus: PurchaseOrder['status'];
  /** false when the receipt had been recorded before: nothing changed, the effects were confirmed. */
  created: boolean;
  stock: ReceiptStockMovement[];
  /** true when the PO's workflow was waiting for a receipt and resumed now. */
  purchaseOrderResumed: boolean;
  /** Invoice cases waiting for these goods whose workflow was resumed to match again. */
  invoicesResumed: string[];
}

/** Who records the receipt, and what caused it (the request or document id). */
export interface ReceiptContext {
  actor: string;
  causationId: string;
}

const MAX_ATTEMPTS = 5;

/** The inventory business key of one receipt line (never collides with a usage line's `<source>|<id>|<line>`). */
export const receiptLineBusinessKey = (receiptId: string, lineNumber: number): string => `RCV|${receiptId}|${lineNumber}`;

/** Unit conversions of the PO's items, from the item master. */
export const purchaseOrderConversions = async (
  deps: Pick<ProcurementUseCaseDependencies, 'referenceData'>,
  po: Pick<PurchaseOrder, 'lines'>,
): Promise<UomConversions> => {
  const items: Item[] = [];
  for (const itemId of new Set(po.lines.map((l) => l.itemId))) {
    const item = await deps.referenceData.getItem(itemId);
    if (item !== undefined) items.push(item);
  }
  return conversionsFromItems(items);
};

/** `applyReceipt`, with an over-receipt reported as the conflict with the PO it is (409), not a malformed request. */
const applyToPurchaseOrder = (po: PurchaseOrder, receipt: Receipt, conversions: UomConversions): ReturnType<typeof applyReceipt> => {
  try {
    return applyReceipt(po, receipt, conversions);
  } catch (e) {
    if (e instanceof DataError && 'limit' in e.details && 'receivedBaseQuantity' in e.details) {
      throw new ConflictError(e.message, { cause: e, details: e.details });
    }
    throw e;
  }
};

const linesKey = (r: Receipt): string => JSON.stringify(r.lines.map((l) => [l.poLineNumber, l.quantity, l.uom.toUpperCase()]));
const sameLines = (a: Receipt, b: Receipt): boolean =>
  a.poNumber === b.poNumber && a.source === b.source && a.shipmentId === b.shipmentId && linesKey(a) === linesKey(b);

/**
 * The PO with the receipt applied, saved. A receipt the PO holds already leaves it unchanged; a
 * concurrent writer makes it re-read and apply again (so an over-receipt is judged on fresh data).
 * A receipt of a shipment is judged against the receipts applied to the PO version it saves over:
 * of two receipts racing for one shipment, the second to save finds the first and is refused.
 */
const applyAndSave = async (
  deps: Pick<ProcurementUseCaseDependencies, 'procurement'>,
  receipt: Receipt,
  conversions: UomConversions,
): Promise<{ po: PurchaseOrder; lines: ResolvedLine[]; applied: boolean }> => {
  for (let attempt = 1; ; attempt += 1) {
    const { version, ...stored } = await requirePurchaseOrder(deps, receipt.poNumber);
    const application = applyToPurchaseOrder(stored, receipt, conversions);
    if (!application.applied) return { po: application.purchaseOrder, lines: application.lines, applied: false };
    if (receipt.shipmentId !== undefined) assertShipmentNotReceivedElsewhere(stored, await deps.procurement.listReceipts(receipt.poNumber), receipt);
    try {
      await deps.procurement.savePurchaseOrder(application.purchaseOrder, version);
      return { po: application.purchaseOrder, lines: application.lines, applied: true };
    } catch (e) {
      if (!(e instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
};

/** A position for goods received where the item has none yet: from its par setting, else an empty one. */
const newPosition = async (
  deps: Pick<ProcurementUseCaseDependencies, 'referenceData'>,
  locationId: string,
  itemId: string,
  at: string,
): Promise<InventoryPosition> => {
  const [par, item] = await Promise.all([deps.referenceData.getParSetting(locationId, itemId), deps.referenceData.getItem(itemId)]);
  const baseUom = item?.baseUom ?? 'EA';
  if (par !== undefined) return openingPosition(par, baseUom, at);
  // Goods ordered for a location without a par setting (a SaaS requisition) still have to be counted.
  return { locationId, itemId, onHand: 0, onOrder: 0, parLevel: 0, reorderPoint: 0, baseUom, version: 0, updatedAt: at };
};

/** One receipt line into stock exactly once (re-read and decided again when the position moved). */
const receiveIntoStock = async (
  deps: Pick<ProcurementUseCaseDependencies, 'inventory' | 'referenceData'>,
  line: ResolvedLine,
  context: { locationId: string; businessKey: string; correlationId: string; causationId: string; at: string; onOrderTaken?: number },
): Promise<ApplyMovementResult<MovementOutcome>> => {
  for (let attempt = 1; ; attempt += 1) {
    const current = await deps.inventory.getPosition(context.locationId, line.itemId);
    const position = current ?? (await newPosition(deps, context.locationId, line.itemId, context.at));
    const moved = applyMovement(position, {
      businessKey: context.businessKey,
      correlationId: context.correlationId,
      delta: line.baseQuantity,
      reason: 'RECEIPT',
      ...(context.onOrderTaken === undefined ? {} : { onOrderDelta: -context.onOrderTaken }),
      at: context.at,
    });
    const outcome: MovementOutcome = {
      businessKey: context.businessKey,
      position: moved.position,
      movement: moved.movement,
      positionChanged: inventoryPositionChanged(
        { correlationId: context.correlationId, causationId: context.causationId, businessKey: context.businessKey, occurredAt: context.at },
        { locationId: context.locationId, itemId: line.itemId, delta: line.baseQuantity, onHand: moved.position.onHand, reason: 'RECEIPT' },
      ),
    };
    try {
      return await deps.inventory.applyMovement(current?.version, outcome);
    } catch (e) {
      if (!(e instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
};

/** Resumes every workflow waiting for goods of this receipt: the PO's, and invoices a clerk set to wait. */
const resumeWaiting = async (
  deps: ReceiptDependencies,
  po: PurchaseOrder,
  receipt: Receipt,
): Promise<{ purchaseOrderResumed: boolean; invoicesResumed: string[] }> => {
  const arrival = { poNumber: po.poNumber, receiptId: receipt.receiptId, poStatus: po.status };
  const { taskToken } = await deps.waits.arrive(po.poNumber, 'RECEIPT', arrival);
  const purchaseOrderResumed = taskToken === undefined ? false : await completeTask(deps, taskToken, arrival);

  const receiptCount = po.receiptIds?.length ?? 0;
  const invoices = await deps.procurement.listInvoicesOfPurchaseOrder(po.poNumber);
  const invoicesResumed: string[] = [];
  for (const { invoiceCase } of invoices.filter(({ invoiceCase }) => shouldRematchOnReceipt(invoiceCase, receipt))) {
    const payload = { caseId: invoiceCase.caseId, ...arrival };
    let resumed = false;
    for (const wait of receiptWaitsWokenBy(invoiceCase.caseId, receiptCount)) {
      const waiting = await deps.waits.arrive(wait.entity, wait.awaited, payload);
      if (waiting.taskToken !== undefined && (await completeTask(deps, waiting.taskToken, payload))) resumed = true;
    }
    if (resumed) invoicesResumed.push(invoiceCase.caseId);
  }
  return { purchaseOrderResumed, invoicesResumed };
};

/**
 * Record a receipt against its PO (see the module comment).
 *
 * @throws NotFoundError for an unknown PO.
 * @throws DataError (400) naming the receipt line with an unknown PO line or a unit that does not
 *   convert, or a receipt for another facility than the PO's.
 * @throws ConflictError (409) for an over-receipt, a closed PO, a receipt id already used for
 *   other goods or another PO, or a shipment another receipt received.
 */
export const recordReceipt = async (deps: ReceiptDependencies, receipt: Receipt, context: ReceiptContext): Promise<ReceiptRecorded> => {
  const current = await requirePurchaseOrder(deps, receipt.poNumber);
  const receipts = await deps.procurement.listReceipts(receipt.poNumber);
  const stored = receipts.find((r) => r.receiptId === receipt.receiptId);
  if (stored !== undefined && !sameLines(stored, receipt)) {
    throw new ConflictError(`receipt ${receipt.receiptId} was recorded with other goods`, { details: { receiptId: receipt.receiptId } });
  }
  // A resend keeps the first report (its time included): the receipt is what was counted first.
  const effective = stored ?? receipt;
  const conversions = await purchaseOrderConversions(deps, current);
  // Judge the receipt before anything is written: a refused receipt leaves no trace.
  assertShipmentNotReceivedElsewhere(current, receipts, effective);
  applyToPurchaseOrder(current, effective, conversions);
  const saved = await deps.procurement.saveReceipt(effective);
  if (!saved.created && stored === undefined) {
    throw new ConflictError(`receipt id ${receipt.receiptId} is already used for another purchase order`, { details: { receiptId: receipt.receiptId } });
  }
  const { po, lines, applied } = await applyAndSave(deps, effective, conversions);

  const now = deps.clock.now();
  const at = now.toISOString();
  const stock: ReceiptStockMovement[] = [];
  const positionEvents: BusEvent[] = [];
  const raised = await raisesOnOrder(deps, po);
  for (const [index, line] of lines.entries()) {
    const lineNumber = index + 1;
    const poLine = po.lines.find((l) => l.lineNumber === line.poLineNumber);
    // Later lines of this receipt on the same PO line are in the PO's received quantity already.
    const laterOnSameLine = lines.slice(index + 1).filter((l) => l.poLineNumber === line.poLineNumber).map((l) => -l.baseQuantity);
    const onOrderTaken =
      raised && poLine !== undefined ? onOrderTakenByReceipt(poLine, line.baseQuantity, sum([poLine.receivedBaseQuantity, ...laterOnSameLine])) : undefined;
    const result = await receiveIntoStock(deps, line, {
      locationId: po.locationId,
      businessKey: receiptLineBusinessKey(effective.receiptId, lineNumber),
      correlationId: po.correlationId,
      causationId: effective.receiptId,
      at,
      ...(onOrderTaken === undefined ? {} : { onOrderTaken }),
    });
    positionEvents.push(result.outcome.positionChanged);
    stock.push({
      lineNumber,
      itemId: line.itemId,
      locationId: po.locationId,
      baseQuantity: line.baseQuantity,
      onHand: result.outcome.position.onHand,
      onOrder: result.outcome.position.onOrder,
      applied: result.applied,
    });
  }

  await deps.events.publish([goodsReceived(envelopeInput(po.correlationId, effective.receiptId, now), effective, lines, po.status), ...positionEvents]);
  await deps.erpCommands.send({ command: 'CreateReceipt', receiptId: effective.receiptId, poNumber: po.poNumber, correlationId: po.correlationId });
  if (applied) {
    await deps.audit.append({
      actor: context.actor,
      action: 'GoodsReceived',
      entity: `po:${po.poNumber}`,
      correlationId: po.correlationId,
      payload: { receipt: effective, poStatus: po.status, stock },
    });
  }
  await recordHop(deps, po.correlationId, 'goods-received', applied ? 'ok' : 'skipped', {
    receiptId: effective.receiptId,
    poNumber: po.poNumber,
    source: effective.source,
    ...(effective.shipmentId === undefined ? {} : { shipmentId: effective.shipmentId }),
    lines: lines.length,
    poStatus: po.status,
    ...(applied ? {} : { duplicate: true }),
  });
  const resumed = await resumeWaiting(deps, po, effective);
  return { receipt: effective, correlationId: po.correlationId, poStatus: po.status, created: saved.created, stock, ...resumed };
};

/**
 * `POST /v1/receipts`: the dock's count against a PO, received at the PO's facility and location.
 *
 * @throws as `recordReceipt`.
 */
export const receiveAtDock = async (deps: ReceiptDependencies, request: DockReceiptRequest, context: ReceiptContext): Promise<ReceiptRecorded> => {
  const po = await requirePurchaseOrder(deps, request.poNumber);
  const receipt: Receipt = {
    receiptId: request.receiptId,
    poNumber: po.poNumber,
    facilityId: po.facilityId,
    locationId: po.locationId,
    receivedAt: request.receivedAt ?? deps.clock.now().toISOString(),
    source: 'DOCK',
    lines: request.lines.map((l) => ({ poLineNumber: l.poLineNumber, quantity: l.quantity, uom: l.uom })),
  };
  return recordReceipt(deps, receipt, context);
};

/**
 * `POST /v1/receipts` naming a shipment: the dock confirms that the goods of an 856 the PO took
 * arrived, and they are received exactly as shipped (`source: 'ASN'`). Idempotent like any receipt:
 * the same confirmation again answers the receipt recorded (`created: false`) and moves nothing.
 * Without a receipt number the receipt is the shipment's own (`shipNoticeReceiptId`), so two people
 * confirming one shipment — or confirming one HEM received on ship notice — get the same receipt.
 *
 * @throws NotFoundError (404) for an unknown PO or a shipment the PO did not take.
 * @throws ConflictError (409) when another receipt received that shipment already (its id named),
 *   and as `recordReceipt`.
 */
export const confirmShipNotice = async (
  deps: ReceiptDependencies,
  request: ShipNoticeConfirmationRequest,
  context: ReceiptContext,
): Promise<ReceiptRecorded> => {
  const po = await requirePurchaseOrder(deps, request.poNumber);
  const receiptId = request.receiptId ?? shipNoticeReceiptId(po.supplierId, request.shipmentId);
  const received = receiptOfShipment(po, await deps.procurement.listReceipts(po.poNumber), request.shipmentId);
  // The receipt that has it answers for it (its own time and lines), whoever confirms it again.
  const receipt =
    received?.receiptId === receiptId
      ? received
      : receiptForShipment(po, request.shipmentId, { receiptId, receivedAt: request.receivedAt ?? deps.clock.now().toISOString() });
  return recordReceipt(deps, receipt, context);
};

/** Who HEM's own receipts of ship notices are recorded as (evaluated receipt). */
export const SHIP_NOTICE_RECEIVER = 'hem:receive-on-ship-notice';

/**
 * Evaluated receipt: HEM receives shipment `shipmentId` of the PO as shipped, for a supplier
 * configured to receive on ship notice, under the shipment's own receipt id (`shipNoticeReceiptId`:
 * a resent 856 finds the receipt recorded and changes nothing).
 *
 * @throws as `confirmShipNotice`.
 */
export const receiveShipNotice = async (
  deps: ReceiptDependencies,
  shipment: { poNumber: string; shipmentId: string },
  context: Pick<ReceiptContext, 'causationId'>,
): Promise<ReceiptRecorded> =>
  confirmShipNotice(deps, { poNumber: shipment.poNumber, shipmentId: shipment.shipmentId }, { actor: SHIP_NOTICE_RECEIVER, causationId: context.causationId });

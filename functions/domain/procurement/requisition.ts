/**
 * Requisitions (pure): what a par location or a SaaS procurement tool asks purchasing to buy.
 * A requisition is priced at the supplier's contract price per purchasing unit and starts
 * PENDING_APPROVAL; `approval.ts` decides what happens next.
 */
import type { ReplenishmentRequested } from '../../../contracts/events';
import {
  RequisitionRequestSchema,
  type ContractPrice,
  type Requisition,
  type RequisitionLine,
  type RequisitionRequest,
} from '../../../contracts/procurement';
import type { Item } from '../../../contracts/reference';
import { amountInCents } from '../costing';
import { DataError, ValidationError } from '../errors';
import { product, quotient } from './decimal';
import { itemUomFactor } from './units';

/** Ids the caller allocates for a new requisition. */
export interface RequisitionIds {
  requisitionId: string;
  correlationId: string;
}

/** Unit prices keep 4 decimals (X12 850 PO104 carries them; cents would lose pack-price precision). */
const UNIT_PRICE_PLACES = 4;

/** The price of one `uom` of an item from `supplierId`, and whether it is a contract price. */
export interface LinePrice {
  unitPrice: number;
  contract: boolean;
}

/**
 * The price of one `uom` of `item` bought from `supplierId`.
 *
 * With a contract price list: the listed price converted to `uom` (contract), or — when the list has
 * no entry for the item and supplier — the item's unit cost times the pack factor (off contract).
 * Without a list: the item master is the contract, so the unit cost per base unit times the pack
 * factor, on contract when `supplierId` is the item's supplier.
 *
 * @throws DataError when the item (or the price list entry) has no conversion for the unit.
 */
export const priceFor = (item: Item, supplierId: string, uom: string, priceList?: readonly ContractPrice[]): LinePrice => {
  const factor = itemUomFactor(item, uom);
  if (factor === undefined) {
    throw new DataError(`item ${item.itemId} has no conversion for unit ${uom}`, { details: { itemId: item.itemId, uom } });
  }
  const fromItemMaster = product(item.unitCost, factor, UNIT_PRICE_PLACES);
  if (priceList === undefined) {
    return { unitPrice: fromItemMaster, contract: item.supplierId !== undefined && item.supplierId === supplierId };
  }
  const entry = priceList.find((p) => p.supplierId === supplierId && p.itemId === item.itemId);
  if (entry === undefined) return { unitPrice: fromItemMaster, contract: false };
  const listFactor = itemUomFactor(item, entry.uom);
  if (listFactor === undefined) {
    throw new DataError(`contract price of item ${item.itemId} is per unit ${entry.uom}, which the item does not convert`, {
      details: { itemId: item.itemId, uom: entry.uom, supplierId },
    });
  }
  const unitPrice = listFactor === factor ? entry.unitPrice : quotient(product(entry.unitPrice, factor, 12), listFactor, UNIT_PRICE_PLACES);
  return { unitPrice, contract: true };
};

/** Σ quantity × unit price, each line rounded to the cent, as a currency amount. */
export const requisitionTotal = (lines: readonly Pick<RequisitionLine, 'quantity' | 'unitPrice'>[]): number =>
  lines.reduce((cents, l) => cents + amountInCents(l.quantity, l.unitPrice), 0) / 100;

/**
 * The requisition a `ReplenishmentRequested` event asks for: one line of the item in its purchasing
 * unit (`purchaseQuantity` × `purchaseUom`), from the event's supplier (else the item's preferred
 * supplier), for the event's par location and cost center. Its `externalRef` is the event's
 * idempotency key, so a redelivered event maps to the same requisition.
 *
 * @throws DataError when the item is not the event's, has no supplier, or cannot be priced in the purchasing unit.
 */
export const requisitionFromReplenishment = (
  event: ReplenishmentRequested,
  item: Item,
  ids: RequisitionIds,
  now: Date,
  priceList?: readonly ContractPrice[],
): Requisition => {
  if (item.itemId !== event.itemId) {
    throw new DataError(`replenishment is for item ${event.itemId}, not ${item.itemId}`, { details: { itemId: event.itemId } });
  }
  const supplierId = event.supplierId ?? item.supplierId;
  if (supplierId === undefined) {
    throw new DataError(`item ${item.itemId} has no supplier to requisition from`, { details: { itemId: item.itemId } });
  }
  const price = priceFor(item, supplierId, event.purchaseUom, priceList);
  const lines: RequisitionLine[] = [
    { lineNumber: 1, itemId: item.itemId, quantity: event.purchaseQuantity, uom: event.purchaseUom, ...price },
  ];
  return {
    requisitionId: ids.requisitionId,
    source: 'REPLENISHMENT',
    externalRef: event.idempotencyKey,
    facilityId: event.facilityId,
    locationId: event.locationId,
    costCenter: event.costCenter,
    supplierId,
    lines,
    totalAmount: requisitionTotal(lines),
    currency: item.currency,
    status: 'PENDING_APPROVAL',
    correlationId: ids.correlationId,
    createdAt: now.toISOString(),
  };
};

/**
 * Validate a `POST /v1/requisitions` body.
 *
 * @throws ValidationError naming the first offending member as a JSON pointer (e.g. `/lines/0/quantity`).
 */
export const parseRequisitionRequest = (body: unknown): RequisitionRequest => {
  const parsed = RequisitionRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const location = `/${(issue?.path ?? []).map(String).join('/')}`;
  throw new ValidationError(`invalid requisition request at ${location}: ${issue?.message ?? 'invalid'}`, {
    location,
    details: { issues: parsed.error.issues.map((i) => ({ path: `/${i.path.map(String).join('/')}`, message: i.message })) },
  });
};

/**
 * The requisition a SaaS procurement tool raised: lines in the units it sent, priced from the
 * contract data (see `priceFor`), numbered 1…n in the order sent. `externalRef` is the tool's id.
 *
 * @throws ValidationError when the body breaks `RequisitionRequestSchema`.
 * @throws DataError (with a JSON pointer location) for an unknown item, a unit the item has no
 *   conversion for, or items priced in different currencies.
 */
export const requisitionFromRequest = (
  body: unknown,
  items: ReadonlyMap<string, Item>,
  ids: RequisitionIds,
  now: Date,
  priceList?: readonly ContractPrice[],
): Requisition => {
  const request = parseRequisitionRequest(body);
  const currencies = new Set<string>();
  const lines = request.lines.map((line, index): RequisitionLine => {
    const item = items.get(line.itemId);
    if (item === undefined) {
      throw new DataError(`unknown item ${line.itemId}`, { location: `/lines/${index}/itemId`, details: { itemId: line.itemId } });
    }
    if (itemUomFactor(item, line.uom) === undefined) {
      throw new DataError(`item ${item.itemId} has no conversion for unit ${line.uom}`, {
        location: `/lines/${index}/uom`,
        details: { itemId: item.itemId, uom: line.uom },
      });
    }
    currencies.add(item.currency);
    const price = priceFor(item, request.supplierId, line.uom, priceList);
    return { lineNumber: index + 1, itemId: item.itemId, quantity: line.quantity, uom: line.uom, ...price };
  });
  if (currencies.size > 1) {
    throw new DataError('requisition lines are priced in different currencies', { location: '/lines', details: { currencies: [...currencies] } });
  }
  return {
    requisitionId: ids.requisitionId,
    source: 'SAAS',
    externalRef: request.externalRef,
    facilityId: request.facilityId,
    locationId: request.locationId,
    costCenter: request.costCenter,
    supplierId: request.supplierId,
    lines,
    totalAmount: requisitionTotal(lines),
    currency: [...currencies][0] ?? 'USD',
    status: 'PENDING_APPROVAL',
    correlationId: ids.correlationId,
    createdAt: now.toISOString(),
  };
};

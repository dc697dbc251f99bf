/**
 * Inventory rules (pure): applying a stock movement to a position and deciding replenishment.
 * Quantities are in the item's base unit.
 */
import type { Item, ParSetting } from '../../contracts/reference';
import type { InventoryMovement, InventoryPosition } from './ports';

/** Why stock moved. */
export type MovementReason = InventoryMovement['reason'];

/** What a position looks like after a movement, and the movement as recorded. */
export interface MovementResult {
  position: InventoryPosition;
  movement: InventoryMovement;
}

/** A movement to apply: `delta` < 0 consumes, > 0 restores or receives. */
export interface MovementInput {
  businessKey: string;
  correlationId: string;
  delta: number;
  reason: MovementReason;
  /**
   * Base units to take off on order with this movement (≤ 0; a positive value is ignored): what a
   * receipt of a replenishment PO received, or what an ON_ORDER_RELEASED movement gives back. On order
   * never goes below zero. Absent = on order does not change (usage, reversal, a receipt of goods
   * that were never put on order).
   */
  onOrderDelta?: number;
  at: string;
}

/** Rounds away binary noise so stock counts stay the decimals people wrote. */
const cleanDecimal = (n: number): number => Math.round(n * 1e9) / 1e9;

/**
 * A new, empty position for an item at a par location (before its first movement).
 * Used when usage arrives for a par setting whose position was never initialised.
 */
export const openingPosition = (par: ParSetting, baseUom: string, at: string): InventoryPosition => ({
  locationId: par.locationId,
  itemId: par.itemId,
  onHand: par.initialOnHand,
  onOrder: 0,
  parLevel: par.parLevel,
  reorderPoint: par.reorderPoint,
  baseUom,
  version: 0,
  updatedAt: at,
});

/**
 * Apply one movement: on hand changes by `delta`, the version increments. On hand may go below
 * zero: the EHR documents what was used even when the count was wrong, and the shortfall is a
 * cycle-count problem, not a reason to lose the usage.
 *
 * On order changes only by `onOrderDelta`, which the caller derives from the replenishment PO the
 * movement belongs to (invariant I2, see `InventoryPosition.onOrder`): a receipt takes off only what
 * its own PO line still had on order — a receipt of goods ordered outside replenishment (a SaaS
 * requisition) takes nothing off another order's quantity — and on order never goes below zero.
 */
export const applyMovement = (position: InventoryPosition, input: MovementInput): MovementResult => {
  const onHand = cleanDecimal(position.onHand + input.delta);
  const requested = Math.min(0, input.onOrderDelta ?? 0);
  const onOrder = Math.max(0, cleanDecimal(position.onOrder + requested));
  const onOrderDelta = cleanDecimal(onOrder - position.onOrder);
  return {
    position: { ...position, onHand, onOrder, version: position.version + 1, updatedAt: input.at },
    movement: {
      businessKey: input.businessKey,
      correlationId: input.correlationId,
      delta: input.delta,
      onHandAfter: onHand,
      reason: input.reason,
      ...(input.onOrderDelta === undefined ? {} : { onOrderDelta, onOrderAfter: onOrder }),
      at: input.at,
    },
  };
};

/** The purchasing pack of an item: its purchase unit and how many base units it holds (1 when unknown). */
export const purchasePack = (item: Pick<Item, 'baseUom' | 'purchaseUom' | 'conversions'>): { uom: string; factor: number } => {
  if (item.purchaseUom.toUpperCase() === item.baseUom.toUpperCase()) return { uom: item.baseUom, factor: 1 };
  const conversion = item.conversions.find((c) => c.uom.toUpperCase() === item.purchaseUom.toUpperCase());
  // Without a conversion the only safe pack is the base unit: never guess a pack size.
  return conversion === undefined ? { uom: item.baseUom, factor: 1 } : { uom: conversion.uom, factor: conversion.factor };
};

/** A replenishment to request: `quantity` base units = `purchaseQuantity` packs of `purchaseUom`. */
export interface ReplenishmentDecision {
  /** Base units to order (whole packs). */
  quantity: number;
  purchaseQuantity: number;
  purchaseUom: string;
  /** The position with `onOrder` increased by `quantity`. */
  position: InventoryPosition;
}

/**
 * Decide replenishment after a movement. Orders when on hand + on order has fallen to or below the
 * reorder point after a usage; orders what restores par, rounded UP to whole purchasing packs, and
 * adds it to on order so the next usage does not order it again. A reversal or receipt never
 * triggers a reorder (it only raises stock).
 */
export const decideReplenishment = (
  position: InventoryPosition,
  reason: MovementReason,
  pack: { uom: string; factor: number },
): ReplenishmentDecision | undefined => {
  if (reason !== 'USAGE') return undefined;
  const available = position.onHand + position.onOrder;
  if (available > position.reorderPoint) return undefined;
  const shortfall = position.parLevel - available;
  if (shortfall <= 0) return undefined;
  const purchaseQuantity = Math.ceil(cleanDecimal(shortfall / pack.factor));
  const quantity = purchaseQuantity * pack.factor;
  return {
    quantity,
    purchaseQuantity,
    purchaseUom: pack.uom,
    position: { ...position, onOrder: cleanDecimal(position.onOrder + quantity) },
  };
};

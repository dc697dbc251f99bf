/** Use cases: read models for the inventory and transaction APIs. */
import { NotFoundError } from '../errors';
import type { Dependencies, InventoryMovement, InventoryPosition, TransactionHop } from '../ports';

/** How many movements `GET /v1/inventory/{locationId}/{itemId}` shows. */
export const RECENT_MOVEMENTS = 10;

export interface InventoryView {
  position: InventoryPosition;
  /** Latest first. */
  movements: InventoryMovement[];
}

/** A position with its last movements; `NotFoundError` when the item is not stocked there. */
export const getInventory = async (
  deps: Pick<Dependencies, 'inventory'>,
  locationId: string,
  itemId: string,
): Promise<InventoryView> => {
  const position = await deps.inventory.getPosition(locationId, itemId);
  if (position === undefined) throw new NotFoundError(`no inventory position for item ${itemId} at ${locationId}`);
  const movements = await deps.inventory.listMovements(locationId, itemId, RECENT_MOVEMENTS);
  return { position, movements };
};

export interface TransactionView {
  correlationId: string;
  /** 'error' when any hop failed, else 'ok'. */
  status: 'ok' | 'error';
  /** Oldest first. */
  hops: TransactionHop[];
}

/** Every hop of one business transaction; `NotFoundError` when none was recorded. */
export const getTransaction = async (
  deps: Pick<Dependencies, 'transactions'>,
  correlationId: string,
): Promise<TransactionView> => {
  const hops = await deps.transactions.list(correlationId);
  if (hops.length === 0) throw new NotFoundError(`no transaction ${correlationId}`);
  return { correlationId, status: hops.some((h) => h.status === 'error') ? 'error' : 'ok', hops };
};

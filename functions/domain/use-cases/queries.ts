/** Use cases: read models for the inventory and transaction APIs. */
import { NotFoundError, ValidationError } from '../errors';
import type { Dependencies, InventoryMovement, InventoryPosition, TransactionHop } from '../ports';
import { summariseTransaction, type TransactionLineCounts, type TransactionStatus } from '../transaction-status';

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
  /** Computed from what happened to each usage line (see `summariseTransaction`). */
  status: TransactionStatus;
  lines: TransactionLineCounts;
  /** Oldest first. */
  hops: TransactionHop[];
}

/** Every hop of one business transaction with its status; `NotFoundError` when none was recorded. */
export const getTransaction = async (
  deps: Pick<Dependencies, 'transactions'>,
  correlationId: string,
): Promise<TransactionView> => {
  const hops = await deps.transactions.list(correlationId);
  if (hops.length === 0) throw new NotFoundError(`no transaction ${correlationId}`);
  return { correlationId, ...summariseTransaction(hops), hops };
};

/** `GET /v1/ops/stuck`: how many transactions one call returns by default, and at most. */
export const STUCK_DEFAULT_LIMIT = 50;
export const STUCK_MAX_LIMIT = 100;
/** How far back the stuck view looks: older transactions are the reconciliation's business. */
export const STUCK_LOOKBACK_MS = 7 * 24 * 60 * 60 * 1000;
/** Received messages one call examines at most (each costs one read of its hops); `next` resumes. */
export const STUCK_SCAN_BUDGET = 500;
const RECEIVED_PAGE_SIZE = 100;

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * An age such as `90s`, `10m`, `2h` or `1d` in milliseconds, at most {@link STUCK_LOOKBACK_MS}.
 *
 * @throws ValidationError (location `olderThan`) otherwise
 */
export const parseAge = (text: string): number => {
  const match = /^(\d{1,7})([smhd])$/.exec(text);
  const ms = match === null ? Number.NaN : Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? ''] ?? Number.NaN);
  if (!(ms > 0 && ms <= STUCK_LOOKBACK_MS)) {
    throw new ValidationError('olderThan must be a positive age such as 90s, 10m, 2h or 1d, at most 7d', { location: 'olderThan' });
  }
  return ms;
};

export interface StuckQuery {
  /** Only transactions received at least this long ago. */
  olderThanMs: number;
  limit?: number;
  /** The `next` of a previous call. */
  after?: string;
}

export interface StuckTransaction {
  correlationId: string;
  receivedAt: string;
  status: TransactionStatus;
  lines: TransactionLineCounts;
}

export interface StuckView {
  /** The window examined: received in [receivedSince, receivedBefore). */
  receivedSince: string;
  receivedBefore: string;
  /** Oldest first. */
  transactions: StuckTransaction[];
  /** Pass as `after` to read on; absent when the window is exhausted. */
  next?: string;
}

/**
 * Transactions whose usage message was received more than `olderThanMs` ago (and within
 * {@link STUCK_LOOKBACK_MS}) and that are not `completed`: still in progress, partial or failed.
 * Bounded: at most `limit` transactions and {@link STUCK_SCAN_BUDGET} examined messages per call.
 */
export const listStuckTransactions = async (deps: Pick<Dependencies, 'transactions' | 'clock'>, query: StuckQuery): Promise<StuckView> => {
  const limit = Math.min(Math.max(query.limit ?? STUCK_DEFAULT_LIMIT, 1), STUCK_MAX_LIMIT);
  const now = deps.clock.now().getTime();
  const receivedBefore = new Date(now - query.olderThanMs).toISOString();
  const receivedSince = new Date(now - query.olderThanMs - STUCK_LOOKBACK_MS).toISOString();
  const transactions: StuckTransaction[] = [];
  const seen = new Set<string>();
  let after = query.after;
  let examined = 0;
  for (;;) {
    const page = await deps.transactions.listReceived(
      { from: receivedSince, to: receivedBefore },
      Math.min(RECEIVED_PAGE_SIZE, STUCK_SCAN_BUDGET - examined),
      after,
    );
    for (const received of page.received) {
      examined += 1;
      after = received.position;
      if (seen.has(received.correlationId)) continue;
      seen.add(received.correlationId);
      const summary = summariseTransaction(await deps.transactions.list(received.correlationId));
      if (summary.status !== 'completed') {
        transactions.push({ correlationId: received.correlationId, receivedAt: received.receivedAt, ...summary });
      }
      if (transactions.length === limit || examined === STUCK_SCAN_BUDGET) {
        const more = received !== page.received.at(-1) || page.next !== undefined;
        return { receivedSince, receivedBefore, transactions, ...(more && after !== undefined ? { next: after } : {}) };
      }
    }
    if (page.next === undefined) return { receivedSince, receivedBefore, transactions };
    after = page.next;
  }
};

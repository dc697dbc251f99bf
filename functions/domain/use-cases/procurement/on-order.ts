/**
 * Use case helpers: give back on order (ON_ORDER_RELEASED movements) for replenishment goods that
 * will never arrive, exactly once per release, audited like every other stock movement. The rules
 * (what to release, invariant I2) live in functions/domain/procurement/on-order.ts.
 */
import type { BusEvent } from '../../../../contracts/events';
import type { PurchaseOrder, Requisition } from '../../../../contracts/procurement';
import { ConcurrencyError } from '../../errors';
import { inventoryPositionChanged } from '../../events';
import { applyMovement } from '../../inventory';
import type { MovementOutcome } from '../../ports';
import { purchaseOrderOnOrderReleases, requisitionOnOrderReleases, type OnOrderRelease } from '../../procurement/on-order';
import { itemUomFactor } from '../../procurement/units';
import type { ProcurementUseCaseDependencies } from './shared';

const MAX_ATTEMPTS = 5;

/** The ports a release touches. */
export type OnOrderReleaseDependencies = Pick<ProcurementUseCaseDependencies, 'inventory' | 'audit' | 'clock'>;

/** Where a release lands and what caused it. */
export interface OnOrderReleaseContext {
  locationId: string;
  correlationId: string;
  /** The document or request that caused it (855, decision, close). */
  causationId: string;
  actor: string;
}

/**
 * Did this PO put goods on order? Only replenishment POs did (ReplenishmentRequested raised on order
 * before the requisition existed); a SaaS requisition's PO never did, so its receipts and releases
 * leave on order alone.
 */
export const raisesOnOrder = async (deps: Pick<ProcurementUseCaseDependencies, 'procurement'>, po: Pick<PurchaseOrder, 'requisitionId'>): Promise<boolean> =>
  (await deps.procurement.getRequisition(po.requisitionId))?.source === 'REPLENISHMENT';

/**
 * Applies one release at the order's location exactly once (re-read and decided again when the
 * position moved). A location × item without a position has nothing on order to give back.
 *
 * @returns the InventoryPositionChanged event of the release (also for a release applied before, so a
 *   retry republishes it with the same idempotency key); undefined when there is no position.
 */
export const applyOnOrderRelease = async (
  deps: OnOrderReleaseDependencies,
  release: OnOrderRelease,
  context: OnOrderReleaseContext,
): Promise<BusEvent | undefined> => {
  for (let attempt = 1; ; attempt += 1) {
    const current = await deps.inventory.getPosition(context.locationId, release.itemId);
    if (current === undefined) return undefined;
    const at = deps.clock.now().toISOString();
    const moved = applyMovement(current, {
      businessKey: release.businessKey,
      correlationId: context.correlationId,
      delta: 0,
      reason: 'ON_ORDER_RELEASED',
      onOrderDelta: -release.quantity,
      at,
    });
    const outcome: MovementOutcome = {
      businessKey: release.businessKey,
      position: moved.position,
      movement: moved.movement,
      positionChanged: inventoryPositionChanged(
        { correlationId: context.correlationId, causationId: context.causationId, businessKey: release.businessKey, occurredAt: at },
        { locationId: context.locationId, itemId: release.itemId, delta: 0, onHand: moved.position.onHand, reason: 'ON_ORDER_RELEASED' },
      ),
    };
    try {
      const result = await deps.inventory.applyMovement(current.version, outcome);
      if (result.applied) {
        await deps.audit.append({
          actor: context.actor,
          action: 'inventory.onOrderReleased',
          entity: `inventory:${context.locationId}/${release.itemId}`,
          correlationId: context.correlationId,
          payload: { movement: result.outcome.movement, onOrder: result.outcome.position.onOrder, version: result.outcome.position.version },
        });
      }
      return result.outcome.positionChanged;
    } catch (e) {
      if (!(e instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
};

/** Applies every release in order; returns their events. */
const applyAll = async (deps: OnOrderReleaseDependencies, releases: readonly OnOrderRelease[], context: OnOrderReleaseContext): Promise<BusEvent[]> => {
  const events: BusEvent[] = [];
  for (const release of releases) {
    const event = await applyOnOrderRelease(deps, release, context);
    if (event !== undefined) events.push(event);
  }
  return events;
};

/**
 * Gives back what the saved replenishment PO's lines recorded as released (`onOrderReleased`), each
 * step once. Safe to call after every save of the PO: steps applied before change nothing.
 */
export const releasePurchaseOrderOnOrder = async (
  deps: OnOrderReleaseDependencies,
  po: PurchaseOrder,
  context: Pick<OnOrderReleaseContext, 'causationId' | 'actor'>,
): Promise<BusEvent[]> =>
  applyAll(deps, purchaseOrderOnOrderReleases(po), { ...context, locationId: po.locationId, correlationId: po.correlationId });

/**
 * Gives back what a rejected replenishment requisition put on order (nothing for a SaaS requisition
 * or one not rejected). Units convert by the item master.
 */
export const releaseRequisitionOnOrder = async (
  deps: OnOrderReleaseDependencies & Pick<ProcurementUseCaseDependencies, 'referenceData'>,
  requisition: Requisition,
  context: Pick<OnOrderReleaseContext, 'causationId' | 'actor'>,
): Promise<BusEvent[]> => {
  // Approvals and SaaS requisitions give nothing back: skip the item reads.
  if (requisition.source !== 'REPLENISHMENT' || requisition.status !== 'REJECTED') return [];
  const factors = new Map<string, number | undefined>();
  for (const line of requisition.lines) {
    const item = await deps.referenceData.getItem(line.itemId);
    factors.set(`${line.itemId}|${line.uom}`, item === undefined ? undefined : itemUomFactor(item, line.uom));
  }
  const releases = requisitionOnOrderReleases(requisition, (itemId, uom) => factors.get(`${itemId}|${uom}`));
  return applyAll(deps, releases, { ...context, locationId: requisition.locationId, correlationId: requisition.correlationId });
};

/**
 * Use case: the second workflow step. Applies one mapped usage line to its inventory position
 * exactly once, decides replenishment and prices the cost posting. The position update and the
 * line's dedup record are one conditional write (the InventoryRepository port); a line applied
 * before returns its stored outcome so the same events (same idempotency keys) are re-emitted.
 */
import { postingAmount } from '../costing';
import { ConcurrencyError, MappingError } from '../errors';
import { costPosted, inventoryPositionChanged, replenishmentRequested, type EnvelopeInput } from '../events';
import { applyMovement, decideReplenishment, openingPosition, purchasePack } from '../inventory';
import type { Dependencies, UsageLineOutcome } from '../ports';
import type { MappedUsageLine } from '../usage-mapping';

export interface ApplyUsageLineResult {
  /** true when this call changed the position. */
  applied: boolean;
  /** true when the line had been applied before (nothing changed, stored outcome returned). */
  duplicate: boolean;
  outcome: UsageLineOutcome;
}

export interface ApplyUsageLineOptions {
  /** How many times to re-read and retry when another writer moved the position first. */
  maxAttempts?: number;
}

const DEFAULT_MAX_ATTEMPTS = 5;

type ApplyDeps = Pick<Dependencies, 'inventory' | 'referenceData' | 'transactions' | 'audit' | 'clock'>;

/** Build the outcome of applying `line` to the current position (pure apart from the reads). */
const decide = async (
  deps: ApplyDeps,
  line: MappedUsageLine,
): Promise<{ expectedVersion: number | undefined; outcome: UsageLineOutcome }> => {
  const item = await deps.referenceData.getItem(line.itemId);
  if (item === undefined) {
    throw new MappingError(`item ${line.itemId} is no longer in the item master`, ['UNKNOWN_ITEM']);
  }
  const at = deps.clock.now().toISOString();
  let current = await deps.inventory.getPosition(line.locationId, line.itemId);
  const expectedVersion = current?.version;
  if (current === undefined) {
    const par = await deps.referenceData.getParSetting(line.locationId, line.itemId);
    if (par === undefined) {
      throw new MappingError(`no par setting for ${line.itemId} at ${line.locationId}`, ['NO_PAR_SETTING']);
    }
    current = openingPosition(par, item.baseUom, at);
  }

  const reason = line.baseQuantity > 0 ? 'USAGE' : 'REVERSAL';
  const moved = applyMovement(current, {
    businessKey: line.businessKey,
    correlationId: line.correlationId,
    delta: -line.baseQuantity,
    reason,
    at,
  });
  const pack = purchasePack(item);
  const replenishment = decideReplenishment(moved.position, reason, pack);
  const position = replenishment?.position ?? moved.position;

  const envelope: EnvelopeInput = {
    correlationId: line.correlationId,
    causationId: line.causationId,
    businessKey: line.businessKey,
    occurredAt: at,
  };
  const outcome: UsageLineOutcome = {
    businessKey: line.businessKey,
    position,
    movement: moved.movement,
    positionChanged: inventoryPositionChanged(envelope, {
      locationId: line.locationId,
      itemId: line.itemId,
      delta: moved.movement.delta,
      onHand: position.onHand,
      reason,
    }),
    costPosting: costPosted(envelope, {
      costCenter: line.costCenter,
      glAccount: line.glAccount,
      facilityId: line.facilityId,
      locationId: line.locationId,
      itemId: line.itemId,
      quantity: line.baseQuantity,
      unitCost: item.unitCost,
      amount: postingAmount(line.baseQuantity, item.unitCost),
      currency: item.currency,
      postingDate: line.serviceDate.slice(0, 10),
      encounterRef: line.encounterRef,
    }),
  };
  if (replenishment !== undefined) {
    outcome.replenishment = replenishmentRequested(envelope, {
      facilityId: line.facilityId,
      locationId: line.locationId,
      itemId: line.itemId,
      onHand: moved.position.onHand,
      // What was on order before this request: onHand + onOrder + quantity restores par.
      onOrder: moved.position.onOrder,
      parLevel: position.parLevel,
      reorderPoint: position.reorderPoint,
      quantity: replenishment.quantity,
      baseUom: item.baseUom,
      purchaseQuantity: replenishment.purchaseQuantity,
      purchaseUom: replenishment.purchaseUom,
      supplierId: item.supplierId,
      costCenter: line.costCenter,
    });
  }
  return { expectedVersion, outcome };
};

/** The line's message (`sourceSystem|facilityCode|messageControlId`): its business key less the line number. */
const messageKeyOf = (line: MappedUsageLine): string => line.businessKey.slice(0, line.businessKey.lastIndexOf('|'));

/** Record the hops and audit of an outcome. */
const recordOutcome = async (deps: ApplyDeps, line: MappedUsageLine, result: ApplyUsageLineResult): Promise<void> => {
  const at = deps.clock.now().toISOString();
  const { outcome } = result;
  const messageKey = messageKeyOf(line);
  if (result.duplicate) {
    await deps.transactions.record({
      correlationId: line.correlationId,
      hop: 'duplicate',
      status: 'skipped',
      at,
      detail: { messageKey, lineNumber: line.lineNumber, itemId: line.itemId, locationId: line.locationId },
    });
    return;
  }
  await deps.transactions.record({
    correlationId: line.correlationId,
    hop: 'applied',
    status: 'ok',
    at,
    detail: {
      messageKey,
      lineNumber: line.lineNumber,
      itemId: line.itemId,
      locationId: line.locationId,
      delta: outcome.movement.delta,
      onHand: outcome.position.onHand,
      onOrder: outcome.position.onOrder,
    },
  });
  if (outcome.replenishment !== undefined) {
    const detail = outcome.replenishment.detail;
    await deps.transactions.record({
      correlationId: line.correlationId,
      hop: 'reorder',
      status: 'ok',
      at,
      detail: {
        lineNumber: line.lineNumber,
        itemId: line.itemId,
        locationId: line.locationId,
        quantity: detail.quantity,
        purchaseQuantity: detail.purchaseQuantity,
        purchaseUom: detail.purchaseUom,
      },
    });
  }
  await deps.audit.append({
    actor: 'hem.workflow',
    action: outcome.movement.delta < 0 ? 'inventory.decremented' : 'inventory.restored',
    entity: `inventory:${line.locationId}/${line.itemId}`,
    correlationId: line.correlationId,
    payload: { movement: outcome.movement, onOrder: outcome.position.onOrder, version: outcome.position.version },
  });
};

/** Apply `line` exactly once; see the module comment. Throws `ConcurrencyError` when retries run out. */
export const applyUsageLine = async (
  deps: ApplyDeps,
  line: MappedUsageLine,
  options: ApplyUsageLineOptions = {},
): Promise<ApplyUsageLineResult> => {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const stored = await deps.inventory.findOutcome(line.businessKey);
  let result: ApplyUsageLineResult | undefined;
  if (stored !== undefined) {
    result = { applied: false, duplicate: true, outcome: stored };
  }
  for (let attempt = 1; result === undefined; attempt += 1) {
    const { expectedVersion, outcome } = await decide(deps, line);
    try {
      const written = await deps.inventory.applyMovement(expectedVersion, outcome);
      result = { applied: written.applied, duplicate: !written.applied, outcome: written.outcome };
    } catch (e) {
      // Another line of the same item moved the position between our read and write: re-read.
      if (!(e instanceof ConcurrencyError) || attempt >= maxAttempts) throw e;
    }
  }
  await recordOutcome(deps, line, result);
  return result;
};

/** The events an outcome announces, in publishing order. */
export const outcomeEvents = (outcome: UsageLineOutcome): UsageLineOutcome['positionChanged'][] =>
  [outcome.positionChanged, outcome.costPosting, outcome.replenishment].filter((e) => e !== undefined);

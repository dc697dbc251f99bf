/**
 * Workflow task `ApplyUsageLine` (inside the ASL's per-line Map). Input `{ line: MappedUsageLine }`.
 * Output is shaped for the next state, an EventBridge PutEvents task: `entries` are PutEvents
 * entries without `EventBusName` (the ASL adds it from its `${EventBusName}` substitution, so the
 * function needs no bus configuration). A line applied before returns the stored outcome's entries:
 * the same events with the same idempotency keys, which consumers deduplicate.
 */
import type { ReplenishmentRequested } from '../../contracts/events';
import { awsDependencies } from '../adapters/aws/dependencies';
import { applyUsageLine, outcomeEvents } from '../domain/use-cases/apply-usage-line';
import type { HandlerDependencies } from './shared/deps';
import { useCorrelationId } from './shared/correlation';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { count, logger, METRIC, traceAwsClient } from './shared/powertools';
import { ApplyUsageLineInputSchema } from './shared/payload-schemas';
import { parseOrThrow } from './shared/validation';

/** One PutEvents entry (Detail as an object: Step Functions serialises it). */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: Record<string, unknown>;
}

export interface ApplyUsageLineOutput {
  businessKey: string;
  applied: boolean;
  duplicate: boolean;
  entries: PutEventsEntry[];
  /** The replenishment decided for this line, when it triggered one. */
  replenishment?: Pick<ReplenishmentRequested, 'itemId' | 'locationId' | 'quantity' | 'purchaseQuantity' | 'purchaseUom'>;
}

export type ApplyUsageLineDependencies = Pick<HandlerDependencies, 'inventory' | 'referenceData' | 'transactions' | 'audit' | 'clock'>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: ApplyUsageLineDependencies): LambdaFunction<unknown, ApplyUsageLineOutput> =>
  withPowertools(async (event) => {
    const { line } = parseOrThrow(ApplyUsageLineInputSchema, event, 'ApplyUsageLine input');
    useCorrelationId(line.correlationId);
    const result = await applyUsageLine(deps, line);
    const replenishment = result.outcome.replenishment?.detail as ReplenishmentRequested | undefined;
    if (result.applied) {
      count(METRIC.usageLinesApplied);
      if (replenishment !== undefined) count(METRIC.reordersTriggered);
    }
    logger.info(result.applied ? 'usage line applied' : 'usage line already applied', {
      businessKey: line.businessKey,
      locationId: line.locationId,
      itemId: line.itemId,
      onHand: result.outcome.position.onHand,
      reorder: replenishment !== undefined,
    });
    const output: ApplyUsageLineOutput = {
      businessKey: line.businessKey,
      applied: result.applied,
      duplicate: result.duplicate,
      entries: outcomeEvents(result.outcome).map((e) => ({ Source: e.source, DetailType: e.detailType, Detail: e.detail })),
    };
    if (replenishment !== undefined) {
      output.replenishment = {
        itemId: replenishment.itemId,
        locationId: replenishment.locationId,
        quantity: replenishment.quantity,
        purchaseQuantity: replenishment.purchaseQuantity,
        purchaseUom: replenishment.purchaseUom,
      };
    }
    return output;
  });

export const handler = makeHandler(awsDependencies(process.env, { instrumentClient: traceAwsClient }));

/**
 * Use case: the first workflow step. Maps every line of a usage message through the crosswalks.
 * Unmapped lines become operator exceptions (saved, audited, announced with
 * `UsageExceptionRaised`); mapped lines go on to the apply step. A line whose earlier exception is
 * still OPEN and that maps now (the crosswalk was fixed) resolves that exception.
 */
import type { UsageLine, UsageMessage } from '../../../contracts/usage';
import { usageLineBusinessKey } from '../../../contracts/usage';
import { usageExceptionRaised, usageMessageBusinessKey } from '../events';
import type { Dependencies, ReferenceDataRepository } from '../ports';
import { departmentOf, isUnmapped, mapUsageLine, type MappedUsageLine, type MappingLookups } from '../usage-mapping';
import { exceptionIdFor } from './ids';

export interface MapUsageLinesInput {
  usage: UsageMessage;
  correlationId: string;
  /** Id of the `SupplyUsageRecorded` event being processed. */
  causationId: string;
}

export interface MapUsageLinesResult {
  correlationId: string;
  mappedLines: MappedUsageLine[];
  exceptionCount: number;
}

/** Memoises reference lookups for one message: its lines usually share a department. */
const memo = <T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> => {
  let hit = cache.get(key);
  if (hit === undefined) {
    hit = load();
    cache.set(key, hit);
  }
  return hit;
};

/** Fetch the reference rows one line needs (the decisions are `mapUsageLine`'s). */
export const fetchMappingLookups = async (
  referenceData: ReferenceDataRepository,
  usage: UsageMessage,
  line: UsageLine,
  cache: Map<string, Promise<unknown>> = new Map(),
): Promise<MappingLookups> => {
  const lookups: MappingLookups = {};
  const ref = line.item;
  if (ref.system === 'CHARGE') {
    lookups.chargeCode = await memo(cache as Map<string, Promise<MappingLookups['chargeCode']>>, `charge|${ref.value}`, () =>
      referenceData.findChargeCode(usage.sourceSystem, ref.value),
    );
    if (lookups.chargeCode !== undefined) lookups.item = await referenceData.getItem(lookups.chargeCode.itemId);
  } else if (ref.system === 'GTIN') {
    lookups.item = await referenceData.findItemByGtin(ref.value);
  } else if (ref.system === 'ITEM') {
    lookups.item = await referenceData.getItem(ref.value);
  }
  // CATALOG references have no crosswalk yet: they surface as UNKNOWN_ITEM exceptions.

  const departmentCode = departmentOf(usage, line);
  if (departmentCode !== undefined) {
    const typed = cache as Map<string, Promise<Pick<MappingLookups, 'department' | 'location' | 'costCenter'>>>;
    Object.assign(
      lookups,
      await memo(typed, `dept|${departmentCode}`, async () => {
        const department = await referenceData.findDepartment(usage.sourceSystem, usage.facilityCode, departmentCode);
        if (department === undefined) return {};
        const [location, costCenter] = await Promise.all([
          referenceData.getLocation(department.locationId),
          referenceData.getCostCenter(department.costCenter),
        ]);
        return { department, location, costCenter };
      }),
    );
  }
  if (lookups.item !== undefined && lookups.location !== undefined) {
    lookups.parSetting = await referenceData.getParSetting(lookups.location.locationId, lookups.item.itemId);
  }
  return lookups;
};

/** Map every line of `input.usage`; see the module comment for what happens to each. */
export const mapUsageLines = async (
  deps: Pick<Dependencies, 'referenceData' | 'exceptions' | 'transactions' | 'audit' | 'events' | 'clock'>,
  input: MapUsageLinesInput,
): Promise<MapUsageLinesResult> => {
  const { usage, correlationId, causationId } = input;
  const cache = new Map<string, Promise<unknown>>();
  const mappedLines: MappedUsageLine[] = [];
  let exceptionCount = 0;
  // Names the message in each line's hops, so a transaction's status can tell its lines apart.
  const messageKey = usageMessageBusinessKey(usage);

  for (const line of usage.lines) {
    const at = deps.clock.now().toISOString();
    const businessKey = usageLineBusinessKey(usage, line.lineNumber);
    const exceptionId = exceptionIdFor(businessKey);
    const lookups = await fetchMappingLookups(deps.referenceData, usage, line, cache);
    const result = mapUsageLine(usage, line, lookups, { correlationId, causationId });

    if (isUnmapped(result)) {
      exceptionCount += 1;
      const existing = await deps.exceptions.get(exceptionId);
      // A replay of a still-open exception keeps its original creation time.
      if (existing?.status !== 'OPEN') {
        await deps.exceptions.save({
          exceptionId,
          status: 'OPEN',
          businessKey,
          correlationId,
          reasons: result.reasons,
          usage,
          lineNumber: line.lineNumber,
          createdAt: at,
        });
      }
      await deps.transactions.record({
        correlationId,
        hop: 'exception',
        status: 'error',
        at,
        detail: { messageKey, lineNumber: line.lineNumber, exceptionId, reasons: result.reasons },
      });
      await deps.audit.append({
        actor: 'hem.workflow',
        action: 'exception.raised',
        entity: `exception:${exceptionId}`,
        correlationId,
        payload: { businessKey, reasons: result.reasons },
      });
      await deps.events.publish([
        usageExceptionRaised({ correlationId, causationId, businessKey, occurredAt: at }, { exceptionId, reasons: result.reasons }),
      ]);
      continue;
    }

    mappedLines.push(result);
    await deps.transactions.record({
      correlationId,
      hop: 'mapped',
      status: 'ok',
      at,
      detail: {
        messageKey,
        lineNumber: line.lineNumber,
        itemId: result.itemId,
        locationId: result.locationId,
        costCenter: result.costCenter,
        baseQuantity: result.baseQuantity,
        baseUom: result.baseUom,
      },
    });
    const previous = await deps.exceptions.get(exceptionId);
    if (previous?.status === 'OPEN') {
      await deps.exceptions.markResolved(exceptionId, at);
      await deps.audit.append({
        actor: 'hem.workflow',
        action: 'exception.resolved',
        entity: `exception:${exceptionId}`,
        correlationId,
        payload: { businessKey },
      });
    }
  }
  return { correlationId, mappedLines, exceptionCount };
};

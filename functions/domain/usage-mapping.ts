/**
 * Crosswalk mapping of usage lines (pure). The use case fetches the reference rows through the
 * `ReferenceDataRepository` port; this module only decides. `MappedUsageLine` is the contract
 * between the map and apply workflow steps.
 */
import type {
  ChargeCodeCrosswalk,
  CostCenter,
  DepartmentCrosswalk,
  Item,
  Location,
  ParSetting,
} from '../../contracts/reference';
import { usageLineBusinessKey, type UsageLine, type UsageMessage } from '../../contracts/usage';
import type { MappingReason } from './errors';

/** A usage line resolved to HEM's item, location, cost center and base units. */
export interface MappedUsageLine {
  /** sourceSystem|facilityCode|messageControlId|lineNumber (see `usageLineBusinessKey`) */
  businessKey: string;
  correlationId: string;
  causationId: string;
  sourceSystem: string;
  messageControlId: string;
  lineNumber: number;
  facilityId: string;
  locationId: string;
  costCenter: string;
  glAccount: string;
  itemId: string;
  /** Signed base units consumed: positive = used (stock goes down), negative = reversal (stock goes up). */
  baseQuantity: number;
  baseUom: string;
  transactionType: 'CHARGE' | 'CREDIT';
  serviceDate: string;
  encounterRef?: string;
}

/**
 * The reference rows one line needs, already fetched. Each is `undefined` when the crosswalk has no
 * entry (or the lookup was not applicable, e.g. `chargeCode` for a line identified by GTIN).
 */
export interface MappingLookups {
  /** Charge-code crosswalk entry, for lines identified by an EHR charge code. */
  chargeCode?: ChargeCodeCrosswalk;
  /** The item the line resolved to (through the charge code, GTIN or internal id). */
  item?: Item;
  /** Department crosswalk entry for the line's (or message's) department. */
  department?: DepartmentCrosswalk;
  /** The location the department maps to. */
  location?: Location;
  /** The cost center the department maps to. */
  costCenter?: CostCenter;
  /** Par settings of the item at that location: usage is tracked only where a par exists. */
  parSetting?: ParSetting;
}

/** Correlation facts the map step adds to every mapped line. */
export interface MappingContext {
  correlationId: string;
  /** Id of the event that carried the usage (the EventBridge event id). */
  causationId: string;
}

/** The mapping failed: every reason found, in a stable order, so an operator fixes all at once. */
export interface UnmappedUsageLine {
  reasons: MappingReason[];
}

/** The department a line was performed in: its own, else the message's. */
export const departmentOf = (message: UsageMessage, line: UsageLine): string | undefined =>
  line.departmentCode ?? message.departmentCode;

/**
 * How many base units one `uom` is for `item`: the base unit itself is 1, otherwise the item's
 * pack conversion; `undefined` when the item does not know the unit. Comparison ignores case
 * because EHRs send `ea` as often as `EA`.
 */
export const baseUnitFactor = (item: Item, uom: string | undefined): number | undefined => {
  if (uom === undefined) return 1;
  const wanted = uom.trim().toUpperCase();
  if (wanted === item.baseUom.toUpperCase()) return 1;
  return item.conversions.find((c) => c.uom.toUpperCase() === wanted)?.factor;
};

/**
 * The base-unit factor of a line's unit. A line that names its unit is converted by the item; a line
 * without one is taken in base units only when its charge code is priced per base unit (or it is not
 * identified by a charge code): a code priced per pack (`chargeUom` BX = 10 EA) would otherwise be
 * under-counted tenfold, so the missing unit is reported (`undefined` → UNKNOWN_UOM), never guessed.
 */
const lineUnitFactor = (item: Item, uom: string | undefined, chargeCode: ChargeCodeCrosswalk | undefined): number | undefined => {
  if (uom !== undefined) return baseUnitFactor(item, uom);
  const chargeUom = chargeCode?.chargeUom;
  if (chargeUom === undefined) return 1;
  return chargeUom.trim().toUpperCase() === item.baseUom.toUpperCase() ? 1 : undefined;
};

/** Rounds away binary noise (0.1 × 3) so base quantities stay the decimals people wrote. */
const cleanDecimal = (n: number): number => Math.round(n * 1e9) / 1e9;

/**
 * Map one usage line to HEM's item, location, cost center and base units.
 * A CREDIT line (or a negative quantity) becomes a negative base quantity: a reversal that
 * restores stock. Returns every reason the line cannot be mapped instead of the first only.
 */
export const mapUsageLine = (
  message: UsageMessage,
  line: UsageLine,
  lookups: MappingLookups,
  context: MappingContext,
): MappedUsageLine | UnmappedUsageLine => {
  const reasons: MappingReason[] = [];
  const { item, department, location, costCenter, parSetting } = lookups;

  if (line.item.system === 'CHARGE' && lookups.chargeCode === undefined) reasons.push('UNKNOWN_CHARGE_CODE');
  else if (line.item.system === 'GTIN' && item === undefined) reasons.push('UNKNOWN_GTIN');
  else if (item === undefined) reasons.push('UNKNOWN_ITEM');

  const factor = item === undefined ? undefined : lineUnitFactor(item, line.uom, line.item.system === 'CHARGE' ? lookups.chargeCode : undefined);
  if (item !== undefined && factor === undefined) reasons.push('UNKNOWN_UOM');

  // A department crosswalk that points at a location that does not exist is as unusable as a missing one.
  if (department === undefined || location === undefined) reasons.push('UNKNOWN_DEPARTMENT');
  else if (costCenter === undefined) reasons.push('UNKNOWN_COST_CENTER');

  if (item !== undefined && location !== undefined && parSetting === undefined) reasons.push('NO_PAR_SETTING');

  if (
    reasons.length > 0 ||
    item === undefined ||
    factor === undefined ||
    location === undefined ||
    costCenter === undefined
  ) {
    return { reasons };
  }

  const isReversal = line.transactionType === 'CREDIT' || line.quantity < 0;
  const baseQuantity = cleanDecimal(Math.abs(line.quantity) * factor) * (isReversal ? -1 : 1);
  const mapped: MappedUsageLine = {
    businessKey: usageLineBusinessKey(message, line.lineNumber),
    correlationId: context.correlationId,
    causationId: context.causationId,
    sourceSystem: message.sourceSystem,
    messageControlId: message.messageControlId,
    lineNumber: line.lineNumber,
    facilityId: location.facilityId,
    locationId: location.locationId,
    costCenter: costCenter.costCenter,
    glAccount: costCenter.glAccount,
    itemId: item.itemId,
    baseQuantity,
    baseUom: item.baseUom,
    transactionType: isReversal ? 'CREDIT' : 'CHARGE',
    serviceDate: line.serviceDate,
  };
  if (message.encounterRef !== undefined) mapped.encounterRef = message.encounterRef;
  return mapped;
};

/** Type guard: did `mapUsageLine` fail? */
export const isUnmapped = (result: MappedUsageLine | UnmappedUsageLine): result is UnmappedUsageLine =>
  'reasons' in result;

/**
 * Use cases: operators fix the crosswalks (charge code → item, department → location and cost
 * center). Every target must exist, so a fix cannot create a new kind of exception.
 */
import type { ChargeCodeCrosswalk, DepartmentCrosswalk } from '../../../contracts/reference';
import { ValidationError } from '../errors';
import type { Dependencies } from '../ports';

/** Who changed it and under which request, for the audit trail. */
export interface ChangeContext {
  actor: string;
  correlationId: string;
}

/** Create or replace a charge-code crosswalk entry; `ValidationError` naming `itemId` when the item is unknown. */
export const upsertChargeCode = async (
  deps: Pick<Dependencies, 'referenceData' | 'audit'>,
  entry: ChargeCodeCrosswalk,
  context: ChangeContext,
): Promise<ChargeCodeCrosswalk> => {
  const item = await deps.referenceData.getItem(entry.itemId);
  if (item === undefined) throw new ValidationError(`unknown item ${entry.itemId}`, { location: 'itemId' });
  await deps.referenceData.putChargeCode(entry);
  await deps.audit.append({
    actor: context.actor,
    action: 'crosswalk.updated',
    entity: `chargeCode:${entry.sourceSystem}/${entry.chargeCode}`,
    correlationId: context.correlationId,
    payload: entry,
  });
  return entry;
};

/**
 * Create or replace a department crosswalk entry. The location and the cost center must exist and
 * belong to the same facility (`ValidationError` naming the field otherwise).
 */
export const upsertDepartment = async (
  deps: Pick<Dependencies, 'referenceData' | 'audit'>,
  entry: DepartmentCrosswalk,
  context: ChangeContext,
): Promise<DepartmentCrosswalk> => {
  const [location, costCenter] = await Promise.all([
    deps.referenceData.getLocation(entry.locationId),
    deps.referenceData.getCostCenter(entry.costCenter),
  ]);
  if (location === undefined) throw new ValidationError(`unknown location ${entry.locationId}`, { location: 'locationId' });
  if (costCenter === undefined) throw new ValidationError(`unknown cost center ${entry.costCenter}`, { location: 'costCenter' });
  if (costCenter.facilityId !== location.facilityId) {
    throw new ValidationError(`cost center ${entry.costCenter} belongs to another facility than ${entry.locationId}`, {
      location: 'costCenter',
    });
  }
  await deps.referenceData.putDepartment(entry);
  await deps.audit.append({
    actor: context.actor,
    action: 'crosswalk.updated',
    entity: `department:${entry.sourceSystem}/${entry.facilityCode}/${entry.departmentCode}`,
    correlationId: context.correlationId,
    payload: entry,
  });
  return entry;
};

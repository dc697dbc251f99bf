import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../../../functions/domain/errors';
import { upsertChargeCode, upsertDepartment } from '../../../../functions/domain/use-cases/crosswalks';
import { fakeDependencies } from '../../fakes';

const context = { actor: 'ops-alice', correlationId: 'corr-ops' };

describe('crosswalk upserts', () => {
  it("stores a charge code pointing at an existing item and audits 'crosswalk.updated'", async () => {
    const deps = fakeDependencies();
    await upsertChargeCode(deps, { sourceSystem: 'EPIC', chargeCode: 'CHG-999999', itemId: 'ITM-10002' }, context);
    expect((await deps.referenceData.findChargeCode('EPIC', 'CHG-999999'))?.itemId).toBe('ITM-10002');
    expect(deps.audit.actions()).toStrictEqual(['crosswalk.updated']);
    expect(deps.audit.records[0]!.entity).toBe('chargeCode:EPIC/CHG-999999');
  });

  it('rejects a charge code for an unknown item with a ValidationError naming itemId', async () => {
    const deps = fakeDependencies();
    await expect(upsertChargeCode(deps, { sourceSystem: 'EPIC', chargeCode: 'CHG-999999', itemId: 'ITM-99999' }, context)).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof ValidationError && e.location === 'itemId'));
    expect(await deps.referenceData.findChargeCode('EPIC', 'CHG-999999')).toBe(undefined);
  });

  it('stores a department mapping to an existing location and cost center', async () => {
    const deps = fakeDependencies();
    await upsertDepartment(deps, { sourceSystem: 'EPIC', facilityCode: 'NMC', departmentCode: 'XRAY', locationId: 'NMC-ED', costCenter: 'CC-NMC-ED' }, context);
    expect((await deps.referenceData.findDepartment('EPIC', 'NMC', 'XRAY'))?.locationId).toBe('NMC-ED');
  });

  it('rejects unknown locations, unknown cost centers and cost centers of another facility', async () => {
    const deps = fakeDependencies();
    const base = { sourceSystem: 'EPIC', facilityCode: 'NMC', departmentCode: 'XRAY' };
    for (const [entry, location] of [
      [{ ...base, locationId: 'NMC-XRAY', costCenter: 'CC-NMC-ED' }, 'locationId'],
      [{ ...base, locationId: 'NMC-ED', costCenter: 'CC-NOPE' }, 'costCenter'],
      [{ ...base, locationId: 'NMC-ED', costCenter: 'CC-SCH-OR' }, 'costCenter'],
    ] as const) {
      await expect(upsertDepartment(deps, entry, context)).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof ValidationError && e.location === location));
    }
    expect(deps.audit.actions()).toStrictEqual([]);
  });
});

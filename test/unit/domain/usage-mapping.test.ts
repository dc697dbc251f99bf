import { describe, expect, it } from '@jest/globals';
import type { UsageLine } from '../../../contracts/usage';
import { baseUnitFactor, isUnmapped, mapUsageLine, type MappingLookups } from '../../../functions/domain/usage-mapping';
import { mappedUsageLine, sampleUsage, testReferenceData } from '../fakes';
import { expectTruthy } from '../../support/expect-narrowing';

const ref = testReferenceData();
const item = (id: string) => ref.items.find((i) => i.itemId === id)!;
const context = { correlationId: 'corr-1', causationId: 'evt-1' };

/** The lookups the use case would fetch for ITM-10001 in NMC OR. */
const gauzeAtNmcOr = (): MappingLookups => ({
  chargeCode: ref.chargeCodes[0],
  item: item('ITM-10001'),
  department: ref.departments[0],
  location: ref.locations[0],
  costCenter: ref.costCenters[0],
  parSetting: ref.parSettings[0],
});

const line = (overrides: Partial<UsageLine> = {}): UsageLine => ({ ...sampleUsage().lines[0]!, ...overrides });

describe('mapUsageLine', () => {
  it('maps a charge-code line to item, location, cost center, GL account and base units', () => {
    const usage = sampleUsage();
    const mapped = mapUsageLine(usage, usage.lines[0]!, gauzeAtNmcOr(), context);
    expect(mapped).toStrictEqual(mappedUsageLine());
  });

  it('converts a pack unit to base units with the item conversion (2 BX = 20 EA)', () => {
    const mapped = mapUsageLine(sampleUsage(), line({ quantity: 2, uom: 'BX' }), gauzeAtNmcOr(), context);
    expectTruthy(!isUnmapped(mapped));
    expect(mapped.baseQuantity).toBe(20);
  });

  it('treats a missing unit as the base unit and compares units case-insensitively', () => {
    expect(baseUnitFactor(item('ITM-10001'), undefined)).toBe(1);
    expect(baseUnitFactor(item('ITM-10001'), 'ea')).toBe(1);
    expect(baseUnitFactor(item('ITM-10001'), 'bx')).toBe(10);
  });

  it('makes a CREDIT line a negative base quantity (a reversal)', () => {
    const mapped = mapUsageLine(sampleUsage(), line({ transactionType: 'CREDIT', quantity: 3 }), gauzeAtNmcOr(), context);
    expectTruthy(!isUnmapped(mapped));
    expect(mapped.baseQuantity).toBe(-3);
    expect(mapped.transactionType).toBe('CREDIT');
  });

  it('treats a negative CHARGE quantity as a reversal of the same magnitude', () => {
    const mapped = mapUsageLine(sampleUsage(), line({ quantity: -1, uom: 'BX' }), gauzeAtNmcOr(), context);
    expectTruthy(!isUnmapped(mapped));
    expect(mapped.baseQuantity).toBe(-10);
    expect(mapped.transactionType).toBe('CREDIT');
  });

  it('keeps decimal base quantities free of binary noise (0.3 BX = 3 EA)', () => {
    const mapped = mapUsageLine(sampleUsage(), line({ quantity: 0.3, uom: 'BX' }), gauzeAtNmcOr(), context);
    expectTruthy(!isUnmapped(mapped));
    expect(mapped.baseQuantity).toBe(3);
  });

  it('omits encounterRef when the message has none', () => {
    const usage = sampleUsage({ encounterRef: undefined });
    const mapped = mapUsageLine(usage, usage.lines[0]!, gauzeAtNmcOr(), context);
    expect(isUnmapped(mapped)).toBe(false);
    expect('encounterRef' in mapped).toBe(false);
  });

  it('reports UNKNOWN_CHARGE_CODE when the crosswalk has no entry', () => {
    const result = mapUsageLine(sampleUsage(), line({ item: { system: 'CHARGE', value: 'CHG-999999' } }), { ...gauzeAtNmcOr(), chargeCode: undefined, item: undefined, parSetting: undefined }, context);
    expect(result).toStrictEqual({ reasons: ['UNKNOWN_CHARGE_CODE'] });
  });

  it('reports UNKNOWN_GTIN for an unknown GTIN and UNKNOWN_ITEM for an unknown item id', () => {
    const lookups = { ...gauzeAtNmcOr(), chargeCode: undefined, item: undefined, parSetting: undefined };
    expect(mapUsageLine(sampleUsage(), line({ item: { system: 'GTIN', value: '00000000000000' } }), lookups, context)).toStrictEqual({
      reasons: ['UNKNOWN_GTIN'],
    });
    expect(mapUsageLine(sampleUsage(), line({ item: { system: 'ITEM', value: 'ITM-0' } }), lookups, context)).toStrictEqual({
      reasons: ['UNKNOWN_ITEM'],
    });
  });

  it('reports UNKNOWN_UOM for a unit the item does not convert', () => {
    expect(mapUsageLine(sampleUsage(), line({ uom: 'CS' }), gauzeAtNmcOr(), context)).toStrictEqual({ reasons: ['UNKNOWN_UOM'] });
  });

  describe('issue #11 regression: a line without a unit on a charge code priced per pack', () => {
    const perBox = (): MappingLookups => ({ ...gauzeAtNmcOr(), chargeCode: { ...ref.chargeCodes[0]!, chargeUom: 'BX' } });
    const withoutUnit = (): UsageLine => {
      const { uom: _unit, ...rest } = line({ quantity: 2 });
      return rest;
    };

    it('is an UNKNOWN_UOM exception instead of 2 base units (a tenfold under-count)', () => {
      expect(mapUsageLine(sampleUsage(), withoutUnit(), perBox(), context)).toStrictEqual({ reasons: ['UNKNOWN_UOM'] });
    });

    it('is still converted by the item when the line names its unit', () => {
      const mapped = mapUsageLine(sampleUsage(), line({ quantity: 2, uom: 'BX' }), perBox(), context);
      expectTruthy(!isUnmapped(mapped));
      expect(mapped.baseQuantity).toBe(20);
    });

    it('reports a unit the item does not know as UNKNOWN_UOM too', () => {
      expect(mapUsageLine(sampleUsage(), line({ uom: 'CS' }), perBox(), context)).toStrictEqual({ reasons: ['UNKNOWN_UOM'] });
    });

    it('keeps base units for a line without a unit when the crosswalk prices the code per base unit', () => {
      const perEach = { ...gauzeAtNmcOr(), chargeCode: { ...ref.chargeCodes[0]!, chargeUom: 'ea' } };
      const mapped = mapUsageLine(sampleUsage(), withoutUnit(), perEach, context);
      expectTruthy(!isUnmapped(mapped));
      expect(mapped.baseQuantity).toBe(2);
    });

    it('keeps base units for a line without a unit when the crosswalk names no pricing unit (per base unit)', () => {
      const mapped = mapUsageLine(sampleUsage(), withoutUnit(), gauzeAtNmcOr(), context);
      expectTruthy(!isUnmapped(mapped));
      expect(mapped.baseQuantity).toBe(2);
    });
  });

  it('reports UNKNOWN_DEPARTMENT when neither line nor message names a mapped department', () => {
    const usage = sampleUsage({ departmentCode: undefined });
    const lookups = { ...gauzeAtNmcOr(), department: undefined, location: undefined, costCenter: undefined, parSetting: undefined };
    expect(mapUsageLine(usage, usage.lines[0]!, lookups, context)).toStrictEqual({ reasons: ['UNKNOWN_DEPARTMENT'] });
  });

  it('reports UNKNOWN_COST_CENTER when the department points at a cost center that does not exist', () => {
    expect(mapUsageLine(sampleUsage(), line(), { ...gauzeAtNmcOr(), costCenter: undefined }, context)).toStrictEqual({
      reasons: ['UNKNOWN_COST_CENTER'],
    });
  });

  it('reports NO_PAR_SETTING when the item is not stocked at the location', () => {
    expect(mapUsageLine(sampleUsage(), line(), { ...gauzeAtNmcOr(), parSetting: undefined }, context)).toStrictEqual({
      reasons: ['NO_PAR_SETTING'],
    });
  });

  it('reports every reason at once so an operator can fix them together', () => {
    const result = mapUsageLine(sampleUsage(), line({ item: { system: 'CHARGE', value: 'CHG-999999' } }), {}, context);
    expect(result).toStrictEqual({ reasons: ['UNKNOWN_CHARGE_CODE', 'UNKNOWN_DEPARTMENT'] });
  });
});

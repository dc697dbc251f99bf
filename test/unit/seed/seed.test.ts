import { describe, expect, it } from '@jest/globals';
import { ReferenceDataSetSchema } from '../../../contracts/reference';
import { isValidGln, isValidGtin } from '../../../local/gs1';
import { buildSeedData, costCenterOf, parSettingsByLocation, seedSummary } from '../../../local/seed';
import { expectTruthy } from '../../support/expect-narrowing';

const data = buildSeedData();

describe('buildSeedData', () => {
  it('produces a reference data set that satisfies ReferenceDataSetSchema', () => {
    const parsed = ReferenceDataSetSchema.safeParse(data);
    expect(parsed.success).toBe(true);
  });

  it('is deterministic: two builds are deeply equal', () => {
    expect(buildSeedData()).toStrictEqual(data);
  });

  it('seeds 2 facilities, 6 par locations, 160 items and 160 charge codes', () => {
    expect(data.facilities.length).toBe(2);
    expect(data.locations.length).toBe(6);
    expect(data.items.length >= 150).toBeTruthy();
    expect(data.items.length).toBe(160);
    expect(data.chargeCodes.length).toBe(160);
    expect(data.items[0]?.itemId).toBe('ITM-10001');
    expect(data.items.at(-1)?.itemId).toBe('ITM-10160');
  });

  it('names the two facilities as the common brief fixes them, with valid GLNs', () => {
    expect(data.facilities.map((f) => [f.facilityId, f.name])).toStrictEqual([
        ['FAC-NMC', 'North Medical Center'],
        ['FAC-SCH', 'South Community Hospital'],
      ]);
    for (const facility of data.facilities) {
      expect(isValidGln(facility.gln)).toBe(true);
    }
  });

  it('gives each of the six par locations its CC-<location> cost center and a 6410 supplies expense account', () => {
    expect(data.locations.map((l) => l.locationId)).toStrictEqual(['NMC-OR', 'NMC-CATH', 'NMC-ED', 'SCH-OR', 'SCH-ICU', 'SCH-LD']);
    for (const location of data.locations) {
      expect(location.kind).toBe('PAR');
      expect(location.costCenter).toBe(costCenterOf(location.locationId));
      expect(location.facilityId).toBe(location.locationId.startsWith('NMC') ? 'FAC-NMC' : 'FAC-SCH');
      const costCenter = data.costCenters.find((c) => c.costCenter === location.costCenter);
      expectTruthy(costCenter);
      expect(costCenter.facilityId).toBe(location.facilityId);
      expect(costCenter.glAccount).toMatch(/^6410-\d{3}$/);
    }
  });

  it('crosswalks the EPIC departments of each facility to their location and cost center', () => {
    const rows = data.departments.map((d) => `${d.sourceSystem}|${d.facilityCode}|${d.departmentCode}->${d.locationId}|${d.costCenter}`);
    expect(rows.sort()).toStrictEqual([
      'EPIC|NMC|CATH->NMC-CATH|CC-NMC-CATH',
      'EPIC|NMC|ED->NMC-ED|CC-NMC-ED',
      'EPIC|NMC|OR->NMC-OR|CC-NMC-OR',
      'EPIC|SCH|ICU->SCH-ICU|CC-SCH-ICU',
      'EPIC|SCH|LD->SCH-LD|CC-SCH-LD',
      'EPIC|SCH|OR->SCH-OR|CC-SCH-OR',
    ]);
  });

  it('does not seed charge code CHG-999999 or department XRAY (tests use them for exceptions)', () => {
    expect(data.chargeCodes.some((c) => c.chargeCode === 'CHG-999999')).toBe(false);
    expect(data.departments.some((d) => d.departmentCode === 'XRAY')).toBe(false);
  });

  it('gives every item a valid, unique GTIN-14', () => {
    const gtins = data.items.map((i) => i.gtin);
    for (const gtin of gtins) {
      expect(gtin.length).toBe(14);
      expect(isValidGtin(gtin)).toBe(true);
    }
    expect(new Set(gtins).size).toBe(gtins.length);
  });

  it('describes every item as a med-surg product with manufacturer, catalog number, UNSPSC 42 and a supplier', () => {
    const suppliers = new Set(['SUP-MEDLINE', 'SUP-CARDINAL', 'SUP-OWENS', 'SUP-BD']);
    expect(new Set(data.items.map((i) => i.description)).size).toBe(data.items.length);
    for (const item of data.items) {
      expect(item.unspsc ?? '').toMatch(/^42\d{6}$/);
      expect(item.manufacturer).toBeTruthy();
      expect(item.manufacturerCatalogNumber).toBeTruthy();
      expect(item.supplierCatalogNumber).toBeTruthy();
      expect(suppliers.has(item.supplierId ?? '')).toBeTruthy();
      expect(item.unitCost > 0).toBeTruthy();
      expect(Math.round(item.unitCost * 100) / 100).toBe(item.unitCost);
    }
    expect(new Set(data.items.map((i) => i.supplierId))).toStrictEqual(suppliers);
  });

  it('stocks every item in base unit EA, buys it by BX or CS, and lists each pack conversion including EA = 1', () => {
    for (const item of data.items) {
      expect(item.baseUom).toBe('EA');
      expect(['BX', 'CS'].includes(item.purchaseUom)).toBeTruthy();
      expect(item.conversions[0]).toStrictEqual({ uom: 'EA', factor: 1 });
      const purchase = item.conversions.find((c) => c.uom === item.purchaseUom);
      expectTruthy(purchase);
      const box = item.conversions.find((c) => c.uom === 'BX');
      if (item.purchaseUom === 'CS' && box) {
        expect(purchase.factor % box.factor).toBe(0);
        expect(purchase.factor > box.factor).toBeTruthy();
      }
    }
  });

  it('maps charge codes CHG-100001… 1:1 to existing items for sourceSystem EPIC', () => {
    const itemIds = new Set(data.items.map((i) => i.itemId));
    data.chargeCodes.forEach((c, index) => {
      expect(c.sourceSystem).toBe('EPIC');
      expect(c.chargeCode).toBe(`CHG-${100001 + index}`);
      expect(itemIds.has(c.itemId)).toBeTruthy();
    });
    expect(new Set(data.chargeCodes.map((c) => c.itemId)).size).toBe(data.items.length);
  });

  it('gives every par setting an existing location and item, reorderPoint < parLevel and an opening stock that does not reorder', () => {
    const itemIds = new Set(data.items.map((i) => i.itemId));
    const locationIds = new Set(data.locations.map((l) => l.locationId));
    const keys = new Set<string>();
    for (const p of data.parSettings) {
      expect(locationIds.has(p.locationId)).toBeTruthy();
      expect(itemIds.has(p.itemId)).toBeTruthy();
      expect(p.reorderPoint < p.parLevel).toBeTruthy();
      expect(p.initialOnHand > p.reorderPoint && p.initialOnHand <= p.parLevel).toBeTruthy();
      const key = `${p.locationId}|${p.itemId}`;
      expect(keys.has(key)).toBe(false);
      keys.add(key);
    }
  });

  it('stocks every item at NMC-OR and a realistic subset (40–80 items) at each other location', () => {
    const counts = parSettingsByLocation(data);
    expect(counts['NMC-OR']).toBe(160);
    for (const locationId of ['NMC-CATH', 'NMC-ED', 'SCH-OR', 'SCH-ICU', 'SCH-LD']) {
      const count = counts[locationId] ?? 0;
      expect(count >= 40 && count <= 80).toBeTruthy();
    }
  });

  it('keeps the anchor rows exactly as the common brief fixes them', () => {
    const find = (itemId: string): (typeof data.items)[number] | undefined => data.items.find((i) => i.itemId === itemId);
    const par = (itemId: string): unknown => {
      const p = data.parSettings.find((s) => s.locationId === 'NMC-OR' && s.itemId === itemId);
      return p && { parLevel: p.parLevel, reorderPoint: p.reorderPoint, initialOnHand: p.initialOnHand };
    };
    const gauze = find('ITM-10001');
    expect(gauze?.description).toBe('Sponge, gauze 4x4 in, sterile');
    expect(gauze?.baseUom).toBe('EA');
    expect(gauze?.purchaseUom).toBe('BX');
    expect(gauze?.conversions.find((c) => c.uom === 'BX')).toStrictEqual({ uom: 'BX', factor: 10 });
    expect(gauze?.unitCost).toBe(0.45);
    expect(gauze?.currency).toBe('USD');
    expect(par('ITM-10001')).toStrictEqual({ parLevel: 100, reorderPoint: 40, initialOnHand: 60 });

    const suture = find('ITM-10002');
    expect(suture?.description).toBe('Suture, polyglactin 3-0, 27 in');
    expect(suture?.baseUom).toBe('EA');
    expect(suture?.purchaseUom).toBe('BX');
    expect(suture?.conversions.find((c) => c.uom === 'BX')).toStrictEqual({ uom: 'BX', factor: 12 });
    expect(suture?.unitCost).toBe(3.1);
    expect(par('ITM-10002')).toStrictEqual({ parLevel: 48, reorderPoint: 12, initialOnHand: 30 });

    expect(data.chargeCodes.filter((c) => c.chargeCode === 'CHG-100001' || c.chargeCode === 'CHG-100002')).toStrictEqual([
        { sourceSystem: 'EPIC', chargeCode: 'CHG-100001', itemId: 'ITM-10001' },
        { sourceSystem: 'EPIC', chargeCode: 'CHG-100002', itemId: 'ITM-10002' },
      ]);
  });
});

describe('seedSummary', () => {
  it('counts every collection of the data set', () => {
    const summary = seedSummary(data);
    expect(summary.facilities).toBe(2);
    expect(summary.locations).toBe(6);
    expect(summary.costCenters).toBe(6);
    expect(summary.items).toBe(160);
    expect(summary.chargeCodes).toBe(160);
    expect(summary.departments).toBe(6);
    expect(summary.parSettings).toBe(data.parSettings.length);
    const asRecord: Record<string, number> = summary;
    expect(Object.values(asRecord).every((n) => Number.isInteger(n) && n > 0)).toBeTruthy();
  });

  it('counts par settings per location so they add up to the total', () => {
    expect(Object.values(parSettingsByLocation(data)).reduce((a, b) => a + b, 0)).toBe(data.parSettings.length);
  });
});

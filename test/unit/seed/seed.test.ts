import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceDataSetSchema } from '../../../contracts/reference';
import { isValidGln, isValidGtin } from '../../../local/gs1';
import { buildSeedData, costCenterOf, parSettingsByLocation, seedSummary } from '../../../local/seed';

const data = buildSeedData();

describe('buildSeedData', () => {
  it('produces a reference data set that satisfies ReferenceDataSetSchema', () => {
    const parsed = ReferenceDataSetSchema.safeParse(data);
    assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3)));
  });

  it('is deterministic: two builds are deeply equal', () => {
    assert.deepEqual(buildSeedData(), data);
  });

  it('seeds 2 facilities, 6 par locations, 160 items and 160 charge codes', () => {
    assert.equal(data.facilities.length, 2);
    assert.equal(data.locations.length, 6);
    assert.ok(data.items.length >= 150);
    assert.equal(data.items.length, 160);
    assert.equal(data.chargeCodes.length, 160);
    assert.equal(data.items[0]?.itemId, 'ITM-10001');
    assert.equal(data.items.at(-1)?.itemId, 'ITM-10160');
  });

  it('names the two facilities as the common brief fixes them, with valid GLNs', () => {
    assert.deepEqual(
      data.facilities.map((f) => [f.facilityId, f.name]),
      [
        ['FAC-NMC', 'North Medical Center'],
        ['FAC-SCH', 'South Community Hospital'],
      ],
    );
    for (const facility of data.facilities) {
      assert.equal(isValidGln(facility.gln), true, facility.gln);
    }
  });

  it('gives each of the six par locations its CC-<location> cost center and a 6410 supplies expense account', () => {
    assert.deepEqual(
      data.locations.map((l) => l.locationId),
      ['NMC-OR', 'NMC-CATH', 'NMC-ED', 'SCH-OR', 'SCH-ICU', 'SCH-LD'],
    );
    for (const location of data.locations) {
      assert.equal(location.kind, 'PAR');
      assert.equal(location.costCenter, costCenterOf(location.locationId));
      assert.equal(location.facilityId, location.locationId.startsWith('NMC') ? 'FAC-NMC' : 'FAC-SCH');
      const costCenter = data.costCenters.find((c) => c.costCenter === location.costCenter);
      assert.ok(costCenter, location.costCenter);
      assert.equal(costCenter.facilityId, location.facilityId);
      assert.match(costCenter.glAccount, /^6410-\d{3}$/);
    }
  });

  it('crosswalks the EPIC departments of each facility to their location and cost center', () => {
    const rows = data.departments.map((d) => `${d.sourceSystem}|${d.facilityCode}|${d.departmentCode}->${d.locationId}|${d.costCenter}`);
    assert.deepEqual(rows.sort(), [
      'EPIC|NMC|CATH->NMC-CATH|CC-NMC-CATH',
      'EPIC|NMC|ED->NMC-ED|CC-NMC-ED',
      'EPIC|NMC|OR->NMC-OR|CC-NMC-OR',
      'EPIC|SCH|ICU->SCH-ICU|CC-SCH-ICU',
      'EPIC|SCH|LD->SCH-LD|CC-SCH-LD',
      'EPIC|SCH|OR->SCH-OR|CC-SCH-OR',
    ]);
  });

  it('does not seed charge code CHG-999999 or department XRAY (tests use them for exceptions)', () => {
    assert.equal(data.chargeCodes.some((c) => c.chargeCode === 'CHG-999999'), false);
    assert.equal(data.departments.some((d) => d.departmentCode === 'XRAY'), false);
  });

  it('gives every item a valid, unique GTIN-14', () => {
    const gtins = data.items.map((i) => i.gtin);
    for (const gtin of gtins) {
      assert.equal(gtin.length, 14, gtin);
      assert.equal(isValidGtin(gtin), true, gtin);
    }
    assert.equal(new Set(gtins).size, gtins.length);
  });

  it('describes every item as a med-surg product with manufacturer, catalog number, UNSPSC 42 and a supplier', () => {
    const suppliers = new Set(['SUP-MEDLINE', 'SUP-CARDINAL', 'SUP-OWENS', 'SUP-BD']);
    assert.equal(new Set(data.items.map((i) => i.description)).size, data.items.length);
    for (const item of data.items) {
      assert.match(item.unspsc ?? '', /^42\d{6}$/, item.itemId);
      assert.ok(item.manufacturer, item.itemId);
      assert.ok(item.manufacturerCatalogNumber, item.itemId);
      assert.ok(item.supplierCatalogNumber, item.itemId);
      assert.ok(suppliers.has(item.supplierId ?? ''), item.itemId);
      assert.ok(item.unitCost > 0, item.itemId);
      assert.equal(Math.round(item.unitCost * 100) / 100, item.unitCost, `${item.itemId} cost has whole cents`);
    }
    assert.deepEqual(new Set(data.items.map((i) => i.supplierId)), suppliers);
  });

  it('stocks every item in base unit EA, buys it by BX or CS, and lists each pack conversion including EA = 1', () => {
    for (const item of data.items) {
      assert.equal(item.baseUom, 'EA');
      assert.ok(['BX', 'CS'].includes(item.purchaseUom), item.itemId);
      assert.deepEqual(item.conversions[0], { uom: 'EA', factor: 1 });
      const purchase = item.conversions.find((c) => c.uom === item.purchaseUom);
      assert.ok(purchase, `${item.itemId} has a conversion for its purchase UoM`);
      const box = item.conversions.find((c) => c.uom === 'BX');
      if (item.purchaseUom === 'CS' && box) {
        assert.equal(purchase.factor % box.factor, 0, `${item.itemId}: a case holds whole boxes`);
        assert.ok(purchase.factor > box.factor, item.itemId);
      }
    }
  });

  it('maps charge codes CHG-100001… 1:1 to existing items for sourceSystem EPIC', () => {
    const itemIds = new Set(data.items.map((i) => i.itemId));
    data.chargeCodes.forEach((c, index) => {
      assert.equal(c.sourceSystem, 'EPIC');
      assert.equal(c.chargeCode, `CHG-${100001 + index}`);
      assert.ok(itemIds.has(c.itemId), c.itemId);
    });
    assert.equal(new Set(data.chargeCodes.map((c) => c.itemId)).size, data.items.length);
  });

  it('gives every par setting an existing location and item, reorderPoint < parLevel and an opening stock that does not reorder', () => {
    const itemIds = new Set(data.items.map((i) => i.itemId));
    const locationIds = new Set(data.locations.map((l) => l.locationId));
    const keys = new Set<string>();
    for (const p of data.parSettings) {
      assert.ok(locationIds.has(p.locationId), p.locationId);
      assert.ok(itemIds.has(p.itemId), p.itemId);
      assert.ok(p.reorderPoint < p.parLevel, `${p.locationId}/${p.itemId}`);
      assert.ok(p.initialOnHand > p.reorderPoint && p.initialOnHand <= p.parLevel, `${p.locationId}/${p.itemId}`);
      const key = `${p.locationId}|${p.itemId}`;
      assert.equal(keys.has(key), false, `duplicate par setting ${key}`);
      keys.add(key);
    }
  });

  it('stocks every item at NMC-OR and a realistic subset (40–80 items) at each other location', () => {
    const counts = parSettingsByLocation(data);
    assert.equal(counts['NMC-OR'], 160);
    for (const locationId of ['NMC-CATH', 'NMC-ED', 'SCH-OR', 'SCH-ICU', 'SCH-LD']) {
      const count = counts[locationId] ?? 0;
      assert.ok(count >= 40 && count <= 80, `${locationId}: ${count}`);
    }
  });

  it('keeps the anchor rows exactly as the common brief fixes them', () => {
    const find = (itemId: string): (typeof data.items)[number] | undefined => data.items.find((i) => i.itemId === itemId);
    const par = (itemId: string): unknown => {
      const p = data.parSettings.find((s) => s.locationId === 'NMC-OR' && s.itemId === itemId);
      return p && { parLevel: p.parLevel, reorderPoint: p.reorderPoint, initialOnHand: p.initialOnHand };
    };
    const gauze = find('ITM-10001');
    assert.equal(gauze?.description, 'Sponge, gauze 4x4 in, sterile');
    assert.equal(gauze?.baseUom, 'EA');
    assert.equal(gauze?.purchaseUom, 'BX');
    assert.deepEqual(gauze?.conversions.find((c) => c.uom === 'BX'), { uom: 'BX', factor: 10 });
    assert.equal(gauze?.unitCost, 0.45);
    assert.equal(gauze?.currency, 'USD');
    assert.deepEqual(par('ITM-10001'), { parLevel: 100, reorderPoint: 40, initialOnHand: 60 });

    const suture = find('ITM-10002');
    assert.equal(suture?.description, 'Suture, polyglactin 3-0, 27 in');
    assert.equal(suture?.baseUom, 'EA');
    assert.equal(suture?.purchaseUom, 'BX');
    assert.deepEqual(suture?.conversions.find((c) => c.uom === 'BX'), { uom: 'BX', factor: 12 });
    assert.equal(suture?.unitCost, 3.1);
    assert.deepEqual(par('ITM-10002'), { parLevel: 48, reorderPoint: 12, initialOnHand: 30 });

    assert.deepEqual(
      data.chargeCodes.filter((c) => c.chargeCode === 'CHG-100001' || c.chargeCode === 'CHG-100002'),
      [
        { sourceSystem: 'EPIC', chargeCode: 'CHG-100001', itemId: 'ITM-10001' },
        { sourceSystem: 'EPIC', chargeCode: 'CHG-100002', itemId: 'ITM-10002' },
      ],
    );
  });
});

describe('seedSummary', () => {
  it('counts every collection of the data set', () => {
    const summary = seedSummary(data);
    assert.equal(summary.facilities, 2);
    assert.equal(summary.locations, 6);
    assert.equal(summary.costCenters, 6);
    assert.equal(summary.items, 160);
    assert.equal(summary.chargeCodes, 160);
    assert.equal(summary.departments, 6);
    assert.equal(summary.parSettings, data.parSettings.length);
    const asRecord: Record<string, number> = summary;
    assert.ok(Object.values(asRecord).every((n) => Number.isInteger(n) && n > 0));
  });

  it('counts par settings per location so they add up to the total', () => {
    assert.equal(
      Object.values(parSettingsByLocation(data)).reduce((a, b) => a + b, 0),
      data.parSettings.length,
    );
  });
});

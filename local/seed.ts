/**
 * Reference data of the seeded hospital: two facilities of one health system, six point-of-use
 * par locations, their cost centers and GL accounts, the EPIC crosswalks (departments and charge
 * codes) and a 160-item med-surg item master with par settings.
 *
 * Deterministic by construction (no randomness, no clock): fixtures, e2e tests and the demo rely
 * on the exact names below, in particular the anchor rows ITM-10001 and ITM-10002.
 */
import type {
  ChargeCodeCrosswalk,
  CostCenter,
  DepartmentCrosswalk,
  Facility,
  Item,
  Location,
  ParSetting,
  ReferenceDataSet,
  UomConversionSchema,
} from '../contracts/reference';
import type { z } from 'zod';
import { withCheckDigit } from './gs1';
import { CATALOG, MANUFACTURERS } from './seed-data/catalog';
import type { ItemTemplate, Pack, SeedLocationId, SeedSupplierId, Variant } from './seed-data/catalog';

export type { SeedLocationId, SeedSupplierId } from './seed-data/catalog';

/** MSH-3 / `sourceSystem` of every crosswalk row: the hospital's EHR. */
export const SEED_SOURCE_SYSTEM = 'EPIC';

/** How many items the item master holds (ITM-10001 … ITM-10160). */
export const SEED_ITEM_COUNT = 160;

/** The four suppliers replenishment orders go to. */
export const SEED_SUPPLIERS: readonly { supplierId: SeedSupplierId; name: string }[] = [
  { supplierId: 'SUP-MEDLINE', name: 'Medline Industries' },
  { supplierId: 'SUP-CARDINAL', name: 'Cardinal Health' },
  { supplierId: 'SUP-OWENS', name: 'Owens & Minor' },
  { supplierId: 'SUP-BD', name: 'BD (Becton, Dickinson and Company)' },
];

interface FacilitySeed {
  facilityId: string;
  /** MSH-4 sending facility code used by the EPIC crosswalk. */
  facilityCode: string;
  name: string;
  /** GLN body: 12 digits, the check digit is computed. */
  glnBody: string;
}

const FACILITIES: readonly FacilitySeed[] = [
  { facilityId: 'FAC-NMC', facilityCode: 'NMC', name: 'North Medical Center', glnBody: '086120000001' },
  { facilityId: 'FAC-SCH', facilityCode: 'SCH', name: 'South Community Hospital', glnBody: '086120000002' },
];

interface LocationSeed {
  locationId: SeedLocationId;
  facilityId: string;
  /** EPIC department code (FT1-13 / PV1-3) that maps to this location. */
  departmentCode: string;
  name: string;
  /** Medical supplies expense account of the cost center (6410 = medical-surgical supplies). */
  glAccount: string;
  /** Par size relative to the NMC main OR: a community hospital unit keeps less on the shelf. */
  parScale: number;
}

const LOCATIONS: readonly LocationSeed[] = [
  { locationId: 'NMC-OR', facilityId: 'FAC-NMC', departmentCode: 'OR', name: 'NMC Main Operating Rooms', glAccount: '6410-110', parScale: 1 },
  { locationId: 'NMC-CATH', facilityId: 'FAC-NMC', departmentCode: 'CATH', name: 'NMC Cardiac Catheterization Lab', glAccount: '6410-120', parScale: 0.5 },
  { locationId: 'NMC-ED', facilityId: 'FAC-NMC', departmentCode: 'ED', name: 'NMC Emergency Department', glAccount: '6410-130', parScale: 0.75 },
  { locationId: 'SCH-OR', facilityId: 'FAC-SCH', departmentCode: 'OR', name: 'SCH Surgical Services', glAccount: '6410-210', parScale: 0.6 },
  { locationId: 'SCH-ICU', facilityId: 'FAC-SCH', departmentCode: 'ICU', name: 'SCH Intensive Care Unit', glAccount: '6410-220', parScale: 0.6 },
  { locationId: 'SCH-LD', facilityId: 'FAC-SCH', departmentCode: 'LD', name: 'SCH Labor and Delivery', glAccount: '6410-230', parScale: 0.4 },
];

/** The two rows fixtures and tests rely on: they are ITM-10001 and ITM-10002 whatever the catalog order. */
const ANCHOR_DESCRIPTIONS: readonly string[] = ['Sponge, gauze 4x4 in, sterile', 'Suture, polyglactin 3-0, 27 in'];

/** Cost-center id of a location: `CC-` + location id. */
export const costCenterOf = (locationId: string): string => `CC-${locationId}`;

/** Item id of the n-th item (1-based): ITM-10001 … */
export const seedItemId = (n: number): string => `ITM-${10000 + n}`;

/** EPIC charge code of the n-th item (1-based): CHG-100001 … */
export const seedChargeCode = (n: number): string => `CHG-${100000 + n}`;

type UomConversion = z.infer<typeof UomConversionSchema>;

/** One expanded catalog row before numbering. */
interface CatalogRow {
  template: ItemTemplate;
  variant: Variant;
  variantIndex: number;
  description: string;
}

const expandCatalog = (): CatalogRow[] => {
  const rows = CATALOG.flatMap((template) =>
    template.variants.map((variant, variantIndex) => ({
      template,
      variant,
      variantIndex,
      description: `${template.stem}${template.join ?? ' '}${variant.spec}`,
    })),
  );
  const anchors = ANCHOR_DESCRIPTIONS.map((description) => {
    const row = rows.find((r) => r.description === description);
    if (row === undefined) {
      throw new Error(`seed catalog lost its anchor row "${description}"`);
    }
    return row;
  });
  const ordered = [...anchors, ...rows.filter((r) => !anchors.includes(r))];
  if (ordered.length !== SEED_ITEM_COUNT) {
    throw new Error(`seed catalog expands to ${ordered.length} items, expected ${SEED_ITEM_COUNT}`);
  }
  return ordered;
};

/** Base unit first (factor 1), then every pack level the item is sold in. */
const conversionsOf = (pack: Pack): UomConversion[] => {
  if (pack.uom === 'BX') {
    return [
      { uom: 'EA', factor: 1 },
      { uom: 'BX', factor: pack.each },
    ];
  }
  // A case of loose units has no box level in between.
  const box: UomConversion[] = pack.boxes > 1 ? [{ uom: 'BX', factor: pack.each }] : [];
  return [{ uom: 'EA', factor: 1 }, ...box, { uom: 'CS', factor: pack.each * pack.boxes }];
};

/** A distributor's own part number: 7 digits spread over the number space so lists don't look sequential. */
const distributorCatalogNumber = (supplierId: SeedSupplierId, n: number): string => {
  const digits = String(1_000_000 + ((n * 7919) % 8_999_999));
  switch (supplierId) {
    case 'SUP-MEDLINE':
      return `MDL${digits}`;
    case 'SUP-CARDINAL':
      return `CAH${digits}`;
    case 'SUP-OWENS':
      return `OM${digits}`;
    case 'SUP-BD':
      return `BD${digits}`;
  }
};

const roundCents = (value: number): number => Math.round(value * 100) / 100;

const buildItems = (rows: readonly CatalogRow[]): Item[] => {
  const gtinSerials = new Map<string, number>();
  return rows.map((row, index) => {
    const n = index + 1;
    const { template, variant, variantIndex } = row;
    const manufacturer = MANUFACTURERS[template.manufacturer];
    const serial = (gtinSerials.get(template.manufacturer) ?? 0) + 1;
    gtinSerials.set(template.manufacturer, serial);
    const pack = variant.pack ?? template.pack;
    const { prefix, start, step = 1, suffix = '' } = template.catalog;
    const manufacturerCatalogNumber = variant.catalogNumber ?? `${prefix}${start + variantIndex * step}${suffix}`;
    return {
      itemId: seedItemId(n),
      description: row.description,
      // Indicator 0 (the each level) + company prefix + 5-digit item reference + check digit.
      gtin: withCheckDigit(`0${manufacturer.gs1CompanyPrefix}${String(10000 + serial * 7).padStart(5, '0')}`),
      unspsc: template.unspsc,
      manufacturer: manufacturer.name,
      manufacturerCatalogNumber,
      baseUom: 'EA',
      purchaseUom: pack.uom,
      conversions: conversionsOf(pack),
      unitCost: roundCents(variant.unitCost ?? template.unitCost),
      currency: 'USD',
      supplierId: template.supplierId,
      supplierCatalogNumber:
        'sellsDirectAs' in manufacturer && manufacturer.sellsDirectAs === template.supplierId
          ? manufacturerCatalogNumber
          : distributorCatalogNumber(template.supplierId, n),
    };
  });
};

/**
 * Opening stock strictly above the reorder point and at most the par level, so nothing reorders
 * at start; spread over that range by a fixed formula so positions don't all look alike.
 */
const openingStock = (parLevel: number, reorderPoint: number, itemNumber: number, locationIndex: number): number => {
  const headroom = parLevel - reorderPoint - 1;
  const fraction = ((itemNumber * 7 + locationIndex * 3) % 10) / 10;
  return reorderPoint + 1 + Math.floor(headroom * fraction);
};

const buildParSettings = (rows: readonly CatalogRow[]): ParSetting[] => {
  const settings: ParSetting[] = [];
  LOCATIONS.forEach((location, locationIndex) => {
    rows.forEach((row, index) => {
      const n = index + 1;
      const stocked = location.locationId === 'NMC-OR' || (row.variant.at ?? row.template.at).includes(location.locationId);
      if (!stocked) {
        return;
      }
      const [orPar, orReorderPoint] = row.variant.par ?? row.template.par;
      const parLevel = Math.max(2, Math.round(orPar * location.parScale));
      const reorderPoint = Math.min(parLevel - 1, Math.max(1, Math.round(orReorderPoint * location.parScale)));
      const explicitOpening = location.locationId === 'NMC-OR' ? row.variant.initialOnHand : undefined;
      settings.push({
        locationId: location.locationId,
        itemId: seedItemId(n),
        parLevel,
        reorderPoint,
        initialOnHand: explicitOpening ?? openingStock(parLevel, reorderPoint, n, locationIndex),
      });
    });
  });
  return settings;
};

/** Builds the whole reference data set of the seeded hospital. Pure and deterministic: same output on every call. */
export function buildSeedData(): ReferenceDataSet {
  const rows = expandCatalog();
  const items = buildItems(rows);

  const facilities: Facility[] = FACILITIES.map((f) => ({ facilityId: f.facilityId, name: f.name, gln: withCheckDigit(f.glnBody) }));
  const facilityName = new Map(FACILITIES.map((f) => [f.facilityId, f.name]));
  const facilityCode = new Map(FACILITIES.map((f) => [f.facilityId, f.facilityCode]));

  const locations: Location[] = LOCATIONS.map((l) => ({
    locationId: l.locationId,
    facilityId: l.facilityId,
    name: l.name,
    kind: 'PAR',
    costCenter: costCenterOf(l.locationId),
  }));

  const costCenters: CostCenter[] = LOCATIONS.map((l) => ({
    costCenter: costCenterOf(l.locationId),
    name: `${facilityName.get(l.facilityId) ?? l.facilityId}: ${l.name.replace(/^(NMC|SCH) /, '')}`,
    facilityId: l.facilityId,
    glAccount: l.glAccount,
  }));

  const departments: DepartmentCrosswalk[] = LOCATIONS.map((l) => ({
    sourceSystem: SEED_SOURCE_SYSTEM,
    facilityCode: facilityCode.get(l.facilityId) ?? l.facilityId,
    departmentCode: l.departmentCode,
    locationId: l.locationId,
    costCenter: costCenterOf(l.locationId),
  }));

  const chargeCodes: ChargeCodeCrosswalk[] = items.map((item, index) => ({
    sourceSystem: SEED_SOURCE_SYSTEM,
    chargeCode: seedChargeCode(index + 1),
    itemId: item.itemId,
  }));

  return { facilities, locations, costCenters, items, parSettings: buildParSettings(rows), chargeCodes, departments };
}

/**
 * Row counts of a reference data set, for `npm start` to print. A type alias of plain numbers, so it
 * is assignable to `Record<string, number>`.
 */
export type SeedSummary = {
  facilities: number;
  locations: number;
  costCenters: number;
  items: number;
  parSettings: number;
  chargeCodes: number;
  departments: number;
};

/** Counts what a reference data set holds (what `npm start` prints after seeding). */
export function seedSummary(data: ReferenceDataSet): SeedSummary {
  return {
    facilities: data.facilities.length,
    locations: data.locations.length,
    costCenters: data.costCenters.length,
    items: data.items.length,
    parSettings: data.parSettings.length,
    chargeCodes: data.chargeCodes.length,
    departments: data.departments.length,
  };
}

/** Number of par settings (stocked items) per location id. */
export function parSettingsByLocation(data: ReferenceDataSet): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const setting of data.parSettings) {
    counts[setting.locationId] = (counts[setting.locationId] ?? 0) + 1;
  }
  return counts;
}

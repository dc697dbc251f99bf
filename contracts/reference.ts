/**
 * Reference data (the crosswalks): items, locations, cost centers and the EHR code mappings.
 * Stored in the reference table; seeded locally by `local/seed.ts`.
 */
import * as z from 'zod';

/** A pack conversion: 1 `uom` = `factor` base units (e.g. 1 BX = 10 EA). */
export const UomConversionSchema = z.object({
  uom: z.string().min(1).max(16),
  factor: z.number().int().positive(),
});

export const ItemSchema = z.object({
  itemId: z.string().min(1),
  description: z.string().min(1),
  /** GTIN-14 (or 8/12/13) with a valid GS1 check digit. */
  gtin: z.string().regex(/^\d{8}$|^\d{12,14}$/),
  unspsc: z.string().regex(/^\d{8}$/).optional(),
  manufacturer: z.string().optional(),
  manufacturerCatalogNumber: z.string().optional(),
  /** Base (issue) unit: inventory is kept in this unit. */
  baseUom: z.string().min(1).max(16),
  /** Purchasing unit (what suppliers sell): replenishment rounds up to whole purchasing packs. */
  purchaseUom: z.string().min(1).max(16),
  conversions: z.array(UomConversionSchema).min(1),
  /** Current unit cost per base unit, in `currency`. */
  unitCost: z.number().nonnegative(),
  currency: z.string().length(3).default('USD'),
  /** Preferred supplier id (issue 3 uses it for purchase orders). */
  supplierId: z.string().optional(),
  /** Supplier catalog number (vendor part number). */
  supplierCatalogNumber: z.string().optional(),
});
export type Item = z.infer<typeof ItemSchema>;

export const FacilitySchema = z.object({
  facilityId: z.string().min(1),
  name: z.string().min(1),
  /** GLN of the ship-to. */
  gln: z.string().regex(/^\d{13}$/),
});
export type Facility = z.infer<typeof FacilitySchema>;

export const LocationSchema = z.object({
  locationId: z.string().min(1),
  facilityId: z.string().min(1),
  name: z.string().min(1),
  /** `INVENTORY` = storeroom, `PAR` = point-of-use par location replenished from a storeroom or supplier. */
  kind: z.enum(['INVENTORY', 'PAR']),
  /** Cost center charged for usage at this location unless the department says otherwise. */
  costCenter: z.string().min(1),
});
export type Location = z.infer<typeof LocationSchema>;

export const CostCenterSchema = z.object({
  costCenter: z.string().min(1),
  name: z.string().min(1),
  facilityId: z.string().min(1),
  glAccount: z.string().min(1),
});
export type CostCenter = z.infer<typeof CostCenterSchema>;

/** Par settings of one item at one location. */
export const ParSettingSchema = z.object({
  locationId: z.string().min(1),
  itemId: z.string().min(1),
  parLevel: z.number().int().nonnegative(),
  reorderPoint: z.number().int().nonnegative(),
  /** Opening stock in base units (seed only). */
  initialOnHand: z.number().int().nonnegative().default(0),
});
export type ParSetting = z.infer<typeof ParSettingSchema>;

/** EHR charge code → item, per sending system. */
export const ChargeCodeCrosswalkSchema = z.object({
  sourceSystem: z.string().min(1),
  chargeCode: z.string().min(1),
  itemId: z.string().min(1),
  /**
   * The unit one charge of this code is priced per (e.g. `BX` when a charge is a box): what a usage
   * line without a unit would have to be counted in. Absent = the item's base unit. A line without a
   * unit on a code priced per pack is an `UNKNOWN_UOM` exception, never counted in base units.
   */
  chargeUom: z.string().min(1).max(16).optional(),
});
export type ChargeCodeCrosswalk = z.infer<typeof ChargeCodeCrosswalkSchema>;

/** EHR department (per sending system and facility code) → inventory location and cost center. */
export const DepartmentCrosswalkSchema = z.object({
  sourceSystem: z.string().min(1),
  facilityCode: z.string().min(1),
  departmentCode: z.string().min(1),
  locationId: z.string().min(1),
  costCenter: z.string().min(1),
});
export type DepartmentCrosswalk = z.infer<typeof DepartmentCrosswalkSchema>;

/** The whole reference data set, as seeded or exported. */
export const ReferenceDataSetSchema = z.object({
  facilities: z.array(FacilitySchema),
  locations: z.array(LocationSchema),
  costCenters: z.array(CostCenterSchema),
  items: z.array(ItemSchema),
  parSettings: z.array(ParSettingSchema),
  chargeCodes: z.array(ChargeCodeCrosswalkSchema),
  departments: z.array(DepartmentCrosswalkSchema),
});
export type ReferenceDataSet = z.infer<typeof ReferenceDataSetSchema>;

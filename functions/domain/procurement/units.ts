/**
 * Units of measure and line references shared by the procure-to-pay rules (pure): pack conversions
 * (1 BX = 10 EA, 1 CS = 100 EA) and finding the PO line a supplier document line refers to.
 */
import type { PurchaseOrder, PurchaseOrderLine } from '../../../contracts/procurement';
import type { Item } from '../../../contracts/reference';

/** Base units in one `uom` of `itemId`, or `undefined` when the item has no such conversion. */
export type UomConversions = (itemId: string, uom: string) => number | undefined;

const sameUom = (a: string, b: string): boolean => a.trim().toUpperCase() === b.trim().toUpperCase();

/** Base units in one `uom` of the item: 1 for its base unit, its pack conversion otherwise. */
export const itemUomFactor = (item: Pick<Item, 'baseUom' | 'conversions'>, uom: string): number | undefined => {
  if (sameUom(item.baseUom, uom)) return 1;
  return item.conversions.find((c) => sameUom(c.uom, uom))?.factor;
};

/** Conversions looked up in the item master (the reference data the use case fetched). */
export const conversionsFromItems = (items: Iterable<Item>): UomConversions => {
  const byId = new Map<string, Item>();
  for (const item of items) byId.set(item.itemId, item);
  return (itemId, uom) => {
    const item = byId.get(itemId);
    return item === undefined ? undefined : itemUomFactor(item, uom);
  };
};

/**
 * Base units in one `uom` for a PO line: the line's own pack factor when the unit is the line's,
 * otherwise the item's conversions. `undefined` when neither knows the unit: never guess a pack size.
 */
export const lineUomFactor = (line: PurchaseOrderLine, uom: string, conversions?: UomConversions): number | undefined => {
  if (sameUom(line.uom, uom)) return line.uomFactor;
  return conversions?.(line.itemId, uom);
};

/** A GTIN-8/12/13/14 as GTIN-14 (left-padded with zeros, the GS1 rule), or `undefined` when not a GTIN. */
export const gtin14 = (gtin: string | undefined): string | undefined => {
  const digits = gtin?.trim();
  if (digits === undefined || !/^(\d{8}|\d{12,14})$/.test(digits)) return undefined;
  return digits.padStart(14, '0');
};

/** How a supplier document line points at a PO line. */
export interface PoLineReference {
  poLineNumber?: number | undefined;
  supplierCatalogNumber?: string | undefined;
  gtin?: string | undefined;
}

const sameCatalogNumber = (a: string | undefined, b: string): boolean =>
  a !== undefined && a.trim() !== '' && a.trim().toUpperCase() === b.trim().toUpperCase();

/** Does the reference carry an identifier (catalog number or GTIN) that contradicts this PO line's item? */
export const identifiesAnotherItem = (ref: PoLineReference, line: PurchaseOrderLine): boolean => {
  const catalog = ref.supplierCatalogNumber?.trim();
  const gtin = gtin14(ref.gtin);
  if ((catalog === undefined || catalog === '') && gtin === undefined) return false;
  return !sameCatalogNumber(catalog, line.supplierCatalogNumber) && gtin !== gtin14(line.gtin);
};

/**
 * The PO line a document line refers to: by PO line number when sent (and only that line: a wrong
 * number is not silently re-pointed), else by supplier catalog number, else by GTIN. When several
 * lines carry the same item, the lowest line number wins, so the answer never depends on order.
 */
export const findPoLine = (po: Pick<PurchaseOrder, 'lines'>, ref: PoLineReference): PurchaseOrderLine | undefined => {
  if (ref.poLineNumber !== undefined) return po.lines.find((l) => l.lineNumber === ref.poLineNumber);
  const ordered = [...po.lines].sort((a, b) => a.lineNumber - b.lineNumber);
  const byCatalog = ordered.find((l) => sameCatalogNumber(ref.supplierCatalogNumber, l.supplierCatalogNumber));
  if (byCatalog !== undefined) return byCatalog;
  const gtin = gtin14(ref.gtin);
  return gtin === undefined ? undefined : ordered.find((l) => gtin14(l.gtin) === gtin);
};

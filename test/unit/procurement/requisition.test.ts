import { describe, expect, it } from '@jest/globals';
import type { ReplenishmentRequested } from '../../../contracts/events';
import { RequisitionSchema } from '../../../contracts/procurement';
import { DataError, ValidationError } from '../../../functions/domain/errors';
import { priceFor, requisitionFromReplenishment, requisitionFromRequest } from '../../../functions/domain/procurement/requisition';
import { replenishmentRequestedDetail } from '../fakes';
import { ITEMS, NOW, drape, gauze, gloves, suture } from './fixtures';

const ids = { requisitionId: 'REQ-0001', correlationId: 'corr-1' };

const replenishment = (overrides: Partial<ReplenishmentRequested> = {}): ReplenishmentRequested =>
  replenishmentRequestedDetail({ correlationId: 'corr-usage-1', occurredAt: NOW.toISOString(), itemId: gauze.itemId, supplierId: 'SUP-MEDLINE', ...overrides });

const request = {
  externalRef: 'COUPA-REQ-7781',
  facilityId: 'FAC-NMC',
  locationId: 'NMC-OR',
  costCenter: 'CC-NMC-OR',
  supplierId: 'SUP-MEDLINE',
  lines: [
    { itemId: gauze.itemId, quantity: 2, uom: 'BX' },
    { itemId: gloves.itemId, quantity: 1, uom: 'CS' },
    { itemId: suture.itemId, quantity: 24, uom: 'EA' },
  ],
};

describe('requisition from a replenishment', () => {
  it('orders the purchasing packs at the contract price per pack (unit cost × pack factor)', () => {
    const req = requisitionFromReplenishment(replenishment(), gauze, ids, NOW);
    expect(req.lines).toStrictEqual([{ lineNumber: 1, itemId: gauze.itemId, quantity: 6, uom: 'BX', unitPrice: 4.5, contract: true }]);
    expect(req.totalAmount).toBe(27);
    expect(req.status).toBe('PENDING_APPROVAL');
    expect(req.source).toBe('REPLENISHMENT');
    expect(req.externalRef).toBe('EPIC|NMC|MSG00001|1#ReplenishmentRequested');
    expect(req.costCenter).toBe('CC-NMC-OR');
    expect(req.createdAt).toBe(NOW.toISOString());
    expect(RequisitionSchema.safeParse(req).success).toBe(true);
  });

  it('prices from a contract price list when one is passed, converting the list unit to the purchasing unit', () => {
    const req = requisitionFromReplenishment(replenishment(), gauze, ids, NOW, [{ supplierId: 'SUP-MEDLINE', itemId: gauze.itemId, uom: 'EA', unitPrice: 0.4125 }]);
    expect(req.lines[0]!.unitPrice).toBe(4.125);
    expect(req.lines[0]!.contract).toBe(true);
    expect(req.totalAmount).toBe(24.75);
  });

  it('marks the line off contract when the price list has no entry for the item', () => {
    const req = requisitionFromReplenishment(replenishment(), gauze, ids, NOW, []);
    expect(req.lines[0]!.contract).toBe(false);
    expect(req.lines[0]!.unitPrice).toBe(4.5);
  });

  it('falls back to the item’s preferred supplier when the event names none', () => {
    const { supplierId: _none, ...withoutSupplier } = replenishment();
    expect(requisitionFromReplenishment(withoutSupplier, gauze, ids, NOW).supplierId).toBe('SUP-MEDLINE');
  });

  it('refuses an item without any supplier, or another item than the event’s', () => {
    const { supplierId: _none, ...withoutSupplier } = replenishment({ itemId: drape.itemId, purchaseUom: 'CS', purchaseQuantity: 1, quantity: 20 });
    expect(() => requisitionFromReplenishment(withoutSupplier, drape, ids, NOW)).toThrow(DataError);
    expect(() => requisitionFromReplenishment(replenishment(), suture, ids, NOW)).toThrow(DataError);
  });

  it('keeps pack prices exact where float multiplication drifts (1.1 × 3)', () => {
    const item = { ...gauze, unitCost: 1.1, conversions: [{ uom: 'BX', factor: 3 }] };
    expect(priceFor(item, 'SUP-MEDLINE', 'BX').unitPrice).toBe(3.3);
  });
});

describe('requisition from the SaaS procurement tool', () => {
  it('numbers the lines in order and prices each in the unit sent', () => {
    const req = requisitionFromRequest(request, ITEMS, ids, NOW);
    expect(req.lines.map((l) => [l.lineNumber, l.itemId, l.quantity, l.uom, l.unitPrice, l.contract])).toStrictEqual([
        [1, gauze.itemId, 2, 'BX', 4.5, true],
        [2, gloves.itemId, 1, 'CS', 80, true],
        [3, suture.itemId, 24, 'EA', 3.1, true],
      ]);
    // 9.00 + 80.00 + 74.40
    expect(req.totalAmount).toBe(163.4);
    expect(req.source).toBe('SAAS');
    expect(req.externalRef).toBe('COUPA-REQ-7781');
  });

  it('marks items of another supplier as off contract', () => {
    const req = requisitionFromRequest({ ...request, supplierId: 'SUP-CARDINAL' }, ITEMS, ids, NOW);
    expect(req.lines.every((l) => !l.contract)).toBeTruthy();
  });

  it('rejects a body that breaks the schema, naming the member', () => {
    expect(() => requisitionFromRequest({ ...request, lines: [{ itemId: gauze.itemId, quantity: 0, uom: 'BX' }] }, ITEMS, ids, NOW)).toThrow(expect.toSatisfy((e: unknown) => e instanceof ValidationError && e.location === '/lines/0/quantity'));
    expect(() => requisitionFromRequest({ ...request, lines: [] }, ITEMS, ids, NOW)).toThrow(ValidationError);
  });

  it('rejects an unknown item or a unit the item does not convert, naming the line', () => {
    expect(() => requisitionFromRequest({ ...request, lines: [{ itemId: 'ITM-99999', quantity: 1, uom: 'EA' }] }, ITEMS, ids, NOW)).toThrow(expect.toSatisfy((e: unknown) => e instanceof DataError && e.location === '/lines/0/itemId'));
    expect(() => requisitionFromRequest({ ...request, lines: [request.lines[0]!, { itemId: gauze.itemId, quantity: 1, uom: 'CS' }] }, ITEMS, ids, NOW)).toThrow(expect.toSatisfy((e: unknown) => e instanceof DataError && e.location === '/lines/1/uom'));
  });
});

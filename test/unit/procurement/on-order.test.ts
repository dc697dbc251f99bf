/**
 * On-order rules of replenishment POs (invariant I2): what a PO line gives back and what a receipt
 * takes off, never more than the line put on order, each release step once.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { PurchaseOrder, PurchaseOrderLine } from '../../../contracts/procurement';
import {
  onOrderCancelledBy,
  onOrderRaisedBy,
  onOrderTakenByReceipt,
  purchaseOrderOnOrderReleases,
  recordOnOrderReleases,
  requisitionOnOrderReleases,
} from '../../../functions/domain/procurement/on-order';
import { glovesPurchaseOrder, glovesRequisition } from './receipt-invoice-fixtures';

/** 20 BX of 10 = 200 EA ordered. */
const line = (overrides: Partial<PurchaseOrderLine> = {}): PurchaseOrderLine => ({ ...glovesPurchaseOrder().lines[0]!, ...overrides });
const po = (overrides: Partial<PurchaseOrderLine> = {}): PurchaseOrder => ({ ...glovesPurchaseOrder(), lines: [line(overrides)] });

describe('what a replenishment PO line gives back', () => {
  it('gives back nothing while the supplier still commits to everything ordered (backorder included)', () => {
    expect(onOrderCancelledBy(line({ expectedQuantity: 12, backorderedQuantity: 8, status: 'BACKORDERED' }))).toBe(0);
  });

  it('gives back all of a rejected line, and what a line changed down will never deliver', () => {
    expect(onOrderCancelledBy(line({ expectedQuantity: 0, status: 'REJECTED' }))).toBe(200);
    expect(onOrderCancelledBy(line({ expectedQuantity: 12, backorderedQuantity: 0, status: 'CHANGED' }))).toBe(80);
  });

  it('gives back what a closed line did not receive, and nothing for an over-received one', () => {
    expect(onOrderCancelledBy(line({ receivedBaseQuantity: 150, status: 'CLOSED' }))).toBe(50);
    expect(onOrderCancelledBy(line({ receivedBaseQuantity: 230, status: 'CLOSED' }))).toBe(0);
  });

  it('records each growth of the release as one keyed step, and recording again changes nothing', () => {
    const changed = recordOnOrderReleases(po({ expectedQuantity: 12, status: 'CHANGED' }));
    expect(recordOnOrderReleases(changed)).toStrictEqual(changed);
    const rejected = recordOnOrderReleases({ ...changed, lines: changed.lines.map((l) => ({ ...l, expectedQuantity: 0, status: 'REJECTED' as const })) });
    expect(rejected.lines[0]?.onOrderReleased).toStrictEqual([80, 200]);
    expect(purchaseOrderOnOrderReleases(rejected).map((r) => [r.businessKey, r.quantity])).toStrictEqual([
      ['release|PO-NMC-00000042|1', 80],
      ['release|PO-NMC-00000042|1|200', 120],
    ]);
  });
});

describe('what a receipt of a replenishment PO takes off on order', () => {
  it('takes what arrived, up to what the line still has on order after its releases', () => {
    expect(onOrderTakenByReceipt(line({ receivedBaseQuantity: 120 }), 120)).toBe(120);
    expect(onOrderTakenByReceipt(line({ receivedBaseQuantity: 120, expectedQuantity: 12, onOrderReleased: [80], status: 'CHANGED' }), 120)).toBe(120);
    expect(onOrderTakenByReceipt(line({ receivedBaseQuantity: 130, expectedQuantity: 12, onOrderReleased: [80], status: 'CHANGED' }), 10)).toBe(0);
  });

  it('never takes more than the line put on order, however much is over-received', () => {
    expect(onOrderTakenByReceipt(line({ receivedBaseQuantity: 220 }), 220)).toBe(200);
  });

  it('keeps I2: receipts and releases of one line never take off more than it ordered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 120 }), { maxLength: 5 }),
        fc.integer({ min: 0, max: 20 }),
        fc.boolean(),
        (receipts, expectedQuantity, rejectAtEnd) => {
          let current = line({ expectedQuantity, status: 'CHANGED' });
          let takenOff = 0;
          current = recordOnOrderReleases({ ...po(), lines: [current] }).lines[0]!;
          for (const quantity of receipts) {
            current = { ...current, receivedBaseQuantity: current.receivedBaseQuantity + quantity };
            takenOff += onOrderTakenByReceipt(current, quantity);
          }
          const final = recordOnOrderReleases({ ...po(), lines: [{ ...current, status: rejectAtEnd ? 'REJECTED' : 'CLOSED' }] });
          const released = purchaseOrderOnOrderReleases(final).reduce((total, r) => total + r.quantity, 0);
          expect(takenOff + released).toBe(onOrderRaisedBy(current));
        },
      ),
    );
  });
});

describe('what a rejected requisition gives back', () => {
  const factor = (_itemId: string, uom: string): number | undefined => (uom === 'BX' ? 10 : undefined);

  it('gives back a rejected replenishment requisition\'s lines in base units, keyed per line', () => {
    expect(requisitionOnOrderReleases(glovesRequisition({ status: 'REJECTED' }), factor)).toStrictEqual([
      { lineNumber: 1, itemId: 'ITM-10003', businessKey: 'release|REQ-GLOVES-1|1', quantity: 200 },
    ]);
  });

  it('gives back nothing for a SaaS requisition (it never put anything on order) or one not rejected', () => {
    expect(requisitionOnOrderReleases(glovesRequisition({ status: 'REJECTED', source: 'SAAS' }), factor)).toStrictEqual([]);
    expect(requisitionOnOrderReleases(glovesRequisition({ status: 'APPROVED' }), factor)).toStrictEqual([]);
  });
});

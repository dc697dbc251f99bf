/**
 * Receipts confirmed from an 856 (pure): what an applied ship notice leaves on the PO, the receipt it
 * yields, and the rule that a shipment is received by one receipt only.
 */
import { describe, expect, it } from '@jest/globals';
import type { PurchaseOrder, ShipNotice } from '../../../contracts/procurement';
import { ConflictError, NotFoundError } from '../../../functions/domain/errors';
import { applyReceipt, applyShipNotice } from '../../../functions/domain/procurement/purchase-order';
import {
  assertShipmentNotReceivedElsewhere,
  receiptForShipment,
  receiptOfShipment,
  shipmentOf,
  shipNoticeReceiptId,
} from '../../../functions/domain/procurement/ship-notice-receipt';
import { control, conversions, standardPo } from './fixtures';

const RECEIVED_AT = '2025-03-16T14:00:00.000Z';

/** 3 BX gauze (line 1), 24 EA suture (line 2) and 2 CS gloves (line 3, by GTIN only). */
const shipNotice = (shipmentId: string): ShipNotice => ({
  shipmentId,
  poNumber: 'PO-NMC-00000001',
  supplierId: 'SUP-MEDLINE',
  shippedAt: '2025-03-15',
  lines: [
    { poLineNumber: 1, quantityShipped: 3, uom: 'BX' },
    { poLineNumber: 2, quantityShipped: 24, uom: 'EA' },
    { gtin: '00614141000036', quantityShipped: 2, uom: 'CS' },
  ],
  control: control(1),
});

const shippedPo = (...shipmentIds: string[]): PurchaseOrder =>
  shipmentIds.reduce((po, id) => applyShipNotice(po, shipNotice(id), conversions).purchaseOrder, { ...standardPo(), status: 'ACKNOWLEDGED' } as PurchaseOrder);

describe('applyShipNotice keeps what each shipment shipped', () => {
  it('records the shipment with its lines resolved to PO lines, in the unit shipped and in base units', () => {
    const po = shippedPo('SHP-1');
    expect(shipmentOf(po, 'SHP-1')).toStrictEqual({
      shipmentId: 'SHP-1',
      shippedAt: '2025-03-15',
      lines: [
        { poLineNumber: 1, quantity: 3, uom: 'BX', baseQuantity: 30 },
        { poLineNumber: 2, quantity: 24, uom: 'EA', baseQuantity: 24 },
        { poLineNumber: 3, quantity: 2, uom: 'CS', baseQuantity: 2000 },
      ],
    });
  });

  it('records a resent ship notice once', () => {
    const po = shippedPo('SHP-1');
    const again = applyShipNotice(po, shipNotice('SHP-1'), conversions);
    expect(again.applied).toBe(false);
    expect(again.purchaseOrder.shipments?.length).toBe(1);
  });
});

describe('receiptForShipment', () => {
  it('yields exactly what the shipment shipped, as an ASN receipt at the PO location', () => {
    const po = shippedPo('SHP-1', 'SHP-2');
    const receipt = receiptForShipment(po, 'SHP-1', { receiptId: 'RCV-9', receivedAt: RECEIVED_AT });
    expect(receipt).toStrictEqual({
      receiptId: 'RCV-9',
      poNumber: 'PO-NMC-00000001',
      facilityId: 'FAC-NMC',
      locationId: 'NMC-OR',
      receivedAt: RECEIVED_AT,
      source: 'ASN',
      shipmentId: 'SHP-1',
      lines: [
        { poLineNumber: 1, quantity: 3, uom: 'BX' },
        { poLineNumber: 2, quantity: 24, uom: 'EA' },
        { poLineNumber: 3, quantity: 2, uom: 'CS' },
      ],
    });
  });

  it('receives the shipped base units when the PO applies it (converted as the 856 was)', () => {
    const po = shippedPo('SHP-1');
    const applied = applyReceipt(po, receiptForShipment(po, 'SHP-1', { receiptId: 'RCV-9', receivedAt: RECEIVED_AT }), conversions);
    expect(applied.lines.map((l) => l.baseQuantity)).toStrictEqual(shipmentOf(po, 'SHP-1')?.lines.map((l) => l.baseQuantity));
    expect(applied.purchaseOrder.lines.map((l) => l.receivedBaseQuantity)).toStrictEqual(applied.purchaseOrder.lines.map((l) => l.shippedBaseQuantity));
  });

  it('throws NotFoundError for a shipment the PO did not take', () => {
    expect(() => receiptForShipment(shippedPo('SHP-1'), 'SHP-404', { receiptId: 'RCV-9', receivedAt: RECEIVED_AT })).toThrow(NotFoundError);
  });

  it('throws ConflictError for a shipment applied before the PO kept shipment lines', () => {
    const { shipments: _dropped, ...legacy } = shippedPo('SHP-1');
    expect(() => receiptForShipment(legacy, 'SHP-1', { receiptId: 'RCV-9', receivedAt: RECEIVED_AT })).toThrow(ConflictError);
  });
});

describe('a shipment is received once', () => {
  const po = shippedPo('SHP-1');
  const first = receiptForShipment(po, 'SHP-1', { receiptId: 'RCV-1', receivedAt: RECEIVED_AT });
  const received = applyReceipt(po, first, conversions).purchaseOrder;

  it('names the receipt that received a shipment, among the receipts the PO applied', () => {
    expect(receiptOfShipment(received, [first], 'SHP-1')?.receiptId).toBe('RCV-1');
    expect(receiptOfShipment(po, [first], 'SHP-1')).toBe(undefined);
  });

  it('refuses another receipt of the same shipment with a conflict naming the first', () => {
    const second = { ...first, receiptId: 'RCV-2' };
    const receiveAgain = (): void => assertShipmentNotReceivedElsewhere(received, [first], second);
    expect(receiveAgain).toThrow(ConflictError);
    expect(receiveAgain).toThrow(/received as receipt RCV-1/);
  });

  it('lets the same receipt again, and receipts without a shipment, through', () => {
    expect(() => assertShipmentNotReceivedElsewhere(received, [first], first)).not.toThrow();
    const { shipmentId: _none, ...counted } = { ...first, receiptId: 'RCV-3', source: 'DOCK' as const };
    expect(() => assertShipmentNotReceivedElsewhere(received, [first], counted)).not.toThrow();
  });
});

describe('shipNoticeReceiptId', () => {
  it('is the same for the same supplier and shipment, and differs across suppliers', () => {
    expect(shipNoticeReceiptId('SUP-CARDINAL', 'SHP-1')).toBe('ASN:SUP-CARDINAL:SHP-1');
    expect(shipNoticeReceiptId('SUP-CARDINAL', 'SHP-1')).toBe(shipNoticeReceiptId('SUP-CARDINAL', 'SHP-1'));
    expect(shipNoticeReceiptId('SUP-CARDINAL', 'SHP-1')).not.toBe(shipNoticeReceiptId('SUP-MEDLINE', 'SHP-1'));
  });
});

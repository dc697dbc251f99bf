import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MatchResult, MatchTolerances, PoAcknowledgment, PurchaseOrder, ShipNotice } from '../../../contracts/procurement';
import { PurchaseOrderSchema, ReceiptSchema } from '../../../contracts/procurement';
import { ConflictError, DataError } from '../../../functions/domain/errors';
import { threeWayMatch } from '../../../functions/domain/procurement/match';
import {
  acknowledgePurchaseOrder,
  acknowledgmentOutcome,
  applyAcknowledgment,
  applyReceipt,
  applyShipNotice,
  canClose,
  closePurchaseOrder,
  markIssued,
  outstandingBaseQuantity,
  poNumberFor,
  purchaseOrderFromRequisition,
  receiptFromShipNotice,
  recordInvoiceMatches,
} from '../../../functions/domain/procurement/purchase-order';
import {
  ITEMS,
  NMC,
  NOW,
  TODAY,
  control,
  conversions,
  gauze,
  invoice,
  pendingRequisition,
  receipt,
  standardLines,
  standardPo,
  tolerances,
} from './fixtures';

const ack = (lines: PoAcknowledgment['lines'], ackType = 'AC'): PoAcknowledgment => ({
  poNumber: 'PO-NMC-00000001',
  supplierId: 'SUP-MEDLINE',
  ackType,
  acknowledgedAt: TODAY,
  lines,
  control: control(10),
});

const asn = (shipmentId: string, lines: ShipNotice['lines']): ShipNotice => ({
  shipmentId,
  poNumber: 'PO-NMC-00000001',
  supplierId: 'SUP-MEDLINE',
  shippedAt: '2025-03-15',
  lines,
  control: control(20),
});

const matched = (invoiceNumber: string, lines: [number, number][]): MatchResult => ({
  invoiceNumber,
  supplierId: 'SUP-MEDLINE',
  poNumber: 'PO-NMC-00000001',
  status: 'MATCHED',
  reasons: [],
  lines: lines.map(([poLineNumber, invoicedBaseQuantity], i) => ({
    invoiceLineNumber: i + 1,
    poLineNumber,
    invoicedBaseQuantity,
    receivedBaseQuantity: invoicedBaseQuantity,
    orderedBaseQuantity: invoicedBaseQuantity,
    invoiceUnitPrice: 1,
    poUnitPrice: 1,
    reasons: [],
  })),
  approvedAmount: 1,
});

const received = (po: PurchaseOrder): PurchaseOrder =>
  applyReceipt(
    po,
    receipt('RCV-ALL', [
      { poLineNumber: 1, quantity: 6, uom: 'BX' },
      { poLineNumber: 2, quantity: 4, uom: 'BX' },
      { poLineNumber: 3, quantity: 2, uom: 'CS' },
    ]),
    conversions,
  ).purchaseOrder;

describe('PO numbers', () => {
  it('formats a facility sequence deterministically within the 22 characters of BEG03', () => {
    assert.equal(poNumberFor(42, 'FAC-NMC'), 'PO-NMC-00000042');
    assert.equal(poNumberFor(42, 'FAC-NMC'), poNumberFor(42, 'FAC-NMC'));
    assert.equal(poNumberFor(1234567890, 'FAC-SCH'), 'PO-SCH-1234567890');
    assert.ok(poNumberFor(9_999_999_999, 'FAC-LONGFACILITYNAME').length <= 22);
  });

  it('refuses sequences that are not positive integers or would not fit', () => {
    assert.throws(() => poNumberFor(0, 'FAC-NMC'), DataError);
    assert.throws(() => poNumberFor(1.5, 'FAC-NMC'), DataError);
    assert.throws(() => poNumberFor(Number.MAX_SAFE_INTEGER, 'FAC-LONGFACILITYNAME'), DataError);
    assert.throws(() => poNumberFor(1, 'FAC-'), DataError);
  });
});

describe('PO from an approved requisition', () => {
  it('copies lines, units and prices, describes them from the item master and ships to the facility GLN', () => {
    const po = standardPo();
    assert.equal(PurchaseOrderSchema.safeParse(po).success, true);
    assert.equal(po.status, 'CREATED');
    assert.equal(po.shipToGln, NMC.gln);
    assert.equal(po.orderDate, TODAY);
    assert.deepEqual(po.lines[0], {
      lineNumber: 1,
      itemId: gauze.itemId,
      description: gauze.description,
      supplierCatalogNumber: 'MDL1007919',
      gtin: '00614141000012',
      quantity: 6,
      uom: 'BX',
      uomFactor: 10,
      unitPrice: 4.5,
      expectedQuantity: 6,
      receivedBaseQuantity: 0,
      invoicedBaseQuantity: 0,
      status: 'OPEN',
    });
    assert.equal(po.lines[2]!.uomFactor, 1000);
  });

  it('refuses a requisition that is not approved, another facility, or a PO number over 22 characters', () => {
    assert.throws(() => purchaseOrderFromRequisition(pendingRequisition(standardLines()), ITEMS, NMC, 'PO-NMC-00000001', NOW), ConflictError);
    const approved = pendingRequisition(standardLines(), { status: 'APPROVED' });
    assert.throws(() => purchaseOrderFromRequisition(approved, ITEMS, { ...NMC, facilityId: 'FAC-SCH' }, 'PO-NMC-00000001', NOW), DataError);
    assert.throws(() => purchaseOrderFromRequisition(approved, ITEMS, NMC, 'PO-NMC-000000000000000001', NOW), DataError);
  });

  it('becomes ISSUED with the ERP id and 850 control numbers, never moving back', () => {
    const issued = markIssued(standardPo(), { erpPoId: 'ERP-778812', x12: control(5) });
    assert.deepEqual([issued.status, issued.erpPoId, issued.x12?.interchange], ['ISSUED', 'ERP-778812', '000000005']);
    assert.equal(markIssued({ ...issued, status: 'SHIPPED' }, {}).status, 'SHIPPED');
  });
});

describe('855 acknowledgment', () => {
  it('keeps expected quantities on accepted lines and accepts lines the 855 does not mention', () => {
    const po = applyAcknowledgment(standardPo(), ack([{ lineNumber: 1, status: 'ACCEPTED', statusCode: 'IA', quantity: 6, uom: 'BX' }], 'AD'));
    assert.equal(po.status, 'ACKNOWLEDGED');
    assert.deepEqual(po.lines.map((l) => [l.status, l.expectedQuantity]), [['ACCEPTED', 6], ['ACCEPTED', 4], ['ACCEPTED', 2]]);
  });

  it('updates the expected quantity and price of a CHANGED line, converting from the unit sent', () => {
    const po = applyAcknowledgment(
      standardPo(),
      ack([{ lineNumber: 1, status: 'CHANGED', statusCode: 'IC', quantity: 50, uom: 'EA', unitPrice: 0.44 }]),
      conversions,
    );
    assert.deepEqual([po.lines[0]!.status, po.lines[0]!.expectedQuantity, po.lines[0]!.unitPrice], ['CHANGED', 5, 4.4]);
  });

  it('sets a BACKORDERED line to expect 0 for now and keeps the backorder and its scheduled date', () => {
    const po = applyAcknowledgment(standardPo(), ack([{ lineNumber: 2, status: 'BACKORDERED', statusCode: 'IB', quantity: 4, uom: 'BX', scheduledDate: '2025-04-02' }]));
    const line = po.lines[1]!;
    assert.deepEqual([line.status, line.expectedQuantity, line.backorderedQuantity, line.scheduledDate], ['BACKORDERED', 0, 4, '2025-04-02']);
    assert.equal(outstandingBaseQuantity(line), 48);
  });

  it('splits a line accepted in part and backordered in part', () => {
    const po = applyAcknowledgment(
      standardPo(),
      ack([
        { lineNumber: 1, status: 'ACCEPTED', statusCode: 'IA', quantity: 4, uom: 'BX' },
        { lineNumber: 1, status: 'BACKORDERED', statusCode: 'IB', quantity: 2, uom: 'BX' },
      ]),
    );
    assert.deepEqual([po.lines[0]!.expectedQuantity, po.lines[0]!.backorderedQuantity], [4, 2]);
  });

  it('sets a REJECTED line to expect nothing, and rejects the PO when every line is', () => {
    const one = applyAcknowledgment(standardPo(), ack([{ lineNumber: 3, status: 'REJECTED', statusCode: 'IR', quantity: 0, uom: 'CS' }]));
    assert.deepEqual([one.status, one.lines[2]!.status, one.lines[2]!.expectedQuantity], ['ACKNOWLEDGED', 'REJECTED', 0]);
    const all = applyAcknowledgment(
      standardPo(),
      ack([1, 2, 3].map((lineNumber) => ({ lineNumber, status: 'REJECTED' as const, statusCode: 'IR', quantity: 0, uom: 'BX' }))),
    );
    assert.equal(all.status, 'REJECTED');
  });

  it('rejects the whole PO on BAK02 RJ or RD', () => {
    for (const ackType of ['RJ', 'RD']) {
      const po = applyAcknowledgment(standardPo(), ack([], ackType));
      assert.equal(po.status, 'REJECTED');
      assert.ok(po.lines.every((l) => l.status === 'REJECTED' && l.expectedQuantity === 0));
      assert.equal(acknowledgmentOutcome(ack([], ackType)), 'REJECTED');
    }
  });

  it('ignores a resent rejection and refuses to reopen a rejected PO', () => {
    const rejected = applyAcknowledgment(standardPo(), ack([], 'RJ'));
    assert.equal(applyAcknowledgment(rejected, ack([], 'RD')), rejected);
    assert.throws(() => applyAcknowledgment(rejected, ack([], 'AT')), ConflictError);
  });

  it('raises DataError naming an ACK line the PO does not have', () => {
    assert.throws(
      () => applyAcknowledgment(standardPo(), ack([{ lineNumber: 7, status: 'ACCEPTED', statusCode: 'IA', quantity: 1, uom: 'BX' }])),
      (e: unknown) => e instanceof DataError && /855 line 7/.test(e.message) && e.location === '/lines/0/lineNumber',
    );
  });

  it('raises DataError for another PO or supplier, and ConflictError on a closed PO', () => {
    assert.throws(() => applyAcknowledgment(standardPo(), { ...ack([]), poNumber: 'PO-NMC-00000002' }), DataError);
    assert.throws(() => applyAcknowledgment(standardPo(), { ...ack([]), supplierId: 'SUP-BD' }), DataError);
    assert.throws(() => applyAcknowledgment({ ...standardPo(), status: 'CLOSED' }, ack([])), ConflictError);
  });

  it('gives the same PO when the same 855 is applied twice, and never moves a shipped PO back', () => {
    const once = applyAcknowledgment(standardPo(), ack([{ lineNumber: 1, status: 'CHANGED', statusCode: 'IQ', quantity: 5, uom: 'BX' }]));
    assert.deepEqual(applyAcknowledgment(once, ack([{ lineNumber: 1, status: 'CHANGED', statusCode: 'IQ', quantity: 5, uom: 'BX' }])), once);
    assert.equal(applyAcknowledgment({ ...standardPo(), status: 'SHIPPED' }, ack([])).status, 'SHIPPED');
  });
});

describe('855 price changes against the supplier tolerances', () => {
  // Gauze line 1: 4.50 per BX of 10 = 0.45/EA; suture line 2: 37.20 per BX of 12 = 3.10/EA.
  // Tolerances (fixtures): 2 % and 0.05 per base unit, both to be exceeded unless EITHER_EXCEEDED.
  const either: MatchTolerances = { ...tolerances, priceVarianceWhen: 'EITHER_EXCEEDED' };
  const changed = (lineNumber: number, quantity: number, uom: string, unitPrice: number): PoAcknowledgment['lines'][number] => ({
    lineNumber,
    status: 'CHANGED',
    statusCode: 'IC',
    quantity,
    uom,
    unitPrice,
  });
  const acknowledge = (lines: PoAcknowledgment['lines'], t: MatchTolerances = tolerances): ReturnType<typeof acknowledgePurchaseOrder> =>
    acknowledgePurchaseOrder(standardPo(), ack(lines), t, conversions);

  it('takes a price increase within tolerance as the expected price, holding nothing back', () => {
    const { purchaseOrder, heldPriceChanges } = acknowledge([changed(1, 6, 'BX', 4.58)]);
    assert.equal(purchaseOrder.lines[0]!.unitPrice, 4.58);
    assert.equal(purchaseOrder.lines[0]!.acknowledgedUnitPrice, undefined);
    assert.deepEqual(heldPriceChanges, []);
  });

  it('takes a lower price even with no tolerance at all', () => {
    const none: MatchTolerances = { ...either, unitPricePercent: 0, unitPriceAbsolute: 0 };
    const { purchaseOrder, heldPriceChanges } = acknowledge([changed(1, 6, 'BX', 4)], none);
    assert.equal(purchaseOrder.lines[0]!.unitPrice, 4);
    assert.deepEqual(heldPriceChanges, []);
  });

  it('holds back an increase beyond tolerance: the PO keeps its price and the line records the acknowledged one', () => {
    const { purchaseOrder, heldPriceChanges } = acknowledge([changed(1, 5, 'BX', 5.4)]);
    const line = purchaseOrder.lines[0]!;
    assert.deepEqual([line.status, line.expectedQuantity, line.unitPrice, line.acknowledgedUnitPrice], ['CHANGED', 5, 4.5, 5.4]);
    assert.deepEqual(heldPriceChanges, [{ lineNumber: 1, itemId: gauze.itemId, uom: 'BX', poUnitPrice: 4.5, acknowledgedUnitPrice: 5.4 }]);
    assert.equal(purchaseOrder.status, 'ACKNOWLEDGED');
    assert.equal(PurchaseOrderSchema.safeParse(purchaseOrder).success, true);
  });

  it('applies the tolerance mode: over the percent only, or over the absolute only, is held only with EITHER_EXCEEDED', () => {
    // 4.70/BX: +4.4 % but +0.02/EA.  37.86/BX: +0.055/EA but +1.8 %.
    for (const [lineNumber, price] of [
      [1, 4.7],
      [2, 37.86],
    ] as const) {
      const uom = 'BX';
      const both = acknowledge([changed(lineNumber, 4, uom, price)]);
      assert.equal(both.purchaseOrder.lines[lineNumber - 1]!.unitPrice, price, `line ${lineNumber} within BOTH_EXCEEDED`);
      assert.deepEqual(both.heldPriceChanges, []);
      const strict = acknowledge([changed(lineNumber, 4, uom, price)], either);
      assert.deepEqual(
        strict.heldPriceChanges.map((h) => [h.lineNumber, h.poUnitPrice, h.acknowledgedUnitPrice]),
        [[lineNumber, standardLines()[lineNumber - 1]!.unitPrice, price]],
        `line ${lineNumber} held with EITHER_EXCEEDED`,
      );
    }
  });

  it('compares a price sent in another unit per base unit, exactly at the limit, and records it in the line unit', () => {
    // 0.459/EA is exactly 2 % over 0.45/EA: not beyond the tolerance.
    const atLimit = acknowledge([changed(1, 60, 'EA', 0.459)], either);
    assert.deepEqual([atLimit.purchaseOrder.lines[0]!.expectedQuantity, atLimit.purchaseOrder.lines[0]!.unitPrice], [6, 4.59]);
    assert.deepEqual(atLimit.heldPriceChanges, []);
    const over = acknowledge([changed(1, 60, 'EA', 0.54)]);
    assert.deepEqual([over.purchaseOrder.lines[0]!.unitPrice, over.purchaseOrder.lines[0]!.acknowledgedUnitPrice], [4.5, 5.4]);
    assert.deepEqual(over.heldPriceChanges.map((h) => [h.uom, h.acknowledgedUnitPrice]), [['BX', 5.4]]);
  });

  it('keeps quantities, backorders and rejections as without a price change', () => {
    const { purchaseOrder, heldPriceChanges } = acknowledge([
      changed(1, 4, 'BX', 5.4),
      { lineNumber: 1, status: 'BACKORDERED', statusCode: 'IB', quantity: 2, uom: 'BX', scheduledDate: '2025-04-02' },
      { lineNumber: 3, status: 'REJECTED', statusCode: 'IR', quantity: 0, uom: 'CS' },
    ]);
    const [gauzeLine, sutureLine, gloveLine] = purchaseOrder.lines;
    assert.deepEqual(
      [gauzeLine!.status, gauzeLine!.expectedQuantity, gauzeLine!.backorderedQuantity, gauzeLine!.scheduledDate, gauzeLine!.unitPrice],
      ['BACKORDERED', 4, 2, '2025-04-02', 4.5],
    );
    assert.deepEqual([sutureLine!.status, sutureLine!.expectedQuantity], ['ACCEPTED', 4]);
    assert.deepEqual([gloveLine!.status, gloveLine!.expectedQuantity], ['REJECTED', 0]);
    assert.deepEqual(heldPriceChanges.map((h) => h.lineNumber), [1]);
  });

  it('holds the same change again when the same 855 is applied twice, and a later price within tolerance replaces it', () => {
    const once = acknowledge([changed(1, 6, 'BX', 5.4)]);
    const twice = acknowledgePurchaseOrder(once.purchaseOrder, ack([changed(1, 6, 'BX', 5.4)]), tolerances, conversions);
    assert.deepEqual(twice, once);
    const corrected = acknowledgePurchaseOrder(once.purchaseOrder, { ...ack([changed(1, 6, 'BX', 4.55)]), control: control(11) }, tolerances, conversions);
    assert.deepEqual([corrected.purchaseOrder.lines[0]!.unitPrice, corrected.purchaseOrder.lines[0]!.acknowledgedUnitPrice], [4.55, undefined]);
    assert.equal('acknowledgedUnitPrice' in corrected.purchaseOrder.lines[0]!, false);
    assert.deepEqual(corrected.heldPriceChanges, []);
  });

  it('holds successive increases to the tolerance against the price ordered, so they cannot compound', () => {
    // EITHER_EXCEEDED at 2 %: 4.58/BX is within 2 % of the 4.50 ordered; 4.67 is within 2 % of 4.58 but 3.8 % over 4.50.
    const first = acknowledgePurchaseOrder(standardPo(), ack([changed(1, 6, 'BX', 4.58)]), either, conversions);
    assert.deepEqual([first.purchaseOrder.lines[0]!.unitPrice, first.purchaseOrder.lines[0]!.orderedUnitPrice], [4.58, 4.5]);
    const second = acknowledgePurchaseOrder(first.purchaseOrder, { ...ack([changed(1, 6, 'BX', 4.67)]), control: control(12) }, either, conversions);
    const line = second.purchaseOrder.lines[0]!;
    assert.deepEqual([line.unitPrice, line.acknowledgedUnitPrice, line.orderedUnitPrice], [4.58, 4.67, 4.5]);
    assert.deepEqual(second.heldPriceChanges.map((h) => [h.poUnitPrice, h.acknowledgedUnitPrice]), [[4.58, 4.67]]);
  });

  it('holds back every increase when applyAcknowledgment is given no tolerances', () => {
    const po = applyAcknowledgment(standardPo(), ack([changed(1, 6, 'BX', 4.51)]), conversions);
    assert.deepEqual([po.lines[0]!.unitPrice, po.lines[0]!.acknowledgedUnitPrice], [4.5, 4.51]);
    assert.equal(applyAcknowledgment(standardPo(), ack([changed(1, 6, 'BX', 4.58)]), conversions, tolerances).lines[0]!.unitPrice, 4.58);
  });

  it('makes an invoice at a held price a PRICE_VARIANCE, and one at a taken price a match', () => {
    const goods = [receipt('RCV-1', [{ poLineNumber: 1, quantity: 6, uom: 'BX' }])];
    const matchAt = (po: PurchaseOrder, unitPrice: number): MatchResult =>
      threeWayMatch({
        po,
        receipts: goods,
        invoice: invoice('INV-1', [{ poLineNumber: 1, quantity: 6, uom: 'BX', unitPrice }]),
        priorInvoices: [],
        tolerances,
        conversions,
        today: TODAY,
      });
    const held = acknowledge([changed(1, 6, 'BX', 5.4)]).purchaseOrder;
    assert.deepEqual(matchAt(held, 5.4).reasons, ['PRICE_VARIANCE']);
    assert.equal(matchAt(held, 4.5).status, 'MATCHED');
    assert.equal(matchAt(acknowledge([changed(1, 6, 'BX', 4.58)]).purchaseOrder, 4.58).status, 'MATCHED');
  });
});

describe('856 ship notice', () => {
  it('marks the PO SHIPPED and matches lines by PO line number, catalog number or GTIN', () => {
    const { purchaseOrder, lines, applied } = applyShipNotice(
      standardPo(),
      asn('SHP-1', [
        { poLineNumber: 1, quantityShipped: 6, uom: 'BX' },
        { supplierCatalogNumber: 'MDL1015838', quantityShipped: 48, uom: 'EA' },
        { gtin: '00614141000036', quantityShipped: 2, uom: 'CS' },
      ]),
      conversions,
    );
    assert.equal(applied, true);
    assert.equal(purchaseOrder.status, 'SHIPPED');
    assert.deepEqual(lines.map((l) => [l.poLineNumber, l.baseQuantity]), [[1, 60], [2, 48], [3, 2000]]);
    assert.deepEqual(purchaseOrder.lines.map((l) => l.shippedBaseQuantity), [60, 48, 2000]);
  });

  it('changes nothing when the same shipment arrives again', () => {
    const first = applyShipNotice(standardPo(), asn('SHP-1', [{ poLineNumber: 1, quantityShipped: 6, uom: 'BX' }])).purchaseOrder;
    const again = applyShipNotice(first, asn('SHP-1', [{ poLineNumber: 1, quantityShipped: 6, uom: 'BX' }]));
    assert.equal(again.applied, false);
    assert.equal(again.purchaseOrder, first);
  });

  it('releases a backorder when it ships', () => {
    const backordered = applyAcknowledgment(standardPo(), ack([{ lineNumber: 2, status: 'BACKORDERED', statusCode: 'IB', quantity: 4, uom: 'BX' }]));
    const shipped = applyShipNotice(backordered, asn('SHP-2', [{ poLineNumber: 2, quantityShipped: 4, uom: 'BX' }])).purchaseOrder;
    assert.deepEqual([shipped.lines[1]!.status, shipped.lines[1]!.expectedQuantity, shipped.lines[1]!.backorderedQuantity], ['ACCEPTED', 4, 0]);
  });

  it('raises DataError naming an 856 line that matches no PO line', () => {
    assert.throws(
      () => applyShipNotice(standardPo(), asn('SHP-3', [{ supplierCatalogNumber: 'XYZ', quantityShipped: 1, uom: 'EA' }])),
      (e: unknown) => e instanceof DataError && /856 line 1/.test(e.message),
    );
  });

  it('turns a ship notice into a receipt when the facility confirms ASNs', () => {
    const notice = asn('SHP-1', [{ gtin: '00614141000036', quantityShipped: 1500, uom: 'EA' }]);
    const r = receiptFromShipNotice(standardPo(), notice, { receiptId: 'RCV-ASN-1' }, NOW, conversions);
    assert.equal(ReceiptSchema.safeParse(r).success, true);
    assert.deepEqual([r.source, r.locationId, r.lines], ['ASN', 'NMC-OR', [{ poLineNumber: 3, quantity: 1500, uom: 'EA' }]]);
  });
});

describe('receipts', () => {
  it('converts a receipt in EA against a BX line and leaves the PO partially received', () => {
    const { purchaseOrder, lines } = applyReceipt(standardPo(), receipt('RCV-1', [{ poLineNumber: 1, quantity: 25, uom: 'EA' }]), conversions);
    assert.equal(purchaseOrder.status, 'PARTIALLY_RECEIVED');
    assert.equal(purchaseOrder.lines[0]!.receivedBaseQuantity, 25);
    assert.deepEqual(lines, [{ poLineNumber: 1, itemId: gauze.itemId, quantity: 25, uom: 'EA', baseQuantity: 25 }]);
  });

  it('marks lines and the PO RECEIVED when everything expected has arrived', () => {
    const po = received(standardPo());
    assert.equal(po.status, 'RECEIVED');
    assert.ok(po.lines.every((l) => l.status === 'RECEIVED'));
  });

  it('raises DataError on an over-receipt beyond expected plus the tolerance, and accepts it within', () => {
    const over = receipt('RCV-1', [{ poLineNumber: 1, quantity: 62, uom: 'EA' }]);
    assert.throws(() => applyReceipt(standardPo(), over, conversions), DataError);
    assert.equal(applyReceipt(standardPo(), over, conversions, { overReceiptBaseUnits: 2 }).purchaseOrder.lines[0]!.receivedBaseQuantity, 62);
  });

  it('receives a backordered line up to the backorder before its ship notice', () => {
    const backordered = applyAcknowledgment(standardPo(), ack([{ lineNumber: 2, status: 'BACKORDERED', statusCode: 'IB', quantity: 4, uom: 'BX' }]));
    const po = applyReceipt(backordered, receipt('RCV-1', [{ poLineNumber: 2, quantity: 48, uom: 'EA' }]), conversions).purchaseOrder;
    assert.equal(po.lines[1]!.receivedBaseQuantity, 48);
    assert.equal(outstandingBaseQuantity(po.lines[1]!), 0);
  });

  it('changes nothing when the same receipt is applied twice', () => {
    const first = applyReceipt(standardPo(), receipt('RCV-1', [{ poLineNumber: 1, quantity: 3, uom: 'BX' }])).purchaseOrder;
    const again = applyReceipt(first, receipt('RCV-1', [{ poLineNumber: 1, quantity: 3, uom: 'BX' }]));
    assert.equal(again.applied, false);
    assert.equal(again.purchaseOrder.lines[0]!.receivedBaseQuantity, 30);
  });

  it('raises DataError for an unknown line, a unit that does not convert, or another facility', () => {
    assert.throws(() => applyReceipt(standardPo(), receipt('RCV-1', [{ poLineNumber: 9, quantity: 1, uom: 'BX' }])), DataError);
    assert.throws(
      () => applyReceipt(standardPo(), receipt('RCV-1', [{ poLineNumber: 1, quantity: 1, uom: 'PL' }]), conversions),
      (e: unknown) => e instanceof DataError && e.location === '/lines/0/uom',
    );
    assert.throws(() => applyReceipt(standardPo(), { ...receipt('RCV-1', [{ poLineNumber: 1, quantity: 1, uom: 'BX' }]), facilityId: 'FAC-SCH' }), DataError);
  });
});

describe('closing', () => {
  it('closes when every line is received and invoiced', () => {
    const po = received(standardPo());
    const invoices = [matched('INV-1', [[1, 60], [2, 48]]), matched('INV-2', [[3, 2000]])];
    assert.equal(canClose(po, invoices), true);
    assert.equal(recordInvoiceMatches(po, invoices).status, 'INVOICED');
    const closed = closePurchaseOrder(po, invoices, NOW);
    assert.equal(closed.status, 'CLOSED');
    assert.deepEqual(closed.lines.map((l) => [l.status, l.invoicedBaseQuantity]), [['CLOSED', 60], ['CLOSED', 48], ['CLOSED', 2000]]);
    assert.equal(closed.closedAt, NOW.toISOString());
  });

  it('stays open while goods or invoices are missing, and refuses to close', () => {
    const po = received(standardPo());
    const partial = [matched('INV-1', [[1, 60], [2, 48]])];
    assert.equal(canClose(po, partial), false);
    assert.throws(() => closePurchaseOrder(po, partial, NOW), ConflictError);
    assert.equal(canClose(standardPo(), []), false);
  });

  it('counts an invoice listed twice once and ignores results in exception', () => {
    const po = received(standardPo());
    const twice = [matched('INV-1', [[1, 30]]), matched('INV-1', [[1, 30]]), { ...matched('INV-9', [[1, 30]]), status: 'EXCEPTION' as const }];
    assert.equal(recordInvoiceMatches(po, twice).lines[0]!.invoicedBaseQuantity, 30);
  });

  it('closes a PO the supplier rejected at once, keeping the rejected lines', () => {
    const rejected = applyAcknowledgment(standardPo(), ack([], 'RJ'));
    assert.equal(canClose(rejected, []), true);
    assert.ok(closePurchaseOrder(rejected, [], NOW).lines.every((l) => l.status === 'REJECTED'));
  });
});

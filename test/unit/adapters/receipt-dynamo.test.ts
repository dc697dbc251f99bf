/**
 * A dock receipt on the real DynamoDB adapters (DynamoDB Local): the PO and receipt in the
 * procurement repository, the receipt lines through DynamoInventoryRepository's exactly-once
 * transaction (a receipt outcome carries no cost posting), and a resend that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildAwsAdapters, buildProcurementAdapters } from '../../../functions/adapters/aws/dependencies';
import { receiveAtDock, receiptLineBusinessKey } from '../../../functions/domain/use-cases/procurement/receipts';
import { startTestDynamo, type TestDynamo } from '../../support/dynamodb';
import { glovesPurchaseOrder, glovesRequisition, PO_NUMBER, receiptInvoiceFakes, dockReceipt } from '../procurement/receipt-invoice-fixtures';
import { RecordingErpCommands } from '../procurement-fakes';
import { expectTruthy } from '../../support/expect-narrowing';

let dynamo: TestDynamo;

describe('recordReceipt on DynamoDB Local', () => {
  beforeAll(async () => {
    dynamo = await startTestDynamo();
  });
  afterAll(async () => {
    await dynamo?.stop();
  });

  it('raises on hand and lowers on order once, even when the receipt is sent again', async () => {
    const tableNames = await dynamo.createTables();
    const fakes = receiptInvoiceFakes();
    const adapters = buildAwsAdapters({ dynamoClient: dynamo.client, tableNames, clock: fakes.clock });
    const stores = buildProcurementAdapters({ dynamoClient: dynamo.client, tableNames, clock: fakes.clock });
    const opening = await fakes.inventory.getPosition('NMC-CATH', 'ITM-10003');
    expectTruthy(opening);
    await adapters.inventory.initialisePosition(opening);
    await stores.procurement.createPurchaseOrder(glovesPurchaseOrder());
    // The replenishment that put the gloves on order: its PO's receipts take them off.
    await stores.procurement.createRequisition(glovesRequisition());
    const deps = {
      ...fakes,
      inventory: adapters.inventory,
      audit: adapters.audit,
      transactions: adapters.transactions,
      procurement: stores.procurement,
      waits: stores.waits,
      erpCommands: new RecordingErpCommands(),
    };

    const first = await receiveAtDock(deps, dockReceipt('RCV-D1', [{ quantity: 12, uom: 'BX' }, { quantity: 30, uom: 'EA' }]), { actor: 'dock', causationId: 'r1' });
    const again = await receiveAtDock(deps, dockReceipt('RCV-D1', [{ quantity: 12, uom: 'BX' }, { quantity: 30, uom: 'EA' }]), { actor: 'dock', causationId: 'r2' });
    expect([first.created, again.created]).toStrictEqual([true, false]);
    expect(again.stock.map((s) => s.applied)).toStrictEqual([false, false]);
    const position = await adapters.inventory.getPosition('NMC-CATH', 'ITM-10003');
    expect([position?.onHand, position?.onOrder, position?.version]).toStrictEqual([400, 50, 2]);
    const movements = await adapters.inventory.listMovements('NMC-CATH', 'ITM-10003', 10);
    expect(movements.map((m) => m.businessKey).sort()).toStrictEqual([receiptLineBusinessKey('RCV-D1', 1), receiptLineBusinessKey('RCV-D1', 2)]);
    const po = await stores.procurement.getPurchaseOrder(PO_NUMBER);
    expect([po?.status, po?.lines[0]?.receivedBaseQuantity, po?.receiptIds]).toStrictEqual(['PARTIALLY_RECEIVED', 150, ['RCV-D1']]);
    expect((await stores.procurement.listReceipts(PO_NUMBER)).map((r) => r.receiptId)).toStrictEqual(['RCV-D1']);
  });
});

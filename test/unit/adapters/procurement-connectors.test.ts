import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsProcurementConnectors, parseStateMachineArns } from '../../../functions/adapters/aws/procurement-connectors';
import { InfrastructureError } from '../../../functions/domain/errors';
import type { Supplier } from '../../../contracts/procurement';

describe('awsProcurementConnectors (Lambda composition)', () => {
  it('builds nothing up front and names a missing variable at the first call that needs it', async () => {
    const ports = awsProcurementConnectors({});
    await assert.rejects(ports.erp.createPurchaseOrder({} as never, 'PO|1'), /HEM_ERP_URL/);
    await assert.rejects(ports.supplierNetwork.send({} as Supplier, 'ISA', '850|1'), /HEM_SUPPLIER_NETWORK_URL/);
  });

  it('starts nothing without a configured state machine ARN', async () => {
    const ports = awsProcurementConnectors({ AWS_REGION: 'us-east-1' });
    await assert.rejects(ports.workflows.start('RequisitionToPay', 'REQ-1', {}), InfrastructureError);
  });

  it('reads HEM_STATE_MACHINE_ARNS and refuses anything but ARNs', () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:hem-RequisitionToPay';
    assert.deepEqual(parseStateMachineArns(JSON.stringify({ RequisitionToPay: arn })), { RequisitionToPay: arn });
    assert.throws(() => parseStateMachineArns('{"RequisitionToPay":"nope"}'), /HEM_STATE_MACHINE_ARNS/);
    assert.throws(() => parseStateMachineArns('not json'), /not valid JSON/);
  });
});

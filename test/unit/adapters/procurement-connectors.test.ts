import { describe, expect, it } from '@jest/globals';
import { awsProcurementConnectors, parseStateMachineArns } from '../../../functions/adapters/aws/procurement-connectors';
import { InfrastructureError } from '../../../functions/domain/errors';
import type { Supplier } from '../../../contracts/procurement';

describe('awsProcurementConnectors (Lambda composition)', () => {
  it('builds nothing up front and names a missing variable at the first call that needs it', async () => {
    const ports = awsProcurementConnectors({});
    await expect(ports.erp.createPurchaseOrder({} as never, 'PO|1')).rejects.toThrow(/HEM_ERP_URL/);
    await expect(ports.supplierNetwork.send({} as Supplier, 'ISA', '850|1')).rejects.toThrow(/HEM_SUPPLIER_NETWORK_URL/);
  });

  it('starts nothing without a configured state machine ARN', async () => {
    const ports = awsProcurementConnectors({ AWS_REGION: 'us-east-1' });
    await expect(ports.workflows.start('RequisitionToPay', 'REQ-1', {})).rejects.toThrow(InfrastructureError);
  });

  it('reads HEM_STATE_MACHINE_ARNS and refuses anything but ARNs', () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:hem-RequisitionToPay';
    expect(parseStateMachineArns(JSON.stringify({ RequisitionToPay: arn }))).toStrictEqual({ RequisitionToPay: arn });
    expect(() => parseStateMachineArns('{"RequisitionToPay":"nope"}')).toThrow(/HEM_STATE_MACHINE_ARNS/);
    expect(() => parseStateMachineArns('not json')).toThrow(/not valid JSON/);
  });
});

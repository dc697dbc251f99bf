/**
 * awsProcurementDependencies: lazy and env-driven like awsDependencies. Its own file, so the
 * module-level client cache starts empty here (node --test runs each file in its own process).
 */
import { describe, expect, it } from '@jest/globals';
import { awsProcurementDependencies, createdAwsClients } from '../../../functions/adapters/aws/dependencies';
import { HEM_ENV } from '../../../functions/adapters/aws/environment';

describe('awsProcurementDependencies', () => {
  it('builds the ports without reading variables or creating clients', () => {
    const deps = awsProcurementDependencies({});
    const { procurement, waits } = { ...deps };
    expect(procurement).toBeTruthy();
    expect(waits).toBeTruthy();
    expect(createdAwsClients()).toStrictEqual([]);
  });

  it('names the missing table variable at first use of a port', () => {
    const deps = awsProcurementDependencies({ AWS_REGION: 'us-east-1' });
    expect(() => deps.procurement.getPurchaseOrder).toThrow(/HEM_TABLE_OPERATIONS is not set/);
    expect(() => deps.ediDocuments.recordOnce).toThrow(/HEM_TABLE_OPERATIONS is not set/);
    expect(() => deps.procurementConfig.findSupplierByX12).toThrow(/HEM_TABLE_REFERENCE is not set/);
    expect(createdAwsClients()).toStrictEqual([]);
  });

  it('creates the one DynamoDB client on first use, and nothing else', () => {
    const deps = awsProcurementDependencies({
      AWS_REGION: 'us-east-1',
      [HEM_ENV.tableOperations]: 'hem-operations',
      [HEM_ENV.tableReference]: 'hem-reference',
    });
    expect(typeof deps.waits.arrive).toBe('function');
    expect(typeof deps.controlNumbers.reserve).toBe('function');
    expect(typeof deps.procurementConfig.buyer).toBe('function');
    expect(createdAwsClients()).toStrictEqual(['dynamodb']);
  });
});

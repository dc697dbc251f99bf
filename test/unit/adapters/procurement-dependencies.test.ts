/**
 * awsProcurementDependencies: lazy and env-driven like awsDependencies. Its own file, so the
 * module-level client cache starts empty here (node --test runs each file in its own process).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsProcurementDependencies, createdAwsClients } from '../../../functions/adapters/aws/dependencies';
import { HEM_ENV } from '../../../functions/adapters/aws/environment';

describe('awsProcurementDependencies', () => {
  it('builds the ports without reading variables or creating clients', () => {
    const deps = awsProcurementDependencies({});
    const { procurement, waits } = { ...deps };
    assert.ok(procurement);
    assert.ok(waits);
    assert.deepEqual(createdAwsClients(), []);
  });

  it('names the missing table variable at first use of a port', () => {
    const deps = awsProcurementDependencies({ AWS_REGION: 'us-east-1' });
    assert.throws(() => deps.procurement.getPurchaseOrder, /HEM_TABLE_OPERATIONS is not set/);
    assert.throws(() => deps.ediDocuments.recordOnce, /HEM_TABLE_OPERATIONS is not set/);
    assert.throws(() => deps.procurementConfig.findSupplierByX12, /HEM_TABLE_REFERENCE is not set/);
    assert.deepEqual(createdAwsClients(), []);
  });

  it('creates the one DynamoDB client on first use, and nothing else', () => {
    const deps = awsProcurementDependencies({
      AWS_REGION: 'us-east-1',
      [HEM_ENV.tableOperations]: 'hem-operations',
      [HEM_ENV.tableReference]: 'hem-reference',
    });
    assert.equal(typeof deps.waits.arrive, 'function');
    assert.equal(typeof deps.controlNumbers.reserve, 'function');
    assert.equal(typeof deps.procurementConfig.buyer, 'function');
    assert.deepEqual(createdAwsClients(), ['dynamodb']);
  });
});

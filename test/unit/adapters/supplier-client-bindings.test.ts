/**
 * On AWS, Cognito generates each partner's app client id at deploy time, so supplier records cannot
 * carry it: the stack binds client → supplier in `HEM_SUPPLIER_CLIENTS` (cdk.json
 * `partners[].supplierId`). These tests run the EdiIngest handler on the DynamoDB adapters (DynamoDB
 * Local) with supplier records as an AWS deployment holds them (no `oauthClientId`) and such a binding.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TableNames } from '../../../contracts/tables';
import { awsProcurementDependencies, buildAwsAdapters, buildProcurementAdapters, parseSupplierClients } from '../../../functions/adapters/aws/dependencies';
import { HEM_ENV } from '../../../functions/adapters/aws/environment';
import { makeHandler as makeEdiIngest } from '../../../functions/handlers/edi-ingest';
import { buildProcurementSeed } from '../../../local/seed-procurement';
import { startTestDynamo } from '../../support/dynamodb';
import type { TestDynamo } from '../../support/dynamodb';
import { PO_123, po123 } from '../domain/use-cases/procurement/edi-support';
import { FixedClock, fakeDependencies, lambdaContext } from '../fakes';
import { apiEvent } from '../handlers/support';
import { procurementFakes } from '../procurement-fakes';
import { readX12Fixture } from '../x12/support';

/** What Cognito generates: 26 lower-case alphanumerics. */
const MEDLINE_COGNITO_CLIENT = '4v7k2m9q1x8c3b6n5z0p2r7t1s';
const CARDINAL_COGNITO_CLIENT = '9a1b2c3d4e5f6g7h8i9j0k1l2m';

let dynamo: TestDynamo;
let tableNames: TableNames;

/** The seed as an AWS deployment stores it: suppliers without client ids. */
const awsShapedSeed = (): ReturnType<typeof buildProcurementSeed> => {
  const seed = buildProcurementSeed();
  return { ...seed, suppliers: seed.suppliers.map(({ oauthClientId: _generatedByCognito, ...supplier }) => supplier) };
};

describe('supplier client bindings (HEM_SUPPLIER_CLIENTS)', () => {
  beforeAll(async () => {
    dynamo = await startTestDynamo();
    tableNames = await dynamo.createTables();
  });

  afterAll(async () => {
    await dynamo?.stop();
  });

  it('parses the bindings and names the variable when they are malformed or contradictory', () => {
    const bindings = parseSupplierClients(JSON.stringify([{ clientId: MEDLINE_COGNITO_CLIENT, supplierId: 'SUP-MEDLINE' }]));
    expect(bindings.get(MEDLINE_COGNITO_CLIENT)).toBe('SUP-MEDLINE');
    expect(() => parseSupplierClients('{"a": "SUP-MEDLINE"}')).toThrow(/HEM_SUPPLIER_CLIENTS must be a JSON array of \{clientId, supplierId\}/);
    expect(() => parseSupplierClients('not json')).toThrow(/HEM_SUPPLIER_CLIENTS is not valid JSON/);
    expect(() =>
        parseSupplierClients(
          JSON.stringify([
            { clientId: 'c1', supplierId: 'SUP-MEDLINE' },
            { clientId: 'c1', supplierId: 'SUP-BD' },
          ]),
        )).toThrow(/binds client c1 to both SUP-MEDLINE and SUP-BD/);
  });

  it('recognises a bound client as its supplier and nobody else, whatever the table binds', async () => {
    const stores = buildProcurementAdapters({
      dynamoClient: dynamo.client,
      tableNames,
      configCacheTtlMs: 0,
      supplierClients: new Map([
        [MEDLINE_COGNITO_CLIENT, 'SUP-MEDLINE'],
        // The seed binds supplier-owens to SUP-OWENS in the table; the deployment says otherwise.
        ['supplier-owens', 'SUP-BD'],
      ]),
    });
    await stores.procurementConfig.load(buildProcurementSeed());

    expect((await stores.procurementConfig.findSupplierByClientId(MEDLINE_COGNITO_CLIENT))?.supplierId).toBe('SUP-MEDLINE');
    expect(await stores.procurementConfig.findSupplierByClientId(CARDINAL_COGNITO_CLIENT)).toBe(undefined);
    expect((await stores.procurementConfig.findSupplierByClientId('supplier-owens'))?.supplierId).toBe('SUP-BD');
    // The seeded (local) client ids still resolve through the table for clients the deployment does not bind.
    expect((await stores.procurementConfig.findSupplierByClientId('supplier-cardinal'))?.supplierId).toBe('SUP-CARDINAL');
  });

  it('fails the Lambda composition at first use, naming HEM_SUPPLIER_CLIENTS, when the variable is malformed', () => {
    // Only the variable's reading is checked here: the composition's DynamoDB client targets AWS.
    expect(() =>
        awsProcurementDependencies({
          AWS_REGION: 'us-east-1',
          [HEM_ENV.tableReference]: tableNames.Reference,
          [HEM_ENV.supplierClients]: '[{"clientId": ""}]',
        }).procurementConfig.buyer()).toThrow(/HEM_SUPPLIER_CLIENTS must be a JSON array/);
  });

  it('accepts a supplier’s X12 from its bound Cognito client and rejects the same file from another supplier’s client', async () => {
    const clock = new FixedClock('2026-03-05T14:40:00.000Z');
    const stores = buildProcurementAdapters({
      dynamoClient: dynamo.client,
      tableNames,
      clock,
      configCacheTtlMs: 0,
      supplierClients: parseSupplierClients(
        JSON.stringify([
          { clientId: MEDLINE_COGNITO_CLIENT, supplierId: 'SUP-MEDLINE' },
          { clientId: CARDINAL_COGNITO_CLIENT, supplierId: 'SUP-CARDINAL' },
        ]),
      ),
    });
    const base = buildAwsAdapters({ dynamoClient: dynamo.client, tableNames, clock });
    const { workflows, erpCommands } = procurementFakes(clock);
    await stores.procurementConfig.load(awsShapedSeed());
    await stores.procurement.createPurchaseOrder(po123());
    const handler = makeEdiIngest({ ...fakeDependencies(), ...base, ...stores, workflows, erpCommands, clock });
    const post = (clientId: string): ReturnType<typeof apiEvent> =>
      apiEvent({
        method: 'POST',
        resource: '/v1/edi/x12',
        body: readX12Fixture('medline_855_5010.edi'),
        headers: { 'Content-Type': 'application/edi-x12' },
        claims: { client_id: clientId },
      });

    const foreign = await handler(post(CARDINAL_COGNITO_CLIENT), lambdaContext());
    expect(foreign.statusCode).toBe(200);
    expect(foreign.body).toMatch(/IK5\*R/);
    expect((await stores.procurement.getPurchaseOrder(PO_123))?.status).toBe(po123().status);

    const own = await handler(post(MEDLINE_COGNITO_CLIENT), lambdaContext());
    expect(own.statusCode).toBe(200);
    expect(own.body).toMatch(/IK5\*A~/);
    expect((await stores.procurement.getPurchaseOrder(PO_123))?.status).toBe('ACKNOWLEDGED');
  });
});

/**
 * Suppliers are partners: Cognito generates each app client id at deploy time, so the stack binds
 * every `partners[].supplierId` to its generated client on the functions that recognise suppliers.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { FUNCTIONS, type FunctionId } from '../../contracts/functions';
import { HEM_ENV } from '../../functions/adapters/aws/environment';
import { parseEnvironments, type EnvironmentConfig } from '../../lib/config/environment';
import { FUNCTION_ACCESS } from '../../lib/stacks/function-access';
import { buildTestApp, cdkJsonContext } from './support';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized templates are untyped JSON walked by path
type Json = Record<string, any>;

/** The functions that answer a supplier with its own documents only (EDI in, POs and invoices out). */
const SUPPLIER_FACING: readonly FunctionId[] = ['EdiIngest', 'PurchaseOrderQuery', 'InvoiceApi'];

let json: Json;
let config: EnvironmentConfig;

const variablesOf = (id: FunctionId): Json => {
  const description = FUNCTIONS.find((f) => f.id === id)!.description.slice(0, 256);
  const [fn] = Object.values(json.Resources as Record<string, Json>).filter(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === description,
  );
  expect(fn).toBeTruthy();
  return (fn.Properties.Environment?.Variables ?? {}) as Json;
};

/** Logical id of the Cognito app client CDK made for a partner (its client name is the partner name). */
const clientLogicalId = (partner: string): string => {
  const [entry] = Object.entries(json.Resources as Record<string, Json>).filter(
    ([, r]) => r.Type === 'AWS::Cognito::UserPoolClient' && r.Properties.ClientName === partner,
  );
  expect(entry).toBeTruthy();
  return entry[0];
};

/** `HEM_SUPPLIER_CLIENTS` as CloudFormation will render it, the client ids left as `{"Ref": id}` markers. */
const bindingsOf = (value: unknown): { clientRef: string; supplierId: string }[] => {
  const join = (value as Json)['Fn::Join'] as [string, unknown[]];
  const rendered = join[1].map((part) => (typeof part === 'string' ? part : `@@${(part as Json).Ref as string}@@`)).join(join[0]);
  return (JSON.parse(rendered.replace(/@@([^@]+)@@/g, '$1')) as { clientId: string; supplierId: string }[]).map((b) => ({
    clientRef: b.clientId,
    supplierId: b.supplierId,
  }));
};

describe('supplier partners bound to their Cognito clients', () => {
  beforeAll(() => {
    const { app, stacks } = buildTestApp({ env: 'dev' });
    const [stack] = stacks;
    json = app.synth().getStackByName(stack!.stackName).template as Json;
    config = parseEnvironments(cdkJsonContext().environments).find((e) => e.name === 'dev')!.config;
  });

  it('binds every supplier partner of cdk.json to its generated app client on the supplier-facing functions', () => {
    const expected = config.partners
      .filter((p) => p.supplierId !== undefined)
      .map((p) => ({ clientRef: clientLogicalId(p.name), supplierId: p.supplierId! }))
      .sort((a, b) => a.supplierId.localeCompare(b.supplierId));
    expect(expected.length >= 4).toBeTruthy();
    for (const id of SUPPLIER_FACING) {
      const bindings = bindingsOf(variablesOf(id)[HEM_ENV.supplierClients]).sort((a, b) => a.supplierId.localeCompare(b.supplierId));
      expect(bindings).toStrictEqual(expected);
    }
  });

  it('gives the bindings to no other function', () => {
    for (const { id } of FUNCTIONS) {
      expect(FUNCTION_ACCESS[id].identifiesSuppliers === true).toBe(SUPPLIER_FACING.includes(id));
      if (!SUPPLIER_FACING.includes(id)) expect(!(HEM_ENV.supplierClients in variablesOf(id))).toBeTruthy();
    }
  });

  it('rejects a supplier bound to two partners and a supplier partner without a supplier scope', () => {
    const dev = (cdkJsonContext().environments as Record<string, Json>).dev!;
    const partners = [
      { name: 'supplier-a', scopes: ['hem/edi.write'], supplierId: 'SUP-MEDLINE' },
      { name: 'supplier-b', scopes: ['hem/po.read'], supplierId: 'SUP-MEDLINE' },
    ];
    expect(() => parseEnvironments({ dev: { ...dev, partners } })).toThrow(/supplier "SUP-MEDLINE" is bound to two partners/);
    expect(() => parseEnvironments({ dev: { ...dev, partners: [{ name: 'epic-ehr', scopes: ['hem/usage.write'], supplierId: 'SUP-BD' }] } })).toThrow(/a supplier partner needs one of hem\/edi.write, hem\/po.read, hem\/invoice.read/);
  });
});

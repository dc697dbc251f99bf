import { describe, expect, it } from '@jest/globals';
import { ApprovalPolicySchema, MatchTolerancesSchema, SupplierSchema } from '../../../contracts/procurement';
import { isValidGln } from '../../../local/gs1';
import { DEFAULT_LOCAL_CLIENTS } from '../../../local/oauth';
import { buildSeedData } from '../../../local/seed';
import { approvalPolicyFor, buildProcurementSeed, tolerancesFor } from '../../../local/seed-procurement';
import { expectTruthy } from '../../support/expect-narrowing';

const seed = buildProcurementSeed();

describe('buildProcurementSeed', () => {
  it('is deterministic: two builds are deeply equal', () => {
    expect(buildProcurementSeed()).toStrictEqual(seed);
  });

  it('seeds the four suppliers the item master references, each valid against SupplierSchema', () => {
    expect(seed.suppliers.map((s) => s.supplierId)).toStrictEqual(['SUP-MEDLINE', 'SUP-CARDINAL', 'SUP-OWENS', 'SUP-BD']);
    for (const supplier of seed.suppliers) {
      const parsed = SupplierSchema.safeParse(supplier);
      expect(parsed.success).toBe(true);
    }
    const referenced = new Set(buildSeedData().items.map((item) => item.supplierId));
    expect([...referenced].sort()).toStrictEqual(seed.suppliers.map((s) => s.supplierId).sort());
  });

  it('gives every supplier a 9-digit DUNS and a GLN with a valid GS1 check digit, all distinct', () => {
    for (const supplier of seed.suppliers) {
      expect(supplier.duns ?? '').toMatch(/^\d{9}$/);
      expect(isValidGln(supplier.gln ?? '')).toBe(true);
    }
    expect(new Set(seed.suppliers.map((s) => s.duns)).size).toBe(4);
    expect(new Set(seed.suppliers.map((s) => s.gln)).size).toBe(4);
  });

  it('addresses the suppliers as ZZ/MEDLINE, ZZ/CARDINAL, ZZ/OWENSMINOR and ZZ/BDX in ISA and GS', () => {
    expect(seed.suppliers.map((s) => `${s.x12.isaQualifier}/${s.x12.isaId}/${s.x12.gsId}`)).toStrictEqual(['ZZ/MEDLINE/MEDLINE', 'ZZ/CARDINAL/CARDINAL', 'ZZ/OWENSMINOR/OWENSMINOR', 'ZZ/BDX/BDX']);
  });

  it('names one OAuth client per supplier, each existing locally with edi.write, po.read and invoice.read', () => {
    expect(seed.suppliers.map((s) => s.oauthClientId)).toStrictEqual(['supplier-medline', 'supplier-cardinal', 'supplier-owens', 'supplier-bd']);
    for (const supplier of seed.suppliers) {
      const client = DEFAULT_LOCAL_CLIENTS.find((c) => c.clientId === supplier.oauthClientId);
      expectTruthy(client);
      expect([...client.allowedScopes].sort()).toStrictEqual(['hem/edi.write', 'hem/invoice.read', 'hem/po.read']);
    }
  });

  it('auto-approves contract requisitions under 5000.00 at CC-NMC-OR and under 2500.00 elsewhere, with a 4 h decision timeout', () => {
    for (const policy of seed.approvalPolicies) {
      expect(ApprovalPolicySchema.safeParse(policy).success).toBe(true);
      expect(policy.decisionTimeoutSeconds).toBe(4 * 3600);
    }
    expect(seed.approvalPolicies.map((p) => [p.costCenter, p.autoApproveContractUnder])).toStrictEqual([
        ['CC-NMC-OR', 5000],
        ['CC-NMC-CATH', 2500],
        ['CC-NMC-ED', 2500],
        ['CC-SCH-OR', 2500],
        ['CC-SCH-ICU', 2500],
        ['CC-SCH-LD', 2500],
        ['default', 2500],
      ]);
  });

  it('covers every seeded cost center and falls back to the default policy for an unknown one', () => {
    const costCenters = buildSeedData().costCenters.map((c) => c.costCenter);
    for (const costCenter of costCenters) {
      expect(approvalPolicyFor(seed, costCenter).costCenter).toBe(costCenter);
    }
    expect(approvalPolicyFor(seed, 'CC-UNKNOWN').costCenter).toBe('default');
  });

  it('sets the default match tolerances: 2 % and 0.50 per unit, qty 0, freight 150.00, tax 10 %, duplicates within 60 days', () => {
    expect(MatchTolerancesSchema.safeParse(seed.tolerances.default).success).toBe(true);
    expect(seed.tolerances.default).toStrictEqual({
      unitPricePercent: 2,
      unitPriceAbsolute: 0.5,
      quantityBaseUnits: 0,
      freightMaxAmount: 150,
      taxMaxPercent: 10,
      duplicateWindowDays: 60,
    });
    for (const [supplierId, tolerances] of Object.entries(seed.tolerances.bySupplier)) {
      expect(seed.suppliers.some((s) => s.supplierId === supplierId)).toBeTruthy();
      expect(MatchTolerancesSchema.safeParse(tolerances).success).toBe(true);
    }
    expect(tolerancesFor(seed, 'SUP-MEDLINE')).toStrictEqual(seed.tolerances.default);
    expect(tolerancesFor(seed, 'SUP-OWENS').freightMaxAmount).toBe(250);
  });

  it('identifies the buyer as ZZ/HEMHOSPITAL with a valid GLN and a 9-digit DUNS', () => {
    expect(seed.buyer.isaQualifier).toBe('ZZ');
    expect(seed.buyer.isaId).toBe('HEMHOSPITAL');
    expect(seed.buyer.gsId).toBe('HEMHOSPITAL');
    expect(isValidGln(seed.buyer.gln)).toBe(true);
    expect(seed.buyer.duns).toMatch(/^\d{9}$/);
    expect(seed.buyer.name.length > 0).toBeTruthy();
    expect(!seed.suppliers.some((s) => s.gln === seed.buyer.gln)).toBeTruthy();
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApprovalPolicySchema, MatchTolerancesSchema, SupplierSchema } from '../../../contracts/procurement';
import { isValidGln } from '../../../local/gs1';
import { DEFAULT_LOCAL_CLIENTS } from '../../../local/oauth';
import { buildSeedData } from '../../../local/seed';
import { approvalPolicyFor, buildProcurementSeed, tolerancesFor } from '../../../local/seed-procurement';

const seed = buildProcurementSeed();

describe('buildProcurementSeed', () => {
  it('is deterministic: two builds are deeply equal', () => {
    assert.deepEqual(buildProcurementSeed(), seed);
  });

  it('seeds the four suppliers the item master references, each valid against SupplierSchema', () => {
    assert.deepEqual(
      seed.suppliers.map((s) => s.supplierId),
      ['SUP-MEDLINE', 'SUP-CARDINAL', 'SUP-OWENS', 'SUP-BD'],
    );
    for (const supplier of seed.suppliers) {
      const parsed = SupplierSchema.safeParse(supplier);
      assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues));
    }
    const referenced = new Set(buildSeedData().items.map((item) => item.supplierId));
    assert.deepEqual([...referenced].sort(), seed.suppliers.map((s) => s.supplierId).sort());
  });

  it('gives every supplier a 9-digit DUNS and a GLN with a valid GS1 check digit, all distinct', () => {
    for (const supplier of seed.suppliers) {
      assert.match(supplier.duns ?? '', /^\d{9}$/, supplier.supplierId);
      assert.equal(isValidGln(supplier.gln ?? ''), true, `${supplier.supplierId} ${supplier.gln}`);
    }
    assert.equal(new Set(seed.suppliers.map((s) => s.duns)).size, 4);
    assert.equal(new Set(seed.suppliers.map((s) => s.gln)).size, 4);
  });

  it('addresses the suppliers as ZZ/MEDLINE, ZZ/CARDINAL, ZZ/OWENSMINOR and ZZ/BDX in ISA and GS', () => {
    assert.deepEqual(
      seed.suppliers.map((s) => `${s.x12.isaQualifier}/${s.x12.isaId}/${s.x12.gsId}`),
      ['ZZ/MEDLINE/MEDLINE', 'ZZ/CARDINAL/CARDINAL', 'ZZ/OWENSMINOR/OWENSMINOR', 'ZZ/BDX/BDX'],
    );
  });

  it('names one OAuth client per supplier, each existing locally with edi.write, po.read and invoice.read', () => {
    assert.deepEqual(
      seed.suppliers.map((s) => s.oauthClientId),
      ['supplier-medline', 'supplier-cardinal', 'supplier-owens', 'supplier-bd'],
    );
    for (const supplier of seed.suppliers) {
      const client = DEFAULT_LOCAL_CLIENTS.find((c) => c.clientId === supplier.oauthClientId);
      assert.ok(client, supplier.oauthClientId);
      assert.deepEqual([...client.allowedScopes].sort(), ['hem/edi.write', 'hem/invoice.read', 'hem/po.read']);
    }
  });

  it('auto-approves contract requisitions under 5000.00 at CC-NMC-OR and under 2500.00 elsewhere, with a 4 h decision timeout', () => {
    for (const policy of seed.approvalPolicies) {
      assert.equal(ApprovalPolicySchema.safeParse(policy).success, true, policy.costCenter);
      assert.equal(policy.decisionTimeoutSeconds, 4 * 3600);
    }
    assert.deepEqual(
      seed.approvalPolicies.map((p) => [p.costCenter, p.autoApproveContractUnder]),
      [
        ['CC-NMC-OR', 5000],
        ['CC-NMC-CATH', 2500],
        ['CC-NMC-ED', 2500],
        ['CC-SCH-OR', 2500],
        ['CC-SCH-ICU', 2500],
        ['CC-SCH-LD', 2500],
        ['default', 2500],
      ],
    );
  });

  it('covers every seeded cost center and falls back to the default policy for an unknown one', () => {
    const costCenters = buildSeedData().costCenters.map((c) => c.costCenter);
    for (const costCenter of costCenters) {
      assert.equal(approvalPolicyFor(seed, costCenter).costCenter, costCenter);
    }
    assert.equal(approvalPolicyFor(seed, 'CC-UNKNOWN').costCenter, 'default');
  });

  it('sets the default match tolerances: 2 % and 0.50 per unit, qty 0, freight 150.00, tax 10 %, duplicates within 60 days', () => {
    assert.equal(MatchTolerancesSchema.safeParse(seed.tolerances.default).success, true);
    assert.deepEqual(seed.tolerances.default, {
      unitPricePercent: 2,
      unitPriceAbsolute: 0.5,
      quantityBaseUnits: 0,
      freightMaxAmount: 150,
      taxMaxPercent: 10,
      duplicateWindowDays: 60,
    });
    for (const [supplierId, tolerances] of Object.entries(seed.tolerances.bySupplier)) {
      assert.ok(seed.suppliers.some((s) => s.supplierId === supplierId), supplierId);
      assert.equal(MatchTolerancesSchema.safeParse(tolerances).success, true, supplierId);
    }
    assert.deepEqual(tolerancesFor(seed, 'SUP-MEDLINE'), seed.tolerances.default);
    assert.equal(tolerancesFor(seed, 'SUP-OWENS').freightMaxAmount, 250);
  });

  it('identifies the buyer as ZZ/HEMHOSPITAL with a valid GLN and a 9-digit DUNS', () => {
    assert.equal(seed.buyer.isaQualifier, 'ZZ');
    assert.equal(seed.buyer.isaId, 'HEMHOSPITAL');
    assert.equal(seed.buyer.gsId, 'HEMHOSPITAL');
    assert.equal(isValidGln(seed.buyer.gln), true, seed.buyer.gln);
    assert.match(seed.buyer.duns, /^\d{9}$/);
    assert.ok(seed.buyer.name.length > 0);
    assert.ok(!seed.suppliers.some((s) => s.gln === seed.buyer.gln));
  });
});

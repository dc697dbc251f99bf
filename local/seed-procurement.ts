/**
 * Procure-to-pay reference data of the seeded hospital: the four suppliers as X12 trading partners,
 * the approval policy of every cost center, the three-way match tolerances and the buyer's own
 * identity (the ISA/GS sender of every 850 HEM writes).
 *
 * Deterministic by construction, like `local/seed.ts`: the supplier simulator, fixtures and e2e
 * tests rely on these exact ids. DUNS numbers and GLNs are illustrative, not the companies' real
 * ones; GLNs carry valid GS1 check digits.
 */
import type { ApprovalPolicy, MatchTolerances, Supplier } from '../contracts/procurement';
import { withCheckDigit } from './gs1';
import { SEED_SUPPLIERS, costCenterOf } from './seed';
import type { SeedSupplierId } from './seed';

/** The hospital as a trading partner: sender of 850s, receiver of 855/856/810. */
export interface ProcurementBuyer {
  name: string;
  /** 13-digit GLN of the health system's corporate purchasing office. */
  gln: string;
  /** 9-digit DUNS. */
  duns: string;
  /** ISA05/ISA07 qualifier of HEM's interchanges. */
  isaQualifier: 'ZZ';
  /** ISA06/ISA08 id of HEM (padded to 15 on the wire). */
  isaId: 'HEMHOSPITAL';
  /** GS02/GS03 application code of HEM. */
  gsId: 'HEMHOSPITAL';
}

/** Everything procure-to-pay needs besides the item master. */
export interface ProcurementSeed {
  suppliers: Supplier[];
  /** One per cost center, plus `costCenter: 'default'` for any other. */
  approvalPolicies: ApprovalPolicy[];
  tolerances: { default: MatchTolerances; bySupplier: Record<string, MatchTolerances> };
  buyer: ProcurementBuyer;
}

/** ISA/GS id of HEM in every interchange. */
export const BUYER_X12_ID = 'HEMHOSPITAL';

/** Cost center of the approval policy that applies where no cost center has its own. */
export const DEFAULT_APPROVAL_POLICY = 'default';

/** Four hours: how long an approver may take before the requisition escalates. */
const DECISION_TIMEOUT_SECONDS = 4 * 60 * 60;

interface SupplierSeed {
  duns: string;
  /** Evaluated receipt: HEM receives the supplier's 856 as shipped, no dock count. */
  receiveOnShipNotice?: boolean;
  /** GLN body: the supplier's (illustrative) GS1 company prefix + location reference; check digit computed. */
  glnBody: string;
  isaId: string;
  oauthClientId: string;
}

const SUPPLIER_IDENTITIES: Readonly<Record<SeedSupplierId, SupplierSeed>> = {
  'SUP-MEDLINE': { duns: '100200301', glnBody: '086120100001', isaId: 'MEDLINE', oauthClientId: 'supplier-medline' },
  // Cardinal's ship notices are trusted as the receipt (evaluated receipt): the dock does not count them.
  'SUP-CARDINAL': { duns: '100200302', glnBody: '086120300001', isaId: 'CARDINAL', oauthClientId: 'supplier-cardinal', receiveOnShipNotice: true },
  'SUP-OWENS': { duns: '100200303', glnBody: '086122000001', isaId: 'OWENSMINOR', oauthClientId: 'supplier-owens' },
  'SUP-BD': { duns: '100200304', glnBody: '086120400001', isaId: 'BDX', oauthClientId: 'supplier-bd' },
};

/** Cost centers whose contract requisitions auto-approve under a higher limit than the rest. */
const AUTO_APPROVE_LIMITS: Readonly<Record<string, number>> = {
  // The main OR burns through implants and custom packs: a lower limit would page a buyer all day.
  [costCenterOf('NMC-OR')]: 5000,
};
const DEFAULT_AUTO_APPROVE_LIMIT = 2500;

/** Cost centers of the seeded par locations (same order as `local/seed.ts`). */
const SEED_COST_CENTERS: readonly string[] = ['NMC-OR', 'NMC-CATH', 'NMC-ED', 'SCH-OR', 'SCH-ICU', 'SCH-LD'].map(costCenterOf);

const DEFAULT_TOLERANCES: MatchTolerances = {
  unitPricePercent: 2,
  unitPriceAbsolute: 0.5,
  quantityBaseUnits: 0,
  freightMaxAmount: 150,
  taxMaxPercent: 10,
  duplicateWindowDays: 60,
};

/**
 * Builds the procure-to-pay seed. Pure and deterministic: same output on every call (fresh objects,
 * so callers may mutate theirs).
 */
export function buildProcurementSeed(): ProcurementSeed {
  const suppliers: Supplier[] = SEED_SUPPLIERS.map(({ supplierId, name }) => {
    const identity = SUPPLIER_IDENTITIES[supplierId];
    return {
      supplierId,
      name,
      duns: identity.duns,
      gln: withCheckDigit(identity.glnBody),
      x12: { isaQualifier: 'ZZ', isaId: identity.isaId, gsId: identity.isaId },
      oauthClientId: identity.oauthClientId,
      ...(identity.receiveOnShipNotice === true ? { receiveOnShipNotice: true } : {}),
    };
  });

  const approvalPolicies: ApprovalPolicy[] = [
    ...SEED_COST_CENTERS.map((costCenter) => ({
      costCenter,
      autoApproveContractUnder: AUTO_APPROVE_LIMITS[costCenter] ?? DEFAULT_AUTO_APPROVE_LIMIT,
      decisionTimeoutSeconds: DECISION_TIMEOUT_SECONDS,
    })),
    { costCenter: DEFAULT_APPROVAL_POLICY, autoApproveContractUnder: DEFAULT_AUTO_APPROVE_LIMIT, decisionTimeoutSeconds: DECISION_TIMEOUT_SECONDS },
  ];

  return {
    suppliers,
    approvalPolicies,
    tolerances: {
      default: { ...DEFAULT_TOLERANCES },
      // Owens & Minor ships consolidated pallets from its distribution center; its contract allows more freight.
      bySupplier: { 'SUP-OWENS': { ...DEFAULT_TOLERANCES, freightMaxAmount: 250 } },
    },
    buyer: {
      name: 'HEM Health System',
      gln: withCheckDigit('086120000000'),
      duns: '804512336',
      isaQualifier: 'ZZ',
      isaId: BUYER_X12_ID,
      gsId: BUYER_X12_ID,
    },
  };
}

/** The approval policy of `costCenter`, or the `default` one. */
export function approvalPolicyFor(seed: ProcurementSeed, costCenter: string): ApprovalPolicy {
  const policy =
    seed.approvalPolicies.find((p) => p.costCenter === costCenter) ?? seed.approvalPolicies.find((p) => p.costCenter === DEFAULT_APPROVAL_POLICY);
  if (policy === undefined) {
    throw new Error('procurement seed has no default approval policy');
  }
  return policy;
}

/** The match tolerances of `supplierId`, or the default ones. */
export function tolerancesFor(seed: ProcurementSeed, supplierId: string): MatchTolerances {
  return seed.tolerances.bySupplier[supplierId] ?? seed.tolerances.default;
}

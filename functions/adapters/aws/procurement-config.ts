/**
 * `ProcurementConfig` over the Reference table (single table, `pk`/`sk` + GSI `gsi1`), next to the
 * crosswalks of `reference-data-repository.ts`.
 *
 * Item key design (entity attributes stored flat next to the keys, plus `entityType`):
 *
 * | record              | pk                                  | sk     | gsi1pk                        | gsi1sk                  |
 * | ------------------- | ----------------------------------- | ------ | ----------------------------- | ----------------------- |
 * | Supplier            | `SUPPLIER#<supplierId>`             | `META` | `X12#<isaQualifier>#<isaId>`  | `SUPPLIER#<supplierId>` |
 * | Supplier client     | `SUPPLIER_CLIENT#<oauthClientId>`   | `META` |                               |                         |
 * | Approval policy     | `APPROVAL#<costCenter>`             | `META` |                               |                         |
 * | Match tolerances    | `TOLERANCES#<supplierId>`           | `META` |                               |                         |
 * | Default tolerances  | `TOLERANCES#default`                | `META` |                               |                         |
 * | Buyer (HEM itself)  | `BUYER`                             | `META` |                               |                         |
 *
 * - `getSupplier`, `approvalPolicy`, `tolerances`, `buyer`: GetItem (policy and tolerances fall back
 *   to their `default` item).
 * - `findSupplierByX12`: a Query on gsi1 (ISA05 + ISA06, as the X12 adapter hands them, trimmed).
 * - `findSupplierByClientId`: the deployment's client bindings first (`supplierClients`: on AWS
 *   Cognito generates app client ids, so the stack passes them in `HEM_SUPPLIER_CLIENTS`), else a
 *   GetItem of the client item (it holds the supplier id); then a GetItem of the supplier. An item
 *   has one gsi1 key, taken by the X12 sender, and a key lookup is consistent.
 *
 * Every hit is cached in the process for `cacheTtlMs` (default 30 s; 0 disables it): the EDI endpoint
 * reads a supplier and the buyer on every request. Misses are not cached, so a partner onboarded a
 * moment ago is found. `load` writes the whole configuration (idempotent: items are overwritten)
 * and clears this instance's cache; the local runtime calls it with `local/seed-procurement.ts`.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApprovalPolicy, MatchTolerances, Supplier } from '../../../contracts/procurement';
import { NotFoundError } from '../../domain/errors';
import type { ProcurementConfig } from '../../domain/procurement-ports';
import { batchPutAll, findEntityByGsi1, getEntity } from './dynamo-support';
import type { BatchWriteOptions, DynamoItem, TableKey } from './dynamo-support';
import { TtlCache } from './ttl-cache';

const META = 'META';
/** Cost center / supplier id of the fallback policy and tolerances. */
export const PROCUREMENT_DEFAULT = 'default';
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entityType'] as const;

/** HEM's own identity as a trading partner (the ISA/GS sender of its 850s and acknowledgments). */
export interface ProcurementBuyerIdentity {
  name: string;
  gln: string;
  duns: string;
  isaQualifier: string;
  isaId: string;
  gsId: string;
}

/**
 * Everything `load` writes. `local/seed-procurement.ts`'s `ProcurementSeed` has this shape (declared
 * here so the adapter does not import the local runtime).
 */
export interface ProcurementConfigData {
  suppliers: readonly Supplier[];
  /** One per cost center, plus `costCenter: 'default'`. */
  approvalPolicies: readonly ApprovalPolicy[];
  tolerances: { default: MatchTolerances; bySupplier: Readonly<Record<string, MatchTolerances>> };
  buyer: ProcurementBuyerIdentity;
}

/** Key builders of the procurement configuration items. */
export const procurementConfigKeys = {
  supplier: (supplierId: string): TableKey => ({ pk: `SUPPLIER#${supplierId}`, sk: META }),
  supplierX12: (qualifier: string, isaId: string): string => `X12#${qualifier.trim()}#${isaId.trim()}`,
  supplierClient: (oauthClientId: string): TableKey => ({ pk: `SUPPLIER_CLIENT#${oauthClientId}`, sk: META }),
  approvalPolicy: (costCenter: string): TableKey => ({ pk: `APPROVAL#${costCenter}`, sk: META }),
  tolerances: (supplierId: string): TableKey => ({ pk: `TOLERANCES#${supplierId}`, sk: META }),
  buyer: (): TableKey => ({ pk: 'BUYER', sk: META }),
} as const;

export interface DynamoProcurementConfigOptions {
  client: DynamoDBDocumentClient;
  /** The Reference table. */
  tableName: string;
  /** How long a hit is reused in this process. @default 30000 (0 disables the cache) */
  cacheTtlMs?: number;
  /** Time source for the cache (tests). @default Date.now */
  now?: () => number;
  /** Retry and parallelism of `load`'s BatchWriteItem calls. */
  loadOptions?: BatchWriteOptions;
  /**
   * App client id → supplier id bindings fixed by the deployment. A bound client is that supplier
   * whatever the table's `SUPPLIER_CLIENT#` items say. @default none (the table decides)
   */
  supplierClients?: ReadonlyMap<string, string>;
}

/** Procurement configuration on the Reference table. */
export class DynamoProcurementConfig implements ProcurementConfig {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #loadOptions: BatchWriteOptions;
  readonly #cache: TtlCache;
  readonly #supplierClients: ReadonlyMap<string, string>;

  constructor(options: DynamoProcurementConfigOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#cache = new TtlCache({ ttlMs: options.cacheTtlMs ?? 30_000, now: options.now });
    this.#loadOptions = options.loadOptions ?? {};
    this.#supplierClients = options.supplierClients ?? new Map();
  }

  getSupplier(supplierId: string): Promise<Supplier | undefined> {
    return this.#get<Supplier>(procurementConfigKeys.supplier(supplierId));
  }

  findSupplierByX12(qualifier: string, id: string): Promise<Supplier | undefined> {
    const gsi1pk = procurementConfigKeys.supplierX12(qualifier, id);
    return this.#cache.getOrLoad(gsi1pk, () => findEntityByGsi1<Supplier>(this.#client, this.#tableName, gsi1pk, KEY_ATTRIBUTES));
  }

  async findSupplierByClientId(oauthClientId: string): Promise<Supplier | undefined> {
    const bound = this.#supplierClients.get(oauthClientId);
    if (bound !== undefined) return this.getSupplier(bound);
    const client = await this.#get<{ supplierId: string }>(procurementConfigKeys.supplierClient(oauthClientId));
    return client === undefined ? undefined : this.getSupplier(client.supplierId);
  }

  /** The cost center's policy, else the `default` one. @throws NotFoundError when neither exists (an unseeded deployment). */
  async approvalPolicy(costCenter: string): Promise<ApprovalPolicy> {
    const policy =
      (await this.#get<ApprovalPolicy>(procurementConfigKeys.approvalPolicy(costCenter))) ??
      (await this.#get<ApprovalPolicy>(procurementConfigKeys.approvalPolicy(PROCUREMENT_DEFAULT)));
    if (policy === undefined) throw new NotFoundError(`no approval policy for ${costCenter} and no default policy`, { details: { costCenter } });
    return policy;
  }

  /** The supplier's tolerances, else the default ones. @throws NotFoundError when neither exists. */
  async tolerances(supplierId: string): Promise<MatchTolerances> {
    const tolerances =
      (await this.#get<MatchTolerances & { supplierId?: string }>(procurementConfigKeys.tolerances(supplierId))) ??
      (await this.#get<MatchTolerances & { supplierId?: string }>(procurementConfigKeys.tolerances(PROCUREMENT_DEFAULT)));
    if (tolerances === undefined) throw new NotFoundError(`no match tolerances for ${supplierId} and no default`, { details: { supplierId } });
    const { supplierId: _owner, ...rest } = tolerances;
    return rest;
  }

  /** @throws NotFoundError when the buyer identity was never loaded. */
  async buyer(): Promise<ProcurementBuyerIdentity> {
    const buyer = await this.#get<ProcurementBuyerIdentity>(procurementConfigKeys.buyer());
    if (buyer === undefined) throw new NotFoundError('the buyer identity is not configured');
    return buyer;
  }

  /** Writes the whole configuration (BatchWriteItem, 25 per call). Idempotent: items are overwritten. */
  async load(data: ProcurementConfigData): Promise<void> {
    const items: DynamoItem[] = [
      ...data.suppliers.flatMap((s) => [
        {
          ...procurementConfigKeys.supplier(s.supplierId),
          gsi1pk: procurementConfigKeys.supplierX12(s.x12.isaQualifier, s.x12.isaId),
          gsi1sk: `SUPPLIER#${s.supplierId}`,
          entityType: 'Supplier',
          ...s,
        },
        ...(s.oauthClientId === undefined
          ? []
          : [{ ...procurementConfigKeys.supplierClient(s.oauthClientId), entityType: 'SupplierClient', supplierId: s.supplierId }]),
      ]),
      ...data.approvalPolicies.map((p) => ({ ...procurementConfigKeys.approvalPolicy(p.costCenter), entityType: 'ApprovalPolicy', ...p })),
      { ...procurementConfigKeys.tolerances(PROCUREMENT_DEFAULT), entityType: 'MatchTolerances', ...data.tolerances.default },
      ...Object.entries(data.tolerances.bySupplier).map(([supplierId, t]) => ({
        ...procurementConfigKeys.tolerances(supplierId),
        entityType: 'MatchTolerances',
        ...t,
        supplierId,
      })),
      { ...procurementConfigKeys.buyer(), entityType: 'Buyer', ...data.buyer },
    ];
    // BatchWriteItem refuses a chunk holding one key twice: the last occurrence wins, as a Put would.
    const unique = new Map(items.map((item) => [`${String(item.pk)}|${String(item.sk)}`, item]));
    await batchPutAll(this.#client, this.#tableName, [...unique.values()], this.#loadOptions);
    this.#cache.clear();
  }

  #get<T>(key: TableKey): Promise<T | undefined> {
    return this.#cache.getOrLoad(`${key.pk}|${key.sk}`, () => getEntity<T>(this.#client, this.#tableName, key, KEY_ATTRIBUTES));
  }
}

/**
 * `ReferenceDataRepository` over the Reference table (single table, `pk`/`sk` + GSI `gsi1`).
 *
 * Item key design (entity attributes are stored flat next to the keys, plus `entityType`):
 *
 * | entity               | pk                                          | sk              | gsi1pk         | gsi1sk        |
 * | -------------------- | ------------------------------------------- | --------------- | -------------- | ------------- |
 * | Item                 | `ITEM#<itemId>`                             | `META`          | `GTIN#<gtin>`  | `ITEM#<itemId>` |
 * | Charge code crosswalk| `CHARGE#<sourceSystem>#<chargeCode>`        | `META`          |                |               |
 * | Department crosswalk | `DEPT#<sourceSystem>#<facilityCode>#<dept>` | `META`          |                |               |
 * | Location             | `LOC#<locationId>`                          | `META`          |                |               |
 * | Facility             | `FAC#<facilityId>`                          | `META`          |                |               |
 * | Cost center          | `CC#<costCenter>`                           | `META`          |                |               |
 * | Par setting          | `PAR#<locationId>`                          | `ITEM#<itemId>` |                |               |
 *
 * Every lookup is a single-item GetItem except `findItemByGtin` (a Query on gsi1, eventually
 * consistent like every GSI). Par settings share a partition per location so one location's pars
 * can be listed with one Query.
 *
 * Cache: hot lookups (every usage line reads an item, a charge code, a department, a location,
 * a cost center and a par setting) go through a small in-process cache with a short TTL
 * (`cacheTtlMs`, default 30 s; 0 disables it). Only hits are cached: a crosswalk an operator has
 * just added is found on the next lookup, never hidden by a cached miss. `putChargeCode`,
 * `putDepartment` and `load` update or clear the cache of this instance; other Lambda instances
 * see a change after at most one TTL, which the reference data's change rate tolerates.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  ChargeCodeCrosswalk,
  CostCenter,
  DepartmentCrosswalk,
  Facility,
  Item,
  Location,
  ParSetting,
  ReferenceDataSet,
} from '../../../contracts/reference';
import type { ReferenceDataRepository } from '../../domain/ports';
import { batchPutAll, findEntityByGsi1, getEntity, toInfrastructureError } from './dynamo-support';
import type { BatchWriteOptions, DynamoItem, TableKey } from './dynamo-support';
import { TtlCache } from './ttl-cache';

const META = 'META';
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entityType'] as const;

/** Key builders: the one place the Reference table's key formats are spelled. */
export const referenceKeys = {
  item: (itemId: string): TableKey => ({ pk: `ITEM#${itemId}`, sk: META }),
  itemGtin: (gtin: string): string => `GTIN#${gtin}`,
  chargeCode: (sourceSystem: string, chargeCode: string): TableKey => ({ pk: `CHARGE#${sourceSystem}#${chargeCode}`, sk: META }),
  department: (sourceSystem: string, facilityCode: string, departmentCode: string): TableKey => ({
    pk: `DEPT#${sourceSystem}#${facilityCode}#${departmentCode}`,
    sk: META,
  }),
  location: (locationId: string): TableKey => ({ pk: `LOC#${locationId}`, sk: META }),
  facility: (facilityId: string): TableKey => ({ pk: `FAC#${facilityId}`, sk: META }),
  costCenter: (costCenter: string): TableKey => ({ pk: `CC#${costCenter}`, sk: META }),
  parSetting: (locationId: string, itemId: string): TableKey => ({ pk: `PAR#${locationId}`, sk: `ITEM#${itemId}` }),
} as const;

export interface DynamoReferenceDataRepositoryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** How long a looked-up entity is reused in this process. @default 30000 (0 disables the cache) */
  cacheTtlMs?: number;
  /** Entries kept before the cache is emptied (bounds memory). @default 5000 */
  cacheMaxEntries?: number;
  /** Time source for the cache (tests). @default Date.now */
  now?: () => number;
  /** Retry and parallelism of `load`'s BatchWriteItem calls. */
  loadOptions?: BatchWriteOptions;
}

/** Stores and looks up the crosswalks and master data. */
export class DynamoReferenceDataRepository implements ReferenceDataRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #cache: TtlCache;
  readonly #loadOptions: BatchWriteOptions;

  constructor(options: DynamoReferenceDataRepositoryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#cache = new TtlCache({ ttlMs: options.cacheTtlMs ?? 30_000, maxEntries: options.cacheMaxEntries ?? 5_000, now: options.now });
    this.#loadOptions = options.loadOptions ?? {};
  }

  getItem(itemId: string): Promise<Item | undefined> {
    return this.#get<Item>(referenceKeys.item(itemId));
  }

  findItemByGtin(gtin: string): Promise<Item | undefined> {
    const gsi1pk = referenceKeys.itemGtin(gtin);
    return this.#cache.getOrLoad(gsi1pk, () => findEntityByGsi1<Item>(this.#client, this.#tableName, gsi1pk, KEY_ATTRIBUTES));
  }

  findChargeCode(sourceSystem: string, chargeCode: string): Promise<ChargeCodeCrosswalk | undefined> {
    return this.#get<ChargeCodeCrosswalk>(referenceKeys.chargeCode(sourceSystem, chargeCode));
  }

  findDepartment(sourceSystem: string, facilityCode: string, departmentCode: string): Promise<DepartmentCrosswalk | undefined> {
    return this.#get<DepartmentCrosswalk>(referenceKeys.department(sourceSystem, facilityCode, departmentCode));
  }

  getLocation(locationId: string): Promise<Location | undefined> {
    return this.#get<Location>(referenceKeys.location(locationId));
  }

  getFacility(facilityId: string): Promise<Facility | undefined> {
    return this.#get<Facility>(referenceKeys.facility(facilityId));
  }

  getCostCenter(costCenter: string): Promise<CostCenter | undefined> {
    return this.#get<CostCenter>(referenceKeys.costCenter(costCenter));
  }

  getParSetting(locationId: string, itemId: string): Promise<ParSetting | undefined> {
    return this.#get<ParSetting>(referenceKeys.parSetting(locationId, itemId));
  }

  async putChargeCode(entry: ChargeCodeCrosswalk): Promise<void> {
    await this.#put(chargeCodeItem(entry));
    this.#cache.set(cacheKeyOf(referenceKeys.chargeCode(entry.sourceSystem, entry.chargeCode)), { ...entry });
  }

  async putDepartment(entry: DepartmentCrosswalk): Promise<void> {
    await this.#put(departmentItem(entry));
    this.#cache.set(cacheKeyOf(referenceKeys.department(entry.sourceSystem, entry.facilityCode, entry.departmentCode)), { ...entry });
  }

  /** Puts the whole set with BatchWriteItem (25 per call, unprocessed items retried). Idempotent: items are overwritten. */
  async load(data: ReferenceDataSet): Promise<void> {
    const items: DynamoItem[] = [
      ...data.facilities.map((f) => ({ ...referenceKeys.facility(f.facilityId), entityType: 'Facility', ...f })),
      ...data.locations.map((l) => ({ ...referenceKeys.location(l.locationId), entityType: 'Location', ...l })),
      ...data.costCenters.map((c) => ({ ...referenceKeys.costCenter(c.costCenter), entityType: 'CostCenter', ...c })),
      ...data.items.map(itemItem),
      ...data.parSettings.map((p) => ({ ...referenceKeys.parSetting(p.locationId, p.itemId), entityType: 'ParSetting', ...p })),
      ...data.chargeCodes.map(chargeCodeItem),
      ...data.departments.map(departmentItem),
    ];
    // BatchWriteItem rejects a chunk holding the same key twice: the last occurrence wins, as a Put would.
    const unique = new Map(items.map((item) => [`${String(item.pk)}|${String(item.sk)}`, item]));
    this.#cache.clear();
    await batchPutAll(this.#client, this.#tableName, [...unique.values()], this.#loadOptions);
  }

  #get<T>(key: TableKey): Promise<T | undefined> {
    return this.#cache.getOrLoad(cacheKeyOf(key), () => getEntity<T>(this.#client, this.#tableName, key, KEY_ATTRIBUTES));
  }

  async #put(item: DynamoItem): Promise<void> {
    try {
      await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: item }));
    } catch (error) {
      throw toInfrastructureError('PutItem', this.#tableName, error);
    }
  }
}

const cacheKeyOf = (key: TableKey): string => `${key.pk}|${key.sk}`;

const itemItem = (item: Item): DynamoItem => ({
  ...referenceKeys.item(item.itemId),
  gsi1pk: referenceKeys.itemGtin(item.gtin),
  gsi1sk: `ITEM#${item.itemId}`,
  entityType: 'Item',
  ...item,
});

const chargeCodeItem = (entry: ChargeCodeCrosswalk): DynamoItem => ({
  ...referenceKeys.chargeCode(entry.sourceSystem, entry.chargeCode),
  entityType: 'ChargeCodeCrosswalk',
  ...entry,
});

const departmentItem = (entry: DepartmentCrosswalk): DynamoItem => ({
  ...referenceKeys.department(entry.sourceSystem, entry.facilityCode, entry.departmentCode),
  entityType: 'DepartmentCrosswalk',
  ...entry,
});

/**
 * DynamoDB table layouts, shared by the CDK storage construct and the local runtime (which creates
 * the same tables in DynamoDB Local). Attribute names here are the contract the AWS adapters use.
 */

export interface TableIndex {
  indexName: string;
  partitionKey: string;
  sortKey?: string;
}

export interface TableDefinition {
  /** Logical id: the CDK construct id and the key of the local table-name map. */
  id: TableId;
  partitionKey: string;
  sortKey?: string;
  /** Attribute holding an epoch-seconds expiry, when the table expires items. */
  timeToLiveAttribute?: string;
  globalSecondaryIndexes?: TableIndex[];
}

export type TableId = 'Idempotency' | 'Audit' | 'Operations' | 'Reference';

/**
 * - Idempotency: Powertools idempotency records (key `id`, TTL `expiration`).
 * - Audit: append-only hash chain; `chain` = chain name, `seq` = position (number, zero-padded string not needed).
 * - Operations: single-table store of positions, movements, dedup records, transaction hops and exceptions
 *   (`pk`/`sk`; GSI1 lists exceptions by status and other by-status views).
 * - Reference: crosswalks and master data (`pk`/`sk`; GSI1 looks items up by GTIN).
 */
export const TABLES: readonly TableDefinition[] = [
  { id: 'Idempotency', partitionKey: 'id', timeToLiveAttribute: 'expiration' },
  { id: 'Audit', partitionKey: 'chain', sortKey: 'seq' },
  {
    id: 'Operations',
    partitionKey: 'pk',
    sortKey: 'sk',
    timeToLiveAttribute: 'ttl',
    globalSecondaryIndexes: [{ indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  },
  {
    id: 'Reference',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalSecondaryIndexes: [{ indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  },
];

/** Numeric key attributes (everything else is a string). */
export const NUMERIC_KEY_ATTRIBUTES: ReadonlySet<string> = new Set(['seq']);

/** Table names handed to adapters by constructor (env vars in Lambda, generated locally). */
export type TableNames = Record<TableId, string>;

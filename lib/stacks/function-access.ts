/**
 * Least privilege per function, in one reviewable table. Typed by `FunctionId`, so a new entry in
 * contracts/functions.ts does not compile until someone decides what it may touch.
 */
import type { FunctionId } from '../../contracts/functions';
import type { TableId } from '../../contracts/tables';

/**
 * - `read`: GetItem/Query/Scan/BatchGetItem (+ indexes) and kms:Decrypt.
 * - `readWrite`: read plus Put/Update/Delete/BatchWrite/ConditionCheck and kms encrypt/decrypt.
 * - `append`: Put/Get/Query/ConditionCheck only: the audit hash chain can be extended and read,
 *   never rewritten or deleted.
 */
export type TableAccess = 'read' | 'readWrite' | 'append';

export interface FunctionAccess {
  readonly tables: Partial<Record<TableId, TableAccess>>;
  /** PutEvents on the HEM bus. */
  readonly putEvents?: boolean;
  /** Read the encounter-reference HMAC key (ingest pseudonymisation). */
  readonly encounterKey?: boolean;
  /** Inspect and redrive every dead-letter queue (operator API). */
  readonly operateDeadLetterQueues?: boolean;
}

export const FUNCTION_ACCESS: Readonly<Record<FunctionId, FunctionAccess>> = {
  Hl7Ingest: {
    tables: { Idempotency: 'readWrite', Operations: 'readWrite', Audit: 'append' },
    putEvents: true,
    encounterKey: true,
  },
  UsageIngest: {
    tables: { Idempotency: 'readWrite', Operations: 'readWrite', Audit: 'append' },
    putEvents: true,
    encounterKey: true,
  },
  MapUsageLines: {
    tables: { Reference: 'read', Operations: 'readWrite', Audit: 'append' },
    putEvents: true,
  },
  ApplyUsageLine: {
    tables: { Idempotency: 'readWrite', Reference: 'read', Operations: 'readWrite', Audit: 'append' },
  },
  CostPostingConnector: {
    tables: { Idempotency: 'readWrite', Operations: 'readWrite', Audit: 'append' },
  },
  InventoryQuery: { tables: { Operations: 'read', Reference: 'read' } },
  TransactionQuery: { tables: { Operations: 'read' } },
  OpsExceptions: {
    tables: { Operations: 'readWrite', Reference: 'readWrite', Audit: 'append' },
    putEvents: true,
  },
  // contracts/functions.ts gives OpsDlq only the SQS client: it moves messages between queues, nothing else.
  OpsDlq: { tables: {}, operateDeadLetterQueues: true },
  OpenApi: { tables: {} },
};

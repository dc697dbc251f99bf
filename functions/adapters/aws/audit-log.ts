/**
 * `AuditLog` over the Audit table: an append-only, hash-chained log.
 *
 * Item key design:
 *
 * | record       | chain (partition key) | seq (sort key, number) | attributes |
 * | ------------ | --------------------- | ---------------------- | ---------- |
 * | Audit record | `hem` (one chain)     | 1, 2, 3 …              | at, actor, action, entity, correlationId, payloadSha256, previousHash, hash |
 *
 * Records are built by the domain's `nextAuditRecord` (functions/domain/audit-chain.ts), so
 * `verifyChain` recomputes exactly what was stored. The payload itself is never stored: only its
 * SHA-256.
 *
 * Append = read the head (Query, ScanIndexForward false, Limit 1, consistent read), build record
 * head.seq + 1 on top of it, Put with `attribute_not_exists(seq)`. Two writers that read the same
 * head race for the same seq: exactly one wins, the other re-reads the new head and retries with
 * jittered backoff (bounded by `maxAttempts`, then `ConcurrencyError`). The chain therefore never
 * forks and never has gaps. Throughput is bounded by one partition and one round trip per append,
 * which suits an audit trail of state changes.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nextAuditRecord } from '../../domain/audit-chain';
import { ConcurrencyError } from '../../domain/errors';
import type { AuditEntry, AuditLog, AuditRecord, Clock } from '../../domain/ports';
import { isConditionalCheckFailed, queryAll, toInfrastructureError } from './dynamo-support';
import type { DynamoItem } from './dynamo-support';
import { jitteredDelay, sleep } from './retry';

/** The one chain HEM keeps. */
export const AUDIT_CHAIN = 'hem';

export interface DynamoAuditLogOptions {
  client: DynamoDBDocumentClient;
  /** The Audit table. */
  tableName: string;
  /** Stamps `at` on each record. @default the system clock */
  clock?: Clock;
  /** Chain partition value. @default 'hem' */
  chain?: string;
  /** Attempts at winning the next seq before `ConcurrencyError`. @default 40 */
  maxAttempts?: number;
}

/** Appends to and reads the audit hash chain. */
export class DynamoAuditLog implements AuditLog {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;
  readonly #chain: string;
  readonly #maxAttempts: number;

  constructor(options: DynamoAuditLogOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? { now: () => new Date() };
    this.#chain = options.chain ?? AUDIT_CHAIN;
    this.#maxAttempts = options.maxAttempts ?? 40;
  }

  async append(entry: AuditEntry): Promise<AuditRecord> {
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      if (attempt > 0) {
        await sleep(jitteredDelay(attempt, 5, 250));
      }
      const head = await this.#head();
      const record = nextAuditRecord(head, entry, this.#clock.now().toISOString());
      try {
        await this.#client.send(
          new PutCommand({
            TableName: this.#tableName,
            Item: { chain: this.#chain, ...record },
            ConditionExpression: 'attribute_not_exists(seq)',
          }),
        );
        return record;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) {
          throw toInfrastructureError('PutItem', this.#tableName, error);
        }
        // Another writer took this seq: re-read the head and try on top of it.
      }
    }
    throw new ConcurrencyError(`audit chain head kept moving: gave up after ${this.#maxAttempts} attempts`, {
      details: { chain: this.#chain, attempts: this.#maxAttempts },
    });
  }

  /** In chain order, from `fromSeq` (default 1), at most `limit` records (default all). */
  async list(fromSeq = 1, limit = Number.POSITIVE_INFINITY): Promise<AuditRecord[]> {
    try {
      const items = await queryAll(
        this.#client,
        {
          TableName: this.#tableName,
          KeyConditionExpression: 'chain = :chain AND seq >= :from',
          ExpressionAttributeValues: { ':chain': this.#chain, ':from': fromSeq },
          ScanIndexForward: true,
          ConsistentRead: true,
        },
        limit,
      );
      return items.map(toRecord);
    } catch (error) {
      throw toInfrastructureError('Query', this.#tableName, error);
    }
  }

  async #head(): Promise<AuditRecord | undefined> {
    try {
      const result = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'chain = :chain',
          ExpressionAttributeValues: { ':chain': this.#chain },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      );
      const [item] = result.Items ?? [];
      return item === undefined ? undefined : toRecord(item);
    } catch (error) {
      throw toInfrastructureError('Query', this.#tableName, error);
    }
  }
}

const toRecord = (item: DynamoItem): AuditRecord => ({
  seq: Number(item.seq),
  at: String(item.at),
  actor: String(item.actor),
  ...(item.onBehalfOf === undefined ? {} : { onBehalfOf: String(item.onBehalfOf) }),
  action: String(item.action),
  entity: String(item.entity),
  correlationId: String(item.correlationId),
  payloadSha256: String(item.payloadSha256),
  previousHash: String(item.previousHash),
  hash: String(item.hash),
});

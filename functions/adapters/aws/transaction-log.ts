/**
 * `TransactionLog` over the Operations table: the hops of one business transaction, for
 * `GET /v1/transactions/{correlationId}` and `hem trace`.
 *
 * Item key design:
 *
 * | record | pk                     | sk                                  | gsi1pk                   | gsi1sk                       |
 * | ------ | ---------------------- | ----------------------------------- | ------------------------ | ---------------------------- |
 * | Hop    | `TXN#<correlationId>`  | `HOP#<ISO time>#<counter>-<random>` | `received` hops only: `TXNRCV#<YYYY-MM-DD>` | `<ISO time>#<correlationId>` |
 *
 * One partition per correlation id, so `list` is a single ascending Query. The sort key starts with
 * the hop's own time; the per-process counter keeps hops recorded in the same millisecond by one
 * process in call order, and the random suffix keeps hops of different processes from overwriting
 * each other. `detail` is stored as a map (PHI-free by the port's contract).
 *
 * `received` hops are also indexed on gsi1 by day (one partition per UTC day keeps the write load
 * of a busy day off a single key), for `listReceived` (the stuck-transaction view): one Query per
 * day of the window. Its position (`next`) is the entry's gsi1sk.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import type { ReceivedPage, ReceivedTransaction, TransactionHop, TransactionLog } from '../../domain/ports';
import { queryAll, stripAttributes, toInfrastructureError } from './dynamo-support';
import type { TableKey } from './dynamo-support';

/** Key builders for transaction hops. */
export const transactionKeys = {
  partition: (correlationId: string): string => `TXN#${correlationId}`,
  hop: (correlationId: string, at: string, unique: string): TableKey => ({ pk: `TXN#${correlationId}`, sk: `HOP#${at}#${unique}` }),
  /** gsi1pk of the `received` hops of one UTC day (`at` is ISO 8601). */
  receivedDay: (at: string): string => `TXNRCV#${at.slice(0, 10)}`,
  /** gsi1sk of a `received` hop. */
  received: (at: string, correlationId: string): string => `${at}#${correlationId}`,
} as const;

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entityType'] as const;
const DAY_MS = 86_400_000;
const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);

export interface DynamoTransactionLogOptions {
  client: DynamoDBDocumentClient;
  /** The Operations table. */
  tableName: string;
}

let hopCounter = 0;

/** Records and lists the hops of business transactions. */
export class DynamoTransactionLog implements TransactionLog {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoTransactionLogOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async record(hop: TransactionHop): Promise<void> {
    hopCounter = (hopCounter + 1) % 1_000_000;
    const unique = `${String(hopCounter).padStart(6, '0')}-${randomBytes(4).toString('hex')}`;
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...transactionKeys.hop(hop.correlationId, hop.at, unique),
            ...(hop.hop === 'received'
              ? { gsi1pk: transactionKeys.receivedDay(hop.at), gsi1sk: transactionKeys.received(hop.at, hop.correlationId) }
              : {}),
            entityType: 'TransactionHop',
            ...hop,
          },
        }),
      );
    } catch (error) {
      throw toInfrastructureError('PutItem', this.#tableName, error);
    }
  }

  /** Oldest first. */
  async list(correlationId: string): Promise<TransactionHop[]> {
    try {
      const items = await queryAll(this.#client, {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :hop)',
        ExpressionAttributeValues: { ':pk': transactionKeys.partition(correlationId), ':hop': 'HOP#' },
        ScanIndexForward: true,
      });
      return items.map((item) => stripAttributes<TransactionHop>(item, KEY_ATTRIBUTES));
    } catch (error) {
      throw toInfrastructureError('Query', this.#tableName, error);
    }
  }

  /** Oldest first; one gsi1 Query per UTC day of the window (eventually consistent, as GSIs are). */
  async listReceived(window: { from: string; to: string }, limit: number, after?: string): Promise<ReceivedPage> {
    const received: ReceivedTransaction[] = [];
    // '\u0001' sorts right after `after` itself: the page resumes strictly after it.
    const lower = after !== undefined && after >= window.from ? `${after}\u0001` : window.from;
    const lastDay = window.to.slice(0, 10);
    try {
      for (let day = lower.slice(0, 10); day <= lastDay && received.length < limit; day = nextDay(day)) {
        const items = await queryAll(
          this.#client,
          {
            TableName: this.#tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :day AND gsi1sk BETWEEN :lower AND :upper',
            ExpressionAttributeValues: { ':day': transactionKeys.receivedDay(day), ':lower': lower, ':upper': window.to },
            ScanIndexForward: true,
          },
          limit - received.length,
        );
        for (const item of items) {
          const position = String(item.gsi1sk);
          // BETWEEN is inclusive; `to` is not (a hop at exactly `to` sorts after it anyway: `to#…` > `to`).
          if (position >= window.to) continue;
          received.push({ correlationId: String(item.correlationId), receivedAt: String(item.at), position });
        }
      }
    } catch (error) {
      throw toInfrastructureError('Query', this.#tableName, error);
    }
    const last = received.at(-1);
    return { received, ...(received.length >= limit && last !== undefined ? { next: last.position } : {}) };
  }
}

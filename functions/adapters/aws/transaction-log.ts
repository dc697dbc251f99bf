/**
 * `TransactionLog` over the Operations table: the hops of one business transaction, for
 * `GET /v1/transactions/{correlationId}` and `hem trace`.
 *
 * Item key design:
 *
 * | record | pk                     | sk                                  |
 * | ------ | ---------------------- | ----------------------------------- |
 * | Hop    | `TXN#<correlationId>`  | `HOP#<ISO time>#<counter>-<random>` |
 *
 * One partition per correlation id, so `list` is a single ascending Query. The sort key starts with
 * the hop's own time; the per-process counter keeps hops recorded in the same millisecond by one
 * process in call order, and the random suffix keeps hops of different processes from overwriting
 * each other. `detail` is stored as a map (PHI-free by the port's contract).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import type { TransactionHop, TransactionLog } from '../../domain/ports';
import { queryAll, stripAttributes, toInfrastructureError } from './dynamo-support';
import type { TableKey } from './dynamo-support';

/** Key builders for transaction hops. */
export const transactionKeys = {
  partition: (correlationId: string): string => `TXN#${correlationId}`,
  hop: (correlationId: string, at: string, unique: string): TableKey => ({ pk: `TXN#${correlationId}`, sk: `HOP#${at}#${unique}` }),
} as const;

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
          Item: { ...transactionKeys.hop(hop.correlationId, hop.at, unique), entityType: 'TransactionHop', ...hop },
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
      return items.map((item) => stripAttributes<TransactionHop>(item, ['pk', 'sk', 'entityType']));
    } catch (error) {
      throw toInfrastructureError('Query', this.#tableName, error);
    }
  }
}

/**
 * `ControlNumberRepository` over the Operations table: one atomic counter per trading partner.
 *
 * | record  | pk                   | sk        | holds |
 * | ------- | -------------------- | --------- | ----- |
 * | Counter | `CTRL#<partnerId>`   | `COUNTER` | `seq`: the last sequence value issued (number) |
 *
 * `next` / `reserve` are ONE UpdateItem `ADD seq :n` with `ReturnValues: UPDATED_NEW`: DynamoDB
 * serialises updates of an item, so concurrent callers (several Lambda instances building 850s
 * and acknowledgments for the same supplier) never receive the same value. The value is turned into
 * ISA13 / GS06 / ST02 by `formatControlNumbers` (ISA13 9 digits, zero-padded; wraps after
 * 999999999). A value lost to a failed send leaves a gap, which X12 allows; a repeat it does not.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../domain/errors';
import type { ControlNumberRepository } from '../../domain/procurement-ports';
import { formatControlNumbers } from '../../domain/use-cases/procurement/control-numbers';
import type { OutboundControlNumbers } from '../../domain/use-cases/procurement/control-numbers';
import { toInfrastructureError } from './dynamo-support';
import type { TableKey } from './dynamo-support';

/** Key of a partner's counter. */
export const controlNumberKey = (partnerId: string): TableKey => ({ pk: `CTRL#${partnerId}`, sk: 'COUNTER' });

/** At most this many numbers per `reserve` (one payload's acknowledgments need a handful). */
const MAX_RESERVE = 1_000;

export interface DynamoControlNumberRepositoryOptions {
  client: DynamoDBDocumentClient;
  /** The Operations table. */
  tableName: string;
}

/** Persisted, monotonic X12 control numbers per partner. */
export class DynamoControlNumberRepository implements ControlNumberRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoControlNumberRepositoryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async next(partnerId: string): Promise<OutboundControlNumbers> {
    const [first] = await this.reserve(partnerId, 1);
    return first as OutboundControlNumbers;
  }

  async reserve(partnerId: string, count: number): Promise<OutboundControlNumbers[]> {
    if (!Number.isInteger(count) || count < 1 || count > MAX_RESERVE) {
      throw new ValidationError(`control numbers are reserved 1 to ${MAX_RESERVE} at a time, not ${count}`, { location: 'count' });
    }
    let last: number;
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: controlNumberKey(partnerId),
          UpdateExpression: 'ADD seq :count SET entityType = :type',
          ExpressionAttributeValues: { ':count': count, ':type': 'ControlNumberCounter' },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      last = Number(result.Attributes?.seq);
    } catch (error) {
      throw toInfrastructureError('UpdateItem', this.#tableName, error);
    }
    if (!Number.isSafeInteger(last) || last < count) {
      throw toInfrastructureError('UpdateItem', this.#tableName, new Error('counter returned no sequence value'));
    }
    return Array.from({ length: count }, (_, i) => formatControlNumbers(last - count + 1 + i));
  }
}

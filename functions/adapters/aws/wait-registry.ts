/**
 * `WaitRegistry` over the Operations table: where a workflow's task token waits for an outside
 * event (a supplier document, a decision, a receipt), and where an event that came first waits
 * for its workflow.
 *
 * | record | pk                          | sk     | holds |
 * | ------ | --------------------------- | ------ | ----- |
 * | Wait   | `WAIT#<entity>#<awaited>`   | `WAIT` | `taskToken` + `registeredAt`; `arrivedPayload` (JSON text) + `arrivedAt` |
 *
 * Token and arrival share ONE item, so the race between them is decided by DynamoDB's per-item
 * serialisation:
 * - `register`: UpdateItem SET taskToken, condition `attribute_not_exists(arrivedAt)`. When the
 *   condition fails the event came first: the stored payload is returned (`alreadyArrived`) and the
 *   token is not kept (the caller completes it).
 * - `arrive`: UpdateItem SET arrivedPayload/arrivedAt with `ReturnValues: ALL_NEW`: the token
 *   registered before it (if any) comes back.
 * Whichever runs second sees the other: never both waiting forever. The token stays on the item
 * after an arrival (a retried application gets it again; completing a closed task is the caller's
 * ignorable case) until a new `register` replaces it — the workflow's timeout loop waits again.
 * The payload keeps the latest arrival. Tokens are opaque secrets: never logged.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../domain/ports';
import type { WaitRegistry } from '../../domain/procurement-ports';
import { isConditionalCheckFailed, toInfrastructureError } from './dynamo-support';
import type { TableKey } from './dynamo-support';

/** Key of one wait. */
export const waitKey = (entity: string, awaited: string): TableKey => ({ pk: `WAIT#${entity}#${awaited}`, sk: 'WAIT' });

export interface DynamoWaitRegistryOptions {
  client: DynamoDBDocumentClient;
  /** The Operations table. */
  tableName: string;
  clock: Clock;
}

const parsePayload = (text: unknown): unknown => (typeof text === 'string' ? (JSON.parse(text) as unknown) : undefined);

/** Task tokens and early arrivals, one item per (entity, awaited). */
export class DynamoWaitRegistry implements WaitRegistry {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(options: DynamoWaitRegistryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock;
  }

  async register(entity: string, awaited: string, taskToken: string): Promise<{ alreadyArrived?: unknown }> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: waitKey(entity, awaited),
          UpdateExpression: 'SET taskToken = :token, registeredAt = :at, entityType = :type',
          ConditionExpression: 'attribute_not_exists(arrivedAt)',
          ExpressionAttributeValues: { ':token': taskToken, ':at': this.#clock.now().toISOString(), ':type': 'Wait' },
        }),
      );
      return {};
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw toInfrastructureError('UpdateItem', this.#tableName, error);
    }
    try {
      const result = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: waitKey(entity, awaited), ConsistentRead: true }));
      return { alreadyArrived: parsePayload(result.Item?.arrivedPayload) ?? null };
    } catch (error) {
      throw toInfrastructureError('GetItem', this.#tableName, error);
    }
  }

  async arrive(entity: string, awaited: string, payload: unknown): Promise<{ taskToken?: string }> {
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: waitKey(entity, awaited),
          UpdateExpression: 'SET arrivedPayload = :payload, arrivedAt = :at, entityType = :type',
          ExpressionAttributeValues: { ':payload': JSON.stringify(payload ?? null), ':at': this.#clock.now().toISOString(), ':type': 'Wait' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const token = result.Attributes?.taskToken;
      return typeof token === 'string' ? { taskToken: token } : {};
    } catch (error) {
      throw toInfrastructureError('UpdateItem', this.#tableName, error);
    }
  }
}

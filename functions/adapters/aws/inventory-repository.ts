/**
 * `InventoryRepository` over the Operations table (single table, `pk`/`sk`).
 *
 * Item key design:
 *
 * | record            | pk                           | sk                                 | holds |
 * | ----------------- | ---------------------------- | ---------------------------------- | ----- |
 * | Position          | `POS#<locationId>#<itemId>`  | `POSITION`                         | the `InventoryPosition`, `version` = optimistic-concurrency guard |
 * | Movement          | `POS#<locationId>#<itemId>`  | `MOV#<ISO time>#<businessKey>`     | one `InventoryMovement` (movements sort by time under their position) |
 * | Dedup record      | `USAGE#<businessKey>`        | `APPLIED`                          | `outcome`: the JSON-serialized `UsageLineOutcome` of the first apply |
 *
 * Exactly once: `applyMovement` writes all three in ONE TransactWriteItems —
 * (a) Put dedup record, condition `attribute_not_exists(pk)`;
 * (b) Put position, condition `version = :expected` (or `attribute_not_exists(pk)` for a new position);
 * (c) Put movement.
 * Either the business key, the new position and its movement all land, or nothing does. A duplicate
 * (a fails) returns the stored outcome; a concurrent writer (b fails, or a transaction conflict)
 * becomes `ConcurrencyError` so the caller re-reads the position and decides again. The SDK fills
 * `ClientRequestToken` itself, so its own retry of a timed-out call is not mistaken for a duplicate.
 *
 * Dedup records carry no TTL: a business key must stay applied for as long as it can be redelivered.
 */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError, InfrastructureError } from '../../domain/errors';
import type {
  ApplyMovementResult,
  InventoryMovement,
  InventoryPosition,
  InventoryRepository,
  MovementOutcome,
  UsageLineOutcome,
} from '../../domain/ports';
import { isConditionalCheckFailed, queryAll, stripAttributes, toInfrastructureError } from './dynamo-support';
import type { TableKey } from './dynamo-support';

/** Key builders: the one place the inventory key formats are spelled. */
export const inventoryKeys = {
  position: (locationId: string, itemId: string): TableKey => ({ pk: `POS#${locationId}#${itemId}`, sk: 'POSITION' }),
  movement: (locationId: string, itemId: string, at: string, businessKey: string): TableKey => ({
    pk: `POS#${locationId}#${itemId}`,
    sk: `MOV#${at}#${businessKey}`,
  }),
  dedup: (businessKey: string): TableKey => ({ pk: `USAGE#${businessKey}`, sk: 'APPLIED' }),
} as const;

const POSITION_ATTRIBUTES_TO_STRIP = ['pk', 'sk', 'entityType'] as const;
const MOVEMENT_ATTRIBUTES_TO_STRIP = ['pk', 'sk', 'entityType', 'locationId', 'itemId'] as const;

/** Indexes of the writes inside the apply transaction (CancellationReasons come back in this order). */
const DEDUP_WRITE = 0;
const POSITION_WRITE = 1;

export interface DynamoInventoryRepositoryOptions {
  client: DynamoDBDocumentClient;
  /** The Operations table. */
  tableName: string;
}

/** Inventory positions with exactly-once movements. */
export class DynamoInventoryRepository implements InventoryRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoInventoryRepositoryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async getPosition(locationId: string, itemId: string): Promise<InventoryPosition | undefined> {
    try {
      // Consistent: the apply step reads, decides and writes conditionally on this version.
      const result = await this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: inventoryKeys.position(locationId, itemId), ConsistentRead: true }),
      );
      return result.Item === undefined ? undefined : stripAttributes<InventoryPosition>(result.Item, POSITION_ATTRIBUTES_TO_STRIP);
    } catch (error) {
      throw toInfrastructureError('GetItem', this.#tableName, error);
    }
  }

  async listMovements(locationId: string, itemId: string, limit: number): Promise<InventoryMovement[]> {
    try {
      const items = await queryAll(
        this.#client,
        {
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :movement)',
          ExpressionAttributeValues: { ':pk': inventoryKeys.position(locationId, itemId).pk, ':movement': 'MOV#' },
          ScanIndexForward: false,
        },
        limit,
      );
      return items.map((item) => stripAttributes<InventoryMovement>(item, MOVEMENT_ATTRIBUTES_TO_STRIP));
    } catch (error) {
      throw toInfrastructureError('Query', this.#tableName, error);
    }
  }

  async applyMovement<O extends MovementOutcome = UsageLineOutcome>(expectedVersion: number | undefined, outcome: O): Promise<ApplyMovementResult<O>> {
    const { position, movement, businessKey } = outcome;
    const positionCondition =
      expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          };
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.#tableName,
                Item: {
                  ...inventoryKeys.dedup(businessKey),
                  entityType: 'UsageDedup',
                  businessKey,
                  correlationId: movement.correlationId,
                  appliedAt: movement.at,
                  outcome: JSON.stringify(outcome),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.#tableName,
                Item: { ...inventoryKeys.position(position.locationId, position.itemId), entityType: 'InventoryPosition', ...position },
                ...positionCondition,
              },
            },
            {
              Put: {
                TableName: this.#tableName,
                Item: {
                  ...inventoryKeys.movement(position.locationId, position.itemId, movement.at, movement.businessKey),
                  entityType: 'InventoryMovement',
                  locationId: position.locationId,
                  itemId: position.itemId,
                  ...movement,
                },
              },
            },
          ],
        }),
      );
      return { applied: true, outcome };
    } catch (error) {
      return this.#onApplyFailure(error, expectedVersion, outcome);
    }
  }

  async findOutcome(businessKey: string): Promise<UsageLineOutcome | undefined> {
    return (await this.#storedOutcome(businessKey)) as UsageLineOutcome | undefined;
  }

  /** The outcome stored with a business key's dedup record, whatever kind of movement it was. */
  async #storedOutcome(businessKey: string): Promise<MovementOutcome | undefined> {
    try {
      const result = await this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: inventoryKeys.dedup(businessKey), ConsistentRead: true }),
      );
      const serialized = result.Item?.outcome;
      return typeof serialized === 'string' ? (JSON.parse(serialized) as MovementOutcome) : undefined;
    } catch (error) {
      throw toInfrastructureError('GetItem', this.#tableName, error);
    }
  }

  /** Creates the position unless it exists: a re-seed never overwrites live stock. */
  async initialisePosition(position: InventoryPosition): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...inventoryKeys.position(position.locationId, position.itemId), entityType: 'InventoryPosition', ...position },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        return;
      }
      throw toInfrastructureError('PutItem', this.#tableName, error);
    }
  }

  async #onApplyFailure<O extends MovementOutcome>(error: unknown, expectedVersion: number | undefined, outcome: O): Promise<ApplyMovementResult<O>> {
    const { locationId, itemId } = outcome.position;
    const details = { locationId, itemId, expectedVersion: expectedVersion ?? null };
    if (error instanceof Error && error.name === 'TransactionConflictException') {
      throw new ConcurrencyError('inventory position is being changed by another writer', { cause: error, details });
    }
    if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') {
      throw toInfrastructureError('TransactWriteItems', this.#tableName, error);
    }
    const reasons = cancellationCodes(error);
    // The dedup check wins over everything else: a duplicate is a duplicate even if the position also moved.
    if (reasons[DEDUP_WRITE] === 'ConditionalCheckFailed') {
      const stored = await this.#storedOutcome(outcome.businessKey);
      if (stored === undefined) {
        throw new InfrastructureError('dedup record reported present but could not be read', { cause: error, details });
      }
      // The key's namespace says what kind of movement stored it (usage line or receipt line): the same kind as `outcome`.
      return { applied: false, outcome: stored as O };
    }
    if (reasons[POSITION_WRITE] === 'ConditionalCheckFailed') {
      throw new ConcurrencyError('inventory position moved since it was read', { cause: error, details });
    }
    if (reasons.includes('TransactionConflict')) {
      throw new ConcurrencyError('inventory position is being changed by another writer', { cause: error, details });
    }
    throw toInfrastructureError('TransactWriteItems', this.#tableName, error);
  }
}

/**
 * The per-write cancellation codes of a TransactionCanceledException, in request order. Uses
 * `CancellationReasons` when present and falls back to the list DynamoDB spells in the message
 * ("... cancellation reasons for specific reasons [ConditionalCheckFailed, None, None]").
 */
export const cancellationCodes = (error: Error): string[] => {
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  if (Array.isArray(reasons) && reasons.length > 0) {
    return reasons.map((reason) => reason.Code ?? 'None');
  }
  const listed = /\[([^\]]*)\]\s*$/.exec(error.message)?.[1];
  return listed === undefined ? [] : listed.split(',').map((code) => code.trim());
};

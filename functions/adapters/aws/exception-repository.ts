/**
 * `ExceptionRepository` over the Operations table: usage lines that could not be mapped, kept for
 * an operator to fix the crosswalk and reprocess.
 *
 * Item key design:
 *
 * | record    | pk                 | sk          | gsi1pk                 | gsi1sk      |
 * | --------- | ------------------ | ----------- | ---------------------- | ----------- |
 * | Exception | `EXC#<exceptionId>`| `EXCEPTION` | `EXCEPTION#<status>`   | `createdAt` |
 *
 * `list(status)` is one Query on gsi1 (oldest first, so operators work the backlog in arrival
 * order; eventually consistent like every GSI). `markResolved` moves the item from the
 * `EXCEPTION#OPEN` to the `EXCEPTION#RESOLVED` partition of the index. `save` is a conditional
 * put: the exception id derives from the business key, so a redelivered line finds its exception
 * already there and changes nothing (in particular it never re-opens a resolved one).
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { ExceptionRepository, UsageException } from '../../domain/ports';
import { isConditionalCheckFailed, queryAll, stripAttributes, toInfrastructureError } from './dynamo-support';
import type { TableKey } from './dynamo-support';

/** Key builders for usage exceptions. */
export const exceptionKeys = {
  exception: (exceptionId: string): TableKey => ({ pk: `EXC#${exceptionId}`, sk: 'EXCEPTION' }),
  byStatus: (status: UsageException['status']): string => `EXCEPTION#${status}`,
} as const;

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entityType'] as const;

export interface DynamoExceptionRepositoryOptions {
  client: DynamoDBDocumentClient;
  /** The Operations table. */
  tableName: string;
}

/** Stores usage exceptions and lists them by status. */
export class DynamoExceptionRepository implements ExceptionRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoExceptionRepositoryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async save(exception: UsageException): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...exceptionKeys.exception(exception.exceptionId),
            gsi1pk: exceptionKeys.byStatus(exception.status),
            gsi1sk: exception.createdAt,
            entityType: 'UsageException',
            ...exception,
          },
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

  async get(exceptionId: string): Promise<UsageException | undefined> {
    try {
      const result = await this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: exceptionKeys.exception(exceptionId), ConsistentRead: true }),
      );
      return result.Item === undefined ? undefined : stripAttributes<UsageException>(result.Item, KEY_ATTRIBUTES);
    } catch (error) {
      throw toInfrastructureError('GetItem', this.#tableName, error);
    }
  }

  /** Oldest first. */
  async list(status: UsageException['status'], limit: number): Promise<UsageException[]> {
    try {
      const items = await queryAll(
        this.#client,
        {
          TableName: this.#tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :status',
          ExpressionAttributeValues: { ':status': exceptionKeys.byStatus(status) },
          ScanIndexForward: true,
        },
        limit,
      );
      return items.map((item) => stripAttributes<UsageException>(item, KEY_ATTRIBUTES));
    } catch (error) {
      throw toInfrastructureError('Query', this.#tableName, error);
    }
  }

  /** Throws `NotFoundError` for an unknown id and `ConflictError` when it is already resolved. */
  async markResolved(exceptionId: string, at: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: exceptionKeys.exception(exceptionId),
          UpdateExpression: 'SET #status = :resolved, resolvedAt = :at, gsi1pk = :gsi1pk',
          ConditionExpression: 'attribute_exists(pk) AND #status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':resolved': 'RESOLVED',
            ':open': 'OPEN',
            ':at': at,
            ':gsi1pk': exceptionKeys.byStatus('RESOLVED'),
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) {
        throw toInfrastructureError('UpdateItem', this.#tableName, error);
      }
      const existing = await this.get(exceptionId);
      if (existing === undefined) {
        throw new NotFoundError(`exception ${exceptionId} not found`, { details: { exceptionId } });
      }
      throw new ConflictError(`exception ${exceptionId} is already resolved`, { details: { exceptionId, status: existing.status } });
    }
  }
}

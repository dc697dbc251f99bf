/**
 * Plumbing shared by the DynamoDB repositories: error classification, paginated queries and
 * batch writes with `UnprocessedItems` retry. Nothing here knows about HEM entities.
 */
import { BatchWriteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { HemError, InfrastructureError } from '../../domain/errors';
import { jitteredDelay, sleep } from './retry';

/** A stored item as the document client returns it. */
export type DynamoItem = Record<string, unknown>;

/** The primary key of a single-table item. */
export interface TableKey {
  pk: string;
  sk: string;
}

/** True when the error is DynamoDB's answer to a failed `ConditionExpression`. */
export const isConditionalCheckFailed = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/**
 * Wraps an SDK failure in `InfrastructureError` (retryable), naming the operation and table only:
 * never an item, so no business data can leak into an error body. HEM errors pass through.
 */
export const toInfrastructureError = (operation: string, tableName: string, error: unknown): HemError => {
  if (error instanceof HemError) {
    return error;
  }
  const errorName = error instanceof Error ? error.name : typeof error;
  return new InfrastructureError(`DynamoDB ${operation} on ${tableName} failed (${errorName})`, {
    cause: error,
    details: { operation, table: tableName, errorName },
  });
};

/**
 * Runs a query page by page until `limit` items are collected or the partition is exhausted
 * (a single page stops at 1 MB, so one `Limit` is not enough on its own).
 */
export const queryAll = async (
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  limit = Number.POSITIVE_INFINITY,
): Promise<DynamoItem[]> => {
  const items: DynamoItem[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const remaining = limit - items.length;
    const page = await client.send(
      new QueryCommand({
        ...input,
        ...(Number.isFinite(remaining) ? { Limit: remaining } : {}),
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    items.push(...((page.Items ?? []) as DynamoItem[]));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey !== undefined && items.length < limit);
  return items;
};

/** BatchWriteItem accepts at most 25 requests per call. */
export const BATCH_WRITE_LIMIT = 25;

export interface BatchWriteOptions {
  /** Attempts per chunk before giving up on its unprocessed items. @default 8 */
  maxAttempts?: number;
  /** Chunks in flight at once. @default 4 */
  concurrency?: number;
  /** Backoff base between attempts of a chunk. @default 50 */
  baseDelayMs?: number;
  /** @default 2000 */
  maxDelayMs?: number;
}

/**
 * Puts `items` into `tableName` with BatchWriteItem in chunks of 25, re-sending `UnprocessedItems`
 * (DynamoDB returns them under throttling) with jittered backoff. Throws `InfrastructureError` when
 * a chunk still has unprocessed items after `maxAttempts`.
 */
export const batchPutAll = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly DynamoItem[],
  options: BatchWriteOptions = {},
): Promise<void> => {
  const maxAttempts = options.maxAttempts ?? 8;
  const chunks: DynamoItem[][] = [];
  for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT) {
    chunks.push(items.slice(i, i + BATCH_WRITE_LIMIT));
  }

  const writeChunk = async (chunk: DynamoItem[]): Promise<void> => {
    let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= maxAttempts) {
        throw new InfrastructureError(`DynamoDB BatchWriteItem on ${tableName} left ${requests.length} items unprocessed`, {
          details: { operation: 'BatchWriteItem', table: tableName, unprocessed: requests.length },
        });
      }
      if (attempt > 0) {
        await sleep(jitteredDelay(attempt, options.baseDelayMs ?? 50, options.maxDelayMs ?? 2_000));
      }
      try {
        const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      } catch (error) {
        throw toInfrastructureError('BatchWriteItem', tableName, error);
      }
    }
  };

  // A small worker pool: sequential chunks waste round trips, unbounded ones invite throttling.
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < chunks.length) {
      const chunk = chunks[next++];
      if (chunk !== undefined) {
        try {
          await writeChunk(chunk);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }
  };
  const workers = Array.from({ length: Math.min(options.concurrency ?? 4, chunks.length) }, () => worker());
  const results = await Promise.allSettled(workers);
  const rejection = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejection !== undefined) {
    throw rejection.reason;
  }
};

/** Removes the given key/bookkeeping attributes from a stored item, leaving the entity. */
export const stripAttributes = <T>(item: DynamoItem, attributes: readonly string[]): T => {
  const copy: DynamoItem = { ...item };
  for (const attribute of attributes) {
    delete copy[attribute];
  }
  return copy as T;
};

/**
 * The entity stored under `key` (an eventually consistent GetItem) without the `stripped` key and
 * bookkeeping attributes, or undefined when there is none.
 * @throws InfrastructureError when DynamoDB fails.
 */
export const getEntity = async <T>(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: TableKey,
  stripped: readonly string[],
): Promise<T | undefined> => {
  try {
    const result = await client.send(new GetCommand({ TableName: tableName, Key: key }));
    return result.Item === undefined ? undefined : stripAttributes<T>(result.Item as DynamoItem, stripped);
  } catch (error) {
    throw toInfrastructureError('GetItem', tableName, error);
  }
};

/**
 * The first entity whose `gsi1pk` is `gsi1pk` on the table's `gsi1` index (eventually consistent,
 * like every GSI) without the `stripped` attributes, or undefined when there is none.
 * @throws InfrastructureError when DynamoDB fails.
 */
export const findEntityByGsi1 = async <T>(
  client: DynamoDBDocumentClient,
  tableName: string,
  gsi1pk: string,
  stripped: readonly string[],
): Promise<T | undefined> => {
  try {
    const [found] = await queryAll(
      client,
      { TableName: tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': gsi1pk } },
      1,
    );
    return found === undefined ? undefined : stripAttributes<T>(found, stripped);
  } catch (error) {
    throw toInfrastructureError('Query', tableName, error);
  }
};

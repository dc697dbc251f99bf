/**
 * `EdiDocumentLog` over the Operations table: the resend guard of inbound X12 documents.
 *
 * | record   | pk                                                   | sk                   | holds |
 * | -------- | ---------------------------------------------------- | -------------------- | ----- |
 * | Document | `EDI#<supplierId>#<ISA13>#<GS06>#<ST02>`             | `DOC#<businessKey>`  | `status` APPLYING/APPLIED, `leaseUntil` (epoch ms), `recordedAt`, `appliedAt`, X12 version |
 *
 * The key is the envelope (sender + ISA13/GS06/ST02) PLUS the business key (e.g. `855|<poNumber>`):
 * a resend (same envelope, same document) hits the same item, while a supplier that recycles
 * control numbers for a different document does not have it swallowed.
 *
 * - `recordOnce`: ONE conditional PutItem, `attribute_not_exists(pk) OR (status = APPLYING AND
 *   leaseUntil < now)`: the first request claims the document; a claim whose holder died (never
 *   marked applied nor released) can be taken over once its lease ran out; anything else is a resend.
 * - `markApplied`: status APPLIED, for good.
 * - `release`: deletes a claim that is still APPLYING (a failed application), so the resend applies it.
 *
 * No TTL: a document must stay recognised for as long as a partner may resend it.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../domain/ports';
import type { EdiDocumentKey, EdiDocumentLog } from '../../domain/procurement-ports';
import { isConditionalCheckFailed, toInfrastructureError } from './dynamo-support';
import type { TableKey } from './dynamo-support';

/** Key of one inbound document. */
export const ediDocumentKey = (key: EdiDocumentKey): TableKey => ({
  pk: `EDI#${key.supplierId}#${key.control.interchange}#${key.control.group}#${key.control.transactionSet}`,
  sk: `DOC#${key.businessKey}`,
});

export interface DynamoEdiDocumentLogOptions {
  client: DynamoDBDocumentClient;
  /** The Operations table. */
  tableName: string;
  clock: Clock;
  /** How long a claim protects a document being applied. Longer than the API's 29 s limit. @default 120000 */
  leaseMs?: number;
}

/** Inbound EDI documents recorded once. */
export class DynamoEdiDocumentLog implements EdiDocumentLog {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;
  readonly #leaseMs: number;

  constructor(options: DynamoEdiDocumentLogOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock;
    this.#leaseMs = options.leaseMs ?? 120_000;
  }

  async recordOnce(key: EdiDocumentKey): Promise<boolean> {
    const now = this.#clock.now();
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...ediDocumentKey(key),
            entityType: 'EdiDocument',
            supplierId: key.supplierId,
            businessKey: key.businessKey,
            control: key.control,
            status: 'APPLYING',
            leaseUntil: now.getTime() + this.#leaseMs,
            recordedAt: now.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :applying AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':applying': 'APPLYING', ':now': now.getTime() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw toInfrastructureError('PutItem', this.#tableName, error);
    }
  }

  async markApplied(key: EdiDocumentKey): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: ediDocumentKey(key),
          UpdateExpression: 'SET #status = :applied, appliedAt = :at REMOVE leaseUntil',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':applied': 'APPLIED', ':at': this.#clock.now().toISOString() },
        }),
      );
    } catch (error) {
      throw toInfrastructureError('UpdateItem', this.#tableName, error);
    }
  }

  async release(key: EdiDocumentKey): Promise<void> {
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: ediDocumentKey(key),
          ConditionExpression: '#status = :applying',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':applying': 'APPLYING' },
        }),
      );
    } catch (error) {
      // Already applied (or already gone): nothing to release.
      if (isConditionalCheckFailed(error)) return;
      throw toInfrastructureError('DeleteItem', this.#tableName, error);
    }
  }
}

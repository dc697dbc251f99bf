/**
 * `ProcurementRepository` over the Operations table (single table, `pk`/`sk` + GSI `gsi1`).
 *
 * Item key design (entity attributes stored flat next to the keys, plus `entityType`):
 *
 * | record                 | pk                        | sk                    | gsi1pk                          | gsi1sk                  |
 * | ---------------------- | ------------------------- | --------------------- | ------------------------------- | ----------------------- |
 * | Requisition            | `REQ#<requisitionId>`     | `REQUISITION`         |                                 |                         |
 * | External-ref guard     | `REQREF#<externalRef>`    | `GUARD`               |                                 |                         |
 * | Purchase order         | `PO#<poNumber>`           | `PURCHASE_ORDER`      | `SUPPLIER_PO#<supplierId>`      | `<createdAt>#<poNumber>` |
 * | Receipt                | `PO#<poNumber>`           | `RECEIPT#<receiptId>` |                                 |                         |
 * | Receipt guard          | `RCPT#<receiptId>`        | `GUARD`               |                                 |                         |
 * | Invoice (as received)  | `INVOICE#<caseId>`        | `INVOICE`             | `SUPPLIER_INVOICE#<supplierId>` | `<createdAt>#<caseId>`  |
 * | Invoice case           | `INVOICE#<caseId>`        | `CASE`                | `INVOICE_STATUS#<status>`       | `<createdAt>#<caseId>`  |
 * | Invoice of a PO (link) | `PO#<poNumber>`           | `INVOICE#<caseId>`    |                                 |                         |
 * | PO match sequence      | `PO#<poNumber>`           | `MATCH_SEQUENCE`      |                                 |                         |
 *
 * - Requisitions are unique on `externalRef`: `createRequisition` puts the guard item (holding the
 *   requisition id) and the requisition in ONE TransactWriteItems, both conditional on
 *   `attribute_not_exists(pk)`. When the guard exists the stored requisition is returned with
 *   `created: false`. `saveRequisition` is conditional on the stored `status` (the state machine's guard).
 * - POs and invoice cases carry `version` (1 when created, +1 per save); saves are conditional on
 *   it and a moved version is `ConcurrencyError` (an unknown one `NotFoundError`).
 * - Receipts live in their PO's partition, so `listReceipts` is one strongly consistent Query (the
 *   rematch after a receipt must see it); the receipt guard makes `receiptId` unique across POs,
 *   written in the same transaction.
 * - An invoice is two items: the invoice as received (immutable, indexed by supplier) and its case
 *   (mutable, indexed by status); one partition, written together in one transaction. The lists
 *   query the index and fetch the other half with BatchGetItem. GSI reads are eventually consistent.
 *   An invoice naming a PO also puts a link item in the PO's partition (same transaction), so
 *   `listInvoicesOfPurchaseOrder` is one consistent Query plus one consistent read per invoice.
 * - Matches of one PO's invoices are serialised: a guarded `saveInvoiceCase` writes the case and
 *   moves the PO's match sequence item on by one in ONE TransactWriteItems, conditional on both the
 *   case version and the sequence read before the PO's invoices were. Its own item, not the PO's
 *   `version`: receipts and 855s saving the PO must not make matches retry, nor the reverse.
 *
 * Nothing here expires: procurement records are business records (retention is the table's policy).
 */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, PutCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Invoice, InvoiceCase, PurchaseOrder, Receipt, Requisition } from '../../../contracts/procurement';
import { ConcurrencyError, InfrastructureError, NotFoundError } from '../../domain/errors';
import type { ProcurementRepository, PurchaseOrderMatchGuard } from '../../domain/procurement-ports';
import { isConditionalCheckFailed, queryAll, stripAttributes, toInfrastructureError } from './dynamo-support';
import type { DynamoItem, TableKey } from './dynamo-support';
import { jitteredDelay, sleep } from './retry';

/** Key builders: the one place the procurement key formats are spelled. */
export const procurementKeys = {
  requisition: (requisitionId: string): TableKey => ({ pk: `REQ#${requisitionId}`, sk: 'REQUISITION' }),
  externalRef: (externalRef: string): TableKey => ({ pk: `REQREF#${externalRef}`, sk: 'GUARD' }),
  purchaseOrder: (poNumber: string): TableKey => ({ pk: `PO#${poNumber}`, sk: 'PURCHASE_ORDER' }),
  purchaseOrdersOfSupplier: (supplierId: string): string => `SUPPLIER_PO#${supplierId}`,
  receipt: (poNumber: string, receiptId: string): TableKey => ({ pk: `PO#${poNumber}`, sk: `RECEIPT#${receiptId}` }),
  receiptGuard: (receiptId: string): TableKey => ({ pk: `RCPT#${receiptId}`, sk: 'GUARD' }),
  invoice: (caseId: string): TableKey => ({ pk: `INVOICE#${caseId}`, sk: 'INVOICE' }),
  invoiceCase: (caseId: string): TableKey => ({ pk: `INVOICE#${caseId}`, sk: 'CASE' }),
  invoicesOfSupplier: (supplierId: string): string => `SUPPLIER_INVOICE#${supplierId}`,
  invoiceOfPurchaseOrder: (poNumber: string, caseId: string): TableKey => ({ pk: `PO#${poNumber}`, sk: `INVOICE#${caseId}` }),
  invoiceCasesByStatus: (status: InvoiceCase['status']): string => `INVOICE_STATUS#${status}`,
  matchSequence: (poNumber: string): TableKey => ({ pk: `PO#${poNumber}`, sk: 'MATCH_SEQUENCE' }),
} as const;

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entityType', 'version'] as const;

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;
const BATCH_GET_ATTEMPTS = 8;

/** Index of the guard in the create transactions (CancellationReasons come back in this order). */
const GUARD_WRITE = 0;

/** The `CancellationReasons` codes of a cancelled transaction, when that is what the error is. */
const cancellationCodes = (error: unknown): (string | undefined)[] | undefined => {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return (reasons ?? []).map((r) => r.Code);
};

export interface DynamoProcurementRepositoryOptions {
  client: DynamoDBDocumentClient;
  /** The Operations table. */
  tableName: string;
}

/** Requisitions, purchase orders, receipts and invoice cases on the Operations table. */
export class DynamoProcurementRepository implements ProcurementRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoProcurementRepositoryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async createRequisition(requisition: Requisition): Promise<{ created: boolean; requisition: Requisition }> {
    const collision = await this.#createAll(
      [
        { ...procurementKeys.externalRef(requisition.externalRef), entityType: 'RequisitionExternalRef', requisitionId: requisition.requisitionId },
        this.#requisitionItem(requisition),
      ],
      'requisition',
    );
    if (collision === undefined) return { created: true, requisition };
    const existing = await this.#existingRequisition(requisition, collision[GUARD_WRITE] === 'ConditionalCheckFailed');
    return { created: false, requisition: existing };
  }

  async getRequisition(requisitionId: string): Promise<Requisition | undefined> {
    const item = await this.#get(procurementKeys.requisition(requisitionId));
    return item === undefined ? undefined : stripAttributes<Requisition>(item, KEY_ATTRIBUTES);
  }

  async saveRequisition(requisition: Requisition, expectedStatus: Requisition['status']): Promise<void> {
    const written = await this.#putIf({
      Item: this.#requisitionItem(requisition),
      ConditionExpression: '#status = :expected',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':expected': expectedStatus },
    });
    if (written) return;
    const stored = await this.getRequisition(requisition.requisitionId);
    if (stored === undefined) {
      throw new NotFoundError(`requisition ${requisition.requisitionId} not found`, { details: { requisitionId: requisition.requisitionId } });
    }
    throw new ConcurrencyError(`requisition ${requisition.requisitionId} is ${stored.status}, not ${expectedStatus}`, {
      details: { requisitionId: requisition.requisitionId, status: stored.status },
    });
  }

  async createPurchaseOrder(po: PurchaseOrder): Promise<{ created: boolean; purchaseOrder: PurchaseOrder }> {
    if (await this.#putIf({ Item: { ...this.#purchaseOrderItem(po), version: 1 }, ConditionExpression: 'attribute_not_exists(pk)' })) {
      return { created: true, purchaseOrder: po };
    }
    const stored = await this.getPurchaseOrder(po.poNumber);
    if (stored === undefined) throw new ConcurrencyError(`purchase order ${po.poNumber} vanished while being created`);
    const { version: _version, ...purchaseOrder } = stored;
    return { created: false, purchaseOrder };
  }

  async getPurchaseOrder(poNumber: string): Promise<(PurchaseOrder & { version: number }) | undefined> {
    const item = await this.#get(procurementKeys.purchaseOrder(poNumber));
    if (item === undefined) return undefined;
    return { ...stripAttributes<PurchaseOrder>(item, KEY_ATTRIBUTES), version: Number(item.version) };
  }

  async savePurchaseOrder(po: PurchaseOrder, expectedVersion: number): Promise<void> {
    const { version: _ignored, ...plain } = po as PurchaseOrder & { version?: number };
    await this.#saveVersioned(this.#purchaseOrderItem(plain), expectedVersion, `purchase order ${po.poNumber}`, { poNumber: po.poNumber });
  }

  /** Newest first. */
  async listPurchaseOrdersBySupplier(supplierId: string, limit: number): Promise<PurchaseOrder[]> {
    const items = await this.#queryIndex(procurementKeys.purchaseOrdersOfSupplier(supplierId), false, limit);
    return items.map((item) => stripAttributes<PurchaseOrder>(item, KEY_ATTRIBUTES));
  }

  async saveReceipt(receipt: Receipt): Promise<{ created: boolean }> {
    const collision = await this.#createAll(
      [
        { ...procurementKeys.receiptGuard(receipt.receiptId), entityType: 'ReceiptGuard', poNumber: receipt.poNumber },
        { ...procurementKeys.receipt(receipt.poNumber, receipt.receiptId), entityType: 'Receipt', ...receipt },
      ],
      'receipt',
    );
    return { created: collision === undefined };
  }

  /** Oldest first by `receivedAt`. */
  async listReceipts(poNumber: string): Promise<Receipt[]> {
    try {
      const items = await queryAll(this.#client, {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :receipt)',
        ExpressionAttributeValues: { ':pk': procurementKeys.purchaseOrder(poNumber).pk, ':receipt': 'RECEIPT#' },
        ConsistentRead: true,
      });
      return items
        .map((item) => stripAttributes<Receipt>(item, KEY_ATTRIBUTES))
        .sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0));
    } catch (error) {
      throw toInfrastructureError('Query', this.#tableName, error);
    }
  }

  async saveInvoice(invoice: Invoice, invoiceCase: InvoiceCase): Promise<{ created: boolean }> {
    const collision = await this.#createAll(
      [
        {
          ...procurementKeys.invoice(invoiceCase.caseId),
          gsi1pk: procurementKeys.invoicesOfSupplier(invoiceCase.supplierId),
          gsi1sk: `${invoiceCase.createdAt}#${invoiceCase.caseId}`,
          entityType: 'Invoice',
          ...invoice,
        },
        { ...this.#caseItem(invoiceCase), version: 1 },
        ...(invoiceCase.poNumber === undefined
          ? []
          : [{ ...procurementKeys.invoiceOfPurchaseOrder(invoiceCase.poNumber, invoiceCase.caseId), entityType: 'PurchaseOrderInvoice', caseId: invoiceCase.caseId }]),
      ],
      'invoice',
    );
    return { created: collision === undefined };
  }

  async getInvoiceCase(caseId: string): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase; version: number } | undefined> {
    try {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': procurementKeys.invoice(caseId).pk },
          ConsistentRead: true,
        }),
      );
      const items = (page.Items ?? []) as DynamoItem[];
      const invoiceItem = items.find((i) => i.sk === 'INVOICE');
      const caseItem = items.find((i) => i.sk === 'CASE');
      if (invoiceItem === undefined || caseItem === undefined) return undefined;
      return {
        invoice: stripAttributes<Invoice>(invoiceItem, KEY_ATTRIBUTES),
        invoiceCase: stripAttributes<InvoiceCase>(caseItem, KEY_ATTRIBUTES),
        version: Number(caseItem.version),
      };
    } catch (error) {
      throw toInfrastructureError('Query', this.#tableName, error);
    }
  }

  /** Newest first. */
  async listInvoicesBySupplier(supplierId: string, limit: number): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase }[]> {
    return this.#withOtherHalves(await this.#queryIndex(procurementKeys.invoicesOfSupplier(supplierId), false, limit), 'INVOICE');
  }

  async listInvoicesOfPurchaseOrder(poNumber: string): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase }[]> {
    let links: DynamoItem[];
    try {
      links = await queryAll(this.#client, {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :invoice)',
        ExpressionAttributeValues: { ':pk': procurementKeys.purchaseOrder(poNumber).pk, ':invoice': 'INVOICE#' },
        ConsistentRead: true,
      });
    } catch (error) {
      throw toInfrastructureError('Query', this.#tableName, error);
    }
    const stored = await Promise.all(links.map((link) => this.getInvoiceCase(String(link.caseId))));
    return stored
      .flatMap((s) => (s === undefined ? [] : [{ invoice: s.invoice, invoiceCase: s.invoiceCase }]))
      .sort((a, b) => a.invoiceCase.createdAt.localeCompare(b.invoiceCase.createdAt) || a.invoiceCase.caseId.localeCompare(b.invoiceCase.caseId));
  }

  /** Oldest first: AP clerks work the backlog in arrival order. */
  async listInvoicesByStatus(status: InvoiceCase['status'], limit: number): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase }[]> {
    return this.#withOtherHalves(await this.#queryIndex(procurementKeys.invoiceCasesByStatus(status), true, limit), 'CASE');
  }

  async saveInvoiceCase(invoiceCase: InvoiceCase, expectedVersion: number, matchGuard?: PurchaseOrderMatchGuard): Promise<void> {
    const subject = `invoice case ${invoiceCase.caseId}`;
    if (matchGuard === undefined) {
      await this.#saveVersioned(this.#caseItem(invoiceCase), expectedVersion, subject, { caseId: invoiceCase.caseId });
      return;
    }
    const sequenceCondition =
      matchGuard.expectedSequence === 0
        ? { ConditionExpression: 'attribute_not_exists(pk) OR #seq = :expectedSequence' }
        : { ConditionExpression: '#seq = :expectedSequence' };
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.#tableName,
                Item: { ...this.#caseItem(invoiceCase), version: expectedVersion + 1 },
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': expectedVersion },
              },
            },
            {
              Update: {
                TableName: this.#tableName,
                Key: procurementKeys.matchSequence(matchGuard.poNumber),
                UpdateExpression: 'SET #seq = :nextSequence, entityType = :entityType',
                ...sequenceCondition,
                ExpressionAttributeNames: { '#seq': 'matchSequence' },
                ExpressionAttributeValues: {
                  ':expectedSequence': matchGuard.expectedSequence,
                  ':nextSequence': matchGuard.expectedSequence + 1,
                  ':entityType': 'PurchaseOrderMatchSequence',
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes === undefined || !codes.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) {
        throw toInfrastructureError('TransactWriteItems', this.#tableName, error);
      }
      if (codes[0] === 'ConditionalCheckFailed' && (await this.#get(procurementKeys.invoiceCase(invoiceCase.caseId))) === undefined) {
        throw new NotFoundError(`${subject} not found`, { details: { caseId: invoiceCase.caseId } });
      }
      // The case moved, or another invoice of the PO was decided since it was read: re-read and re-match.
      throw new ConcurrencyError(`${subject} or an invoice of purchase order ${matchGuard.poNumber} moved since it was read`, {
        details: { caseId: invoiceCase.caseId, poNumber: matchGuard.poNumber },
        cause: error,
      });
    }
  }

  async getPurchaseOrderMatchSequence(poNumber: string): Promise<number> {
    const item = await this.#get(procurementKeys.matchSequence(poNumber));
    return item === undefined ? 0 : Number(item.matchSequence);
  }

  /**
   * Completes index hits on one half of invoices (`found`: the invoices or the cases) with the other
   * half, in the hits' order; a hit whose other half is not there (yet) is left out.
   */
  async #withOtherHalves(hits: DynamoItem[], found: 'INVOICE' | 'CASE'): Promise<{ invoice: Invoice; invoiceCase: InvoiceCase }[]> {
    const otherKey = found === 'INVOICE' ? procurementKeys.invoiceCase : procurementKeys.invoice;
    const others = await this.#batchGet(hits.map((hit) => otherKey(caseIdOf(hit))));
    return hits.flatMap((hit) => {
      const other = others.get(otherKey(caseIdOf(hit)).pk);
      if (other === undefined) return [];
      const [invoiceItem, caseItem] = found === 'INVOICE' ? [hit, other] : [other, hit];
      return [{ invoice: stripAttributes<Invoice>(invoiceItem, KEY_ATTRIBUTES), invoiceCase: stripAttributes<InvoiceCase>(caseItem, KEY_ATTRIBUTES) }];
    });
  }

  #requisitionItem(requisition: Requisition): DynamoItem {
    return { ...procurementKeys.requisition(requisition.requisitionId), entityType: 'Requisition', ...requisition };
  }

  /** Without `version`: creates write 1, `#saveVersioned` the next one. */
  #purchaseOrderItem(po: PurchaseOrder): DynamoItem & TableKey {
    return {
      ...procurementKeys.purchaseOrder(po.poNumber),
      gsi1pk: procurementKeys.purchaseOrdersOfSupplier(po.supplierId),
      gsi1sk: `${po.createdAt}#${po.poNumber}`,
      entityType: 'PurchaseOrder',
      ...po,
    };
  }

  /** Without `version`, as `#purchaseOrderItem`. */
  #caseItem(invoiceCase: InvoiceCase): DynamoItem & TableKey {
    return {
      ...procurementKeys.invoiceCase(invoiceCase.caseId),
      gsi1pk: procurementKeys.invoiceCasesByStatus(invoiceCase.status),
      gsi1sk: `${invoiceCase.createdAt}#${invoiceCase.caseId}`,
      entityType: 'InvoiceCase',
      ...invoiceCase,
    };
  }

  /**
   * One conditional PutItem: true when written, false when its condition failed (the caller decides
   * what that means); any other failure is an `InfrastructureError`.
   */
  async #putIf(put: Omit<PutCommandInput, 'TableName'>): Promise<boolean> {
    try {
      await this.#client.send(new PutCommand({ ...put, TableName: this.#tableName }));
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw toInfrastructureError('PutItem', this.#tableName, error);
      return false;
    }
  }

  /**
   * Saves a versioned entity (`item` without its `version`) as version `expectedVersion + 1`, only
   * while the stored one is `expectedVersion`: a moved version is `ConcurrencyError`, a missing item
   * `NotFoundError`. `subject` names it in those errors (`purchase order PO-1`).
   */
  async #saveVersioned(item: DynamoItem & TableKey, expectedVersion: number, subject: string, details: Record<string, unknown>): Promise<void> {
    const written = await this.#putIf({
      Item: { ...item, version: expectedVersion + 1 },
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': expectedVersion },
    });
    if (written) return;
    if ((await this.#get({ pk: item.pk, sk: item.sk })) === undefined) throw new NotFoundError(`${subject} not found`, { details });
    throw new ConcurrencyError(`${subject} moved since it was read`, { details });
  }

  /**
   * Puts `items` in one transaction, each only where nothing is stored under its key yet. Undefined
   * when all were written; the `CancellationReasons` codes (in `items` order) when one already existed
   * and nothing was written. Any other failure is thrown as `#transactionError` says.
   */
  async #createAll(items: DynamoItem[], what: string): Promise<(string | undefined)[] | undefined> {
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: items.map((Item) => ({ Put: { TableName: this.#tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' } })),
        }),
      );
      return undefined;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes !== undefined && codes.includes('ConditionalCheckFailed')) return codes;
      throw this.#transactionError(error, what);
    }
  }

  /** The requisition a create collided with: by external ref (guard hit) or by id. */
  async #existingRequisition(requisition: Requisition, guardHit: boolean): Promise<Requisition> {
    let requisitionId = requisition.requisitionId;
    if (guardHit) {
      const guard = await this.#get(procurementKeys.externalRef(requisition.externalRef));
      if (typeof guard?.requisitionId === 'string') requisitionId = guard.requisitionId;
    }
    const stored = await this.getRequisition(requisitionId);
    if (stored === undefined) {
      throw new ConcurrencyError(`requisition for ${requisition.externalRef} is being created concurrently`, {
        details: { requisitionId: requisition.requisitionId },
      });
    }
    return stored;
  }

  async #get(key: TableKey): Promise<DynamoItem | undefined> {
    try {
      // Consistent: every read here precedes a conditional write decided on it.
      const result = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true }));
      return result.Item;
    } catch (error) {
      throw toInfrastructureError('GetItem', this.#tableName, error);
    }
  }

  async #queryIndex(gsi1pk: string, oldestFirst: boolean, limit: number): Promise<DynamoItem[]> {
    try {
      return await queryAll(
        this.#client,
        {
          TableName: this.#tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': gsi1pk },
          ScanIndexForward: oldestFirst,
        },
        limit,
      );
    } catch (error) {
      throw toInfrastructureError('Query', this.#tableName, error);
    }
  }

  /** BatchGetItem in chunks of 100, re-requesting `UnprocessedKeys` with backoff; the items by `pk`. */
  async #batchGet(keys: readonly TableKey[]): Promise<Map<string, DynamoItem>> {
    const found = new Map<string, DynamoItem>();
    for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
      let pending: TableKey[] = keys.slice(i, i + BATCH_GET_LIMIT);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= BATCH_GET_ATTEMPTS) {
          throw new InfrastructureError(`DynamoDB BatchGetItem on ${this.#tableName} left ${pending.length} keys unprocessed`, {
            details: { operation: 'BatchGetItem', table: this.#tableName, unprocessed: pending.length },
          });
        }
        if (attempt > 0) await sleep(jitteredDelay(attempt, 50, 2_000));
        try {
          const result = await this.#client.send(new BatchGetCommand({ RequestItems: { [this.#tableName]: { Keys: pending } } }));
          for (const item of (result.Responses?.[this.#tableName] ?? []) as DynamoItem[]) found.set(String(item.pk), item);
          pending = (result.UnprocessedKeys?.[this.#tableName]?.Keys ?? []) as TableKey[];
        } catch (error) {
          throw toInfrastructureError('BatchGetItem', this.#tableName, error);
        }
      }
    }
    return found;
  }

  /** A failed create transaction: a conflict with a concurrent transaction is retryable as such. */
  #transactionError(error: unknown, what: string): Error {
    const codes = cancellationCodes(error);
    if (codes !== undefined && codes.includes('TransactionConflict')) {
      return new ConcurrencyError(`concurrent write while creating a ${what}`, { cause: error });
    }
    return toInfrastructureError('TransactWriteItems', this.#tableName, error);
  }
}

const caseIdOf = (item: DynamoItem): string => String(item.pk).slice('INVOICE#'.length);

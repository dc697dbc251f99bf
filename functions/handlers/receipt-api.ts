/**
 * `POST /v1/receipts` (scope hem/receipt.write): the receiving dock reports what it counted against a
 * purchase order. → 201 `{ receiptId, poNumber, poStatus, correlationId, stock }` (200 with
 * `duplicate: true` when the same receipt is sent again: nothing changes twice); 400 problem naming
 * the field (`location`) for a malformed body, a PO line the PO does not have or a unit that does not
 * convert; 404 for an unknown PO; 409 for an over-receipt, a closed PO or a receipt id already used.
 * The body's `correlationId` is the requisition's transaction the receipt joined
 * (`GET /v1/transactions/{correlationId}`); the `X-Correlation-Id` header stays the request's.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { awsErpCommandQueue } from '../adapters/aws/erp-commands';
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import type { ErpCommandQueue } from '../domain/procurement-ports';
import { receiveAtDock } from '../domain/use-cases/procurement/receipts';
import { correlationIdOf, useCorrelationId } from './shared/correlation';
import { problemFor } from './shared/error-mapping';
import { actorOf, json, jsonBody } from './shared/http';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { countReceiptInvoice, DockReceiptBodySchema, RECEIPT_INVOICE_METRIC } from './shared/receipt-invoice-schemas';
import { parseOrThrow } from './shared/validation';

export type ReceiptApiDependencies = Pick<
  ProcurementHandlerDependencies,
  'procurement' | 'inventory' | 'referenceData' | 'events' | 'transactions' | 'audit' | 'clock' | 'waits' | 'workflows'
> & { erpCommands: ErpCommandQueue };

/** Builds the handler on the given ports. */
export const makeHandler = (deps: ReceiptApiDependencies): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> =>
  withPowertools(async (event) => {
    const correlationId = useCorrelationId(correlationIdOf(event));
    try {
      const body = parseOrThrow(DockReceiptBodySchema, jsonBody(event), 'receipt');
      const recorded = await receiveAtDock(deps, body, { actor: actorOf(event), causationId: correlationId });
      if (recorded.created) countReceiptInvoice(RECEIPT_INVOICE_METRIC.goodsReceipts);
      logger.info(recorded.created ? 'goods received' : 'receipt sent again', {
        receiptId: recorded.receipt.receiptId,
        poNumber: recorded.receipt.poNumber,
        poStatus: recorded.poStatus,
        transaction: recorded.correlationId,
        invoicesResumed: recorded.invoicesResumed.length,
      });
      return json(
        recorded.created ? 201 : 200,
        {
          receiptId: recorded.receipt.receiptId,
          poNumber: recorded.receipt.poNumber,
          poStatus: recorded.poStatus,
          correlationId: recorded.correlationId,
          ...(recorded.created ? {} : { duplicate: true }),
          stock: recorded.stock.map((s) => ({
            lineNumber: s.lineNumber,
            itemId: s.itemId,
            locationId: s.locationId,
            baseQuantity: s.baseQuantity,
            onHand: s.onHand,
            onOrder: s.onOrder,
          })),
        },
        correlationId,
      );
    } catch (e) {
      return problemFor(e, correlationId);
    }
  });

const AWS_OPTIONS = { instrumentClient: traceAwsClient };
export const handler = makeHandler({
  ...awsProcurementHandlerDependencies(process.env, AWS_OPTIONS),
  erpCommands: awsErpCommandQueue(process.env, AWS_OPTIONS),
});

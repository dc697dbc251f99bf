/**
 * `POST /v1/receipts` (scope hem/receipt.write): the receiving dock reports goods received against a
 * purchase order, either counted (`lines`) or by confirming a ship notice the PO took (`shipmentId`,
 * no `lines`: the receipt is exactly what that 856 shipped, `source: 'ASN'`).
 * → 201 `{ receiptId, poNumber, poStatus, correlationId, source, shipmentId?, stock }` (200 with
 * `duplicate: true` when the same receipt is sent again: nothing changes twice); 400 problem naming
 * the field (`location`) for a malformed body (both or neither of `lines` and `shipmentId`), a PO
 * line the PO does not have or a unit that does not convert; 404 for an unknown PO or a shipment the
 * PO did not take; 409 for an over-receipt, a closed PO, a receipt id already used, or a shipment
 * another receipt received (the problem names that receipt).
 * The body's `correlationId` is the requisition's transaction the receipt joined
 * (`GET /v1/transactions/{correlationId}`); the `X-Correlation-Id` header stays the request's.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { awsErpCommandQueue } from '../adapters/aws/erp-commands';
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import type { ErpCommandQueue } from '../domain/procurement-ports';
import { confirmShipNotice, receiveAtDock } from '../domain/use-cases/procurement/receipts';
import { clientCorrelationIdOf, correlationIdOf, useCorrelationId } from './shared/correlation';
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
    const correlationId = useCorrelationId(correlationIdOf(event), clientCorrelationIdOf(event));
    try {
      const body = parseOrThrow(DockReceiptBodySchema, jsonBody(event), 'receipt');
      const context = { actor: actorOf(event), causationId: correlationId };
      const recorded =
        body.kind === 'SHIP_NOTICE' ? await confirmShipNotice(deps, body.request, context) : await receiveAtDock(deps, body.request, context);
      if (recorded.created) countReceiptInvoice(RECEIPT_INVOICE_METRIC.goodsReceipts);
      logger.info(recorded.created ? 'goods received' : 'receipt sent again', {
        receiptId: recorded.receipt.receiptId,
        poNumber: recorded.receipt.poNumber,
        poStatus: recorded.poStatus,
        source: recorded.receipt.source,
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
          source: recorded.receipt.source,
          ...(recorded.receipt.shipmentId === undefined ? {} : { shipmentId: recorded.receipt.shipmentId }),
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

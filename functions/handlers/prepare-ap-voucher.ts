/**
 * Workflow task `PrepareApVoucher` of `state-machines/receipt-to-invoice.asl.json`. Input `{ caseId }`:
 * checks the invoice is payable and builds its AP voucher (deterministic: the same case gives the same
 * voucher on every retry). Output `{ caseId, voucherId, poNumber, correlationId, voucher }`, which the
 * workflow sends to the ERP connector (`CreatePayablesInvoice`) and the finance connector
 * (`PostApVoucher`). Reads only; calls no outside system.
 */
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { prepareApVoucher, type ApVoucherPrepared } from '../domain/use-cases/procurement/vouchers';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { logger, traceAwsClient } from './shared/powertools';
import type { ProcurementHandlerDependencies } from './shared/procurement-deps';
import { PrepareApVoucherInputSchema } from './shared/receipt-invoice-schemas';
import { parseOrThrow } from './shared/validation';
import { failureFacts } from './shared/error-mapping';

export type PrepareApVoucherHandlerDependencies = Pick<ProcurementHandlerDependencies, 'procurement' | 'referenceData' | 'clock'>;

/** Builds the handler on the given ports. */
export const makeHandler = (deps: PrepareApVoucherHandlerDependencies): LambdaFunction<unknown, ApVoucherPrepared> =>
  withPowertools(async (event) => {
    const input = parseOrThrow(PrepareApVoucherInputSchema, event, 'PrepareApVoucher input');
    try {
      const prepared = await prepareApVoucher(deps, input);
      logger.info('AP voucher prepared', {
        caseId: prepared.caseId,
        voucherId: prepared.voucherId,
        poNumber: prepared.poNumber,
        totalAmount: prepared.voucher.totalAmount,
        currency: prepared.voucher.currency,
      });
      return prepared;
    } catch (e) {
      logger.warn('AP voucher not prepared', {
        caseId: input.caseId,
        ...failureFacts(e),
      });
      throw e;
    }
  });

export const handler = makeHandler(awsProcurementHandlerDependencies(process.env, { instrumentClient: traceAwsClient }));

/**
 * The procure-to-pay business and technical metrics (EMF, namespace `HEM`, through the shared
 * Powertools Metrics). `ProcurementAlerts` carries the operator alarm on overdue documents and
 * rejected orders; `CircuitOpen` tells a connector failed fast.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from './powertools';

export const PROCUREMENT_METRIC = {
  requisitionsCreated: 'RequisitionsCreated',
  requisitionsAutoApproved: 'RequisitionsAutoApproved',
  requisitionsDecided: 'RequisitionsDecided',
  requisitionsEscalated: 'RequisitionsEscalated',
  purchaseOrdersCreated: 'PurchaseOrdersCreated',
  purchaseOrdersCreatedInErp: 'PurchaseOrdersCreatedInErp',
  purchaseOrdersIssued: 'PurchaseOrdersIssued',
  purchaseOrdersClosed: 'PurchaseOrdersClosed',
  procurementAlerts: 'ProcurementAlerts',
  /** 855 price increases beyond the supplier's tolerances, held back for a buyer (charted, not paged). */
  priceChangesHeld: 'AcknowledgmentPriceChangesHeld',
  erpCommands: 'ErpCommands',
  erpCommandFailures: 'ErpCommandFailures',
  supplierCommands: 'SupplierCommands',
  supplierCommandFailures: 'SupplierCommandFailures',
  financeCommands: 'FinanceCommands',
  financeCommandFailures: 'FinanceCommandFailures',
  circuitOpen: 'CircuitOpen',
} as const;

export type ProcurementMetric = (typeof PROCUREMENT_METRIC)[keyof typeof PROCUREMENT_METRIC];

/** Adds `value` to a count metric (skipped when zero). */
export const countProcurement = (name: ProcurementMetric, value = 1): void => {
  if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
};

/**
 * What the procure-to-pay use cases share: the ports they run on, the workflow's timing defaults,
 * deterministic requisition ids, and the small helpers that stamp hops, audit entries and events.
 */
import type { BusEvent } from '../../../../contracts/events';
import type { MatchResult, PurchaseOrder } from '../../../../contracts/procurement';
import { sha256Hex } from '../../audit-chain';
import { NotFoundError } from '../../errors';
import type { ProcurementEnvelopeInput } from '../../procurement/events';
import type {
  ControlNumberRepository,
  ErpGateway,
  ProcurementConfig,
  ProcurementRepository,
  SupplierNetwork,
  WaitRegistry,
  WorkflowControl,
} from '../../procurement-ports';
import type { Dependencies, TransactionHop } from '../../ports';

/**
 * The procure-to-pay ports, by the names every procurement handler's dependency container uses
 * (`ProcurementDependencies` in functions/handlers/shared/procurement-deps.ts has the same shape).
 */
export interface ProcurementPorts {
  procurement: ProcurementRepository;
  controlNumbers: ControlNumberRepository;
  procurementConfig: ProcurementConfig;
  workflows: WorkflowControl;
  waits: WaitRegistry;
  erp: ErpGateway;
  supplierNetwork: SupplierNetwork;
}

/** The issue-2 ports plus the procurement ports: use cases `Pick<>` what they touch. */
export type ProcurementUseCaseDependencies = Dependencies & ProcurementPorts;

/** The actor recorded for what the requisition-to-pay workflow does on its own. */
export const WORKFLOW_ACTOR = 'hem:requisition-to-pay';
/** The actors recorded for the connectors. */
export const ERP_CONNECTOR_ACTOR = 'hem:erp-connector';
export const SUPPLIER_CONNECTOR_ACTOR = 'hem:supplier-connector';

/** The name of the requisition-to-pay workflow (WorkflowControl.start). */
export const REQUISITION_TO_PAY = 'RequisitionToPay';

/**
 * How long the workflow waits for each outside event before it alerts an operator and waits again
 * (seconds). The approval decision's comes from the cost center's policy; the others are these
 * defaults unless the execution input overrides them (`timeouts`).
 */
export const WORKFLOW_TIMEOUT_DEFAULTS = {
  /** The supplier's 855 acknowledgment: one day. */
  acknowledgmentSeconds: 24 * 3600,
  /** The 856 ship notice: a week (backorders take longer and re-alert). */
  shipNoticeSeconds: 7 * 24 * 3600,
  /** The first receipt at the dock after the ship notice: three days. */
  receiptSeconds: 3 * 24 * 3600,
  /** A matched invoice: two weeks after the goods (then re-alerted every two weeks). */
  invoiceMatchedSeconds: 14 * 24 * 3600,
  /** How often an open PO (partial receipts or invoices) is checked again before it closes: one day. */
  recheckSeconds: 24 * 3600,
} as const;

/**
 * The longest any single wait may be: 20 days. Longer outside events are waited for in several
 * rounds, each ending in an alert (so nothing waits silently for weeks), and every timer stays within
 * what a JavaScript timer can hold (2^31 ms ≈ 24.8 days), which the local interpreter relies on.
 */
export const MAX_WAIT_SECONDS = 20 * 24 * 3600;

/** Escalations of an undecided requisition before the workflow gives up on it (and fails, alarmed). */
export const DEFAULT_MAX_ESCALATIONS = 12;

/** Every wait's timeout, in seconds (integers ≥ 1: Step Functions' TimeoutSecondsPath rule). */
export interface WorkflowTimeouts {
  decisionSeconds: number;
  acknowledgmentSeconds: number;
  shipNoticeSeconds: number;
  receiptSeconds: number;
  invoiceMatchedSeconds: number;
  recheckSeconds: number;
}

/**
 * The requisition id of a business key: `REQ-` + 20 hex digits of SHA-256(source | externalRef). The
 * same replenishment event or SaaS requisition always maps to the same id, so the workflow started for
 * it (named after the id) starts once. Fits Step Functions' execution-name rule.
 */
export const requisitionIdFor = (source: 'REPLENISHMENT' | 'SAAS', externalRef: string): string =>
  `REQ-${sha256Hex(`${source}|${externalRef}`).slice(0, 20).toUpperCase()}`;

/** The counter the PO numbers of a facility are drawn from (a ControlNumberRepository partner key). */
export const poSequenceKey = (facilityId: string): string => `PO-SEQUENCE|${facilityId}`;

/** The envelope input of an event caused by `causationId` now. */
export const envelopeInput = (correlationId: string, causationId: string, now: Date): ProcurementEnvelopeInput => ({
  correlationId,
  causationId,
  occurredAt: now.toISOString(),
});

/** Records one hop of the business transaction. */
export const recordHop = async (
  deps: Pick<Dependencies, 'transactions' | 'clock'>,
  correlationId: string,
  hop: TransactionHop['hop'],
  status: TransactionHop['status'],
  detail: Record<string, unknown>,
): Promise<void> => {
  await deps.transactions.record({ correlationId, hop, status, at: deps.clock.now().toISOString(), detail });
};

/**
 * One PutEvents entry as a workflow state publishes it (`arn:aws:states:::events:putEvents`): the
 * function gets the bus name in its input, so it needs no bus configuration and no PutEvents right.
 */
export interface PutEventsEntry {
  EventBusName: string;
  Source: string;
  DetailType: string;
  Detail: Record<string, unknown>;
}

/** Bus events as PutEvents entries for `eventBusName`. */
export const toPutEventsEntries = (events: readonly BusEvent[], eventBusName: string): PutEventsEntry[] =>
  events.map((e) => ({ EventBusName: eventBusName, Source: e.source, DetailType: e.detailType, Detail: e.detail }));

/**
 * The match results of a PO's payable invoices (matched, variance accepted, or paid): what its
 * invoiced totals are made of (`recordInvoiceMatches`).
 */
export const payableMatchesOf = async (deps: Pick<ProcurementPorts, 'procurement'>, poNumber: string): Promise<MatchResult[]> =>
  (await deps.procurement.listInvoicesOfPurchaseOrder(poNumber))
    .map(({ invoiceCase }) => invoiceCase)
    .filter((c) => (c.status === 'MATCHED' || c.status === 'PAID') && c.match !== undefined)
    .map((c) => ({ ...(c.match as MatchResult), status: 'MATCHED' as const }));

/**
 * The stored purchase order `poNumber`, with its version for an optimistic save.
 * @throws NotFoundError (404) when HEM has no such PO.
 */
export const requirePurchaseOrder = async (
  deps: Pick<ProcurementPorts, 'procurement'>,
  poNumber: string,
): Promise<PurchaseOrder & { version: number }> => {
  const po = await deps.procurement.getPurchaseOrder(poNumber);
  if (po === undefined) throw new NotFoundError(`no purchase order ${poNumber}`, { details: { poNumber } });
  return po;
};

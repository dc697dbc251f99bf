/**
 * The procure-to-pay ports a procurement handler receives on top of `HandlerDependencies`. A separate
 * group so the issue-2 handlers and their dependency containers stay untouched: a procurement
 * handler's `makeHandler` takes `HandlerDependencies & ProcurementDependencies`.
 */
import type {
  ControlNumberRepository,
  EdiDocumentLog,
  ErpGateway,
  ProcurementConfig,
  ProcurementRepository,
  SupplierNetwork,
  WaitRegistry,
  WorkflowControl,
} from '../../domain/procurement-ports';
import type { HandlerDependencies } from './deps';

/** The procure-to-pay ports. */
export interface ProcurementDependencies {
  /** Requisitions, purchase orders, receipts, invoices and invoice cases. */
  procurement: ProcurementRepository;
  /** ISA13/GS06/ST02 of outbound interchanges, per trading partner. */
  controlNumbers: ControlNumberRepository;
  /** Inbound EDI documents already applied (the resend guard). */
  ediDocuments: EdiDocumentLog;
  /** Suppliers, approval policies, match tolerances, the buyer's X12 identity. */
  procurementConfig: ProcurementConfig;
  /** Step Functions starts and task-token callbacks. */
  workflows: WorkflowControl;
  /** Task tokens of waiting workflows and events that arrived before their wait. */
  waits: WaitRegistry;
  /** The ERP (Oracle Fusion-like REST). */
  erp: ErpGateway;
  /** The supplier network (outbound X12). */
  supplierNetwork: SupplierNetwork;
}

/** Everything a procurement handler's `makeHandler` receives. */
export type ProcurementHandlerDependencies = HandlerDependencies & ProcurementDependencies;

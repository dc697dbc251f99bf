/**
 * zod schemas of the requisition-to-pay workflow payloads and connector messages, validated at the
 * edge of each handler (the ASL file builds them: these are the contract between the two).
 */
import * as z from 'zod';
import { ReplenishmentRequestedSchema } from '../../../contracts/events';
import { ApprovalDecisionSchema } from '../../../contracts/procurement';
import { EventBridgeSchema } from './schemas';

const id = z.string().min(1).max(128);
const eventBusName = z.string().min(1).max(256);
const seconds = z.number().int().min(1);

/** A `ReplenishmentRequested` event as the bus delivers it to the ProcurementRequests queue (the SQS body). */
export const ReplenishmentRequestedEventSchema = EventBridgeSchema.extend({
  source: z.literal('hem.inventory'),
  'detail-type': z.literal('ReplenishmentRequested'),
  detail: ReplenishmentRequestedSchema,
});

/** Optional per-execution overrides of the wait timeouts (seconds). */
export const WorkflowTimeoutsSchema = z
  .object({
    decisionSeconds: seconds,
    acknowledgmentSeconds: seconds,
    shipNoticeSeconds: seconds,
    receiptSeconds: seconds,
    invoiceMatchedSeconds: seconds,
    recheckSeconds: seconds,
  })
  .partial();

/** EvaluateApproval: `{ input: <execution input>, eventBusName }`. */
export const EvaluateApprovalInputSchema = z.object({
  input: z.object({
    requisitionId: id,
    correlationId: id,
    timeouts: WorkflowTimeoutsSchema.optional(),
    maxEscalations: z.number().int().min(1).max(1000).optional(),
  }),
  eventBusName,
});

/** BuildPurchaseOrder. */
export const BuildPurchaseOrderInputSchema = z.object({ requisitionId: id, correlationId: id });

/** RegisterWait (the Payload of a `lambda:invoke.waitForTaskToken` state). */
export const RegisterWaitInputSchema = z.object({
  entity: id,
  awaited: z.string().min(1).max(64),
  token: z.string().min(1).max(2048),
  timeoutSeconds: seconds.optional(),
  correlationId: id.optional(),
});

/** RaiseProcurementAlert: escalate a requisition, or alert about a purchase order. */
export const RaiseProcurementAlertInputSchema = z.union([
  z.object({ subject: z.literal('REQUISITION'), requisitionId: id, correlationId: id.optional(), eventBusName }),
  z.object({
    subject: z.literal('PURCHASE_ORDER'),
    poNumber: id,
    reason: z.enum(['ERP', 'SUPPLIER_NETWORK', 'ACKNOWLEDGMENT', 'SHIP_NOTICE', 'RECEIPT', 'INVOICE', 'REJECTED_BY_ERP', 'REJECTED_BY_SUPPLIER']),
    correlationId: id.optional(),
    eventBusName,
  }),
]);

/** ClosePurchaseOrder. */
export const ClosePurchaseOrderInputSchema = z.object({
  poNumber: id,
  correlationId: id.optional(),
  remindWhenOpen: z.boolean().default(false),
  eventBusName,
});

/** Body of `POST /v1/requisitions/{requisitionId}/decision`. */
export const ApprovalDecisionBodySchema = ApprovalDecisionSchema.strict();

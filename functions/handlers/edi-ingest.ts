/**
 * `POST /v1/edi/x12`: a supplier's X12 interchange(s) in, the acknowledgments out.
 *
 * - Parsed and acknowledged synchronously by the X12 adapter: a 999 per 005010 group, a 997 per
 *   004010 group, a TA1 for an unreadable envelope. HTTP 200 with the acknowledgment text
 *   (`Content-Type: application/edi-x12`) whatever the acknowledgments say; 400 problem+json only
 *   when the body is not X12 at all. `X-Correlation-Id` on every answer.
 * - Who may send: the interchange sender (ISA05/ISA06) must be a configured supplier AND the
 *   authenticated client (`claims.client_id`) must speak for that supplier
 *   (`ProcurementConfig.findSupplierByClientId`); otherwise the sets are rejected exactly like an
 *   unknown sender's (IK5/AK5 R) — a supplier cannot submit for another.
 * - Partner trust: every 855/856/810 must name a PO of the caller's supplier (read up front with
 *   `ownPurchaseOrderNumbers`); a set naming another supplier's PO, or one that does not exist, is
 *   rejected alike in the 999/997 (IK3/IK4 on BAK03 / PRF01 / BIG04, IK5/AK5 R) and nothing is
 *   stored for it. A group whose GS02 is not its ISA06 is rejected set by set (AK9 R).
 * - Bounded work: a body over `MAX_X12_PAYLOAD_BYTES` → 400 problem+json naming the cap, nothing
 *   parsed; interchanges beyond `MAX_X12_TRANSACTION_SETS` sets per request → TA1 R (024).
 * - Every accepted 855/856/810 is applied once (`applySupplierDocument`): a resend changes nothing
 *   and is still acknowledged. A byte-identical resend of the same client is answered with the very
 *   same acknowledgment text from the idempotency store (key: client + SHA-256 of the body).
 * - HEM's acknowledgments draw their ISA13/GS06 from the caller's supplier counter
 *   (`ControlNumberRepository.reserve`, one block per request: one per interchange and group, the
 *   most the answer can use), the counter HEM's 850s to that supplier use as well.
 * - A failure of HEM's own dependencies → 503 problem+json (the supplier resends; nothing was
 *   applied twice); nothing is half-acknowledged.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Supplier } from '../../contracts/procurement';
import { awsErpCommandQueue } from '../adapters/aws/erp-commands';
import { awsProcurementHandlerDependencies } from '../adapters/aws/procurement-connectors';
import { acknowledge, MAX_X12_PAYLOAD_BYTES, MAX_X12_TRANSACTION_SETS, parseX12, purchaseOrderReferences } from '../adapters/x12';
import type { AcceptedSet, ControlNumberSource, X12ParseResult } from '../adapters/x12';
import { sha256Hex } from '../domain/audit-chain';
import { AuthenticationError, InfrastructureError, ValidationError } from '../domain/errors';
import { applySupplierDocument, ownPurchaseOrderNumbers } from '../domain/use-cases/procurement/supplier-documents';
import type { SupplierDocument, SupplierDocumentDependencies, SupplierDocumentOutcome } from '../domain/use-cases/procurement/supplier-documents';
import { clientIdOf } from './shared/client-identity';
import { clientCorrelationIdOf, correlationIdOf, useCorrelationId } from './shared/correlation';
import type { HandlerDependencies } from './shared/deps';
import { problemFor } from './shared/error-mapping';
import { bodyText, text } from './shared/http';
import { asHemError, idempotentOperation } from './shared/idempotency';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { count, logger, METRIC, traceAwsClient } from './shared/powertools';
import type { ProcurementDependencies } from './shared/procurement-deps';
import { countProcurement, PROCUREMENT_METRIC } from './shared/procurement-metrics';

/** Content type of every acknowledgment. */
export const X12_CONTENT_TYPE = 'application/edi-x12';

export type EdiIngestDependencies = SupplierDocumentDependencies &
  Pick<ProcurementDependencies, 'procurementConfig' | 'controlNumbers'> &
  Pick<HandlerDependencies, 'idempotencyStore'>;

/** What an accepted request stores for its byte-identical resends. */
interface Answered {
  ack: string;
  correlationId: string;
}

const senderKey = (qualifier: string, id: string): string => `${qualifier.trim()}|${id.trim()}`;

/**
 * The suppliers of every interchange sender that the caller may speak for, fetched up front so the
 * adapter's resolver can be synchronous.
 */
const authorisedSenders = async (
  deps: Pick<EdiIngestDependencies, 'procurementConfig'>,
  parsed: X12ParseResult,
  caller: Supplier | undefined,
): Promise<Map<string, Supplier>> => {
  const senders = new Map<string, { qualifier: string; id: string }>();
  for (const { header } of parsed.interchanges) senders.set(senderKey(header.senderQualifier, header.senderId), { qualifier: header.senderQualifier.trim(), id: header.senderId.trim() });
  const authorised = new Map<string, Supplier>();
  for (const [key, sender] of senders) {
    const supplier = await deps.procurementConfig.findSupplierByX12(sender.qualifier, sender.id);
    if (supplier !== undefined && supplier.supplierId === caller?.supplierId) authorised.set(key, supplier);
  }
  return authorised;
};

/** Control numbers reserved for the answer: enough for a TA1 per interchange and a 999/997 per group. */
const reservedControlNumbers = async (
  deps: Pick<EdiIngestDependencies, 'controlNumbers'>,
  parsed: X12ParseResult,
  partnerId: string,
): Promise<ControlNumberSource> => {
  const needed = parsed.interchanges.reduce((n, i) => n + 1 + i.groups.length, 0);
  const block = needed === 0 ? [] : await deps.controlNumbers.reserve(partnerId, needed);
  let next = 0;
  return {
    next: () => {
      const numbers = block[next++];
      if (numbers === undefined) throw new InfrastructureError('acknowledgment needed more control numbers than were reserved');
      return numbers.group;
    },
  };
};

/** The canonical documents of an accepted set, as the use case takes them. */
const documentsOf = (set: AcceptedSet): SupplierDocument[] => {
  switch (set.kind) {
    case 'PoAcknowledgment':
      return set.documents.map((document) => ({ kind: 'PoAcknowledgment', document }));
    case 'ShipNotice':
      return set.documents.map((document) => ({ kind: 'ShipNotice', document }));
    case 'Invoice':
      return set.documents.map((document) => ({ kind: 'Invoice', document }));
    case 'FunctionalAck':
      return [];
  }
};

/** Builds the handler on the given ports. */
export const makeHandler = (deps: EdiIngestDependencies): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> => {
  const answer = idempotentOperation<{ payload: string; clientId: string; correlationId: string; causationId: string }, Answered>(
    deps.idempotencyStore,
    async ({ payload, clientId, correlationId, causationId }) => {
      const parsed = parseX12(payload);
      const caller = await deps.procurementConfig.findSupplierByClientId(clientId);
      const senders = await authorisedSenders(deps, parsed, caller);
      const first = parsed.interchanges[0]?.header;
      const partnerId = caller?.supplierId ?? (first === undefined ? 'X12|UNKNOWN' : `X12|${senderKey(first.senderQualifier, first.senderId)}`);
      // Only the caller's own POs are looked up: whether another supplier's PO exists never shows.
      const ownPurchaseOrders = caller === undefined || senders.size === 0 ? new Set<string>() : await ownPurchaseOrderNumbers(deps, caller.supplierId, purchaseOrderReferences(parsed));
      const controlNumbers = await reservedControlNumbers(deps, parsed, partnerId);
      const buyer = await deps.procurementConfig.buyer();
      const now = deps.clock.now();
      const result = acknowledge(parsed, { qualifier: buyer.isaQualifier, id: buyer.isaId, gsId: buyer.gsId }, controlNumbers, now, {
        resolveSupplier: (qualifier, id) => senders.get(senderKey(qualifier, id))?.supplierId,
        ownsPurchaseOrder: (supplierId, poNumber) => supplierId === caller?.supplierId && ownPurchaseOrders.has(poNumber),
      });
      if (!result.readable) {
        throw new ValidationError('the body is not an X12 interchange (no readable ISA segment)', { location: 'ISA' });
      }

      count(METRIC.messagesRejected, result.rejected.length);
      // One hop per rejected set, but never more than the cap of sets per request (the rest is one hop).
      const recorded = result.rejected.slice(0, MAX_X12_TRANSACTION_SETS);
      const unrecorded = result.rejected.slice(MAX_X12_TRANSACTION_SETS);
      for (const rejected of recorded) {
        await deps.transactions.record({
          correlationId,
          hop: 'rejected',
          status: 'error',
          at: now.toISOString(),
          detail: { document: rejected.transactionSetId, reason: rejected.reason, interchange: rejected.control.interchange, transactionSet: rejected.control.transactionSet },
        });
      }
      const [firstUnrecorded] = unrecorded;
      if (firstUnrecorded !== undefined) {
        await deps.transactions.record({
          correlationId,
          hop: 'rejected',
          status: 'error',
          at: now.toISOString(),
          detail: { reason: firstUnrecorded.reason, transactionSets: unrecorded.length },
        });
      }
      const outcomes: SupplierDocumentOutcome[] = [];
      for (const set of result.accepted) {
        const supplierId = set.supplierId;
        if (supplierId === undefined) continue;
        const documents = documentsOf(set);
        for (const [index, doc] of documents.entries()) {
          outcomes.push(
            await applySupplierDocument(deps, {
              supplierId,
              control: set.control,
              businessKey: set.businessKeys[index] ?? `${set.transactionSetId}|${set.envelopeKey}|${index + 1}`,
              doc,
              requestCorrelationId: correlationId,
              causationId,
              actor: clientId,
            }),
          );
        }
      }
      // Buyers review 855 price increases beyond tolerance: charted (ProcurementAlertRaised on the bus), not paged.
      countProcurement(
        PROCUREMENT_METRIC.priceChangesHeld,
        outcomes.reduce((n, o) => n + (o.status === 'APPLIED' ? (o.priceChangesHeld?.length ?? 0) : 0), 0),
      );
      logger.info('X12 payload acknowledged', {
        interchanges: result.interchanges.length,
        accepted: result.accepted.length,
        rejected: result.rejected.length,
        applied: outcomes.filter((o) => o.status === 'APPLIED').length,
        duplicates: outcomes.filter((o) => o.status === 'DUPLICATE').length,
        unmatched: outcomes.filter((o) => o.status === 'UNMATCHED').length,
      });
      // The PO's transaction when the payload carried documents of one PO; the request's otherwise.
      const correlations = new Set(outcomes.map((o) => o.correlationId));
      const [only] = correlations;
      return { ack: result.response, correlationId: correlations.size === 1 && only !== undefined ? only : correlationId };
    },
  );

  return withPowertools(async (event, context) => {
    const correlationId = useCorrelationId(correlationIdOf(event), clientCorrelationIdOf(event));
    answer.registerLambdaContext(context);
    try {
      const clientId = clientIdOf(event);
      if (clientId === undefined) throw new AuthenticationError('an OAuth2 client-credentials token is required');
      const payload = bodyText(event);
      if (payload.trim() === '') throw new ValidationError('the request body is empty', { location: '$' });
      if (Buffer.byteLength(payload, 'utf8') > MAX_X12_PAYLOAD_BYTES) {
        throw new ValidationError(`the X12 payload exceeds ${MAX_X12_PAYLOAD_BYTES} bytes, the most HEM reads per request: split it into smaller requests`, { location: '$' });
      }
      const answered = await answer.run(
        { idempotencyKey: `x12|${clientId}|${sha256Hex(payload)}` },
        { payload, clientId, correlationId, causationId: event.requestContext?.requestId ?? correlationId },
      );
      return text(200, answered.ack, X12_CONTENT_TYPE, answered.correlationId);
    } catch (e) {
      return problemFor(asHemError(e), correlationId);
    }
  });
};

// The ErpCommands queue: an 856 of a supplier that receives on ship notice books its ERP receipt.
const AWS_OPTIONS = { instrumentClient: traceAwsClient };
export const handler = makeHandler({ ...awsProcurementHandlerDependencies(process.env, AWS_OPTIONS), erpCommands: awsErpCommandQueue(process.env, AWS_OPTIONS) });

/**
 * `POST /v1/hl7`: one HL7 v2 DFT^P03 message (ER7) in, the HL7 ACK out.
 *
 * - Parsed by the HL7 adapter into a PHI-free UsageMessage (patient segments are read only to
 *   derive the opaque encounter reference, then dropped).
 * - Idempotent on the BUSINESS key bound to the caller: authenticated client + sending application
 *   (MSH-3) + sending facility (MSH-4) + message control id (MSH-10), checked against a hash of the
 *   message: an exact resend answers the very same ACK and correlation id and publishes nothing; the
 *   same key with different content is refused — 422 with AR "control id reused with different
 *   content" naming MSH-10 — and recorded (rejected hop, IdempotencyKeyReused metric), never dropped.
 *   The correction path is a reversal (FT1-6 CD) and a resend under a new control id.
 * - AA → 200; AE/AR → 400 with an ERR segment naming the field; a batch (several MSH, FHS/BHS) → AR.
 *   Rejected messages record a 'rejected' hop (error code and location only) and publish nothing.
 * - Failures of HEM's own dependencies → 503 (retryable) or 500 with an AE ACK whose text is generic.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { UsageMessage } from '../../contracts/usage';
import { awsDependencies } from '../adapters/aws/dependencies';
import { buildHl7Ack, hl7ErrorFor, parseDftP03, splitHl7Batch, stripFraming } from '../adapters/hl7v2';
import { IdempotencyKeyReusedError, UnparseableMessageError, ValidationError } from '../domain/errors';
import { recordUsage } from '../domain/use-cases/record-usage';
import { clientCorrelationIdOf, correlationIdOf, useCorrelationId } from './shared/correlation';
import type { HandlerDependencies } from './shared/deps';
import { httpStatusFor, logFailure } from './shared/error-mapping';
import { actorOf, bodyText, text } from './shared/http';
import { asHemError, payloadCheckedOperation, payloadHashOf } from './shared/idempotency';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { count, logger, METRIC, traceAwsClient } from './shared/powertools';

/** Content type of every answer (an HL7 ACK). */
export const HL7_CONTENT_TYPE = 'application/hl7-v2';

export type Hl7IngestDependencies = Pick<
  HandlerDependencies,
  'encounterKey' | 'events' | 'transactions' | 'audit' | 'clock' | 'idempotencyStore'
>;

/** What an accepted message stores for its resends. */
interface AcceptedMessage {
  ack: string;
  correlationId: string;
}

/** A batch (FHS/BHS, or several MSH in one body): HEM takes one message per request, so AR. */
class BatchNotSupportedError extends UnparseableMessageError {}

/** Throws `BatchNotSupportedError` (→ AR) unless `er7` holds exactly one message. */
const assertSingleMessage = (er7: string): void => {
  // eslint-disable-next-line no-control-regex -- an MLLP start block (VT, 0x0B) may precede a batch header
  if (splitHl7Batch(er7).length > 1 || /^[\uFEFF\u000B]*(?:FHS|BHS)/m.test(er7)) {
    throw new BatchNotSupportedError('batch messages are not supported: send one DFT^P03 per request', { location: 'MSH' });
  }
};

/**
 * The idempotency key of a message: the authenticated client and the message's full business
 * identity (MSH-3, MSH-4, MSH-10). Two facilities of one application, or two clients, that reuse
 * a control id do not collide. JSON keeps the parts unambiguous; Powertools stores only a hash.
 */
export const hl7IdempotencyKey = (clientId: string, usage: Pick<UsageMessage, 'sourceSystem' | 'facilityCode' | 'messageControlId'>): string =>
  `hl7|${JSON.stringify([clientId, usage.sourceSystem, usage.facilityCode, usage.messageControlId])}`;

/** The hash of the message's content: framing and segment-separator style (CR, LF, CRLF) do not count. */
const contentHashOf = (er7: string): string => payloadHashOf(stripFraming(er7).replace(/\r\n|\n/g, '\r').replace(/\r+$/, ''));

/** Builds the handler on the given ports. */
export const makeHandler = (deps: Hl7IngestDependencies): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> => {
  const accept = payloadCheckedOperation<
    { er7: string; usage: UsageMessage; correlationId: string; clientCorrelationId?: string; causationId: string; actor: string },
    AcceptedMessage
  >(deps.idempotencyStore, async ({ er7, usage, correlationId, clientCorrelationId, causationId, actor }) => {
    await recordUsage(deps, { messages: [usage], correlationId, ...(clientCorrelationId === undefined ? {} : { clientCorrelationId }), causationId, actor });
    count(METRIC.usageEventsProcessed);
    return { ack: buildHl7Ack(er7, { code: 'AA' }, deps.clock.now()), correlationId };
  });

  /**
   * The ACK for a message HEM refuses: AE/AR → 400 (structure or content), AR → 422 (control id
   * reused with other content); nothing published, a PHI-free 'rejected' hop recorded.
   */
  const reject = async (er7: string, e: ValidationError | IdempotencyKeyReusedError, correlationId: string): Promise<APIGatewayProxyResult> => {
    const verdict = hl7ErrorFor(e);
    const status = httpStatusFor(e);
    logFailure(e, status);
    count(METRIC.messagesRejected);
    if (e instanceof IdempotencyKeyReusedError) count(METRIC.idempotencyKeyReused);
    await deps.transactions.record({
      correlationId,
      hop: 'rejected',
      status: 'error',
      at: deps.clock.now().toISOString(),
      detail: { code: e.code, ackCode: verdict.code, ...(e.location === undefined ? {} : { location: e.location }) },
    });
    return text(status, buildHl7Ack(er7, verdict, deps.clock.now()), HL7_CONTENT_TYPE, correlationId);
  };

  /** The ACK for a failure of HEM itself: generic text, 503 when a resend can succeed. */
  const fail = (er7: string, e: unknown, correlationId: string): APIGatewayProxyResult => {
    const status = httpStatusFor(e);
    logFailure(e, status);
    const message = status === 503 ? 'temporarily unavailable: resend the message later' : 'internal error: quote the correlation id';
    return text(status, buildHl7Ack(er7, { code: 'AE', error: { message } }, deps.clock.now()), HL7_CONTENT_TYPE, correlationId);
  };

  return withPowertools(async (event, context) => {
    const clientCorrelationId = clientCorrelationIdOf(event);
    const correlationId = useCorrelationId(correlationIdOf(event), clientCorrelationId);
    accept.registerLambdaContext(context);
    const er7 = bodyText(event);
    let usage: UsageMessage;
    try {
      assertSingleMessage(er7);
      usage = parseDftP03(er7, { encounterKey: await deps.encounterKey.getKey() });
    } catch (e) {
      if (!(e instanceof ValidationError)) return fail(er7, e, correlationId);
      try {
        return await reject(er7, e, correlationId);
      } catch (recordingFailure) {
        return fail(er7, recordingFailure, correlationId);
      }
    }
    try {
      const actor = actorOf(event);
      const accepted = await accept.run(
        { idempotencyKey: hl7IdempotencyKey(actor, usage), payloadHash: contentHashOf(er7), location: 'MSH-10' },
        { er7, usage, correlationId, ...(clientCorrelationId === undefined ? {} : { clientCorrelationId }), causationId: event.requestContext?.requestId ?? correlationId, actor },
      );
      if (accepted.correlationId !== correlationId) {
        logger.info('resent HL7 message answered from the idempotency store', { originalCorrelationId: accepted.correlationId });
      }
      return text(200, accepted.ack, HL7_CONTENT_TYPE, accepted.correlationId);
    } catch (e) {
      if (!(e instanceof IdempotencyKeyReusedError)) return fail(er7, asHemError(e), correlationId);
      try {
        return await reject(er7, e, correlationId);
      } catch (recordingFailure) {
        return fail(er7, recordingFailure, correlationId);
      }
    }
  });
};

export const handler = makeHandler(awsDependencies(process.env, { instrumentClient: traceAwsClient }));

/**
 * `POST /v1/usage-events`: a canonical JSON usage record, or FHIR R4 (Procedure, ChargeItem,
 * SupplyDelivery, or a Bundle of them) when the body has a `resourceType`. FHIR resources that do
 * not name their sending system or facility take them from the `X-Source-System` /
 * `X-Facility-Code` headers.
 *
 * Idempotent on a key bound to the authenticated client: client + `Idempotency-Key` header when
 * given; else client + resource type, id and `meta.versionId` of every FHIR resource; else client +
 * sourceSystem + recordId. The key is checked against a hash of the body: an exact repeat answers
 * the first answer and publishes nothing; the same key with different content is refused with 422
 * problem+json naming the key's field, counted (IdempotencyKeyReused) and recorded as a 'rejected'
 * hop — never dropped. 202 `{ correlationId, messages, lines }`; 400 problem+json whose `location`
 * is the JSON path.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ZodError } from 'zod';
import type { UsageMessage } from '../../contracts/usage';
import { awsDependencies } from '../adapters/aws/dependencies';
import { fhirBusinessIdentity, parseFhirUsage } from '../adapters/fhir';
import { parseUsageRecord } from '../adapters/usage-record';
import { IdempotencyKeyReusedError, ValidationError } from '../domain/errors';
import { recordUsage, type RecordUsageResult } from '../domain/use-cases/record-usage';
import { clientCorrelationIdOf, correlationIdOf, headerOf, useCorrelationId } from './shared/correlation';
import type { HandlerDependencies } from './shared/deps';
import { problemFor } from './shared/error-mapping';
import { actorOf, json, jsonBody } from './shared/http';
import { asHemError, payloadCheckedOperation, payloadHashOf, type CheckedIdempotencyKey } from './shared/idempotency';
import { withPowertools, type LambdaFunction } from './shared/middleware';
import { count, logger, METRIC, traceAwsClient } from './shared/powertools';
import { jsonPath } from './shared/validation';

export type UsageIngestDependencies = Pick<
  HandlerDependencies,
  'encounterKey' | 'events' | 'transactions' | 'audit' | 'clock' | 'idempotencyStore'
>;

/** Same charset as correlation ids: the key is stored and logged. */
const SANE_IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/** A header value when present and non-blank. */
const optionalHeader = (event: APIGatewayProxyEvent, name: string): string | undefined => {
  const value = headerOf(event, name)?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/**
 * When a FHIR resource lacks its sending system or facility and the header that would supply it
 * is absent, the partner must be told which header to send (not only which element is missing).
 */
const missingHeaderError = (
  e: unknown,
  declared: { sourceSystem: string | undefined; facilityCode: string | undefined },
): ValidationError | undefined => {
  if (!(e instanceof ValidationError) || e.location === undefined) return undefined;
  if (declared.sourceSystem === undefined && e.location.endsWith('meta.source') && e.message.includes('no sending system')) {
    return new ValidationError('X-Source-System header is required: the FHIR resource has no meta.source', { location: 'X-Source-System' });
  }
  if (declared.facilityCode === undefined && e.location.endsWith('extension') && e.message.includes('no facility')) {
    return new ValidationError('X-Facility-Code header is required: the FHIR resource has no urn:hem:facility extension', {
      location: 'X-Facility-Code',
    });
  }
  return undefined;
};

/** Whether the body is FHIR (it has a `resourceType`). */
const isFhir = (body: unknown): boolean => typeof body === 'object' && body !== null && !Array.isArray(body) && 'resourceType' in body;

/** Parse the body into PHI-free usage messages (FHIR or canonical). */
const parseBody = (body: unknown, event: APIGatewayProxyEvent, encounterKey: Uint8Array): UsageMessage[] => {
  try {
    if (isFhir(body)) {
      const sourceSystem = optionalHeader(event, 'X-Source-System');
      const facilityCode = optionalHeader(event, 'X-Facility-Code');
      try {
        return parseFhirUsage(body, { encounterKey, sourceSystem, facilityCode });
      } catch (e) {
        throw missingHeaderError(e, { sourceSystem, facilityCode }) ?? e;
      }
    }
    return [parseUsageRecord(body, { encounterKey })];
  } catch (e) {
    // Adapters throw ValidationErrors; a stray ZodError still gets its path named, never its input.
    if (e instanceof ZodError) {
      const location = jsonPath(e.issues[0]?.path ?? []);
      throw new ValidationError(`${location} ${e.issues[0]?.message ?? 'is invalid'}`, { location });
    }
    throw e;
  }
};

/**
 * The idempotency key, bound to the authenticated `clientId`: the `Idempotency-Key` header when
 * given; else the FHIR business identity (type, id, meta.versionId); else every message's
 * sourceSystem + recordId. With the hash of what the request says (the body; for FHIR also the
 * headers that supply the sending system and facility).
 */
const idempotencyKeyOf = (event: APIGatewayProxyEvent, clientId: string, body: unknown, messages: readonly UsageMessage[]): CheckedIdempotencyKey => {
  const fhir = isFhir(body);
  const payloadHash = payloadHashOf(
    fhir ? { body, sourceSystem: optionalHeader(event, 'X-Source-System'), facilityCode: optionalHeader(event, 'X-Facility-Code') } : { body },
  );
  const header = optionalHeader(event, 'Idempotency-Key');
  if (header !== undefined) {
    if (!SANE_IDEMPOTENCY_KEY.test(header)) {
      throw new ValidationError('Idempotency-Key must be 1-128 letters, digits or ._:-', { location: 'Idempotency-Key' });
    }
    return { idempotencyKey: `usage|key|${JSON.stringify([clientId, header])}`, payloadHash, location: 'Idempotency-Key' };
  }
  if (fhir) {
    return { idempotencyKey: `usage|fhir|${JSON.stringify([clientId, ...fhirBusinessIdentity(body)])}`, payloadHash, location: 'meta.versionId' };
  }
  const keys = messages.map((m) => JSON.stringify([m.sourceSystem, m.facilityCode, m.messageControlId])).sort();
  return { idempotencyKey: `usage|${JSON.stringify([clientId, ...keys])}`, payloadHash, location: 'recordId' };
};

/** Builds the handler on the given ports. */
export const makeHandler = (deps: UsageIngestDependencies): LambdaFunction<APIGatewayProxyEvent, APIGatewayProxyResult> => {
  const accept = payloadCheckedOperation<
    { messages: UsageMessage[]; correlationId: string; clientCorrelationId?: string; causationId: string; actor: string },
    RecordUsageResult
  >(deps.idempotencyStore, async (input) => {
    const result = await recordUsage(deps, input);
    count(METRIC.usageEventsProcessed, result.messages);
    return result;
  });

  return withPowertools(async (event, context) => {
    const clientCorrelationId = clientCorrelationIdOf(event);
    const correlationId = useCorrelationId(correlationIdOf(event), clientCorrelationId);
    accept.registerLambdaContext(context);
    try {
      const body = jsonBody(event);
      const messages = parseBody(body, event, await deps.encounterKey.getKey());
      const actor = actorOf(event);
      const result = await accept
        .run(idempotencyKeyOf(event, actor, body, messages), {
          messages,
          correlationId,
          ...(clientCorrelationId === undefined ? {} : { clientCorrelationId }),
          causationId: event.requestContext?.requestId ?? correlationId,
          actor,
        })
        .catch((e: unknown) => {
          throw asHemError(e);
        });
      if (result.correlationId !== correlationId) {
        logger.info('repeated usage request answered from the idempotency store', { originalCorrelationId: result.correlationId });
      }
      return json(202, result, result.correlationId);
    } catch (e) {
      if (!(e instanceof ValidationError) && !(e instanceof IdempotencyKeyReusedError)) return problemFor(e, correlationId);
      count(METRIC.messagesRejected);
      if (e instanceof IdempotencyKeyReusedError) count(METRIC.idempotencyKeyReused);
      try {
        await deps.transactions.record({
          correlationId,
          hop: 'rejected',
          status: 'error',
          at: deps.clock.now().toISOString(),
          detail: { code: e.code, ...(e.location === undefined ? {} : { location: e.location }) },
        });
      } catch (recordingFailure) {
        // Unrecorded rejections must not look final: answer retryable so the partner resends.
        return problemFor(recordingFailure, correlationId);
      }
      return problemFor(e, correlationId);
    }
  });
};

export const handler = makeHandler(awsDependencies(process.env, { instrumentClient: traceAwsClient }));

/**
 * Powertools idempotency as HEM uses it. Every idempotent operation hashes the same payload shape
 * `{ idempotencyKey }` with the same settings, and the key itself names the operation
 * (`hl7|["epic-ehr","EPIC","NMC","MSG00001"]`). Why: Powertools configures a persistence store once, from the first
 * operation that uses it, and keeps the key prefix on the instance. With one shape and one setting
 * for all, handlers that share a store in one process (the local runtime) cannot read each other's
 * configuration or prefixes.
 */
import { createHash } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { ConcurrencyError, IdempotencyKeyReusedError, InfrastructureError } from '../../domain/errors';

/** The payload an idempotent operation is keyed on. */
export interface IdempotencyKey {
  idempotencyKey: string;
}

/** A week: longer than any partner's resend window and the queues' retention. */
export const IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600;

/** A fresh config with HEM's settings (one per handler: it holds the Lambda context). */
export const idempotencyConfig = (): IdempotencyConfig =>
  new IdempotencyConfig({
    eventKeyJmesPath: 'idempotencyKey',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
  });

/** An idempotent operation: `run(key, input)` runs `fn(input)` once per key; repeats get the stored result. */
export interface IdempotentOperation<I, R> {
  run(key: IdempotencyKey, input: I): Promise<R>;
  /** Call at the start of every invocation: the remaining time bounds the in-progress lock. */
  registerLambdaContext(context: Context): void;
}

/** Make `fn` idempotent on the key passed as first argument. `fn`'s result must be JSON. */
export const idempotentOperation = <I, R>(
  persistenceStore: BasePersistenceLayer,
  fn: (input: I) => Promise<R>,
): IdempotentOperation<I, R> => {
  const config = idempotencyConfig();
  // `input: unknown` (not I): Powertools' option type is conditional on the second parameter and
  // cannot resolve for a generic one.
  const wrapped = makeIdempotent(async (_key: IdempotencyKey, input: unknown): Promise<R> => fn(input as I), {
    persistenceStore,
    config,
    dataIndexArgument: 0,
  });
  return {
    run: (key, input) => wrapped(key, input),
    registerLambdaContext: (context) => config.registerLambdaContext(context),
  };
};

/** `value` with every object's keys sorted, so that equal JSON documents serialise alike. */
const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
};

/**
 * SHA-256 (hex) of a request's content: a string as is, anything else as JSON with sorted keys
 * (so key order and whitespace do not make a resend "different"). Only the hash is stored and
 * compared: it carries no PHI and is never logged.
 */
export const payloadHashOf = (payload: unknown): string =>
  createHash('sha256')
    .update(typeof payload === 'string' ? payload : JSON.stringify(canonical(payload)))
    .digest('hex');

/** The key of a payload-checked operation: the business key, the content's hash, and where the key came from. */
export interface CheckedIdempotencyKey extends IdempotencyKey {
  /** `payloadHashOf(content)`: a repeat with another hash is refused. */
  payloadHash: string;
  /** The field that carried the key (`MSH-10`, `Idempotency-Key`…), named in the refusal. */
  location: string;
}

/** What a payload-checked operation stores: the content hash next to the answer. */
interface CheckedResult<R> {
  payloadHash: string;
  result: R;
}

/**
 * An idempotent operation that refuses a reused key with different content: `run` answers an
 * exact repeat with the stored result, and throws `IdempotencyKeyReusedError` (HTTP 422, HL7 AR)
 * when the key was first used for another payload — the second request is never silently dropped.
 *
 * The content hash is stored inside the Powertools record's result rather than through
 * `payloadValidationJmesPath`: Powertools configures a persistence store once for every operation
 * sharing it (see the module comment), so turning validation on there would change the records of
 * every other operation (and fail their pre-existing records, which have no hash).
 */
export interface PayloadCheckedOperation<I, R> {
  run(key: CheckedIdempotencyKey, input: I): Promise<R>;
  /** Call at the start of every invocation: the remaining time bounds the in-progress lock. */
  registerLambdaContext(context: Context): void;
}

/** Make `fn` idempotent on the key, with the payload check of {@link PayloadCheckedOperation}. */
export const payloadCheckedOperation = <I, R>(
  persistenceStore: BasePersistenceLayer,
  fn: (input: I) => Promise<R>,
): PayloadCheckedOperation<I, R> => {
  const inner = idempotentOperation<{ input: I; payloadHash: string }, CheckedResult<R>>(persistenceStore, async ({ input, payloadHash }) => ({
    payloadHash,
    result: await fn(input),
  }));
  return {
    run: async ({ idempotencyKey, payloadHash, location }, input) => {
      const stored = await inner.run({ idempotencyKey }, { input, payloadHash });
      if (stored.payloadHash !== payloadHash) {
        throw new IdempotencyKeyReusedError(`${location} was already used for different content: send a correction under a new ${location}`, {
          location,
        });
      }
      return stored.result;
    },
    registerLambdaContext: (context) => inner.registerLambdaContext(context),
  };
};

/**
 * Powertools idempotency failures in HEM's error language: a concurrent duplicate still in
 * progress is a `ConcurrencyError` (retry shortly); a failing idempotency table is an
 * `InfrastructureError`. Anything else is returned unchanged.
 */
export const asHemError = (e: unknown): unknown => {
  if (!(e instanceof Error)) return e;
  if (e.name === 'IdempotencyAlreadyInProgressError') return new ConcurrencyError('the same request is being processed', { cause: e });
  if (e.name === 'IdempotencyPersistenceLayerError' || e.name === 'IdempotencyInconsistentStateError') {
    return new InfrastructureError('the idempotency store failed', { cause: e });
  }
  return e;
};

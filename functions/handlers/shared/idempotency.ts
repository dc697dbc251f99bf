/**
 * Powertools idempotency as HEM uses it. Every idempotent operation hashes the same payload shape
 * `{ idempotencyKey }` with the same settings, and the key itself names the operation
 * (`hl7|EPIC|MSG00001`). Why: Powertools configures a persistence store once, from the first
 * operation that uses it, and keeps the key prefix on the instance. With one shape and one setting
 * for all, handlers that share a store in one process (the local runtime) cannot read each other's
 * configuration or prefixes.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { ConcurrencyError, InfrastructureError } from '../../domain/errors';

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

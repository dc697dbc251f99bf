/**
 * The one error hierarchy of HEM. Every failure the code raises on purpose is a `HemError`;
 * `functions/handlers/shared/error-mapping.ts` maps them to HTTP problem bodies, HL7 ACK codes
 * and (later) X12 999s in one place. Messages must never contain PHI.
 */

export interface HemErrorOptions {
  cause?: unknown;
  /** Extra PHI-free details for the problem body / ACK ERR segment. */
  details?: Record<string, unknown>;
}

/** Base class: `retryable` tells a consumer whether redelivery can help. */
export abstract class HemError extends Error {
  abstract readonly retryable: boolean;
  /** A stable machine-readable code, e.g. `VALIDATION_FAILED`. */
  abstract readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(message: string, options: HemErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? {};
  }
}

/** Input that is structurally wrong (unparseable message, schema violation). HTTP 400, HL7 AR. */
export class ValidationError extends HemError {
  readonly retryable = false;
  readonly code: string = 'VALIDATION_FAILED';
  /** Where the problem is: an HL7 location (`FT1-10`), a JSON pointer, or an X12 segment position. */
  readonly location?: string;

  constructor(message: string, options: HemErrorOptions & { location?: string } = {}) {
    super(message, options);
    this.location = options.location;
  }
}

/** The message could not be parsed at all (HL7 AR / X12 TA1 territory). */
export class UnparseableMessageError extends ValidationError {
  override readonly code = 'UNPARSEABLE_MESSAGE';
}

/** Parsed, but a field's content is wrong for the business (HL7 AE with ERR naming the field). */
export class DataError extends ValidationError {
  override readonly code = 'DATA_ERROR';
}

/** A crosswalk has no entry for a code: becomes an operator exception, not a rejection. */
export class MappingError extends HemError {
  readonly retryable = false;
  readonly code = 'MAPPING_FAILED';
  constructor(
    message: string,
    readonly reasons: readonly MappingReason[],
    options: HemErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** Why a usage line could not be mapped. */
export type MappingReason =
  | 'UNKNOWN_CHARGE_CODE'
  | 'UNKNOWN_ITEM'
  | 'UNKNOWN_GTIN'
  | 'UNKNOWN_DEPARTMENT'
  | 'UNKNOWN_UOM'
  | 'NO_PAR_SETTING'
  | 'UNKNOWN_COST_CENTER';

export class NotFoundError extends HemError {
  readonly retryable = false;
  readonly code = 'NOT_FOUND';
}

/** A state conflict (e.g. an exception already resolved). HTTP 409. */
export class ConflictError extends HemError {
  readonly retryable = false;
  readonly code = 'CONFLICT';
}

/**
 * An idempotency key (HL7 control id, FHIR resource version, `Idempotency-Key`) the same client
 * already used for OTHER content: refused (HTTP 422, HL7 AR), never answered as a duplicate.
 * Corrections go as a reversal plus a resend under a new key.
 */
export class IdempotencyKeyReusedError extends HemError {
  readonly retryable = false;
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  /** What the key was (`MSH-10`, `Idempotency-Key`, `meta.versionId`): a field name, never its value. */
  readonly location?: string;

  constructor(message: string, options: HemErrorOptions & { location?: string } = {}) {
    super(message, options);
    this.location = options.location;
  }
}

export class AuthenticationError extends HemError {
  readonly retryable = false;
  readonly code = 'UNAUTHENTICATED';
}

export class AuthorizationError extends HemError {
  readonly retryable = false;
  readonly code = 'FORBIDDEN';
}

/** A downstream system (ERP, finance, supplier network) failed in a way a retry may fix. */
export class UpstreamUnavailableError extends HemError {
  readonly retryable = true;
  readonly code = 'UPSTREAM_UNAVAILABLE';
}

/** A downstream system refused the request for good (4xx other than 408/429). */
export class UpstreamRejectedError extends HemError {
  readonly retryable = false;
  readonly code = 'UPSTREAM_REJECTED';
}

/** Concurrent writers collided (transaction conflict, audit chain head moved): retry. */
export class ConcurrencyError extends HemError {
  readonly retryable = true;
  readonly code = 'CONCURRENCY_CONFLICT';
}

/** Our own infrastructure failed (a table, the bus): retry, then DLQ. */
export class InfrastructureError extends HemError {
  readonly retryable = true;
  readonly code = 'INFRASTRUCTURE_FAILURE';
}

/** Narrow an unknown catch value to an Error without losing it. */
export const assertIsError: (e: unknown) => asserts e is Error = (e) => {
  if (!(e instanceof Error)) {
    throw new InfrastructureError('non-Error value thrown', { cause: e });
  }
};

export const isRetryable = (e: unknown): boolean => (e instanceof HemError ? e.retryable : true);

/** Use cases: the operator's view of usage exceptions, and reprocessing one after a crosswalk fix. */
import { ConflictError, NotFoundError } from '../errors';
import { supplyUsageRecorded, usageMessageBusinessKey } from '../events';
import type { Dependencies, UsageException } from '../ports';

/** Default page size of the exception list. */
export const DEFAULT_EXCEPTION_LIMIT = 100;

/** Exceptions in one status, newest first as the repository returns them. */
export const listExceptions = async (
  deps: Pick<Dependencies, 'exceptions'>,
  status: UsageException['status'],
  limit: number = DEFAULT_EXCEPTION_LIMIT,
): Promise<UsageException[]> => deps.exceptions.list(status, limit);

/** One exception; `NotFoundError` when unknown. */
export const getException = async (deps: Pick<Dependencies, 'exceptions'>, exceptionId: string): Promise<UsageException> => {
  const exception = await deps.exceptions.get(exceptionId);
  if (exception === undefined) throw new NotFoundError(`no exception ${exceptionId}`);
  return exception;
};

export interface ReprocessResult {
  exceptionId: string;
  correlationId: string;
}

/**
 * Re-run the workflow for the exception's line: publishes a `SupplyUsageRecorded` holding only that
 * line (same sourceSystem, facilityCode, messageControlId and lineNumber, so the same business key and the
 * exactly-once guard still hold) under the original correlationId. The map step resolves the
 * exception when the line maps now. A RESOLVED exception cannot be reprocessed (`ConflictError`).
 */
export const reprocessException = async (
  deps: Pick<Dependencies, 'exceptions' | 'events' | 'transactions' | 'audit' | 'clock'>,
  exceptionId: string,
  actor: string,
): Promise<ReprocessResult> => {
  const exception = await getException(deps, exceptionId);
  if (exception.status === 'RESOLVED') throw new ConflictError(`exception ${exceptionId} is already resolved`);
  const line = exception.usage.lines.find((l) => l.lineNumber === exception.lineNumber);
  if (line === undefined) throw new ConflictError(`exception ${exceptionId} no longer holds line ${exception.lineNumber}`);
  const at = deps.clock.now().toISOString();
  const { correlationId } = exception;
  await deps.transactions.record({
    correlationId,
    hop: 'reprocessed',
    status: 'ok',
    at,
    detail: { exceptionId, messageKey: usageMessageBusinessKey(exception.usage), lineNumber: exception.lineNumber },
  });
  await deps.audit.append({
    actor,
    action: 'exception.reprocessed',
    entity: `exception:${exceptionId}`,
    correlationId,
    payload: { exceptionId, businessKey: exception.businessKey },
  });
  await deps.events.publish([
    supplyUsageRecorded(
      // Each reprocess is a new request: its own idempotency key, so consumers do not drop it.
      { correlationId, causationId: exceptionId, businessKey: `${exception.businessKey}#reprocess@${at}`, occurredAt: at },
      { ...exception.usage, lines: [line] },
    ),
  ]);
  return { exceptionId, correlationId };
};

/**
 * Small retry helpers shared by the AWS adapters. The SDK retries transport failures itself; these
 * cover what the SDK reports as a success but is not (PutEvents `FailedEntryCount`, BatchWriteItem
 * `UnprocessedItems`) and application-level collisions (the audit chain head moving).
 */

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * "Full jitter" exponential backoff: a random delay in [0, min(cap, base × 2^attempt)], so that
 * writers that collided once do not collide again in lock step.
 *
 * @param attempt - 0 for the first retry.
 */
export const jitteredDelay = (attempt: number, baseMs: number, capMs: number): number =>
  Math.floor(Math.random() * Math.min(capMs, baseMs * 2 ** attempt));

/**
 * Brute-force protection for the local `POST /oauth2/token`, as Cognito's own endpoint has: a
 * request rate per caller address (token bucket) and a lockout of a client id, and of the address,
 * after repeated failed client authentications. Without it a caller could try hundreds of secrets a
 * second. State is in memory: a restart forgets it, which for a single-machine stand-in is fine.
 */

/** Limits; the defaults are what `npm start` uses. */
export interface TokenEndpointLimits {
  /** Token requests per second per caller address, sustained (default 10). */
  requestsPerSecond: number;
  /** Burst above the sustained rate (default 20). */
  burst: number;
  /** Failed client authentications that lock a client id or an address (default 5)… */
  maxFailures: number;
  /** …within this window (default 60 s)… */
  failureWindowMs: number;
  /** …for this long (default 5 minutes). */
  lockoutMs: number;
}

export const DEFAULT_TOKEN_ENDPOINT_LIMITS: TokenEndpointLimits = {
  requestsPerSecond: 10,
  burst: 20,
  maxFailures: 5,
  failureWindowMs: 60_000,
  lockoutMs: 5 * 60_000,
};

/** Whether a token request may proceed; when not, how long the caller should wait. */
export type GuardVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number; reason: 'rate' | 'locked' };

interface Bucket {
  tokens: number;
  refilledAt: number;
}

interface Failures {
  times: number[];
  lockedUntil: number;
}

/** Bounds the memory an attacker can make the guard use (distinct addresses and client ids). */
const MAX_TRACKED = 10_000;

export class TokenEndpointGuard {
  readonly #limits: TokenEndpointLimits;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #failures = new Map<string, Failures>();

  constructor(limits: Partial<TokenEndpointLimits> = {}, now: () => number = Date.now) {
    this.#limits = { ...DEFAULT_TOKEN_ENDPOINT_LIMITS, ...limits };
    this.#now = now;
  }

  /** Called before the request is looked at: rate per address, then a lockout of the address or the client id. */
  admit(address: string, clientId: string | undefined): GuardVerdict {
    const now = this.#now();
    const locked = Math.max(this.#lockedUntil(`addr:${address}`, now), clientId === undefined ? 0 : this.#lockedUntil(`client:${clientId}`, now));
    if (locked > now) return { allowed: false, retryAfterSeconds: Math.ceil((locked - now) / 1000), reason: 'locked' };

    const { requestsPerSecond, burst } = this.#limits;
    const bucket = this.#buckets.get(address) ?? { tokens: burst, refilledAt: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.refilledAt) / 1000) * requestsPerSecond);
    bucket.refilledAt = now;
    remember(this.#buckets, address, bucket);
    if (bucket.tokens < 1) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / requestsPerSecond)), reason: 'rate' };
    }
    bucket.tokens -= 1;
    return { allowed: true };
  }

  /** A failed client authentication: counts against both the address and the client id tried. */
  recordFailure(address: string, clientId: string | undefined): void {
    const now = this.#now();
    this.#fail(`addr:${address}`, now);
    if (clientId !== undefined) this.#fail(`client:${clientId}`, now);
  }

  /** A successful authentication clears the client id's failures (not the address's). */
  recordSuccess(clientId: string): void {
    this.#failures.delete(`client:${clientId}`);
  }

  #lockedUntil(key: string, now: number): number {
    const entry = this.#failures.get(key);
    if (entry === undefined) return 0;
    if (entry.lockedUntil <= now && entry.times.every((t) => now - t > this.#limits.failureWindowMs)) {
      this.#failures.delete(key);
      return 0;
    }
    return entry.lockedUntil;
  }

  #fail(key: string, now: number): void {
    const entry = this.#failures.get(key) ?? { times: [], lockedUntil: 0 };
    entry.times = [...entry.times.filter((t) => now - t <= this.#limits.failureWindowMs), now];
    if (entry.times.length >= this.#limits.maxFailures) {
      entry.lockedUntil = now + this.#limits.lockoutMs;
      entry.times = [];
    }
    remember(this.#failures, key, entry);
  }
}

/** Sets a key, dropping the oldest entries past {@link MAX_TRACKED}. */
const remember = <V>(map: Map<string, V>, key: string, value: V): void => {
  map.delete(key);
  map.set(key, value);
  while (map.size > MAX_TRACKED) {
    const oldest = map.keys().next();
    if (oldest.done === true) break;
    map.delete(oldest.value);
  }
};

/**
 * A small in-process cache of looked-up values with a time to live, for the Reference table's
 * read-mostly adapters (reference data, procurement configuration). Only hits are cached (a value of
 * `undefined` is never remembered), so something just added is found on the next lookup. Values go in
 * and come out as copies: a caller mutating its result cannot change what the next caller sees.
 */

export interface TtlCacheOptions {
  /** How long a value is reused. 0 (or less) disables the cache. */
  ttlMs: number;
  /** Entries kept before the cache is emptied (bounds memory). @default unbounded */
  maxEntries?: number;
  /** Time source. @default Date.now */
  now?: () => number;
}

/** Values by key, each reused until its time to live has passed. */
export class TtlCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { value: unknown; expiresAt: number }>();

  constructor(options: TtlCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
    this.#now = options.now ?? Date.now;
  }

  /** A copy of the value cached under `key`, or undefined when there is none or it has expired. */
  get<T>(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return structuredClone(entry.value) as T;
  }

  /** Remembers a copy of `value` under `key` (nothing when the cache is disabled or `value` is undefined). */
  set(key: string, value: unknown): void {
    if (this.#ttlMs <= 0 || value === undefined) return;
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(key, { value: structuredClone(value), expiresAt: this.#now() + this.#ttlMs });
  }

  /** The cached value under `key`, else what `load` finds (remembered when it is not undefined). */
  async getOrLoad<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const cached = this.get<T>(key);
    if (cached !== undefined) return cached;
    const value = await load();
    this.set(key, value);
    return value;
  }

  /** Forgets every value. */
  clear(): void {
    this.#entries.clear();
  }
}

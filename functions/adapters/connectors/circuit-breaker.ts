/**
 * A circuit breaker for a connector's outside system (the ERP, the supplier network, the finance ledger).
 *
 * Why: when a system is down, every queued record would otherwise spend its HTTP timeout and retries
 * on it, holding the Lambda (and the queue's visibility) and hammering a system that is trying to
 * recover. The breaker notices consecutive failures and fails the next records fast instead.
 *
 * States:
 * - CLOSED: calls go through. A retryable failure (UpstreamUnavailableError, a timeout, a network
 *   error, anything unexpected) counts one; `failureThreshold` CONSECUTIVE ones open the breaker. Any success resets the
 *   count. A rejection (UpstreamRejectedError, a 4xx) does not count: the system answered.
 * - OPEN for `coolDownMs`: every call fails fast with a retryable UpstreamUnavailableError without
 *   calling the system, so the SQS record returns to the queue and is retried after its visibility
 *   timeout (and reaches the DLQ after maxReceiveCount, as any retryable failure does).
 * - HALF_OPEN after the cool-down: exactly one call (the probe) goes through; the others fail fast
 *   while it runs. The probe's success closes the breaker; its failure opens it for another cool-down.
 *
 * State lives in the instance; the connector handlers keep one instance per module, i.e. per Lambda
 * execution environment (container). Containers do not share it: each learns on its own, which
 * bounds the damage without a shared store on the hot path. A cold start begins CLOSED.
 */
import { HemError, UpstreamUnavailableError } from '../../domain/errors';
import type { FinanceLedger } from '../../domain/ports';
import type { ErpGateway, SupplierNetwork } from '../../domain/procurement-ports';

export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export interface CircuitBreakerOptions {
  /** Shown in errors and logs, e.g. `erp`. */
  name: string;
  /** Consecutive retryable failures that open the breaker. @default 5 */
  failureThreshold?: number;
  /** How long it stays open before a probe may go through. @default 30000 */
  coolDownMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** The breaker's view, for logs and tests. */
export interface CircuitSnapshot {
  state: CircuitState;
  consecutiveFailures: number;
  /** When an OPEN breaker lets a probe through (epoch ms). */
  openUntil?: number;
}

/**
 * Does this failure say the system is unwell? A non-retryable HemError (UpstreamRejectedError, a
 * ValidationError of the request) means it answered, or was never asked: not a failure of the system.
 */
const countsAsFailure = (error: unknown): boolean => !(error instanceof HemError && !error.retryable);

/** See the module comment. */
export class CircuitBreaker {
  readonly name: string;
  readonly #threshold: number;
  readonly #coolDownMs: number;
  readonly #now: () => number;
  #state: CircuitState = 'CLOSED';
  #failures = 0;
  #openUntil = 0;
  #probeInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    this.name = options.name;
    this.#threshold = Math.max(1, options.failureThreshold ?? 5);
    this.#coolDownMs = Math.max(0, options.coolDownMs ?? 30_000);
    this.#now = options.now ?? Date.now;
  }

  /** The current state (an OPEN breaker past its cool-down reads HALF_OPEN). */
  snapshot(): CircuitSnapshot {
    const state = this.#state === 'OPEN' && this.#now() >= this.#openUntil ? 'HALF_OPEN' : this.#state;
    return { state, consecutiveFailures: this.#failures, ...(this.#state === 'OPEN' ? { openUntil: this.#openUntil } : {}) };
  }

  /**
   * Runs `call` unless the breaker is open (or half-open with its probe in flight).
   *
   * @throws UpstreamUnavailableError (retryable, `details.circuit = 'OPEN'`) when failing fast; otherwise what `call` throws.
   */
  async execute<T>(call: () => Promise<T>): Promise<T> {
    const isProbe = this.#admit();
    try {
      const result = await call();
      this.#state = 'CLOSED';
      this.#failures = 0;
      return result;
    } catch (error) {
      if (countsAsFailure(error)) {
        this.#failures += 1;
        if (isProbe || this.#failures >= this.#threshold) this.#open();
      } else if (isProbe) {
        // The system answered (with a refusal): it is up again.
        this.#state = 'CLOSED';
        this.#failures = 0;
      }
      throw error;
    } finally {
      if (isProbe) this.#probeInFlight = false;
    }
  }

  /** Resets to CLOSED (tests; an operator-forced retry). */
  reset(): void {
    this.#state = 'CLOSED';
    this.#failures = 0;
    this.#openUntil = 0;
    this.#probeInFlight = false;
  }

  /** Lets a call through or fails fast; returns whether the call is the half-open probe. */
  #admit(): boolean {
    if (this.#state === 'CLOSED') return false;
    if (this.#state === 'OPEN' && this.#now() >= this.#openUntil) this.#state = 'HALF_OPEN';
    if (this.#state === 'HALF_OPEN' && !this.#probeInFlight) {
      this.#probeInFlight = true;
      return true;
    }
    throw new UpstreamUnavailableError(`${this.name} circuit is open: not calling it until it recovers`, {
      details: { circuit: this.#state === 'HALF_OPEN' ? 'HALF_OPEN' : 'OPEN', system: this.name, retryAfterMs: Math.max(0, this.#openUntil - this.#now()) },
    });
  }

  #open(): void {
    this.#state = 'OPEN';
    this.#openUntil = this.#now() + this.#coolDownMs;
  }
}

/** The ERP gateway behind a breaker: every call goes through `breaker.execute`. */
export const guardErpGateway = (erp: ErpGateway, breaker: CircuitBreaker): ErpGateway => ({
  createPurchaseOrder: (po, key) => breaker.execute(() => erp.createPurchaseOrder(po, key)),
  createReceipt: (receipt, key) => breaker.execute(() => erp.createReceipt(receipt, key)),
  createPayablesInvoice: (invoice, amount, key) => breaker.execute(() => erp.createPayablesInvoice(invoice, amount, key)),
});

/** The supplier network behind a breaker. */
export const guardSupplierNetwork = (network: SupplierNetwork, breaker: CircuitBreaker): SupplierNetwork => ({
  send: (supplier, interchange, key) => breaker.execute(() => network.send(supplier, interchange, key)),
});

/** The finance ledger behind a breaker: GL journal lines and AP vouchers share it (one system). */
export const guardFinanceLedger = (finance: FinanceLedger, breaker: CircuitBreaker): FinanceLedger => ({
  postJournalLine: (line) => breaker.execute(() => finance.postJournalLine(line)),
  postApVoucher: (voucher) => breaker.execute(() => finance.postApVoucher(voucher)),
});

/**
 * `SupplierNetwork` over a GHX-style supplier network's HTTP endpoint (the local simulator,
 * local/simulators/supplier-network.ts, speaks the same):
 *
 * ```
 * POST {baseUrl}/edi/inbound
 * Content-Type: application/edi-x12
 * Idempotency-Key: <key>                 (the network may deduplicate on it; the 850's control numbers are the X12 guard)
 * body: the 850 interchange
 * → 200 999/997 interchange              the functional acknowledgment, returned to the caller
 * → 400 TA1 interchange / text           the envelope (or the payload) was refused → UpstreamRejectedError
 * → 408 / 429 / 5xx / timeout / network  retried with jittered backoff → UpstreamUnavailableError
 * ```
 *
 * A 200 whose functional acknowledgment rejects a group or a transaction set (AK9/IK5/AK5 `R`) is an
 * `UpstreamRejectedError` too: the supplier will never act on that 850. Resending after a timeout is
 * safe: the interchange keeps its control numbers, and the network answers a duplicate with the same
 * acknowledgment without playing the order twice.
 */
import type { Supplier } from '../../../contracts/procurement';
import { UpstreamRejectedError } from '../../domain/errors';
import type { SupplierNetwork } from '../../domain/procurement-ports';
import { parseX12, readFunctionalAck } from '../x12';
import { requestWithRetries, type HttpRetryOptions } from './http-retry';

export interface HttpSupplierNetworkOptions extends HttpRetryOptions {
  /** The network's base URL, e.g. the simulator's `http://127.0.0.1:4023`. */
  baseUrl: string;
}

/** What a functional acknowledgment or TA1 says, in a few PHI-free facts. */
export interface AckVerdict {
  accepted: boolean;
  /** 999, 997 or TA1 (undefined when the text is not X12). */
  type?: string;
  /** AK9/IK5/AK5 codes (999/997) or the TA1 note code. */
  codes: string[];
}

/**
 * Reads a 999/997/TA1 answer: accepted when it holds at least one functional acknowledgment and none
 * of its groups or sets says `R` (rejected) or `M`/`W`/`X` (rejected for security or a broken
 * envelope); a TA1 with TA104 `R` rejects the whole interchange.
 */
export const verdictOf = (ackText: string): AckVerdict => {
  const parsed = parseX12(ackText);
  const codes: string[] = [];
  let functionalAcks = 0;
  let rejected = false;
  let type: string | undefined;
  for (const interchange of parsed.interchanges) {
    for (const group of interchange.groups) {
      for (const set of group.sets) {
        const summary = readFunctionalAck(set, interchange.delimiters).documents[0];
        if (summary === undefined) continue;
        functionalAcks += 1;
        type = summary.type;
        codes.push(summary.groupStatus, ...summary.sets.map((s) => s.status));
        if (['R', 'M', 'W', 'X'].includes(summary.groupStatus) || summary.sets.some((s) => s.status === 'R' || s.status === 'M' || s.status === 'W' || s.status === 'X')) {
          rejected = true;
        }
      }
    }
    // A TA1 sits outside any group, between the ISA and the IEA: read it from the raw segments.
    const { element, segment } = interchange.delimiters;
    for (const raw of ackText.split(segment)) {
      const elements = raw.trim().split(element);
      if (elements[0] !== 'TA1') continue;
      type ??= 'TA1';
      codes.push(...[elements[4], elements[5]].filter((e): e is string => e !== undefined && e !== ''));
      if (elements[4] === 'R') rejected = true;
    }
  }
  return { accepted: !rejected && functionalAcks > 0, ...(type === undefined ? {} : { type }), codes: codes.filter((c) => c !== '') };
};

/** Delivers 850s to the supplier network over HTTP. */
export class HttpSupplierNetwork implements SupplierNetwork {
  readonly #url: string;
  readonly #retry: HttpRetryOptions;

  constructor(options: HttpSupplierNetworkOptions) {
    const { baseUrl, ...retry } = options;
    this.#url = `${baseUrl.replace(/\/+$/, '')}/edi/inbound`;
    this.#retry = retry;
  }

  async send(supplier: Supplier, interchange: string, idempotencyKey: string): Promise<{ functionalAck?: string }> {
    const answer = await requestWithRetries(
      this.#url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/edi-x12', accept: 'application/edi-x12, text/plain', 'idempotency-key': idempotencyKey },
        body: interchange,
      },
      'supplier network',
      this.#retry,
    );
    const details = { supplierId: supplier.supplierId, status: answer.status };
    if (answer.status < 200 || answer.status >= 300) {
      const verdict = verdictOf(answer.text);
      // The body of a refusal is X12 (a TA1) or the network's short text: only codes go into the error.
      throw new UpstreamRejectedError(`supplier network refused the interchange for ${supplier.supplierId} (HTTP ${answer.status})`, {
        details: { ...details, ...(verdict.type === undefined ? {} : { ackType: verdict.type }), codes: verdict.codes },
      });
    }
    if (answer.text.trim() === '') return {};
    const verdict = verdictOf(answer.text);
    if (!verdict.accepted) {
      throw new UpstreamRejectedError(`supplier network rejected the interchange for ${supplier.supplierId} (${verdict.type ?? 'no functional ack'})`, {
        details: { ...details, ...(verdict.type === undefined ? {} : { ackType: verdict.type }), codes: verdict.codes },
      });
    }
    return { functionalAck: answer.text };
  }
}

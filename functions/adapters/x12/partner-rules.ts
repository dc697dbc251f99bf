/**
 * Partner trust rules of inbound X12 that go beyond syntax (pure code, no I/O):
 *
 * - Bounded work: a request carries at most {@link MAX_X12_TRANSACTION_SETS} transaction sets and
 *   {@link MAX_X12_PAYLOAD_BYTES} bytes. An interchange that brings the request's set count over the
 *   cap is TA1-rejected (TA105 024) as a whole, and so is every interchange after it.
 * - Every 855/856/810 names a purchase order of the sending supplier in its PO reference element
 *   (855 BAK03, 856 PRF01, 810 BIG04). A PO of another supplier and a PO that does not exist get the
 *   very same finding (IK3/IK4 on that element, IK403 7 with a copy of the value), so the answer
 *   never tells a supplier whether someone else's PO exists.
 * - GS02 (application sender) equals the interchange sender ISA06; otherwise every set of the group
 *   is rejected (IK5/AK5 R, AK9 R).
 */
import { ElementError } from './codes';
import { setSpec } from './dictionary';
import { textAt } from './parser';
import type { X12Delimiters, X12Finding, X12Interchange, X12ParseResult, X12TransactionSet } from './types';
import { elementFinding, loopIdsOf, safeCopy } from './validate';

/**
 * The most transaction sets HEM processes in one `POST /v1/edi/x12` request, all interchanges of
 * the payload together. Keeps a request well inside the API's 29-second timeout (about 30 ms of
 * applying per set). Interchanges beyond it are TA1-rejected (TA105 024, invalid interchange
 * content): the supplier splits the payload and sends the rest again.
 */
export const MAX_X12_TRANSACTION_SETS = 100;

/**
 * The largest X12 request body HEM reads, in bytes (UTF-8), so the largest interchange too. A
 * larger body is refused with 400 problem+json naming the cap before anything is parsed.
 */
export const MAX_X12_PAYLOAD_BYTES = 1_048_576;

/**
 * Indexes (1-based, `X12Interchange.index`) of the interchanges of a payload that stay within
 * {@link MAX_X12_TRANSACTION_SETS}, counting every set of every interchange in payload order: once
 * the running count passes the cap, that interchange and every later one are out.
 */
export const interchangesWithinSetLimit = (parse: X12ParseResult): Set<number> => {
  const within = new Set<number>();
  let total = 0;
  for (const interchange of parse.interchanges) {
    total += setCount(interchange);
    if (total > MAX_X12_TRANSACTION_SETS) break;
    within.add(interchange.index);
  }
  return within;
};

/** How many transaction sets an interchange holds. */
export const setCount = (interchange: X12Interchange): number => interchange.groups.reduce((n, g) => n + g.sets.length, 0);

/** The element that names the purchase order in each supplier document set. */
export const PURCHASE_ORDER_REFERENCE: Readonly<Record<string, { segmentId: string; element: number }>> = {
  '855': { segmentId: 'BAK', element: 3 },
  '856': { segmentId: 'PRF', element: 1 },
  '810': { segmentId: 'BIG', element: 4 },
};

/** Data element 324, Purchase Order Number. */
const PO_NUMBER_ELEMENT = 324;

/**
 * The distinct purchase order numbers the 855/856/810 sets of the payload name, read only from the
 * interchanges within {@link MAX_X12_TRANSACTION_SETS}: what a caller looks up before
 * `acknowledge` decides (a bounded number of look-ups per request).
 */
export const purchaseOrderReferences = (parse: X12ParseResult): string[] => {
  const within = interchangesWithinSetLimit(parse);
  const numbers = new Set<string>();
  for (const interchange of parse.interchanges) {
    if (!within.has(interchange.index)) continue;
    for (const group of interchange.groups) {
      for (const set of group.sets) {
        const reference = PURCHASE_ORDER_REFERENCE[set.id];
        if (reference === undefined) continue;
        for (const segment of set.segments) {
          if (segment.id !== reference.segmentId) continue;
          const value = textAt(segment, reference.element);
          if (value !== undefined && value !== '') numbers.add(value);
        }
      }
    }
  }
  return [...numbers];
};

/**
 * Findings for the documents of a set that do not name a purchase order of the sending supplier:
 * one element error on the PO reference (IK403 7, invalid code value, with the value copied; IK403
 * 1 when an 810 names no PO at all). Empty when every document names one of the supplier's POs.
 *
 * @param owns whether a PO number is the sending supplier's (false for one that does not exist)
 */
export const purchaseOrderFindings = (
  set: X12TransactionSet,
  documents: readonly { poNumber?: string | undefined }[],
  owns: (poNumber: string) => boolean,
  delimiters: X12Delimiters,
): X12Finding[] => {
  const reference = PURCHASE_ORDER_REFERENCE[set.id];
  if (reference === undefined) return [];
  const name = `${reference.segmentId}${String(reference.element).padStart(2, '0')}`;
  const spec = setSpec(set.id);
  let loops: (string | undefined)[] | undefined;
  const loopOf = (position: number | undefined): string | undefined => {
    if (spec === undefined || position === undefined) return undefined;
    loops ??= loopIdsOf(set, spec);
    return loops[position - 1];
  };
  const findings: X12Finding[] = [];
  const reported = new Set<string>();
  for (const { poNumber } of documents) {
    if (poNumber !== undefined && poNumber !== '' && owns(poNumber)) continue;
    const key = poNumber ?? '';
    if (reported.has(key)) continue;
    reported.add(key);
    const segment = set.segments.find((s) => s.id === reference.segmentId && (poNumber === undefined || textAt(s, reference.element) === poNumber));
    if (segment === undefined) continue;
    findings.push(
      poNumber === undefined || poNumber === ''
        ? elementFinding(segment, loopOf(segment.positionInSet), reference.element, PO_NUMBER_ELEMENT, ElementError.MandatoryMissing, `${name} must name a purchase order of the sending supplier`)
        : elementFinding(
            segment,
            loopOf(segment.positionInSet),
            reference.element,
            PO_NUMBER_ELEMENT,
            ElementError.InvalidCode,
            `${name} does not name a purchase order of the sending supplier`,
            safeCopy(poNumber, delimiters, 22),
          ),
    );
  }
  return findings;
};

/** Why the sets of a group whose GS02 is not the interchange sender ISA06 are rejected (undefined when it is). */
export const groupSenderMismatch = (gs02: string, isa06: string): string | undefined =>
  gs02.trim() === isa06.trim() ? undefined : 'GS02 (application sender) does not match the interchange sender ISA06: set not processed';

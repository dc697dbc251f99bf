/**
 * The status of a business transaction, computed from what happened to each usage line (issue #9
 * item 3: a message with 1 of 4 lines applied is not "ok").
 *
 * A usage transaction holds one or more usage messages (a `received` hop each, with its line count).
 * Every line of every message settles one way:
 * - applied: an `applied` hop, or a `duplicate` hop (the line had already been applied: exactly once);
 * - excepted: an `exception` hop (a usage exception was raised for an operator);
 * - dead-lettered: a `dead-lettered` hop naming the line, or naming only the message (the whole
 *   message went to a dead-letter queue: every line not applied yet is dead-lettered with it).
 * A line with no such hop, or whose exception was reprocessed (`reprocessed`) or whose message was
 * redriven (a later hop of the same message) and has not settled again, is pending. An applied line
 * stays applied: the inventory guard applies a line exactly once, whatever is replayed afterwards.
 *
 * Status:
 * - `failed`: the message itself is dead-lettered, or every line settled and none was applied, or
 *   the message was rejected at ingest (nothing was received);
 * - `in-progress`: some lines have not settled (or no line of the message is known yet);
 * - `completed`: every line applied;
 * - `partial`: every line settled, some applied, some excepted or dead-lettered;
 * - `untracked`: the transaction carries no usage message (procure-to-pay transactions started by
 *   the requisition API): its status is not computed from usage lines; read its hops.
 *
 * Pure: no I/O.
 */
import type { TransactionHop } from './ports';

export type TransactionStatus = 'in-progress' | 'completed' | 'partial' | 'failed' | 'untracked';

export interface TransactionLineCounts {
  /** Lines of every usage message received under the correlation id. */
  expected: number;
  applied: number;
  excepted: number;
  deadLettered: number;
  /** expected − applied − excepted − deadLettered. */
  pending: number;
}

export interface TransactionSummary {
  status: TransactionStatus;
  lines: TransactionLineCounts;
}

type LineState = 'pending' | 'applied' | 'excepted' | 'dead-lettered';

interface MessageState {
  /** The `received` hop's line count; undefined on a hop that did not record it. */
  lines: number | undefined;
  deadLettered: boolean;
  lineStates: Map<number, LineState>;
}

/** The key of one usage message in hop details: `sourceSystem|facilityCode|messageControlId`. */
export const usageMessageKeyOf = (detail: Readonly<Record<string, unknown>> | undefined): string | undefined => {
  if (detail === undefined) return undefined;
  if (typeof detail.messageKey === 'string') return detail.messageKey;
  const { sourceSystem, facilityCode, messageControlId } = detail;
  if (typeof sourceSystem === 'string' && typeof facilityCode === 'string' && typeof messageControlId === 'string') {
    return `${sourceSystem}|${facilityCode}|${messageControlId}`;
  }
  return undefined;
};

const lineNumberOf = (hop: TransactionHop): number | undefined => {
  const n = hop.detail?.lineNumber;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
};

/** The hops that change what happened to a line, and what they change it to. */
const LINE_TRANSITIONS: Partial<Record<TransactionHop['hop'], LineState>> = {
  mapped: 'pending',
  reprocessed: 'pending',
  exception: 'excepted',
  applied: 'applied',
  duplicate: 'applied',
  'dead-lettered': 'dead-lettered',
};

/** Status and line counts of one transaction from its hops (oldest first). */
export const summariseTransaction = (hops: readonly TransactionHop[]): TransactionSummary => {
  const messages = new Map<string, MessageState>();
  for (const hop of hops) {
    if (hop.hop !== 'received') continue;
    const key = usageMessageKeyOf(hop.detail) ?? `#${messages.size}`;
    const lines = hop.detail?.lines;
    // The same message received twice under one id (a replayed request) is still one message.
    if (!messages.has(key)) {
      messages.set(key, { lines: typeof lines === 'number' && lines >= 0 ? lines : undefined, deadLettered: false, lineStates: new Map() });
    }
  }

  if (messages.size === 0) {
    const rejected = hops.some((h) => h.hop === 'rejected');
    return { status: rejected ? 'failed' : 'untracked', lines: { expected: 0, applied: 0, excepted: 0, deadLettered: 0, pending: 0 } };
  }

  const only = messages.size === 1 ? [...messages.values()][0] : undefined;
  for (const hop of hops) {
    const next = LINE_TRANSITIONS[hop.hop];
    if (next === undefined) continue;
    const key = usageMessageKeyOf(hop.detail);
    // Hops recorded before they named their message belong to the only message, if there is one.
    const message = key === undefined ? only : messages.get(key);
    if (message === undefined) continue;
    const lineNumber = lineNumberOf(hop);
    if (lineNumber === undefined) {
      if (hop.hop === 'dead-lettered') {
        // Lines not seen yet count as dead-lettered with it (see the totals below).
        message.deadLettered = true;
        for (const [n, state] of message.lineStates) if (state !== 'applied') message.lineStates.set(n, 'dead-lettered');
      }
      continue;
    }
    // Any line hop after the message was dead-lettered means it was redriven and runs again.
    message.deadLettered = false;
    if (message.lineStates.get(lineNumber) === 'applied') continue;
    message.lineStates.set(lineNumber, next);
  }

  const lines: TransactionLineCounts = { expected: 0, applied: 0, excepted: 0, deadLettered: 0, pending: 0 };
  let messageDeadLettered = false;
  for (const message of messages.values()) {
    // Without a recorded line count, the lines seen so far are all that is known.
    const expected = message.lines ?? message.lineStates.size;
    lines.expected += expected;
    messageDeadLettered ||= message.deadLettered;
    // Line numbers are the source's (FT1-1 set ids need not run 1..n): count at most `lines` of them.
    let applied = 0;
    let excepted = 0;
    let deadLettered = 0;
    for (const state of message.lineStates.values()) {
      if (applied + excepted + deadLettered >= expected) break;
      if (state === 'applied') applied += 1;
      else if (state === 'excepted') excepted += 1;
      else if (state === 'dead-lettered') deadLettered += 1;
    }
    if (message.deadLettered) deadLettered = expected - applied - excepted;
    lines.applied += applied;
    lines.excepted += excepted;
    lines.deadLettered += deadLettered;
  }
  lines.pending = lines.expected - lines.applied - lines.excepted - lines.deadLettered;

  // Nothing known to settle is not "completed": a message with no known line is still in progress.
  const status: TransactionStatus = messageDeadLettered
    ? 'failed'
    : lines.pending > 0 || lines.expected === 0
      ? 'in-progress'
      : lines.applied === lines.expected
        ? 'completed'
        : lines.applied === 0
          ? 'failed'
          : 'partial';
  return { status, lines };
};

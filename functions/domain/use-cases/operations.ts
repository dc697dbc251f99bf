/**
 * Use cases: the operator commands of DESIGN.md §8 that act on the whole system rather than on one
 * message — replaying a window of the bus archive, and recomputing the audit hash chain.
 */
import { GENESIS_HASH, verifyChain, type ChainVerification } from '../audit-chain';
import { ValidationError } from '../errors';
import type { AuditRecord, Dependencies, ReplayStarted } from '../ports';

/** Records read per `AuditLog.list` call while verifying. */
export const AUDIT_VERIFY_PAGE_SIZE = 500;

/**
 * Recomputes the whole audit chain, page by page, each page anchored on the last record of the
 * previous one. Stops at the first broken record. A chain with no records verifies (count 0,
 * head = the genesis hash).
 *
 * @param pageSize - records per read (tests use small pages to cross page boundaries)
 */
export const verifyAuditChain = async (
  deps: Pick<Dependencies, 'audit'>,
  pageSize: number = AUDIT_VERIFY_PAGE_SIZE,
): Promise<ChainVerification> => {
  let anchor: AuditRecord | undefined;
  let count = 0;
  for (;;) {
    const page = await deps.audit.list(anchor === undefined ? 1 : anchor.seq + 1, pageSize);
    if (page.length === 0) break;
    const verdict = verifyChain(page, anchor);
    if (!verdict.ok) return verdict;
    count += page.length;
    anchor = page.at(-1);
    if (page.length < pageSize) break;
  }
  return { ok: true, count, headHash: anchor?.hash ?? GENESIS_HASH };
};

/** What an operator asks to replay. */
export interface ReplayWindow {
  /** ISO 8601, inclusive. */
  from: string;
  /** ISO 8601, exclusive. */
  to: string;
  ruleNames?: readonly string[];
}

/**
 * Starts a replay of the archive over `window`, named `hem-<UTC timestamp>-<suffix>` (replay names
 * must be unique per archive; the suffix keeps two replays started in the same second apart).
 *
 * @throws ValidationError when the window is empty or reversed
 */
export const startReplay = async (
  deps: Pick<Dependencies, 'eventReplayer' | 'clock'>,
  window: ReplayWindow,
  suffix: string,
): Promise<ReplayStarted> => {
  if (!(Date.parse(window.from) < Date.parse(window.to))) {
    throw new ValidationError('the replay window must start before it ends', { location: 'to' });
  }
  const stamp = deps.clock.now().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  const replayName = `hem-${stamp}-${suffix.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}`;
  return deps.eventReplayer.startReplay({
    from: window.from,
    to: window.to,
    replayName,
    ...(window.ruleNames === undefined ? {} : { ruleNames: window.ruleNames }),
  });
};

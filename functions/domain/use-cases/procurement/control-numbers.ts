/**
 * Formatting of HEM's outbound X12 control numbers and of Step Functions execution names (pure).
 * One counter per trading partner yields the sequence; these rules turn a sequence value into
 * what goes on the wire or into an execution name.
 */
import { sha256Hex } from '../../audit-chain';

/** Highest ISA13 (9 digits); the sequence wraps to 1 after it, as trading partners expect. */
export const MAX_CONTROL_NUMBER = 999_999_999;

/** ISA13 / GS06 / ST02 of one outbound interchange. */
export interface OutboundControlNumbers {
  /** ISA13: 9 digits, zero-padded. */
  interchange: string;
  /** GS06: 1–9 digits, no padding. */
  group: string;
  /** ST02: 4–9 characters, zero-padded to 4. */
  transactionSet: string;
}

/** The control numbers of sequence value `n` (1-based; wraps after 999999999). */
export const formatControlNumbers = (n: number): OutboundControlNumbers => {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`control number sequence value must be a positive integer, got ${n}`);
  const value = ((n - 1) % MAX_CONTROL_NUMBER) + 1;
  return { interchange: String(value).padStart(9, '0'), group: String(value), transactionSet: String(value).padStart(4, '0') };
};

/** Step Functions: an execution name is 1–80 characters of letters, digits, `-` and `_`. */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const EXECUTION_NAME_MAX = 80;
const HASH_LENGTH = 20;

/**
 * A Step Functions execution name for a business key. A key that is already a valid name is used
 * as is; otherwise unsafe characters become `-`, and because that could make two keys collide
 * (`A|B` and `A-B`) or the name could be too long, a hash of the original key is appended
 * (`<readable prefix>-<20 hex>`). Deterministic: the same key always names the same execution,
 * which is what makes a second start a no-op.
 */
export const executionNameFor = (businessKey: string): string => {
  if (EXECUTION_NAME.test(businessKey)) return businessKey;
  const readable = businessKey.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, EXECUTION_NAME_MAX - HASH_LENGTH - 1);
  return `${readable}-${sha256Hex(businessKey).slice(0, HASH_LENGTH)}`;
};

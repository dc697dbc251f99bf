/** Deterministic ids derived from business keys, so retries and replays land on the same record. */
import { sha256Hex } from '../audit-chain';

/** The exception id of a usage line: `exc_` + the first 32 hex digits of SHA-256(business key). */
export const exceptionIdFor = (businessKey: string): string => `exc_${sha256Hex(businessKey).slice(0, 32)}`;

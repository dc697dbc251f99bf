/**
 * The audit hash chain (pure): how a record is hashed, how the next record is built, and how a
 * chain is verified. Every AuditLog adapter (DynamoDB, in-memory) builds records with
 * `nextAuditRecord` so `hem audit verify` can recompute any of them.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditRecord } from './ports';

/** `previousHash` of the first record of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Lower-case hex SHA-256 of a UTF-8 string. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Canonical JSON: object keys sorted (recursively), no whitespace, `undefined` members dropped
 * (as JSON.stringify does), so the same value always hashes the same however it was built.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    // JSON has no `undefined`; a bare undefined payload hashes as null.
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
};

/** SHA-256 of a payload's canonical JSON: what an audit record keeps instead of the payload. */
export const payloadSha256 = (payload: unknown): string => sha256Hex(canonicalJson(payload));

/**
 * The hash of a record: SHA-256 over the canonical JSON of every field but `hash` (previousHash
 * included). `onBehalfOf` is hashed when present; records without it hash as they always did.
 */
export const auditRecordHash = (record: Omit<AuditRecord, 'hash'>): string =>
  sha256Hex(
    canonicalJson({
      seq: record.seq,
      at: record.at,
      actor: record.actor,
      onBehalfOf: record.onBehalfOf,
      action: record.action,
      entity: record.entity,
      correlationId: record.correlationId,
      payloadSha256: record.payloadSha256,
      previousHash: record.previousHash,
    }),
  );

/**
 * The record that follows `previous` (or starts the chain when `previous` is undefined).
 * The payload itself is not kept: only its SHA-256.
 */
export const nextAuditRecord = (previous: AuditRecord | undefined, entry: AuditEntry, at: string): AuditRecord => {
  const unsigned: Omit<AuditRecord, 'hash'> = {
    seq: previous === undefined ? 1 : previous.seq + 1,
    at,
    actor: entry.actor,
    ...(entry.onBehalfOf === undefined ? {} : { onBehalfOf: entry.onBehalfOf }),
    action: entry.action,
    entity: entry.entity,
    correlationId: entry.correlationId,
    payloadSha256: payloadSha256(entry.payload),
    previousHash: previous === undefined ? GENESIS_HASH : previous.hash,
  };
  return { ...unsigned, hash: auditRecordHash(unsigned) };
};

/** Outcome of a chain verification. */
export type ChainVerification =
  | { ok: true; count: number; headHash: string }
  | { ok: false; brokenAtSeq: number; reason: 'HASH_MISMATCH' | 'PREVIOUS_HASH_MISMATCH' | 'SEQUENCE_GAP' };

/**
 * Recompute a chain in order. `records` must start at seq 1 (checked against the genesis hash)
 * unless `anchor` (the record just before the first one) is given, so a window can be verified.
 * Returns the first broken seq.
 */
export const verifyChain = (records: readonly AuditRecord[], anchor?: AuditRecord): ChainVerification => {
  let previous = anchor;
  for (const record of records) {
    const expectedSeq = previous === undefined ? 1 : previous.seq + 1;
    if (record.seq !== expectedSeq) return { ok: false, brokenAtSeq: record.seq, reason: 'SEQUENCE_GAP' };
    const expectedPrevious = previous === undefined ? GENESIS_HASH : previous.hash;
    if (record.previousHash !== expectedPrevious) return { ok: false, brokenAtSeq: record.seq, reason: 'PREVIOUS_HASH_MISMATCH' };
    if (auditRecordHash(record) !== record.hash) return { ok: false, brokenAtSeq: record.seq, reason: 'HASH_MISMATCH' };
    previous = record;
  }
  return { ok: true, count: records.length, headHash: previous?.hash ?? GENESIS_HASH };
};

import { describe, expect, it } from '@jest/globals';
import {
  GENESIS_HASH,
  auditRecordHash,
  canonicalJson,
  nextAuditRecord,
  payloadSha256,
  sha256Hex,
  verifyChain,
} from '../../../functions/domain/audit-chain';
import type { AuditRecord } from '../../../functions/domain/ports';

const entry = (n: number) => ({
  actor: 'hem.workflow',
  action: 'inventory.decremented',
  entity: 'inventory:NMC-OR/ITM-10001',
  correlationId: `corr-${n}`,
  payload: { delta: -n, nested: { b: 2, a: 1 } },
});

const chain = (length: number): AuditRecord[] => {
  const records: AuditRecord[] = [];
  for (let i = 1; i <= length; i += 1) records.push(nextAuditRecord(records.at(-1), entry(i), `2025-03-14T09:30:0${i}.000Z`));
  return records;
};

describe('audit chain', () => {
  it('keeps onBehalfOf on the record and in its hash, so rewriting whom the actor acted for breaks the chain', () => {
    const record = nextAuditRecord(undefined, { ...entry(1), actor: 'ap-clerk', onBehalfOf: 'ap.nguyen' }, '2025-03-14T09:30:01.000Z');
    expect([record.actor, record.onBehalfOf]).toStrictEqual(['ap-clerk', 'ap.nguyen']);
    expect(verifyChain([record])).toStrictEqual({ ok: true, count: 1, headHash: record.hash });
    expect(verifyChain([{ ...record, onBehalfOf: 'cfo' }])).toStrictEqual({ ok: false, brokenAtSeq: 1, reason: 'HASH_MISMATCH' });
  });

  it('hashes a record without onBehalfOf exactly as before the field existed', () => {
    const [first] = chain(1);
    expect('onBehalfOf' in (first as AuditRecord)).toBe(false);
    const { hash: _hash, ...unsigned } = first as AuditRecord;
    expect(auditRecordHash(unsigned)).toBe(
      sha256Hex(
        canonicalJson({
          seq: unsigned.seq,
          at: unsigned.at,
          actor: unsigned.actor,
          action: unsigned.action,
          entity: unsigned.entity,
          correlationId: unsigned.correlationId,
          payloadSha256: unsigned.payloadSha256,
          previousHash: unsigned.previousHash,
        }),
      ),
    );
  });

  it('starts from the genesis hash of 64 zeros at seq 1', () => {
    const [first] = chain(1);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(first!.seq).toBe(1);
    expect(first!.previousHash).toBe(GENESIS_HASH);
  });

  it('links each record to the hash of the one before', () => {
    const records = chain(3);
    expect(records[1]!.previousHash).toBe(records[0]!.hash);
    expect(records[2]!.previousHash).toBe(records[1]!.hash);
    expect(records[2]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the canonical JSON of the record fields and the previous hash', () => {
    const [record] = chain(1);
    const { hash, ...fields } = record!;
    expect(hash).toBe(sha256Hex(canonicalJson(fields)));
    expect(auditRecordHash(record!)).toBe(hash);
  });

  it('keeps only the SHA-256 of the payload, independent of key order', () => {
    const [record] = chain(1);
    expect(record!.payloadSha256).toBe(payloadSha256({ nested: { a: 1, b: 2 }, delta: -1 }));
    expect(JSON.stringify(record).includes('nested')).toBe(false);
  });

  it('verifies an intact chain', () => {
    const result = verifyChain(chain(5));
    expect(result).toStrictEqual({ ok: true, count: 5, headHash: chain(5)[4]!.hash });
  });

  it('returns the first broken seq when a record was edited', () => {
    const records = chain(5);
    records[2] = { ...records[2]!, actor: 'mallory' };
    expect(verifyChain(records)).toStrictEqual({ ok: false, brokenAtSeq: 3, reason: 'HASH_MISMATCH' });
  });

  it('detects a removed record', () => {
    const records = chain(4);
    records.splice(1, 1);
    expect(verifyChain(records)).toStrictEqual({ ok: false, brokenAtSeq: 3, reason: 'SEQUENCE_GAP' });
  });

  it('detects a record re-hashed after an edit through the next link', () => {
    const records = chain(3);
    const forged = { ...records[1]!, action: 'inventory.restored' };
    records[1] = { ...forged, hash: auditRecordHash(forged) };
    expect(verifyChain(records)).toStrictEqual({ ok: false, brokenAtSeq: 3, reason: 'PREVIOUS_HASH_MISMATCH' });
  });

  it('verifies a window of the chain from an anchor record', () => {
    const records = chain(5);
    expect(verifyChain(records.slice(2), records[1]).ok).toBe(true);
  });

  it('writes canonical JSON with sorted keys and without undefined members', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: undefined }], a: 'x' })).toBe('{"a":"x","b":[1,{"d":1}]}');
  });
});

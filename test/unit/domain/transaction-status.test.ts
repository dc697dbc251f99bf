import { describe, expect, it } from '@jest/globals';
import type { TransactionHop } from '../../../functions/domain/ports';
import { summariseTransaction } from '../../../functions/domain/transaction-status';

const MESSAGE = 'EPIC|NMC|MSG-1';
let clock = 0;
const at = (): string => new Date(Date.UTC(2026, 10, 20, 9, 0, 0, (clock += 1))).toISOString();

const received = (lines: number, messageControlId = 'MSG-1'): TransactionHop => ({
  correlationId: 'c',
  hop: 'received',
  status: 'ok',
  at: at(),
  detail: { sourceSystem: 'EPIC', facilityCode: 'NMC', messageControlId, sourceFormat: 'HL7V2', lines },
});
const lineHop = (hop: TransactionHop['hop'], lineNumber: number, messageKey = MESSAGE): TransactionHop => ({
  correlationId: 'c',
  hop,
  status: hop === 'exception' || hop === 'dead-lettered' ? 'error' : hop === 'duplicate' ? 'skipped' : 'ok',
  at: at(),
  detail: { messageKey, lineNumber },
});
const mapped = (n: number, key?: string): TransactionHop => lineHop('mapped', n, key);
const applied = (n: number, key?: string): TransactionHop => lineHop('applied', n, key);
const excepted = (n: number, key?: string): TransactionHop => lineHop('exception', n, key);
const messageDeadLettered = (messageKey = MESSAGE): TransactionHop => ({ correlationId: 'c', hop: 'dead-lettered', status: 'error', at: at(), detail: { messageKey } });

describe('summariseTransaction', () => {
  it('1 of 4 lines applied is not ok: partial once the other 3 are excepted (the reproduced case)', () => {
    const summary = summariseTransaction([received(4), excepted(1), mapped(2), excepted(3), excepted(4), applied(2)]);
    expect(summary).toStrictEqual({ status: 'partial', lines: { expected: 4, applied: 1, excepted: 3, deadLettered: 0, pending: 0 } });
  });

  it('says in-progress while 1 of 4 lines is applied and the others have not settled', () => {
    const summary = summariseTransaction([received(4), mapped(1), mapped(2), mapped(3), mapped(4), applied(1)]);
    expect(summary).toStrictEqual({ status: 'in-progress', lines: { expected: 4, applied: 1, excepted: 0, deadLettered: 0, pending: 3 } });
  });

  it('says in-progress for a message received and not mapped yet', () => {
    expect(summariseTransaction([received(2)]).status).toBe('in-progress');
  });

  it('says completed when every line is applied', () => {
    const summary = summariseTransaction([received(2), mapped(1), mapped(2), applied(1), applied(2)]);
    expect(summary).toStrictEqual({ status: 'completed', lines: { expected: 2, applied: 2, excepted: 0, deadLettered: 0, pending: 0 } });
  });

  it('says completed when lines are duplicates of lines applied before', () => {
    const summary = summariseTransaction([received(2), mapped(1), mapped(2), lineHop('duplicate', 1), applied(2)]);
    expect(summary.status).toBe('completed');
    expect(summary.lines.applied).toBe(2);
  });

  it('says failed when every line settled and none was applied', () => {
    const summary = summariseTransaction([received(2), excepted(1), excepted(2)]);
    expect(summary).toStrictEqual({ status: 'failed', lines: { expected: 2, applied: 0, excepted: 2, deadLettered: 0, pending: 0 } });
  });

  it('says failed when the message itself was dead-lettered, even with a line applied before', () => {
    const summary = summariseTransaction([received(3), mapped(1), mapped(2), mapped(3), applied(1), messageDeadLettered()]);
    expect(summary).toStrictEqual({ status: 'failed', lines: { expected: 3, applied: 1, excepted: 0, deadLettered: 2, pending: 0 } });
  });

  it('says partial when one line is dead-lettered and the others applied', () => {
    const summary = summariseTransaction([received(2), mapped(1), mapped(2), applied(1), lineHop('dead-lettered', 2)]);
    expect(summary).toStrictEqual({ status: 'partial', lines: { expected: 2, applied: 1, excepted: 0, deadLettered: 1, pending: 0 } });
  });

  it('says in-progress again once a dead-lettered message is redriven, and completed when its lines apply', () => {
    const hops = [received(2), mapped(1), mapped(2), applied(1), messageDeadLettered(), mapped(1), mapped(2)];
    expect(summariseTransaction(hops).status).toBe('in-progress');
    expect(summariseTransaction([...hops, lineHop('duplicate', 1), applied(2)]).status).toBe('completed');
  });

  it('counts a reprocessed exception as pending until it applies', () => {
    const hops = [received(2), mapped(1), excepted(2), applied(1), lineHop('reprocessed', 2)];
    expect(summariseTransaction(hops)).toStrictEqual({ status: 'in-progress', lines: { expected: 2, applied: 1, excepted: 0, deadLettered: 0, pending: 1 } });
    expect(summariseTransaction([...hops, mapped(2), applied(2)]).status).toBe('completed');
  });

  it('keeps an applied line applied whatever a replay records after it', () => {
    expect(summariseTransaction([received(1), mapped(1), applied(1), mapped(1), excepted(1)]).status).toBe('completed');
  });

  it('tells the lines of two messages under one correlation id apart', () => {
    const other = 'EPIC|NMC|MSG-2';
    const summary = summariseTransaction([received(1), received(1, 'MSG-2'), mapped(1), mapped(1, other), applied(1), excepted(1, other)]);
    expect(summary).toStrictEqual({ status: 'partial', lines: { expected: 2, applied: 1, excepted: 1, deadLettered: 0, pending: 0 } });
  });

  it('attributes line hops that do not name their message to the only message', () => {
    const legacy = (hop: TransactionHop['hop'], lineNumber: number): TransactionHop => ({ correlationId: 'c', hop, status: 'ok', at: at(), detail: { lineNumber } });
    expect(summariseTransaction([received(2), legacy('applied', 1), legacy('applied', 2)]).status).toBe('completed');
  });

  it('says failed for a message rejected at ingest', () => {
    const rejected: TransactionHop = { correlationId: 'c', hop: 'rejected', status: 'error', at: at(), detail: { code: 'VALIDATION' } };
    expect(summariseTransaction([rejected]).status).toBe('failed');
  });

  it('says untracked for a transaction that carries no usage message', () => {
    const created: TransactionHop = { correlationId: 'c', hop: 'requisition-created', status: 'ok', at: at() };
    expect(summariseTransaction([created])).toStrictEqual({ status: 'untracked', lines: { expected: 0, applied: 0, excepted: 0, deadLettered: 0, pending: 0 } });
  });
});

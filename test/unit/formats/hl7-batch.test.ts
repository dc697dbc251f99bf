import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDftP03, splitHl7Batch } from '../../../functions/adapters/hl7v2';
import { UnparseableMessageError } from '../../../functions/domain/errors';
import { dft, encounterKey, thrown } from './support';

describe('splitHl7Batch', () => {
  const first = dft({ controlId: 'A-1' });
  const second = dft({ controlId: 'A-2' });

  it('returns one CR-separated message for a single message, whatever its separators', () => {
    assert.deepEqual(splitHl7Batch(first), [first]);
    assert.deepEqual(splitHl7Batch(first.replaceAll('\r', '\n')), [first]);
    assert.deepEqual(splitHl7Batch(`${first.replaceAll('\r', '\r\n')}\r\n`), [first]);
  });

  it('splits messages separated by a blank line (LF), or directly (CR)', () => {
    assert.deepEqual(splitHl7Batch(`${first.replaceAll('\r', '\n')}\n\n${second.replaceAll('\r', '\n')}\n`), [first, second]);
    assert.deepEqual(splitHl7Batch(`${first}\r${second}`), [first, second]);
    assert.deepEqual(splitHl7Batch(`${first}\r\r${second}\r\r`), [first, second]);
  });

  it('drops the FHS/BHS/BTS/FTS batch envelope', () => {
    const batch = ['FHS|^~\\&|EPIC|NMC|HEM|HEM|20261126', 'BHS|^~\\&|EPIC|NMC|HEM|HEM|20261126', first, second, 'BTS|2', 'FTS|1'].join('\r');
    assert.deepEqual(splitHl7Batch(batch), [first, second]);
  });

  it('removes MLLP framing around each message', () => {
    assert.deepEqual(splitHl7Batch(`\u000b${first}\u001c\r\u000b${second}\u001c\r`), [first, second]);
  });

  it('keeps text before the first MSH as its own chunk, which then fails to parse', () => {
    const chunks = splitHl7Batch(`garbage line\r${first}`);
    assert.equal(chunks.length, 2);
    assert.ok(thrown(() => parseDftP03(chunks[0] as string, { encounterKey })) instanceof UnparseableMessageError);
    assert.equal(parseDftP03(chunks[1] as string, { encounterKey }).messageControlId, 'A-1');
  });

  it('returns nothing for an empty or blank text', () => {
    assert.deepEqual(splitHl7Batch(''), []);
    assert.deepEqual(splitHl7Batch('\r\n\n'), []);
  });
});

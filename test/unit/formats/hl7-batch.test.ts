import { describe, expect, it } from '@jest/globals';
import { parseDftP03, splitHl7Batch } from '../../../functions/adapters/hl7v2';
import { UnparseableMessageError } from '../../../functions/domain/errors';
import { dft, encounterKey, thrown } from './support';

describe('splitHl7Batch', () => {
  const first = dft({ controlId: 'A-1' });
  const second = dft({ controlId: 'A-2' });

  it('returns one CR-separated message for a single message, whatever its separators', () => {
    expect(splitHl7Batch(first)).toStrictEqual([first]);
    expect(splitHl7Batch(first.replaceAll('\r', '\n'))).toStrictEqual([first]);
    expect(splitHl7Batch(`${first.replaceAll('\r', '\r\n')}\r\n`)).toStrictEqual([first]);
  });

  it('splits messages separated by a blank line (LF), or directly (CR)', () => {
    expect(splitHl7Batch(`${first.replaceAll('\r', '\n')}\n\n${second.replaceAll('\r', '\n')}\n`)).toStrictEqual([first, second]);
    expect(splitHl7Batch(`${first}\r${second}`)).toStrictEqual([first, second]);
    expect(splitHl7Batch(`${first}\r\r${second}\r\r`)).toStrictEqual([first, second]);
  });

  it('drops the FHS/BHS/BTS/FTS batch envelope', () => {
    const batch = ['FHS|^~\\&|EPIC|NMC|HEM|HEM|20261126', 'BHS|^~\\&|EPIC|NMC|HEM|HEM|20261126', first, second, 'BTS|2', 'FTS|1'].join('\r');
    expect(splitHl7Batch(batch)).toStrictEqual([first, second]);
  });

  it('removes MLLP framing around each message', () => {
    expect(splitHl7Batch(`\u000b${first}\u001c\r\u000b${second}\u001c\r`)).toStrictEqual([first, second]);
  });

  it('keeps text before the first MSH as its own chunk, which then fails to parse', () => {
    const chunks = splitHl7Batch(`garbage line\r${first}`);
    expect(chunks.length).toBe(2);
    expect(thrown(() => parseDftP03(chunks[0] as string, { encounterKey })) instanceof UnparseableMessageError).toBeTruthy();
    expect(parseDftP03(chunks[1] as string, { encounterKey }).messageControlId).toBe('A-1');
  });

  it('returns nothing for an empty or blank text', () => {
    expect(splitHl7Batch('')).toStrictEqual([]);
    expect(splitHl7Batch('\r\n\n')).toStrictEqual([]);
  });
});

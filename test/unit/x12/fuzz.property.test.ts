/**
 * Random damage to valid interchanges — characters replaced (often by delimiters), deleted,
 * inserted, slices duplicated, the payload cut short — must never make parseX12 or acknowledge
 * throw, and whatever acknowledgment comes out must itself parse cleanly.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { acknowledge, parseX12 } from '../../../functions/adapters/x12';
import { HEM_IDS, NOW, counter, readX12Fixture, resolveMedline } from './support';

const SEEDS = ['medline_855_5010.edi', 'medline_856_5010.edi', 'medline_810_5010.edi', 'medline_810_4010.edi', 'medline_856_messy_newlines.edi'].map(readX12Fixture);

/** Characters that hurt most: delimiters of every fixture, line breaks, digits, letters. */
const NASTY = ['*', '~', ':', '^', '|', '}', '>', '\n', '\r', ' ', '0', '9', 'I', 'S', 'A', 'G', 'E', '\u0000', 'é'];

type Mutation = { kind: 'replace' | 'delete' | 'insert' | 'duplicate' | 'truncate'; at: number; char: string; length: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('replace', 'delete', 'insert', 'duplicate', 'truncate'),
  at: fc.nat(),
  char: fc.oneof(fc.constantFrom(...NASTY), fc.string({ minLength: 1, maxLength: 1 })),
  length: fc.integer({ min: 1, max: 120 }),
});

const mutate = (text: string, mutation: Mutation): string => {
  if (text.length === 0) return mutation.char;
  const at = mutation.at % text.length;
  switch (mutation.kind) {
    case 'replace':
      return `${text.slice(0, at)}${mutation.char}${text.slice(at + 1)}`;
    case 'delete':
      return `${text.slice(0, at)}${text.slice(at + mutation.length)}`;
    case 'insert':
      return `${text.slice(0, at)}${mutation.char}${text.slice(at)}`;
    case 'duplicate':
      return `${text.slice(0, at + mutation.length)}${text.slice(at)}`;
    case 'truncate':
      return text.slice(0, at);
  }
};

describe('parseX12 / acknowledge under random damage', () => {
  it('never throw, and every acknowledgment they write parses without findings (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: SEEDS.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 6 }), (seed, mutations) => {
        const text = mutations.reduce(mutate, SEEDS[seed] as string);
        const parsed = parseX12(text);
        const result = acknowledge(parsed, HEM_IDS, counter(), NOW, { resolveSupplier: resolveMedline, ownsPurchaseOrder: () => true });
        for (const ack of [...(result.ta1 === undefined ? [] : [result.ta1]), ...result.functionalAcks]) {
          const reparsed = parseX12(ack);
          expect(reparsed.interchanges.length >= 1).toBe(true);
          const problems = reparsed.interchanges.flatMap((i) => [...i.findings, ...i.groups.flatMap((g) => [...g.findings, ...g.sets.flatMap((s) => s.findings)])]).filter((f) => f.severity === 'error');
          expect(problems).toStrictEqual([]);
        }
        const decided = result.accepted.length + result.rejected.length;
        expect(decided).toBe(parsed.interchanges.flatMap((i) => i.groups.flatMap((g) => g.sets)).length);
      }),
      { numRuns: 400 },
    );
  });

  it('never throw on arbitrary text either (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const result = acknowledge(parseX12(`ISA*${text}`), HEM_IDS, counter(), NOW, { resolveSupplier: resolveMedline, ownsPurchaseOrder: () => true });
        expect(typeof result.response).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});

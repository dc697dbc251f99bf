import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { hl7DateTimeToIso, isoFromEpochMillis } from '../../../functions/adapters/hl7v2/datetime';

describe('hl7DateTimeToIso', () => {
  it('reads every precision from a year to 1/10000 s', () => {
    const cases: [string, string][] = [
      ['2026', '2026-01-01T00:00:00.000Z'],
      ['202611', '2026-11-01T00:00:00.000Z'],
      ['20261126', '2026-11-26T00:00:00.000Z'],
      ['2026112608', '2026-11-26T08:00:00.000Z'],
      ['202611260830', '2026-11-26T08:30:00.000Z'],
      ['20261126083015', '2026-11-26T08:30:15.000Z'],
      ['20261126083015.1', '2026-11-26T08:30:15.100Z'],
      ['20261126083015.1234', '2026-11-26T08:30:15.123Z'],
    ];
    for (const [hl7, iso] of cases) expect(hl7DateTimeToIso(hl7)).toBe(iso);
  });

  it('applies a ±hhmm offset, its own before the default one', () => {
    expect(hl7DateTimeToIso('20261126083000-0500')).toBe('2026-11-26T13:30:00.000Z');
    expect(hl7DateTimeToIso('20261126083000+0530')).toBe('2026-11-26T03:00:00.000Z');
    expect(hl7DateTimeToIso('20261126+0100')).toBe('2026-11-25T23:00:00.000Z');
    expect(hl7DateTimeToIso('20261126083000', '-0500')).toBe('2026-11-26T13:30:00.000Z');
    expect(hl7DateTimeToIso('20261126083000+0000', '-0500')).toBe('2026-11-26T08:30:00.000Z');
  });

  it('refuses what is not a real date/time', () => {
    for (const bad of ['', 'abc', '2026-11-26', '20261326', '20260229', '20261131', '20261126250000', '20261126086000', '2026112608301', '20261126083015.12345', '20261126083015-1500', '20261126083015-05', '1899', '20261126083015.']) {
      expect(hl7DateTimeToIso(bad)).toBe(undefined);
    }
    expect(hl7DateTimeToIso('20240229')).toBe('2024-02-29T00:00:00.000Z');
  });
});

describe('isoFromEpochMillis', () => {
  it('agrees with Date.prototype.toISOString from 1900 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        expect(isoFromEpochMillis(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
  });
});

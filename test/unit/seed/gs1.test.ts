import { describe, expect, it } from '@jest/globals';
import { gtinCheckDigit, isValidGln, isValidGtin, withCheckDigit } from '../../../local/gs1';

describe('gtinCheckDigit', () => {
  it('computes the check digit of the GS1 example GTIN-14 00012345678905', () => {
    expect(gtinCheckDigit('0001234567890')).toBe(5);
  });

  it('computes check digits for GTIN-8, GTIN-12 and GTIN-13 published examples', () => {
    expect(gtinCheckDigit('9638507')).toBe(4); // EAN-8 96385074
    expect(gtinCheckDigit('03600029145')).toBe(2); // UPC-A 036000291452
    expect(gtinCheckDigit('400638133393')).toBe(1); // EAN-13 4006381333931
  });

  it('returns 0 when the weighted sum is already a multiple of ten', () => {
    expect(gtinCheckDigit('0000000000000')).toBe(0);
  });

  it('throws a TypeError for an empty or non-numeric body', () => {
    expect(() => gtinCheckDigit('')).toThrow(TypeError);
    expect(() => gtinCheckDigit('12A4')).toThrow(TypeError);
  });
});

describe('isValidGtin', () => {
  it('accepts known valid GTINs of every length', () => {
    for (const gtin of ['00012345678905', '96385074', '036000291452', '4006381333931', '10012345678902']) {
      expect(isValidGtin(gtin)).toBe(true);
    }
  });

  it('rejects a GTIN with a wrong check digit', () => {
    expect(isValidGtin('00012345678906')).toBe(false);
    expect(isValidGtin('4006381333932')).toBe(false);
  });

  it('rejects lengths GS1 does not define and non-digits', () => {
    expect(isValidGtin('1234567')).toBe(false);
    expect(isValidGtin('123456789')).toBe(false);
    expect(isValidGtin('000123456789055')).toBe(false);
    expect(isValidGtin('0001234567890X')).toBe(false);
  });
});

describe('withCheckDigit and isValidGln', () => {
  it('appends the check digit so the result validates', () => {
    expect(withCheckDigit('0001234567890')).toBe('00012345678905');
    expect(isValidGtin(withCheckDigit('0861201123456'))).toBe(true);
  });

  it('accepts a 13-digit GLN with a valid check digit and rejects a wrong one', () => {
    const gln = withCheckDigit('061414100001');
    expect(gln.length).toBe(13);
    expect(isValidGln(gln)).toBe(true);
    expect(isValidGln(`${gln.slice(0, -1)}${(Number(gln.slice(-1)) + 1) % 10}`)).toBe(false);
    expect(isValidGln('00012345678905')).toBe(false);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gtinCheckDigit, isValidGln, isValidGtin, withCheckDigit } from '../../../local/gs1';

describe('gtinCheckDigit', () => {
  it('computes the check digit of the GS1 example GTIN-14 00012345678905', () => {
    assert.equal(gtinCheckDigit('0001234567890'), 5);
  });

  it('computes check digits for GTIN-8, GTIN-12 and GTIN-13 published examples', () => {
    assert.equal(gtinCheckDigit('9638507'), 4); // EAN-8 96385074
    assert.equal(gtinCheckDigit('03600029145'), 2); // UPC-A 036000291452
    assert.equal(gtinCheckDigit('400638133393'), 1); // EAN-13 4006381333931
  });

  it('returns 0 when the weighted sum is already a multiple of ten', () => {
    assert.equal(gtinCheckDigit('0000000000000'), 0);
  });

  it('throws a TypeError for an empty or non-numeric body', () => {
    assert.throws(() => gtinCheckDigit(''), TypeError);
    assert.throws(() => gtinCheckDigit('12A4'), TypeError);
  });
});

describe('isValidGtin', () => {
  it('accepts known valid GTINs of every length', () => {
    for (const gtin of ['00012345678905', '96385074', '036000291452', '4006381333931', '10012345678902']) {
      assert.equal(isValidGtin(gtin), true, gtin);
    }
  });

  it('rejects a GTIN with a wrong check digit', () => {
    assert.equal(isValidGtin('00012345678906'), false);
    assert.equal(isValidGtin('4006381333932'), false);
  });

  it('rejects lengths GS1 does not define and non-digits', () => {
    assert.equal(isValidGtin('1234567'), false);
    assert.equal(isValidGtin('123456789'), false);
    assert.equal(isValidGtin('000123456789055'), false);
    assert.equal(isValidGtin('0001234567890X'), false);
  });
});

describe('withCheckDigit and isValidGln', () => {
  it('appends the check digit so the result validates', () => {
    assert.equal(withCheckDigit('0001234567890'), '00012345678905');
    assert.equal(isValidGtin(withCheckDigit('0861201123456')), true);
  });

  it('accepts a 13-digit GLN with a valid check digit and rejects a wrong one', () => {
    const gln = withCheckDigit('061414100001');
    assert.equal(gln.length, 13);
    assert.equal(isValidGln(gln), true);
    assert.equal(isValidGln(`${gln.slice(0, -1)}${(Number(gln.slice(-1)) + 1) % 10}`), false);
    assert.equal(isValidGln('00012345678905'), false);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { amountInCents, postingAmount } from '../../../functions/domain/costing';

describe('costing', () => {
  it('prices 6 EA of gauze at 0.45 as 2.70', () => {
    assert.equal(postingAmount(6, 0.45), 2.7);
  });

  it('has no float drift where naive multiplication has (3 × 1.1 = 3.30, 0.1 × 3 = 0.30)', () => {
    assert.notEqual(3 * 1.1, 3.3);
    assert.equal(postingAmount(3, 1.1), 3.3);
    assert.equal(postingAmount(0.1, 3), 0.3);
  });

  it('rounds half away from zero on both signs', () => {
    assert.equal(amountInCents(1, 0.125), 13);
    assert.equal(amountInCents(-1, 0.125), -13);
    assert.equal(amountInCents(1, 0.124), 12);
    assert.equal(amountInCents(3, 0.005), 2);
  });

  it('handles exponent notation and large quantities exactly', () => {
    assert.equal(amountInCents(1e-7, 1), 0);
    assert.equal(amountInCents(1e21, 0.01), 1e21);
    assert.equal(amountInCents(123456, 9.99), 123332544);
  });

  it('prices a reversal as the exact negative of the usage (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 10_000_000 }), (quantity, tenThousandths) => {
        const unitCost = tenThousandths / 10_000;
        assert.equal(amountInCents(-quantity, unitCost), -amountInCents(quantity, unitCost) + 0);
      }),
    );
  });

  it('equals exact integer arithmetic rounded half away from zero (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: 0, max: 10_000_000 }), (quantity, tenThousandths) => {
        const unitCost = tenThousandths / 10_000;
        // quantity × tenThousandths is exact in a double here (< 2^53); cents = that / 100.
        const exact = quantity * tenThousandths;
        // `+ 0` turns -0 into 0: an amount is never negative zero.
        const expected = Math.sign(exact) * Math.floor((Math.abs(exact) + 50) / 100) + 0;
        assert.equal(amountInCents(quantity, unitCost), expected);
        assert.equal(postingAmount(quantity, unitCost), expected / 100);
      }),
    );
  });
});

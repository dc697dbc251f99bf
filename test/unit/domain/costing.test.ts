import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { amountInCents, postingAmount } from '../../../functions/domain/costing';

describe('costing', () => {
  it('prices 6 EA of gauze at 0.45 as 2.70', () => {
    expect(postingAmount(6, 0.45)).toBe(2.7);
  });

  it('has no float drift where naive multiplication has (3 × 1.1 = 3.30, 0.1 × 3 = 0.30)', () => {
    expect(3 * 1.1).not.toBe(3.3);
    expect(postingAmount(3, 1.1)).toBe(3.3);
    expect(postingAmount(0.1, 3)).toBe(0.3);
  });

  it('rounds half away from zero on both signs', () => {
    expect(amountInCents(1, 0.125)).toBe(13);
    expect(amountInCents(-1, 0.125)).toBe(-13);
    expect(amountInCents(1, 0.124)).toBe(12);
    expect(amountInCents(3, 0.005)).toBe(2);
  });

  it('handles exponent notation and large quantities exactly', () => {
    expect(amountInCents(1e-7, 1)).toBe(0);
    expect(amountInCents(1e21, 0.01)).toBe(1e21);
    expect(amountInCents(123456, 9.99)).toBe(123332544);
  });

  it('prices a reversal as the exact negative of the usage (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 10_000_000 }), (quantity, tenThousandths) => {
        const unitCost = tenThousandths / 10_000;
        expect(amountInCents(-quantity, unitCost)).toBe(-amountInCents(quantity, unitCost) + 0);
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
        expect(amountInCents(quantity, unitCost)).toBe(expected);
        expect(postingAmount(quantity, unitCost)).toBe(expected / 100);
      }),
    );
  });
});

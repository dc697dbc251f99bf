import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compare, decimal, product, quotient, sum } from '../../../functions/domain/procurement/decimal';

describe('procurement decimals', () => {
  it('adds quantities exactly, in any order (0.1 + 0.2 = 0.3)', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sum([0.1, 0.2])).toBe(0.3);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 1000)), (values) => {
        expect(sum([...values].reverse())).toBe(sum(values));
      }),
    );
  });

  it('multiplies and divides pack prices without float drift, rounding half away from zero', () => {
    expect(product(1.1, 3)).toBe(3.3);
    expect(quotient(37.2, 12, 4)).toBe(3.1);
    expect(quotient(1, 3, 4)).toBe(0.3333);
    expect(quotient(2, 3, 4)).toBe(0.6667);
    expect(quotient(-2, 3, 4)).toBe(-0.6667);
    expect(quotient(0.00005, 1, 4)).toBe(0.0001);
  });

  it('compares exactly', () => {
    expect(compare(decimal(0.3), decimal(sum([0.1, 0.2])))).toBe(0);
    expect(compare(decimal(1e-7), decimal(0))).toBe(1);
    expect(compare(decimal(-2.5), decimal(-2.49))).toBe(-1);
  });
});

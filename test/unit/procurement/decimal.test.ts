import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compare, decimal, product, quotient, sum } from '../../../functions/domain/procurement/decimal';

describe('procurement decimals', () => {
  it('adds quantities exactly, in any order (0.1 + 0.2 = 0.3)', () => {
    assert.notEqual(0.1 + 0.2, 0.3);
    assert.equal(sum([0.1, 0.2]), 0.3);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 1000)), (values) => {
        assert.equal(sum([...values].reverse()), sum(values));
      }),
    );
  });

  it('multiplies and divides pack prices without float drift, rounding half away from zero', () => {
    assert.equal(product(1.1, 3), 3.3);
    assert.equal(quotient(37.2, 12, 4), 3.1);
    assert.equal(quotient(1, 3, 4), 0.3333);
    assert.equal(quotient(2, 3, 4), 0.6667);
    assert.equal(quotient(-2, 3, 4), -0.6667);
    assert.equal(quotient(0.00005, 1, 4), 0.0001);
  });

  it('compares exactly', () => {
    assert.equal(compare(decimal(0.3), decimal(sum([0.1, 0.2]))), 0);
    assert.equal(compare(decimal(1e-7), decimal(0)), 1);
    assert.equal(compare(decimal(-2.5), decimal(-2.49)), -1);
  });
});

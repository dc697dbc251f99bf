/**
 * Exact decimal arithmetic for procurement quantities and unit prices (pure). Money amounts go
 * through `amountInCents` (functions/domain/costing.ts); this module covers what costing does not:
 * sums of quantities that must not depend on the order they are added in, unit prices multiplied by
 * a pack factor, and exact comparisons of prices per base unit. Values are scaled BigInts, so
 * `0.1 + 0.2` is `0.3` and every comparison is exact.
 */

import { decimal, shiftRoundHalfAwayFromZero, type Decimal } from '../decimal';

export { decimal, type Decimal };

const rescale = (d: Decimal, scale: number): bigint => d.units * 10n ** BigInt(scale - d.scale);

/** a + b, exact. */
export const add = (a: Decimal, b: Decimal): Decimal => {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
};

/** a − b, exact. */
export const subtract = (a: Decimal, b: Decimal): Decimal => add(a, { units: -b.units, scale: b.scale });

/** a × b, exact. */
export const multiply = (a: Decimal, b: Decimal): Decimal => ({ units: a.units * b.units, scale: a.scale + b.scale });

/** −1, 0 or 1 as a is less than, equal to or greater than b. */
export const compare = (a: Decimal, b: Decimal): -1 | 0 | 1 => {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The exact sum of numbers, independent of their order. */
export const sum = (values: Iterable<number>): number => {
  let total: Decimal = { units: 0n, scale: 0 };
  for (const v of values) total = add(total, decimal(v));
  return toNumber(total, total.scale);
};

/** Round to `places` decimals, half away from zero, as a number (the closest double to that decimal). */
export const toNumber = (d: Decimal, places: number): number => {
  const shift = d.scale - places;
  const units = shift > 0 ? shiftRoundHalfAwayFromZero(d.units, shift) : d.units;
  const scale = shift > 0 ? places : d.scale;
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  // `+ 0` keeps -0 out of documents.
  return Number(`${negative ? '-' : ''}${text}`) + 0;
};

/** a × b rounded to `places` decimals (a unit price times a pack factor, a quantity times a factor). */
export const product = (a: number, b: number, places = 6): number => toNumber(multiply(decimal(a), decimal(b)), places);

/** a ÷ b rounded to `places` decimals, half away from zero (b ≠ 0). */
export const quotient = (a: number, b: number, places = 6): number => {
  if (b === 0) throw new RangeError('division by zero');
  const x = decimal(a);
  const y = decimal(b);
  // a/b = (x.units / 10^x.scale) / (y.units / 10^y.scale); scale the numerator so the integer
  // division keeps one digit more than needed, then round that digit.
  const exponent = places + 1 + y.scale - x.scale;
  let numerator = x.units;
  let denominator = y.units;
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator *= 10n ** BigInt(-exponent);
  const negative = numerator < 0n !== denominator < 0n;
  const magnitude = (numerator < 0n ? -numerator : numerator) / (denominator < 0n ? -denominator : denominator);
  const rounded = (magnitude + 5n) / 10n;
  return toNumber({ units: negative ? -rounded : rounded, scale: places }, places);
};

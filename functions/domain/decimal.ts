/**
 * Exact decimal primitives (pure), shared by costing (functions/domain/costing.ts) and procurement's
 * quantity and price arithmetic (functions/domain/procurement/decimal.ts): a number becomes a scaled
 * BigInt, so money and quantities never go through float multiplication, and rounding happens once,
 * half away from zero.
 */

/** A finite decimal: value = units / 10^scale. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/** The shortest decimal that round-trips `n` (what `String(n)` prints), exponent notation included. */
export const decimal = (n: number): Decimal => {
  if (!Number.isFinite(n)) throw new RangeError('decimal needs a finite number');
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(String(n));
  if (match === null) throw new RangeError(`not a decimal number: ${String(n)}`);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  let digits = `${whole}${fraction}`;
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  const units = BigInt(digits);
  return { units: sign === '-' ? -units : units, scale };
};

/** `value` divided by 10^shift, rounded half away from zero (a shift ≤ 0 multiplies, exactly). */
export const shiftRoundHalfAwayFromZero = (value: bigint, shift: number): bigint => {
  if (shift <= 0) return value * 10n ** BigInt(-shift);
  const divisor = 10n ** BigInt(shift);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const rounded = (magnitude * 2n + divisor) / (divisor * 2n);
  return negative ? -rounded : rounded;
};

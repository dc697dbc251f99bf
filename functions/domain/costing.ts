/**
 * Costing rules (pure): the amount of a cost posting, in exact decimal arithmetic.
 * Money never goes through float multiplication: both factors become scaled integers (BigInt),
 * the product is exact, and only the final rounding to cents happens, half away from zero.
 */

/** A finite decimal as an integer and a power-of-ten scale: value = units / 10^scale. */
interface ScaledDecimal {
  units: bigint;
  scale: number;
}

/** The shortest decimal that round-trips `n` (what `String(n)` prints), exponent notation included. */
const toScaled = (n: number): ScaledDecimal => {
  if (!Number.isFinite(n)) throw new RangeError('amounts need finite numbers');
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

/** Divide by 10^shift, rounding half away from zero. */
const divRoundHalfAwayFromZero = (value: bigint, shift: number): bigint => {
  if (shift <= 0) return value * 10n ** BigInt(-shift);
  const divisor = 10n ** BigInt(shift);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const rounded = (magnitude * 2n + divisor) / (divisor * 2n);
  return negative ? -rounded : rounded;
};

/**
 * The amount in integer cents of `quantity` base units at `unitCost` per base unit:
 * exact product, rounded half away from zero. Negative quantities (reversals) give negative
 * amounts of the same magnitude as the matching usage.
 */
export const amountInCents = (quantity: number, unitCost: number): number => {
  const q = toScaled(quantity);
  const c = toScaled(unitCost);
  const cents = divRoundHalfAwayFromZero(q.units * c.units, q.scale + c.scale - 2);
  return Number(cents);
};

/** The amount as a currency number with two decimals (e.g. 2.7 for 6 × 0.45). */
export const postingAmount = (quantity: number, unitCost: number): number => {
  const cents = amountInCents(quantity, unitCost);
  // cents / 100 is the closest double to the two-decimal value: no drift survives into JSON.
  return cents / 100;
};

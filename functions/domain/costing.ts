/**
 * Costing rules (pure): the amount of a cost posting, in exact decimal arithmetic.
 * Money never goes through float multiplication: both factors become scaled integers (BigInt),
 * the product is exact, and only the final rounding to cents happens, half away from zero.
 */
import { decimal, shiftRoundHalfAwayFromZero } from './decimal';

/**
 * The amount in integer cents of `quantity` base units at `unitCost` per base unit:
 * exact product, rounded half away from zero. Negative quantities (reversals) give negative
 * amounts of the same magnitude as the matching usage.
 */
export const amountInCents = (quantity: number, unitCost: number): number => {
  const q = decimal(quantity);
  const c = decimal(unitCost);
  const cents = shiftRoundHalfAwayFromZero(q.units * c.units, q.scale + c.scale - 2);
  return Number(cents);
};

/** The amount as a currency number with two decimals (e.g. 2.7 for 6 × 0.45). */
export const postingAmount = (quantity: number, unitCost: number): number => {
  const cents = amountInCents(quantity, unitCost);
  // cents / 100 is the closest double to the two-decimal value: no drift survives into JSON.
  return cents / 100;
};

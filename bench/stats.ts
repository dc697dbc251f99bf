/** Small statistics helpers shared by the benchmarks. */

/** Median of a non-empty sample (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    throw new RangeError('median of an empty sample');
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Value at quantile `q` (0…1) by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) {
    throw new RangeError('quantile of an empty sample');
  }
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Rounds to `digits` decimals (for the JSON report; the table formats on its own). */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

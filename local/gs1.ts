/**
 * GS1 identifier helpers for the seed data: the mod-10 check digit shared by GTIN-8/12/13/14, GLN
 * and SSCC. Kept in `local/` because only the seed generates identifiers; validation of incoming
 * GTINs belongs to the domain.
 */

/**
 * The GS1 check digit of an identifier body (every digit except the check digit).
 * Weights alternate 3, 1, 3… starting from the rightmost body digit, which is why one function
 * serves every GS1 key length.
 * @throws TypeError when `body` is empty or contains anything but digits.
 */
export function gtinCheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) {
    throw new TypeError('a GS1 identifier body must be a non-empty string of digits');
  }
  let sum = 0;
  for (let i = body.length - 1, weight = 3; i >= 0; i -= 1, weight = 4 - weight) {
    sum += Number(body[i]) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `gtin` is a GTIN-8, -12, -13 or -14 whose last digit is the right GS1 check digit. */
export function isValidGtin(gtin: string): boolean {
  if (!/^(\d{8}|\d{12,14})$/.test(gtin)) {
    return false;
  }
  return gtinCheckDigit(gtin.slice(0, -1)) === Number(gtin.slice(-1));
}

/** True when `gln` is a 13-digit Global Location Number with a valid check digit. */
export function isValidGln(gln: string): boolean {
  return /^\d{13}$/.test(gln) && gtinCheckDigit(gln.slice(0, -1)) === Number(gln.slice(-1));
}

/** Appends the GS1 check digit to `body`. */
export function withCheckDigit(body: string): string {
  return `${body}${gtinCheckDigit(body)}`;
}

/**
 * HL7 v2 date/time (DTM; TS component 1 in v2.3–2.5) to ISO 8601.
 *
 * Format: `YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]` — any precision from a year down to
 * 1/10000 s, with an optional UTC offset. Unlike medplum's lenient `parseHl7DateTime` (which turns
 * garbage into a date), every part is range-checked: a bad date must become a DataError naming the
 * field, not a wrong inventory date.
 */

const DTM = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?(?:([+-])(\d{2})(\d{2}))?$/;

const OFFSET = /^([+-])(\d{2})(\d{2})$/;

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * Converts an HL7 DTM to an ISO 8601 instant in UTC (`2026-11-26T13:05:00.000Z`).
 *
 * Years before 1900 are refused (no supply was used then; it is a typo). Missing parts take their lowest value (`202611` → 1 November 00:00). A value without an offset
 * takes `defaultOffset` — the parser passes MSH-7's offset, since HL7 means "the sender's local
 * time" and MSH-7 is where the sender says what that is — and is read as UTC when there is none
 * (HEM has no per-sender time zone setting).
 *
 * @param value - the DTM text (TS component 1).
 * @param defaultOffset - `+hhmm`/`-hhmm` applied when `value` carries no offset of its own.
 * @returns the ISO instant, or undefined when the value is not a valid DTM.
 */
export function hl7DateTimeToIso(value: string, defaultOffset?: string): string | undefined {
  const match = DTM.exec(value);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, frac] = match;
  let [, , , , , , , , sign, offH, offM] = match;
  if (sign === undefined && defaultOffset !== undefined) {
    const fallback = OFFSET.exec(defaultOffset);
    if (fallback !== null) [, sign, offH, offM] = fallback;
  }
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  // Four digits of fraction are 1/10000 s; JavaScript dates hold milliseconds.
  const millis = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (sign !== undefined) {
    const hours = Number(offH);
    const minutes = Number(offM);
    if (hours > 14 || minutes > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  return new Date(utc).toISOString();
}

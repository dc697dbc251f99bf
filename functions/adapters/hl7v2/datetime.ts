/**
 * HL7 v2 date/time (DTM; TS component 1 in v2.3–2.5) to ISO 8601.
 *
 * Format: `YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]` — any precision from a year down to
 * 1/10000 s, with an optional UTC offset. Unlike medplum's lenient `parseHl7DateTime` (which turns
 * garbage into a date), every part is range-checked: a bad date must become a DataError naming the
 * field, not a wrong inventory date. Hand-written digit scanning rather than a regex with capture
 * groups: this runs for every FT1 of every message, and it was the adapter's top self-time.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const daysInMonth = (year: number, month: number): number =>
  month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : (DAYS_IN_MONTH[month - 1] as number);

/** The number written by `length` digits at `start`, or -1 when any of them is not a digit. */
const digitsAt = (text: string, start: number, length: number): number => {
  let value = 0;
  for (let i = start; i < start + length; i += 1) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
};

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * `Date.prototype.toISOString` for an epoch millisecond count, by arithmetic (H. Hinnant's
 * civil-from-days): `new Date(ms).toISOString()` costs ~0.7 µs on Node 24, which made it the
 * largest self-time of the whole adapter. Years 1900–9999 only (what the parser admits).
 */
export const isoFromEpochMillis = (ms: number): string => {
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const millis = rest - second * 1000;
  const ms3 = millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : `${millis}`;
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${ms3}Z`;
};

/** `+hhmm`/`-hhmm` at `start` as signed minutes, or undefined when it is not one. */
const offsetAt = (text: string, start: number): number | undefined => {
  const sign = text.charCodeAt(start);
  if (sign !== 43 /* + */ && sign !== 45 /* - */) return undefined;
  const hours = digitsAt(text, start + 1, 2);
  const minutes = digitsAt(text, start + 3, 2);
  if (hours < 0 || minutes < 0 || hours > 14 || minutes > 59) return undefined;
  return (sign === 45 ? -1 : 1) * (hours * 60 + minutes);
};

/**
 * Converts an HL7 DTM to an ISO 8601 instant in UTC (`2026-11-26T13:05:00.000Z`).
 *
 * Years before 1900 are refused (no supply was used then; it is a typo). Missing parts take their
 * lowest value (`202611` → 1 November 00:00). A value without an offset takes `defaultOffset` —
 * the parser passes MSH-7's offset, since HL7 means "the sender's local time" and MSH-7 is where
 * the sender says what that is — and is read as UTC when there is none (HEM has no per-sender
 * time zone setting).
 *
 * @param value - the DTM text (TS component 1).
 * @param defaultOffset - `+hhmm`/`-hhmm` applied when `value` carries no offset of its own.
 * @returns the ISO instant, or undefined when the value is not a valid DTM.
 */
export function hl7DateTimeToIso(value: string, defaultOffset?: string): string | undefined {
  let end = value.length;
  let offsetMinutes: number | undefined;
  if (end > 5) {
    const sign = value.charCodeAt(end - 5);
    if (sign === 43 || sign === 45) {
      offsetMinutes = offsetAt(value, end - 5);
      if (offsetMinutes === undefined) return undefined;
      end -= 5;
    }
  }
  if (offsetMinutes === undefined && defaultOffset !== undefined && defaultOffset.length === 5) {
    offsetMinutes = offsetAt(defaultOffset, 0);
  }
  // The date/time part: 4, 6, 8, 10, 12 or 14 digits, then optionally '.' and 1–4 digits.
  let millis = 0;
  let digits = end;
  if (end > 14 && value.charCodeAt(14) === 46 /* . */) {
    const fraction = end - 15;
    if (fraction < 1 || fraction > 4) return undefined;
    const tenThousandths = digitsAt(value, 15, fraction);
    if (tenThousandths < 0) return undefined;
    // Four digits of fraction are 1/10000 s; JavaScript dates hold milliseconds.
    millis = Math.floor((tenThousandths * 10 ** (4 - fraction)) / 10);
    digits = 14;
  }
  if (digits < 4 || digits > 14 || digits % 2 !== 0) return undefined;
  const year = digitsAt(value, 0, 4);
  const month = digits >= 6 ? digitsAt(value, 4, 2) : 1;
  const day = digits >= 8 ? digitsAt(value, 6, 2) : 1;
  const hour = digits >= 10 ? digitsAt(value, 8, 2) : 0;
  const minute = digits >= 12 ? digitsAt(value, 10, 2) : 0;
  const second = digits >= 14 ? digitsAt(value, 12, 2) : 0;
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - (offsetMinutes ?? 0) * 60_000;
  return isoFromEpochMillis(utc);
}

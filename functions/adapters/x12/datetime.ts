/**
 * X12 dates and times (data element types DT and TM) in both directions.
 *
 * DT is `CCYYMMDD` (8 digits) in every version HEM reads, except ISA09 which is `YYMMDD`.
 * TM is `HHMM[SS[d[d]]]` (4–8 digits). Outbound values are written in UTC: HEM's clock is UTC
 * and a partner's translator does not care about the zone of an envelope timestamp.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeap = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Date formats X12 uses: DT (`CCYYMMDD`) and the ISA09 short form (`YYMMDD`). */
export type X12DateFormat = 'CCYYMMDD' | 'YYMMDD';

/** Time formats X12 uses: `HHMM` (ISA10, GS05) and `HHMMSS`. */
export type X12TimeFormat = 'HHMM' | 'HHMMSS';

/**
 * Formats the UTC calendar date of `date` as an X12 DT value.
 *
 * @example formatX12Date(new Date('2026-03-05T10:00:00Z')) === '20260305'
 */
export const formatX12Date = (date: Date, format: X12DateFormat = 'CCYYMMDD'): string => {
  const year = date.getUTCFullYear();
  const text = `${pad(year, 4)}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCDate(), 2)}`;
  return format === 'YYMMDD' ? text.slice(2) : text;
};

/**
 * Formats the UTC time of day of `date` as an X12 TM value.
 *
 * @example formatX12Time(new Date('2026-03-05T10:07:09Z')) === '1007'
 */
export const formatX12Time = (date: Date, format: X12TimeFormat = 'HHMM'): string => {
  const text = `${pad(date.getUTCHours(), 2)}${pad(date.getUTCMinutes(), 2)}`;
  return format === 'HHMMSS' ? `${text}${pad(date.getUTCSeconds(), 2)}` : text;
};

/** An ISO `YYYY-MM-DD` (the canonical model's date) as an X12 DT `CCYYMMDD`. */
export const isoDateToX12 = (isoDate: string): string => isoDate.slice(0, 10).replaceAll('-', '');

/**
 * Reads an X12 DT (`CCYYMMDD`, or `YYMMDD` with a 1950 pivot as ISA09 and pre-4010 sets use) as an
 * ISO `YYYY-MM-DD`; undefined when it is not a real calendar date.
 */
export const x12DateToIso = (value: string | undefined): string | undefined => {
  if (value === undefined || !/^(\d{6}|\d{8})$/.test(value)) return undefined;
  const long = value.length === 8;
  const yy = Number(value.slice(0, long ? 4 : 2));
  const year = long ? yy : yy >= 50 ? 1900 + yy : 2000 + yy;
  const month = Number(value.slice(long ? 4 : 2, long ? 6 : 4));
  const day = Number(value.slice(long ? 6 : 4));
  if (year < 1900 || month < 1 || month > 12 || day < 1) return undefined;
  const max = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day > max) return undefined;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
};

/** True when `value` is a valid X12 TM (`HHMM`, `HHMMSS`, `HHMMSSd` or `HHMMSSdd`). */
export const isValidX12Time = (value: string | undefined): boolean => {
  if (value === undefined || !/^\d{4}(\d{2}(\d{1,2})?)?$/.test(value)) return false;
  const hours = Number(value.slice(0, 2));
  const minutes = Number(value.slice(2, 4));
  const seconds = value.length >= 6 ? Number(value.slice(4, 6)) : 0;
  return hours < 24 && minutes < 60 && seconds < 60;
};

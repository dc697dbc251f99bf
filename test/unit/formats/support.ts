/** Shared bits of the format adapter tests: fixture paths, the test key, a DFT^P03 builder. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixturesDir = path.join(repoRoot, 'test/fixtures');
/** The public sample corpus; CI lays it beside the checkout. */
export const sharedFixturesDir = path.resolve(repoRoot, '../shared/fixtures');
export const sharedFixturesPresent = existsSync(sharedFixturesDir);

export const readFixture = (relative: string): string => readFileSync(path.join(fixturesDir, relative), 'utf8');
export const readJsonFixture = (relative: string): unknown => JSON.parse(readFixture(relative));

/** A fixed 32-byte PHI key (the Secrets Manager provider insists on 32 bytes). */
export const encounterKey = new Uint8Array(32).map((_, i) => (i * 31 + 11) % 256);

export interface DftOptions {
  version?: string;
  messageType?: string;
  controlId?: string;
  time?: string;
  facility?: string;
  pv1?: string | null;
  pr1?: string | null;
  ft1?: string[];
  /** Segments inserted after PID (PHI carriers). */
  extra?: string[];
  pid?: string;
}

/** A PV1 with the point of care in PV1-3 and the visit number in PV1-19; `extra` sets other fields. */
export const pv1 = (pointOfCare: string, visitNumber: string, extra: Record<number, string> = {}): string => {
  const fields = Array.from({ length: 52 }, (_, i) => extra[i + 1] ?? '');
  fields[0] = '1';
  fields[1] = 'O';
  fields[2] = pointOfCare;
  fields[18] = visitNumber;
  return ['PV1', ...fields].join('|').replace(/\|+$/, '');
};

/** An FT1 from field number → value. */
export const ft1 = (fields: Record<number, string>): string => {
  const last = Math.max(...Object.keys(fields).map(Number));
  return ['FT1', ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? '')].join('|');
};

/** A small, valid DFT^P03 with the default delimiters and CR separators; every part overridable. */
export const dft = (o: DftOptions = {}): string =>
  [
    `MSH|^~\\&|EPIC|${o.facility ?? 'NMC'}|HEM|HEM|${o.time ?? '20261126083000-0500'}||${o.messageType ?? 'DFT^P03'}|${o.controlId ?? 'CTRL-1'}|P|${o.version ?? '2.5.1'}`,
    'EVN|P03|20261126083000',
    o.pid ?? 'PID|1||MRN0001^^^NMC^MR||TESTPATIENT^ALEX||19700101|U',
    ...(o.extra ?? []),
    ...(o.pv1 === null ? [] : [o.pv1 ?? pv1('OR^04^A^NMC', 'V0001')]),
    ...(o.pr1 === null ? [] : [o.pr1 ?? 'PR1|1||44970^Laparoscopic appendectomy^CPT']),
    ...(o.ft1 ?? ['FT1|1|TX1||20261126081500||CG|CHG-100001^Sponge^HEMCHG|||2']),
  ].join('\r');

/** Runs `fn` and returns what it threw (fails the test when it throws nothing). */
export const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
};

/**
 * HL7 v2 ingest benchmark: the full `parseDftP03` (parse → validate → drop PHI → canonical
 * UsageMessage, HMAC encounter reference included) against `@medplum/core`'s `Hl7Message.parse` on
 * the same messages, measured in the same process, interleaved round by round so machine noise
 * hits every candidate alike.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Hl7Message } from '@medplum/core';
import { median, quantile, round } from './stats';

/** The adapter's signature (functions/adapters/hl7v2/index.ts), typed here so the bench builds before it exists. */
type ParseDftP03 = (text: string, options: { encounterKey: Uint8Array }) => { lines: readonly unknown[] };

export interface IngestOptions {
  root: string;
  /** Measured rounds (each runs every candidate over every message `repetitions` times). */
  rounds: number;
  repetitions: number;
}

export interface IngestCandidate {
  name: string;
  medianUs: number;
  p95Us: number;
  /** A part of parseDftP03 timed alone (on the same messages), not an alternative to it. */
  component?: boolean;
}

export interface IngestResult {
  status: 'ok' | 'unavailable';
  /** Why `parseDftP03` could not be measured (missing module, or it rejects the bench's messages). */
  error?: string;
  messages: { built: number; fixtures: number; fixturesSkipped: number; meanBytes: number; meanSegments: number; meanFt1: number };
  rounds: number;
  repetitions: number;
  /** Full adapter: median µs per message. */
  parseDftP03Us?: number;
  /** `Hl7Message.parse(text)`: medplum 5 splits segments and parses fields lazily, on access. */
  medplumParseUs: number;
  /** `Hl7Message.parse(text)` then every field of every segment materialised: the eager-parse cost. */
  medplumFullParseUs: number;
  /** `Hl7Message.parse(text)` then exactly the components parseDftP03 reads, with no checks: raw extraction. */
  medplumSameFieldsUs: number;
  /** parseDftP03 ÷ Hl7Message.parse (the goal: ≤ 1.5). */
  ratio?: number;
  /** parseDftP03 ÷ parse-and-read-every-field. */
  ratioVsFullParse?: number;
  /** parseDftP03 ÷ parse-and-read-the-same-fields: what validation, PHI minimisation, HMAC and the schema add. */
  ratioVsSameFields?: number;
  /**
   * (encounter-reference HMAC + canonical schema check) ÷ Hl7Message.parse: the part of the ratio no
   * field reader, however fast, can remove without dropping PHI protection or validation.
   */
  floorRatio?: number;
  goal: number;
  candidates: IngestCandidate[];
}

const FAMILIES = ['RIVERA', 'NGUYEN', 'OKAFOR', 'LINDQVIST', 'PATEL', 'GARCIA', "O'BRIEN", 'KOWALSKI'];
const GIVEN = ['MARISOL', 'DUC', 'ADAEZE', 'INGRID', 'ARJUN', 'LUCIA', 'SEAN', 'PIOTR'];
const DEPARTMENTS: readonly (readonly [string, string])[] = [
  ['NMC', 'OR'],
  ['NMC', 'CATH'],
  ['NMC', 'ED'],
  ['SCH', 'OR'],
  ['SCH', 'ICU'],
  ['SCH', 'LD'],
];
const PROCEDURES = ['44970^Laparoscopic appendectomy^CPT', '93458^Left heart catheterization^CPT', '12002^Simple repair of wound^CPT', '59510^Cesarean delivery^CPT'];

/**
 * A realistic Epic-style DFT^P03 (v2.5.1): MSH, EVN, PID, PV1, PR1, 3–5 FT1 supply charges, GT1,
 * IN1 — PHI included on purpose, since dropping it is part of the work being measured.
 */
export function buildDftP03(index: number): string {
  const [facility, department] = DEPARTMENTS[index % DEPARTMENTS.length] as readonly [string, string];
  const family = FAMILIES[index % FAMILIES.length] as string;
  const given = GIVEN[(index * 3) % GIVEN.length] as string;
  const mrn = `MRN${String(700000 + index * 37).padStart(7, '0')}`;
  const visit = `V${String(5500000 + index * 13)}`;
  const minute = String(index % 60).padStart(2, '0');
  const ft1Count = 3 + (index % 3);
  const ft1 = Array.from({ length: ft1Count }, (_, i) => {
    const item = 1 + ((index * 7 + i * 11) % 160);
    const quantity = 1 + ((index + i) % 4);
    return [
      'FT1',
      String(i + 1),
      `TX${index}-${i + 1}`,
      '',
      `2026112608${minute}00`,
      '20261126',
      'CG',
      `CHG-${100000 + item}^Supply item ${item}^HEMCHG`,
      '',
      '',
      String(quantity),
      '',
      '12.50',
      department,
      '',
      '',
      `${department}^01^A^${facility}`,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      (PROCEDURES[index % PROCEDURES.length] as string).split('^')[0] as string,
    ].join('|');
  });
  return [
    `MSH|^~\\&|EPIC|${facility}|HEM|HEM|2026112608${minute}00-0500||DFT^P03^DFT_P03|BENCH${String(index).padStart(6, '0')}|P|2.5.1`,
    `EVN|P03|2026112608${minute}00`,
    `PID|1||${mrn}^^^${facility}^MR||${family}^${given}^Q||19${50 + (index % 50)}0314|F|||${100 + index} ELM ST^^SPRINGFIELD^IL^62701||555${String(1000000 + index).slice(-7)}|||||${visit}`,
    `PV1|1|O|${department}^01^A^${facility}||||1234567^WELBY^MARCUS^^^DR|||SUR||||||||${visit}`,
    `PR1|1||${PROCEDURES[index % PROCEDURES.length]}|Procedure|2026112608${minute}00|P`,
    ...ft1,
    `GT1|1||${family}^${given}||${100 + index} ELM ST^^SPRINGFIELD^IL^62701|555${String(1000000 + index).slice(-7)}`,
    `IN1|1|BCBS001|60054|BLUE CROSS||||||||||||${family}^${given}|01|19${50 + (index % 50)}0314`,
  ].join('\r');
}

/** HL7 files on disk → single messages with CR segment separators. */
const fixtureMessages = (root: string): string[] => {
  const dir = path.join(root, 'test/fixtures/hl7');
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir)
    .filter((name) => name.endsWith('.hl7'))
    .sort()
    .flatMap((name) => {
      const text = readFileSync(path.join(dir, name), 'utf8').replace(/\r\n|\n/g, '\r').replace(/\r+$/, '');
      return text
        .split(/\r(?=MSH\|)/)
        .map((m) => m.trim())
        .filter((m) => m.startsWith('MSH'));
    });
};

/** MSH-3.1, -3.2, -4.1, -4.2, -7.1, -9.1, -9.2, -10.1, -12.1. */
const MSH_READS: readonly (readonly [number, number])[] = [
  [3, 1],
  [3, 2],
  [4, 1],
  [4, 2],
  [7, 1],
  [9, 1],
  [9, 2],
  [10, 1],
  [12, 1],
];
/** FT1-1, -4.1, -6, -7.1, -7.3, -10.1, -10.2, -13.1. */
const FT1_READS: readonly (readonly [number, number])[] = [
  [1, 1],
  [4, 1],
  [6, 1],
  [7, 1],
  [7, 3],
  [10, 1],
  [10, 2],
  [13, 1],
];

/** Keeps results observable so the JIT cannot drop the work being timed. */
let sink = 0;

const timeRound = (run: (text: string) => number, messages: readonly string[], repetitions: number): number => {
  const started = performance.now();
  for (let r = 0; r < repetitions; r += 1) {
    for (const message of messages) {
      sink += run(message);
    }
  }
  return ((performance.now() - started) * 1000) / (messages.length * repetitions);
};

const errorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300);

/** Runs the ingest benchmark. Never throws for a missing or failing adapter: it reports it. */
export async function runIngestBench(options: IngestOptions): Promise<IngestResult> {
  const encounterKey = new Uint8Array(32).map((_, i) => (i * 29 + 7) % 256);
  const built = Array.from({ length: 60 }, (_, i) => buildDftP03(i));
  const fixtures = fixtureMessages(options.root);

  let parseDftP03: ParseDftP03 | undefined;
  let error: string | undefined;
  const adapterPath = path.join(options.root, 'functions/adapters/hl7v2/index.ts');
  try {
    const mod = (await import(pathToFileURL(adapterPath).href)) as { parseDftP03?: unknown };
    if (typeof mod.parseDftP03 !== 'function') {
      throw new Error('functions/adapters/hl7v2/index.ts does not export parseDftP03');
    }
    parseDftP03 = mod.parseDftP03 as ParseDftP03;
  } catch (e) {
    error = `adapter unavailable: ${errorText(e)}`;
  }

  // Only messages the adapter accepts are timed, so every candidate does the same work.
  let messages = built;
  let usableFixtures: string[] = [];
  if (parseDftP03 !== undefined) {
    const adapter = parseDftP03;
    const accepts = (text: string): boolean => {
      try {
        adapter(text, { encounterKey });
        return true;
      } catch {
        return false;
      }
    };
    const rejected = built.filter((m) => !accepts(m));
    if (rejected.length > 0) {
      try {
        adapter(rejected[0] as string, { encounterKey });
      } catch (e) {
        error = `parseDftP03 rejects the bench's DFT^P03 (${rejected.length}/${built.length}): ${errorText(e)}`;
      }
      parseDftP03 = undefined;
    } else {
      usableFixtures = fixtures.filter(accepts);
      messages = [...built, ...usableFixtures];
    }
  }

  const candidates: { name: string; run: (text: string) => number }[] = [
    { name: 'Hl7Message.parse', run: (text) => (Hl7Message.parse(text).header === undefined ? 0 : 1) },
    {
      // The components the adapter documents reading (dft-p03.ts header), read and nothing else.
      name: 'Hl7Message.parse + same fields',
      run: (text) => {
        const message = Hl7Message.parse(text);
        const msh = message.header;
        let n = 0;
        for (const [field, component] of MSH_READS) {
          n += msh.getComponent(field, component).length;
        }
        const pv1 = message.getSegment('PV1');
        n += (pv1?.getComponent(3, 1).length ?? 0) + (pv1?.getComponent(19, 1).length ?? 0);
        n += message.getSegment('PR1')?.getComponent(3, 1).length ?? 0;
        for (const ft1 of message.getAllSegments('FT1')) {
          for (const [field, component] of FT1_READS) {
            n += ft1.getComponent(field, component).length;
          }
        }
        return n;
      },
    },
    {
      name: 'Hl7Message.parse + every field',
      run: (text) => {
        let n = 0;
        for (const segment of Hl7Message.parse(text).segments) {
          for (const field of segment.fields) {
            n += field.components.length;
          }
        }
        return n;
      },
    },
  ];
  const components: string[] = [];
  if (parseDftP03 !== undefined) {
    const adapter = parseDftP03;
    candidates.unshift({ name: 'parseDftP03', run: (text) => adapter(text, { encounterKey }).lines.length });
    // Two parts of the adapter's work, timed alone per message: they bound how close any
    // implementation that keeps PHI protection and the contract check can get to the bare parse.
    try {
      const [{ encounterRef }, { UsageMessageSchema }] = (await Promise.all([
        import(pathToFileURL(path.join(options.root, 'functions/domain/encounter-ref.ts')).href),
        import(pathToFileURL(path.join(options.root, 'contracts/usage.ts')).href),
      ])) as [
        { encounterRef: (key: Uint8Array, facility: string, visit: string) => string },
        { UsageMessageSchema: { safeParse: (value: unknown) => { success: boolean } } },
      ];
      const parsed = new Map(messages.map((m) => [m, adapter(m, { encounterKey })]));
      const visit = (text: string): string => /\rPV1\|(?:[^|\r]*\|){18}([^|^\r]*)/.exec(text)?.[1] ?? 'V0';
      const visits = new Map(messages.map((m) => [m, visit(m)]));
      candidates.push(
        { name: 'component: encounter-ref HMAC', run: (text) => encounterRef(encounterKey, 'NMC', visits.get(text) ?? 'V0').length },
        { name: 'component: UsageMessageSchema.safeParse', run: (text) => (UsageMessageSchema.safeParse(parsed.get(text)).success ? 1 : 0) },
      );
      components.push('component: encounter-ref HMAC', 'component: UsageMessageSchema.safeParse');
    } catch {
      // The components are context; without them the comparison still stands.
    }
  }

  // Warm-up: let the JIT settle on every candidate before anything is recorded.
  for (const candidate of candidates) {
    timeRound(candidate.run, messages, Math.max(1, Math.ceil(3000 / messages.length)));
  }
  const samples = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  for (let r = 0; r < options.rounds; r += 1) {
    // Rotate the order each round so no candidate always runs first (or right after a GC-heavy one).
    for (let k = 0; k < candidates.length; k += 1) {
      const candidate = candidates[(r + k) % candidates.length] as (typeof candidates)[number];
      samples.get(candidate.name)?.push(timeRound(candidate.run, messages, options.repetitions));
    }
  }
  if (sink === Number.MIN_SAFE_INTEGER) {
    console.log('unreachable: keeps the sink alive');
  }

  const summary: IngestCandidate[] = candidates.map((c) => {
    const values = samples.get(c.name) ?? [];
    return {
      name: c.name,
      medianUs: round(median(values), 2),
      p95Us: round(quantile(values, 0.95), 2),
      ...(components.includes(c.name) ? { component: true } : {}),
    };
  });
  const us = (name: string): number | undefined => summary.find((c) => c.name === name)?.medianUs;
  const full = us('parseDftP03');
  const lazy = us('Hl7Message.parse') as number;
  const eager = us('Hl7Message.parse + every field') as number;
  const same = us('Hl7Message.parse + same fields') as number;
  const floor = components.length === 2 ? components.reduce((sum, name) => sum + (us(name) ?? 0), 0) : undefined;
  const segmentsOf = (m: string): number => m.split('\r').length;
  const ft1Of = (m: string): number => m.split('\r').filter((s) => s.startsWith('FT1|')).length;
  const mean = (f: (m: string) => number): number => round(messages.reduce((a, m) => a + f(m), 0) / messages.length, 1);

  return {
    status: full === undefined ? 'unavailable' : 'ok',
    ...(error === undefined ? {} : { error }),
    messages: {
      built: built.length,
      fixtures: usableFixtures.length,
      fixturesSkipped: fixtures.length - usableFixtures.length,
      meanBytes: mean((m) => Buffer.byteLength(m)),
      meanSegments: mean(segmentsOf),
      meanFt1: mean(ft1Of),
    },
    rounds: options.rounds,
    repetitions: options.repetitions,
    ...(full === undefined ? {} : { parseDftP03Us: full }),
    medplumParseUs: lazy,
    medplumFullParseUs: eager,
    medplumSameFieldsUs: same,
    ...(full === undefined
      ? {}
      : {
          ratio: round(full / lazy, 2),
          ratioVsFullParse: round(full / eager, 2),
          ratioVsSameFields: round(full / same, 2),
          ...(floor === undefined ? {} : { floorRatio: round(floor / lazy, 2) }),
        }),
    goal: 1.5,
    candidates: summary,
  };
}

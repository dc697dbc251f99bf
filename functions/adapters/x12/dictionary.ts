/**
 * The slice of the X12 dictionary HEM validates against: element definitions (requirement, type,
 * length, data element reference number, code lists) of the segments that 855, 856 and 810 carry in
 * 004010 and 005010, the segment tables of those sets (which segments may occur, how often, which
 * loops), and the relational conditions (syntax notes such as `P0607`) between elements.
 *
 * Segments a set allows but that are listed here without element definitions (TD5, ITD, FOB…) are
 * accepted as they come: HEM does not read them, and rejecting a supplier's file over a field HEM
 * ignores would help no one. Lengths follow 005010, which only widened 004010's maxima.
 */

/** Element requirement designator: mandatory, optional, or relational (`X`, governed by a syntax note). */
export type Requirement = 'M' | 'O' | 'X';

/** X12 data element types HEM checks; `C` is a composite (checked only for presence). */
export type ElementType = 'AN' | 'ID' | 'N0' | 'N2' | 'R' | 'DT' | 'TM' | 'C';

/** One data element position of a segment. */
export interface ElementSpec {
  requirement: Requirement;
  type: ElementType;
  min: number;
  max: number;
  /** Data element reference number (IK402/AK402). */
  reference: number;
  /** Allowed codes, for the ID elements whose values HEM reads. */
  codes?: ReadonlySet<string>;
}

/** One segment: its element positions (index 0 = element 01) and syntax notes. */
export interface SegmentSpec {
  elements: readonly ElementSpec[];
  /** X12 syntax notes: `P0304` paired, `R0203` at least one, `C0504` conditional, `E0102` exclusive, `L010203` list. */
  rules: readonly string[];
}

const spec = (text: string, codes?: readonly string[]): ElementSpec => {
  const [requirement, type, min, max, reference] = text.split(' ') as [Requirement, ElementType, string, string, string];
  return { requirement, type, min: Number(min), max: Number(max), reference: Number(reference), ...(codes ? { codes: new Set(codes) } : {}) };
};

/** `count` product id qualifier/id pairs (235/234), all relational. */
const qualifierPairs = (count: number): ElementSpec[] => Array.from({ length: count }, () => [spec('X ID 2 2 235'), spec('X AN 1 48 234')]).flat();

/** Paired syntax notes for `count` qualifier/id pairs starting at element `first`. */
const pairRules = (first: number, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `P${String(first + 2 * i).padStart(2, '0')}${String(first + 2 * i + 1).padStart(2, '0')}`);

/** BAK02 Acknowledgment Type (587). */
export const ACK_TYPES = ['AC', 'AD', 'AE', 'AH', 'AK', 'AP', 'AT', 'NA', 'RD', 'RF', 'RJ', 'RN', 'RO', 'RV', 'ZZ'] as const;

/** ACK01 Line Item Status Code (668) values HEM maps. */
export const LINE_ITEM_STATUS_CODES = [
  'AA', 'AC', 'AR', 'BP', 'DR', 'IA', 'IB', 'IC', 'ID', 'IE', 'IF', 'IH', 'IP', 'IQ', 'IR', 'IS', 'IW', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'SP',
] as const;

/** HL03 Hierarchical Level Code (735) values an 856 uses. */
const HL_LEVELS = ['S', 'O', 'P', 'T', 'I', 'F', 'D', 'Q', 'X', 'Z', 'G', 'V', 'W', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'PA', 'PP', 'SS'];

/** SAC01 Allowance or Charge Indicator (248). */
const ALLOWANCE_OR_CHARGE = ['A', 'C', 'N'];

const SEGMENTS: Record<string, SegmentSpec> = {
  ST: { elements: [spec('M ID 3 3 143'), spec('M AN 4 9 329'), spec('O AN 1 35 1705')], rules: [] },
  SE: { elements: [spec('M N0 1 10 96'), spec('M AN 4 9 329')], rules: [] },
  BAK: {
    elements: [
      spec('M ID 2 2 353'),
      spec('M ID 2 2 587', ACK_TYPES),
      spec('M AN 1 22 324'),
      spec('M DT 8 8 373'),
      spec('O AN 1 30 328'),
      spec('O AN 1 45 326'),
      spec('O AN 1 30 367'),
      spec('O AN 1 50 127'),
      spec('O DT 8 8 373'),
      spec('O ID 2 2 640'),
    ],
    rules: [],
  },
  PO1: {
    elements: [spec('O AN 1 20 350'), spec('X R 1 15 330'), spec('O ID 2 2 355'), spec('X R 1 17 212'), spec('O ID 2 2 639'), ...qualifierPairs(10)],
    rules: ['C0302', 'C0504', ...pairRules(6, 10)],
  },
  ACK: {
    elements: [
      spec('M ID 2 2 668', LINE_ITEM_STATUS_CODES),
      spec('X R 1 15 380'),
      spec('X ID 2 2 355'),
      spec('X ID 3 3 374'),
      spec('O DT 8 8 373'),
      spec('O AN 1 45 326'),
      ...qualifierPairs(10),
      spec('O ID 2 2 559'),
      spec('O AN 1 15 822'),
      spec('O AN 1 30 1271'),
    ],
    rules: ['P0203', 'C0504', ...pairRules(7, 10)],
  },
  BSN: {
    elements: [spec('M ID 2 2 353'), spec('M AN 2 30 396'), spec('M DT 8 8 373'), spec('M TM 4 8 337'), spec('O ID 4 4 1005'), spec('X ID 2 2 640'), spec('O ID 3 3 641')],
    rules: ['C0706'],
  },
  HL: { elements: [spec('M AN 1 12 628'), spec('O AN 1 12 734'), spec('M ID 1 2 735', HL_LEVELS), spec('O ID 1 1 736')], rules: [] },
  PRF: {
    elements: [spec('M AN 1 22 324'), spec('O AN 1 30 328'), spec('O AN 1 8 327'), spec('O DT 8 8 373'), spec('O AN 1 30 350'), spec('O AN 1 30 367'), spec('O ID 2 2 92')],
    rules: [],
  },
  LIN: { elements: [spec('O AN 1 20 350'), spec('M ID 2 2 235'), spec('M AN 1 48 234'), ...qualifierPairs(14)], rules: pairRules(4, 14) },
  SN1: {
    elements: [spec('O AN 1 20 350'), spec('M R 1 10 382'), spec('M ID 2 2 355'), spec('O R 1 15 646'), spec('X R 1 15 330'), spec('X ID 2 2 355'), spec('O ID 2 2 728'), spec('O ID 2 2 668')],
    rules: ['P0506'],
  },
  BIG: {
    elements: [
      spec('M DT 8 8 373'),
      spec('M AN 1 22 76'),
      spec('O DT 8 8 373'),
      spec('O AN 1 22 324'),
      spec('O AN 1 30 328'),
      spec('O AN 1 8 327'),
      spec('O ID 2 2 640'),
      spec('O ID 2 2 353'),
      spec('O ID 1 2 306'),
      spec('O AN 1 22 76'),
    ],
    rules: [],
  },
  IT1: {
    elements: [spec('O AN 1 20 350'), spec('X R 1 10 358'), spec('X ID 2 2 355'), spec('X R 1 17 212'), spec('O ID 2 2 639'), ...qualifierPairs(10)],
    rules: ['P020304', ...pairRules(6, 10)],
  },
  TDS: { elements: [spec('M N2 1 15 610'), spec('O N2 1 15 610'), spec('O N2 1 15 610'), spec('O N2 1 15 610')], rules: [] },
  SAC: {
    elements: [
      spec('M ID 1 1 248', ALLOWANCE_OR_CHARGE),
      spec('X ID 4 4 1300'),
      spec('X ID 2 2 559'),
      spec('X AN 1 10 1301'),
      spec('O N2 1 15 610'),
      spec('O ID 1 1 378'),
      spec('O R 1 6 332'),
      spec('O R 1 9 118'),
      spec('X ID 2 2 355'),
      spec('X R 1 15 380'),
      spec('O R 1 15 380'),
      spec('O ID 2 2 331'),
      spec('X AN 1 30 127'),
      spec('O AN 1 20 770'),
      spec('X AN 1 80 352'),
      spec('O ID 2 3 819'),
    ],
    rules: ['R0203', 'P0304', 'P0607', 'P0910', 'C1110', 'C1413', 'C1613'],
  },
  TXI: {
    elements: [
      spec('M ID 2 2 963'),
      spec('X R 1 18 782'),
      spec('X R 1 10 954'),
      spec('X ID 2 2 955'),
      spec('X AN 1 30 956'),
      spec('X ID 1 1 441'),
      spec('O ID 1 1 1325'),
      spec('O R 1 9 828'),
      spec('O AN 1 9 325'),
      spec('O AN 1 20 350'),
    ],
    rules: ['R020306', 'P0405', 'C0803'],
  },
  CUR: { elements: [spec('M ID 2 3 98'), spec('M ID 3 3 100'), spec('O R 4 10 280')], rules: [] },
  CTT: {
    elements: [spec('M N0 1 6 354'), spec('O R 1 10 347'), spec('X R 1 10 81'), spec('X ID 2 2 355'), spec('X R 1 8 183'), spec('X ID 2 2 355'), spec('O AN 1 80 352')],
    rules: ['P0304', 'P0506'],
  },
  REF: { elements: [spec('M ID 2 3 128'), spec('X AN 1 50 127'), spec('X AN 1 80 352'), spec('O C 1 999 0')], rules: ['R0203'] },
  DTM: {
    elements: [spec('M ID 3 3 374'), spec('X DT 8 8 373'), spec('X TM 4 8 337'), spec('O ID 2 2 623'), spec('X ID 2 3 1250'), spec('X AN 1 35 1251')],
    rules: ['R020305', 'C0403', 'P0506'],
  },
  N1: { elements: [spec('M ID 2 3 98'), spec('X AN 1 60 93'), spec('X ID 1 2 66'), spec('X AN 2 80 67'), spec('O ID 2 2 706'), spec('O ID 2 3 98')], rules: ['R0203', 'P0304'] },
  N3: { elements: [spec('M AN 1 55 166'), spec('O AN 1 55 166')], rules: [] },
  N4: { elements: [spec('O AN 2 30 19'), spec('O ID 2 2 156'), spec('O ID 3 15 116'), spec('O ID 2 3 26'), spec('X ID 1 2 309'), spec('O AN 1 30 310'), spec('O ID 1 3 1715')], rules: ['C0605'] },
  PER: {
    elements: [spec('M ID 2 2 366'), spec('O AN 1 60 93'), spec('X ID 2 2 365'), spec('X AN 1 256 364'), spec('X ID 2 2 365'), spec('X AN 1 256 364'), spec('X ID 2 2 365'), spec('X AN 1 256 364'), spec('O AN 1 20 443')],
    rules: ['P0304', 'P0506', 'P0708'],
  },
  PID: {
    elements: [spec('M ID 1 1 349'), spec('O ID 2 3 750'), spec('X ID 2 2 559'), spec('X AN 1 12 751'), spec('X AN 1 80 352'), spec('O ID 2 2 752'), spec('O AN 1 15 822'), spec('O ID 1 1 1073'), spec('O ID 2 3 819')],
    rules: ['C0403', 'R0405'],
  },
  BEG: {
    elements: [spec('M ID 2 2 353'), spec('M ID 2 2 92'), spec('M AN 1 22 324'), spec('O AN 1 30 328'), spec('M DT 8 8 373'), spec('O AN 1 30 367'), spec('O ID 2 2 587'), spec('O ID 3 3 1019'), spec('O ID 2 2 1166'), spec('O ID 2 2 1232'), spec('O ID 2 2 786'), spec('O ID 2 2 640')],
    rules: [],
  },
};

/** The element definitions of a segment, when HEM checks its elements. */
export const segmentSpec = (id: string): SegmentSpec | undefined => SEGMENTS[id];

/** A loop: the segments that may follow its first segment inside it, and the loops nested in it. */
interface LoopSpec {
  members: ReadonlySet<string>;
  children: readonly string[];
}

/** One transaction set's table: the segments it may hold, how often, its loops, and what it must have. */
export interface SetSpec {
  /** GS01 functional identifier the set travels under. */
  functionalId: string;
  allowed: ReadonlySet<string>;
  /** Maximum uses per set of segments that may occur once (outside loops). */
  maxUse: Readonly<Record<string, number>>;
  /** Segments the set must contain (besides ST/SE). */
  mandatory: readonly string[];
  loops: Readonly<Record<string, LoopSpec>>;
  /** Loops that may start at the top level of the set. */
  topLoops: readonly string[];
}

const set = (...ids: string[]): ReadonlySet<string> => new Set(ids);
const loop = (members: string[], children: string[] = []): LoopSpec => ({ members: new Set(members), children });

const N1_LOOP = loop(['N2', 'N3', 'N4', 'NX2', 'REF', 'PER', 'SI', 'FOB', 'TD1', 'TD5', 'TD3', 'TD4', 'PKG', 'DMG']);

const SET_SPECS: Record<string, SetSpec> = {
  '855': {
    functionalId: 'PR',
    allowed: set(
      'ST', 'BAK', 'CUR', 'REF', 'FOB', 'CSH', 'TAX', 'CTP', 'PAM', 'SAC', 'ITD', 'DIS', 'INC', 'DTM', 'LDT', 'LIN', 'SI', 'PID', 'MEA', 'PWK', 'PKG',
      'TD1', 'TD5', 'TD3', 'TD4', 'MAN', 'TXI', 'CTB', 'N9', 'MSG', 'N1', 'N2', 'N3', 'N4', 'NX2', 'PER', 'PO1', 'CN1', 'PO3', 'PO4', 'IT8', 'SDQ', 'FST',
      'AMT', 'SPI', 'CB1', 'ACK', 'SCH', 'SLN', 'QTY', 'ADV', 'CTT', 'SE',
    ),
    maxUse: { ST: 1, BAK: 1, CUR: 1, CTT: 1, SE: 1 },
    mandatory: ['BAK'],
    loops: {
      N9: loop(['DTM', 'MSG']),
      N1: N1_LOOP,
      PO1: loop(
        ['LIN', 'SI', 'CUR', 'CN1', 'PO3', 'CTP', 'PO4', 'MEA', 'PWK', 'PKG', 'REF', 'PER', 'SAC', 'IT8', 'CSH', 'ITD', 'DIS', 'INC', 'TAX', 'FOB', 'SDQ', 'DTM', 'FST', 'TD1', 'TD5', 'TD3', 'TD4', 'MAN', 'AMT', 'MSG', 'SPI', 'CB1', 'TXI'],
        ['PID', 'ACK', 'SCH', 'SLN', 'N9', 'N1', 'QTY'],
      ),
      PID: loop(['MEA']),
      ACK: loop(['DTM']),
      SCH: loop(['TD1', 'TD5', 'TD3', 'TD4', 'REF']),
      SLN: loop(['MSG', 'SI', 'PID', 'PO3', 'ADV', 'DTM', 'CTP', 'PAM', 'PO4', 'TAX', 'ACK']),
      QTY: loop(['SI']),
      CTT: loop(['AMT']),
    },
    topLoops: ['N9', 'N1', 'PO1', 'CTT'],
  },
  '856': {
    functionalId: 'SH',
    allowed: set(
      'ST', 'BSN', 'DTM', 'HL', 'LIN', 'SN1', 'SLN', 'PRF', 'PO4', 'PID', 'MEA', 'PWK', 'PKG', 'TD1', 'TD5', 'TD3', 'TD4', 'TSD', 'REF', 'PER', 'LH1',
      'LH2', 'LH3', 'LFH', 'LEP', 'LH4', 'LHT', 'LHR', 'CLD', 'DTP', 'MAN', 'DLN', 'FOB', 'PAL', 'N1', 'N2', 'N3', 'N4', 'SDQ', 'ETD', 'CUR', 'SAC',
      'GF', 'YNQ', 'LM', 'LQ', 'V1', 'V9', 'TXI', 'CTT', 'SE',
    ),
    maxUse: { ST: 1, BSN: 1, CTT: 1, SE: 1 },
    mandatory: ['BSN', 'HL'],
    loops: {
      HL: loop(
        ['LIN', 'SN1', 'SLN', 'PRF', 'PO4', 'MEA', 'PWK', 'PKG', 'TD1', 'TD5', 'TD3', 'TD4', 'TSD', 'REF', 'PER', 'LH1', 'LH2', 'LH3', 'LFH', 'LEP', 'LH4', 'LHT', 'LHR', 'MAN', 'DTM', 'FOB', 'PAL', 'SDQ', 'ETD', 'CUR', 'SAC', 'GF', 'YNQ', 'V1', 'V9', 'TXI'],
        ['PID', 'CLD', 'N1', 'LM'],
      ),
      PID: loop(['MEA']),
      CLD: loop(['REF', 'DTP']),
      N1: N1_LOOP,
      LM: loop(['LQ']),
    },
    topLoops: ['HL'],
  },
  '810': {
    functionalId: 'IN',
    allowed: set(
      'ST', 'BIG', 'NTE', 'CUR', 'REF', 'YNQ', 'PER', 'N1', 'N2', 'N3', 'N4', 'DMG', 'ITD', 'DTM', 'FOB', 'PID', 'MEA', 'PWK', 'PKG', 'L7', 'BAL', 'INC',
      'PAM', 'CRC', 'LM', 'LQ', 'N9', 'MSG', 'V1', 'FA1', 'FA2', 'IT1', 'QTY', 'IT3', 'TXI', 'CTP', 'PO4', 'SDQ', 'CAD', 'SR', 'SAC', 'SLN', 'TC2',
      'TDS', 'AMT', 'ISS', 'R4', 'CTT', 'SE',
    ),
    maxUse: { ST: 1, BIG: 1, CUR: 1, TDS: 1, CTT: 1, SE: 1 },
    mandatory: ['BIG', 'TDS'],
    loops: {
      N1: N1_LOOP,
      N9: loop(['MSG']),
      LM: loop(['LQ']),
      IT1: loop(
        ['CRC', 'QTY', 'CUR', 'IT3', 'TXI', 'CTP', 'PAM', 'MEA', 'PWK', 'PKG', 'PO4', 'ITD', 'REF', 'YNQ', 'PER', 'SDQ', 'DTM', 'CAD', 'L7', 'SR'],
        ['PID', 'SAC', 'SLN', 'N1', 'LM', 'V1', 'FA1'],
      ),
      PID: loop(['MEA']),
      SAC: loop(['TXI']),
      SLN: loop(['DTM', 'REF', 'PID', 'SAC', 'TC2', 'TXI']),
      V1: loop(['R4', 'DTM']),
      FA1: loop(['FA2']),
      ISS: loop(['PID']),
    },
    topLoops: ['N1', 'N9', 'LM', 'IT1', 'SAC', 'ISS'],
  },
};

/** The table of a transaction set HEM accepts inbound, or undefined when it does not. */
export const setSpec = (id: string): SetSpec | undefined => SET_SPECS[id];

/** Every segment id any supported set allows, plus common envelope and other-set segments: ids outside it are "unrecognized". */
export const KNOWN_SEGMENTS: ReadonlySet<string> = new Set([
  ...Object.values(SET_SPECS).flatMap((s) => [...s.allowed]),
  'ISA', 'IEA', 'GS', 'GE', 'TA1', 'BEG', 'PO2', 'BCT', 'AK1', 'AK2', 'AK3', 'AK4', 'AK5', 'AK9', 'IK3', 'IK4', 'IK5', 'CTX', 'R4', 'ACK', 'PRS', 'CSH',
]);

/**
 * Tracks which loop each segment of a set is in (IK303), from the set's loop table: a segment
 * that starts a child loop opens it; one that belongs to neither the open loop nor its children
 * closes loops until one takes it.
 */
export class LoopTracker {
  private readonly stack: string[] = [];

  constructor(private readonly spec: SetSpec) {}

  /** The loop id `segmentId` falls in, after moving past it. */
  next(segmentId: string): string | undefined {
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1] as string;
      const def = this.spec.loops[top];
      if (segmentId === top) return top;
      if (def?.children.includes(segmentId)) {
        this.stack.push(segmentId);
        return segmentId;
      }
      if (def?.members.has(segmentId)) return top;
      this.stack.pop();
    }
    if (this.spec.topLoops.includes(segmentId)) {
      this.stack.push(segmentId);
      return segmentId;
    }
    return undefined;
  }
}

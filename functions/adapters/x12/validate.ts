/**
 * Syntax validation of one inbound transaction set against the dictionary: which segments may
 * occur and how often, and every element's requirement, type, length, code list and relational
 * conditions. Produces the segment- and element-level findings a 999's IK3/IK4 (a 997's AK3/AK4)
 * report, each with the segment's position in the set and its loop.
 */
import { ElementError, SegmentError } from './codes';
import { isValidX12Time, x12DateToIso } from './datetime';
import { KNOWN_SEGMENTS, LoopTracker, segmentSpec } from './dictionary';
import type { ElementSpec, SetSpec } from './dictionary';
import type { X12Delimiters, X12Finding, X12Segment, X12TransactionSet } from './types';

/** IK404 is AN 1/99: a copy never longer than that, nor than the element itself may be. */
const MAX_COPY = 99;

/** Removes delimiters and control characters from a bad value and truncates it: the copy a 999 may echo. */
export const safeCopy = (value: string, delimiters: X12Delimiters, max = MAX_COPY): string => {
  const banned = new Set([delimiters.element, delimiters.component, delimiters.segment, delimiters.repetition ?? '']);
  let out = '';
  for (const char of value) {
    if (banned.has(char) || char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f) continue;
    out += char;
  }
  return out.trim().slice(0, Math.min(max, MAX_COPY));
};

/** The loop id (IK303) of every segment of a set, by position (index 0 = ST). */
export const loopIdsOf = (set: X12TransactionSet, spec: SetSpec): (string | undefined)[] => {
  const tracker = new LoopTracker(spec);
  return set.segments.map((segment) => (segment.id === 'ST' || segment.id === 'SE' ? undefined : tracker.next(segment.id)));
};

/** Helper the validator and the readers share to point at one element of one segment. */
export const elementFinding = (
  segment: X12Segment,
  loopId: string | undefined,
  position: number,
  reference: number | undefined,
  code: string,
  message: string,
  badValue?: string,
): X12Finding => ({
  level: 'element',
  severity: 'error',
  code,
  message,
  segmentId: segment.id,
  ...(segment.positionInSet === undefined ? {} : { segmentPosition: segment.positionInSet }),
  interchangeIndex: segment.indexInInterchange,
  offset: segment.offset,
  ...(loopId === undefined ? {} : { loopId }),
  elementPosition: position,
  ...(reference === undefined || reference === 0 ? {} : { elementReference: reference }),
  ...(badValue === undefined || badValue === '' ? {} : { badValue }),
});

/** A segment-level finding (IK3 with its own IK304 code). */
export const segmentFinding = (segmentId: string, position: number | undefined, loopId: string | undefined, code: string, message: string, at?: X12Segment): X12Finding => ({
  level: 'segment',
  severity: 'error',
  code,
  message,
  segmentId,
  ...(position === undefined ? {} : { segmentPosition: position }),
  ...(at === undefined ? {} : { interchangeIndex: at.indexInInterchange, offset: at.offset }),
  ...(loopId === undefined ? {} : { loopId }),
});

const NUMERIC = /^-?\d+$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([Ee]-?\d+)?$/;

const digitCount = (value: string): number => value.replace(/^-/, '').replace(/[Ee].*$/, '').replace('.', '').length;

/** Checks one present (non-blank) value against its definition; returns the IK403 code or undefined. */
const checkValue = (value: string, def: ElementSpec, delimiters: X12Delimiters): { code: string; message: string } | undefined => {
  if (def.type !== 'C' && value.includes(delimiters.component)) {
    return { code: ElementError.InvalidCharacter, message: 'contains the component separator in a simple element' };
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return { code: ElementError.InvalidCharacter, message: 'contains a control character' };
  const trimmed = value.trim();
  let length = trimmed.length;
  switch (def.type) {
    case 'DT':
      return x12DateToIso(trimmed) === undefined || trimmed.length < def.min || trimmed.length > def.max
        ? { code: ElementError.InvalidDate, message: 'is not a valid CCYYMMDD date' }
        : undefined;
    case 'TM':
      return isValidX12Time(trimmed) ? undefined : { code: ElementError.InvalidTime, message: 'is not a valid HHMM[SS] time' };
    case 'N0':
    case 'N2':
      if (!NUMERIC.test(trimmed)) return { code: ElementError.InvalidCharacter, message: 'is not an implied-decimal number' };
      length = digitCount(trimmed);
      break;
    case 'R':
      if (!DECIMAL.test(trimmed)) return { code: ElementError.InvalidCharacter, message: 'is not a decimal number' };
      length = digitCount(trimmed);
      break;
    case 'ID':
      if (def.codes !== undefined && !def.codes.has(trimmed)) return { code: ElementError.InvalidCode, message: 'is not a valid code' };
      break;
    case 'AN':
      length = value.replace(/\s+$/, '').length;
      break;
    case 'C':
      return undefined;
  }
  if (length < def.min) return { code: ElementError.TooShort, message: `is shorter than ${def.min}` };
  if (length > def.max) return { code: ElementError.TooLong, message: `is longer than ${def.max}` };
  return undefined;
};

/** Evaluates the X12 syntax notes of a segment (paired, required, conditional, exclusion, list). */
const checkRules = (segment: X12Segment, rules: readonly string[], elementsOf: readonly ElementSpec[], loopId: string | undefined): X12Finding[] => {
  const findings: X12Finding[] = [];
  const present = (p: number): boolean => (segment.elements[p - 1] ?? '').trim() !== '';
  const ref = (p: number): number | undefined => elementsOf[p - 1]?.reference;
  for (const rule of rules) {
    const kind = rule[0];
    const positions = (rule.slice(1).match(/\d\d/g) ?? []).map(Number);
    const [first, ...others] = positions as [number, ...number[]];
    const missing = (ps: number[], why: string): void => {
      const p = ps.find((x) => !present(x));
      if (p !== undefined) {
        findings.push(elementFinding(segment, loopId, p, ref(p), ElementError.ConditionalMissing, `${segment.id}${String(p).padStart(2, '0')} is required ${why}`));
      }
    };
    switch (kind) {
      case 'P':
        if (positions.some(present)) missing(positions, `with ${positions.filter(present).map((p) => `${segment.id}${String(p).padStart(2, '0')}`).join('/')}`);
        break;
      case 'R':
        if (!positions.some(present)) {
          findings.push(elementFinding(segment, loopId, first, ref(first), ElementError.ConditionalMissing, `one of ${positions.map((p) => `${segment.id}${String(p).padStart(2, '0')}`).join('/')} is required`));
        }
        break;
      case 'C':
        if (present(first)) missing(others, `when ${segment.id}${String(first).padStart(2, '0')} is present`);
        break;
      case 'E': {
        const here = positions.filter(present);
        if (here.length > 1) {
          const p = here[1] as number;
          findings.push(elementFinding(segment, loopId, p, ref(p), ElementError.ExclusionViolated, `only one of ${positions.map((x) => `${segment.id}${String(x).padStart(2, '0')}`).join('/')} may be present`));
        }
        break;
      }
      case 'L':
        if (present(first) && !others.some(present)) {
          const p = others[0] as number;
          findings.push(elementFinding(segment, loopId, p, ref(p), ElementError.ConditionalMissing, `one of ${others.map((x) => `${segment.id}${String(x).padStart(2, '0')}`).join('/')} is required when ${segment.id}${String(first).padStart(2, '0')} is present`));
        }
        break;
      default:
        break;
    }
  }
  return findings;
};

/** Element checks of one segment against its definition; warnings for trailing empty elements. */
export const validateSegment = (segment: X12Segment, loopId: string | undefined, delimiters: X12Delimiters): X12Finding[] => {
  const findings: X12Finding[] = [];
  const last = segment.elements.length;
  if (last > 0 && segment.elements[last - 1] === '') {
    // Trailing separators break the letter of X12 but not the meaning: tolerated, noted.
    findings.push({ ...elementFinding(segment, loopId, last, undefined, ElementError.TooManyElements, `${segment.id} ends with a stray element separator`), severity: 'warning' });
  }
  const def = segmentSpec(segment.id);
  if (def === undefined) return findings;
  segment.elements.forEach((value, index) => {
    const position = index + 1;
    const elementDef = def.elements[index];
    if (elementDef === undefined) {
      if (value.trim() !== '') {
        findings.push(elementFinding(segment, loopId, position, undefined, ElementError.TooManyElements, `${segment.id} has no element ${position}`, safeCopy(value, delimiters)));
      }
      return;
    }
    if (value.trim() === '') return;
    const problem = checkValue(value, elementDef, delimiters);
    if (problem !== undefined) {
      findings.push(
        elementFinding(segment, loopId, position, elementDef.reference, problem.code, `${segment.id}${String(position).padStart(2, '0')} ${problem.message}`, safeCopy(value, delimiters, elementDef.max)),
      );
    }
  });
  def.elements.forEach((elementDef, index) => {
    if (elementDef.requirement === 'M' && (segment.elements[index] ?? '').trim() === '') {
      const position = index + 1;
      findings.push(elementFinding(segment, loopId, position, elementDef.reference, ElementError.MandatoryMissing, `${segment.id}${String(position).padStart(2, '0')} is mandatory and missing`));
    }
  });
  findings.push(...checkRules(segment, def.rules, def.elements, loopId));
  return findings;
};

/** The first segment of each supported set (its "beginning segment"). */
const BEGINNING: Readonly<Record<string, string>> = { '855': 'BAK', '856': 'BSN', '810': 'BIG' };

/**
 * Validates one transaction set of a supported type: segment ids, maximum use, mandatory segments,
 * the beginning segment's place, and every element. Findings carry IK3/IK4 positions and loops.
 */
export const validateSet = (set: X12TransactionSet, spec: SetSpec, delimiters: X12Delimiters): X12Finding[] => {
  const findings: X12Finding[] = [];
  const loops = loopIdsOf(set, spec);
  const used = new Map<string, number>();
  const beginning = BEGINNING[set.id];
  set.segments.forEach((segment, index) => {
    const position = index + 1;
    const loopId = loops[index];
    const { id } = segment;
    if (!/^[A-Z][A-Z0-9]{1,2}$/.test(id) || !KNOWN_SEGMENTS.has(id)) {
      findings.push(segmentFinding(safeCopy(id, delimiters, 3) || 'XXX', position, loopId, SegmentError.Unrecognized, `segment id at position ${position} is not an X12 segment`, segment));
      return;
    }
    if (!spec.allowed.has(id)) {
      findings.push(segmentFinding(id, position, loopId, SegmentError.Unexpected, `${id} is not expected in a ${set.id}`, segment));
      return;
    }
    const uses = (used.get(id) ?? 0) + 1;
    used.set(id, uses);
    const max = spec.maxUse[id];
    if (max !== undefined && uses > max) {
      findings.push(segmentFinding(id, position, loopId, SegmentError.ExceedsMaximumUse, `${id} may occur ${max} time(s) in a ${set.id}`, segment));
      return;
    }
    if (id === beginning && position !== 2) {
      findings.push(segmentFinding(id, position, loopId, SegmentError.OutOfSequence, `${id} must follow ST directly`, segment));
    }
    findings.push(...validateSegment(segment, loopId, delimiters));
  });
  const endPosition = set.trailer?.positionInSet ?? set.segments.length + 1;
  for (const id of spec.mandatory) {
    if (!used.has(id)) {
      const position = id === beginning ? 2 : endPosition;
      findings.push(segmentFinding(id, position, undefined, SegmentError.MandatoryMissing, `mandatory segment ${id} is missing`));
    }
  }
  return findings;
};

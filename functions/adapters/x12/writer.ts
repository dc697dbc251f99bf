/**
 * Writing X12: segments with trailing empty elements dropped, values cleaned of the delimiters they
 * must not contain, and whole ISA/GS/ST envelopes whose counts (SE01, GE01, IEA01) and control
 * numbers (SE02 = ST02, GE02 = GS06, IEA02 = ISA13) are computed, never typed by hand.
 */
import { ValidationError } from '../../domain/errors';
import { formatX12Date, formatX12Time } from './datetime';
import type { X12Delimiters } from './types';

/** HEM's own delimiters for documents it originates (and for answers when the incoming ones are unusable). */
export const DEFAULT_DELIMITERS: X12Delimiters = { element: '*', component: ':', segment: '~', repetition: '^', lineBreak: '\n' };

/** Drops every delimiter and control character from a value we write: X12 has no escape mechanism. */
export const cleanValue = (value: string, delimiters: X12Delimiters): string => {
  let out = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char === delimiters.element || char === delimiters.component || char === delimiters.segment || char === delimiters.repetition) continue;
    if (code < 0x20 || code === 0x7f) continue;
    out += char;
  }
  return out;
};

/** Accumulates segments of one document and serializes them with its delimiters. */
export class SegmentWriter {
  private readonly segments: string[] = [];

  constructor(readonly delimiters: X12Delimiters) {}

  /**
   * Adds a segment. `undefined` and `''` elements are written empty; trailing empty elements are
   * dropped (X12 forbids trailing separators). Elements given as arrays are composites.
   */
  add(id: string, ...elements: (string | number | undefined | readonly string[])[]): this {
    const { element, component } = this.delimiters;
    const values = elements.map((e) => {
      if (e === undefined) return '';
      if (Array.isArray(e)) return e.map((c: string) => cleanValue(c, this.delimiters)).join(component).replace(new RegExp(`${escapeRegExp(component)}+$`), '');
      return cleanValue(String(e), this.delimiters);
    });
    while (values.length > 0 && values[values.length - 1] === '') values.pop();
    this.segments.push([id, ...values].join(element));
    return this;
  }

  /** Adds an already serialized segment (the ISA, whose fixed-width fields are built elsewhere). */
  raw(segment: string): this {
    this.segments.push(segment);
    return this;
  }

  get count(): number {
    return this.segments.length;
  }

  toString(): string {
    const { segment, lineBreak } = this.delimiters;
    return this.segments.map((s) => `${s}${segment}${lineBreak}`).join('');
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Interchange parties and settings of an ISA HEM writes. */
export interface IsaParams {
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  /** ISA12, e.g. `00501` or `00401`. */
  version: string;
  /** ISA13: 1–9 digits, zero-padded here. */
  controlNumber: string;
  usage: string;
  now: Date;
  acknowledgmentRequested?: '0' | '1';
}

/** ISA13: digits only, 1–9 of them, zero-padded to 9. Throws on anything else (a caller bug). */
export const padInterchangeControlNumber = (value: string): string => {
  if (!/^\d{1,9}$/.test(value)) throw new ValidationError('interchange control number must be 1-9 digits', { location: 'ISA13' });
  return value.padStart(9, '0');
};

/** GS06: 1–9 digits, written without padding zeros. Throws on anything else (a caller bug). */
export const groupControlNumber = (value: string): string => {
  if (!/^\d{1,9}$/.test(value)) throw new ValidationError('group control number must be 1-9 digits', { location: 'GS06' });
  return String(Number(value));
};

/** ST02: 4–9 characters, letters and digits. Throws on anything else (a caller bug). */
export const setControlNumber = (value: string): string => {
  if (!/^[A-Za-z0-9]{4,9}$/.test(value)) throw new ValidationError('transaction set control number must be 4-9 letters or digits', { location: 'ST02' });
  return value;
};

const fixed = (value: string, width: number): string => value.slice(0, width).padEnd(width, ' ');

/** The fixed-width ISA (106 characters with its terminator) for the given delimiters. */
export const writeIsa = (params: IsaParams, delimiters: X12Delimiters): string => {
  const isa11 = params.version >= '00402' ? (delimiters.repetition ?? '^') : 'U';
  return [
    'ISA',
    '00',
    fixed('', 10),
    '00',
    fixed('', 10),
    fixed(cleanValue(params.senderQualifier, delimiters), 2),
    fixed(cleanValue(params.senderId, delimiters), 15),
    fixed(cleanValue(params.receiverQualifier, delimiters), 2),
    fixed(cleanValue(params.receiverId, delimiters), 15),
    formatX12Date(params.now, 'YYMMDD'),
    formatX12Time(params.now),
    isa11,
    params.version,
    padInterchangeControlNumber(params.controlNumber),
    params.acknowledgmentRequested ?? '0',
    params.usage,
    delimiters.component,
  ].join(delimiters.element);
};

/** One functional group to write: its GS fields and its transaction sets' bodies (ST … SE excluded). */
export interface GroupParams {
  functionalId: string;
  senderId: string;
  receiverId: string;
  controlNumber: string;
  /** GS08, e.g. `005010`, `005010X231A1`, `004010`. */
  version: string;
  sets: { id: string; controlNumber: string; implementationReference?: string; body: (w: SegmentWriter) => void }[];
}

/**
 * Writes a complete interchange: ISA, groups with ST/SE around each set body (SE01 counted),
 * GE (GE01 counted), IEA (IEA01 counted); `extra` writes interchange-level segments (TA1) first.
 */
export const writeInterchange = (isa: IsaParams, groups: GroupParams[], delimiters: X12Delimiters, extra?: (w: SegmentWriter) => void): string => {
  const w = new SegmentWriter(delimiters);
  w.raw(writeIsa(isa, delimiters));
  extra?.(w);
  for (const group of groups) {
    const gs06 = groupControlNumber(group.controlNumber);
    w.add('GS', group.functionalId, group.senderId, group.receiverId, formatX12Date(isa.now), formatX12Time(isa.now), gs06, 'X', group.version);
    for (const set of group.sets) {
      const st02 = setControlNumber(set.controlNumber);
      const before = w.count;
      w.add('ST', set.id, st02, set.implementationReference);
      set.body(w);
      w.add('SE', w.count - before + 1, st02);
    }
    w.add('GE', group.sets.length, gs06);
  }
  w.add('IEA', groups.length, padInterchangeControlNumber(isa.controlNumber));
  return w.toString();
};

/**
 * Picks delimiters for an answer: the partner's own when they are usable (distinct punctuation),
 * HEM's defaults otherwise; a repetition separator that clashes with none of them.
 */
export const answerDelimiters = (incoming: X12Delimiters | undefined): X12Delimiters => {
  if (incoming === undefined) return DEFAULT_DELIMITERS;
  const { element, component, segment } = incoming;
  const punct = (c: string): boolean => c.length === 1 && !/[A-Za-z0-9\s]/.test(c);
  const usable = punct(element) && punct(component) && (punct(segment) || segment === '\n' || segment === '\r') && new Set([element, component, segment]).size === 3;
  if (!usable) return DEFAULT_DELIMITERS;
  const taken = new Set([element, component, segment]);
  const repetition = incoming.repetition !== undefined && !taken.has(incoming.repetition) ? incoming.repetition : ['^', '|', '!', '`', '{'].find((c) => !taken.has(c));
  return { element, component, segment, lineBreak: segment === '\n' || segment === '\r' ? '' : incoming.lineBreak, ...(repetition === undefined ? {} : { repetition }) };
};

/**
 * The shapes `parseX12` produces: interchanges, functional groups and transaction sets, each
 * segment with its position (in the set and in the interchange) and every problem found on the way
 * as a structured {@link X12Finding}, never as an exception.
 */

/** The delimiters of one interchange, all taken from its ISA. */
export interface X12Delimiters {
  /** Data element separator: the 4th character of the ISA. */
  element: string;
  /** Component (sub-element) separator: ISA16. */
  component: string;
  /** Segment terminator: the character after ISA16. */
  segment: string;
  /**
   * Repetition separator: ISA11 from version 00402 on, when it is a punctuation character.
   * Undefined for 00401 and earlier, where ISA11 is the standards identifier (`U`).
   */
  repetition?: string;
  /** The CR/LF that followed the ISA's terminator (`''`, `'\n'` or `'\r\n'`): reused when answering. */
  lineBreak: string;
}

/** One segment as read: its id, its data elements, and where it is. */
export interface X12Segment {
  /** Segment id (tag), e.g. `BAK`. */
  id: string;
  /** Data elements: `elements[0]` is the segment's 01 element. Values are raw (not trimmed). */
  elements: readonly string[];
  /** Character offset of the segment in the payload. */
  offset: number;
  /** 1-based index in its interchange (ISA = 1). */
  indexInInterchange: number;
  /** 1-based position in its transaction set (ST = 1): IK302/AK302. Undefined outside a set. */
  positionInSet?: number;
}

/** Which acknowledgment level a finding is reported at. */
export type X12FindingLevel = 'payload' | 'interchange' | 'group' | 'set' | 'segment' | 'element';

/**
 * A problem found in an interchange. `code` is the X12 code of its level: TA105 note code for
 * `payload`/`interchange`, AK905 for `group`, IK502/AK502 for `set`, IK304/AK304 for `segment`,
 * IK403/AK403 for `element`. Messages are PHI-free and never echo data beyond `badValue`.
 */
export interface X12Finding {
  level: X12FindingLevel;
  /** Errors reject what they are attached to; warnings are tolerated messiness. */
  severity: 'error' | 'warning';
  code: string;
  message: string;
  segmentId?: string;
  /** 1-based position in the transaction set (ST = 1). */
  segmentPosition?: number;
  /** 1-based index in the interchange (ISA = 1). */
  interchangeIndex?: number;
  /** Character offset in the payload. */
  offset?: number;
  /** Loop id (IK303), when known: the loop's first segment id, e.g. `PO1`, `HL`, `N1`. */
  loopId?: string;
  /** 1-based element position in the segment (IK401-1). */
  elementPosition?: number;
  /** 1-based component position in a composite (IK401-2). */
  componentPosition?: number;
  /** 1-based repetition position (IK401-3). */
  repetitionPosition?: number;
  /** Data element reference number (IK402), e.g. 324 for a PO number. */
  elementReference?: number;
  /** Copy of the bad value (IK404), truncated to the element's maximum length, delimiters removed. */
  badValue?: string;
}

/** The ISA fields, trimmed where X12 pads them. */
export interface X12InterchangeHeader {
  authorizationQualifier: string;
  securityQualifier: string;
  senderQualifier: string;
  /** ISA06 without its padding. */
  senderId: string;
  receiverQualifier: string;
  /** ISA08 without its padding. */
  receiverId: string;
  /** ISA09 `YYMMDD`. */
  date: string;
  /** ISA10 `HHMM`. */
  time: string;
  /** ISA11 as sent (the standards id `U` before 00402, the repetition separator after). */
  isa11: string;
  /** ISA12, e.g. `00401`, `00501`. */
  version: string;
  /** ISA13 as sent. */
  controlNumber: string;
  /** ISA14: `1` when the sender asks for a TA1. */
  acknowledgmentRequested: string;
  /** ISA15: `P` production, `T` test, `I` information. */
  usage: string;
}

/** One ST…SE transaction set. */
export interface X12TransactionSet {
  /** ST01, e.g. `855`. */
  id: string;
  /** ST02. */
  controlNumber: string;
  /** ST03 (5010 implementation convention reference), when sent. */
  implementationReference?: string;
  header: X12Segment;
  /** SE, when present. */
  trailer?: X12Segment;
  /** ST … SE inclusive, in order; `segments[i].positionInSet === i + 1`. */
  segments: X12Segment[];
  /** Envelope findings of this set (level `set`): SE missing, SE01/SE02 wrong, ST02 duplicated. */
  findings: X12Finding[];
}

/** One GS…GE functional group. */
export interface X12FunctionalGroup {
  /** GS01, e.g. `PR`, `SH`, `IN`. */
  functionalId: string;
  /** GS02. */
  senderId: string;
  /** GS03. */
  receiverId: string;
  /** GS06 as sent. */
  controlNumber: string;
  /** GS08, e.g. `004010`, `005010`, `004010VICS`. */
  version: string;
  header: X12Segment;
  trailer?: X12Segment;
  sets: X12TransactionSet[];
  /** Envelope findings of this group (level `group`): GE missing, GE01/GE02 wrong. */
  findings: X12Finding[];
}

/** One ISA…IEA interchange. */
export interface X12Interchange {
  header: X12InterchangeHeader;
  delimiters: X12Delimiters;
  isa: X12Segment;
  iea?: X12Segment;
  groups: X12FunctionalGroup[];
  /** Character offset of the ISA in the payload. */
  offset: number;
  /** 1-based index of this interchange in the payload. */
  index: number;
  /**
   * Envelope findings (level `interchange`, TA105 codes): bad delimiters, IEA missing, IEA01/IEA02
   * wrong, content outside groups. Any error here makes the interchange TA1-rejected.
   */
  findings: X12Finding[];
}

/** Everything `parseX12` found in a payload. */
export interface X12ParseResult {
  interchanges: X12Interchange[];
  /** Problems outside any interchange (level `payload`): no ISA at all, junk between interchanges. */
  findings: X12Finding[];
}

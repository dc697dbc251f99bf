/**
 * Validation and acknowledgment of an inbound X12 payload, and the decision of what to apply.
 *
 * Per interchange: a TA1 when its envelope is unreadable, its control numbers or group count
 * disagree, it is not addressed to HEM, or it repeats an interchange of the same payload (and,
 * rejected or not, whenever ISA14 asks for one). A TA1-rejected interchange is not looked into
 * further: none of its sets is applied and no functional acknowledgment is sent.
 *
 * Per functional group: a 999 (005010X231A1) for groups of 005010 and later, a 997 for 004010
 * and other 004 releases. AK1 names the group, one AK2 per set with IK3/IK4 (AK3/AK4) naming each
 * segment and element in error and IK5 (AK5) accepting or rejecting the set, AK9 for the group.
 * 855, 856 and 810 are supported; any other set is rejected as not supported (IK502 1). Groups of
 * acknowledgments (GS01 FA: 997/999 from a supplier) are read but never acknowledged, as X12 says.
 *
 * Partner trust (see `partner-rules.ts`): at most `MAX_X12_TRANSACTION_SETS` sets per request
 * (interchanges beyond it are TA1-rejected, TA105 024); every 855/856/810 must name a PO of the
 * sending supplier (`ownsPurchaseOrder`), else IK3/IK4 on BAK03 / PRF01 / BIG04 and IK5 R — the
 * same answer for another supplier's PO and for one that does not exist; GS02 must equal ISA06,
 * else every set of the group is rejected (IK5 R, AK9 R).
 *
 * Accepted sets come with their canonical documents, the envelope key (ISA sender + ISA13 + GS06 +
 * ST02) and business keys, so the caller can apply each exactly once.
 */
import type { Invoice, PoAcknowledgment, ShipNotice, X12ControlNumbers } from '../../../contracts/procurement';
import { InterchangeNote, SegmentError, SetError } from './codes';
import { formatX12Date, formatX12Time, isValidX12Time, x12DateToIso } from './datetime';
import { setSpec } from './dictionary';
import { isKnownIdQualifier, textAt } from './parser';
import { read810, read855, read856, readFunctionalAck } from './readers';
import type { FunctionalAckSummary, X12ReadContext } from './readers';
import { groupSenderMismatch, interchangesWithinSetLimit, MAX_X12_TRANSACTION_SETS, purchaseOrderFindings, setCount } from './partner-rules';
import type { X12Finding, X12FunctionalGroup, X12Interchange, X12ParseResult, X12TransactionSet } from './types';
import { validateSet } from './validate';
import { answerDelimiters, writeInterchange } from './writer';
import type { SegmentWriter } from './writer';

/** HEM's own interchange identity: ISA05/ISA06 of its acknowledgments (the incoming ISA07/ISA08). */
export interface X12PartyIds {
  qualifier: string;
  id: string;
  /** GS02 of HEM's acknowledgments; defaults to `id`. */
  gsId?: string;
}

/** Source of HEM's outbound interchange control numbers (persisted and unique per partner by the caller). */
export interface ControlNumberSource {
  /** The next control number: 1–9 digits. Used as ISA13 (zero-padded) and GS06 of one answer. */
  next(): string;
}

/** Maps an interchange sender (ISA05, ISA06 trimmed) to HEM's supplier id; undefined when unknown. */
export type SupplierResolver = (senderQualifier: string, senderId: string) => string | undefined;

/**
 * Whether `poNumber` names a purchase order of `supplierId`. False for another supplier's PO and
 * for a PO that does not exist alike (the acknowledgment must not tell them apart).
 */
export type PurchaseOrderOwnership = (supplierId: string, poNumber: string) => boolean;

/** ISA07/ISA08 of an answer to an interchange whose sender (ISA05/ISA06) is unreadable. */
export const UNREADABLE_SENDER = { qualifier: 'ZZ', id: 'UNKNOWN' } as const;

/** Options of {@link acknowledge}. */
export interface AcknowledgeOptions {
  /** Maps ISA05/ISA06 to a supplier; sets from unknown senders are rejected. */
  resolveSupplier: SupplierResolver;
  /** Decides whether each 855/856/810 names a PO of its sender; sets that do not are rejected. */
  ownsPurchaseOrder: PurchaseOrderOwnership;
  /** Check ISA07/ISA08 against `ourIds` (default true): a misrouted interchange is TA1-rejected. */
  checkReceiver?: boolean;
}

/** Where a set came from: enough to find it again and to recognize a resend. */
export interface X12SetIdentity {
  /** 1-based index of the interchange in the payload. */
  interchangeIndex: number;
  /** ST01. */
  transactionSetId: string;
  control: X12ControlNumbers;
  /** `ISA05:ISA06|ISA13|GS06|ST02`: equal keys are the same transmission sent again. */
  envelopeKey: string;
}

/** The canonical documents of an accepted set, by kind. */
export type X12AcceptedDocuments =
  | { kind: 'PoAcknowledgment'; documents: PoAcknowledgment[] }
  | { kind: 'ShipNotice'; documents: ShipNotice[] }
  | { kind: 'Invoice'; documents: Invoice[] }
  | { kind: 'FunctionalAck'; documents: FunctionalAckSummary[] };

/**
 * A set to apply. `businessKeys[i]` identifies `documents[i]` by content (855: supplier, PO, BAK01,
 * date; 856: supplier, shipment, PO; 810: supplier, invoice number), so a resend under new control
 * numbers is recognized too.
 */
export type AcceptedSet = X12SetIdentity &
  X12AcceptedDocuments & {
    supplierId?: string;
    businessKeys: string[];
    /** Tolerated messiness worth a look (never a reason to reject). */
    warnings: X12Finding[];
  };

/** Why a set is not applied. */
export type RejectionReason =
  | 'INTERCHANGE_REJECTED'
  | 'GROUP_REJECTED'
  | 'ENVELOPE'
  | 'UNSUPPORTED'
  | 'UNKNOWN_SENDER'
  | 'SYNTAX'
  /** The request carries more than `MAX_X12_TRANSACTION_SETS` sets. */
  | 'TOO_MANY_TRANSACTION_SETS'
  /** GS02 is not the interchange sender ISA06. */
  | 'GROUP_SENDER_MISMATCH'
  /** The set names no PO of the sending supplier (another supplier's, or none that exists). */
  | 'UNKNOWN_PURCHASE_ORDER';

/** A set not to apply, with the findings its acknowledgment reported. */
export type RejectedSet = X12SetIdentity & {
  reason: RejectionReason;
  /** One PHI-free sentence for operators and logs. */
  note: string;
  findings: X12Finding[];
};

/** The outcome of one interchange. */
export interface X12InterchangeOutcome {
  index: number;
  controlNumber: string;
  senderQualifier: string;
  senderId: string;
  /** TA104 when a TA1 was written. */
  ta1Code?: 'A' | 'E' | 'R';
  /** TA105 of that TA1. */
  ta1Note?: string;
  ta1?: string;
  functionalAcks: string[];
  findings: X12Finding[];
}

/** Everything {@link acknowledge} decided. */
export interface AcknowledgeResult {
  /** The TA1 interchanges (one per interchange that gets one), concatenated; undefined when none. */
  ta1?: string;
  /** One 999/997 interchange per acknowledged functional group. */
  functionalAcks: string[];
  accepted: AcceptedSet[];
  rejected: RejectedSet[];
  interchanges: X12InterchangeOutcome[];
  /** Payload-level findings (no ISA at all, junk around interchanges). */
  findings: X12Finding[];
  /** False when not one interchange could be read far enough to answer: the caller answers 400. */
  readable: boolean;
  /** TA1s then functional acks: the synchronous response body. */
  response: string;
}

const SUPPORTED_SETS = new Set(['855', '856', '810']);

/** 005010 and later groups get a 999; earlier ones a 997. */
const wants999 = (gs08: string): boolean => gs08.slice(0, 6) >= '005010';

/** Versions whose 855/856/810 HEM reads: the 004 releases and 005010. */
const supportedVersion = (gs08: string): boolean => gs08.startsWith('004') || gs08.startsWith('005010');

const errors = (findings: readonly X12Finding[]): X12Finding[] => findings.filter((f) => f.severity === 'error');

const dedupe = (findings: X12Finding[]): X12Finding[] => {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.level}|${f.code}|${f.segmentId ?? ''}|${f.segmentPosition ?? ''}|${f.elementPosition ?? ''}|${f.severity}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

/** IK301/AK301 must be a 2–3 character id even when what stood there was garbage. */
const segmentIdForAck = (id: string | undefined): string => {
  const clean = (id ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 3);
  return clean.length >= 2 ? clean : 'ZZZ';
};

interface SetOutcome {
  set: X12TransactionSet;
  accepted: boolean;
  setCodes: string[];
  findings: X12Finding[];
}

/** The AK2 loop of one set, in 999 (IK3/IK4/IK5) or 997 (AK3/AK4/AK5) words. */
const writeSetResponse = (w: SegmentWriter, outcome: SetOutcome, is999: boolean): void => {
  const { set } = outcome;
  w.add('AK2', set.id, set.controlNumber, is999 ? set.implementationReference : undefined);
  const segmentLevel = outcome.findings.filter((f) => f.severity === 'error' && (f.level === 'segment' || f.level === 'element'));
  const byPosition = new Map<string, X12Finding[]>();
  for (const f of segmentLevel) {
    const key = `${String(f.segmentPosition ?? 0).padStart(6, '0')}|${segmentIdForAck(f.segmentId)}`;
    byPosition.set(key, [...(byPosition.get(key) ?? []), f]);
  }
  for (const key of [...byPosition.keys()].sort()) {
    const group = byPosition.get(key) as X12Finding[];
    const first = group[0] as X12Finding;
    const segmentId = segmentIdForAck(first.segmentId);
    const loopId = group.find((f) => f.loopId !== undefined)?.loopId;
    for (const f of group.filter((x) => x.level === 'segment')) {
      w.add(is999 ? 'IK3' : 'AK3', segmentId, f.segmentPosition ?? '', loopId, f.code);
    }
    const elementErrors = group.filter((x) => x.level === 'element');
    if (elementErrors.length > 0) {
      w.add(is999 ? 'IK3' : 'AK3', segmentId, first.segmentPosition ?? '', loopId, SegmentError.HasElementErrors);
      for (const f of elementErrors.sort((a, b) => (a.elementPosition ?? 0) - (b.elementPosition ?? 0))) {
        const position = [String(f.elementPosition ?? 1)];
        if (f.componentPosition !== undefined || (is999 && f.repetitionPosition !== undefined)) position.push(String(f.componentPosition ?? ''));
        if (is999 && f.repetitionPosition !== undefined) position.push(String(f.repetitionPosition));
        w.add(is999 ? 'IK4' : 'AK4', position, f.elementReference, f.code, f.badValue);
      }
    }
  }
  const codes = [...new Set(outcome.setCodes)].slice(0, 5);
  w.add(is999 ? 'IK5' : 'AK5', outcome.accepted ? 'A' : 'R', ...(outcome.accepted ? [] : codes));
};

/**
 * Validates every interchange, group and set of a parsed payload and writes its acknowledgments.
 * Never throws on what the partner sent; throws a ValidationError only when `controlNumbers`
 * yields something that is not 1–9 digits.
 *
 * @param parse what {@link parseX12} made of the payload
 * @param ourIds HEM's ISA qualifier/id (and GS id): the sender of every acknowledgment
 * @param controlNumbers HEM's outbound control numbers; one is drawn per acknowledgment interchange
 * @param now the acknowledgments' date and time (UTC)
 * @param options the supplier resolver (ISA05/ISA06 → supplierId) and receiver check
 */
export const acknowledge = (
  parse: X12ParseResult,
  ourIds: X12PartyIds,
  controlNumbers: ControlNumberSource,
  now: Date,
  options: AcknowledgeOptions,
): AcknowledgeResult => {
  const result: AcknowledgeResult = { functionalAcks: [], accepted: [], rejected: [], interchanges: [], findings: [...parse.findings], readable: false, response: '' };
  const ta1s: string[] = [];
  const seenInterchanges = new Set<string>();
  const withinLimit = interchangesWithinSetLimit(parse);
  for (const interchange of parse.interchanges) {
    const outcome = acknowledgeInterchange(interchange, ourIds, controlNumbers, now, options, seenInterchanges, withinLimit.has(interchange.index));
    result.interchanges.push(outcome.summary);
    result.accepted.push(...outcome.accepted);
    result.rejected.push(...outcome.rejected);
    result.functionalAcks.push(...outcome.summary.functionalAcks);
    if (outcome.summary.ta1 !== undefined) ta1s.push(outcome.summary.ta1);
    if (outcome.summary.ta1 !== undefined || outcome.summary.functionalAcks.length > 0 || outcome.accepted.length > 0) result.readable = true;
  }
  if (ta1s.length > 0) result.ta1 = ta1s.join('');
  result.response = [...ta1s, ...result.functionalAcks].join('');
  return result;
};

interface InterchangeResult {
  summary: X12InterchangeOutcome;
  accepted: AcceptedSet[];
  rejected: RejectedSet[];
}

const acknowledgeInterchange = (
  interchange: X12Interchange,
  ourIds: X12PartyIds,
  controlNumbers: ControlNumberSource,
  now: Date,
  options: AcknowledgeOptions,
  seenInterchanges: Set<string>,
  withinLimit: boolean,
): InterchangeResult => {
  const { header } = interchange;
  const findings = [...interchange.findings];
  if (!withinLimit) {
    findings.push({
      level: 'interchange',
      severity: 'error',
      code: InterchangeNote.InvalidContent,
      message: `the request carries more than ${MAX_X12_TRANSACTION_SETS} transaction sets (this interchange holds ${setCount(interchange)}), the most HEM processes per request`,
      segmentId: 'ISA',
      interchangeIndex: 1,
      offset: interchange.offset,
    });
  }
  if (options.checkReceiver !== false && header.receiverId !== '' && (header.receiverId !== ourIds.id || header.receiverQualifier !== ourIds.qualifier)) {
    findings.push({ level: 'interchange', severity: 'error', code: InterchangeNote.UnknownReceiverId, message: 'ISA07/ISA08 do not name HEM', segmentId: 'ISA', interchangeIndex: 1, offset: interchange.offset });
  }
  const interchangeKey = `${header.senderQualifier}:${header.senderId}|${header.controlNumber}`;
  if (seenInterchanges.has(interchangeKey)) {
    findings.push({ level: 'interchange', severity: 'error', code: InterchangeNote.DuplicateControlNumber, message: 'ISA13 repeats an interchange from the same sender earlier in this payload', segmentId: 'ISA', interchangeIndex: 1, offset: interchange.offset });
  }
  seenInterchanges.add(interchangeKey);

  const summary: X12InterchangeOutcome = {
    index: interchange.index,
    controlNumber: header.controlNumber,
    senderQualifier: header.senderQualifier,
    senderId: header.senderId,
    functionalAcks: [],
    findings,
  };
  const accepted: AcceptedSet[] = [];
  const rejected: RejectedSet[] = [];
  const delimiters = answerDelimiters(interchange.findings.some((f) => f.severity === 'error' && ['004', '026', '027'].includes(f.code)) ? undefined : interchange.delimiters);
  const version = /^\d{5}$/.test(header.version) ? header.version : '00501';
  const usage = ['P', 'T', 'I'].includes(header.usage) ? header.usage : 'P';
  // An answer goes back to ISA05/ISA06: without a plausible address there is no one to answer.
  const canAnswer = isKnownIdQualifier(header.senderQualifier) && /^[\x21-\x7e][\x20-\x7e]{0,14}$/.test(header.senderId);
  // The answer goes to the interchange's sender; when its ISA05/ISA06 cannot be read (a damaged
  // envelope, answered with a TA1 R: blank, too long, or holding characters such as a delimiter of
  // the answer), it is addressed to UNREADABLE_SENDER so the answer itself is a valid interchange.
  // It travels back on the caller's HTTP connection either way.
  const senderReadable = isKnownIdQualifier(header.senderQualifier) && header.senderId.length <= 15 && /^[A-Za-z0-9][A-Za-z0-9 .&()-]*$/.test(header.senderId.trim());
  const isaFor = (controlNumber: string): Parameters<typeof writeInterchange>[0] => ({
    senderQualifier: ourIds.qualifier,
    senderId: ourIds.id,
    receiverQualifier: senderReadable ? header.senderQualifier : UNREADABLE_SENDER.qualifier,
    receiverId: senderReadable ? header.senderId : UNREADABLE_SENDER.id,
    version,
    controlNumber,
    usage,
    now,
  });

  const envelopeErrors = errors(findings);
  const identity = (group: X12FunctionalGroup, set: X12TransactionSet): X12SetIdentity => ({
    interchangeIndex: interchange.index,
    transactionSetId: set.id,
    control: {
      interchange: header.controlNumber || '?',
      group: group.controlNumber || '?',
      transactionSet: set.controlNumber || '?',
      version: group.version || header.version || '?',
      senderId: header.senderId || '?',
      receiverId: header.receiverId || '?',
    },
    envelopeKey: `${header.senderQualifier}:${header.senderId}|${header.controlNumber}|${group.controlNumber}|${set.controlNumber}`,
  });

  if (envelopeErrors.length > 0 || header.acknowledgmentRequested === '1') {
    const first = envelopeErrors[0];
    const code: 'A' | 'R' = first === undefined ? 'A' : 'R';
    const note = first?.code ?? InterchangeNote.NoError;
    summary.ta1Code = code;
    summary.ta1Note = note;
    if (canAnswer) {
      const ta101 = /^\d{9}$/.test(header.controlNumber) ? header.controlNumber : '000000000';
      const ta102 = x12DateToIso(header.date) !== undefined && header.date.length === 6 ? header.date : formatX12Date(now, 'YYMMDD');
      const ta103 = header.time.length === 4 && isValidX12Time(header.time) ? header.time : formatX12Time(now);
      summary.ta1 = writeInterchange(isaFor(controlNumbers.next()), [], delimiters, (w) => {
        w.add('TA1', ta101, ta102, ta103, code, note);
      });
    }
  }
  if (envelopeErrors.length > 0) {
    const note = `interchange rejected (TA1 ${summary.ta1Note ?? ''}): ${(envelopeErrors[0] as X12Finding).message}`;
    const reason: RejectionReason = withinLimit ? 'INTERCHANGE_REJECTED' : 'TOO_MANY_TRANSACTION_SETS';
    for (const group of interchange.groups) {
      for (const set of group.sets) rejected.push({ ...identity(group, set), reason, note, findings: envelopeErrors });
    }
    return { summary, accepted, rejected };
  }

  const supplierId = options.resolveSupplier(header.senderQualifier, header.senderId);
  for (const group of interchange.groups) {
    const is999 = wants999(group.version);
    const groupErrors = errors(group.findings);
    const isAckGroup = group.functionalId === 'FA';
    const senderMismatch = groupSenderMismatch(group.senderId, header.senderId);
    const outcomes: SetOutcome[] = [];

    for (const set of group.sets) {
      const id = identity(group, set);
      const setFindings: X12Finding[] = [...set.findings];
      const setCodes = errors(set.findings).map((f) => f.code);

      if (groupErrors.length > 0) {
        rejected.push({ ...id, reason: 'GROUP_REJECTED', note: `functional group rejected: ${(groupErrors[0] as X12Finding).message}`, findings: groupErrors });
        continue;
      }
      if (senderMismatch !== undefined) {
        setFindings.push({ level: 'set', severity: 'error', code: SetError.NotSupported, message: senderMismatch });
        outcomes.push({ set, accepted: false, setCodes: [...setCodes, SetError.NotSupported], findings: setFindings });
        rejected.push({ ...id, reason: 'GROUP_SENDER_MISMATCH', note: senderMismatch, findings: setFindings });
        continue;
      }
      if (isAckGroup) {
        // Acknowledgments are read, never acknowledged.
        const read = set.id === '997' || set.id === '999' ? readFunctionalAck(set, interchange.delimiters) : undefined;
        const doc = read?.documents[0];
        if (doc === undefined || errors(setFindings).length > 0) {
          rejected.push({ ...id, reason: 'UNSUPPORTED', note: `${set.id} in a functional acknowledgment group could not be read`, findings: [...setFindings, ...(read?.findings ?? [])] });
        } else {
          accepted.push({
            ...id,
            kind: 'FunctionalAck',
            documents: [doc],
            businessKeys: [`${set.id}|${header.senderQualifier}:${header.senderId}|${doc.functionalId}|${doc.groupControlNumber}`],
            ...(supplierId === undefined ? {} : { supplierId }),
            warnings: read?.findings ?? [],
          });
        }
        continue;
      }
      const spec = setSpec(set.id);
      if (spec === undefined || !SUPPORTED_SETS.has(set.id) || !supportedVersion(group.version)) {
        const note = spec === undefined ? `transaction set ${set.id || '(none)'} is not supported` : `transaction set ${set.id} in version ${group.version} is not supported`;
        setFindings.push({ level: 'set', severity: 'error', code: SetError.NotSupported, message: note });
        outcomes.push({ set, accepted: false, setCodes: [...setCodes, SetError.NotSupported], findings: setFindings });
        rejected.push({ ...id, reason: 'UNSUPPORTED', note, findings: setFindings });
        continue;
      }
      if (supplierId === undefined) {
        const note = `unknown sender ${header.senderQualifier}:${header.senderId}: no trading partner agreement, set not processed`;
        setFindings.push({ level: 'set', severity: 'error', code: SetError.NotSupported, message: note });
        outcomes.push({ set, accepted: false, setCodes: [...setCodes, SetError.NotSupported], findings: setFindings });
        rejected.push({ ...id, reason: 'UNKNOWN_SENDER', note, findings: setFindings });
        continue;
      }
      if (spec.functionalId !== group.functionalId) {
        setFindings.push({ level: 'set', severity: 'error', code: SetError.NotInFunctionalGroup, message: `a ${set.id} does not belong in a GS01 ${group.functionalId} group` });
      }
      setFindings.push(...validateSet(set, spec, interchange.delimiters));
      const context: X12ReadContext = { supplierId, control: id.control, delimiters: interchange.delimiters };
      const read = set.id === '855' ? read855(set, context) : set.id === '856' ? read856(set, context) : read810(set, context);
      setFindings.push(...read.findings);
      const poFindings = read.documents.length === 0 ? [] : purchaseOrderFindings(set, read.documents, (poNumber) => options.ownsPurchaseOrder(supplierId, poNumber), interchange.delimiters);
      setFindings.push(...poFindings);
      const all = dedupe(setFindings);
      const setErrors = errors(all);
      const syntaxErrors = setErrors.some((f) => f.level === 'segment' || f.level === 'element');
      const codes = [...new Set([...setErrors.filter((f) => f.level === 'set').map((f) => f.code), ...(syntaxErrors ? [SetError.SegmentsInError] : [])])];
      if (setErrors.length > 0 || read.documents.length === 0) {
        const firstError = setErrors[0];
        const onlyPurchaseOrder = poFindings.length > 0 && setErrors.every((f) => poFindings.includes(f));
        outcomes.push({ set, accepted: false, setCodes: codes.length > 0 ? codes : [SetError.SegmentsInError], findings: all });
        rejected.push({
          ...id,
          reason: onlyPurchaseOrder ? 'UNKNOWN_PURCHASE_ORDER' : syntaxErrors ? 'SYNTAX' : 'ENVELOPE',
          note: firstError === undefined ? `${set.id} ${set.controlNumber} yields no document` : `${set.id} ${set.controlNumber} rejected: ${firstError.message}`,
          findings: all,
        });
        continue;
      }
      outcomes.push({ set, accepted: true, setCodes: [], findings: all });
      const warnings = [...findings, ...group.findings, ...all].filter((f) => f.severity === 'warning');
      if (set.id === '855') {
        const docs = read.documents as PoAcknowledgment[];
        const bak = set.segments.find((s) => s.id === 'BAK');
        const purpose = bak === undefined ? '' : (textAt(bak, 1) ?? '');
        accepted.push({ ...id, kind: 'PoAcknowledgment', documents: docs, supplierId, warnings, businessKeys: docs.map((d) => `855|${supplierId}|${d.poNumber}|${purpose}|${d.ackType}|${d.acknowledgedAt}`) });
      } else if (set.id === '856') {
        const docs = read.documents as ShipNotice[];
        accepted.push({ ...id, kind: 'ShipNotice', documents: docs, supplierId, warnings, businessKeys: docs.map((d) => `856|${supplierId}|${d.shipmentId}|${d.poNumber}`) });
      } else {
        const docs = read.documents as Invoice[];
        accepted.push({ ...id, kind: 'Invoice', documents: docs, supplierId, warnings, businessKeys: docs.map((d) => `810|${supplierId}|${d.invoiceNumber}`) });
      }
    }

    if (isAckGroup || !canAnswer) continue;
    const declared = /^\d+$/.test((group.trailer?.elements[0] ?? '').trim()) ? Number(group.trailer?.elements[0]) : group.sets.length;
    const acceptedCount = outcomes.filter((o) => o.accepted).length;
    const groupCodes = [...new Set(groupErrors.map((f) => f.code))].slice(0, 5);
    const ak901 = groupErrors.length > 0 ? 'R' : group.sets.length === 0 || acceptedCount === group.sets.length ? 'A' : acceptedCount === 0 ? 'R' : 'P';
    const ackControl = controlNumbers.next();
    const gs08 = is999 ? '005010X231A1' : group.version.slice(0, 6) || '004010';
    const ack = writeInterchange(
      isaFor(ackControl),
      [
        {
          functionalId: 'FA',
          senderId: ourIds.gsId ?? ourIds.id,
          receiverId: group.senderId || header.senderId,
          controlNumber: ackControl,
          version: gs08,
          sets: [
            {
              id: is999 ? '999' : '997',
              controlNumber: '0001',
              ...(is999 ? { implementationReference: '005010X231A1' } : {}),
              body: (w) => {
                w.add('AK1', group.functionalId, group.controlNumber, is999 ? group.version : undefined);
                if (groupErrors.length === 0) for (const outcome of outcomes) writeSetResponse(w, outcome, is999);
                w.add('AK9', ak901, declared, group.sets.length, groupErrors.length > 0 ? 0 : acceptedCount, ...groupCodes);
              },
            },
          ],
        },
      ],
      delimiters,
    );
    summary.functionalAcks.push(ack);
  }
  return { summary, accepted, rejected };
};

/** A short PHI-free location for a finding: `855 0001 / BAK[2] / 03`. */
export const formatX12Location = (finding: X12Finding, set?: X12TransactionSet): string => {
  const parts: string[] = [];
  if (set !== undefined) parts.push(`${set.id} ${set.controlNumber}`);
  if (finding.segmentId !== undefined) parts.push(`${finding.segmentId}${finding.segmentPosition === undefined ? '' : `[${finding.segmentPosition}]`}`);
  if (finding.elementPosition !== undefined) parts.push(String(finding.elementPosition).padStart(2, '0'));
  return parts.join(' / ');
};


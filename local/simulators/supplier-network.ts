/**
 * Supplier network simulator (GHX-style): receives HEM's outbound 850 purchase orders over real
 * HTTP, answers each interchange with a 999 (5010) or 997 (4010) synchronously, and then plays
 * the supplier's side of the order by POSTing X12 855 / 856 / 810 documents back to HEM's
 * `POST /v1/edi/x12` with the supplier's OAuth2 client-credentials token.
 *
 * It is an independent X12 implementation on purpose: 850s are read with the npm package
 * `node-x12`, documents are written by `./x12-lite`, and nothing here imports HEM's own X12 code —
 * so HEM's parser and writer are tested against a second party.
 *
 * ```
 * POST /edi/inbound            body: X12 interchange(s) holding 850s (any Content-Type)
 *   → 200 999/997 interchange  one functional ack per group (IK5/AK5 A or R per 850, AK9 per group)
 *   → 400 TA1 interchange      envelope errors: unknown receiver (008), IEA count (021), ISA13≠IEA02 (001)
 *   → 400 text                 not X12 at all (no readable ISA)
 * GET  /health                 → 200 {status:'UP', inbox, outbox, pending}
 * GET|POST|PUT /_scenario      → read / replace the scenario (ScenarioSchema JSON)
 * GET  /_inbox, /_outbox       → what `inbox()` / `outbox()` return
 * GET|POST|PUT|DELETE /_faults → faults on POST /edi/inbound (finance simulator's FaultConfig)
 * ```
 *
 * Per accepted original 850 (999/997 said A and BEG01 = 00), with the scenario in force when it
 * arrived and every delay multiplied by `timeScale`, one chain runs in order (an 850 for a PO
 * already played, or with control numbers already seen, is acknowledged again, kept in the inbox
 * as `duplicate` and never played twice):
 * 1. after `delaysMs.ack`: an 855 (`ackVersion`, 5010 by default): BAK*00*AD (no change), AC (some
 *    line changed, backordered or rejected) or RD (every line rejected); per line the PO1 as
 *    ordered (PO104 = the new price when `priceChangePercent`) + ACK IA / IC / IB (ship date +14 d) / IR (qty 0).
 * 2. after `delaysMs.asn` (again before a second one): the 856(s) (`documentVersion`): BSN*00*ASN-<po>-<n>,
 *    HL S (DTM 011 shipped, 017 expected delivery, N1 ST as ordered, N1 SF) / O (PRF PO number) /
 *    I per line (LIN <PO line>*VN*…*UK*…, SN1 qty/uom, REF LT + DTM 036 when `lotNumbers`).
 *    Backordered and rejected lines do not ship. `partialShipment.fraction` splits every line:
 *    floor(qty × fraction) in the first 856, the rest in the second.
 * 3. after `delaysMs.invoice`: the 810 (unless `sendInvoice: false`): BIG date*INV-<po (last 18
 *    characters)>*PO date*PO number, CUR*SE, N1 ST and RE, IT1 per shipped line (IT101 = PO line number, qty, uom, unit price, VN/UK), TDS total
 *    in cents, SAC*C*D240 freight when `freight` is set; `duplicateInvoice` sends it a second time
 *    with new control numbers and the same BIG02. `invoiceUom: 'CS'` bills in cases: converted
 *    when the item master (matched by GTIN or catalog number) knows the case pack and the quantity
 *    is a whole number of cases, otherwise only the unit code changes (a true UoM mismatch).
 *
 * Every document gets fresh control numbers (ISA13 9 digits = GS06 = ST02) from one counter and
 * SE01/GE01/IEA01 counted from what is written. A document HEM answers with 5xx/429 or a network
 * error is resent with the same control numbers (that is what a resend is), up to
 * `retry.attempts`. Everything HEM answered is kept in `outbox()`. Deterministic: no randomness
 * except the default start of the control-number counter (`controlNumberStart` pins it) and the
 * clock (`clock` pins it).
 *
 * Faults on `POST /edi/inbound`: `failNext` answers `status` without reading the X12;
 * `timeoutNext` reads, acknowledges internally and plays the order but never answers (so the
 * connector's resend must be the same PO). A requested TA1 (ISA14 = 1) is not sent on success.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomInt } from 'node:crypto';
import * as z from 'zod';
import { X12Parser } from 'node-x12';
import type { X12Interchange, X12Segment, X12Transaction } from 'node-x12';
import type { Supplier, X12ControlNumbers } from '../../contracts/procurement';
import type { Item } from '../../contracts/reference';
import { buildProcurementSeed } from '../seed-procurement';
import { buildSeedData } from '../seed';
import {
  FaultConfigSchema,
  FaultInjector,
  parseJson as parseJsonText,
  readBody as readBodyLimited,
  retryAfterHeader,
  sendBody,
  sendJson,
  serveFaults,
  startSimulatorServer,
} from './http-kit';
import type { FaultConfig, SimulatorListenOptions } from './http-kit';
import {
  readDelimiters,
  readSegments,
  summarizeAck,
  writeInterchange,
  writeTa1Interchange,
  x12Cents,
  x12Date,
  x12Decimal,
  x12Time,
  isoFromX12Date,
} from './x12-lite';
import type { AckSummary, Segment, TransactionSetDraft, X12Version } from './x12-lite';

const delayMs = z.number().int().nonnegative().max(86_400_000);
const lineNumbers = z.array(z.number().int().min(1));

/** How the supplier answers each 850 (validated; every field optional on input). */
export const ScenarioSchema = z.strictObject({
  /** Release of the 855. @default '005010' */
  ackVersion: z.enum(['005010', '004010']).default('005010'),
  /** Release of the 856 and 810. @default '005010' */
  documentVersion: z.enum(['005010', '004010']).default('005010'),
  /** Waits before the 855, before each 856 and before the 810 (before `timeScale`). */
  delaysMs: z
    .strictObject({ ack: delayMs.default(100), asn: delayMs.default(200), invoice: delayMs.default(200) })
    .prefault({}),
  /** PO line numbers acknowledged IB (backordered): not shipped, not invoiced. */
  backorderLines: lineNumbers.optional(),
  /** PO line numbers acknowledged IR (rejected): not shipped, not invoiced. */
  rejectLines: lineNumbers.optional(),
  /** Accepted lines are acknowledged IC at price × (1 + p/100), rounded to cents, and invoiced at it. */
  priceChangePercent: z.number().gt(-100).max(1000).optional(),
  /** Ship in two 856s: floor(qty × fraction) first, the rest second. */
  partialShipment: z.strictObject({ fraction: z.number().gt(0).lt(1) }).optional(),
  /** Unit of measure of the 810 lines. @default 'as-ordered' */
  invoiceUom: z.enum(['CS', 'as-ordered']).default('as-ordered'),
  /** Send the 810 twice (second with new control numbers, same invoice number). @default false */
  duplicateInvoice: z.boolean().default(false),
  /** Freight charge (SAC*C*D240) added to the 810 and its TDS total. */
  freight: z.number().nonnegative().max(1_000_000).optional(),
  /** Whether an 810 is sent at all. @default true */
  sendInvoice: z.boolean().default(true),
  /** REF*LT lot and DTM*036 expiry on every 856 item. @default true */
  lotNumbers: z.boolean().default(true),
});
/** A scenario as callers write it (every knob optional). */
export type Scenario = z.input<typeof ScenarioSchema>;
/** A scenario with every default filled in. */
export type ResolvedScenario = z.output<typeof ScenarioSchema>;

/** One PO1 line of a received 850. */
export interface ReceivedPoLine {
  lineNumber: number;
  quantity: number;
  uom: string;
  unitPrice: number;
  /** VN. */
  supplierCatalogNumber?: string;
  /** UK (GTIN-14). */
  gtin?: string;
  /** BP / IN: the buyer's item id. */
  buyerItemId?: string;
  /** PID*F description. */
  description?: string;
}

/** An N1 party of a received 850. */
export interface ReceivedParty {
  /** N101: BY, ST, BT, SU… */
  code: string;
  name?: string;
  /** N103: UL (GLN), 1 (DUNS), 92 (assigned by buyer)… */
  idQualifier?: string;
  id?: string;
}

/** One 850 transaction set the network received, with the functional ack it got. */
export interface InboxEntry {
  receivedAt: string;
  /** Supplier the interchange was addressed to (ISA08); undefined when unknown. */
  supplierId?: string;
  control: X12ControlNumbers;
  /** ISA15. */
  usage: string;
  /** IK501/AK501 the network answered for this set. */
  ackCode: 'A' | 'R';
  /** Why it was rejected (IK3/IK4 in words). */
  errors: string[];
  /** True when the same PO (or the same control numbers) arrived before: acknowledged, not replayed. */
  duplicate: boolean;
  /** BEG03 (empty when missing). */
  poNumber: string;
  /** BEG01 / BEG02. */
  purpose: string;
  orderType: string;
  /** BEG05 as an ISO date. */
  orderDate?: string;
  /** CUR02. */
  currency?: string;
  parties: ReceivedParty[];
  lines: ReceivedPoLine[];
}

/** What the network did with one line, per the scenario. */
export interface PlannedLine extends ReceivedPoLine {
  ackCode: 'IA' | 'IC' | 'IB' | 'IR';
  /** Unit price the supplier confirms and bills. */
  confirmedPrice: number;
}

/** One document the network POSTed to HEM, with HEM's answer. */
export interface OutboxEntry {
  documentType: '855' | '856' | '810';
  supplierId: string;
  poNumber: string;
  /** Seller order number (855), shipment id (856) or invoice number (810). */
  documentNumber: string;
  /** 1-based occurrence of this document type for the PO (2 = second 856, or the duplicate 810). */
  sequence: number;
  control: X12ControlNumbers;
  /** The interchange as sent. */
  x12: string;
  sentAt: string;
  attempts: number;
  /** Last HTTP status from HEM; undefined when no answer arrived. */
  httpStatus?: number;
  /** HEM's answer as text (the 999/997/TA1, or an error body). */
  response?: string;
  /** HEM's answer summarized. */
  hemAck: AckSummary;
  /** Why the document could not be delivered (token, network, 4xx). */
  error?: string;
}

export interface SupplierNetworkOptions extends SimulatorListenOptions {
  /** HEM's base URL; documents go to `${hemBaseUrl}/v1/edi/x12`. */
  hemBaseUrl: string;
  /** A client-credentials access token for the supplier (called before every POST; cache as you like). */
  tokenFor: (supplierId: string) => Promise<string>;
  scenario?: Scenario;
  /** Multiplies every delay (0.01 = a hundred times faster). @default 1 */
  timeScale?: number;
  /** Trading partners by ISA id. @default buildProcurementSeed().suppliers */
  suppliers?: readonly Supplier[];
  /** Item master for `invoiceUom: 'CS'` conversions. @default buildSeedData().items */
  items?: readonly Item[];
  /** First control number (1–999999999). @default a random start, so restarts never reuse numbers */
  controlNumberStart?: number;
  /** @default () => new Date() */
  clock?: () => Date;
  /**
   * Resends on network errors, timeouts, 429 and 5xx: `attempts` in all, waiting backoffMs × attempt
   * × timeScale between them; each POST gives up after `timeoutMs`.
   * @default {attempts: 3, backoffMs: 200, timeoutMs: 10000}
   */
  retry?: { attempts?: number; backoffMs?: number; timeoutMs?: number };
  /** Faults on `POST /edi/inbound`. */
  faults?: FaultConfig;
}

export interface SupplierNetwork {
  /** Base URL (no trailing slash); HEM's connector posts 850s to `${url}/edi/inbound`. */
  url: string;
  /** Every 850 received, in arrival order (copies). */
  inbox(): InboxEntry[];
  /** Every document sent to HEM, in sending order (copies). */
  outbox(): OutboxEntry[];
  /** Replaces the scenario for 850s that arrive from now on. */
  setScenario(scenario: Scenario): void;
  scenario(): ResolvedScenario;
  setFaults(faults: FaultConfig): void;
  /** Resolves when no document is scheduled or in flight. */
  whenIdle(): Promise<void>;
  /** Cancels scheduled documents, aborts in-flight POSTs, stops listening. */
  stop(): Promise<void>;
}

/** Where documents go on HEM. */
export const HEM_X12_PATH = '/v1/edi/x12';
const INBOUND_PATH = '/edi/inbound';
const MAX_BODY_BYTES = 5_242_880;
const DAY_MS = 86_400_000;

/** A request the simulator refuses (control routes only; X12 errors are answered in X12). */
class NetworkRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

const readBody = (req: IncomingMessage): Promise<string> =>
  readBodyLimited(req, MAX_BODY_BYTES, () => new NetworkRequestError(413, 'Request body too large'));

const parseJson = (text: string): unknown => parseJsonText(text, () => new NetworkRequestError(400, 'Request body is not valid JSON'));

const zodDetails = (error: z.ZodError): string[] => error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);

/** Element `position` (1-based) of a node-x12 segment, trimmed; '' when absent. */
const el = (segment: X12Segment | undefined, position: number): string => (segment?.valueOf(position, '') ?? '').trim();

const roundCents = (value: number): number => Math.round(value * 100) / 100;

const addDays = (at: Date, days: number): Date => new Date(at.getTime() + days * DAY_MS);

/** X12 release of an ISA12/GS08 value: 4010 for anything 00401…, 5010 otherwise. */
const versionOf = (value: string): X12Version => (value.startsWith('00401') || value.startsWith('004010') ? '004010' : '005010');

/** Splits a body into its interchanges (ISA…IEA) as text, using the first ISA's delimiters. */
const splitInterchanges = (text: string): string[] => {
  const delimiters = readDelimiters(text);
  if (delimiters === undefined) {
    return [];
  }
  const out: string[] = [];
  let current: string[] = [];
  for (const segment of readSegments(text)) {
    current.push(segment.join(delimiters.element));
    if (segment[0] === 'IEA') {
      out.push(current.join(delimiters.segment) + delimiters.segment);
      current = [];
    }
  }
  if (current.length > 0) {
    out.push(current.join(delimiters.segment) + delimiters.segment);
  }
  return out;
};

/** An error found in one 850, as IK3/IK4 (AK3/AK4) say it. */
interface SetError {
  segmentId: string;
  /** Position of the segment in the set (ST = 1). */
  position: number;
  /** IK304: 1 unrecognized, 3 mandatory segment missing, 8 segment has data element errors. */
  segmentCode: string;
  element?: { position: number; code: string };
  text: string;
}

/** Checks an 850 transaction set; returns the IK5 code and the errors. */
const validate850 = (set: X12Transaction): { code: 'A' | 'R'; reason?: string; errors: SetError[] } => {
  const st02 = el(set.header, 2);
  if (el(set.header, 1) !== '850') {
    return { code: 'R', reason: '1', errors: [{ segmentId: 'ST', position: 1, segmentCode: '8', element: { position: 1, code: '7' }, text: `transaction set ${el(set.header, 1)} is not supported` }] };
  }
  const trailer = set.trailer as X12Segment | undefined;
  if (trailer === undefined) {
    return { code: 'R', reason: '2', errors: [{ segmentId: 'SE', position: set.segments.length + 2, segmentCode: '3', text: 'SE trailer missing' }] };
  }
  if (el(trailer, 2) !== st02) {
    return { code: 'R', reason: '3', errors: [{ segmentId: 'SE', position: set.segments.length + 2, segmentCode: '8', element: { position: 2, code: '7' }, text: `SE02 ${el(trailer, 2)} does not match ST02 ${st02}` }] };
  }
  if (el(trailer, 1) !== String(set.segments.length + 2)) {
    return { code: 'R', reason: '4', errors: [{ segmentId: 'SE', position: set.segments.length + 2, segmentCode: '8', element: { position: 1, code: '7' }, text: `SE01 ${el(trailer, 1)} but ${set.segments.length + 2} segments` }] };
  }
  const errors: SetError[] = [];
  const position = (segment: X12Segment): number => set.segments.indexOf(segment) + 2;
  const beg = set.segments.find((s) => s.tag === 'BEG');
  if (beg === undefined) {
    errors.push({ segmentId: 'BEG', position: 2, segmentCode: '3', text: 'BEG missing' });
  } else if (el(beg, 3) === '') {
    errors.push({ segmentId: 'BEG', position: position(beg), segmentCode: '8', element: { position: 3, code: '1' }, text: 'BEG03 (PO number) missing' });
  }
  const po1s = set.segments.filter((s) => s.tag === 'PO1');
  if (po1s.length === 0) {
    errors.push({ segmentId: 'PO1', position: set.segments.length + 1, segmentCode: '3', text: 'no PO1 line' });
  }
  const seen = new Set<string>();
  for (const po1 of po1s) {
    const at = position(po1);
    const line = el(po1, 1);
    if (!/^\d+$/.test(line) || Number(line) < 1) {
      errors.push({ segmentId: 'PO1', position: at, segmentCode: '8', element: { position: 1, code: line === '' ? '1' : '6' }, text: `PO101 line number "${line}" invalid` });
    } else if (seen.has(line)) {
      errors.push({ segmentId: 'PO1', position: at, segmentCode: '8', element: { position: 1, code: '7' }, text: `PO101 line number ${line} repeated` });
    }
    seen.add(line);
    const quantity = Number(el(po1, 2));
    if (el(po1, 2) === '' || !Number.isFinite(quantity) || quantity <= 0) {
      errors.push({ segmentId: 'PO1', position: at, segmentCode: '8', element: { position: 2, code: el(po1, 2) === '' ? '1' : '6' }, text: `PO102 quantity "${el(po1, 2)}" invalid` });
    }
    if (el(po1, 3) === '') {
      errors.push({ segmentId: 'PO1', position: at, segmentCode: '8', element: { position: 3, code: '1' }, text: 'PO103 unit of measure missing' });
    }
    const price = Number(el(po1, 4));
    if (el(po1, 4) === '' || !Number.isFinite(price) || price < 0) {
      errors.push({ segmentId: 'PO1', position: at, segmentCode: '8', element: { position: 4, code: el(po1, 4) === '' ? '1' : '6' }, text: `PO104 unit price "${el(po1, 4)}" invalid` });
    }
  }
  const ctt = set.segments.find((s) => s.tag === 'CTT');
  if (ctt !== undefined && el(ctt, 1) !== String(po1s.length)) {
    errors.push({ segmentId: 'CTT', position: position(ctt), segmentCode: '8', element: { position: 1, code: '7' }, text: `CTT01 ${el(ctt, 1)} but ${po1s.length} PO1 lines` });
  }
  return errors.length === 0 ? { code: 'A', errors } : { code: 'R', reason: '5', errors };
};

/** Reads the business content of an 850 that passed `validate850`. */
const read850 = (set: X12Transaction): Pick<InboxEntry, 'poNumber' | 'purpose' | 'orderType' | 'orderDate' | 'currency' | 'parties' | 'lines'> => {
  const beg = set.segments.find((s) => s.tag === 'BEG');
  const cur = set.segments.find((s) => s.tag === 'CUR');
  const parties: ReceivedParty[] = set.segments
    .filter((s) => s.tag === 'N1')
    .map((n1) => ({
      code: el(n1, 1),
      ...(el(n1, 2) === '' ? {} : { name: el(n1, 2) }),
      ...(el(n1, 3) === '' ? {} : { idQualifier: el(n1, 3) }),
      ...(el(n1, 4) === '' ? {} : { id: el(n1, 4) }),
    }));
  const lines: ReceivedPoLine[] = [];
  for (const segment of set.segments) {
    if (segment.tag === 'PO1') {
      const line: ReceivedPoLine = { lineNumber: Number(el(segment, 1)), quantity: Number(el(segment, 2)), uom: el(segment, 3), unitPrice: Number(el(segment, 4)) };
      // PO106/07, PO108/09 … PO124/25: product id qualifier / id pairs.
      for (let q = 6; q + 1 <= 25; q += 2) {
        const qualifier = el(segment, q);
        const id = el(segment, q + 1);
        if (qualifier === '' || id === '') {
          continue;
        }
        if (qualifier === 'VN') {
          line.supplierCatalogNumber = id;
        } else if (qualifier === 'UK' || qualifier === 'EN' || qualifier === 'UP') {
          line.gtin ??= id;
        } else if (qualifier === 'BP' || qualifier === 'IN') {
          line.buyerItemId ??= id;
        }
      }
      lines.push(line);
    } else if (segment.tag === 'PID' && el(segment, 1) === 'F' && lines.length > 0) {
      const last = lines[lines.length - 1];
      if (last !== undefined && last.description === undefined && el(segment, 5) !== '') {
        last.description = el(segment, 5);
      }
    }
  }
  const orderDate = isoFromX12Date(el(beg, 5));
  return {
    poNumber: el(beg, 3),
    purpose: el(beg, 1),
    orderType: el(beg, 2),
    ...(orderDate === undefined ? {} : { orderDate }),
    ...(cur !== undefined && el(cur, 2) !== '' ? { currency: el(cur, 2) } : {}),
    parties,
    lines,
  };
};

/** The product id pairs (VN / UK) of a line as PO1/LIN/IT1 elements. */
const productIds = (line: ReceivedPoLine): string[] => [
  ...(line.supplierCatalogNumber === undefined ? [] : ['VN', line.supplierCatalogNumber]),
  ...(line.gtin === undefined ? [] : ['UK', line.gtin]),
];

/** An N1 segment for a party as received. */
const n1Of = (party: ReceivedParty): Segment => ['N1', party.code, party.name ?? '', party.idQualifier ?? '', party.id ?? ''];

/** Starts the supplier network on loopback. */
export async function startSupplierNetwork(options: SupplierNetworkOptions): Promise<SupplierNetwork> {
  const hemBaseUrl = options.hemBaseUrl.replace(/\/+$/, '');
  const timeScale = options.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale < 0) {
    throw new RangeError('timeScale must be a non-negative number');
  }
  const clock = options.clock ?? ((): Date => new Date());
  const retryAttempts = Math.max(1, options.retry?.attempts ?? 3);
  const retryBackoffMs = Math.max(0, options.retry?.backoffMs ?? 200);
  const requestTimeoutMs = Math.max(1, options.retry?.timeoutMs ?? 10_000);
  const suppliers = options.suppliers ?? buildProcurementSeed().suppliers;
  let items = options.items;
  let scenario: ResolvedScenario = ScenarioSchema.parse(options.scenario ?? {});
  const faults = new FaultInjector(FaultConfigSchema, options.faults ?? {});
  let nextControl = options.controlNumberStart ?? randomInt(100_000_000, 900_000_000);
  if (!Number.isInteger(nextControl) || nextControl < 1 || nextControl > 999_999_999) {
    throw new RangeError('controlNumberStart must be a whole number in 1…999999999');
  }

  const inbox: InboxEntry[] = [];
  const outbox: OutboxEntry[] = [];
  /** Sender + ISA13/GS06/ST02 of every 850 seen, and supplier + PO number of every order played. */
  const seenControls = new Set<string>();
  const seenOrders = new Set<string>();
  const sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const abort = new AbortController();
  let pending = 0;
  let idleWaiters: (() => void)[] = [];
  let stopped = false;

  const takeControlNumber = (): number => {
    const n = nextControl;
    nextControl = nextControl >= 999_999_999 ? 1 : nextControl + 1;
    return n;
  };

  const supplierByIsaId = (qualifier: string, id: string): Supplier | undefined =>
    suppliers.find((s) => s.x12.isaId === id && (qualifier === '' || s.x12.isaQualifier === qualifier));

  /** A wait of `ms` × `timeScale` (or exactly `ms` when `scaled` is false) that `stop()` cuts short. */
  const sleep = (ms: number, scaled = true): Promise<void> =>
    new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(
          () => {
            sleepers.delete(sleeper);
            resolve();
          },
          scaled ? ms * timeScale : ms,
        ),
        resolve,
      };
      sleepers.add(sleeper);
    });

  const settle = (): void => {
    if (pending === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const waiter of waiters) {
        waiter();
      }
    }
  };

  // ---------------------------------------------------------------- outbound documents

  interface Party {
    supplier: Supplier;
    /** HEM as the receiver: ISA05/06 and GS02 of the 850. */
    buyerQualifier: string;
    buyerId: string;
    buyerGsId: string;
    usage: 'P' | 'T';
  }

  const envelopeFor = (party: Party, version: X12Version, functionalId: string, control: number, at: Date): Parameters<typeof writeInterchange>[0] => ({
    version,
    senderQualifier: party.supplier.x12.isaQualifier,
    senderId: party.supplier.x12.isaId,
    receiverQualifier: party.buyerQualifier,
    receiverId: party.buyerId,
    groupSenderId: party.supplier.x12.gsId,
    groupReceiverId: party.buyerGsId,
    functionalId,
    interchangeControlNumber: control,
    groupControlNumber: control,
    usage: party.usage,
    at,
  });

  /** Writes one document with fresh control numbers. */
  const writeDocument = (party: Party, version: X12Version, functionalId: string, setId: string, segments: Segment[]): { text: string; control: X12ControlNumbers } => {
    const at = clock();
    const n = takeControlNumber();
    const st02 = String(n).padStart(4, '0');
    const { text, control } = writeInterchange(envelopeFor(party, version, functionalId, n, at), [{ id: setId, controlNumber: st02, segments }]);
    return {
      text,
      control: {
        interchange: control.interchange,
        group: control.group,
        transactionSet: st02,
        version,
        senderId: party.supplier.x12.isaId,
        receiverId: party.buyerId,
      },
    };
  };

  /** POSTs one document to HEM with retries; records the outcome in the outbox. */
  const deliver = async (
    party: Party,
    documentType: OutboxEntry['documentType'],
    poNumber: string,
    documentNumber: string,
    sequence: number,
    written: { text: string; control: X12ControlNumbers },
  ): Promise<void> => {
    const entry: OutboxEntry = {
      documentType,
      supplierId: party.supplier.supplierId,
      poNumber,
      documentNumber,
      sequence,
      control: written.control,
      x12: written.text,
      sentAt: clock().toISOString(),
      attempts: 0,
      hemAck: { type: 'NONE', transactionSets: [] },
    };
    for (let attempt = 1; attempt <= retryAttempts && !stopped; attempt += 1) {
      entry.attempts = attempt;
      let retryable: boolean;
      try {
        const token = await options.tokenFor(party.supplier.supplierId);
        const response = await fetch(`${hemBaseUrl}${HEM_X12_PATH}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/edi-x12' },
          body: written.text,
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(requestTimeoutMs)]),
        });
        entry.httpStatus = response.status;
        entry.response = await response.text();
        entry.hemAck = summarizeAck(entry.response);
        if (response.ok) {
          delete entry.error;
          break;
        }
        entry.error = `HEM answered ${response.status}`;
        retryable = response.status === 429 || response.status >= 500;
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
        retryable = !stopped;
      }
      if (!retryable || attempt === retryAttempts) {
        break;
      }
      await sleep(retryBackoffMs * attempt);
    }
    outbox.push(entry);
  };

  /** Decides per line what the supplier does, from the scenario. */
  const plan = (order: InboxEntry, sc: ResolvedScenario): PlannedLine[] =>
    order.lines.map((line) => {
      if (sc.rejectLines?.includes(line.lineNumber) === true) {
        return { ...line, ackCode: 'IR', confirmedPrice: line.unitPrice };
      }
      if (sc.backorderLines?.includes(line.lineNumber) === true) {
        return { ...line, ackCode: 'IB', confirmedPrice: line.unitPrice };
      }
      if (sc.priceChangePercent !== undefined && sc.priceChangePercent !== 0) {
        return { ...line, ackCode: 'IC', confirmedPrice: roundCents(line.unitPrice * (1 + sc.priceChangePercent / 100)) };
      }
      return { ...line, ackCode: 'IA', confirmedPrice: line.unitPrice };
    });

  const build855 = (order: InboxEntry, lines: PlannedLine[], at: Date): Segment[] => {
    const allRejected = lines.every((l) => l.ackCode === 'IR');
    const changed = lines.some((l) => l.ackCode !== 'IA');
    const ackType = allRejected ? 'RD' : changed ? 'AC' : 'AD';
    const segments: Segment[] = [['BAK', '00', ackType, order.poNumber, order.orderDate?.replaceAll('-', '') ?? x12Date(at), '', '', '', `SO-${order.poNumber}`, x12Date(at)]];
    const shipTo = order.parties.find((p) => p.code === 'ST');
    if (shipTo !== undefined) {
      segments.push(n1Of(shipTo));
    }
    for (const line of lines) {
      segments.push(['PO1', String(line.lineNumber), x12Decimal(line.quantity), line.uom, x12Decimal(line.confirmedPrice), '', ...productIds(line)]);
      const committed = line.ackCode === 'IR' ? 0 : line.quantity;
      const shipDate = line.ackCode === 'IB' ? addDays(at, 14) : addDays(at, 1);
      segments.push(['ACK', line.ackCode, x12Decimal(committed), line.uom, '068', x12Date(shipDate)]);
    }
    segments.push(['CTT', String(lines.length)]);
    return segments;
  };

  /** Quantities of each shipment: one, or two when `partialShipment` splits at least one line. */
  const shipments = (lines: PlannedLine[], sc: ResolvedScenario): { line: PlannedLine; quantity: number }[][] => {
    const shipping = lines.filter((l) => l.ackCode === 'IA' || l.ackCode === 'IC');
    if (sc.partialShipment === undefined) {
      return [shipping.map((line) => ({ line, quantity: line.quantity }))];
    }
    const { fraction } = sc.partialShipment;
    const first = shipping.map((line) => ({ line, quantity: Math.floor(line.quantity * fraction) })).filter((s) => s.quantity > 0);
    if (first.length === 0) {
      return [shipping.map((line) => ({ line, quantity: line.quantity }))];
    }
    const second = shipping
      .map((line) => ({ line, quantity: roundQuantity(line.quantity - (first.find((f) => f.line === line)?.quantity ?? 0)) }))
      .filter((s) => s.quantity > 0);
    return second.length === 0 ? [first] : [first, second];
  };

  const build856 = (order: InboxEntry, party: Party, shipmentId: string, shipped: { line: PlannedLine; quantity: number }[], sc: ResolvedScenario, at: Date): Segment[] => {
    const segments: Segment[] = [
      ['BSN', '00', shipmentId, x12Date(at), x12Time(at), '0004'],
      ['HL', '1', '', 'S'],
      ['DTM', '011', x12Date(at)],
      ['DTM', '017', x12Date(addDays(at, 1))],
    ];
    const shipTo = order.parties.find((p) => p.code === 'ST');
    if (shipTo !== undefined) {
      segments.push(n1Of(shipTo));
    }
    segments.push(supplierN1('SF', party.supplier));
    segments.push(['HL', '2', '1', 'O']);
    segments.push(['PRF', order.poNumber, '', '', order.orderDate?.replaceAll('-', '') ?? '']);
    let hl = 2;
    for (const { line, quantity } of shipped) {
      hl += 1;
      segments.push(['HL', String(hl), '2', 'I']);
      segments.push(['LIN', String(line.lineNumber), ...productIds(line)]);
      segments.push(['SN1', '', x12Decimal(quantity), line.uom]);
      if (sc.lotNumbers) {
        segments.push(['REF', 'LT', `L${x12Date(at).slice(2)}${String(line.lineNumber).padStart(3, '0')}`]);
        segments.push(['DTM', '036', x12Date(addDays(at, 730))]);
      }
    }
    segments.push(['CTT', String(hl)]);
    return segments;
  };

  /** Converts a line to cases when the item master allows it exactly; otherwise only relabels it. */
  const inCases = (line: PlannedLine, quantity: number): { quantity: number; uom: string; unitPrice: number } => {
    items ??= buildSeedData().items;
    const item = items.find((i) => (line.gtin !== undefined && i.gtin === line.gtin) || (line.supplierCatalogNumber !== undefined && i.supplierCatalogNumber === line.supplierCatalogNumber));
    const orderedFactor = item?.conversions.find((c) => c.uom === line.uom)?.factor;
    const caseFactor = item?.conversions.find((c) => c.uom === 'CS')?.factor;
    if (orderedFactor !== undefined && caseFactor !== undefined) {
      const cases = (quantity * orderedFactor) / caseFactor;
      if (Math.abs(cases - Math.round(cases)) < 1e-9 && Math.round(cases) > 0) {
        return { quantity: Math.round(cases), uom: 'CS', unitPrice: Math.round(((line.confirmedPrice * caseFactor) / orderedFactor) * 10_000) / 10_000 };
      }
    }
    return { quantity, uom: 'CS', unitPrice: line.confirmedPrice };
  };

  const build810 = (order: InboxEntry, party: Party, invoiceNumber: string, shipped: { line: PlannedLine; quantity: number }[], sc: ResolvedScenario, at: Date): Segment[] => {
    const segments: Segment[] = [
      ['BIG', x12Date(at), invoiceNumber, order.orderDate?.replaceAll('-', '') ?? '', order.poNumber],
      ['CUR', 'SE', order.currency ?? 'USD'],
    ];
    const shipTo = order.parties.find((p) => p.code === 'ST');
    if (shipTo !== undefined) {
      segments.push(n1Of(shipTo));
    }
    segments.push(supplierN1('RE', party.supplier));
    let total = 0;
    for (const { line, quantity } of shipped) {
      const billed = sc.invoiceUom === 'CS' ? inCases(line, quantity) : { quantity, uom: line.uom, unitPrice: line.confirmedPrice };
      total += roundCents(billed.quantity * billed.unitPrice);
      segments.push(['IT1', String(line.lineNumber), x12Decimal(billed.quantity), billed.uom, x12Decimal(billed.unitPrice), '', ...productIds(line)]);
    }
    const freight = sc.freight ?? 0;
    total = roundCents(total + freight);
    segments.push(['TDS', x12Cents(total)]);
    if (freight > 0) {
      segments.push(['SAC', 'C', 'D240', '', '', x12Cents(freight)]);
    }
    segments.push(['CTT', String(shipped.length)]);
    return segments;
  };

  /** Plays the supplier's side of one accepted 850: 855, 856(s), 810(s), in that order. */
  const play = async (order: InboxEntry, party: Party, sc: ResolvedScenario): Promise<void> => {
    const lines = plan(order, sc);
    await sleep(sc.delaysMs.ack);
    if (stopped) {
      return;
    }
    const ackAt = clock();
    await deliver(party, '855', order.poNumber, `SO-${order.poNumber}`, 1, writeDocument(party, sc.ackVersion, 'PR', '855', build855(order, lines, ackAt)));

    const plannedShipments = shipments(lines, sc);
    if (plannedShipments[0]?.length === 0) {
      return;
    }
    for (const [index, shipped] of plannedShipments.entries()) {
      await sleep(sc.delaysMs.asn);
      if (stopped) {
        return;
      }
      const shipmentId = `ASN-${order.poNumber}-${index + 1}`;
      await deliver(party, '856', order.poNumber, shipmentId, index + 1, writeDocument(party, sc.documentVersion, 'SH', '856', build856(order, party, shipmentId, shipped, sc, clock())));
    }

    if (!sc.sendInvoice) {
      return;
    }
    await sleep(sc.delaysMs.invoice);
    if (stopped) {
      return;
    }
    const shippedTotals = new Map<PlannedLine, number>();
    for (const { line, quantity } of plannedShipments.flat()) {
      shippedTotals.set(line, roundQuantity((shippedTotals.get(line) ?? 0) + quantity));
    }
    const billedLines = [...shippedTotals].map(([line, quantity]) => ({ line, quantity }));
    // BIG02 holds at most 22 characters.
    const invoiceNumber = `INV-${order.poNumber.slice(-18)}`;
    const segments = build810(order, party, invoiceNumber, billedLines, sc, clock());
    const copies = sc.duplicateInvoice ? 2 : 1;
    for (let copy = 1; copy <= copies && !stopped; copy += 1) {
      await deliver(party, '810', order.poNumber, invoiceNumber, copy, writeDocument(party, sc.documentVersion, 'IN', '810', segments));
    }
  };

  const schedule = (order: InboxEntry, party: Party, sc: ResolvedScenario): void => {
    pending += 1;
    play(order, party, sc)
      .catch(() => {
        // deliver() records its own failures; anything else here is a stopped network.
      })
      .finally(() => {
        pending -= 1;
        settle();
      });
  };

  // ---------------------------------------------------------------- inbound 850s

  /** Answers one interchange: a TA1 (envelope error) or a 999/997 per group; schedules accepted orders. */
  const receiveInterchange = (text: string): { status: number; body: string } => {
    const at = clock();
    let interchange: X12Interchange;
    try {
      interchange = new X12Parser(false).parse(text) as X12Interchange;
    } catch (error) {
      return { status: 400, body: `not a readable X12 interchange: ${error instanceof Error ? error.message : String(error)}` };
    }
    const isa = interchange.header;
    const senderQualifier = el(isa, 5);
    const senderId = el(isa, 6);
    const receiverQualifier = el(isa, 7);
    const receiverId = el(isa, 8);
    // node-x12 drops the leading zeros of ISA13/IEA02; the control number is the 9 digits as sent.
    const raw = readSegments(text);
    const isa13 = (raw[0]?.[13] ?? '').trim();
    const rawIea = raw.findLast((segment) => segment[0] === 'IEA');
    const version = versionOf(el(isa, 12));
    const usage = el(isa, 15) === 'T' ? 'T' : 'P';
    const supplier = supplierByIsaId(receiverQualifier, receiverId);

    const ta1 = (noteCode: string): { status: number; body: string } => ({
      status: 400,
      body: writeTa1Interchange(
        {
          version,
          senderQualifier: supplier?.x12.isaQualifier ?? receiverQualifier,
          senderId: supplier?.x12.isaId ?? receiverId,
          receiverQualifier: senderQualifier,
          receiverId: senderId,
          interchangeControlNumber: takeControlNumber(),
          usage,
          at,
        },
        { acknowledgedControlNumber: isa13, acknowledgedDate: el(isa, 9), acknowledgedTime: el(isa, 10), code: 'R', noteCode },
      ),
    });

    if (supplier === undefined) {
      return ta1('008');
    }
    if (rawIea === undefined || (rawIea[2] ?? '').trim() !== isa13) {
      return ta1('001');
    }
    if ((rawIea[1] ?? '').trim() !== String(interchange.functionalGroups.length)) {
      return ta1('021');
    }

    const party: Party = { supplier, buyerQualifier: senderQualifier, buyerId: senderId, buyerGsId: '', usage };
    const acks: string[] = [];
    for (const group of interchange.functionalGroups) {
      const gs = group.header;
      const gs06 = el(gs, 6);
      const groupVersion = versionOf(el(gs, 8) || el(isa, 12));
      const groupParty: Party = { ...party, buyerGsId: el(gs, 2) || senderId };
      const ge = group.trailer as X12Segment | undefined;
      const results = group.transactions.map((set) => {
        const verdict = el(gs, 1) === 'PO' ? validate850(set) : { code: 'R' as const, reason: '1', errors: [] as SetError[] };
        return { set, verdict };
      });
      let groupError: string | undefined;
      if (el(gs, 1) !== 'PO') {
        groupError = '1';
      } else if (ge === undefined || el(ge, 2) !== gs06) {
        groupError = '4';
      } else if (el(ge, 1) !== String(group.transactions.length)) {
        groupError = '5';
      }

      const is999 = groupVersion === '005010';
      const body: Segment[] = [is999 ? ['AK1', el(gs, 1), gs06, el(gs, 8)] : ['AK1', el(gs, 1), gs06]];
      let accepted = 0;
      for (const { set, verdict } of results) {
        const st02 = el(set.header, 2);
        const rejected = verdict.code === 'R' || groupError !== undefined;
        body.push(['AK2', el(set.header, 1), st02]);
        for (const error of verdict.errors) {
          body.push([is999 ? 'IK3' : 'AK3', error.segmentId, String(error.position), '', error.segmentCode]);
          if (error.element !== undefined) {
            body.push([is999 ? 'IK4' : 'AK4', String(error.element.position), '', error.element.code]);
          }
        }
        body.push([is999 ? 'IK5' : 'AK5', rejected ? 'R' : 'A', ...(verdict.reason === undefined ? [] : [verdict.reason])]);
        if (!rejected) {
          accepted += 1;
        }

        const control: X12ControlNumbers = {
          interchange: isa13,
          group: gs06,
          transactionSet: st02,
          version: el(gs, 8) || el(isa, 12),
          senderId,
          receiverId,
        };
        const content = verdict.code === 'A' ? read850(set) : { poNumber: el(set.segments.find((s) => s.tag === 'BEG'), 3), purpose: '', orderType: '', parties: [], lines: [] };
        // Control numbers are unique per trading-partner pair: HEM numbers its 850s per supplier.
        const controlKey = `${senderQualifier}|${senderId}|${supplier.supplierId}|${isa13}|${gs06}|${st02}`;
        const orderKey = `${supplier.supplierId}|${content.poNumber}`;
        const duplicate = !rejected && (seenControls.has(controlKey) || seenOrders.has(orderKey));
        const entry: InboxEntry = {
          receivedAt: at.toISOString(),
          supplierId: supplier.supplierId,
          control,
          usage,
          ackCode: rejected ? 'R' : 'A',
          errors: [...verdict.errors.map((e) => e.text), ...(groupError === undefined ? [] : [`functional group error ${groupError}`])],
          duplicate,
          ...content,
        };
        inbox.push(entry);
        // Only an original order (BEG01 00) is played; a change or cancellation is acknowledged and kept.
        if (!rejected && !duplicate && content.purpose === '00') {
          seenControls.add(controlKey);
          seenOrders.add(orderKey);
          schedule(structuredClone(entry), groupParty, scenario);
        }
      }
      const received = results.length;
      const groupCode = groupError !== undefined || accepted === 0 ? 'R' : accepted === received ? 'A' : 'P';
      body.push(['AK9', groupCode, ge === undefined ? String(received) : el(ge, 1), String(received), String(accepted), ...(groupError === undefined ? [] : [groupError])]);
      const n = takeControlNumber();
      const set: TransactionSetDraft = {
        id: is999 ? '999' : '997',
        controlNumber: String(n).padStart(4, '0'),
        ...(is999 ? { implementationReference: '005010X231A1' } : {}),
        segments: body,
      };
      acks.push(writeInterchange(envelopeFor(groupParty, groupVersion, 'FA', n, at), [set]).text);
    }
    return { status: 200, body: acks.join('') };
  };

  const handleInbound = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const fault = faults.take();
    const text = await readBody(req);
    const latency = faults.latencyMs();
    if (latency > 0) {
      await sleep(latency, false);
    }
    if (fault?.kind === 'fail') {
      sendBody(res, fault.status, 'text/plain', 'supplier network unavailable (injected fault)', retryAfterHeader(fault));
      return;
    }
    const interchanges = splitInterchanges(text);
    if (interchanges.length === 0) {
      if (fault?.kind !== 'timeout') {
        sendBody(res, 400, 'text/plain', 'not an X12 interchange: no readable ISA segment');
      }
      return;
    }
    const answers = interchanges.map(receiveInterchange);
    if (fault?.kind === 'timeout') {
      // Processed (the orders will play) but never answered: the connector's resend must be deduplicated.
      return;
    }
    sendBody(res, answers.some((a) => a.status !== 200) ? 400 : 200, 'application/edi-x12', answers.map((a) => a.body).join(''));
  };

  const handleScenario = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'POST' || req.method === 'PUT') {
      const parsed = ScenarioSchema.safeParse(parseJson(await readBody(req)));
      if (!parsed.success) {
        throw new NetworkRequestError(400, 'Scenario is invalid', zodDetails(parsed.error));
      }
      scenario = parsed.data;
    } else if (req.method !== 'GET') {
      throw new NetworkRequestError(405, 'Method not allowed');
    }
    sendJson(res, 200, scenario);
  };

  const faultRefusals = {
    readJson: async (req: IncomingMessage): Promise<unknown> => parseJson(await readBody(req)),
    invalid: (error: z.ZodError): NetworkRequestError => new NetworkRequestError(400, 'Fault configuration is invalid', zodDetails(error)),
    // This network never sent an Allow header; keep its 405 as it was.
    methodNotAllowed: (): NetworkRequestError => new NetworkRequestError(405, 'Method not allowed'),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://supplier-network.local');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === INBOUND_PATH) {
      if (req.method !== 'POST') {
        throw new NetworkRequestError(405, 'Method not allowed');
      }
      await handleInbound(req, res);
      return;
    }
    if (path === '/health' && req.method === 'GET') {
      sendJson(res, 200, { status: 'UP', service: 'supplier-network', inbox: inbox.length, outbox: outbox.length, pending });
      return;
    }
    if (path === '/_scenario') {
      await handleScenario(req, res);
      return;
    }
    if (path === '/_faults') {
      await serveFaults(req, res, faults, faultRefusals);
      return;
    }
    if (path === '/_inbox' && req.method === 'GET') {
      sendJson(res, 200, inbox);
      return;
    }
    if (path === '/_outbox' && req.method === 'GET') {
      sendJson(res, 200, outbox);
      return;
    }
    throw new NetworkRequestError(404, 'No such resource');
  };

  const server = await startSimulatorServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof NetworkRequestError ? error.status : 500;
      const title = error instanceof NetworkRequestError ? error.message : 'Simulator error';
      const details = error instanceof NetworkRequestError ? error.details : [];
      sendJson(res, status, { title, status, ...(details.length === 0 ? {} : { errors: details }) });
    });
  }, options);

  return {
    url: server.url,
    inbox: () => structuredClone(inbox),
    outbox: () => structuredClone(outbox),
    setScenario: (next) => {
      scenario = ScenarioSchema.parse(next);
    },
    scenario: () => structuredClone(scenario),
    setFaults: (next) => {
      faults.set(next);
    },
    whenIdle: () =>
      pending === 0 || stopped
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            idleWaiters.push(resolve);
          }),
    stop: async () => {
      stopped = true;
      abort.abort();
      for (const sleeper of sleepers) {
        clearTimeout(sleeper.timer);
        sleeper.resolve();
      }
      sleepers.clear();
      await server.close();
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const waiter of waiters) {
        waiter();
      }
    },
  };
}

/** Quantities are compared and written to 4 decimals: keeps 0.1 + 0.2 from leaking into an SN1. */
const roundQuantity = (value: number): number => Math.round(value * 10_000) / 10_000;

/** N1 of the supplier: its GLN when known, else its DUNS. */
const supplierN1 = (code: string, supplier: Supplier): Segment =>
  supplier.gln !== undefined
    ? ['N1', code, supplier.name, 'UL', supplier.gln]
    : supplier.duns !== undefined
      ? ['N1', code, supplier.name, '1', supplier.duns]
      : ['N1', code, supplier.name];

/**
 * Finance ledger simulator: a GL journal-line API over real HTTP (node:http) on loopback, speaking
 * the wire format of `functions/adapters/connectors/finance-client.ts`, with fault injection so the
 * connector's retries, timeouts and DLQ path can be exercised against a real socket.
 *
 * ```
 * POST /gl/journal-lines        Idempotency-Key (required), X-Correlation-Id; JSON journal line
 *   → 201 {journalId, status:'POSTED'}   new key (Location: /gl/journal-lines/{journalId})
 *   → 200 {journalId, status:'POSTED'}   same key again: the same journal, never a second posting
 *   → 400 problem                        missing Idempotency-Key, bad JSON, schema violation, key ≠ body key
 *   → 409 problem                        key reused with a different line
 *   → 422 problem                        amount ≠ quantity × unitCost (to the cent)
 * GET  /gl/journal-lines        → 200 [JournalLine…] (posting order; ?correlationId= ?costCenter= ?idempotencyKey= filter)
 * GET  /gl/journal-lines/{id}   → 200 JournalLine | 404 problem
 * POST /ap/vouchers             Idempotency-Key (required, = voucherId), X-Correlation-Id; JSON ApVoucher
 *   → 201 {journalId, status:'POSTED'}   new voucher (Location: /ap/vouchers/{voucherId})
 *   → 200 {journalId, status:'POSTED'}   same voucher again: the same journal, never a second posting
 *   → 400 problem                        missing Idempotency-Key, bad JSON, schema violation, key ≠ voucherId
 *   → 409 problem                        voucher id reused with different amounts or coding
 *   → 422 problem                        the lines do not add up to totalAmount (to the cent)
 * GET  /ap/vouchers             → 200 [PostedApVoucher…] (posting order; ?supplierId= ?poNumber= filter)
 * GET  /ap/vouchers/{voucherId} → 200 PostedApVoucher | 404 problem
 * GET  /health                  → 200 {status:'UP', journalLines}
 * GET|POST|PUT|DELETE /_faults  → read, replace, clear the fault configuration (same JSON as `setFaults`)
 * GET  /_stats                  → counters of what the simulator saw
 * ```
 *
 * Faults apply to the two posting endpoints (`POST /gl/journal-lines`, `POST /ap/vouchers`) and are counted when a request arrives, so "the next
 * N posts" is exact even under concurrency: first `timeoutNext`, then `failNext`; `latencyMs`
 * delays every post while set. A timed-out post by default commits the journal line before it
 * hangs (the response is lost, the write is not): exactly the case the ledger's business-key guard
 * exists for, since the client's retry must get the same journalId back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { ApVoucherSchema, type ApVoucher } from '../../contracts/procurement';
import type { FinanceJournalLine } from '../../functions/domain/ports';
import {
  FaultConfigSchema,
  FaultInjector,
  admitFaultablePost,
  correlationEcho,
  createDelayTimers,
  faultControls,
  parseJson as parseJsonText,
  readBody as readBodyLimited,
  retryAfterHeader,
  sendJson,
  serveFaults,
  startSimulatorServer,
} from './http-kit';
import type { FaultConfig, FaultControlledSimulator, SimulatorListenOptions } from './http-kit';

/** The fault configuration lives in `./http-kit`; re-exported here, where it was first defined. */
export { FaultConfigSchema };
export type { FaultConfig };

/** A posted AP voucher as the ledger keeps it. */
export interface PostedApVoucher extends ApVoucher {
  journalId: string;
  status: 'POSTED';
  postedAt: string;
}

/** A posted journal line as the ledger keeps it. */
export interface JournalLine extends FinanceJournalLine {
  journalId: string;
  status: 'POSTED';
  /** When the ledger accepted it (ISO 8601). */
  postedAt: string;
}

/** What the simulator has seen since it started. */
export interface FinanceSimulatorStats {
  /** Every `POST /gl/journal-lines` received. */
  posts: number;
  /** New journal lines written. */
  posted: number;
  /** Posts answered 200 with an existing journal (repeated Idempotency-Key). */
  replays: number;
  /** Posts refused with a 4xx. */
  rejected: number;
  /** Posts failed on purpose (`failNext`). */
  failuresInjected: number;
  /** Posts left without a response on purpose (`timeoutNext`). */
  timeoutsInjected: number;
  /** Every `POST /ap/vouchers` received. */
  voucherPosts: number;
  /** New AP vouchers written. */
  vouchersPosted: number;
  /** Voucher posts answered 200 with an existing journal (repeated voucher id). */
  voucherReplays: number;
}

export interface FinanceSimulatorOptions extends SimulatorListenOptions {
  faults?: FaultConfig;
}

export interface FinanceSimulator extends FaultControlledSimulator<FaultConfig> {
  /** Posted lines, in posting order (copies). */
  journal(): JournalLine[];
  /** Posted AP vouchers, in posting order (copies). */
  apVouchers(): PostedApVoucher[];
  stats(): FinanceSimulatorStats;
}

const JOURNAL_PATH = '/gl/journal-lines';
const VOUCHER_PATH = '/ap/vouchers';
const MAX_BODY_BYTES = 1_048_576;
const PROBLEM_BASE = 'https://hem.example.org/problems/finance-simulator';

const JournalLineRequestSchema = z.object({
  idempotencyKey: z.string().min(1).max(512),
  correlationId: z.string().min(1).max(256),
  costCenter: z.string().min(1).max(64),
  glAccount: z.string().min(1).max(64),
  facilityId: z.string().min(1).max(64),
  itemId: z.string().min(1).max(64),
  quantity: z.number().refine((q) => Number.isFinite(q) && q !== 0, 'quantity must be a non-zero number'),
  unitCost: z.number().nonnegative(),
  amount: z.number().refine(Number.isFinite, 'amount must be a finite number'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code'),
  postingDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}/, 'postingDate must be an ISO 8601 date')
    .refine((d) => !Number.isNaN(Date.parse(d)), 'postingDate must be a real date'),
});

/** Fields that must match when an Idempotency-Key comes back (the correlation id may differ on a replay). */
const LEDGER_FIELDS = ['costCenter', 'glAccount', 'facilityId', 'itemId', 'quantity', 'unitCost', 'amount', 'currency', 'postingDate'] as const;

/** What makes two posts of one voucher id the same voucher (the correlation id may differ on a replay). */
const voucherLedgerView = (v: ApVoucher): string =>
  JSON.stringify([v.supplierId, v.invoiceNumber, v.poNumber, v.facilityId, v.currency, v.postingDate, v.totalAmount, v.lines]);

const cents = (amount: number): number => Math.round(amount * 100);

interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

/** A request the simulator refuses: becomes a problem+json response. */
class RequestError extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.title);
  }
}

const sendProblem = (res: ServerResponse, problem: Problem, headers: Record<string, string> = {}): void => {
  const body = {
    type: `${PROBLEM_BASE}/${problem.code}`,
    title: problem.title,
    status: problem.status,
    code: problem.code,
    ...(problem.detail === undefined ? {} : { detail: problem.detail }),
    ...(problem.errors === undefined ? {} : { errors: problem.errors }),
  };
  sendJson(res, problem.status, body, headers, 'application/problem+json');
};

const readBody = (req: IncomingMessage): Promise<string> =>
  readBodyLimited(req, MAX_BODY_BYTES, () => new RequestError({ status: 413, code: 'payload-too-large', title: 'Request body too large' }));

const parseJson = (text: string): unknown =>
  parseJsonText(text, () => new RequestError({ status: 400, code: 'invalid-json', title: 'Request body is not valid JSON' }));

const zodErrors = (error: z.ZodError): { path: string; message: string }[] =>
  error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));

/** Starts the finance ledger simulator on loopback. */
export async function startFinanceSimulator(options: FinanceSimulatorOptions = {}): Promise<FinanceSimulator> {
  const lines: JournalLine[] = [];
  const vouchers: PostedApVoucher[] = [];
  const vouchersById = new Map<string, PostedApVoucher>();
  const byKey = new Map<string, JournalLine>();
  const byId = new Map<string, JournalLine>();
  const stats: FinanceSimulatorStats = {
    posts: 0,
    posted: 0,
    replays: 0,
    rejected: 0,
    failuresInjected: 0,
    timeoutsInjected: 0,
    voucherPosts: 0,
    vouchersPosted: 0,
    voucherReplays: 0,
  };
  const timers = createDelayTimers();
  const faults = new FaultInjector(FaultConfigSchema, options.faults ?? {});
  let sequence = 0;

  /** Validates and writes (or finds) the line. Synchronous after parsing, so check-and-insert is atomic. */
  const post = (headerKey: string, body: unknown): { created: boolean; line: JournalLine } => {
    const parsed = JournalLineRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw new RequestError({ status: 400, code: 'validation-failed', title: 'Journal line is invalid', errors: zodErrors(parsed.error) });
    }
    const request = parsed.data;
    if (request.idempotencyKey !== headerKey) {
      throw new RequestError({
        status: 400,
        code: 'idempotency-key-mismatch',
        title: 'Idempotency-Key header and body idempotencyKey differ',
      });
    }
    // The ledger books what it is told only if it adds up: quantity × unitCost, to the cent.
    if (Math.abs(request.quantity * request.unitCost - request.amount) > 0.01 + 1e-9) {
      throw new RequestError({
        status: 422,
        code: 'amount-mismatch',
        title: 'amount must equal quantity × unitCost rounded to cents',
      });
    }
    const existing = byKey.get(headerKey);
    if (existing !== undefined) {
      const differs = LEDGER_FIELDS.filter((field) => existing[field] !== request[field]);
      if (differs.length > 0) {
        throw new RequestError({
          status: 409,
          code: 'idempotency-key-reused',
          title: 'Idempotency-Key already used for a different journal line',
          detail: `differing fields: ${differs.join(', ')}`,
        });
      }
      return { created: false, line: existing };
    }
    sequence += 1;
    const line: JournalLine = {
      journalId: `JE-${String(sequence).padStart(6, '0')}`,
      status: 'POSTED',
      postedAt: new Date().toISOString(),
      idempotencyKey: request.idempotencyKey,
      correlationId: request.correlationId,
      costCenter: request.costCenter,
      glAccount: request.glAccount,
      facilityId: request.facilityId,
      itemId: request.itemId,
      quantity: request.quantity,
      unitCost: request.unitCost,
      amount: request.amount,
      currency: request.currency,
      postingDate: request.postingDate,
    };
    lines.push(line);
    byKey.set(line.idempotencyKey, line);
    byId.set(line.journalId, line);
    return { created: true, line };
  };

  /** Validates and writes (or finds) the voucher, like `post` for journal lines. */
  const postVoucher = (headerKey: string, body: unknown): { created: boolean; voucher: PostedApVoucher } => {
    const parsed = ApVoucherSchema.safeParse(body);
    if (!parsed.success) {
      throw new RequestError({ status: 400, code: 'validation-failed', title: 'AP voucher is invalid', errors: zodErrors(parsed.error) });
    }
    const request = parsed.data;
    if (request.voucherId !== headerKey) {
      throw new RequestError({ status: 400, code: 'idempotency-key-mismatch', title: 'Idempotency-Key header and voucherId differ' });
    }
    // AP books a voucher only if its coded lines add up to what is owed, to the cent.
    if (request.lines.reduce((t, l) => t + cents(l.amount), 0) !== cents(request.totalAmount)) {
      throw new RequestError({ status: 422, code: 'amount-mismatch', title: 'the voucher lines must add up to totalAmount' });
    }
    const existing = vouchersById.get(headerKey);
    if (existing !== undefined) {
      if (voucherLedgerView(existing) !== voucherLedgerView(request)) {
        throw new RequestError({ status: 409, code: 'idempotency-key-reused', title: 'Voucher id already used for a different voucher' });
      }
      return { created: false, voucher: existing };
    }
    sequence += 1;
    const voucher: PostedApVoucher = {
      ...request,
      journalId: `APJ-${String(sequence).padStart(6, '0')}`,
      status: 'POSTED',
      postedAt: new Date().toISOString(),
    };
    vouchers.push(voucher);
    vouchersById.set(voucher.voucherId, voucher);
    return { created: true, voucher };
  };

  /** One posting endpoint: how it writes and counts. */
  interface Book {
    write(key: string, body: unknown): { created: boolean; journalId: string; location: string };
    received(): void;
    written(): void;
    replayed(): void;
  }
  const journalBook: Book = {
    write: (key, body) => {
      const { created, line } = post(key, body);
      return { created, journalId: line.journalId, location: `${JOURNAL_PATH}/${line.journalId}` };
    },
    received: () => {
      stats.posts += 1;
    },
    written: () => {
      stats.posted += 1;
    },
    replayed: () => {
      stats.replays += 1;
    },
  };
  const voucherBook: Book = {
    write: (key, body) => {
      const { created, voucher } = postVoucher(key, body);
      return { created, journalId: voucher.journalId, location: `${VOUCHER_PATH}/${encodeURIComponent(voucher.voucherId)}` };
    },
    received: () => {
      stats.voucherPosts += 1;
    },
    written: () => {
      stats.vouchersPosted += 1;
    },
    replayed: () => {
      stats.voucherReplays += 1;
    },
  };

  const handlePost = async (req: IncomingMessage, res: ServerResponse, echo: Record<string, string>, book: Book): Promise<void> => {
    book.received();
    const admitted = await admitFaultablePost(req, {
      faults,
      timers,
      stats,
      readBody,
      failure: (fault) =>
        new RequestError(
          { status: fault.status, code: 'injected-failure', title: 'Ledger unavailable (injected fault)' },
          { ...echo, ...retryAfterHeader(fault) },
        ),
      commit: (key, text) => {
        if (book.write(key, parseJson(text)).created) {
          book.written();
        }
      },
    });
    if (admitted === undefined) {
      return;
    }
    const { key, text } = admitted;
    let outcome: { created: boolean; journalId: string; location: string };
    try {
      if (key === undefined) {
        throw new RequestError({ status: 400, code: 'missing-idempotency-key', title: 'Idempotency-Key header is required' });
      }
      outcome = book.write(key, parseJson(text));
    } catch (error) {
      if (error instanceof RequestError) {
        stats.rejected += 1;
      }
      throw error;
    }
    const { created, journalId, location } = outcome;
    if (created) {
      book.written();
    } else {
      book.replayed();
    }
    sendJson(res, created ? 201 : 200, { journalId, status: 'POSTED' }, {
      ...echo,
      ...(created ? { location } : {}),
    });
  };

  const faultRefusals = {
    readJson: async (req: IncomingMessage): Promise<unknown> => parseJson(await readBody(req)),
    invalid: (error: z.ZodError): RequestError =>
      new RequestError({ status: 400, code: 'validation-failed', title: 'Fault configuration is invalid', errors: zodErrors(error) }),
    methodNotAllowed,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://finance.local');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const echo = correlationEcho(req);

    if (path === JOURNAL_PATH) {
      if (req.method === 'POST') {
        await handlePost(req, res, echo, journalBook);
        return;
      }
      if (req.method !== 'GET') {
        throw methodNotAllowed('GET, POST');
      }
      const filters = (['correlationId', 'costCenter', 'idempotencyKey'] as const).flatMap((field) => {
        const value = url.searchParams.get(field);
        return value === null ? [] : [[field, value] as const];
      });
      sendJson(
        res,
        200,
        lines.filter((line) => filters.every(([field, value]) => line[field] === value)),
        echo,
      );
      return;
    }
    if (path === VOUCHER_PATH) {
      if (req.method === 'POST') {
        await handlePost(req, res, echo, voucherBook);
        return;
      }
      if (req.method !== 'GET') {
        throw methodNotAllowed('GET, POST');
      }
      const supplierId = url.searchParams.get('supplierId');
      const poNumber = url.searchParams.get('poNumber');
      sendJson(
        res,
        200,
        vouchers.filter((v) => (supplierId === null || v.supplierId === supplierId) && (poNumber === null || v.poNumber === poNumber)),
        echo,
      );
      return;
    }
    if (path.startsWith(`${VOUCHER_PATH}/`)) {
      if (req.method !== 'GET') {
        throw methodNotAllowed('GET');
      }
      const voucher = vouchersById.get(decodeURIComponent(path.slice(VOUCHER_PATH.length + 1)));
      if (voucher === undefined) {
        throw new RequestError({ status: 404, code: 'not-found', title: 'No such AP voucher' });
      }
      sendJson(res, 200, voucher, echo);
      return;
    }
    if (path.startsWith(`${JOURNAL_PATH}/`)) {
      if (req.method !== 'GET') {
        throw methodNotAllowed('GET');
      }
      const line = byId.get(decodeURIComponent(path.slice(JOURNAL_PATH.length + 1)));
      if (line === undefined) {
        throw new RequestError({ status: 404, code: 'not-found', title: 'No such journal line' });
      }
      sendJson(res, 200, line, echo);
      return;
    }
    if (path === '/health' && req.method === 'GET') {
      sendJson(res, 200, { status: 'UP', service: 'finance-simulator', journalLines: lines.length, apVouchers: vouchers.length });
      return;
    }
    if (path === '/_faults') {
      await serveFaults(req, res, faults, faultRefusals);
      return;
    }
    if (path === '/_stats' && req.method === 'GET') {
      sendJson(res, 200, stats);
      return;
    }
    throw new RequestError({ status: 404, code: 'not-found', title: 'No such resource' });
  };

  const server = await startSimulatorServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof RequestError) {
        sendProblem(res, error.problem, error.headers);
        return;
      }
      sendProblem(res, { status: 500, code: 'internal-error', title: 'Simulator error' });
    });
  }, options);

  return {
    ...faultControls(server, faults, timers),
    journal: () => lines.map((line) => ({ ...line })),
    apVouchers: () => vouchers.map((voucher) => structuredClone(voucher)),
    stats: () => ({ ...stats }),
  };
}

const methodNotAllowed = (allow: string): RequestError =>
  new RequestError({ status: 405, code: 'method-not-allowed', title: 'Method not allowed', detail: `allowed: ${allow}` }, { allow });

/**
 * HTTP plumbing shared by the local simulators (ERP, finance ledger, supplier network): the fault
 * configuration and its injection, the fault side of an idempotent POST, the `/_faults` control
 * route, size-limited body reading, JSON responses and a loopback server that stops without waiting for hung requests.
 *
 * Only the mechanics live here. Each simulator keeps its own routes, domain rules and error wire
 * format: the helpers that refuse a request take a factory for the simulator's own error, so a
 * Fusion-style ERP error and a problem+json finance error stay exactly what they were.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';

export const FaultConfigSchema = z
  .object({
    /** The next N requests fail with `status` (nothing is written). */
    failNext: z.number().int().nonnegative().optional(),
    /** Status of the injected failures. @default 503 */
    status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504), z.literal(429)]).optional(),
    /** `Retry-After` (seconds) sent with injected failures; 429 sends 1 when unset. */
    retryAfterSeconds: z.number().int().nonnegative().optional(),
    /** Delay before every faultable request is handled, while set. */
    latencyMs: z.number().int().nonnegative().max(600_000).optional(),
    /** The next N requests never get a response (the client has to time out). */
    timeoutNext: z.number().int().nonnegative().optional(),
    /** Whether a timed-out request is written before the response is withheld. @default true */
    timeoutCommits: z.boolean().optional(),
  })
  .strict();
/** Fault injection settings; `{}` means a healthy simulator. */
export type FaultConfig = z.infer<typeof FaultConfigSchema>;

/** What one request suffers, decided when it arrives. */
export type InjectedFault = { kind: 'timeout'; commits: boolean } | { kind: 'fail'; status: number; retryAfter?: number };

/**
 * The fault configuration in force and the counting of "the next N requests". Counts are consumed
 * by {@link FaultInjector.take} at arrival, so "the next N" is exact even under concurrency.
 */
export class FaultInjector<C extends FaultConfig> {
  #config: C;

  /** @param schema validates every configuration set (it may extend {@link FaultConfigSchema}). */
  constructor(
    readonly schema: z.ZodType<C>,
    initial: unknown = {},
  ) {
    this.#config = schema.parse(initial);
  }

  /** The configuration now in force, with the remaining counts (a copy). */
  config(): C {
    return { ...this.#config };
  }

  /** Validates and replaces the configuration (`{}` clears it); throws the schema's ZodError. */
  set(next: unknown): void {
    this.#config = this.schema.parse(next);
  }

  /** Replaces the configuration with one already validated against {@link FaultInjector.schema}. */
  replace(next: C): void {
    this.#config = next;
  }

  /** Back to a healthy simulator. */
  clear(): void {
    this.#config = {} as C;
  }

  /** The delay applied to every faultable request while set (0 when unset). */
  latencyMs(): number {
    return this.#config.latencyMs ?? 0;
  }

  /**
   * Decides what the arriving request suffers and consumes one count: first `timeoutNext`, then
   * `failNext`. `applies` lets a simulator scope faults (e.g. to some collections); a request it
   * excludes neither suffers nor consumes anything.
   */
  take(applies: (config: C) => boolean = () => true): InjectedFault | undefined {
    const config = this.#config;
    if (!applies(config)) {
      return undefined;
    }
    if ((config.timeoutNext ?? 0) > 0) {
      this.#config = { ...config, timeoutNext: (config.timeoutNext ?? 0) - 1 };
      return { kind: 'timeout', commits: config.timeoutCommits ?? true };
    }
    if ((config.failNext ?? 0) > 0) {
      this.#config = { ...config, failNext: (config.failNext ?? 0) - 1 };
      const status = config.status ?? 503;
      const retryAfter = config.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
      return { kind: 'fail', status, ...(retryAfter === undefined ? {} : { retryAfter }) };
    }
    return undefined;
  }
}

/** `retry-after` for an injected failure, when it has one. */
export const retryAfterHeader = (fault: { retryAfter?: number }): Record<string, string> =>
  fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) };

/** Writes a complete response unless the client is gone (a hung or aborted request). */
export const sendBody = (res: ServerResponse, status: number, contentType: string, payload: string, headers: Record<string, string> = {}): void => {
  if (res.writableEnded || res.destroyed) {
    return;
  }
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
};

/** Writes `body` as JSON, by default as `application/json` (problem and vendor types pass their own). */
export const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): void => {
  sendBody(res, status, contentType, JSON.stringify(body), headers);
};

/** Reads the whole body as UTF-8; throws `tooLarge()` as soon as it exceeds `maxBytes`. */
export const readBody = async (req: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      throw tooLarge();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
};

/** Parses JSON text; throws `invalid()` when it is not JSON. */
export const parseJson = (text: string, invalid: () => Error): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid();
  }
};

/** The first value of a request header, trimmed; undefined when absent or blank. */
export const headerValue = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
};

/** The `x-correlation-id` header to echo on the response (empty when the request had none). */
export const correlationEcho = (req: IncomingMessage): Record<string, string> => {
  const correlationId = headerValue(req, 'x-correlation-id');
  return correlationId === undefined ? {} : { 'x-correlation-id': correlationId };
};

/** How a simulator reads a JSON body and refuses a `/_faults` request, in its own error format. */
export interface FaultRouteRefusals {
  /** Reads and parses the JSON body (with the simulator's size limit and errors). */
  readJson(req: IncomingMessage): Promise<unknown>;
  /** The error for a configuration the schema refuses. */
  invalid(error: z.ZodError): Error;
  /** The error for a method other than GET, POST, PUT, DELETE. */
  methodNotAllowed(allow: string): Error;
}

/**
 * `/_faults`: GET reads, POST/PUT replace (validated), DELETE clears; every success answers 200
 * with the configuration now in force, as the same JSON `setFaults` takes.
 */
export async function serveFaults<C extends FaultConfig>(
  req: IncomingMessage,
  res: ServerResponse,
  faults: FaultInjector<C>,
  refusals: FaultRouteRefusals,
): Promise<void> {
  if (req.method === 'POST' || req.method === 'PUT') {
    const parsed = faults.schema.safeParse(await refusals.readJson(req));
    if (!parsed.success) {
      throw refusals.invalid(parsed.error);
    }
    faults.replace(parsed.data);
  } else if (req.method === 'DELETE') {
    faults.clear();
  } else if (req.method !== 'GET') {
    throw refusals.methodNotAllowed('GET, POST, PUT, DELETE');
  }
  sendJson(res, 200, faults.config());
}

/** The injected-fault counters a simulator reports among its stats. */
export interface InjectedFaultCounts {
  failuresInjected: number;
  timeoutsInjected: number;
}

/** How a simulator takes an idempotent POST under fault injection, in its own terms. */
export interface FaultablePost<C extends FaultConfig> {
  faults: FaultInjector<C>;
  timers: DelayTimers;
  /** Where the injected failures and timeouts are counted. */
  stats: InjectedFaultCounts;
  /** Reads the body (with the simulator's size limit and error). */
  readBody(req: IncomingMessage): Promise<string>;
  /** Scopes the faults to some posts (see {@link FaultInjector.take}); all of them when unset. */
  applies?: (config: C) => boolean;
  /** The simulator's error for an injected failure: thrown, so it is answered like any refusal. */
  failure(fault: { status: number; retryAfter?: number }): Error;
  /** Writes what the post would have written under `key` (a timed-out post that commits); may throw a refusal. */
  commit(key: string, text: string): void;
}

/**
 * The fault side of an idempotent POST, as the ERP and finance simulators take one. The fault is
 * decided on arrival (so "the next N posts" is exact under concurrency), then the body is read and
 * any injected latency waited. An injected failure is thrown as `failure(fault)`. An injected
 * timeout, when it commits and the post carries its `Idempotency-Key`, writes what the post would
 * have written (a post that would be refused writes nothing), and is never answered: the client's
 * retry must get the same resource back.
 * @returns the `Idempotency-Key` header (undefined when absent) and the body to serve, or undefined
 * when the post must stay unanswered.
 */
export async function admitFaultablePost<C extends FaultConfig>(
  req: IncomingMessage,
  post: FaultablePost<C>,
): Promise<{ key: string | undefined; text: string } | undefined> {
  const fault = post.faults.take(post.applies);
  const latency = post.faults.latencyMs();
  const text = await post.readBody(req);
  if (latency > 0) {
    await post.timers.delay(latency);
  }
  if (fault?.kind === 'fail') {
    post.stats.failuresInjected += 1;
    throw post.failure(fault);
  }
  const key = headerValue(req, 'idempotency-key');
  if (fault?.kind === 'timeout') {
    post.stats.timeoutsInjected += 1;
    if (fault.commits && key !== undefined) {
      try {
        post.commit(key, text);
      } catch {
        // A request that would have been refused writes nothing; it still never gets an answer.
      }
    }
    // No response: the connection stays open until the client gives up or `stop()` drops it.
    return undefined;
  }
  return { key, text };
}

/**
 * Delays that {@link DelayTimers.cancelAll} cancels, so a long injected latency never keeps the
 * process alive after `stop()` (the cancelled waits never resolve: their requests are dropped).
 */
export interface DelayTimers {
  delay(ms: number): Promise<void>;
  cancelAll(): void;
}

/** Creates a set of cancellable delays. */
export function createDelayTimers(): DelayTimers {
  const timers = new Set<NodeJS.Timeout>();
  return {
    delay: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
    cancelAll: () => {
      for (const timer of timers) {
        clearTimeout(timer);
      }
      timers.clear();
    },
  };
}

/** A listening simulator server. */
export interface SimulatorServer {
  /** Base URL, e.g. `http://127.0.0.1:43121` (no trailing slash; IPv6 hosts in brackets). */
  url: string;
  /** Stops listening and drops open connections, hung requests included. */
  close(): Promise<void>;
}

/** Starts `listener` on `host` (default 127.0.0.1) and `port` (default 0: a free port). */
export async function startSimulatorServer(listener: RequestListener, options: { port?: number; host?: string } = {}): Promise<SimulatorServer> {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      });
      // A hung request (an injected timeout) would otherwise keep close() waiting forever.
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Where a simulator listens. */
export interface SimulatorListenOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

/** The in-process fault controls and shutdown of a simulator that serves `/_faults`. */
export interface FaultControlledSimulator<C extends FaultConfig> {
  /** Base URL, e.g. `http://127.0.0.1:43121` (no trailing slash). */
  url: string;
  /** Replaces the fault configuration (`{}` clears it). */
  setFaults(faults: C): void;
  /** The fault configuration now in force, with the remaining counts. */
  faults(): C;
  /** Stops listening, drops open connections (hung requests included) and cancels pending delays. */
  stop(): Promise<void>;
}

/** `url`, `setFaults`, `faults` and `stop` of a simulator built from these parts (stop cancels delays, then closes). */
export function faultControls<C extends FaultConfig>(server: SimulatorServer, faults: FaultInjector<C>, timers: DelayTimers): FaultControlledSimulator<C> {
  return {
    url: server.url,
    setFaults: (next) => {
      faults.set(next);
    },
    faults: () => faults.config(),
    stop: async () => {
      timers.cancelAll();
      await server.close();
    },
  };
}

/**
 * Runs the deployed Amazon States Language files in-process with aws-local-stepfunctions, wired to
 * local Lambda invokers and the local bus, with the behaviour of the AWS integrations we use:
 * - `${Placeholder}` substitution done here, as CloudFormation's `DefinitionSubstitutions` would;
 * - a Task whose Resource is a Lambda ARN, or `arn:aws:states:::lambda:invoke` with
 *   `Parameters.FunctionName`, calls the matching invoker; a thrown error becomes the state error
 *   named after the error (Lambda's `errorType`) with Lambda's JSON `Cause`, so Retry/Catch match;
 * - `arn:aws:states:::events:putEvents` calls `putEvents`, appends the execution and state-machine
 *   ARNs to each entry's Resources, and fails the task with `EventBridge.FailedEntry` when
 *   `FailedEntryCount > 0` (the optimized integration does both);
 * - `.waitForTaskToken` works through the context object: every read of `$$.Task.Token` issues a
 *   fresh token, the task waits until `sendTaskSuccess`/`sendTaskFailure` names the token it passed;
 * - Standard executions are idempotent by name (same name and input while running → the same
 *   execution; otherwise `ExecutionAlreadyExists`), Express ones are not and support `startSync`;
 * - an in-memory execution history for ops (`listExecutions`, `describeExecution`).
 * Construct one per ASL file: validation costs ~150 ms. The library validates the definition as
 * written; it runs a copy whose Retry intervals (and Wait seconds) are scaled for tests.
 * JSONata is refused: the library would silently ignore it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { ConflictError, HemError, NotFoundError, ValidationError } from '../functions/domain/errors';
import type { PutEventsRequestEntry, PutEventsResult } from './bus';
import { stderrLogger } from './persistence';
import type { LocalLogger } from './persistence';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './queue';

/** The PutEvents shapes `putEvents` takes and returns (defined with the bus). */
export type { PutEventsRequestEntry, PutEventsResult } from './bus';

/** Invokes one local Lambda with its JSON payload (RequestResponse). */
export type LambdaInvoker = (payload: unknown) => Promise<unknown>;

/** Another optimized integration, called with the Task's resolved Parameters. */
export type IntegrationHandler = (parameters: unknown) => Promise<unknown>;

/** Step Functions execution statuses. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** Construction options of `LocalStateMachine`. */
export interface LocalStateMachineOptions {
  /** State machine name (in its ARN). */
  name: string;
  /** The ASL file (with `${Placeholders}`). One of `aslPath` / `definition`. */
  aslPath?: string;
  /** The ASL as text or object (tests). */
  definition?: string | object;
  /** `${Name}` → value, like `definitionSubstitutions`. Every placeholder must have one. */
  substitutions?: Record<string, string>;
  /** Function ARN (after substitution) → invoker. */
  lambdaInvokers?: Record<string, LambdaInvoker>;
  /** Required when the ASL uses `arn:aws:states:::events:putEvents`. */
  putEvents?: (entries: PutEventsRequestEntry[]) => Promise<PutEventsResult>;
  /** Other integrations, keyed by resource ARN without `.sync`/`.waitForTaskToken` (e.g. `arn:aws:states:::sqs:sendMessage`). */
  integrations?: Record<string, IntegrationHandler>;
  /** Default STANDARD. */
  type?: 'STANDARD' | 'EXPRESS';
  /** Multiplies every Retry interval (and MaxDelaySeconds): tests use e.g. 0.001. Default 1. */
  retryIntervalScale?: number;
  /** Multiplies every Wait state's `Seconds`. Default 1. */
  waitScale?: number;
  /** Finished executions kept for `listExecutions`. Default 1000. */
  historyLimit?: number;
  logger?: LocalLogger;
}

/** What `describeExecution` returns. */
export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

/** What `start` returns (StartExecution's answer plus the outcome as a promise). */
export interface StartedExecution {
  executionArn: string;
  startDate: Date;
  /** The output; rejects with `ExecutionFailedError` when the execution does not succeed. */
  result: Promise<unknown>;
}

/** An execution that ended FAILED, TIMED_OUT or ABORTED. Not retryable: the ASL's own Retry already ran. */
export class ExecutionFailedError extends HemError {
  readonly retryable = false;
  readonly code = 'EXECUTION_FAILED';

  constructor(
    readonly executionArn: string,
    readonly status: Exclude<ExecutionStatus, 'RUNNING' | 'SUCCEEDED'>,
    readonly error: string,
    readonly errorCause: string,
  ) {
    super(`execution ${status}: ${error}${errorCause === '' ? '' : `: ${errorCause.slice(0, 500)}`}`, {
      details: { executionArn, status, error },
    });
  }
}

/** A Standard execution with this name exists already (with another input, or closed). */
export class ExecutionAlreadyExistsError extends ConflictError {}

/**
 * An error raised inside a state: its `name` is the ASL error name that Retry/Catch match
 * (`EventBridge.FailedEntry`, a Lambda `errorType`…), its message the `Cause`. Not a HemError on
 * purpose: it never leaves the state machine as such, the execution result carries it.
 */
class StatesTaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

type AslState = Record<string, unknown>;
type AslStates = Record<string, AslState>;
type JsonValue = Parameters<StateMachine['run']>[0];

type TaskPlan =
  | { kind: 'lambda'; resource: string; invoker: LambdaInvoker; callback: false }
  | { kind: 'lambdaInvoke'; resource: string; callback: boolean }
  | { kind: 'putEvents'; resource: string; callback: boolean }
  | { kind: 'integration'; resource: string; handler: IntegrationHandler; callback: boolean };

interface ExecutionRecord extends ExecutionDescription {
  inputJson: string;
  started: StartedExecution;
  abort: () => void;
  /** Aborted on StopExecution: releases the task a stopped execution was waiting on. */
  stopped: AbortController;
  issuedTokens: Set<string>;
  stopReason?: { error: string; cause: string };
}

interface TokenEntry {
  executionArn: string;
  waiter?: { resolve: (output: unknown) => void; reject: (error: Error) => void };
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;
const SERVICE_RESOURCE = /^arn:aws:states:::([a-z0-9-]+):([A-Za-z0-9]+)(?:\.(sync(?::2)?|waitForTaskToken))?$/;
const LAMBDA_ARN = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;
// Longest timer Node honours (ms 2^31-1); a callback task without TimeoutSeconds waits this long.
const MAX_TIMER_SECONDS = 2_147_483;

const toJson = (value: unknown): unknown => (value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown));

const functionNameOf = (nameOrArn: string): string => LAMBDA_ARN.exec(nameOrArn)?.[1] ?? nameOrArn.split(':').at(-1) ?? nameOrArn;

/** Lambda's error payload (what Step Functions puts in `Cause`). */
const lambdaFailure = (error: unknown): StatesTaskError => {
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error && error.stack !== undefined ? error.stack.split('\n') : [];
  return new StatesTaskError(errorType, JSON.stringify({ errorType, errorMessage, trace }));
};

/** Every Task state, at any depth (Map processors, Parallel branches), by state name. */
const collectTasks = (states: AslStates, found: Map<string, AslState>): void => {
  for (const [name, state] of Object.entries(states)) {
    if (state['QueryLanguage'] === 'JSONata') {
      throw new ValidationError(`state ${name} uses JSONata, which the local runtime cannot run; use JSONPath`);
    }
    if (state['Type'] === 'Task') {
      const existing = found.get(name);
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(state)) {
        throw new ValidationError(`two different Task states are named ${name}; local overrides are keyed by state name`);
      }
      found.set(name, state);
    } else if (state['Type'] === 'Map') {
      const processor = (state['ItemProcessor'] ?? state['Iterator']) as { States?: AslStates } | undefined;
      collectTasks(processor?.States ?? {}, found);
    } else if (state['Type'] === 'Parallel') {
      for (const branch of (state['Branches'] ?? []) as { States?: AslStates }[]) {
        collectTasks(branch.States ?? {}, found);
      }
    }
  }
};

/** Applies the time scales and the callback timeout to a copy of the definition. */
const adjustStates = (states: AslStates, retryScale: number, waitScale: number, callbackStates: Set<string>): void => {
  for (const [name, state] of Object.entries(states)) {
    if (Array.isArray(state['Retry']) && retryScale !== 1) {
      for (const retrier of state['Retry'] as Record<string, unknown>[]) {
        retrier['IntervalSeconds'] = ((retrier['IntervalSeconds'] as number | undefined) ?? 1) * retryScale;
        if (typeof retrier['MaxDelaySeconds'] === 'number') {
          retrier['MaxDelaySeconds'] = retrier['MaxDelaySeconds'] * retryScale;
        }
      }
    }
    if (state['Type'] === 'Wait' && typeof state['Seconds'] === 'number' && waitScale !== 1) {
      state['Seconds'] = state['Seconds'] * waitScale;
    }
    if (callbackStates.has(name) && state['TimeoutSeconds'] === undefined && state['TimeoutSecondsPath'] === undefined) {
      // The library defaults every Task to 60 s; AWS lets a callback task wait far longer.
      state['TimeoutSeconds'] = MAX_TIMER_SECONDS;
    }
    if (state['Type'] === 'Map') {
      const processor = (state['ItemProcessor'] ?? state['Iterator']) as { States?: AslStates } | undefined;
      adjustStates(processor?.States ?? {}, retryScale, waitScale, callbackStates);
    } else if (state['Type'] === 'Parallel') {
      for (const branch of (state['Branches'] ?? []) as { States?: AslStates }[]) {
        adjustStates(branch.States ?? {}, retryScale, waitScale, callbackStates);
      }
    }
  }
};

/** One ASL file, validated once, runnable many times. */
export class LocalStateMachine {
  readonly name: string;
  readonly arn: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  /** The definition after substitution, as validated. */
  readonly definition: StateMachineDefinition;

  private readonly machine: StateMachine;
  private readonly plans = new Map<string, TaskPlan>();
  private readonly lambdaInvokers: Record<string, LambdaInvoker>;
  private readonly putEventsFn: ((entries: PutEventsRequestEntry[]) => Promise<PutEventsResult>) | undefined;
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly tokens = new Map<string, TokenEntry>();
  /** Set by `close()`: executions it stops are the runtime shutting down, not failures. */
  private closing = false;
  private readonly historyLimit: number;
  private readonly logger: LocalLogger;
  private running = 0;
  private waitingForToken = 0;
  private idleWaiters: (() => void)[] = [];

  /** @throws ValidationError for a missing substitution, an invalid definition or a Task resource that cannot run locally. */
  constructor(options: LocalStateMachineOptions) {
    this.name = options.name;
    this.type = options.type ?? 'STANDARD';
    this.arn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${options.name}`;
    this.lambdaInvokers = { ...(options.lambdaInvokers ?? {}) };
    this.putEventsFn = options.putEvents;
    this.historyLimit = options.historyLimit ?? 1000;
    this.logger = options.logger ?? stderrLogger;

    const text = this.substitute(this.readDefinition(options), options.substitutions ?? {});
    let parsed: StateMachineDefinition;
    try {
      parsed = JSON.parse(text) as StateMachineDefinition;
    } catch (error) {
      throw new ValidationError(`state machine ${this.name}: the definition is not JSON`, { cause: error });
    }
    if ((parsed as unknown as AslState)['QueryLanguage'] === 'JSONata') {
      throw new ValidationError(`state machine ${this.name} uses JSONata, which the local runtime cannot run; use JSONPath`);
    }
    const tasks = new Map<string, AslState>();
    collectTasks(parsed.States as unknown as AslStates, tasks);
    for (const [stateName, state] of tasks) {
      this.plans.set(stateName, this.planTask(stateName, state, options.integrations ?? {}));
    }
    try {
      // Validates the definition as written (this is the ~150 ms).
      new StateMachine(parsed);
    } catch (error) {
      throw new ValidationError(`state machine ${this.name} is invalid: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    this.definition = parsed;
    // A JSON copy, not structuredClone: the library tells payload templates from values by
    // `Object.getPrototypeOf(v) === Object.prototype`, which a clone made in another realm (Jest's
    // test context has its own Object) fails, leaving `key.$` paths unresolved.
    const runnable = JSON.parse(JSON.stringify(parsed)) as typeof parsed;
    const callbackStates = new Set([...this.plans].filter(([, plan]) => plan.callback).map(([stateName]) => stateName));
    adjustStates(runnable.States as unknown as AslStates, options.retryIntervalScale ?? 1, options.waitScale ?? 1, callbackStates);
    this.machine = new StateMachine(runnable, { validationOptions: { noValidate: true } });
  }

  /**
   * StartExecution. Standard: a name reused while that execution runs with the same input returns
   * it; otherwise a reused name throws `ExecutionAlreadyExistsError`.
   * @throws ValidationError for an invalid execution name.
   */
  start(input?: unknown, options: { name?: string } = {}): StartedExecution {
    const name = options.name ?? randomUUID();
    if (!EXECUTION_NAME.test(name)) {
      throw new ValidationError(`invalid execution name: ${name}`, { details: { sfnError: 'InvalidName' } });
    }
    const executionArn =
      this.type === 'EXPRESS'
        ? `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:express:${this.name}:${name}:${randomUUID()}`
        : `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${this.name}:${name}`;
    const inputValue = toJson(input ?? {});
    const inputJson = JSON.stringify(inputValue);
    const existing = this.executions.get(executionArn);
    if (existing !== undefined) {
      if (existing.status === 'RUNNING' && existing.inputJson === inputJson) {
        return existing.started;
      }
      throw new ExecutionAlreadyExistsError(`Execution Already Exists: '${executionArn}'`, { details: { sfnError: 'ExecutionAlreadyExists', executionArn } });
    }
    const startDate = new Date();
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: this.arn,
      name,
      status: 'RUNNING',
      startDate,
      input: inputValue,
      inputJson,
      issuedTokens: new Set(),
      abort: () => undefined,
      stopped: new AbortController(),
      started: { executionArn, startDate, result: Promise.resolve(undefined) },
    };
    this.executions.set(executionArn, record);
    this.running += 1;

    const context = {
      Execution: { Id: executionArn, Name: name },
      StateMachine: { Id: this.arn, Name: this.name },
      Task: {},
    };
    // A fresh token on every read of $$.Task.Token; the callback task finds the one it was given.
    Object.defineProperty(context.Task, 'Token', { enumerable: true, get: () => this.issueToken(record) });
    const run = this.machine.run(inputValue as JsonValue, {
      context,
      overrides: { taskResourceLocalHandlers: this.handlersFor(record) },
    });
    record.abort = run.abort;
    const result = run.result.then(
      (output) => {
        this.finish(record, 'SUCCEEDED', { output });
        return output as unknown;
      },
      (error: unknown) => {
        const failure = this.classify(record, error);
        this.finish(record, failure.status, { error: failure.error, cause: failure.cause });
        throw new ExecutionFailedError(executionArn, failure.status, failure.error, failure.cause);
      },
    );
    // Marked handled: a caller that never awaits must not crash the process; awaiting still rejects.
    void result.catch(() => undefined);
    record.started = { executionArn, startDate, result };
    return record.started;
  }

  /**
   * StartSyncExecution (Express only): runs to the end and returns the description, never throws
   * for a failed execution (its status says so).
   */
  async startSync(input?: unknown, options: { name?: string } = {}): Promise<ExecutionDescription> {
    if (this.type !== 'EXPRESS') {
      throw new ValidationError('StartSyncExecution supports EXPRESS state machines only', { details: { sfnError: 'StateMachineTypeNotSupported' } });
    }
    const started = this.start(input, options);
    const record = this.record(started.executionArn);
    await started.result.catch(() => undefined);
    return this.describe(record);
  }

  /** StopExecution: aborts a running execution (status ABORTED). */
  stopExecution(executionArn: string, reason: { error?: string; cause?: string } = {}): void {
    const record = this.record(executionArn);
    if (record.status !== 'RUNNING') return;
    record.stopReason = { error: reason.error ?? '', cause: reason.cause ?? '' };
    record.stopped.abort();
    record.abort();
  }

  /**
   * SendTaskSuccess for a `.waitForTaskToken` task.
   * @throws NotFoundError (TaskDoesNotExist) for an unknown or completed token.
   */
  sendTaskSuccess(taskToken: string, output: unknown): void {
    this.waiterFor(taskToken).resolve(toJson(output));
  }

  /**
   * SendTaskFailure: the task fails with `error` (matched by Retry/Catch) and `cause`.
   * @throws NotFoundError (TaskDoesNotExist) for an unknown or completed token.
   */
  sendTaskFailure(taskToken: string, error: string, cause = ''): void {
    this.waiterFor(taskToken).reject(new StatesTaskError(error, cause));
  }

  /** SendTaskHeartbeat: only checks the token (the library does not enforce HeartbeatSeconds). */
  sendTaskHeartbeat(taskToken: string): void {
    this.waiterFor(taskToken);
  }

  /** Executions, newest first. */
  listExecutions(filter: { statusFilter?: ExecutionStatus; maxResults?: number } = {}): ExecutionDescription[] {
    return [...this.executions.values()]
      .reverse()
      .filter((record) => filter.statusFilter === undefined || record.status === filter.statusFilter)
      .slice(0, filter.maxResults ?? Number.POSITIVE_INFINITY)
      .map((record) => this.describe(record));
  }

  /** @throws NotFoundError (ExecutionDoesNotExist). */
  describeExecution(executionArn: string): ExecutionDescription {
    return this.describe(this.record(executionArn));
  }

  /** Resolves when no execution runs, except those waiting for a task token. */
  whenIdle(): Promise<void> {
    if (this.running - this.waitingForToken <= 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops every running execution (ABORTED) and waits for them to settle, so no task timer (a
   * callback task waits up to ~24 days) keeps the process alive after the runtime stops.
   */
  async close(): Promise<void> {
    this.closing = true;
    const running = [...this.executions.values()].filter((record) => record.status === 'RUNNING');
    for (const record of running) {
      this.stopExecution(record.executionArn, { error: 'States.Aborted', cause: 'the local runtime stopped' });
    }
    await Promise.all(running.map((record) => record.started.result.catch(() => undefined)));
  }

  // --- internals ---------------------------------------------------------------------------------

  private readDefinition(options: LocalStateMachineOptions): string {
    if (options.definition !== undefined) {
      return typeof options.definition === 'string' ? options.definition : JSON.stringify(options.definition);
    }
    if (options.aslPath === undefined) {
      throw new ValidationError(`state machine ${options.name}: pass aslPath or definition`);
    }
    return readFileSync(options.aslPath, 'utf8');
  }

  private substitute(text: string, substitutions: Record<string, string>): string {
    const missing = new Set<string>();
    const result = text.replace(PLACEHOLDER, (whole, key: string) => {
      const value = substitutions[key];
      if (value === undefined) {
        missing.add(key);
        return whole;
      }
      return value;
    });
    if (missing.size > 0) {
      throw new ValidationError(`state machine ${this.name}: no substitution for ${[...missing].map((k) => `\${${k}}`).join(', ')}`);
    }
    return result;
  }

  private planTask(stateName: string, state: AslState, integrations: Record<string, IntegrationHandler>): TaskPlan {
    const resource = state['Resource'];
    if (typeof resource !== 'string') {
      throw new ValidationError(`Task state ${stateName} has no Resource`);
    }
    if (LAMBDA_ARN.test(resource)) {
      const invoker = this.findInvoker(resource);
      if (invoker === undefined) {
        throw new ValidationError(`Task state ${stateName} calls ${resource}, which has no local Lambda invoker`);
      }
      return { kind: 'lambda', resource, invoker, callback: false };
    }
    const service = SERVICE_RESOURCE.exec(resource);
    if (service === null) {
      throw new ValidationError(`Task state ${stateName} uses ${resource}, which the local runtime cannot run (activities are not supported)`);
    }
    const base = `arn:aws:states:::${service[1]}:${service[2]}`;
    const callback = service[3] === 'waitForTaskToken';
    const custom = integrations[base];
    if (custom !== undefined) {
      return { kind: 'integration', resource, handler: custom, callback };
    }
    if (base === 'arn:aws:states:::lambda:invoke') {
      return { kind: 'lambdaInvoke', resource, callback };
    }
    if (base === 'arn:aws:states:::events:putEvents') {
      if (this.putEventsFn === undefined) {
        throw new ValidationError(`Task state ${stateName} puts events, but no putEvents was given`);
      }
      return { kind: 'putEvents', resource, callback };
    }
    throw new ValidationError(`Task state ${stateName} uses ${resource}; pass integrations['${base}'] to run it locally`);
  }

  /** By exact ARN, by ARN without qualifier, or by function name. */
  private findInvoker(functionNameOrArn: string): LambdaInvoker | undefined {
    const exact = this.lambdaInvokers[functionNameOrArn];
    if (exact !== undefined) return exact;
    const wanted = functionNameOf(functionNameOrArn);
    const match = Object.entries(this.lambdaInvokers).find(([arn]) => functionNameOf(arn) === wanted);
    return match?.[1];
  }

  private handlersFor(record: ExecutionRecord): Record<string, (input: JsonValue) => Promise<JsonValue>> {
    const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const [stateName, plan] of this.plans) {
      handlers[stateName] = async (input: JsonValue): Promise<JsonValue> => {
        const parameters = toJson(input);
        const call = plan.callback
          ? this.awaitCallback(record, parameters, () => this.callResource(plan, parameters, record))
          : this.callResource(plan, parameters, record);
        return toJson(await this.unlessStopped(record, call)) as JsonValue;
      };
    }
    return handlers;
  }

  /**
   * The library does not cancel a running task when an execution is aborted (its task timer would
   * keep the process alive): a stopped execution's task settles at once.
   */
  private unlessStopped<T>(record: ExecutionRecord, call: Promise<T>): Promise<T> {
    const signal = record.stopped.signal;
    if (signal.aborted) {
      void call.catch(() => undefined);
      return Promise.reject(new StatesTaskError('States.Aborted', 'the execution was stopped'));
    }
    return new Promise<T>((resolve, reject) => {
      const onStop = (): void => reject(new StatesTaskError('States.Aborted', 'the execution was stopped'));
      signal.addEventListener('abort', onStop, { once: true });
      void call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onStop));
    });
  }

  private async callResource(plan: TaskPlan, parameters: unknown, record: ExecutionRecord): Promise<unknown> {
    switch (plan.kind) {
      case 'lambda':
        return this.invokeLambda(plan.invoker, parameters);
      case 'lambdaInvoke': {
        const request = (parameters ?? {}) as { FunctionName?: unknown; Payload?: unknown };
        const functionName = typeof request.FunctionName === 'string' ? request.FunctionName : '';
        const invoker = this.findInvoker(functionName);
        if (invoker === undefined) {
          throw new StatesTaskError('Lambda.ResourceNotFoundException', `Function not found: ${functionName}`);
        }
        const payload = await this.invokeLambda(invoker, request.Payload ?? {});
        return {
          ExecutedVersion: '$LATEST',
          Payload: payload,
          SdkHttpMetadata: { HttpStatusCode: 200 },
          SdkResponseMetadata: { RequestId: randomUUID() },
          StatusCode: 200,
        };
      }
      case 'putEvents':
        return this.putEvents(parameters, record);
      case 'integration':
        return plan.handler(parameters);
    }
  }

  private async invokeLambda(invoker: LambdaInvoker, payload: unknown): Promise<unknown> {
    try {
      return toJson(await invoker(toJson(payload)));
    } catch (error) {
      throw lambdaFailure(error);
    }
  }

  private async putEvents(parameters: unknown, record: ExecutionRecord): Promise<PutEventsResult> {
    const entries = (parameters as { Entries?: unknown } | null)?.Entries;
    if (!Array.isArray(entries)) {
      throw new StatesTaskError('EventBridge.ValidationException', 'Entries must be an array');
    }
    const withResources = (entries as PutEventsRequestEntry[]).map((entry) => ({
      ...entry,
      Resources: [...(entry.Resources ?? []), record.executionArn, this.arn],
    }));
    let result: PutEventsResult;
    try {
      result = await (this.putEventsFn as (e: PutEventsRequestEntry[]) => Promise<PutEventsResult>)(withResources);
    } catch (error) {
      const reason = error instanceof Error ? error : new Error(String(error));
      throw new StatesTaskError(`EventBridge.${reason.name}`, reason.message);
    }
    if (result.FailedEntryCount > 0) {
      throw new StatesTaskError('EventBridge.FailedEntry', JSON.stringify(result));
    }
    return result;
  }

  private issueToken(record: ExecutionRecord): string {
    const token = `AQ${randomBytes(48).toString('base64url')}`;
    this.tokens.set(token, { executionArn: record.executionArn });
    record.issuedTokens.add(token);
    return token;
  }

  /** The first token of this execution, not yet bound to a task, found anywhere in the task's parameters. */
  private findToken(record: ExecutionRecord, value: unknown): string | undefined {
    if (typeof value === 'string') {
      return record.issuedTokens.has(value) && this.tokens.get(value)?.waiter === undefined ? value : undefined;
    }
    if (typeof value === 'object' && value !== null) {
      for (const child of Object.values(value)) {
        const token = this.findToken(record, child);
        if (token !== undefined) return token;
      }
    }
    return undefined;
  }

  private async awaitCallback(record: ExecutionRecord, parameters: unknown, call: () => Promise<unknown>): Promise<unknown> {
    const token = this.findToken(record, parameters);
    if (token === undefined) {
      throw new StatesTaskError('States.Runtime', 'a .waitForTaskToken task must pass $$.Task.Token in its Parameters');
    }
    const entry = this.tokens.get(token) as TokenEntry;
    const promise = new Promise<unknown>((resolve, reject) => {
      entry.waiter = { resolve, reject };
    });
    void promise.catch(() => undefined);
    this.waitingForToken += 1;
    this.checkIdle();
    try {
      // Registered before the call: the callee may answer before its own call returns.
      await call();
      return await promise;
    } finally {
      this.tokens.delete(token);
      record.issuedTokens.delete(token);
      this.waitingForToken -= 1;
    }
  }

  private waiterFor(taskToken: string): NonNullable<TokenEntry['waiter']> {
    const waiter = this.tokens.get(taskToken)?.waiter;
    if (waiter === undefined) {
      throw new NotFoundError('Task does not exist or has already completed', { details: { sfnError: 'TaskDoesNotExist' } });
    }
    return waiter;
  }

  private classify(record: ExecutionRecord, error: unknown): { status: 'FAILED' | 'TIMED_OUT' | 'ABORTED'; error: string; cause: string } {
    if (error instanceof ExecutionAbortedError) {
      return { status: 'ABORTED', error: record.stopReason?.error ?? '', cause: record.stopReason?.cause ?? '' };
    }
    if (error instanceof ExecutionTimeoutError) {
      return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out' };
    }
    if (error instanceof ExecutionError && error.cause instanceof Error) {
      return { status: 'FAILED', error: error.cause.name, cause: error.cause.message };
    }
    return { status: 'FAILED', error: 'States.Runtime', cause: error instanceof Error ? error.message : String(error) };
  }

  private finish(record: ExecutionRecord, status: Exclude<ExecutionStatus, 'RUNNING'>, outcome: { output?: unknown; error?: string; cause?: string }): void {
    record.status = status;
    record.stopDate = new Date();
    if ('output' in outcome) record.output = outcome.output;
    if (outcome.error !== undefined) record.error = outcome.error;
    if (outcome.cause !== undefined) record.cause = outcome.cause;
    for (const token of record.issuedTokens) {
      this.tokens.delete(token);
    }
    record.issuedTokens.clear();
    // A workflow still waiting (a backorder, an AP clerk) when the runtime stops is expected, not a failure.
    const stoppedWithRuntime = status === 'ABORTED' && this.closing;
    if (status !== 'SUCCEEDED' && !stoppedWithRuntime) {
      this.logger.warn('local execution did not succeed', { stateMachine: this.name, executionArn: record.executionArn, status, error: record.error });
    }
    this.running -= 1;
    this.pruneHistory();
    this.checkIdle();
  }

  private pruneHistory(): void {
    if (this.executions.size <= this.historyLimit) return;
    for (const [arn, record] of this.executions) {
      if (this.executions.size <= this.historyLimit) break;
      if (record.status !== 'RUNNING') this.executions.delete(arn);
    }
  }

  private record(executionArn: string): ExecutionRecord {
    const record = this.executions.get(executionArn);
    if (record === undefined) {
      throw new NotFoundError(`Execution Does Not Exist: '${executionArn}'`, { details: { sfnError: 'ExecutionDoesNotExist' } });
    }
    return record;
  }

  private describe(record: ExecutionRecord): ExecutionDescription {
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: record.startDate,
      ...(record.stopDate === undefined ? {} : { stopDate: record.stopDate }),
      input: structuredClone(record.input),
      ...('output' in record ? { output: structuredClone(record.output) } : {}),
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.cause === undefined ? {} : { cause: record.cause }),
    };
  }

  private checkIdle(): void {
    if (this.idleWaiters.length > 0 && this.running - this.waitingForToken <= 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  }
}

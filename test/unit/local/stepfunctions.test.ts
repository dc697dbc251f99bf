import { beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { EVENT_BUS_PLACEHOLDER, STATE_MACHINES } from '../../../contracts/routing';
import { NotFoundError, UpstreamUnavailableError, ValidationError } from '../../../functions/domain/errors';
import type { PutEventsRequestEntry, PutEventsResult } from '../../../local/bus';
import { silentLogger } from '../../../local/persistence';
import { ExecutionAlreadyExistsError, ExecutionFailedError, LocalStateMachine } from '../../../local/stepfunctions';
import { expectInstanceOf, expectTruthy } from '../../support/expect-narrowing';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const MAP_ARN = 'arn:aws:lambda:local:000000000000:function:hem-MapUsageLines';
const APPLY_ARN = 'arn:aws:lambda:local:000000000000:function:hem-ApplyUsageLine';
const APPROVER_ARN = 'arn:aws:lambda:local:000000000000:function:hem-Approver';

/** A small usage workflow: Lambda ARN task, Map over lambda:invoke, Choice, putEvents, Retry and Catch. */
const USAGE_ASL = JSON.stringify({
  Comment: 'test workflow',
  StartAt: 'MapUsageLines',
  States: {
    MapUsageLines: {
      Type: 'Task',
      Resource: '${MapFn}',
      Retry: [{ ErrorEquals: ['UpstreamUnavailableError'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'MappingFailed' }],
      Next: 'EachLine',
    },
    EachLine: {
      Type: 'Map',
      ItemsPath: '$.lines',
      MaxConcurrency: 2,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'ApplyUsageLine',
        States: {
          ApplyUsageLine: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: '${ApplyFn}', 'Payload.$': '$' },
            ResultSelector: { 'line.$': '$.Payload' },
            OutputPath: '$.line',
            End: true,
          },
        },
      },
      ResultPath: '$.applied',
      Next: 'NeedsReorder',
    },
    NeedsReorder: {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.applied[0]', IsPresent: true },
            { Variable: '$.applied[0].reorder', BooleanEquals: true },
          ],
          Next: 'PublishReorder',
        },
      ],
      Default: 'Done',
    },
    PublishReorder: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: {
        Entries: [{ EventBusName: '${EventBusName}', Source: 'hem.inventory', DetailType: 'ReplenishmentRequested', 'Detail.$': '$.applied[0]' }],
      },
      Catch: [{ ErrorEquals: ['EventBridge.FailedEntry'], ResultPath: '$.publishError', Next: 'PublishFailed' }],
      ResultPath: '$.published',
      Next: 'Done',
    },
    MappingFailed: { Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.failure.Cause' },
    PublishFailed: { Type: 'Fail', Error: 'PublishFailed', Cause: 'the bus refused the reorder event' },
    Done: { Type: 'Succeed' },
  },
});

/** A callback workflow: the approver gets a task token and the execution waits for it. */
const APPROVAL_ASL = JSON.stringify({
  StartAt: 'AskApproval',
  States: {
    AskApproval: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: APPROVER_ARN, Payload: { 'taskToken.$': '$$.Task.Token', 'order.$': '$' } },
      Catch: [{ ErrorEquals: ['OrderRejected'], ResultPath: '$.rejection', Next: 'Rejected' }],
      ResultPath: '$.approval',
      End: true,
    },
    Rejected: { Type: 'Pass', End: true },
  },
});

// Test-controlled behaviour behind the fixed invokers of the one machine built per suite.
let mapBehaviour: (payload: unknown) => Promise<unknown> = async (payload) => payload;
let applyBehaviour: (payload: unknown) => Promise<unknown> = async (payload) => payload;
let putEventsBehaviour: (entries: PutEventsRequestEntry[]) => Promise<PutEventsResult> = async (entries) => ({
  FailedEntryCount: 0,
  Entries: entries.map((_, i) => ({ EventId: `event-${i}` })),
});

describe('LocalStateMachine: tasks, Map, Choice, Retry, Catch and putEvents', () => {
  let machine: LocalStateMachine;
  const mapCalls: unknown[] = [];
  const applyCalls: unknown[] = [];
  const putCalls: PutEventsRequestEntry[][] = [];

  beforeAll(() => {
    machine = new LocalStateMachine({
      name: 'hem-UsageToReplenishment',
      definition: USAGE_ASL,
      substitutions: { MapFn: MAP_ARN, ApplyFn: APPLY_ARN, [EVENT_BUS_PLACEHOLDER]: 'hem-local' },
      lambdaInvokers: {
        [MAP_ARN]: async (payload) => {
          mapCalls.push(payload);
          return mapBehaviour(payload);
        },
        [APPLY_ARN]: async (payload) => {
          applyCalls.push(payload);
          return applyBehaviour(payload);
        },
      },
      putEvents: async (entries) => {
        putCalls.push(entries);
        return putEventsBehaviour(entries);
      },
      retryIntervalScale: 0.001,
      logger: silentLogger,
    });
  });

  const reset = (): void => {
    mapCalls.length = 0;
    applyCalls.length = 0;
    putCalls.length = 0;
    mapBehaviour = async (payload) => payload;
    applyBehaviour = async (payload) => ({ ...(payload as object), reorder: true });
    putEventsBehaviour = async (entries) => ({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `event-${i}` })) });
  };

  it('runs Lambda tasks, a Map over lambda:invoke and putEvents, and records the execution', async () => {
    reset();
    const started = machine.start({ lines: [{ lineNumber: 1 }, { lineNumber: 2 }] }, { name: 'usage-ok' });
    const output = (await started.result) as { applied: { lineNumber: number; reorder: boolean }[]; published: PutEventsResult };
    expect(mapCalls.length).toBe(1);
    expect(applyCalls).toStrictEqual([{ lineNumber: 1 }, { lineNumber: 2 }]);
    expect(output.applied).toStrictEqual([{ lineNumber: 1, reorder: true }, { lineNumber: 2, reorder: true }]);
    expect(output.published.FailedEntryCount).toBe(0);
    const [entries] = putCalls;
    expect(entries).toBeTruthy();
    expect(entries[0]?.EventBusName).toBe('hem-local');
    expect(entries[0]?.Detail).toStrictEqual({ lineNumber: 1, reorder: true });
    expect(entries[0]?.Resources).toStrictEqual([started.executionArn, machine.arn]);
    const description = machine.describeExecution(started.executionArn);
    expect(description.status).toBe('SUCCEEDED');
    expect(started.executionArn).toBe('arn:aws:states:local:000000000000:execution:hem-UsageToReplenishment:usage-ok');
    expect(description.stopDate).toBeInstanceOf(Date);
    expect(description.input).toStrictEqual({ lines: [{ lineNumber: 1 }, { lineNumber: 2 }] });
  });

  it('takes the Choice default when no reorder is needed', async () => {
    reset();
    applyBehaviour = async (payload) => ({ ...(payload as object), reorder: false });
    await machine.start({ lines: [{ lineNumber: 1 }] }).result;
    expect(putCalls.length).toBe(0);
  });

  it('retries a Lambda error named in Retry, with scaled intervals', async () => {
    reset();
    let failures = 0;
    mapBehaviour = async (payload) => {
      if (failures < 2) {
        failures += 1;
        throw new UpstreamUnavailableError('reference data unavailable');
      }
      return payload;
    };
    const startedAt = Date.now();
    await machine.start({ lines: [] }).result;
    expect(mapCalls.length).toBe(3);
    expect(Date.now() - startedAt < 1_000).toBeTruthy();
  });

  it('catches an error Retry does not cover and fails with the Lambda error and its JSON cause', async () => {
    reset();
    mapBehaviour = async () => {
      throw new ValidationError('line 3 has no charge code');
    };
    const started = machine.start({ lines: [] });
    await expect(started.result).rejects.toThrow(expect.toSatisfy((e: unknown) => {
      expectInstanceOf(e, ExecutionFailedError);
      expect(e.status).toBe('FAILED');
      expect(e.error).toBe('ValidationError');
      expect(e.retryable).toBe(false);
      const cause = JSON.parse(e.errorCause) as { errorType: string; errorMessage: string; trace: string[] };
      expect(cause.errorType).toBe('ValidationError');
      expect(cause.errorMessage).toBe('line 3 has no charge code');
      expect(Array.isArray(cause.trace)).toBeTruthy();
      return true;
    }));
    expect(mapCalls.length).toBe(1);
    const description = machine.describeExecution(started.executionArn);
    expect(description.status).toBe('FAILED');
    expect(description.error).toBe('ValidationError');
  });

  it('fails the putEvents task with EventBridge.FailedEntry when an entry failed', async () => {
    reset();
    putEventsBehaviour = async () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ValidationError', ErrorMessage: 'bad detail' }] });
    const started = machine.start({ lines: [{ lineNumber: 1 }] });
    await expect(started.result).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof ExecutionFailedError && e.error === 'PublishFailed'));
    expect(putCalls.length).toBe(1);
  });

  it('fails the putEvents task when putEvents throws', async () => {
    reset();
    putEventsBehaviour = async () => {
      throw new Error('bus closed');
    };
    await expect(machine.start({ lines: [{ lineNumber: 1 }] }).result).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof ExecutionFailedError && e.error === 'EventBridge.Error'));
  });

  it('returns the running Standard execution for the same name and input, and refuses a reused name otherwise', async () => {
    reset();
    let release: () => void = () => undefined;
    mapBehaviour = (payload) => new Promise((resolve) => { release = () => resolve(payload); });
    const first = machine.start({ lines: [] }, { name: 'business-key-1' });
    const again = machine.start({ lines: [] }, { name: 'business-key-1' });
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.result).toBe(first.result);
    expect(() => machine.start({ lines: [{ lineNumber: 9 }] }, { name: 'business-key-1' })).toThrow(ExecutionAlreadyExistsError);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await first.result;
    expect(() => machine.start({ lines: [] }, { name: 'business-key-1' })).toThrow(ExecutionAlreadyExistsError);
    expect(mapCalls.length).toBe(1);
  });

  it('lists executions newest first, filtered by status', async () => {
    reset();
    const failing = machine.start({ lines: [] }, { name: 'list-ok' });
    await failing.result;
    const all = machine.listExecutions();
    expect(all[0]?.name).toBe('list-ok');
    expect(machine.listExecutions({ statusFilter: 'FAILED' }).every((e) => e.status === 'FAILED')).toBeTruthy();
    expect(machine.listExecutions({ maxResults: 2 }).length).toBe(2);
  });

  it('refuses an invalid execution name, startSync on a Standard machine and an unknown execution', async () => {
    expect(() => machine.start({}, { name: 'has spaces' })).toThrow(ValidationError);
    await expect(machine.startSync({})).rejects.toThrow(ValidationError);
    expect(() => machine.describeExecution('arn:aws:states:local:000000000000:execution:x:y')).toThrow(NotFoundError);
  });

  it('stops a running execution as ABORTED', async () => {
    reset();
    mapBehaviour = () => new Promise(() => undefined);
    const started = machine.start({ lines: [] });
    await new Promise((resolve) => setImmediate(resolve));
    machine.stopExecution(started.executionArn, { error: 'Operator', cause: 'stopped by hand' });
    await expect(started.result).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof ExecutionFailedError && e.status === 'ABORTED' && e.error === 'Operator'));
    expect(machine.describeExecution(started.executionArn).status).toBe('ABORTED');
  });
});

describe('LocalStateMachine: .waitForTaskToken', () => {
  let machine: LocalStateMachine;
  const tokens: string[] = [];
  let onInvoke: (payload: { taskToken: string; order: unknown }) => void = () => undefined;

  beforeAll(() => {
    machine = new LocalStateMachine({
      name: 'hem-Approval',
      type: 'EXPRESS',
      definition: APPROVAL_ASL,
      lambdaInvokers: {
        [APPROVER_ARN]: async (payload) => {
          const request = payload as { taskToken: string; order: unknown };
          tokens.push(request.taskToken);
          onInvoke(request);
          return { accepted: true };
        },
      },
      logger: silentLogger,
    });
  });

  it('waits until sendTaskSuccess and continues with its output', async () => {
    onInvoke = () => undefined;
    const started = machine.start({ po: 'PO-1' });
    await machine.whenIdle();
    const token = tokens.at(-1);
    expectTruthy(token);
    expect(machine.describeExecution(started.executionArn).status).toBe('RUNNING');
    machine.sendTaskSuccess(token, { approvedBy: 'buyer-7' });
    expect(await started.result).toStrictEqual({ po: 'PO-1', approval: { approvedBy: 'buyer-7' } });
    expect(() => machine.sendTaskSuccess(token, {})).toThrow(NotFoundError);
  });

  it('fails the task with the error given to sendTaskFailure, which Catch can match', async () => {
    onInvoke = (request) => setImmediate(() => machine.sendTaskFailure(request.taskToken, 'OrderRejected', 'over budget'));
    const output = await machine.start({ po: 'PO-2' }).result;
    expect(output).toStrictEqual({ po: 'PO-2', rejection: { Error: 'OrderRejected', Cause: 'over budget' } });
  });

  it('accepts an answer sent before the invoked function returns', async () => {
    onInvoke = (request) => machine.sendTaskSuccess(request.taskToken, 'early');
    expect(await machine.start({ po: 'PO-3' }).result).toStrictEqual({ po: 'PO-3', approval: 'early' });
  });

  it('issues a different token to every execution', async () => {
    onInvoke = (request) => setImmediate(() => machine.sendTaskSuccess(request.taskToken, 'ok'));
    await Promise.all([machine.start({ po: 'A' }).result, machine.start({ po: 'B' }).result]);
    expect(new Set(tokens.slice(-2)).size).toBe(2);
  });

  it('runs an Express execution synchronously with startSync', async () => {
    onInvoke = (request) => setImmediate(() => machine.sendTaskSuccess(request.taskToken, { approvedBy: 'sync' }));
    const description = await machine.startSync({ po: 'PO-4' });
    expect(description.status).toBe('SUCCEEDED');
    expect(description.executionArn).toMatch(/^arn:aws:states:local:000000000000:express:hem-Approval:/);
    expect(description.output).toStrictEqual({ po: 'PO-4', approval: { approvedBy: 'sync' } });
  });

  it('close() aborts executions still waiting for a token, without reporting them as failures; StopExecution does report', async () => {
    const warnings: string[] = [];
    const own = new LocalStateMachine({
      name: 'hem-Approval-closing',
      type: 'EXPRESS',
      definition: APPROVAL_ASL,
      lambdaInvokers: { [APPROVER_ARN]: async () => ({ accepted: true }) },
      logger: { warn: (message) => warnings.push(message), error: (message) => warnings.push(message) },
    });
    const stopped = own.start({ po: 'stopped-by-an-operator' });
    await own.whenIdle();
    own.stopExecution(stopped.executionArn, { error: 'Operator', cause: 'cancelled' });
    await expect(stopped.result).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof ExecutionFailedError && e.status === 'ABORTED'));
    expect(warnings).toStrictEqual(['local execution did not succeed']);

    const waiting = own.start({ po: 'never-answered' });
    await own.whenIdle();
    await own.close();
    await expect(waiting.result).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof ExecutionFailedError && e.status === 'ABORTED'));
    expect(warnings).toStrictEqual(['local execution did not succeed']);
  });

  it('refuses an unknown task token', () => {
    expect(() => machine.sendTaskSuccess('AQnot-a-token', {})).toThrow(NotFoundError);
    expect(() => machine.sendTaskFailure('AQnot-a-token', 'X')).toThrow(NotFoundError);
  });
});

describe('LocalStateMachine: construction', () => {
  const minimal = (resource: string): string => JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, End: true } } });

  it('refuses a definition with a placeholder that has no substitution', () => {
    expect(() => new LocalStateMachine({ name: 'm', definition: minimal('${NoSuchFunctionArn}') })).toThrow(/no substitution for \$\{NoSuchFunctionArn\}/);
  });

  it('refuses a Lambda task without a local invoker', () => {
    expect(() => new LocalStateMachine({ name: 'm', definition: minimal(MAP_ARN) })).toThrow(/no local Lambda invoker/);
  });

  it('refuses putEvents without a putEvents function, and integrations it cannot run', () => {
    expect(() => new LocalStateMachine({ name: 'm', definition: minimal('arn:aws:states:::events:putEvents') })).toThrow(/no putEvents/);
    expect(() => new LocalStateMachine({ name: 'm', definition: minimal('arn:aws:states:::dynamodb:putItem') })).toThrow(/integrations\['arn:aws:states:::dynamodb:putItem'\]/);
  });

  it('refuses JSONata, which the library would silently ignore', () => {
    const definition = { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% 1 %}', End: true } } };
    expect(() => new LocalStateMachine({ name: 'm', definition })).toThrow(/JSONata/);
  });

  it('refuses an invalid definition with the validator\'s reason', () => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'Missing' } } };
    expect(() => new LocalStateMachine({ name: 'm', definition })).toThrow(expect.toSatisfy((e: unknown) => e instanceof ValidationError && /Missing/.test(e.message)));
  });

  it('runs another optimized integration through integrations', async () => {
    const calls: unknown[] = [];
    const machine = new LocalStateMachine({
      name: 'integration',
      definition: JSON.stringify({
        StartAt: 'Put',
        States: { Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 't', 'Item.$': '$' }, End: true } },
      }),
      integrations: { 'arn:aws:states:::dynamodb:putItem': async (parameters) => { calls.push(parameters); return {}; } },
      logger: silentLogger,
    });
    await machine.start({ pk: 'x' }).result;
    expect(calls).toStrictEqual([{ TableName: 't', Item: { pk: 'x' } }]);
  });

  it('builds every deployed state machine from its ASL file with the routing table substitutions', () => {
    for (const sm of STATE_MACHINES) {
      const substitutions: Record<string, string> = { [EVENT_BUS_PLACEHOLDER]: 'hem-local' };
      const lambdaInvokers: Record<string, (payload: unknown) => Promise<unknown>> = {};
      for (const [placeholder, functionId] of Object.entries(sm.functionPlaceholders)) {
        const arn = `arn:aws:lambda:local:000000000000:function:hem-${functionId}`;
        substitutions[placeholder] = arn;
        lambdaInvokers[arn] = async (payload) => payload;
      }
      for (const placeholder of Object.keys(sm.queuePlaceholders ?? {})) {
        substitutions[placeholder] = `http://sqs.local.localhost/000000000000/${placeholder}`;
      }
      const machine = new LocalStateMachine({
        name: `hem-${sm.id}`,
        aslPath: path.join(repoRoot, sm.file),
        substitutions,
        lambdaInvokers,
        putEvents: async (entries) => ({ FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: 'e' })) }),
        integrations: { 'arn:aws:states:::sqs:sendMessage': async () => ({ MessageId: 'm' }) },
        type: sm.type,
        logger: silentLogger,
      });
      expect(machine.type).toBe(sm.type);
      expect(JSON.stringify(machine.definition)).not.toMatch(/\$\{/);
    }
  });
});

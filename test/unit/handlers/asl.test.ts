import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import validator from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import { EVENT_BUS_PLACEHOLDER, RULES, STATE_MACHINES } from '../../../contracts/routing';
import { silentLogger } from '../../../local/persistence';
import { LocalQueue } from '../../../local/queue';
import { sqsSendMessageIntegration } from '../../../local/sqs-integration';
import { LocalStateMachine } from '../../../local/stepfunctions';
import { SUBSTITUTIONS, assertTasksRetry, substitute } from './support';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const machine = STATE_MACHINES.find((m) => m.id === 'UsageToReplenishment')!;
const raw = readFileSync(path.join(REPO_ROOT, machine.file), 'utf8');

type State = Record<string, unknown> & { Type: string };

/** Name and message of an error and its causes: the library wraps the state error. */
const errorChain = (e: unknown): string => {
  const parts: string[] = [];
  for (let cur: unknown = e; cur instanceof Error; cur = cur.cause) parts.push(`${cur.name}: ${cur.message}`);
  return parts.join(' <- ');
};
/** Every state, nested ItemProcessors included. */
const allStates = (states: Record<string, State>): [string, State][] =>
  Object.entries(states).flatMap(([name, state]) => {
    const processor = state.ItemProcessor as { States: Record<string, State> } | undefined;
    return [[name, state] as [string, State], ...(processor ? allStates(processor.States) : [])];
  });

describe('usage-to-replenishment ASL', () => {
  it('is valid Amazon States Language once its placeholders are substituted', () => {
    const result = validator(JSON.parse(substitute(raw, SUBSTITUTIONS)));
    assert.equal(result.isValid, true, result.errorsText());
  });

  it('uses exactly the placeholders of contracts/routing.ts plus EventBusName', () => {
    const used = new Set([...raw.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
    assert.deepEqual(
      [...used].sort(),
      [...Object.keys(machine.functionPlaceholders), ...Object.keys(machine.queuePlaceholders ?? {}), EVENT_BUS_PLACEHOLDER].sort(),
    );
  });

  it('dead-letters into the DLQ of the rule that starts it, so an operator sees one DLQ for the flow', () => {
    const rule = RULES.find((r) => r.target.kind === 'stateMachine' && r.target.id === machine.id);
    assert.ok(rule);
    assert.deepEqual(machine.queuePlaceholders, { WorkflowDeadLetterQueueUrl: { ruleDeadLetterQueue: rule.name } });
  });

  it('uses JSONPath only (the local runtime ignores JSONata)', () => {
    const definition = JSON.parse(raw) as { QueryLanguage?: string; States: Record<string, State> };
    assert.notEqual(definition.QueryLanguage, 'JSONata');
    for (const [name, state] of allStates(definition.States)) {
      assert.notEqual(state.QueryLanguage, 'JSONata', name);
      for (const field of ['Arguments', 'Output', 'Assign']) assert.equal(field in state, false, `${name} uses ${field}`);
    }
  });

  it('applies mapped lines one at a time, in order', () => {
    const definition = JSON.parse(raw) as { States: Record<string, State> };
    const map = definition.States.ApplyEachLine!;
    assert.equal(map.Type, 'Map');
    assert.equal(map.ItemsPath, '$.mappedLines');
    assert.equal(map.MaxConcurrency, 1);
  });

  it('retries every Lambda task on Lambda service errors and HEM retryable errors with jittered backoff', () => {
    const definition = JSON.parse(raw) as { States: Record<string, State> };
    const tasks = allStates(definition.States).filter(([, s]) => s.Type === 'Task');
    assert.ok(tasks.length >= 3);
    assertTasksRetry(tasks);
  });

  it('catches every failure at the top level into the dead-letter path, which always ends FAILED', () => {
    const definition = JSON.parse(raw) as { StartAt: string; States: Record<string, State> };
    const topLevel = Object.entries(definition.States);
    // Nothing inside the per-line Map catches: a failed line can never be caught into success.
    for (const [, state] of topLevel) {
      const processor = state.ItemProcessor as { States: Record<string, State> } | undefined;
      for (const [name, inner] of processor ? allStates(processor.States) : []) assert.equal('Catch' in inner, false, name);
    }
    const successors = (state: State): string[] => [
      ...(typeof state.Next === 'string' ? [state.Next] : []),
      ...((state.Choices as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
      ...(typeof state.Default === 'string' ? [state.Default] : []),
    ];
    // Every state that can fail on the way to success catches: the states from StartAt, following Next.
    const happyPath: string[] = [];
    for (let name: string | undefined = definition.StartAt; name !== undefined; name = successors(definition.States[name]!)[0]) happyPath.push(name);
    const mayFail = happyPath.filter((name) => ['Task', 'Map', 'Parallel'].includes(definition.States[name]!.Type));
    assert.deepEqual(mayFail, ['MapUsageLines', 'ApplyEachLine']);
    const catchers = topLevel.filter(([, state]) => 'Catch' in state);
    assert.deepEqual(catchers.map(([name]) => name), mayFail);
    // Every state reachable from a Catch leads to DeadLetterExecution and then a Fail state, never to an end in success.
    for (const [name, state] of catchers) {
      const catches = state.Catch as { ErrorEquals: string[]; Next: string; ResultPath: string }[];
      assert.deepEqual(catches.map((c) => c.ErrorEquals), [['States.ALL']], `${name} catches everything`);
      assert.equal(catches[0]!.ResultPath, '$.failure', `${name} keeps its input next to the error`);
      const seen = new Set<string>();
      const queue = [catches[0]!.Next];
      while (queue.length > 0) {
        const next = queue.shift()!;
        if (seen.has(next)) continue;
        seen.add(next);
        const reached = definition.States[next]!;
        assert.notEqual(reached.End, true, `${next} ends in success after a failure`);
        assert.notEqual(reached.Type, 'Succeed', next);
        if (reached.Type !== 'Fail') assert.ok(successors(reached).length > 0, `${next} has nowhere to go`);
        queue.push(...successors(reached));
      }
      assert.ok(seen.has('DeadLetterExecution') && seen.has('WorkflowFailed'), `${name} → ${[...seen].join(' → ')}`);
    }
  });

  it('sends the execution input with the error name and cause to the workflow DLQ', () => {
    const definition = JSON.parse(raw) as { States: Record<string, State> };
    const task = definition.States.DeadLetterExecution!;
    assert.equal(task.Resource, 'arn:aws:states:::sqs:sendMessage');
    assert.deepEqual(task.Parameters, {
      QueueUrl: '${WorkflowDeadLetterQueueUrl}',
      'MessageBody.$': 'States.JsonToString($$.Execution.Input)',
      MessageAttributes: {
        ERROR_CODE: { DataType: 'String', 'StringValue.$': '$.failure.Error' },
        ERROR_MESSAGE: { DataType: 'String', 'StringValue.$': '$.failure.Cause' },
        EXECUTION_ARN: { DataType: 'String', 'StringValue.$': '$$.Execution.Id' },
      },
    });
    assert.deepEqual(definition.States.WorkflowFailed, {
      Comment: definition.States.WorkflowFailed!.Comment,
      Type: 'Fail',
      ErrorPath: '$.failure.Error',
      CausePath: '$.failure.Cause',
    });
  });

  describe('executed by aws-local-stepfunctions', () => {
    const definition = JSON.parse(substitute(raw, SUBSTITUTIONS)) as ConstructorParameters<typeof StateMachine>[0];
    const stateMachine = new StateMachine(definition);
    const lines = [
      { businessKey: 'EPIC|M1|1', n: 1 },
      { businessKey: 'EPIC|M1|2', n: 2 },
    ];

    it('applies each line in order and publishes its entries with the bus name', async () => {
      const applied: string[] = [];
      const published: unknown[] = [];
      const execution = stateMachine.run(
        { id: 'evt-1', detail: { correlationId: 'corr-1' } },
        {
          overrides: {
            taskResourceLocalHandlers: {
              MapUsageLines: async () => ({ correlationId: 'corr-1', mappedLines: lines, exceptionCount: 1 }),
              ApplyUsageLine: async (raw) => {
                const input = raw as { line: { businessKey: string } };
                applied.push(input.line.businessKey);
                return {
                  businessKey: input.line.businessKey,
                  applied: true,
                  duplicate: false,
                  entries: [{ Source: 'hem.inventory', DetailType: 'InventoryPositionChanged', Detail: { idempotencyKey: `${input.line.businessKey}#X` } }],
                };
              },
              PublishOutcome: async (raw) => {
                const input = raw as { Entries: unknown[] };
                published.push(...input.Entries);
                return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'e' })) };
              },
            },
          },
        },
      );
      const output = (await execution.result) as Record<string, unknown>;
      assert.deepEqual(applied, ['EPIC|M1|1', 'EPIC|M1|2']);
      assert.deepEqual(published[0], {
        EventBusName: 'hem-test',
        Source: 'hem.inventory',
        DetailType: 'InventoryPositionChanged',
        Detail: { idempotencyKey: 'EPIC|M1|1#X' },
      });
      assert.deepEqual(output, {
        correlationId: 'corr-1',
        exceptionCount: 1,
        lineResults: [
          { businessKey: 'EPIC|M1|1', applied: true, duplicate: false },
          { businessKey: 'EPIC|M1|2', applied: true, duplicate: false },
        ],
      });
    });

    /** Runs with the execution context AWS provides (`$$.Execution.Id`) and records what is dead-lettered. */
    const runFailing = (
      input: unknown,
      handlers: Record<string, (input: unknown) => Promise<unknown>>,
    ): { result: Promise<unknown>; deadLettered: Record<string, unknown>[] } => {
      const deadLettered: Record<string, unknown>[] = [];
      const execution = stateMachine.run(input as never, {
        context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:express:hem:e1:x', Name: 'e1' } } as never,
        overrides: {
          taskResourceLocalHandlers: {
            ...(handlers as unknown as Record<string, (input: never) => Promise<never>>),
            DeadLetterExecution: async (parameters) => {
              deadLettered.push(parameters as Record<string, unknown>);
              return { MessageId: 'm-1' } as never;
            },
          },
        },
      });
      return { result: execution.result, deadLettered };
    };

    it('dead-letters the event and fails the execution when PutEvents reports failed entries', async () => {
      const run = runFailing(
        { id: 'evt-2', detail: { correlationId: 'c' } },
        {
          MapUsageLines: async () => ({ correlationId: 'c', mappedLines: [lines[0]], exceptionCount: 0 }),
          ApplyUsageLine: async () => ({ businessKey: 'EPIC|M1|1', applied: true, duplicate: false, entries: [{ Source: 's', DetailType: 'd', Detail: {} }] }),
          PublishOutcome: async () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] }),
        },
      );
      await assert.rejects(run.result, (e: unknown) => /PublishFailed/.test(errorChain(e)));
      assert.equal(run.deadLettered.length, 1);
      assert.equal((run.deadLettered[0]!.MessageAttributes as Record<string, { StringValue: string }>).ERROR_CODE.StringValue, 'PublishFailed');
    });

    it('dead-letters the original event with the error name and cause, then fails, when a line cannot be applied', async () => {
      const event = { id: 'evt-3', 'detail-type': 'SupplyUsageRecorded', source: 'hem.usage', detail: { correlationId: 'c' } };
      const run = runFailing(event, {
        MapUsageLines: async () => ({ correlationId: 'c', mappedLines: [lines[0]], exceptionCount: 0 }),
        ApplyUsageLine: async () => {
          const error = new Error('item is no longer in the item master');
          error.name = 'MappingError';
          throw error;
        },
      });
      await assert.rejects(run.result, (e: unknown) => /MappingError: item is no longer in the item master/.test(errorChain(e)));
      assert.deepEqual(run.deadLettered, [
        {
          QueueUrl: SUBSTITUTIONS.WorkflowDeadLetterQueueUrl,
          MessageBody: JSON.stringify(event),
          MessageAttributes: {
            ERROR_CODE: { DataType: 'String', StringValue: 'MappingError' },
            ERROR_MESSAGE: { DataType: 'String', StringValue: 'item is no longer in the item master' },
            EXECUTION_ARN: { DataType: 'String', StringValue: 'arn:aws:states:us-east-1:123456789012:express:hem:e1:x' },
          },
        },
      ]);
    });

    it('dead-letters the event when mapping itself fails, and names a missing cause', async () => {
      const run = runFailing(
        { id: 'evt-4' },
        {
          MapUsageLines: async () => {
            const error = new Error('');
            error.name = 'ValidationError';
            throw error;
          },
        },
      );
      await assert.rejects(run.result, (e: unknown) => /ValidationError/.test(errorChain(e)));
      const attributes = run.deadLettered[0]?.MessageAttributes as Record<string, { StringValue: string }>;
      assert.equal(attributes.ERROR_CODE.StringValue, 'ValidationError');
      assert.equal(attributes.ERROR_MESSAGE.StringValue, 'Step Functions reported no cause for this error');
      assert.equal(run.deadLettered[0]?.MessageBody, '{"id":"evt-4"}');
    });
  });

  describe('executed by the local runtime (LocalStateMachine, real SQS integration into a local queue)', () => {
    const event = {
      version: '0',
      id: 'b9a5c0e1-0000-4000-8000-0000000000aa',
      'detail-type': 'SupplyUsageRecorded',
      source: 'hem.usage',
      account: '000000000000',
      time: '2026-11-26T08:30:00Z',
      region: 'local',
      resources: [],
      detail: { correlationId: 'corr-dlq', idempotencyKey: 'EPIC|MSG-DLQ' },
    };
    const lines = [
      { businessKey: 'EPIC|M1|1', n: 1 },
      { businessKey: 'EPIC|M1|2', n: 2 },
    ];

    it('retries a failing ApplyUsageLine, then puts the original event in the DLQ with ERROR_CODE and ends FAILED', async () => {
      const dlq = new LocalQueue({ name: 'rule-usage-to-replenishment-dlq', logger: silentLogger });
      const published: unknown[] = [];
      let applyCalls = 0;
      const local = new LocalStateMachine({
        name: 'hem-UsageToReplenishment',
        definition: raw,
        type: 'EXPRESS',
        substitutions: { ...SUBSTITUTIONS, WorkflowDeadLetterQueueUrl: dlq.url },
        lambdaInvokers: {
          [SUBSTITUTIONS.MapUsageLinesFunctionArn!]: async () => ({ correlationId: 'corr-dlq', mappedLines: lines, exceptionCount: 0 }),
          [SUBSTITUTIONS.ApplyUsageLineFunctionArn!]: async (payload) => {
            applyCalls += 1;
            const { line } = payload as { line: { businessKey: string } };
            if (line.businessKey === 'EPIC|M1|2') {
              const error = new Error('DynamoDB TransactWriteItems failed (ServiceUnavailable)');
              error.name = 'InfrastructureError';
              throw error;
            }
            return { businessKey: line.businessKey, applied: true, duplicate: false, entries: [{ Source: 'hem.inventory', DetailType: 'InventoryPositionChanged', Detail: {} }] };
          },
        },
        putEvents: async (entries) => {
          published.push(...entries);
          return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: 'e' })) };
        },
        integrations: { 'arn:aws:states:::sqs:sendMessage': sqsSendMessageIntegration(() => [dlq]) },
        retryIntervalScale: 0.001,
        logger: silentLogger,
      });
      const started = local.start(event);
      await assert.rejects(started.result);

      const execution = local.describeExecution(started.executionArn);
      assert.equal(execution.status, 'FAILED');
      assert.equal(execution.error, 'InfrastructureError', execution.cause);
      assert.equal(applyCalls, 1 + 6, 'line 1 once, line 2 with its five retries');
      assert.equal(published.length, 1, 'line 1 was applied and published before line 2 failed');

      const [message, ...others] = dlq.peek();
      assert.equal(others.length, 0);
      assert.deepEqual(JSON.parse(message!.body), event);
      assert.equal(message!.attributes.ERROR_CODE, 'InfrastructureError');
      assert.match(message!.attributes.ERROR_MESSAGE ?? '', /DynamoDB TransactWriteItems failed/);
      assert.equal(message!.attributes.EXECUTION_ARN, started.executionArn);
    });

    it('ends FAILED with the SQS error when even the DLQ refuses the event (the workflow-failure alarm is the last line)', async () => {
      const local = new LocalStateMachine({
        name: 'hem-UsageToReplenishment',
        definition: raw,
        type: 'EXPRESS',
        substitutions: { ...SUBSTITUTIONS, WorkflowDeadLetterQueueUrl: 'http://sqs.local.localhost/000000000000/gone' },
        lambdaInvokers: {
          [SUBSTITUTIONS.MapUsageLinesFunctionArn!]: async () => {
            throw Object.assign(new Error('no such charge code table'), { name: 'MappingError' });
          },
          [SUBSTITUTIONS.ApplyUsageLineFunctionArn!]: async () => ({}),
        },
        putEvents: async (entries) => ({ FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: 'e' })) }),
        integrations: { 'arn:aws:states:::sqs:sendMessage': sqsSendMessageIntegration(() => []) },
        retryIntervalScale: 0.001,
        logger: silentLogger,
      });
      const started = local.start(event);
      await assert.rejects(started.result);
      const execution = local.describeExecution(started.executionArn);
      assert.equal(execution.status, 'FAILED');
      assert.equal(execution.error, 'SQS.QueueDoesNotExistException');
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import validator from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import { EVENT_BUS_PLACEHOLDER, RULES, STATE_MACHINES } from '../../../contracts/routing';
import { silentLogger } from '../../../local/persistence';
import { LocalQueue } from '../../../local/queue';
import { sqsSendMessageIntegration } from '../../../local/sqs-integration';
import { LocalStateMachine } from '../../../local/stepfunctions';
import { expectTruthy } from '../../support/expect-narrowing';
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
    expect(result.isValid).toBe(true);
  });

  it('uses exactly the placeholders of contracts/routing.ts plus EventBusName', () => {
    const used = new Set([...raw.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toStrictEqual([...Object.keys(machine.functionPlaceholders), ...Object.keys(machine.queuePlaceholders ?? {}), EVENT_BUS_PLACEHOLDER].sort());
  });

  it('dead-letters into the DLQ of the rule that starts it, so an operator sees one DLQ for the flow', () => {
    const rule = RULES.find((r) => r.target.kind === 'stateMachine' && r.target.id === machine.id);
    expectTruthy(rule);
    expect(machine.queuePlaceholders).toStrictEqual({ WorkflowDeadLetterQueueUrl: { ruleDeadLetterQueue: rule.name } });
  });

  it('uses JSONPath only (the local runtime ignores JSONata)', () => {
    const definition = JSON.parse(raw) as { QueryLanguage?: string; States: Record<string, State> };
    expect(definition.QueryLanguage).not.toBe('JSONata');
    for (const [, state] of allStates(definition.States)) {
      expect(state.QueryLanguage).not.toBe('JSONata');
      for (const field of ['Arguments', 'Output', 'Assign']) expect(field in state).toBe(false);
    }
  });

  it('applies mapped lines one at a time, in order', () => {
    const definition = JSON.parse(raw) as { States: Record<string, State> };
    const map = definition.States.ApplyEachLine!;
    expect(map.Type).toBe('Map');
    expect(map.ItemsPath).toBe('$.mappedLines');
    expect(map.MaxConcurrency).toBe(1);
  });

  it('retries every Lambda task on Lambda service errors and HEM retryable errors with jittered backoff', () => {
    const definition = JSON.parse(raw) as { States: Record<string, State> };
    const tasks = allStates(definition.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length >= 3).toBeTruthy();
    assertTasksRetry(tasks);
  });

  it('catches every failure at the top level into the dead-letter path, which always ends FAILED', () => {
    const definition = JSON.parse(raw) as { StartAt: string; States: Record<string, State> };
    const topLevel = Object.entries(definition.States);
    // Nothing inside the per-line Map catches: a failed line can never be caught into success.
    for (const [, state] of topLevel) {
      const processor = state.ItemProcessor as { States: Record<string, State> } | undefined;
      for (const [, inner] of processor ? allStates(processor.States) : []) expect('Catch' in inner).toBe(false);
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
    expect(mayFail).toStrictEqual(['MapUsageLines', 'ApplyEachLine']);
    const catchers = topLevel.filter(([, state]) => 'Catch' in state);
    expect(catchers.map(([name]) => name)).toStrictEqual(mayFail);
    // Every state reachable from a Catch leads to DeadLetterExecution and then a Fail state, never to an end in success.
    for (const [, state] of catchers) {
      const catches = state.Catch as { ErrorEquals: string[]; Next: string; ResultPath: string }[];
      expect(catches.map((c) => c.ErrorEquals)).toStrictEqual([['States.ALL']]);
      expect(catches[0]!.ResultPath).toBe('$.failure');
      const seen = new Set<string>();
      const queue = [catches[0]!.Next];
      while (queue.length > 0) {
        const next = queue.shift()!;
        if (seen.has(next)) continue;
        seen.add(next);
        const reached = definition.States[next]!;
        expect(reached.End).not.toBe(true);
        expect(reached.Type).not.toBe('Succeed');
        if (reached.Type !== 'Fail') expect(successors(reached).length > 0).toBeTruthy();
        queue.push(...successors(reached));
      }
      expect(seen.has('DeadLetterExecution') && seen.has('WorkflowFailed')).toBeTruthy();
    }
  });

  it('sends the execution input with the error name and cause to the workflow DLQ', () => {
    const definition = JSON.parse(raw) as { States: Record<string, State> };
    const task = definition.States.DeadLetterExecution!;
    expect(task.Resource).toBe('arn:aws:states:::sqs:sendMessage');
    expect(task.Parameters).toStrictEqual({
      QueueUrl: '${WorkflowDeadLetterQueueUrl}',
      'MessageBody.$': 'States.JsonToString($$.Execution.Input)',
      MessageAttributes: {
        ERROR_CODE: { DataType: 'String', 'StringValue.$': '$.failure.Error' },
        ERROR_MESSAGE: { DataType: 'String', 'StringValue.$': '$.failure.Cause' },
        EXECUTION_ARN: { DataType: 'String', 'StringValue.$': '$$.Execution.Id' },
      },
    });
    expect(definition.States.WorkflowFailed).toStrictEqual({
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
      { businessKey: 'EPIC|NMC|M1|1', n: 1 },
      { businessKey: 'EPIC|NMC|M1|2', n: 2 },
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
      expect(applied).toStrictEqual(['EPIC|NMC|M1|1', 'EPIC|NMC|M1|2']);
      expect(published[0]).toStrictEqual({
        EventBusName: 'hem-test',
        Source: 'hem.inventory',
        DetailType: 'InventoryPositionChanged',
        Detail: { idempotencyKey: 'EPIC|NMC|M1|1#X' },
      });
      expect(output).toStrictEqual({
        correlationId: 'corr-1',
        exceptionCount: 1,
        lineResults: [
          { businessKey: 'EPIC|NMC|M1|1', applied: true, duplicate: false },
          { businessKey: 'EPIC|NMC|M1|2', applied: true, duplicate: false },
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
          ApplyUsageLine: async () => ({ businessKey: 'EPIC|NMC|M1|1', applied: true, duplicate: false, entries: [{ Source: 's', DetailType: 'd', Detail: {} }] }),
          PublishOutcome: async () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] }),
        },
      );
      await expect(run.result).rejects.toThrow(expect.toSatisfy((e: unknown) => /PublishFailed/.test(errorChain(e))));
      expect(run.deadLettered.length).toBe(1);
      expect((run.deadLettered[0]!.MessageAttributes as Record<string, { StringValue: string }>).ERROR_CODE.StringValue).toBe('PublishFailed');
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
      await expect(run.result).rejects.toThrow(expect.toSatisfy((e: unknown) => /MappingError: item is no longer in the item master/.test(errorChain(e))));
      expect(run.deadLettered).toStrictEqual([
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
      await expect(run.result).rejects.toThrow(expect.toSatisfy((e: unknown) => /ValidationError/.test(errorChain(e))));
      const attributes = run.deadLettered[0]?.MessageAttributes as Record<string, { StringValue: string }>;
      expect(attributes.ERROR_CODE.StringValue).toBe('ValidationError');
      expect(attributes.ERROR_MESSAGE.StringValue).toBe('Step Functions reported no cause for this error');
      expect(run.deadLettered[0]?.MessageBody).toBe('{"id":"evt-4"}');
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
      detail: { correlationId: 'corr-dlq', idempotencyKey: 'EPIC|NMC|MSG-DLQ' },
    };
    const lines = [
      { businessKey: 'EPIC|NMC|M1|1', n: 1 },
      { businessKey: 'EPIC|NMC|M1|2', n: 2 },
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
            if (line.businessKey === 'EPIC|NMC|M1|2') {
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
      await expect(started.result).rejects.toThrow();

      const execution = local.describeExecution(started.executionArn);
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('InfrastructureError');
      expect(applyCalls).toBe(1 + 6);
      expect(published.length).toBe(1);

      const [message, ...others] = dlq.peek();
      expect(others.length).toBe(0);
      expect(JSON.parse(message!.body)).toStrictEqual(event);
      expect(message!.attributes.ERROR_CODE).toBe('InfrastructureError');
      expect(message!.attributes.ERROR_MESSAGE ?? '').toMatch(/DynamoDB TransactWriteItems failed/);
      expect(message!.attributes.EXECUTION_ARN).toBe(started.executionArn);
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
      await expect(started.result).rejects.toThrow();
      const execution = local.describeExecution(started.executionArn);
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('SQS.QueueDoesNotExistException');
    });
  });
});

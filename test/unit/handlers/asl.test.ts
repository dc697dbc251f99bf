import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import validator from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import { EVENT_BUS_PLACEHOLDER, STATE_MACHINES } from '../../../contracts/routing';
import { SUBSTITUTIONS, substitute } from './support';

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
    assert.deepEqual([...used].sort(), [...Object.keys(machine.functionPlaceholders), EVENT_BUS_PLACEHOLDER].sort());
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
    for (const [name, task] of tasks) {
      const retries = (task.Retry ?? []) as { ErrorEquals: string[]; JitterStrategy?: string }[];
      assert.ok(retries.length > 0, `${name} has no Retry`);
      assert.ok(retries.every((r) => r.JitterStrategy === 'FULL'), `${name} retries without jitter`);
      if (String(task.Resource).includes('FunctionArn')) {
        const errors = retries.flatMap((r) => r.ErrorEquals);
        for (const expected of ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'ConcurrencyError', 'InfrastructureError']) {
          assert.ok(errors.includes(expected), `${name} does not retry ${expected}`);
        }
      }
    }
  });

  it('never catches a failed line into success: no Catch on the Map or the tasks', () => {
    const definition = JSON.parse(raw) as { States: Record<string, State> };
    for (const [name, state] of allStates(definition.States)) assert.equal('Catch' in state, false, name);
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

    it('fails the execution when PutEvents reports failed entries', async () => {
      const execution = stateMachine.run(
        {},
        {
          overrides: {
            taskResourceLocalHandlers: {
              MapUsageLines: async () => ({ correlationId: 'c', mappedLines: [lines[0]], exceptionCount: 0 }),
              ApplyUsageLine: async () => ({ businessKey: 'EPIC|M1|1', applied: true, duplicate: false, entries: [{ Source: 's', DetailType: 'd', Detail: {} }] }),
              PublishOutcome: async () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] }),
            },
          },
        },
      );
      await assert.rejects(execution.result, (e: unknown) => /PublishFailed/.test(errorChain(e)));
    });

    it('fails the execution when a line cannot be applied', async () => {
      const execution = stateMachine.run(
        {},
        {
          overrides: {
            taskResourceLocalHandlers: {
              MapUsageLines: async () => ({ correlationId: 'c', mappedLines: [lines[0]], exceptionCount: 0 }),
              ApplyUsageLine: async () => {
                const error = new Error('item is no longer in the item master');
                error.name = 'MappingError';
                throw error;
              },
            },
          },
        },
      );
      await assert.rejects(execution.result, (e: unknown) => /MappingError/.test(errorChain(e)));
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { FUNCTIONS } from '../../contracts/functions';
import { EVENT_BUS_PLACEHOLDER, STATE_MACHINES } from '../../contracts/routing';
import { PROJECT_ROOT } from '../../lib/hem-app';
import { findAslPlaceholders, StateMachineFromAsl } from '../../lib/constructs/state-machine-from-asl';

/**
 * A stack with one StateMachineFromAsl whose substitutions are fake ARNs for `available` placeholders
 * (queue URLs for `queuePlaceholders`, the bus name for EventBusName, function ARNs for the rest).
 */
function machineStack(
  definitionFile: string,
  available: readonly string[],
  queuePlaceholders: readonly string[] = [],
): { stack: Stack; machine: StateMachineFromAsl } {
  const app = new App();
  const stack = new Stack(app, 'AslTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const functionPlaceholders = available.filter((p) => p !== EVENT_BUS_PLACEHOLDER && !queuePlaceholders.includes(p));
  const functions = functionPlaceholders.map((p) => lambda.Function.fromFunctionArn(stack, p, `arn:aws:lambda:eu-west-1:123456789012:function:${p}`));
  const queues = queuePlaceholders.map((p) => sqs.Queue.fromQueueArn(stack, p, `arn:aws:sqs:eu-west-1:123456789012:${p}`));
  const bus = events.EventBus.fromEventBusName(stack, 'Bus', 'hem-test');
  const machine = new StateMachineFromAsl(stack, 'Machine', {
    definitionFile,
    stateMachineName: 'asl-test',
    stateMachineType: sfn.StateMachineType.EXPRESS,
    substitutions: {
      ...Object.fromEntries(functionPlaceholders.map((p, i) => [p, functions[i]!.functionArn])),
      ...Object.fromEntries(queuePlaceholders.map((p, i) => [p, queues[i]!.queueUrl])),
      ...(available.includes(EVENT_BUS_PLACEHOLDER) ? { [EVENT_BUS_PLACEHOLDER]: bus.eventBusName } : {}),
    },
    invokedFunctions: functions,
    sendsToQueues: queues,
    eventBus: bus,
    encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    logRetention: logs.RetentionDays.ONE_WEEK,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return { stack, machine };
}

describe('StateMachineFromAsl', () => {
  it('finds each ${Placeholder} once, ignoring JSONPath "$." references', () => {
    const asl = '{"A":"${One}","B":"${Two}","C":"${One}","D.$":"$.detail","E":"$${notAName"}';
    expect(findAslPlaceholders(asl)).toStrictEqual(['One', 'Two']);
  });

  for (const definition of STATE_MACHINES) {
    const file = path.join(PROJECT_ROOT, definition.file);
    const queuePlaceholders = Object.keys(definition.queuePlaceholders ?? {});
    const offered = [...Object.keys(definition.functionPlaceholders), ...queuePlaceholders, EVENT_BUS_PLACEHOLDER];

    it(`${definition.id}: every placeholder in ${definition.file} has a substitution from the routing contract`, () => {
      const asl = readFileSync(file, 'utf8');
      expect(() => JSON.parse(asl)).not.toThrow();
      const missing = findAslPlaceholders(asl).filter((p) => !offered.includes(p));
      expect(missing).toStrictEqual([]);
      for (const functionId of Object.values(definition.functionPlaceholders)) {
        const fn = FUNCTIONS.find((f) => f.id === functionId);
        expect(fn?.trigger).toBe('stateMachine');
      }
    });

    it(`${definition.id}: synthesizes an inline definition whose substitutions cover exactly its placeholders`, () => {
      const { stack, machine } = machineStack(file, offered, queuePlaceholders);
      const resources = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
      const [resource] = Object.values(resources);
      expect(resource.Properties.DefinitionS3Location).toBe(undefined);
      expect(resource.Properties.DefinitionString).toBe(readFileSync(file, 'utf8'));
      expect(Object.keys(resource.Properties.DefinitionSubstitutions ?? {}).sort()).toStrictEqual([...machine.placeholders]);
    });
  }

  it('fails the synth, naming the placeholder, when the ASL uses a placeholder nobody substitutes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hem-asl-'));
    const file = path.join(dir, 'broken.asl.json');
    writeFileSync(file, JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: '${UnknownFunctionArn}', End: true } } }));
    expect(() => machineStack(file, [EVENT_BUS_PLACEHOLDER])).toThrow(/\$\{UnknownFunctionArn\}/);
  });

  it('fails the synth when the ASL file is not valid JSON', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hem-asl-'));
    const file = path.join(dir, 'broken.asl.json');
    writeFileSync(file, '{ "StartAt": ');
    expect(() => machineStack(file, [])).toThrow(/not valid JSON/);
  });
});

/**
 * Contract: EventBridgeReplayer against moto's EventBridge. A bus with the routing table's archive
 * pattern and its `cost-postings-to-finance` rule targeting an SQS queue: the StartReplay request
 * (archive ARN, destination bus, rule filter, window) must be one EventBridge accepts, the archived
 * events must come back through the rule marked with the replay name, and EventBridge's refusals
 * must map to HEM errors. moto replays the whole archive whatever the window and filter (its
 * StartReplay ignores both), so the window's semantics are tested on the local bus instead.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectTruthy } from '../support/expect-narrowing';
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ARCHIVE_PATTERN, RULES } from '../../contracts/routing';
import { EventBridgeReplayer } from '../../functions/adapters/aws/event-replayer';
import { ConflictError, ValidationError } from '../../functions/domain/errors';
import { gauzeCostPosted } from '../support/events';
import { startMoto } from '../support/moto';
import type { Moto } from '../support/moto';

const BUS = 'hem-replay-contract';
let moto: Moto;
let eventBridge: EventBridgeClient;
let sqs: SQSClient;
let queueUrl: string;
let replayer: EventBridgeReplayer;

const costPosted = (idempotencyKey: string): string => JSON.stringify(gauzeCostPosted(idempotencyKey));

/** Receives until the queue answers empty. */
const drain = async (): Promise<Record<string, unknown>[]> => {
  const events: Record<string, unknown>[] = [];
  for (;;) {
    const result = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if ((result.Messages ?? []).length === 0) return events;
    events.push(...(result.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>));
  }
};

const publish = async (idempotencyKey: string, time: Date): Promise<void> => {
  const result = await eventBridge.send(
    new PutEventsCommand({ Entries: [{ EventBusName: BUS, Source: 'hem.finance', DetailType: 'CostPosted', Detail: costPosted(idempotencyKey), Time: time }] }),
  );
  expect(result.FailedEntryCount).toBe(0);
};

describe('EventBridgeReplayer on moto', () => {
  beforeAll(async () => {
    moto = await startMoto();
    eventBridge = new EventBridgeClient(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
    const bus = await eventBridge.send(new CreateEventBusCommand({ Name: BUS }));
    const archive = await eventBridge.send(
      new CreateArchiveCommand({ ArchiveName: 'hem-archive', EventSourceArn: bus.EventBusArn, EventPattern: JSON.stringify(ARCHIVE_PATTERN) }),
    );
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'replayed' }))).QueueUrl ?? '';
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    const rule = RULES.find((r) => r.name === 'cost-postings-to-finance');
    expectTruthy(rule); expectTruthy(queueArn); expectTruthy(bus.EventBusArn); expectTruthy(archive.ArchiveArn);
    const created = await eventBridge.send(new PutRuleCommand({ Name: rule.name, EventBusName: BUS, EventPattern: JSON.stringify(rule.eventPattern) }));
    await eventBridge.send(new PutTargetsCommand({ Rule: rule.name, EventBusName: BUS, Targets: [{ Id: 'replayed', Arn: queueArn }] }));
    replayer = new EventBridgeReplayer({
      client: eventBridge,
      archiveArn: archive.ArchiveArn,
      eventBusArn: bus.EventBusArn,
      ruleArns: { [rule.name]: created.RuleArn ?? '' },
    });
  });

  afterAll(async () => {
    eventBridge?.destroy();
    sqs?.destroy();
    await moto?.stop();
  });

  it('replays the archived events through the rules, marked with the replay name', async () => {
    await publish('EPIC|NMC|ARCH|1', new Date('2026-11-20T09:00:00Z'));
    await publish('EPIC|NMC|ARCH|2', new Date('2026-11-20T10:00:00Z'));
    expect((await drain()).length).toBe(2);

    const started = await replayer.startReplay({
      replayName: 'hem-contract-1',
      from: '2026-11-20T00:00:00Z',
      to: '2026-11-21T00:00:00Z',
      ruleNames: ['cost-postings-to-finance'],
    });
    expect(started.replayName).toBe('hem-contract-1');
    expect(['STARTING', 'RUNNING', 'COMPLETED'].includes(started.state)).toBeTruthy();

    const replayed = await drain();
    expect(replayed.map((e) => (e.detail as { idempotencyKey: string }).idempotencyKey).sort()).toStrictEqual(['EPIC|NMC|ARCH|1', 'EPIC|NMC|ARCH|2']);
    expect(replayed.every((e) => e['replay-name'] === 'hem-contract-1')).toBeTruthy();
  });

  it('refuses a rule that is not deployed, a reversed window and a replay name used twice', async () => {
    await expect(replayer.startReplay({ replayName: 'hem-contract-3', from: '2026-11-21T00:00:00Z', to: '2026-11-20T00:00:00Z' })).rejects.toThrow(ValidationError);
    await expect(replayer.startReplay({ replayName: 'hem-contract-2', from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z', ruleNames: ['no-such-rule'] })).rejects.toThrow(ValidationError);
    await expect(replayer.startReplay({ replayName: 'hem-contract-1', from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z' })).rejects.toThrow(ConflictError);
  });
});

import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BusEvent } from '../../../contracts/events';
import { RULES } from '../../../contracts/routing';
import { InfrastructureError, UpstreamUnavailableError, ValidationError } from '../../../functions/domain/errors';
import { LocalEventBus } from '../../../local/bus';
import type { LocalBusEvent, LocalBusRule, LocalEventBusOptions } from '../../../local/bus';
import { silentLogger } from '../../../local/persistence';
import { LocalQueue } from '../../../local/queue';
import { gauzeCostPosted } from '../../support/events';
import { expectInstanceOf, expectTruthy } from '../../support/expect-narrowing';

const tempDirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hem-bus-'));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const envelope = (key: string): { version: '1'; correlationId: string; causationId: string; idempotencyKey: string; occurredAt: string } => ({
  version: '1',
  correlationId: `corr-${key}`,
  causationId: `cause-${key}`,
  idempotencyKey: `key-${key}`,
  occurredAt: '2026-11-26T10:00:00Z',
});

const costPosted = (key: string, amount = 4.5): BusEvent => ({
  source: 'hem.finance',
  detailType: 'CostPosted',
  detail: gauzeCostPosted(`key-${key}`, { ...envelope(key), quantity: 10, amount, postingDate: '2026-11-26' }),
});

const positionChanged = (key: string): BusEvent => ({
  source: 'hem.inventory',
  detailType: 'InventoryPositionChanged',
  detail: { ...envelope(key), locationId: 'NMC-OR', itemId: 'ITM-10001', delta: -2, onHand: 58, reason: 'USAGE' },
});

const costRule = RULES.find((r) => r.name === 'cost-postings-to-finance');
expectTruthy(costRule);

const recorder = (): { events: LocalBusEvent[]; target: LocalBusRule['target'] } => {
  const events: LocalBusEvent[] = [];
  return { events, target: async (event) => void events.push(event) };
};

const bus = (options: Partial<LocalEventBusOptions> & Pick<LocalEventBusOptions, 'rules'>): LocalEventBus =>
  new LocalEventBus({ retryBaseDelayMs: 2, logger: silentLogger, ...options });

const dlq = (name: string): LocalQueue => new LocalQueue({ name, logger: silentLogger });

describe('LocalEventBus: publishing and routing', () => {
  it('resolves publish once accepted, before any target runs', async () => {
    const { events, target } = recorder();
    const b = bus({ rules: [{ name: 'finance', eventPattern: costRule.eventPattern, target }] });
    await b.publish([costPosted('a')]);
    expect(events.length).toBe(0);
    await b.whenIdle();
    expect(events.length).toBe(1);
  });

  it('delivers a full EventBridge envelope', async () => {
    const { events, target } = recorder();
    const b = bus({ rules: [{ name: 'finance', eventPattern: costRule.eventPattern, target }] });
    const published = costPosted('env');
    await b.publish([published]);
    await b.drain();
    const [event] = events;
    expect(event).toBeTruthy();
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event.version).toBe('0');
    expect(event.account).toBe('000000000000');
    expect(event.region).toBe('local');
    expect(event.source).toBe('hem.finance');
    expect(event['detail-type']).toBe('CostPosted');
    expect(event.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(event.resources).toStrictEqual([]);
    expect(event.detail).toStrictEqual(published.detail);
    expect(event['replay-name']).toBe(undefined);
  });

  it('delivers only to rules whose pattern matches, each with its own copy', async () => {
    const finance = recorder();
    const inventory = recorder();
    const b = bus({
      rules: [
        { name: 'finance', eventPattern: costRule.eventPattern, target: async (e) => { e.detail['mutated'] = true; await finance.target(e); } },
        { name: 'inventory', eventPattern: { source: ['hem.inventory'] }, target: inventory.target },
        { name: 'everything', eventPattern: { source: [{ prefix: 'hem.' }] }, target: inventory.target },
      ],
    });
    await b.publish([costPosted('r1'), positionChanged('r2')]);
    await b.whenIdle();
    expect(finance.events.length).toBe(1);
    expect(inventory.events.map((e) => e['detail-type']).sort()).toStrictEqual(['CostPosted', 'InventoryPositionChanged', 'InventoryPositionChanged']);
    const everythingCopy = inventory.events.find((e) => e['detail-type'] === 'CostPosted');
    expect(everythingCopy?.detail['mutated']).toBe(undefined);
  });

  it('refuses a detail-type outside the catalog and accepts nothing of that batch', async () => {
    const { events, target } = recorder();
    const b = bus({ rules: [{ name: 'all', eventPattern: { source: [{ prefix: 'hem.' }] }, target }] });
    const unknown = { source: 'hem.finance', detailType: 'InvoicePaid', detail: envelope('x') } as unknown as BusEvent;
    await expect(b.publish([costPosted('ok'), unknown])).rejects.toThrow(expect.toSatisfy((e: unknown) => {
      expectInstanceOf(e, ValidationError);
      expect(e.details['reason']).toBe('UnknownDetailType');
      return true;
    }));
    await b.whenIdle();
    expect(events.length).toBe(0);
    expect(b.listArchive().length).toBe(0);
  });

  it('refuses a detail that fails its schema, naming the paths but not the values', async () => {
    const b = bus({ rules: [] });
    const bad = costPosted('bad');
    (bad.detail as Record<string, unknown>)['currency'] = 'DOLLARS';
    delete (bad.detail as Record<string, unknown>)['amount'];
    await expect(b.publish([bad])).rejects.toThrow(expect.toSatisfy((e: unknown) => {
      expectInstanceOf(e, ValidationError);
      expect(e.details['reason']).toBe('SchemaViolation');
      const issues = e.details['issues'] as { path: string }[];
      expect(issues.map((i) => i.path).sort()).toStrictEqual(['amount', 'currency']);
      expect(JSON.stringify(e.details)).not.toMatch(/DOLLARS/);
      return true;
    }));
  });

  it('refuses an event whose source is not the catalog source of its detail-type', async () => {
    const b = bus({ rules: [] });
    await expect(b.publish([{ ...costPosted('s'), source: 'hem.inventory' }])).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof ValidationError && e.details['reason'] === 'SourceMismatch'));
  });

  it('refuses to publish after close', async () => {
    const b = bus({ rules: [] });
    await b.close();
    await expect(b.publish([costPosted('late')])).rejects.toThrow(InfrastructureError);
  });
});

describe('LocalEventBus: PutEvents', () => {
  it('fails invalid entries alone and accepts the others', async () => {
    const { events, target } = recorder();
    const b = bus({ name: 'hem-local', rules: [{ name: 'all', eventPattern: { source: [{ prefix: 'hem.' }] }, target }] });
    const good = costPosted('p1');
    const result = await b.putEvents([
      { Source: good.source, DetailType: good.detailType, Detail: JSON.stringify(good.detail), EventBusName: 'hem-local', Resources: ['arn:x'] },
      { Source: 'hem.finance', DetailType: 'CostPosted', Detail: { version: '1' }, EventBusName: 'hem-local' },
      { Source: good.source, DetailType: good.detailType, Detail: '{not json', EventBusName: 'hem-local' },
      { Source: good.source, DetailType: good.detailType, Detail: good.detail, EventBusName: 'other-bus' },
    ]);
    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries[0]?.EventId).toBeTruthy();
    expect(result.Entries[1]?.ErrorCode).toBe('ValidationError');
    expect(result.Entries[2]?.ErrorCode).toBe('MalformedDetail');
    expect(result.Entries[3]?.ErrorCode).toBe('ResourceNotFoundException');
    await b.whenIdle();
    expect(events.length).toBe(1);
    expect(events[0]?.id).toBe(result.Entries[0]?.EventId);
    expect(events[0]?.resources).toStrictEqual(['arn:x']);
  });

  it('refuses more than 10 entries in one call', async () => {
    const b = bus({ rules: [] });
    const entry = { Source: 'hem.finance', DetailType: 'CostPosted', Detail: costPosted('n').detail };
    await expect(b.putEvents(Array.from({ length: 11 }, () => entry))).rejects.toThrow(ValidationError);
  });
});

describe('LocalEventBus: retries and dead-letter queues', () => {
  it('retries a failing target with growing backoff and delivers once it recovers', async () => {
    const attempts: number[] = [];
    const b = bus({
      retryBaseDelayMs: 20,
      random: () => 0,
      rules: [{
        name: 'flaky',
        eventPattern: costRule.eventPattern,
        target: async () => {
          attempts.push(Date.now());
          if (attempts.length <= 3) throw new UpstreamUnavailableError('ledger 503');
        },
      }],
    });
    await b.publish([costPosted('flaky')]);
    await b.whenIdle();
    expect(attempts.length).toBe(4);
    const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] as number));
    // With random() = 0 the delays are half the ceiling: 10, 20, 40 ms.
    gaps.forEach((gap, i) => expect(gap >= 10 * 2 ** i - 2).toBeTruthy());
    expect((gaps[2] as number) > (gaps[0] as number)).toBeTruthy();
    expect({ ...b.stats(), deliveries: undefined }).toStrictEqual({ published: 1, archived: 1, deliveries: undefined, failedAttempts: 3, deadLettered: 0, dropped: 0 });
  });

  it('sends the event to the DLQ with EventBridge attributes after maximumRetryAttempts', async () => {
    const queue = dlq('rule-finance-dlq');
    let attempts = 0;
    const b = bus({
      maximumRetryAttempts: 2,
      rules: [{
        name: 'cost-postings-to-finance',
        eventPattern: costRule.eventPattern,
        dlq: queue,
        targetArn: 'arn:aws:sqs:local:000000000000:FinancePostings',
        target: async () => {
          attempts += 1;
          throw new UpstreamUnavailableError('queue unavailable');
        },
      }],
    });
    await b.publish([costPosted('dead')]);
    await b.whenIdle();
    expect(attempts).toBe(3);
    const [message] = queue.peek();
    expect(message).toBeTruthy();
    const event = JSON.parse(message.body) as LocalBusEvent;
    expect(event['detail-type']).toBe('CostPosted');
    expect(message.attributes).toStrictEqual({
      RULE_ARN: 'arn:aws:events:local:000000000000:rule/hem-local/cost-postings-to-finance',
      TARGET_ARN: 'arn:aws:sqs:local:000000000000:FinancePostings',
      ERROR_CODE: 'ERROR_FROM_TARGET',
      ERROR_MESSAGE: 'UpstreamUnavailableError: queue unavailable',
      RETRY_ATTEMPTS: '2',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    });
  });

  it('dead-letters at once when the target error is not retryable', async () => {
    const queue = dlq('nonretry-dlq');
    let attempts = 0;
    const b = bus({
      rules: [{
        name: 'strict',
        eventPattern: costRule.eventPattern,
        dlq: queue,
        target: async () => {
          attempts += 1;
          throw new ValidationError('target refuses this event');
        },
      }],
    });
    await b.publish([costPosted('nr')]);
    await b.whenIdle();
    expect(attempts).toBe(1);
    expect(queue.peek()[0]?.attributes['RETRY_ATTEMPTS']).toBe('0');
    expect(queue.peek()[0]?.attributes['EXHAUSTED_RETRY_CONDITION']).toBe(undefined);
  });

  it('stops retrying once the event is older than maximumEventAgeSeconds', async () => {
    const queue = dlq('age-dlq');
    let attempts = 0;
    const b = bus({
      maximumRetryAttempts: 100,
      retryBaseDelayMs: 40,
      random: () => 0,
      rules: [{
        name: 'aged',
        eventPattern: costRule.eventPattern,
        dlq: queue,
        maximumEventAgeSeconds: 0.1,
        target: async () => {
          attempts += 1;
          throw new Error('down');
        },
      }],
    });
    await b.publish([costPosted('age')]);
    await b.whenIdle();
    expect(attempts >= 2 && attempts <= 4).toBeTruthy();
    expect(queue.peek()[0]?.attributes['EXHAUSTED_RETRY_CONDITION']).toBe('MaximumEventAgeInSeconds');
  });

  it('drops an event that exhausts its retries when the target has no DLQ, and counts it', async () => {
    const b = bus({ maximumRetryAttempts: 1, rules: [{ name: 'nodlq', eventPattern: costRule.eventPattern, target: async () => { throw new Error('x'); } }] });
    await b.publish([costPosted('drop')]);
    await b.whenIdle();
    expect(b.stats().dropped).toBe(1);
  });

  it('redrives a rule DLQ to its target once the target recovers', async () => {
    const queue = dlq('redrive-rule-dlq');
    let healthy = false;
    const delivered: string[] = [];
    const b = bus({
      maximumRetryAttempts: 1,
      rules: [{
        name: 'recovering',
        eventPattern: costRule.eventPattern,
        dlq: queue,
        target: async (event) => {
          if (!healthy) throw new UpstreamUnavailableError('down');
          delivered.push(event.id);
        },
      }],
    });
    await b.publish([costPosted('r1'), costPosted('r2')]);
    await b.whenIdle();
    expect(queue.depth()).toBe(2);
    healthy = true;
    expect(await b.redriveDeadLetters('recovering')).toStrictEqual({ redriven: 2 });
    await b.whenIdle();
    expect(delivered.length).toBe(2);
    expect(queue.depth()).toBe(0);
  });

  it('abandons scheduled retries on close and still resolves whenIdle', async () => {
    const b = bus({ retryBaseDelayMs: 60_000, rules: [{ name: 'slow', eventPattern: costRule.eventPattern, target: async () => { throw new Error('x'); } }] });
    await b.publish([costPosted('close')]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await b.close();
    expect(b.stats().failedAttempts).toBe(1);
  });
});

describe('LocalEventBus: archive and replay', () => {
  it('archives only events matching the archive pattern', async () => {
    const b = bus({ rules: [], validate: false, archivePattern: { source: [{ prefix: 'hem.' }] } });
    await b.putEvents([
      { Source: 'hem.finance', DetailType: 'CostPosted', Detail: {} },
      { Source: 'partner.erp', DetailType: 'Anything', Detail: {} },
    ]);
    expect(b.listArchive().map((a) => a.event.source)).toStrictEqual(['hem.finance']);
  });

  it('replays a time window with a replay-name, keeping event ids, without archiving again', async () => {
    let now = Date.parse('2026-11-26T08:00:00Z');
    const { events, target } = recorder();
    const liveOnly = recorder();
    const b = bus({
      now: () => now,
      rules: [
        { name: 'finance', eventPattern: costRule.eventPattern, target },
        { name: 'live-only', eventPattern: { source: ['hem.finance'], 'replay-name': [{ exists: false }] }, target: liveOnly.target },
      ],
    });
    await b.publish([costPosted('early')]);
    now += 3_600_000;
    await b.publish([costPosted('late')]);
    await b.whenIdle();
    const originals = [...events];
    events.length = 0;
    liveOnly.events.length = 0;

    const replay = await b.replay({ from: '2026-11-26T07:30:00Z', to: '2026-11-26T08:30:00Z', name: 'ledger-outage' });
    await b.whenIdle();
    expect(replay).toStrictEqual({ replayName: 'ledger-outage', eventCount: 1, deliveries: 1 });
    expect(events.length).toBe(1);
    expect(events[0]?.['replay-name']).toBe('ledger-outage');
    expect(events[0]?.id).toBe(originals[0]?.id);
    expect(events[0]?.detail['idempotencyKey']).toBe('key-early');
    expect(liveOnly.events.length).toBe(0);
    expect(b.listArchive().length).toBe(2);
  });

  it('replays to the named rules only', async () => {
    const a = recorder();
    const c = recorder();
    const b = bus({ rules: [{ name: 'a', eventPattern: costRule.eventPattern, target: a.target }, { name: 'c', eventPattern: costRule.eventPattern, target: c.target }] });
    const from = Date.now() - 1000;
    await b.publish([costPosted('only')]);
    await b.whenIdle();
    await b.replay({ from, to: Date.now() + 1000, ruleNames: ['c'] });
    await b.whenIdle();
    expect(a.events.length).toBe(1);
    expect(c.events.length).toBe(2);
    await expect(b.replay({ from, to: Date.now(), ruleNames: ['nope'] })).rejects.toThrow(ValidationError);
    await expect(b.replay({ from: Date.now(), to: from })).rejects.toThrow(ValidationError);
  });

  it('persists the archive as JSONL and replays it after a restart', async () => {
    const dataDir = tempDir();
    const first = bus({ dataDir, rules: [] });
    const from = Date.now() - 1000;
    await first.publish([costPosted('kept'), positionChanged('kept-too')]);
    await first.close();
    const lines = readFileSync(path.join(dataDir, 'bus', 'archive.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(2);

    const { events, target } = recorder();
    const second = bus({ dataDir, rules: [{ name: 'finance', eventPattern: costRule.eventPattern, target }] });
    expect(second.listArchive().length).toBe(2);
    expect(second.archivedEvents().map((e) => e['detail-type'])).toStrictEqual(['CostPosted', 'InventoryPositionChanged']);
    await second.replay({ from, to: Date.now() + 1000, name: 'after-restart' });
    await second.whenIdle();
    expect(events.length).toBe(1);
    expect(events[0]?.detail['idempotencyKey']).toBe('key-kept');
  });

  it('forgets archived events older than the retention period, in memory and in the file', async () => {
    const dataDir = tempDir();
    const day = 86_400_000;
    const start = Date.parse('2026-01-01T00:00:00Z');
    let now = start;
    const first = bus({ dataDir, rules: [], now: () => now });
    await first.publish([costPosted('old')]);
    now = start + 2 * day;
    await first.publish([positionChanged('newer')]);
    now = start + 91 * day;
    const second = bus({ dataDir, rules: [], now: () => now });
    expect(second.archivedEvents().map((e) => e.detail['idempotencyKey'])).toStrictEqual(['key-newer']);
    expect(readFileSync(path.join(dataDir, 'bus', 'archive.jsonl'), 'utf8').trim().split('\n').length).toBe(1);
    now = start + 93 * day;
    const third = bus({ dataDir, rules: [], now: () => now });
    expect(third.listArchive().length).toBe(0);
    expect(readFileSync(path.join(dataDir, 'bus', 'archive.jsonl'), 'utf8')).toBe('');
  });
});

describe('LocalEventBus: dead-letter error attributes', () => {
  it('dead-letters with an error code and a one-line message, never a stack trace or file path', async () => {
    const queue = dlq('safe-attributes-dlq');
    const failure = new ValidationError("cannot read '/work/main/local/data/bus/state.json'\n    at readState (/work/main/local/bus.ts:12:3)");
    const b = bus({
      rules: [{ name: 'cost-postings-to-finance', eventPattern: costRule.eventPattern, dlq: queue, target: async () => Promise.reject(failure) }],
    });
    await b.publish([costPosted('safe')]);
    await b.whenIdle();
    const [message] = queue.peek();
    expectTruthy(message);
    expect(message.attributes.ERROR_CODE).toBe('ERROR_FROM_TARGET');
    expect(message.attributes.ERROR_MESSAGE).toBe("ValidationError: cannot read '[path]'");
    expect(JSON.stringify(message.attributes)).not.toMatch(/\/work\/|\bat readState\b|\.ts:\d/);
  });
});

/**
 * awsDependencies: lazy, env-driven composition. Runs in its own process (node --test isolates
 * files), so the module-level client cache starts empty here.
 */
import { describe, expect, it } from '@jest/globals';
import { awsDependencies, createdAwsClients, parseDeadLetterQueueConfig, parseRuleArns } from '../../../functions/adapters/aws/dependencies';
import { HEM_ENV } from '../../../functions/adapters/aws/environment';

describe('awsDependencies', () => {
  it('builds the container without reading variables or creating clients', async () => {
    const deps = awsDependencies({});
    const copy = { ...deps };
    const { inventory, events } = copy;
    // Awaiting a port (e.g. by a careless `await deps.inventory`) must not build it either.
    expect(await Promise.resolve(inventory).then(() => 'resolved')).toBe('resolved');
    expect(events).toBeTruthy();
    expect(createdAwsClients()).toStrictEqual([]);
    expect(deps.clock.now() instanceof Date).toBeTruthy();
  });

  it('names the missing variable at first use of a port, without creating its client', async () => {
    const deps = awsDependencies({ AWS_REGION: 'us-east-1' });
    expect(() => deps.inventory.getPosition).toThrow(/HEM_TABLE_OPERATIONS is not set/);
    expect(() => deps.finance.postJournalLine).toThrow(/HEM_FINANCE_URL is not set/);
    expect(() => deps.idempotencyStore.configure).toThrow(/HEM_TABLE_IDEMPOTENCY is not set/);
    // Ports loaded on demand report it as the call's rejection.
    await expect(deps.events.publish([])).rejects.toThrow(/HEM_EVENT_BUS_NAME is not set/);
    await expect(deps.deadLetterQueues.list()).rejects.toThrow(/HEM_DLQS is not set/);
    await expect(deps.encounterKey.getKey()).rejects.toThrow(/HEM_ENCOUNTER_KEY_SECRET_ARN is not set/);
    expect(createdAwsClients()).toStrictEqual([]);
  });

  it('creates only the DynamoDB client for a handler that only uses DynamoDB ports, once', () => {
    const env = {
      AWS_REGION: 'us-east-1',
      [HEM_ENV.tableOperations]: 'hem-operations',
      [HEM_ENV.tableReference]: 'hem-reference',
      [HEM_ENV.tableIdempotency]: 'hem-idempotency',
    };
    const deps = awsDependencies(env);
    expect(typeof deps.inventory.applyMovement).toBe('function');
    expect(typeof deps.referenceData.findChargeCode).toBe('function');
    expect(typeof deps.idempotencyStore.saveInProgress).toBe('function');
    expect(createdAwsClients()).toStrictEqual(['dynamodb']);
    // A second container (another handler module in the same bundle) reuses the module's client.
    expect(typeof awsDependencies(env).transactions.record).toBe('function');
    expect(createdAwsClients()).toStrictEqual(['dynamodb']);
  });

  it('loads the EventBridge client only when events are first published', async () => {
    const deps = awsDependencies({ AWS_REGION: 'us-east-1', [HEM_ENV.eventBusName]: 'hem-bus' });
    expect(!createdAwsClients().includes('eventbridge')).toBeTruthy();
    // An empty batch needs no request, but building the publisher loads its client.
    await deps.events.publish([]);
    expect(createdAwsClients().includes('eventbridge')).toBeTruthy();
    expect(!createdAwsClients().includes('sqs')).toBeTruthy();
  });

  it('creates the finance ledger without any AWS client', () => {
    const deps = awsDependencies({ [HEM_ENV.financeUrl]: 'http://127.0.0.1:9' });
    const before = createdAwsClients();
    expect(typeof deps.finance.postJournalLine).toBe('function');
    expect(createdAwsClients()).toStrictEqual(before);
  });

  it('parses HEM_DLQS with queue, bus and no redrive, and refuses a malformed value with a clear message', () => {
    const queues = [
      { name: 'finance-postings-dlq', dlqUrl: 'https://sqs.us-east-1.amazonaws.com/1/a-dlq', redrive: { kind: 'queue', sourceUrl: 'https://sqs.us-east-1.amazonaws.com/1/a' } },
      { name: 'usage-to-replenishment-dlq', dlqUrl: 'https://sqs.us-east-1.amazonaws.com/1/b-dlq', redrive: { kind: 'bus', eventBusName: 'hem-bus' } },
      { name: 'lambda-async-dlq', dlqUrl: 'https://sqs.us-east-1.amazonaws.com/1/c-dlq' },
    ];
    expect(parseDeadLetterQueueConfig(JSON.stringify(queues))).toStrictEqual(queues);
    expect(() => parseDeadLetterQueueConfig('not json')).toThrow(/HEM_DLQS is not valid JSON/);
    expect(() => parseDeadLetterQueueConfig('[{"name":"x"}]')).toThrow(/HEM_DLQS must be a JSON array of \{name, dlqUrl, redrive\?/);
    expect(() => parseDeadLetterQueueConfig(JSON.stringify([{ ...queues[1], redrive: { kind: 'bus' } }]))).toThrow(/HEM_DLQS must be a JSON array/);
  });

  it('still reads the first HEM_DLQS format ({name, dlqUrl, sourceUrl}) as a queue redrive', () => {
    const legacy = [{ name: 'finance-postings', dlqUrl: 'https://sqs.us-east-1.amazonaws.com/1/a-dlq', sourceUrl: 'https://sqs.us-east-1.amazonaws.com/1/a' }];
    expect(parseDeadLetterQueueConfig(JSON.stringify(legacy))).toStrictEqual([
      { name: 'finance-postings', dlqUrl: 'https://sqs.us-east-1.amazonaws.com/1/a-dlq', redrive: { kind: 'queue', sourceUrl: 'https://sqs.us-east-1.amazonaws.com/1/a' } },
    ]);
  });

  it('parses HEM_RULE_ARNS and names the variable when it is malformed', () => {
    const arns = { 'usage-to-replenishment': 'arn:aws:events:us-east-1:1:rule/hem/usage' };
    expect(parseRuleArns(JSON.stringify(arns))).toStrictEqual(arns);
    expect(() => parseRuleArns('["arn:aws:events:us-east-1:1:rule/hem/usage"]')).toThrow(/HEM_RULE_ARNS must be a JSON object/);
  });

  it('names a missing replay variable at the first replay', async () => {
    const deps = awsDependencies({ AWS_REGION: 'us-east-1', [HEM_ENV.archiveArn]: 'arn:aws:events:us-east-1:1:archive/hem' });
    await expect(deps.eventReplayer.startReplay({ from: 'a', to: 'b', replayName: 'r' })).rejects.toThrow(/HEM_EVENT_BUS_ARN is not set/);
  });
});

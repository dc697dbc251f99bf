/**
 * awsDependencies: lazy, env-driven composition. Runs in its own process (node --test isolates
 * files), so the module-level client cache starts empty here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsDependencies, createdAwsClients, parseDeadLetterQueueConfig, parseRuleArns } from '../../../functions/adapters/aws/dependencies';
import { HEM_ENV } from '../../../functions/adapters/aws/environment';

describe('awsDependencies', () => {
  it('builds the container without reading variables or creating clients', async () => {
    const deps = awsDependencies({});
    const copy = { ...deps };
    const { inventory, events } = copy;
    // Awaiting a port (e.g. by a careless `await deps.inventory`) must not build it either.
    assert.equal(await Promise.resolve(inventory).then(() => 'resolved'), 'resolved');
    assert.ok(events);
    assert.deepEqual(createdAwsClients(), []);
    assert.ok(deps.clock.now() instanceof Date);
  });

  it('names the missing variable at first use of a port, without creating its client', async () => {
    const deps = awsDependencies({ AWS_REGION: 'us-east-1' });
    assert.throws(() => deps.inventory.getPosition, /HEM_TABLE_OPERATIONS is not set/);
    assert.throws(() => deps.finance.postJournalLine, /HEM_FINANCE_URL is not set/);
    assert.throws(() => deps.idempotencyStore.configure, /HEM_TABLE_IDEMPOTENCY is not set/);
    // Ports loaded on demand report it as the call's rejection.
    await assert.rejects(deps.events.publish([]), /HEM_EVENT_BUS_NAME is not set/);
    await assert.rejects(deps.deadLetterQueues.list(), /HEM_DLQS is not set/);
    await assert.rejects(deps.encounterKey.getKey(), /HEM_ENCOUNTER_KEY_SECRET_ARN is not set/);
    assert.deepEqual(createdAwsClients(), []);
  });

  it('creates only the DynamoDB client for a handler that only uses DynamoDB ports, once', () => {
    const env = {
      AWS_REGION: 'us-east-1',
      [HEM_ENV.tableOperations]: 'hem-operations',
      [HEM_ENV.tableReference]: 'hem-reference',
      [HEM_ENV.tableIdempotency]: 'hem-idempotency',
    };
    const deps = awsDependencies(env);
    assert.equal(typeof deps.inventory.applyMovement, 'function');
    assert.equal(typeof deps.referenceData.findChargeCode, 'function');
    assert.equal(typeof deps.idempotencyStore.saveInProgress, 'function');
    assert.deepEqual(createdAwsClients(), ['dynamodb']);
    // A second container (another handler module in the same bundle) reuses the module's client.
    assert.equal(typeof awsDependencies(env).transactions.record, 'function');
    assert.deepEqual(createdAwsClients(), ['dynamodb']);
  });

  it('loads the EventBridge client only when events are first published', async () => {
    const deps = awsDependencies({ AWS_REGION: 'us-east-1', [HEM_ENV.eventBusName]: 'hem-bus' });
    assert.ok(!createdAwsClients().includes('eventbridge'));
    // An empty batch needs no request, but building the publisher loads its client.
    await deps.events.publish([]);
    assert.ok(createdAwsClients().includes('eventbridge'));
    assert.ok(!createdAwsClients().includes('sqs'));
  });

  it('creates the finance ledger without any AWS client', () => {
    const deps = awsDependencies({ [HEM_ENV.financeUrl]: 'http://127.0.0.1:9' });
    const before = createdAwsClients();
    assert.equal(typeof deps.finance.postJournalLine, 'function');
    assert.deepEqual(createdAwsClients(), before);
  });

  it('parses HEM_DLQS with queue, bus and no redrive, and refuses a malformed value with a clear message', () => {
    const queues = [
      { name: 'finance-postings-dlq', dlqUrl: 'https://sqs.us-east-1.amazonaws.com/1/a-dlq', redrive: { kind: 'queue', sourceUrl: 'https://sqs.us-east-1.amazonaws.com/1/a' } },
      { name: 'usage-to-replenishment-dlq', dlqUrl: 'https://sqs.us-east-1.amazonaws.com/1/b-dlq', redrive: { kind: 'bus', eventBusName: 'hem-bus' } },
      { name: 'lambda-async-dlq', dlqUrl: 'https://sqs.us-east-1.amazonaws.com/1/c-dlq' },
    ];
    assert.deepEqual(parseDeadLetterQueueConfig(JSON.stringify(queues)), queues);
    assert.throws(() => parseDeadLetterQueueConfig('not json'), /HEM_DLQS is not valid JSON/);
    assert.throws(() => parseDeadLetterQueueConfig('[{"name":"x"}]'), /HEM_DLQS must be a JSON array of \{name, dlqUrl, redrive\?/);
    assert.throws(
      () => parseDeadLetterQueueConfig(JSON.stringify([{ ...queues[1], redrive: { kind: 'bus' } }])),
      /HEM_DLQS must be a JSON array/,
    );
  });

  it('still reads the first HEM_DLQS format ({name, dlqUrl, sourceUrl}) as a queue redrive', () => {
    const legacy = [{ name: 'finance-postings', dlqUrl: 'https://sqs.us-east-1.amazonaws.com/1/a-dlq', sourceUrl: 'https://sqs.us-east-1.amazonaws.com/1/a' }];
    assert.deepEqual(parseDeadLetterQueueConfig(JSON.stringify(legacy)), [
      { name: 'finance-postings', dlqUrl: 'https://sqs.us-east-1.amazonaws.com/1/a-dlq', redrive: { kind: 'queue', sourceUrl: 'https://sqs.us-east-1.amazonaws.com/1/a' } },
    ]);
  });

  it('parses HEM_RULE_ARNS and names the variable when it is malformed', () => {
    const arns = { 'usage-to-replenishment': 'arn:aws:events:us-east-1:1:rule/hem/usage' };
    assert.deepEqual(parseRuleArns(JSON.stringify(arns)), arns);
    assert.throws(() => parseRuleArns('["arn:aws:events:us-east-1:1:rule/hem/usage"]'), /HEM_RULE_ARNS must be a JSON object/);
  });

  it('names a missing replay variable at the first replay', async () => {
    const deps = awsDependencies({ AWS_REGION: 'us-east-1', [HEM_ENV.archiveArn]: 'arn:aws:events:us-east-1:1:archive/hem' });
    await assert.rejects(deps.eventReplayer.startReplay({ from: 'a', to: 'b', replayName: 'r' }), /HEM_EVENT_BUS_ARN is not set/);
  });
});

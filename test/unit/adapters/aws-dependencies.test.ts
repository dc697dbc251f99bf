/**
 * awsDependencies: lazy, env-driven composition. Runs in its own process (node --test isolates
 * files), so the module-level client cache starts empty here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsDependencies, createdAwsClients, parseDeadLetterQueueConfig } from '../../../functions/adapters/aws/dependencies';
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

  it('parses HEM_DLQS and refuses a malformed value with a clear message', () => {
    const queues = [{ name: 'finance-postings', dlqUrl: 'https://sqs.us-east-1.amazonaws.com/1/a-dlq', sourceUrl: 'https://sqs.us-east-1.amazonaws.com/1/a' }];
    assert.deepEqual(parseDeadLetterQueueConfig(JSON.stringify(queues)), queues);
    assert.throws(() => parseDeadLetterQueueConfig('not json'), /HEM_DLQS is not valid JSON/);
    assert.throws(() => parseDeadLetterQueueConfig('[{"name":"x"}]'), /HEM_DLQS must be a JSON array of \{name, dlqUrl, sourceUrl\}/);
  });
});

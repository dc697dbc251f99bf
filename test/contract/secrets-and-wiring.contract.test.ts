/**
 * Contract: SecretsManagerEncounterKeyProvider against moto's Secrets Manager, and the Lambda
 * composition root `awsDependencies()` wired end to end to moto through the standard
 * `AWS_ENDPOINT_URL` setting (as a Lambda would be to AWS through its environment).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectInstanceOf } from '../support/expect-narrowing';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsDependencies, createdAwsClients } from '../../functions/adapters/aws/dependencies';
import { SecretsManagerEncounterKeyProvider } from '../../functions/adapters/aws/encounter-key';
import { HEM_ENV } from '../../functions/adapters/aws/environment';
import { InfrastructureError } from '../../functions/domain/errors';
import { ensureTables, localTableNames } from '../../local/dynamodb-local';
import { startMoto } from '../support/moto';
import type { Moto } from '../support/moto';
import { openingPosition, referenceDataSet, usageOutcome } from '../unit/adapters/scenarios';

const KEY_TEXT = 'k'.repeat(20) + '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';

let moto: Moto;
let secrets: SecretsManagerClient;

describe('Secrets Manager and the Lambda composition root on moto', () => {
  beforeAll(async () => {
    moto = await startMoto();
    secrets = new SecretsManagerClient(moto.clientConfig);
  });

  afterAll(async () => {
    secrets?.destroy();
    await moto?.stop();
  });

  describe('SecretsManagerEncounterKeyProvider', () => {
    it('returns the secret string as key bytes and keeps it after the first fetch', async () => {
      const arn = (await secrets.send(new CreateSecretCommand({ Name: 'hem/encounter-key-a', SecretString: KEY_TEXT }))).ARN ?? '';
      const provider = new SecretsManagerEncounterKeyProvider({ client: secrets, secretId: arn });
      const [a, b] = await Promise.all([provider.getKey(), provider.getKey()]);
      expect(Buffer.from(a).toString('utf8')).toStrictEqual(KEY_TEXT);
      expect(a).toBe(b);
      await secrets.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
      expect(await provider.getKey()).toStrictEqual(a);
    });

    it('uses a binary secret as-is', async () => {
      const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
      const arn = (await secrets.send(new CreateSecretCommand({ Name: 'hem/encounter-key-b', SecretBinary: bytes }))).ARN ?? '';
      expect(await new SecretsManagerEncounterKeyProvider({ client: secrets, secretId: arn }).getKey()).toStrictEqual(bytes);
    });

    it('refuses a key shorter than 32 bytes without putting the value in the error', async () => {
      const arn = (await secrets.send(new CreateSecretCommand({ Name: 'hem/encounter-key-c', SecretString: 'short-secret' }))).ARN ?? '';
      await expect(new SecretsManagerEncounterKeyProvider({ client: secrets, secretId: arn }).getKey()).rejects.toThrow(
        expect.toSatisfy((error: unknown) => {
          expectInstanceOf(error, InfrastructureError);
          expect(JSON.stringify({ m: error.message, d: error.details })).not.toContain('short-secret');
          return true;
        }),
      );
    });

    it('does not cache a failed fetch: the next call tries again', async () => {
      const provider = new SecretsManagerEncounterKeyProvider({ client: secrets, secretId: 'hem/encounter-key-d' });
      await expect(provider.getKey()).rejects.toThrow(InfrastructureError);
      await secrets.send(new CreateSecretCommand({ Name: 'hem/encounter-key-d', SecretString: KEY_TEXT }));
      expect(Buffer.from(await provider.getKey()).toString('utf8')).toBe(KEY_TEXT);
    });

  });

  describe('awsDependencies', () => {
    it('wires every port to the tables, bus, queues and secret named by HEM_* variables', async () => {
      // What Lambda's environment provides: credentials, region, and here the emulator's endpoint.
      process.env.AWS_ENDPOINT_URL = moto.endpoint;
      process.env.AWS_ACCESS_KEY_ID = moto.clientConfig.credentials.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = moto.clientConfig.credentials.secretAccessKey;
      const tables = localTableNames('wired');
      await ensureTables(moto.endpoint, tables);
      const eventBridge = new EventBridgeClient(moto.clientConfig);
      const sqs = new SQSClient(moto.clientConfig);
      try {
        await eventBridge.send(new CreateEventBusCommand({ Name: 'hem-wired' }));
        const targetUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'wired-target' }))).QueueUrl ?? '';
        const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'wired-target-dlq' }))).QueueUrl ?? '';
        const targetArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: targetUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
        await eventBridge.send(new PutRuleCommand({ Name: 'all', EventBusName: 'hem-wired', EventPattern: JSON.stringify({ source: [{ prefix: 'hem.' }] }) }));
        await eventBridge.send(new PutTargetsCommand({ Rule: 'all', EventBusName: 'hem-wired', Targets: [{ Id: 'q', Arn: targetArn }] }));
        const secretArn = (await secrets.send(new CreateSecretCommand({ Name: 'hem/encounter-key-wired', SecretString: KEY_TEXT }))).ARN ?? '';

        const deps = awsDependencies({
          AWS_REGION: moto.clientConfig.region,
          [HEM_ENV.tableIdempotency]: tables.Idempotency,
          [HEM_ENV.tableAudit]: tables.Audit,
          [HEM_ENV.tableOperations]: tables.Operations,
          [HEM_ENV.tableReference]: tables.Reference,
          [HEM_ENV.eventBusName]: 'hem-wired',
          [HEM_ENV.financeUrl]: 'http://127.0.0.1:9',
          [HEM_ENV.encounterKeySecretArn]: secretArn,
          [HEM_ENV.deadLetterQueues]: JSON.stringify([{ name: 'wired-target-dlq', dlqUrl, sourceUrl: targetUrl }]),
        });

        await deps.referenceData.load(referenceDataSet(2));
        expect((await deps.referenceData.getItem('ITM-10002'))?.itemId).toBe('ITM-10002');
        await deps.inventory.initialisePosition(openingPosition('NMC-OR', 'ITM-10001', 60));
        const outcome = usageOutcome(openingPosition('NMC-OR', 'ITM-10001', 60), 'EPIC|NMC|WIRED|1', 3);
        expect((await deps.inventory.applyMovement(0, outcome)).applied).toBe(true);
        expect((await deps.audit.append({ actor: 'test', action: 'WIRED', entity: 'E#1', correlationId: 'c', payload: {} })).seq).toBe(1);
        await deps.events.publish([outcome.costPosting]);
        const delivered = await sqs.send(new ReceiveMessageCommand({ QueueUrl: targetUrl, WaitTimeSeconds: 0 }));
        expect(JSON.parse(delivered.Messages?.[0]?.Body ?? '{}').detail.idempotencyKey).toBe('EPIC|NMC|WIRED|1');
        expect(await deps.deadLetterQueues.list()).toStrictEqual([{ name: 'wired-target-dlq', sourceQueue: 'wired-target', depth: 0 }]);
        expect(Buffer.from(await deps.encounterKey.getKey()).toString('utf8')).toBe(KEY_TEXT);
        expect(createdAwsClients().sort()).toStrictEqual(['dynamodb', 'eventbridge', 'secretsmanager', 'sqs']);
      } finally {
        eventBridge.destroy();
        sqs.destroy();
        delete process.env.AWS_ENDPOINT_URL;
      }
    });
  });
});

/**
 * The Lambda composition of `ErpCommandQueue`: the `ErpCommands` queue from
 * `HEM_ERP_COMMANDS_QUEUE_URL` and `AWS_REGION`. Lazy like `awsDependencies`: the adapter module and
 * the SQS SDK are loaded on the first send, and a missing variable surfaces as that send's error
 * (importing a handler needs no configuration).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ErpCommandQueue } from '../../domain/procurement-ports';
import type { AwsDependenciesOptions } from './dependencies';
import { HEM_ENV } from './environment';

/** One SQS client per module (per Lambda instance), created on first use. */
let sqsClient: Promise<SQSClient> | undefined;

/** The ErpCommands queue over SQS. */
export const awsErpCommandQueue = (env: Record<string, string | undefined> = process.env, options: AwsDependenciesOptions = {}): ErpCommandQueue => {
  const instrument = options.instrumentClient ?? (<C>(client: C): C => client);
  const region = env.AWS_REGION === undefined || env.AWS_REGION === '' ? {} : { region: env.AWS_REGION };
  let queue: Promise<ErpCommandQueue> | undefined;
  const load = (): Promise<ErpCommandQueue> =>
    (queue ??= (async () => {
      const queueUrl = env[HEM_ENV.erpCommandsQueueUrl]?.trim();
      if (queueUrl === undefined || queueUrl === '') {
        throw new Error(`environment variable ${HEM_ENV.erpCommandsQueueUrl} is not set (the HEM stack sets it on every function that needs it)`);
      }
      sqsClient ??= import('@aws-sdk/client-sqs').then((m) => instrument(new m.SQSClient(region)));
      const [{ SqsErpCommandQueue }, client] = await Promise.all([import('./erp-command-queue'), sqsClient]);
      return new SqsErpCommandQueue({ client, queueUrl });
    })().catch((error: unknown) => {
      queue = undefined;
      throw error;
    }));
  return { send: async (command) => (await load()).send(command) };
};

/**
 * `ErpCommandQueue` over SQS: a fire-and-forget command on the `ErpCommands` queue (SendMessage, the
 * JSON body of `contracts/procurement-commands.ts`). No task token: the ERP connector books the
 * command once per business key and nobody waits for its answer; a failure stays on the queue
 * (redelivered, then its DLQ, which operators redrive).
 *
 * Handlers get it through `awsErpCommandQueue(env)` (`erp-commands.ts`), which loads this module and
 * the SQS SDK on the first send.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ErpCommand } from '../../../contracts/procurement-commands';
import { InfrastructureError } from '../../domain/errors';
import type { ErpCommandQueue } from '../../domain/procurement-ports';

export interface SqsErpCommandQueueOptions {
  client: SQSClient;
  queueUrl: string;
}

/** Sends ERP commands to the ErpCommands queue. */
export class SqsErpCommandQueue implements ErpCommandQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: SqsErpCommandQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async send(command: ErpCommand): Promise<void> {
    try {
      // Imported on first send: a static import of the external SDK would be hoisted to the top of
      // the bundle and evaluated at init, although this module itself is loaded lazily.
      const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
      await this.#client.send(new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(command) }));
    } catch (error) {
      // The SDK's message may quote the request; the command name and the error name are enough.
      throw new InfrastructureError(`SendMessage of ${command.command} to the ErpCommands queue failed`, {
        cause: error,
        details: { command: command.command, errorName: error instanceof Error ? error.name : typeof error },
      });
    }
  }
}

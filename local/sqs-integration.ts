/**
 * The Step Functions optimized integration `arn:aws:states:::sqs:sendMessage` over local queues,
 * for `LocalStateMachine`'s `integrations` option: the queue is found by its `QueueUrl`, the request
 * and answer are SendMessage's, and failures carry the names Step Functions gives them
 * (`SQS.<Exception>`), so the ASL's Retry and Catch match as on AWS.
 */
import { createHash } from 'node:crypto';
import type { LocalQueue, MessageAttributeInput } from './queue';
import type { IntegrationHandler } from './stepfunctions';

/** The SendMessage parameters a Task state resolves to. */
interface SendMessageParameters {
  QueueUrl?: unknown;
  /** A string, or JSON the integration serialises. */
  MessageBody?: unknown;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, { DataType?: string; StringValue?: string; BinaryValue?: string }>;
}

/** An error whose name is the ASL error Retry/Catch match. */
const integrationError = (name: string, message: string): Error => Object.assign(new Error(message), { name });

/**
 * @param queues - the queues a state machine may send to (read on every call, so queues created later count)
 * @returns the integration handler: `{ MessageId, MD5OfMessageBody }`, or throws
 *   `SQS.QueueDoesNotExistException` for an unknown URL and `SQS.AmazonSQSException` when the queue refuses the message
 */
export const sqsSendMessageIntegration =
  (queues: () => Iterable<LocalQueue>): IntegrationHandler =>
  async (parameters) => {
    const request = (parameters ?? {}) as SendMessageParameters;
    const queue = [...queues()].find((q) => q.url === request.QueueUrl);
    if (queue === undefined) {
      throw integrationError('SQS.QueueDoesNotExistException', `The specified queue does not exist: ${String(request.QueueUrl)}`);
    }
    const body = typeof request.MessageBody === 'string' ? request.MessageBody : JSON.stringify(request.MessageBody);
    const attributes: Record<string, MessageAttributeInput> = {};
    for (const [name, value] of Object.entries(request.MessageAttributes ?? {})) {
      attributes[name] = {
        dataType: value.DataType ?? 'String',
        ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
        ...(value.BinaryValue === undefined ? {} : { binaryValue: value.BinaryValue }),
      };
    }
    let messageId: string;
    try {
      messageId = queue.send(body, attributes, request.DelaySeconds === undefined ? {} : { delaySeconds: request.DelaySeconds });
    } catch (error) {
      throw integrationError('SQS.AmazonSQSException', error instanceof Error ? error.message : String(error));
    }
    return { MessageId: messageId, MD5OfMessageBody: createHash('md5').update(body).digest('hex') };
  };

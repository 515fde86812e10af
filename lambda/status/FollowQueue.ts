import { type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { FollowMessage } from './FollowMessage';

/** The first characters of every follow message as sent: the relay tells one from a delivery by them, before parsing. */
export const FOLLOW_MESSAGE_PREFIX = '{"version":1,"follow":';

/** A follow message as it is queued. */
export function serializeFollowMessage(message: FollowMessage): string {
  return JSON.stringify({ version: 1, follow: message.follow });
}

/**
 * The relay's own queue, for its follow messages: each waits `delaySeconds` (at most SQS's 900),
 * with the delivery's id and source as attributes, as a delivery has them, so that one in the
 * dead-letter queue reads as what it is about.
 */
export class SqsFollowQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: FollowMessage, delaySeconds: number): Promise<void> {
    const { follow } = message;
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: serializeFollowMessage(message),
        DelaySeconds: delaySeconds,
        MessageAttributes: {
          deliveryId: { DataType: 'String', StringValue: follow.deliveryId },
          source: { DataType: 'String', StringValue: follow.source },
          follows: { DataType: 'String', StringValue: follow.executionId },
        },
      }),
    );
  }
}

import { type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { type RelayMessage, serializeRelayMessage, sqsMessageAttributes } from '../events/RelayMessage';

/**
 * The longest wait of one deferral, 14 minutes: SQS delays a message 15 minutes at most, and a
 * longer wait is sent again when it comes back. A minute under SQS's limit keeps a deferred
 * delivery younger than the oldest-message alarm's default 15 minutes, should SQS count its delay
 * in its age: only a delivery the relay does not keep up with should raise that alarm.
 */
export const MAX_DEFERRAL_SECONDS = 840;

/** The relay's own queue, for deliveries that wait out a rule's quiet period. */
export interface DeferredQueue {
  /** Sends the delivery back, to be received again in `delaySeconds` (0 to {@link MAX_DEFERRAL_SECONDS}). */
  send(message: RelayMessage, delaySeconds: number): Promise<void>;
}

/** The delivery queue, with the attributes ingress gives a delivery, so a deferred one reads as any other. */
export class SqsDeferredQueue implements DeferredQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: RelayMessage, delaySeconds: number): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: serializeRelayMessage(message).json, MessageAttributes: sqsMessageAttributes(message), DelaySeconds: delaySeconds }),
    );
  }
}

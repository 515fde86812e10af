import { type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { type RelayMessage, sqsMessageAttributes } from '../events/RelayMessage';

/** Where ingress puts deliveries: the relay's SQS queue. */
export interface DeliveryQueue {
  /** `body` is the message as JSON, already made (and measured, with its attributes) by the caller. */
  send(message: RelayMessage, body: string): Promise<void>;
}

/** The SQS queue, with the attributes that let a record be recognised without reading its body. */
export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: RelayMessage, body: string): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body, MessageAttributes: sqsMessageAttributes(message) }));
  }
}

import { type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { MESSAGE_ATTRIBUTES, type RelayMessage } from '../events/RelayMessage';

/** Where ingress puts deliveries: the relay's SQS queue. */
export interface DeliveryQueue {
  /** `body` is the message as JSON, already made (and measured) by the caller. */
  send(message: RelayMessage, body: string): Promise<void>;
}

/** The SQS queue, with the attributes that let a record be recognised without reading its body. */
export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: RelayMessage, body: string): Promise<void> {
    const kinds = [...new Set(message.events.map((event) => event.kind))].join(',');
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        MessageAttributes: {
          [MESSAGE_ATTRIBUTES.source]: { DataType: 'String', StringValue: message.source },
          [MESSAGE_ATTRIBUTES.provider]: { DataType: 'String', StringValue: message.provider },
          [MESSAGE_ATTRIBUTES.eventKind]: { DataType: 'String', StringValue: kinds },
          [MESSAGE_ATTRIBUTES.deliveryId]: { DataType: 'String', StringValue: message.deliveryId },
        },
      }),
    );
  }
}

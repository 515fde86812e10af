import type { Message } from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES } from '../lambda/relay/DeadLetterQueue';
import { MESSAGE_ATTRIBUTES, MalformedMessageError, type RelayMessage, messageAttributes, parseRelayMessage } from '../lambda/events/RelayMessage';

/** A record of the dead-letter queue, as the operator commands read it. */
export interface DeadLetter {
  messageId: string;
  /** From the latest receive: what DeleteMessage and ChangeMessageVisibility need. */
  receiptHandle: string;
  /** The original message body, unchanged. */
  body: string;
  /** Its SQS message attributes (why it was dead-lettered: lambda/relay/DeadLetterQueue.ts), as SQS holds them: text, Number ones too. */
  attributes: Record<string, string>;
  /** The event's delivery id from the attributes, else the queued message's; undefined when neither says. */
  deliveryId: string | undefined;
  /** The body as a relay message, when it is one. */
  message: RelayMessage | undefined;
  /** Why the body is not a relay message, when it is not. */
  malformed: string | undefined;
  /** When SQS accepted the message (ISO 8601); a record moved by the redrive policy keeps the main queue's time. */
  sentAt: string | undefined;
}

/** The record of a received message; undefined for one without id or receipt handle, which SQS never sends. */
export function deadLetterOf(received: Message): DeadLetter | undefined {
  const { MessageId: messageId, ReceiptHandle: receiptHandle, Body: body = '' } = received;
  if (messageId === undefined || receiptHandle === undefined) return undefined;
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(received.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  let message: RelayMessage | undefined;
  let malformed: string | undefined;
  try {
    message = parseRelayMessage(body);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) throw error;
    malformed = error.message;
  }
  const sent = Number(received.Attributes?.SentTimestamp);
  return {
    messageId,
    receiptHandle,
    body,
    attributes,
    deliveryId: attributes[DEAD_LETTER_ATTRIBUTES.deliveryId] ?? message?.deliveryId,
    message,
    malformed,
    sentAt: Number.isFinite(sent) ? new Date(sent).toISOString() : undefined,
  };
}

/**
 * Whether an operator's ID names the record: its messageId, or a delivery id. A delivery whose
 * events or rules failed separately has a record for each, and its id names all of them.
 */
export function isNamedBy(record: DeadLetter, id: string): boolean {
  return record.messageId === id || record.deliveryId === id || record.message?.deliveryId === id;
}

/**
 * The attributes the record had on the main queue, as ingress sends them (messageAttributes in
 * lambda/events/RelayMessage.ts), read from the body; a body that is not a relay message goes
 * back with its delivery id only, if known.
 */
export function queueAttributes(record: DeadLetter): Record<string, string> {
  const { message } = record;
  if (message === undefined) return record.deliveryId === undefined ? {} : { [MESSAGE_ATTRIBUTES.deliveryId]: record.deliveryId };
  return messageAttributes(message);
}

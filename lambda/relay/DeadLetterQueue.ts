import { type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { MESSAGE_ATTRIBUTES } from '../events/RelayMessage';

/**
 * Why a record was dead-lettered, carried as SQS message attributes beside the original body
 * (SQS allows ten attributes a message: these are they).
 */
export interface DeadLetterReason {
  deliveryId: string;
  /** created, retryable, unauthorized, forbidden, notFound, rejected, tls, or malformed (the record itself). */
  outcome: string;
  /** The last HTTP status, when there was one. */
  status?: number;
  reason: string;
  /** The start of Code Stream's last answer, bounded; never a secret. */
  snippet: string;
  rule?: string;
  /** `id:<id>` or `name:<project>/<name>`. */
  pipeline?: string;
  attempts: number;
  firstAttemptAt?: string;
  lastAttemptAt?: string;
}

export const DEAD_LETTER_ATTRIBUTES = {
  deliveryId: MESSAGE_ATTRIBUTES.deliveryId,
  outcome: 'outcome',
  status: 'status',
  reason: 'reason',
  snippet: 'snippet',
  rule: 'rule',
  pipeline: 'pipeline',
  attempts: 'attempts',
  firstAttemptAt: 'firstAttemptAt',
  lastAttemptAt: 'lastAttemptAt',
} as const;

/** SQS refuses an empty string attribute, and bounds an attribute's size with the message's. */
const MAX_ATTRIBUTE_CHARS = 1024;

export interface DeadLetterQueue {
  /** Sends the original record body unchanged, with the reason as attributes. */
  send(body: string, why: DeadLetterReason): Promise<void>;
}

export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(body: string, why: DeadLetterReason): Promise<void> {
    const attributes: Record<string, { DataType: string; StringValue: string }> = {};
    for (const [field, name] of Object.entries(DEAD_LETTER_ATTRIBUTES)) {
      const value = why[field as keyof DeadLetterReason];
      if (value === undefined || value === '') continue;
      attributes[name] = {
        DataType: typeof value === 'number' ? 'Number' : 'String',
        StringValue: String(value).slice(0, MAX_ATTRIBUTE_CHARS),
      };
    }
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body, MessageAttributes: attributes }));
  }
}

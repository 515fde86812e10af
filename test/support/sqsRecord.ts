import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';

export interface SqsRecordOptions {
  /** SQS's ApproximateReceiveCount: 1 on the first receive. @default 1 */
  receiveCount?: number;
  /** @default a new UUID */
  messageId?: string;
  /** Message attributes, name → string value, as the ingress queue and the DLQ set them. @default none */
  messageAttributes?: Record<string, string>;
  /** @default now */
  sentAt?: Date;
}

/** The queue the records come from: the stack's queue, in the account and region of the local queues. */
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:relay-deliveries';

/**
 * One record of the SQS event Lambda passes the relay function, as the event source mapping builds
 * it for a message with this body.
 *
 * @example
 * await processRecord(sqsRecord(JSON.stringify(message), { receiveCount: 3 }), () => 60_000, dependencies);
 */
export function sqsRecord(body: string, options: SqsRecordOptions = {}): SQSRecord {
  const sentAt = (options.sentAt ?? new Date()).getTime();
  return {
    messageId: options.messageId ?? randomUUID(),
    // Opaque and new at each receive.
    receiptHandle: randomBytes(96).toString('base64'),
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(sentAt),
      SenderId: 'AROAEXAMPLEROLEID:ingress',
      ApproximateFirstReceiveTimestamp: String(sentAt + 20),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(options.messageAttributes ?? {}).map(([name, value]) => [name, { stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' }]),
    ),
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface RelayQueuesProps {
  /** The relay function's timeout: the queue's visibility timeout is six times it, as AWS advises. */
  relayTimeout: Duration;
  /**
   * Receives after which SQS itself moves a record to the DLQ: the backstop for records that crash
   * or time out the function. Set above the relay's own MAX_RECEIVE_COUNT.
   */
  maxReceiveCount: number;
  /** Encrypts both queues. @default SQS-managed encryption */
  encryptionKey?: IKey;
}

/** SQS's largest message: a delivery and its envelope must fit (see MAX_BODY_BYTES). */
const ONE_MEBIBYTE = 1024 * 1024;
/** SQS's longest retention, for both queues: time to fix what failed and redrive. */
const RETENTION = Duration.days(14);

/**
 * The delivery queue and its dead-letter queue: encrypted (by SQS, or a customer key), TLS only, 1 MiB messages, and an alarm
 * as soon as anything is dead-lettered.
 */
export class RelayQueues extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** In alarm while the DLQ holds any message. */
  readonly deadLetterAlarm: Alarm;
  /** How long the queue keeps a message. */
  readonly retentionPeriod: Duration = RETENTION;
  /** How long the DLQ keeps a message, counted from when it entered the queue: SQS keeps that time when it dead-letters. */
  readonly deadLetterRetentionPeriod: Duration = RETENTION;

  constructor(scope: Construct, id: string, props: RelayQueuesProps) {
    super(scope, id);
    const encryption = props.encryptionKey
      ? { encryption: QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
      : { encryption: QueueEncryption.SQS_MANAGED };
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...encryption,
      enforceSSL: true,
      retentionPeriod: this.deadLetterRetentionPeriod,
      maxMessageSizeBytes: ONE_MEBIBYTE,
    });
    this.queue = new Queue(this, 'Queue', {
      ...encryption,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.relayTimeout.toSeconds() * 6),
      retentionPeriod: this.retentionPeriod,
      maxMessageSizeBytes: ONE_MEBIBYTE,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: 'A delivery was dead-lettered: read its reason attributes (relay dlq list) and redrive it once fixed.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}

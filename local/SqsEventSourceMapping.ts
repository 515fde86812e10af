import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { lambdaContext } from './lambdaContext';

export interface EventSourceMappingOptions {
  client: SQSClient;
  queueUrl: string;
  /** For records' eventSourceARN; its region and account also name the function's ARN. */
  queueArn: string;
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
  /** Records per invocation, 1..10. @default 10 */
  batchSize?: number;
  /** Long poll of each ReceiveMessage, 0..20 s. @default 1 */
  waitTimeSeconds?: number;
  /** Passed to ReceiveMessage when set, 0..43200 s. @default the queue's VisibilityTimeout */
  visibilityTimeoutSeconds?: number;
  /** The function's timeout: context.getRemainingTimeInMillis() counts down from it, and an invocation
   * still running when it ends fails its whole batch. @default 30000 */
  functionTimeoutMs?: number;
  /** @default 'relay' */
  functionName?: string;
  /** A poll, handler or delete failure; the loop goes on. @default console.error */
  onError?: (error: unknown) => void;
}

/** What one receive → invoke → delete cycle did. */
export interface PollResult {
  /** Records handed to the handler (0 when the poll found nothing, and then it was not invoked). */
  received: number;
  /** Records left on the queue to reappear after their visibility timeout. */
  failed: number;
}

/** Pause after a failed poll, so an unreachable queue is not hammered. */
const ERROR_BACKOFF_MS = 1000;

/**
 * Feeds an SQS queue to a handler the way a Lambda event source mapping with
 * `ReportBatchItemFailures` does: batches of Lambda-shaped records, a Lambda context with a
 * deadline, and Lambda's partial-batch rules for what gets deleted. Used by the local mode and by
 * integration tests, against local-aws-sqs or a real queue.
 *
 * @example
 * const mapping = new SqsEventSourceMapping({
 *   client: new SQSClient({ endpoint: 'http://127.0.0.1:9324' }),
 *   queueUrl: 'http://127.0.0.1:9324/123456789012/relay-deliveries',
 *   queueArn: 'arn:aws:sqs:us-east-1:123456789012:relay-deliveries',
 *   handler: (event, context) => relayHandler(event, context),
 *   onError: (error) => console.error('relay poll failed', error),
 * });
 * mapping.start();
 * // … on shutdown:
 * await mapping.stop();
 */
export class SqsEventSourceMapping {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #queueArn: string;
  readonly #region: string;
  readonly #account: string;
  readonly #handler: EventSourceMappingOptions['handler'];
  readonly #batchSize: number;
  readonly #waitTimeSeconds: number;
  readonly #visibilityTimeoutSeconds?: number;
  readonly #functionTimeoutMs: number;
  readonly #functionName: string;
  readonly #onError: (error: unknown) => void;
  /** One per mapping, as one warm execution environment writes to one log stream. */
  readonly #logStreamName: string;
  #loop?: Promise<void>;
  #stopping?: AbortController;

  constructor(options: EventSourceMappingOptions) {
    const arn = /^arn:[^:]+:sqs:([^:]+):([^:]+):[^:]+$/.exec(options.queueArn);
    if (!arn?.[1] || !arn[2]) throw new RangeError(`queueArn "${options.queueArn}" is not an SQS queue ARN`);
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#queueArn = options.queueArn;
    this.#region = arn[1];
    this.#account = arn[2];
    this.#handler = options.handler;
    this.#batchSize = inRange('batchSize', options.batchSize ?? 10, 1, 10);
    this.#waitTimeSeconds = inRange('waitTimeSeconds', options.waitTimeSeconds ?? 1, 0, 20);
    this.#visibilityTimeoutSeconds =
      options.visibilityTimeoutSeconds === undefined ? undefined : inRange('visibilityTimeoutSeconds', options.visibilityTimeoutSeconds, 0, 43_200);
    this.#functionTimeoutMs = inRange('functionTimeoutMs', options.functionTimeoutMs ?? 30_000, 1, 900_000);
    this.#functionName = options.functionName ?? 'relay';
    this.#onError = options.onError ?? ((error) => console.error(`[${this.#functionName}] event source mapping:`, error));
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    this.#logStreamName = `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
  }

  /** One receive → invoke → delete cycle. Rejects only when SQS cannot be reached; handler failures go to onError. */
  async pollOnce(): Promise<PollResult> {
    const messages = await this.#receive();
    if (messages.length === 0) return { received: 0, failed: 0 };
    const records = messages.map((message) => this.#record(message));
    const failed = await this.#invoke(records);
    const succeeded = records.filter((record) => !failed.has(record.messageId));
    await this.#delete(succeeded);
    return { received: records.length, failed: records.length - succeeded.length };
  }

  /** Polls in a loop until {@link stop}; a no-op when already polling. */
  start(): void {
    if (this.#loop) return;
    const stopping = new AbortController();
    this.#stopping = stopping;
    this.#loop = this.#run(stopping.signal);
  }

  /**
   * Stops polling once the cycle in flight has finished: its handler has returned and its
   * successes are deleted. A long poll in flight is awaited, not aborted, since aborting it would
   * leave the messages it took invisible and unprocessed until their visibility timeout.
   */
  async stop(): Promise<void> {
    this.#stopping?.abort();
    await this.#loop;
    this.#loop = undefined;
    this.#stopping = undefined;
  }

  /**
   * Polls until nothing is left to deliver (visible, in-flight and delayed counts all 0); rejects
   * naming what is left once `timeoutMs` has passed. For tests; do not call it while {@link start}ed.
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const depth = await this.#depth();
      if (depth.visible + depth.inFlight + depth.delayed === 0) return;
      if (Date.now() >= deadline) {
        throw new Error(
          `${this.#queueUrl} still holds ${depth.visible} visible, ${depth.inFlight} in-flight and ${depth.delayed} delayed messages after ${timeoutMs} ms`,
        );
      }
      await this.pollOnce();
    }
  }

  async #run(stopping: AbortSignal): Promise<void> {
    while (!stopping.aborted) {
      try {
        await this.pollOnce();
      } catch (error) {
        this.#onError(error);
        await sleep(ERROR_BACKOFF_MS, undefined, { signal: stopping }).catch(() => undefined);
      }
    }
  }

  async #receive(): Promise<Message[]> {
    const { Messages = [] } = await this.#client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#queueUrl,
        MaxNumberOfMessages: this.#batchSize,
        WaitTimeSeconds: this.#waitTimeSeconds,
        VisibilityTimeout: this.#visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['All'],
        // Deprecated by SQS, but the only one local-aws-sqs reads.
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    // local-aws-sqs keeps a long poll open for its whole wait time, so a message whose visibility
    // timeout ends meanwhile is received twice in one answer; SQS never does that. The last copy
    // holds the current receipt handle, and a batch must not repeat a messageId.
    const latest = new Map<string | undefined, Message>();
    for (const message of Messages) {
      latest.delete(message.MessageId);
      latest.set(message.MessageId, message);
    }
    return [...latest.values()];
  }

  #record(message: Message): SQSRecord {
    const messageId = required(message.MessageId, 'MessageId');
    const { ApproximateReceiveCount, SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp, ...more } = message.Attributes ?? {};
    const attributes: SQSRecordAttributes = {
      ApproximateReceiveCount: required(ApproximateReceiveCount, 'ApproximateReceiveCount', messageId),
      SentTimestamp: required(SentTimestamp, 'SentTimestamp', messageId),
      SenderId: required(SenderId, 'SenderId', messageId),
      ApproximateFirstReceiveTimestamp: required(ApproximateFirstReceiveTimestamp, 'ApproximateFirstReceiveTimestamp', messageId),
      ...more,
    };
    const messageAttributes = Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, lambdaMessageAttribute(value)]),
    );
    return {
      messageId,
      receiptHandle: required(message.ReceiptHandle, 'ReceiptHandle', messageId),
      body: message.Body ?? '',
      attributes,
      messageAttributes,
      md5OfBody: required(message.MD5OfBody, 'MD5OfBody', messageId),
      ...(message.MD5OfMessageAttributes === undefined ? {} : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
      eventSource: 'aws:sqs',
      eventSourceARN: this.#queueArn,
      awsRegion: this.#region,
    };
  }

  /** Invokes the handler; resolves to the messageIds to leave on the queue, per Lambda's rules. */
  async #invoke(records: SQSRecord[]): Promise<Set<string>> {
    const everything = new Set(records.map((record) => record.messageId));
    const context = lambdaContext({
      functionName: this.#functionName,
      timeoutMs: this.#functionTimeoutMs,
      region: this.#region,
      account: this.#account,
      logStreamName: this.#logStreamName,
    });
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      deadline = setTimeout(
        () => reject(new Error(`${this.#functionName} (request ${context.awsRequestId}) timed out after ${this.#functionTimeoutMs} ms`)),
        this.#functionTimeoutMs,
      );
    });
    try {
      const response: unknown = await Promise.race([this.#handler({ Records: records }, context), timedOut]);
      const failures = batchItemFailures(response, everything);
      if (typeof failures === 'string') {
        this.#onError(new Error(`${this.#functionName} (request ${context.awsRequestId}) failed its whole batch: ${failures}`));
        return everything;
      }
      return failures;
    } catch (error) {
      this.#onError(error);
      return everything;
    } finally {
      clearTimeout(deadline);
    }
  }

  async #delete(records: SQSRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { Failed = [] } = await this.#client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.#queueUrl,
        Entries: records.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
      }),
    );
    if (Failed.length > 0) {
      const which = Failed.map((entry) => `${records[Number(entry.Id)]?.messageId} (${entry.Code}: ${entry.Message})`);
      this.#onError(new Error(`could not delete processed messages, which will be delivered again: ${which.join(', ')}`));
    }
  }

  async #depth(): Promise<{ visible: number; inFlight: number; delayed: number }> {
    const { Attributes = {} } = await this.#client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.#queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  }
}

/**
 * Lambda's reading of a ReportBatchItemFailures response: nothing, or no or empty
 * `batchItemFailures`, is a full success; each failure must name a record of the batch by a
 * non-empty `itemIdentifier`, and any other answer fails the whole batch. Returns the messageIds
 * to keep, or why the whole batch failed.
 */
function batchItemFailures(response: unknown, batch: ReadonlySet<string>): Set<string> | string {
  if (response === undefined || response === null) return new Set();
  if (typeof response !== 'object' || Array.isArray(response)) return `the response ${JSON.stringify(response)} is not a batch response`;
  const failures: unknown = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'batchItemFailures is not a list';
  const keep = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id: unknown = typeof failure === 'object' && failure !== null ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return `the batch item failure ${JSON.stringify(failure)} has no itemIdentifier`;
    if (!batch.has(id)) return `the itemIdentifier "${id}" is not a messageId of the batch`;
    keep.add(id);
  }
  return keep;
}

/** SQS's MessageAttributeValue as Lambda shows it: camelCase, binary as base64, list values always empty lists. */
function lambdaMessageAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  return {
    ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
    ...(value.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
    stringListValues: [],
    binaryListValues: [],
    dataType: value.DataType ?? 'String',
  };
}

function required(value: string | undefined, field: string, messageId?: string): string {
  if (value === undefined) throw new Error(`SQS returned ${messageId === undefined ? 'a message' : `message ${messageId}`} without ${field}`);
  return value;
}

function inRange(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${option} must be an integer from ${min} to ${max}, not ${value}`);
  return value;
}

import path from 'node:path';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { S3Client } from '@aws-sdk/client-s3';
import { BodyReadError, type BodyStore } from '../lambda/bodies/BodyStore';
import { S3BodyStore } from '../lambda/bodies/S3BodyStore';
import { type RelayMessage, withBody } from '../lambda/events/RelayMessage';
import { LOCAL_CREDENTIALS, type LocalState, localS3ClientConfig, readLocalState, stateDirectory } from '../local/LocalState';
import { type DeadLetter, deadLetterOf, queueAttributes } from './DeadLetter';
import { CommandError, UsageError } from './errors';

/** The parseArgs options that say where the queues are; commands spread them into their own. */
export const QUEUE_OPTIONS = {
  'state-dir': { type: 'string' },
  'queue-url': { type: 'string' },
  'dlq-url': { type: 'string' },
  queue: { type: 'string' },
  dlq: { type: 'string' },
} as const;

/** The queue options, for the usage of the commands that take them. */
export const QUEUE_OPTIONS_USAGE = `QUEUES: the running local mode's (--state-dir DIR, else $RELAY_STATE_DIR, else ./.relay), or in AWS
  (the SDK's default credentials and region) --queue-url URL --dlq-url URL, or --queue NAME --dlq NAME`;

export type QueueFlags = Partial<Record<keyof typeof QUEUE_OPTIONS, string>>;

export interface RedriveResult {
  record: DeadLetter;
  /** The new message's id on the main queue, once SendMessage succeeded. */
  sentAs?: string;
  /** What failed; absent when the record was sent and deleted from the DLQ. */
  error?: string;
}

/**
 * How long a read hides each record from the next receive, so that one pass sees each once. The
 * commands make them visible again when they are done; this only matters if one is killed.
 */
const READ_VISIBILITY_SECONDS = 30;

/**
 * The relay's main queue and its dead-letter queue, for the operator commands: read every
 * dead-lettered record, send some back to the main queue. Close it to release what was read.
 *
 * @example
 * await withRelayQueues({ 'state-dir': '.relay' }, async (queues) => {
 *   const records = await queues.readDeadLetters();
 *   await queues.redrive(records);
 * });
 */
/** Whether the flags leave the queues to local mode: they name no queue in AWS. */
export function isLocalMode(flags: QueueFlags): boolean {
  return [flags['queue-url'], flags['dlq-url'], flags.queue, flags.dlq].every((flag) => flag === undefined);
}

export class RelayQueues {
  /** Records read and not deleted, by messageId: their receipt handles. */
  readonly #held = new Map<string, string>();

  private constructor(
    private readonly client: SQSClient,
    readonly queueUrl: string,
    readonly deadLetterQueueUrl: string,
    /** The running local mode's state (its config, its table); undefined for queues in AWS. */
    readonly localState: LocalState | undefined,
    /** Where the queue URLs came from, for error messages. */
    private readonly origin: string,
    /**
     * 0 for local-aws-sqs, which answers from one store. AWS's short polling samples some of its
     * servers and can answer nothing while records wait; a long poll asks them all.
     */
    private readonly receiveWaitSeconds: number,
    /** Where large bodies are: local mode's S3 server, or S3 with the SDK's default credentials. */
    private readonly bodies: BodyStore,
  ) {}

  /**
   * The message with its body, read from S3 where ingress kept a body too large for the queue;
   * the message unchanged otherwise.
   * @throws CommandError naming the object when it cannot be read.
   */
  async withBody(message: RelayMessage): Promise<RelayMessage> {
    if (message.bodyRef === undefined) return message;
    try {
      return withBody(message, await this.bodies.get(message.bodyRef));
    } catch (error) {
      if (!(error instanceof BodyReadError)) throw error;
      throw new CommandError(`the body of delivery ${message.deliveryId} cannot be read: ${error.message}`, { cause: error });
    }
  }

  /**
   * From `--queue-url`/`--queue` and `--dlq-url`/`--dlq` (in AWS, with the SDK's default credentials
   * and region), else from the running local mode's state file (`--state-dir`, else RELAY_STATE_DIR, else .relay).
   * @throws UsageError for flags that contradict each other; CommandError when the queues cannot be found.
   */
  static async locate(flags: QueueFlags): Promise<RelayQueues> {
    const { 'state-dir': stateDir, 'queue-url': queueUrl, 'dlq-url': dlqUrl, queue, dlq } = flags;
    if (isLocalMode(flags)) {
      return RelayQueues.#local(stateDir === undefined ? stateDirectory() : path.resolve(stateDir));
    }
    if (stateDir !== undefined) throw new UsageError('--state-dir is for local mode; the queue options name queues in AWS: give one or the other');
    if (queueUrl !== undefined && queue !== undefined) throw new UsageError('name the main queue once: --queue-url URL or --queue NAME');
    if (dlqUrl !== undefined && dlq !== undefined) throw new UsageError('name the dead-letter queue once: --dlq-url URL or --dlq NAME');
    if (queueUrl === undefined && queue === undefined) throw new UsageError('name the main queue too: --queue-url URL or --queue NAME');
    if (dlqUrl === undefined && dlq === undefined) throw new UsageError('name the dead-letter queue too: --dlq-url URL or --dlq NAME');
    const client = new SQSClient({});
    try {
      const [main, dead] = await Promise.all([queueUrl ?? urlOf(client, queue ?? ''), dlqUrl ?? urlOf(client, dlq ?? '')]);
      return new RelayQueues(client, main, dead, undefined, 'AWS', 1, s3BodyStore(() => new S3Client({})));
    } catch (error) {
      client.destroy();
      throw error;
    }
  }

  static #local(directory: string): RelayQueues {
    let state: LocalState;
    try {
      state = readLocalState(directory);
    } catch (error) {
      throw new CommandError((error as Error).message, { cause: error });
    }
    const client = new SQSClient({ endpoint: state.sqsEndpoint, region: state.region, credentials: LOCAL_CREDENTIALS });
    const origin = `local mode at ${state.sqsEndpoint}, from ${path.join(directory, 'local.json')}`;
    const bodies = s3BodyStore(() => new S3Client(state.s3Endpoint === undefined ? { region: state.region } : localS3ClientConfig(state.s3Endpoint, state.region)));
    return new RelayQueues(client, state.queueUrl, state.deadLetterQueueUrl, state, origin, 0, bodies);
  }

  /**
   * Every record in the dead-letter queue, oldest first. Receives until a receive brings nothing
   * new; a message can come twice in one answer (local-aws-sqs does), so records are kept by id.
   * @throws CommandError naming the queue when it cannot be read.
   */
  async readDeadLetters(): Promise<DeadLetter[]> {
    const records = new Map<string, DeadLetter>();
    for (;;) {
      const before = records.size;
      for (const received of await this.#receive()) {
        const record = deadLetterOf(received);
        if (record === undefined) continue;
        records.set(record.messageId, record);
        this.#held.set(record.messageId, record.receiptHandle);
      }
      if (records.size === before) break;
    }
    return [...records.values()].sort((a, b) => (a.sentAt ?? '').localeCompare(b.sentAt ?? ''));
  }

  /**
   * Sends each record back to the main queue, body unchanged, with the attributes it had there;
   * deletes it from the DLQ only once that succeeded. The relay's idempotency records keep a rule
   * that already created its execution from running again. One failure does not stop the others.
   */
  async redrive(records: readonly DeadLetter[]): Promise<RedriveResult[]> {
    const results: RedriveResult[] = [];
    for (const record of records) {
      let sentAs: string | undefined;
      try {
        const attributes = Object.entries(queueAttributes(record)).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]);
        ({ MessageId: sentAs } = await this.client.send(
          new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: record.body, MessageAttributes: Object.fromEntries(attributes) }),
        ));
      } catch (error) {
        results.push({ record, error: `cannot send it to ${this.queueUrl}: ${describe(error)}` });
        continue;
      }
      try {
        await this.client.send(new DeleteMessageCommand({ QueueUrl: this.deadLetterQueueUrl, ReceiptHandle: record.receiptHandle }));
        this.#held.delete(record.messageId);
        results.push({ record, sentAs });
      } catch (error) {
        results.push({
          record,
          sentAs,
          error: `sent to ${this.queueUrl} as ${sentAs}, but not deleted from ${this.deadLetterQueueUrl} (${describe(error)}): delete it by hand`,
        });
      }
    }
    return results;
  }

  /** Makes the records read and not redriven visible again at once, and closes the client. */
  async close(): Promise<void> {
    const handles = [...this.#held.values()];
    this.#held.clear();
    try {
      for (let start = 0; start < handles.length; start += 10) {
        const entries = handles.slice(start, start + 10).map((handle, index) => ({ Id: String(index), ReceiptHandle: handle, VisibilityTimeout: 0 }));
        await this.client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.deadLetterQueueUrl, Entries: entries }));
      }
    } catch {
      // Nothing is lost: the records reappear by themselves after READ_VISIBILITY_SECONDS.
    } finally {
      this.client.destroy();
    }
  }

  async #receive(): Promise<Message[]> {
    try {
      const { Messages = [] } = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.deadLetterQueueUrl,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          AttributeNames: ['All'],
          VisibilityTimeout: READ_VISIBILITY_SECONDS,
          WaitTimeSeconds: this.receiveWaitSeconds,
        }),
      );
      return Messages;
    } catch (error) {
      throw new CommandError(`cannot read the dead-letter queue ${this.deadLetterQueueUrl} (${this.origin}): ${describe(error)}`, { cause: error });
    }
  }
}

/** Locates the queues, lets `use` work with them, then releases what it read and closes the client. */
export async function withRelayQueues<T>(flags: QueueFlags, use: (queues: RelayQueues) => Promise<T>): Promise<T> {
  const queues = await RelayQueues.locate(flags);
  try {
    return await use(queues);
  } finally {
    await queues.close();
  }
}

/** A store that only reads, each reference naming its bucket: the client is made at the first read. */
function s3BodyStore(client: () => S3Client): BodyStore {
  return new S3BodyStore({ bucket: '', client });
}

/** The stack's output names a queue; GetQueueUrl finds it in the SDK's region and account. */
async function urlOf(client: SQSClient, name: string): Promise<string> {
  try {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    if (QueueUrl) return QueueUrl;
    throw new Error('GetQueueUrl answered without a URL');
  } catch (error) {
    throw new CommandError(`cannot find the queue named "${name}": ${describe(error)}`, { cause: error });
  }
}

/** An SDK error as an operator reads it: its AWS error code, when it has one, and message. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
}

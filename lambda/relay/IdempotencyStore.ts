import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/** One execution the relay may start: a webhook delivery matched by one rule. */
export interface ExecutionKey {
  deliveryId: string;
  rule: string;
}

/** Code Stream calls made so far for one key, and when (ISO times). */
interface Attempts {
  attempts: number;
  firstAttemptAt?: string;
  lastAttemptAt?: string;
}

export type ExecutionRecord =
  /** Someone is calling Code Stream now; others keep off until `leaseUntil` (epoch ms). */
  | ({ status: 'in_progress'; messageId: string; leaseUntil: number } & Attempts)
  /** Failed, may be tried again; `uncertain`: the last call timed out or lost its connection, so Code Stream may have started the execution. */
  | ({ status: 'retrying'; uncertain: boolean; lastOutcome?: string } & Attempts)
  /** Done: never call Code Stream again for this key. */
  | ({ status: 'created'; executionId?: string; executionLink?: string } & Attempts)
  /** Given up on in the life of SQS message `messageId`; a redrive (a new message) may claim it again. */
  | ({ status: 'dead_lettered'; messageId: string; outcome: string } & Attempts);

export type Claim =
  | { claimed: true; attempts: number; firstAttemptAt?: string; lastAttemptAt?: string; uncertain: boolean }
  | { claimed: false; record: ExecutionRecord };

export interface IdempotencyStoreOptions {
  client: DynamoDBDocumentClient;
  /** A table with the string partition key `id` and DynamoDB TTL on `expiresAt`. */
  tableName: string;
  /** How long a claim holds off others: the relay function's timeout plus a margin. */
  leaseMs: number;
  /**
   * Records expire (DynamoDB TTL attribute `expiresAt`, epoch seconds) this long after their last write;
   * longer than the DLQ's 14-day retention, so a redriven message still finds its record.
   * @default 15
   */
  retentionDays?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * The item as stored. A dead-lettered record keeps its attempts under `spentAttempts` rather than at the
 * top level: the claim that a redrive makes then starts from zero with the same single update
 * (`if_not_exists(attempts, 0)`) that carries the count on for a retry.
 */
type StoredItem = { id: string; expiresAt: number } & (
  | Exclude<ExecutionRecord, { status: 'dead_lettered' }>
  | { status: 'dead_lettered'; messageId: string; outcome: string; spentAttempts: Attempts }
);

const DAY_MS = 86_400_000;

/**
 * Guards each Code Stream execution with one DynamoDB record per (delivery id, rule), so that SQS
 * redeliveries, sender retries and operator redrives never start the same execution twice. A caller
 * `claim`s the key before calling Code Stream and records the outcome with one of the `mark` methods.
 *
 * @example
 * const store = new IdempotencyStore({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'relay-executions', leaseMs: 960_000 });
 * const key = { deliveryId: 'github:3f1c…', rule: 'build-on-push' };
 * const claim = await store.claim(key, record.messageId);
 * if (claim.claimed) {
 *   const now = new Date().toISOString();
 *   const { executionId, executionLink } = await startExecution(key);
 *   await store.markCreated(key, { executionId, executionLink, attempts: claim.attempts + 1, firstAttemptAt: claim.firstAttemptAt ?? now, lastAttemptAt: now });
 * }
 */
export class IdempotencyStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #leaseMs: number;
  readonly #retentionMs: number;
  readonly #now: () => number;

  constructor(options: IdempotencyStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#leaseMs = options.leaseMs;
    this.#retentionMs = (options.retentionDays ?? 15) * DAY_MS;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Takes the key for `messageId` if no one holds it and it is not finished: a new key, one that is
   * retrying, one whose holder's lease has lapsed, or one dead-lettered by another SQS message (a redrive).
   * One conditional write, so of two concurrent claims exactly one wins.
   */
  async claim(key: ExecutionKey, messageId: string): Promise<Claim> {
    const now = this.#now();
    let previous: StoredItem | undefined;
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id: recordId(key) },
          UpdateExpression:
            'SET #status = :inProgress, messageId = :messageId, leaseUntil = :leaseUntil, ' +
            'attempts = if_not_exists(attempts, :zero), expiresAt = :expiresAt ' +
            'REMOVE uncertain, lastOutcome, outcome, spentAttempts',
          ConditionExpression:
            'attribute_not_exists(id) OR #status = :retrying ' +
            'OR (#status = :inProgress AND leaseUntil <= :now) ' +
            'OR (#status = :deadLettered AND messageId <> :messageId)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':inProgress': 'in_progress',
            ':retrying': 'retrying',
            ':deadLettered': 'dead_lettered',
            ':messageId': messageId,
            ':leaseUntil': now + this.#leaseMs,
            ':now': now,
            ':zero': 0,
            ':expiresAt': this.#expiresAt(now),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      previous = result.Attributes as StoredItem | undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const record = await this.get(key);
      // Gone between the failed write and the read (TTL): the key is free again.
      return record ? { claimed: false, record } : this.claim(key, messageId);
    }
    if (!previous || previous.status === 'dead_lettered') return { claimed: true, attempts: 0, uncertain: false };
    return {
      claimed: true,
      attempts: previous.attempts,
      firstAttemptAt: previous.firstAttemptAt,
      lastAttemptAt: previous.lastAttemptAt,
      // A holder whose lease lapsed may have reached Code Stream before it died.
      uncertain: previous.status === 'retrying' ? previous.uncertain : true,
    };
  }

  /** Records the execution as started; overwrites whatever was there, and nothing overwrites it after. */
  async markCreated(key: ExecutionKey, details: { executionId?: string; executionLink?: string } & Attempts): Promise<void> {
    await this.#put({ id: recordId(key), status: 'created', ...details, expiresAt: this.#expiresAt(this.#now()) });
  }

  /** Releases the key for another try; a no-op if the key was created meanwhile. */
  async markRetrying(key: ExecutionKey, details: { uncertain: boolean; lastOutcome: string } & Attempts): Promise<void> {
    await this.#putUnlessCreated({ id: recordId(key), status: 'retrying', ...details, expiresAt: this.#expiresAt(this.#now()) });
  }

  /** Gives up on the key for this SQS message; a no-op if the key was created meanwhile. */
  async markDeadLettered(key: ExecutionKey, details: { messageId: string; outcome: string } & Attempts): Promise<void> {
    const { messageId, outcome, ...spentAttempts } = details;
    await this.#putUnlessCreated({
      id: recordId(key),
      status: 'dead_lettered',
      messageId,
      outcome,
      spentAttempts: withoutUndefined(spentAttempts),
      expiresAt: this.#expiresAt(this.#now()),
    });
  }

  async get(key: ExecutionKey): Promise<ExecutionRecord | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { id: recordId(key) }, ConsistentRead: true }),
    );
    return Item && toRecord(Item as StoredItem);
  }

  async #put(item: StoredItem): Promise<void> {
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: withoutUndefined(item) }));
  }

  /** A created record is final: a late holder whose lease had lapsed must not turn it back. */
  async #putUnlessCreated(item: StoredItem): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: withoutUndefined(item),
          ConditionExpression: 'attribute_not_exists(id) OR #status <> :created',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':created': 'created' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  #expiresAt(now: number): number {
    return Math.floor((now + this.#retentionMs) / 1000);
  }
}

function recordId({ deliveryId, rule }: ExecutionKey): string {
  return `${deliveryId}|${rule}`;
}

/** The document client refuses `undefined` attribute values unless the caller's client was built to drop them. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function toRecord({ id, expiresAt, ...record }: StoredItem): ExecutionRecord {
  if (record.status !== 'dead_lettered') return record;
  const { spentAttempts, ...deadLettered } = record;
  return { ...deadLettered, ...spentAttempts };
}

import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * One execution the relay may start: a webhook delivery of one source matched by one rule. The
 * source is part of it: a generic source may take its delivery id from a body field, which another
 * source's ids can equal.
 */
export interface ExecutionKey {
  source: string;
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
  /** Someone is calling Code Stream now; others keep off until `leaseUntil` (epoch ms). `claimToken` names that claim. */
  | ({ status: 'in_progress'; messageId: string; leaseUntil: number; claimToken?: string } & Attempts)
  /** Failed, may be tried again; `uncertain`: the last call timed out or lost its connection, so Code Stream may have started the execution. */
  | ({ status: 'retrying'; uncertain: boolean; lastOutcome?: string } & Attempts)
  /** Done: never call Code Stream again for this key. */
  | ({ status: 'created'; executionId?: string; executionLink?: string } & Attempts)
  /** Given up on in the life of SQS message `messageId`; a redrive (a new message) may claim it again. */
  | ({ status: 'dead_lettered'; messageId: string; outcome: string } & Attempts)
  /** Waits in its rule's quiet window `windowId` (of the window key `key`) until `dueAt` (ISO); claimed if it is the newest then. */
  | ({ status: 'deferred'; windowId: string; key: string[]; dueAt: string } & Attempts)
  /** Decided: a newer event of its quiet window, delivery `supersededBy`, runs instead. Never claimed. */
  | ({ status: 'superseded'; supersededBy: string; windowId: string } & Attempts);

export type Claim =
  /** `token` names this claim: every later change to the record must give it (see the `mark` methods). */
  | { claimed: true; token: string; attempts: number; firstAttemptAt?: string; lastAttemptAt?: string; uncertain: boolean }
  | { claimed: false; record: ExecutionRecord };

/** Who changes a record after claiming it; without a token, a change made with no claim (a rule that could not be built). */
interface Holder {
  token?: string;
}

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
 * Guards each Code Stream execution with one DynamoDB record per (source, delivery id, rule), so
 * that SQS redeliveries, sender retries and operator redrives never start the same execution twice.
 * A caller `claim`s the key before calling Code Stream and records the outcome with one of the
 * `mark` methods, giving its claim's token: a holder whose lease lapsed and whose key another
 * claimed since cannot overwrite that claim (the write is fenced, and the mark answers false).
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
    const token = randomUUID();
    let previous: StoredItem | undefined;
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id: recordId(key) },
          UpdateExpression:
            'SET #status = :inProgress, messageId = :messageId, leaseUntil = :leaseUntil, claimToken = :token, ' +
            'attempts = if_not_exists(attempts, :zero), expiresAt = :expiresAt ' +
            'REMOVE uncertain, lastOutcome, outcome, spentAttempts, windowId, #key, dueAt',
          ConditionExpression:
            'attribute_not_exists(id) OR #status = :retrying ' +
            'OR (#status = :inProgress AND leaseUntil <= :now) ' +
            'OR (#status = :deadLettered AND messageId <> :messageId) OR #status = :deferred',
          ExpressionAttributeNames: { '#status': 'status', '#key': 'key' },
          ExpressionAttributeValues: {
            ':inProgress': 'in_progress',
            ':retrying': 'retrying',
            ':deadLettered': 'dead_lettered',
            ':deferred': 'deferred',
            ':messageId': messageId,
            ':token': token,
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
    if (!previous) return this.#unlessCreatedBefore(key, token);
    if (previous.status === 'dead_lettered' || previous.status === 'deferred') return { claimed: true, token, attempts: 0, uncertain: false };
    return {
      claimed: true,
      token,
      attempts: previous.attempts,
      firstAttemptAt: previous.firstAttemptAt,
      lastAttemptAt: previous.lastAttemptAt,
      // A holder whose lease lapsed may have reached Code Stream before it died.
      uncertain: previous.status === 'retrying' ? previous.uncertain : true,
    };
  }

  /**
   * A new key's claim, unless the execution was created under the key of versions before the
   * source was part of it (`<delivery id>|<rule>`): then that record is carried over, and the key
   * is not claimed. Such records expire with the retention, 15 days after an upgrade.
   */
  async #unlessCreatedBefore(key: ExecutionKey, token: string): Promise<Claim> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { id: legacyRecordId(key) }, ConsistentRead: true }));
    const legacy = Item && toRecord(Item as StoredItem);
    if (legacy?.status !== 'created') return { claimed: true, token, attempts: 0, uncertain: false };
    const { status: _created, ...details } = legacy;
    await this.markCreated(key, { ...details, token });
    return { claimed: false, record: legacy };
  }

  /**
   * Records the execution as started, if the caller still holds its claim; nothing overwrites it
   * after. False when another claim took the key since (its holder finds the execution by its tags).
   */
  async markCreated(key: ExecutionKey, details: { executionId?: string; executionLink?: string } & Attempts & Holder): Promise<boolean> {
    const { token, ...record } = details;
    return this.#putIfHeld({ id: recordId(key), status: 'created', ...record, expiresAt: this.#expiresAt(this.#now()) }, token, []);
  }

  /** Releases the key for another try, if the caller still holds its claim; false otherwise (created, or claimed by another since). */
  async markRetrying(key: ExecutionKey, details: { uncertain: boolean; lastOutcome: string } & Attempts & Holder): Promise<boolean> {
    const { token, ...record } = details;
    return this.#putIfHeld({ id: recordId(key), status: 'retrying', ...record, expiresAt: this.#expiresAt(this.#now()) }, token, []);
  }

  /**
   * Gives up on the key for this SQS message: if the caller holds its claim, or no one does (the key
   * is retrying or dead-lettered, or was never claimed: a rule whose request could not be built).
   * False when created, or claimed by another.
   */
  async markDeadLettered(key: ExecutionKey, details: { messageId: string; outcome: string } & Attempts & Holder): Promise<boolean> {
    const { messageId, outcome, token, ...spentAttempts } = details;
    const item: StoredItem = {
      id: recordId(key),
      status: 'dead_lettered',
      messageId,
      outcome,
      spentAttempts: withoutUndefined(spentAttempts),
      expiresAt: this.#expiresAt(this.#now()),
    };
    return this.#putIfHeld(item, token, ['retrying', 'dead_lettered', 'deferred']);
  }

  /**
   * Records that the key waits in a quiet window, for SQS message `messageId`, if nothing is
   * recorded for it yet, or another message dead-lettered it (a redrive); false otherwise (a
   * redelivery, or a decision made: read it with {@link get}).
   */
  async markDeferred(key: ExecutionKey, window: { windowId: string; key: string[]; dueAt: string }, messageId: string): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { id: recordId(key), status: 'deferred', ...window, attempts: 0, expiresAt: this.#expiresAt(this.#now()) },
          ConditionExpression: 'attribute_not_exists(id) OR (#status = :deadLettered AND messageId <> :messageId)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':deadLettered': 'dead_lettered', ':messageId': messageId },
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return false;
    }
  }

  /**
   * Records the decision that a newer event of the key's quiet window runs instead, if the key is
   * new or waits in a window; false otherwise (it was claimed: it ran, or is running).
   */
  async markSuperseded(key: ExecutionKey, decision: { supersededBy: string; windowId: string }): Promise<boolean> {
    return this.#putIfHeld({ id: recordId(key), status: 'superseded', ...decision, attempts: 0, expiresAt: this.#expiresAt(this.#now()) }, undefined, ['deferred']);
  }

  /**
   * The delivery in which `source` first sent the body whose SHA-256 is `bodySha256`, within
   * `windowMs`: `deliveryId` itself when it is the first (recorded then, for the window) or the
   * body was not seen in it. One conditional write, so of two deliveries racing, one is the first.
   */
  async firstDelivery(source: string, bodySha256: string, deliveryId: string, windowMs: number): Promise<string> {
    const now = this.#now();
    const id = bodyRecordId(source, bodySha256);
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { id, firstDeliveryId: deliveryId, seenUntil: now + windowMs, expiresAt: Math.ceil((now + windowMs) / 1000) },
          ConditionExpression: 'attribute_not_exists(id) OR seenUntil <= :now OR firstDeliveryId = :deliveryId',
          ExpressionAttributeValues: { ':now': now, ':deliveryId': deliveryId },
        }),
      );
      return deliveryId;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { id }, ConsistentRead: true }));
      return typeof Item?.firstDeliveryId === 'string' ? Item.firstDeliveryId : deliveryId;
    }
  }

  /**
   * Read only: the delivery in which `source` first sent the body whose SHA-256 is `bodySha256`,
   * while its window (as {@link firstDelivery} recorded it) lasts; undefined when not seen in one.
   */
  async seenBody(source: string, bodySha256: string): Promise<string | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { id: bodyRecordId(source, bodySha256) }, ConsistentRead: true }));
    if (typeof Item?.firstDeliveryId !== 'string' || !(typeof Item.seenUntil === 'number' && Item.seenUntil > this.#now())) return undefined;
    return Item.firstDeliveryId;
  }

  async get(key: ExecutionKey): Promise<ExecutionRecord | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { id: recordId(key) }, ConsistentRead: true }),
    );
    return Item && toRecord(Item as StoredItem);
  }

  /**
   * Writes the item if the record is absent, held by the claim `token` names, or in one of the
   * `unheld` statuses; false when the condition fails. A created record is never overwritten.
   */
  async #putIfHeld(item: StoredItem, token: string | undefined, unheld: readonly ExecutionRecord['status'][]): Promise<boolean> {
    const values: Record<string, string> = {};
    const conditions = ['attribute_not_exists(id)'];
    if (token !== undefined) {
      conditions.push('(#status = :inProgress AND claimToken = :token)');
      values[':inProgress'] = 'in_progress';
      values[':token'] = token;
    }
    unheld.forEach((status, index) => {
      conditions.push(`#status = :unheld${index}`);
      values[`:unheld${index}`] = status;
    });
    // DynamoDB refuses an empty map of names or values: a condition on the id alone has neither.
    const byStatus = conditions.length > 1 ? { ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: values } : {};
    try {
      await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: withoutUndefined(item), ConditionExpression: conditions.join(' OR '), ...byStatus }));
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return false;
    }
  }

  #expiresAt(now: number): number {
    return Math.floor((now + this.#retentionMs) / 1000);
  }
}

/** As JSON, so that no delivery id (the sender's to choose) can make two keys one. */
function recordId({ source, deliveryId, rule }: ExecutionKey): string {
  return JSON.stringify([source, deliveryId, rule]);
}

/** The record of a body a source sent, for {@link IdempotencyStore.firstDelivery}. */
function bodyRecordId(source: string, bodySha256: string): string {
  return JSON.stringify(['body', source, bodySha256]);
}

function legacyRecordId({ deliveryId, rule }: ExecutionKey): string {
  return `${deliveryId}|${rule}`;
}

/** The document client refuses `undefined` attribute values unless the caller's client was built to drop them. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function toRecord({ id, expiresAt, ...record }: StoredItem): ExecutionRecord {
  if (record.status === 'in_progress') {
    const { claimToken: _token, ...held } = record;
    return held;
  }
  if (record.status !== 'dead_lettered') return record;
  const { spentAttempts, ...deadLettered } = record;
  return { ...deadLettered, ...spentAttempts };
}

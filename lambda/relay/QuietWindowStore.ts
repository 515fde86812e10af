import { createHash, randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/** Which windows: one rule's, for one key (rules/quietPeriod.ts). */
export interface WindowKey {
  rule: string;
  key: readonly string[];
}

/** An event in a window, ordered by when the relay received it, then by delivery id and source. */
export interface WindowMember {
  source: string;
  deliveryId: string;
  /** Ingress's receipt time, ISO 8601 UTC. */
  receivedAt: string;
}

export type Joined =
  /** The event waits in window `windowId` until `dueAt` (ISO), as its newest event for now. */
  | { state: 'waiting'; windowId: string; dueAt: string }
  /** A newer event is already the window's, or already ran in the last one: `by` is its delivery id. */
  | { state: 'superseded'; windowId: string; by: string };

export type Fired =
  /** The event is the window's newest: it runs (again, for a retry after a crash). */
  | { state: 'fired' }
  /** Another event is the window's newest; `by` is undefined when the window is no longer recorded (expired). */
  | { state: 'superseded'; by: string | undefined };

export interface QuietWindowStoreOptions {
  client: DynamoDBDocumentClient;
  /** The idempotency table: the windows live there under ids of their own. */
  tableName: string;
  /** How long after its due time a window is kept (TTL `expiresAt`): as long as the table's execution records. @default 15 */
  retentionDays?: number;
  /** @default Date.now */
  now?: () => number;
}

/** A window as stored: the latest window of a key, or a fired window kept once a newer one replaced it. */
interface WindowItem {
  id: string;
  windowId: string;
  status: 'waiting' | 'fired';
  latestSource: string;
  latestDeliveryId: string;
  latestReceivedAt: string;
  openedAt: string;
  dueAt: string;
  firedAt?: string;
  rule: string;
  key: string[];
  expiresAt: number;
}

/** Tries of a join before it gives up (the record fails back to SQS): each lost race means another event got in first. */
const MAX_TRIES = 8;

const DAY_MS = 86_400_000;

/**
 * The quiet windows of rules with a quiet period, in the idempotency table, one item per (rule,
 * key) with conditional writes only, so that any number of relays may join and fire at once:
 *
 * - The first event opens a window due a quiet period later; that time never moves, so a steady
 *   stream of events cannot put a run off for ever. Events that arrive while it waits join it,
 *   and it keeps the newest (`latest`). An event older than the newest is superseded at once.
 * - Once due, only the newest event's fire succeeds (again for the same event: a retry after a
 *   crash); every other event learns it was superseded, and by which delivery.
 * - An event newer than a fired window's newest opens the next window in the same item. The fired
 *   one is first kept under its own id, so that a late retry of its events still learns the outcome.
 */
export class QuietWindowStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #retentionMs: number;
  readonly #now: () => number;

  constructor(options: QuietWindowStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionMs = (options.retentionDays ?? 15) * DAY_MS;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Puts the event in the key's waiting window, opening one if there is none or the last one fired.
   * Idempotent: the same event again gets the same answer while its window waits.
   * @throws Error when other events won every race for the item, MAX_TRIES times.
   */
  async join(window: WindowKey, member: WindowMember, quietMs: number): Promise<Joined> {
    const id = windowRecordId(window);
    for (let tries = 0; tries < MAX_TRIES; tries += 1) {
      const joined = await this.#joinWaiting(id, member);
      if (joined) return { state: 'waiting', windowId: joined.windowId, dueAt: joined.dueAt };
      const current = await this.#read(id);
      if (!current) {
        const opened = await this.#open(id, window, member, quietMs, undefined);
        if (opened) return opened;
        continue;
      }
      const order = compareMembers(member, latestOf(current));
      if (order === 0) return { state: 'waiting', windowId: current.windowId, dueAt: current.dueAt };
      if (order < 0) return { state: 'superseded', windowId: current.windowId, by: current.latestDeliveryId };
      // Newer, and the window waits: the join lost a race with another event's; try again.
      if (current.status === 'waiting') continue;
      await this.#keepFired(current);
      const opened = await this.#open(id, window, member, quietMs, current.windowId);
      if (opened) return opened;
    }
    throw new Error(`the quiet window of rule "${window.rule}" for ${JSON.stringify(window.key)} changed under ${MAX_TRIES} tries to join it; the record is retried`);
  }

  /** Fires window `windowId` for the event, if the event is its newest; else says who is. */
  async fire(window: WindowKey, windowId: string, member: WindowMember): Promise<Fired> {
    const id = windowRecordId(window);
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id },
          UpdateExpression: 'SET #status = :fired, firedAt = if_not_exists(firedAt, :now)',
          ConditionExpression: 'windowId = :windowId AND latestSource = :source AND latestDeliveryId = :deliveryId',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':fired': 'fired',
            ':now': new Date(this.#now()).toISOString(),
            ':windowId': windowId,
            ':source': member.source,
            ':deliveryId': member.deliveryId,
          },
        }),
      );
      return { state: 'fired' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const current = await this.#read(id);
    if (current?.windowId === windowId) return { state: 'superseded', by: current.latestDeliveryId };
    // A newer window replaced it: the fired one was kept first.
    const fired = await this.#read(firedRecordId(windowId));
    if (!fired) return { state: 'superseded', by: undefined };
    return compareMembers(member, latestOf(fired)) === 0 ? { state: 'fired' } : { state: 'superseded', by: fired.latestDeliveryId };
  }

  /** The waiting window with the event as its newest, if it waits and the event is newer than its newest; else undefined. */
  async #joinWaiting(id: string, member: WindowMember): Promise<WindowItem | undefined> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id },
          UpdateExpression: 'SET latestSource = :source, latestDeliveryId = :deliveryId, latestReceivedAt = :receivedAt',
          ConditionExpression:
            '#status = :waiting AND (latestReceivedAt < :receivedAt OR (latestReceivedAt = :receivedAt AND ' +
            '(latestDeliveryId < :deliveryId OR (latestDeliveryId = :deliveryId AND latestSource < :source))))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':waiting': 'waiting', ':source': member.source, ':deliveryId': member.deliveryId, ':receivedAt': member.receivedAt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as WindowItem;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return undefined;
    }
  }

  /** Opens a window with the event, where there is none (`replacing` undefined) or the fired window `replacing` is; undefined when another got in first. */
  async #open(id: string, window: WindowKey, member: WindowMember, quietMs: number, replacing: string | undefined): Promise<Joined | undefined> {
    const now = this.#now();
    const dueAt = now + quietMs;
    const item: WindowItem = {
      id,
      windowId: randomUUID(),
      status: 'waiting',
      latestSource: member.source,
      latestDeliveryId: member.deliveryId,
      latestReceivedAt: member.receivedAt,
      openedAt: new Date(now).toISOString(),
      dueAt: new Date(dueAt).toISOString(),
      rule: window.rule,
      key: [...window.key],
      expiresAt: Math.floor((dueAt + this.#retentionMs) / 1000),
    };
    const condition =
      replacing === undefined
        ? { ConditionExpression: 'attribute_not_exists(id)' }
        : {
            ConditionExpression: 'windowId = :replacing AND #status = :fired',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':replacing': replacing, ':fired': 'fired' },
          };
    try {
      await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: item, ...condition }));
      return { state: 'waiting', windowId: item.windowId, dueAt: item.dueAt };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return undefined;
    }
  }

  /** Keeps a fired window under its own id before a newer one replaces it; what it holds never changes once fired. */
  async #keepFired(window: WindowItem): Promise<void> {
    const item: WindowItem = { ...window, id: firedRecordId(window.windowId), expiresAt: Math.floor((this.#now() + this.#retentionMs) / 1000) };
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: item }));
  }

  async #read(id: string): Promise<WindowItem | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { id }, ConsistentRead: true }));
    return Item as WindowItem | undefined;
  }
}

/**
 * The item of a rule's windows for one key: the key hashed, since a key template may render long
 * values and DynamoDB bounds an id to 2 KiB. The item holds the key itself for people.
 */
export function windowRecordId({ rule, key }: WindowKey): string {
  return JSON.stringify(['quiet', rule, createHash('sha256').update(JSON.stringify(key)).digest('hex')]);
}

/** Where a fired window is kept once a newer one replaced it. */
export function firedRecordId(windowId: string): string {
  return JSON.stringify(['quiet-fired', windowId]);
}

function latestOf(window: WindowItem): WindowMember {
  return { source: window.latestSource, deliveryId: window.latestDeliveryId, receivedAt: window.latestReceivedAt };
}

/**
 * Newer is positive: by receipt time, then delivery id, then source, each compared as DynamoDB
 * compares strings (by their UTF-8 bytes), so that this agrees with the conditions of the writes.
 */
export function compareMembers(a: WindowMember, b: WindowMember): number {
  return compareUtf8(a.receivedAt, b.receivedAt) || compareUtf8(a.deliveryId, b.deliveryId) || compareUtf8(a.source, b.source);
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as fc from 'fast-check';
import {
  type ExecutionKey,
  IdempotencyStore,
  type IdempotencyStoreOptions,
} from '../../../lambda/relay/IdempotencyStore';
import { LOCAL_CREDENTIALS } from '../../../local/LocalState';
import { LOCAL_REGION, type LocalTable, startLocalTable } from '../../../local/localAws';
import { InMemoryIdempotencyStore } from '../../support/InMemoryIdempotencyStore';

const TABLE = 'relay-executions';
const LEASE_MS = 60_000;
const DAY_S = 86_400;
const T0 = Date.parse('2025-03-01T10:00:00.000Z');

let table: LocalTable;
const clients: DynamoDBClient[] = [];
let documents: DynamoDBDocumentClient;
let clockMs = T0;
let sequence = 0;

beforeAll(async () => {
  table = await startLocalTable({ tableName: TABLE });
  documents = DynamoDBDocumentClient.from(dynamoDbClient());
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await table.stop();
});

beforeEach(() => {
  clockMs = T0;
});

/** A real SDK client on dynalite; one attempt, so a failure shows at once. */
function dynamoDbClient(): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint: table.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

function storeWith(options: Partial<IdempotencyStoreOptions> = {}): IdempotencyStore {
  return new IdempotencyStore({ client: documents, tableName: TABLE, leaseMs: LEASE_MS, now: () => clockMs, ...options });
}

/** A key no other test touches. */
function newKey(rule = 'build-on-push'): ExecutionKey {
  sequence += 1;
  return { source: 'github', deliveryId: `github:0b6f5a1e-${sequence}`, rule };
}

/** Claims the key, which must be free, and gives the claim's token: what every later mark must give. */
async function claimToken(store: Pick<IdempotencyStore, 'claim'>, key: ExecutionKey, messageId: string): Promise<string> {
  const claim = await store.claim(key, messageId);
  if (!claim.claimed) throw new Error(`${key.deliveryId} is not free: ${JSON.stringify(claim.record)}`);
  return claim.token;
}

/** A claim as the store answers it, its token being random. */
const TOKEN = expect.any(String);

function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

function advance(ms: number): void {
  clockMs += ms;
}

async function storedItem({ source, deliveryId, rule }: ExecutionKey): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: TABLE, Key: { id: JSON.stringify([source, deliveryId, rule]) }, ConsistentRead: true }),
  );
  return Item;
}

/** The TTL attribute: 15 days (by default) after the write made at `writtenAtMs`, in epoch seconds. */
async function expectExpiresAt(key: ExecutionKey, writtenAtMs: number, retentionDays = 15): Promise<void> {
  expect((await storedItem(key))?.expiresAt).toBe(Math.floor(writtenAtMs / 1000) + retentionDays * DAY_S);
}

/** Claims `key` for 'msg-1' and records a failed first call at T0 + 1 s. */
async function retryingKey(store: IdempotencyStore, uncertain = false): Promise<ExecutionKey> {
  const key = newKey();
  const token = await claimToken(store, key, 'msg-1');
  await store.markRetrying(key, {
    token,
    uncertain,
    lastOutcome: uncertain ? 'timeout' : 'HTTP 503',
    attempts: 1,
    firstAttemptAt: isoAt(T0 + 1_000),
    lastAttemptAt: isoAt(T0 + 1_000),
  });
  return key;
}

describe('a new key', () => {
  it('is claimed in progress with no attempts, leased to the claiming message', async () => {
    const store = storeWith();
    const key = newKey();

    expect(await store.claim(key, 'msg-1')).toEqual({ claimed: true, token: TOKEN, attempts: 0, uncertain: false });
    expect(await store.get(key)).toEqual({ status: 'in_progress', messageId: 'msg-1', leaseUntil: T0 + LEASE_MS, attempts: 0 });
    await expectExpiresAt(key, T0);
  });

  it('reads as undefined before anyone claims it', async () => {
    expect(await storeWith().get(newKey())).toBeUndefined();
  });

  it('expires after the configured retention', async () => {
    const key = newKey();
    await storeWith({ retentionDays: 20 }).claim(key, 'msg-1');
    await expectExpiresAt(key, T0, 20);
  });
});

describe('in progress', () => {
  it('refuses any other claim while the lease lasts, returning the holder', async () => {
    const store = storeWith();
    const key = newKey();
    await store.claim(key, 'msg-1');
    advance(LEASE_MS - 1);

    const holder = { status: 'in_progress', messageId: 'msg-1', leaseUntil: T0 + LEASE_MS, attempts: 0 };
    expect(await store.claim(key, 'msg-2')).toEqual({ claimed: false, record: holder });
    // An SQS redelivery of the same message while the first receive still runs.
    expect(await store.claim(key, 'msg-1')).toEqual({ claimed: false, record: holder });
    await expectExpiresAt(key, T0);
  });

  it('is claimed again once the lease has lapsed, as uncertain, keeping the attempts', async () => {
    const store = storeWith();
    const key = await retryingKey(store);
    advance(5_000);
    await store.claim(key, 'msg-1');
    advance(LEASE_MS); // exactly leaseUntil: the lease has lapsed

    expect(await store.claim(key, 'msg-2')).toEqual({
      claimed: true,
      token: TOKEN,
      attempts: 1,
      firstAttemptAt: isoAt(T0 + 1_000),
      lastAttemptAt: isoAt(T0 + 1_000),
      uncertain: true,
    });
    expect(await store.get(key)).toEqual({
      status: 'in_progress',
      messageId: 'msg-2',
      leaseUntil: T0 + 5_000 + 2 * LEASE_MS,
      attempts: 1,
      firstAttemptAt: isoAt(T0 + 1_000),
      lastAttemptAt: isoAt(T0 + 1_000),
    });
    await expectExpiresAt(key, T0 + 5_000 + LEASE_MS);
  });
});

describe('retrying', () => {
  it('records the failed attempt', async () => {
    const store = storeWith();
    const key = await retryingKey(store, true);

    expect(await store.get(key)).toEqual({
      status: 'retrying',
      uncertain: true,
      lastOutcome: 'timeout',
      attempts: 1,
      firstAttemptAt: isoAt(T0 + 1_000),
      lastAttemptAt: isoAt(T0 + 1_000),
    });
  });

  it.each([false, true])('is claimed by the next receive, keeping attempts, first attempt and uncertain=%s', async (uncertain) => {
    const store = storeWith();
    const key = await retryingKey(store, uncertain);
    advance(30_000);

    expect(await store.claim(key, 'msg-1')).toEqual({ claimed: true, token: TOKEN, attempts: 1, firstAttemptAt: isoAt(T0 + 1_000), lastAttemptAt: isoAt(T0 + 1_000), uncertain });
    expect(await store.get(key)).toEqual({
      status: 'in_progress',
      messageId: 'msg-1',
      leaseUntil: T0 + 30_000 + LEASE_MS,
      attempts: 1,
      firstAttemptAt: isoAt(T0 + 1_000),
      lastAttemptAt: isoAt(T0 + 1_000),
    });
    const item = await storedItem(key);
    expect(item).not.toHaveProperty('uncertain');
    expect(item).not.toHaveProperty('lastOutcome');
    await expectExpiresAt(key, T0 + 30_000);
  });
});

describe('created', () => {
  const execution = { executionId: 'e7a1c3d2', executionLink: 'https://codestream.example/codestream/api/executions/e7a1c3d2' };

  async function createdKey(store: IdempotencyStore): Promise<ExecutionKey> {
    const key = newKey();
    const token = await claimToken(store, key, 'msg-1');
    advance(2_000);
    await store.markCreated(key, { ...execution, token, attempts: 1, firstAttemptAt: isoAt(T0 + 1_000), lastAttemptAt: isoAt(T0 + 1_000) });
    return key;
  }

  const createdRecord = {
    status: 'created',
    ...execution,
    attempts: 1,
    firstAttemptAt: isoAt(T0 + 1_000),
    lastAttemptAt: isoAt(T0 + 1_000),
  };

  it('records the execution', async () => {
    const store = storeWith();
    const key = await createdKey(store);

    expect(await store.get(key)).toEqual(createdRecord);
    await expectExpiresAt(key, T0 + 2_000);
  });

  it('records a created answer that carried no execution id', async () => {
    const store = storeWith();
    const key = newKey();
    await store.markCreated(key, { token: await claimToken(store, key, 'msg-1'), attempts: 1, firstAttemptAt: isoAt(T0), lastAttemptAt: isoAt(T0) });

    expect(await store.get(key)).toEqual({ status: 'created', attempts: 1, firstAttemptAt: isoAt(T0), lastAttemptAt: isoAt(T0) });
  });

  it('is never claimed again, by a redelivery, a redrive or after any time', async () => {
    const store = storeWith();
    const key = await createdKey(store);
    advance(14 * DAY_S * 1000);

    for (const messageId of ['msg-1', 'msg-2']) {
      expect(await store.claim(key, messageId)).toEqual({ claimed: false, record: createdRecord });
    }
    await expectExpiresAt(key, T0 + 2_000);
  });

  it('is not turned back by a late holder marking it retrying or dead-lettered', async () => {
    const store = storeWith();
    const key = await createdKey(store);
    advance(LEASE_MS);

    await expect(
      store.markRetrying(key, { uncertain: true, lastOutcome: 'timeout', attempts: 1, firstAttemptAt: isoAt(T0), lastAttemptAt: isoAt(T0) }),
    ).resolves.toBe(false);
    await expect(
      store.markDeadLettered(key, { messageId: 'msg-1', outcome: 'forbidden', attempts: 1, firstAttemptAt: isoAt(T0), lastAttemptAt: isoAt(T0) }),
    ).resolves.toBe(false);

    expect(await store.get(key)).toEqual(createdRecord);
    await expectExpiresAt(key, T0 + 2_000);
  });
});

describe('dead-lettered', () => {
  async function deadLetteredKey(store: IdempotencyStore): Promise<ExecutionKey> {
    const key = await retryingKey(store);
    const token = await claimToken(store, key, 'msg-1');
    advance(3_000);
    await store.markDeadLettered(key, {
      token,
      messageId: 'msg-1',
      outcome: 'unauthorized',
      attempts: 2,
      firstAttemptAt: isoAt(T0 + 1_000),
      lastAttemptAt: isoAt(T0 + 2_000),
    });
    return key;
  }

  const deadLetteredRecord = {
    status: 'dead_lettered',
    messageId: 'msg-1',
    outcome: 'unauthorized',
    attempts: 2,
    firstAttemptAt: isoAt(T0 + 1_000),
    lastAttemptAt: isoAt(T0 + 2_000),
  };

  it('records why and after how many attempts', async () => {
    const store = storeWith();
    const key = await deadLetteredKey(store);

    expect(await store.get(key)).toEqual(deadLetteredRecord);
    await expectExpiresAt(key, T0 + 3_000);
  });

  it('refuses a redelivery of the same SQS message, even after the lease would have lapsed', async () => {
    const store = storeWith();
    const key = await deadLetteredKey(store);
    advance(LEASE_MS);

    expect(await store.claim(key, 'msg-1')).toEqual({ claimed: false, record: deadLetteredRecord });
  });

  it('is claimed afresh by a redrive: a new SQS message starts from no attempts', async () => {
    const store = storeWith();
    const key = await deadLetteredKey(store);
    advance(DAY_S * 1000);

    expect(await store.claim(key, 'msg-redriven')).toEqual({ claimed: true, token: TOKEN, attempts: 0, uncertain: false });
    expect(await store.get(key)).toEqual({
      status: 'in_progress',
      messageId: 'msg-redriven',
      leaseUntil: T0 + 3_000 + DAY_S * 1000 + LEASE_MS,
      attempts: 0,
    });
    expect(Object.keys((await storedItem(key)) ?? {}).sort()).toEqual(['attempts', 'claimToken', 'expiresAt', 'id', 'leaseUntil', 'messageId', 'status']);
    await expectExpiresAt(key, T0 + 3_000 + DAY_S * 1000);
  });
});

describe('deferred: waiting out a quiet period', () => {
  const WINDOW = { windowId: '6f1d7c2a-3b4e-4f50-8a61-72b8c9d0e1f2', key: ['github', 'acme/app', 'branch:main'], dueAt: isoAt(T0 + 300_000) };

  it('is recorded for a new key only, with its window', async () => {
    const store = storeWith();
    const key = newKey();

    expect(await store.markDeferred(key, WINDOW, 'msg-0')).toBe(true);
    expect(await store.get(key)).toEqual({ status: 'deferred', attempts: 0, ...WINDOW });
    await expectExpiresAt(key, T0);
    expect(await store.markDeferred(key, { ...WINDOW, windowId: 'another' }, 'msg-0')).toBe(false);
    await claimToken(store, key, 'msg-1');
    expect(await store.markDeferred(key, WINDOW, 'msg-2')).toBe(false);
  });

  it('is claimed like a new key, leaving no trace of the window', async () => {
    const store = storeWith();
    const key = newKey();
    await store.markDeferred(key, WINDOW, 'msg-0');

    expect(await store.claim(key, 'msg-1')).toEqual({ claimed: true, token: TOKEN, attempts: 0, uncertain: false });
    expect(await store.get(key)).toEqual({ status: 'in_progress', messageId: 'msg-1', leaseUntil: T0 + LEASE_MS, attempts: 0 });
  });

  it('may be dead-lettered without a claim (its request could not be built)', async () => {
    const store = storeWith();
    const key = newKey();
    await store.markDeferred(key, WINDOW, 'msg-0');

    expect(await store.markDeadLettered(key, { messageId: 'msg-1', outcome: 'rejected', attempts: 0 })).toBe(true);
    expect(await store.get(key)).toMatchObject({ status: 'dead_lettered', outcome: 'rejected' });
  });

  it('is recorded again by a redrive of a key dead-lettered before it waited, not by that message again', async () => {
    const store = storeWith();
    const key = newKey();
    await store.markDeadLettered(key, { messageId: 'msg-1', outcome: 'rejected', attempts: 0 });

    expect(await store.markDeferred(key, WINDOW, 'msg-1')).toBe(false);
    expect(await store.markDeferred(key, WINDOW, 'redrive-1')).toBe(true);
    expect(await store.get(key)).toEqual({ status: 'deferred', attempts: 0, ...WINDOW });
  });

  it('is superseded: never claimed after, by a redelivery or a redrive', async () => {
    const store = storeWith();
    const key = newKey();
    await store.markDeferred(key, WINDOW, 'msg-0');

    expect(await store.markSuperseded(key, { supersededBy: 'github:newer', windowId: WINDOW.windowId })).toBe(true);
    const superseded = { status: 'superseded', supersededBy: 'github:newer', windowId: WINDOW.windowId, attempts: 0 };
    expect(await store.get(key)).toEqual(superseded);
    await expectExpiresAt(key, T0);
    expect(await store.claim(key, 'msg-1')).toEqual({ claimed: false, record: superseded });
    expect(await store.markSuperseded(key, { supersededBy: 'github:other', windowId: 'another' })).toBe(false);
    expect(await store.markDeadLettered(key, { messageId: 'msg-2', outcome: 'rejected', attempts: 0 })).toBe(false);
    expect(await store.get(key)).toEqual(superseded);
  });

  it('is not superseded once claimed: the claim ran, or runs', async () => {
    const store = storeWith();
    const key = newKey();
    await store.markDeferred(key, WINDOW, 'msg-0');
    await claimToken(store, key, 'msg-1');

    expect(await store.markSuperseded(key, { supersededBy: 'github:newer', windowId: WINDOW.windowId })).toBe(false);
    expect(await store.get(key)).toMatchObject({ status: 'in_progress' });
  });
});

describe('concurrent claims', () => {
  async function claimants(store: IdempotencyStore, key: ExecutionKey): Promise<string[]> {
    const messageIds = ['msg-a', 'msg-b', 'msg-c', 'msg-d', 'msg-e'];
    const claims = await Promise.all(messageIds.map((messageId) => store.claim(key, messageId)));
    const winners = messageIds.filter((_, i) => claims[i]?.claimed);
    expect(winners).toHaveLength(1);
    const holder = await store.get(key);
    expect(holder).toMatchObject({ status: 'in_progress', messageId: winners[0] });
    for (const claim of claims) if (!claim.claimed) expect(claim.record).toEqual(holder);
    return winners;
  }

  it('of a new key: exactly one wins', async () => {
    const store = storeWith();
    await claimants(store, newKey());
  });

  it('of a retrying key: exactly one wins', async () => {
    const store = storeWith();
    await claimants(store, await retryingKey(store));
  });

  it('of a key whose lease lapsed: exactly one wins', async () => {
    const store = storeWith();
    const key = newKey();
    await store.claim(key, 'msg-1');
    advance(LEASE_MS);
    await claimants(store, key);
  });

  it('of two at once: one is claimed, the other refused', async () => {
    const store = storeWith();
    const key = newKey();
    const [first, second] = await Promise.all([store.claim(key, 'msg-1'), store.claim(key, 'msg-2')]);
    expect([first?.claimed, second?.claimed].sort()).toEqual([false, true]);
  });
});

describe('keys', () => {
  it('keep delivery ids with # and : apart per rule, one record each', async () => {
    const store = storeWith();
    const build = { source: 'gitlab', deliveryId: 'gitlab#8f2e:push:refs/heads/main', rule: 'build' };
    const deploy = { source: 'gitlab', deliveryId: 'gitlab#8f2e:push:refs/heads/main', rule: 'deploy' };

    const token = await claimToken(store, build, 'msg-1');
    expect(await store.claim(deploy, 'msg-1')).toMatchObject({ claimed: true });
    expect(await storedItem(build)).toMatchObject({ id: '["gitlab","gitlab#8f2e:push:refs/heads/main","build"]', status: 'in_progress' });

    await store.markCreated(build, { token, executionId: 'e1', attempts: 1, firstAttemptAt: isoAt(T0), lastAttemptAt: isoAt(T0) });
    expect(await store.get(build)).toMatchObject({ status: 'created', executionId: 'e1' });
    expect(await store.get(deploy)).toMatchObject({ status: 'in_progress', messageId: 'msg-1' });
  });
});

describe('a holder whose lease lapsed', () => {
  it('cannot overwrite the next holder’s claim: one execution, whatever it marks late', async () => {
    const store = storeWith();
    const key = newKey();
    const first = await claimToken(store, key, 'msg-1');
    advance(LEASE_MS);
    const second = await claimToken(store, key, 'msg-2');

    // The first holder comes back from a slow call and records what it saw.
    expect(await store.markRetrying(key, { token: first, uncertain: true, lastOutcome: 'timeout', attempts: 1 })).toBe(false);
    expect(await store.markDeadLettered(key, { token: first, messageId: 'msg-1', outcome: 'retryable', attempts: 1 })).toBe(false);
    expect(await store.markCreated(key, { token: first, executionId: 'e-late', attempts: 1 })).toBe(false);
    expect(await store.get(key)).toMatchObject({ status: 'in_progress', messageId: 'msg-2' });
    // So a third receive is kept off while the second holds the key, rather than told to call at once.
    expect(await store.claim(key, 'msg-3')).toMatchObject({ claimed: false, record: { status: 'in_progress', messageId: 'msg-2' } });

    expect(await store.markCreated(key, { token: second, executionId: 'e-1', attempts: 1 })).toBe(true);
    expect(await store.get(key)).toMatchObject({ status: 'created', executionId: 'e-1' });
  });

  it('may still record its outcome when no one claimed the key since', async () => {
    const store = storeWith();
    const key = newKey();
    const token = await claimToken(store, key, 'msg-1');
    advance(LEASE_MS * 2);

    expect(await store.markCreated(key, { token, executionId: 'e-1', attempts: 1 })).toBe(true);
  });
});

describe('keys of versions before the source was part of them', () => {
  it('carry a created execution over: the key is not claimed, and the execution not started again', async () => {
    const store = storeWith();
    const key = newKey();
    const created = { status: 'created', executionId: 'e-old', attempts: 1, lastAttemptAt: isoAt(T0) };
    await documents.send(new PutCommand({ TableName: TABLE, Item: { id: `${key.deliveryId}|${key.rule}`, ...created, expiresAt: 0 } }));

    expect(await store.claim(key, 'msg-1')).toEqual({ claimed: false, record: created });
    expect(await store.get(key)).toEqual(created);
  });

  it('leave any other state to the new key', async () => {
    const store = storeWith();
    const key = newKey();
    await documents.send(new PutCommand({ TableName: TABLE, Item: { id: `${key.deliveryId}|${key.rule}`, status: 'retrying', uncertain: false, attempts: 1, expiresAt: 0 } }));

    expect(await store.claim(key, 'msg-1')).toEqual({ claimed: true, token: TOKEN, attempts: 0, uncertain: false });
  });
});

describe('bodies seen', () => {
  it('name the first delivery of a body within the window; the first itself, and any body after it, are their own', async () => {
    const store = storeWith();
    const body = `sha-${newKey().deliveryId}`;

    expect(await store.firstDelivery('github', body, 'first', 60_000)).toBe('first');
    expect(await store.firstDelivery('github', body, 'second', 60_000)).toBe('first');
    expect(await store.firstDelivery('github', body, 'first', 60_000)).toBe('first');
    // The same body from another source is another delivery.
    expect(await store.firstDelivery('gitlab', body, 'other', 60_000)).toBe('other');
    advance(60_000);
    expect(await store.firstDelivery('github', body, 'third', 60_000)).toBe('third');
    expect(await store.firstDelivery('github', body, 'fourth', 60_000)).toBe('third');
  });
});

describe('DynamoDB failures', () => {
  it.each([
    ['claim', (store: IdempotencyStore) => store.claim(newKey(), 'msg-1')],
    ['markRetrying', (store: IdempotencyStore) => store.markRetrying(newKey(), { uncertain: false, lastOutcome: 'HTTP 500', attempts: 1 })],
    ['markDeadLettered', (store: IdempotencyStore) => store.markDeadLettered(newKey(), { messageId: 'msg-1', outcome: 'forbidden', attempts: 1 })],
    ['markCreated', (store: IdempotencyStore) => store.markCreated(newKey(), { attempts: 1 })],
    ['get', (store: IdempotencyStore) => store.get(newKey())],
  ])('%s propagates anything but a failed condition', async (_operation, call) => {
    await expect(call(storeWith({ tableName: 'no-such-table' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('claims a key whose record expired between the refused write and the read-back', async () => {
    const client = DynamoDBDocumentClient.from(dynamoDbClient());
    const store = storeWith({ client });
    const key = newKey();
    await store.claim(key, 'msg-1');
    // TTL deletes the record just as the refused claim reads it back.
    let expired = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetItemCommand' && !expired) {
          expired = true;
          await documents.send(new DeleteCommand({ TableName: TABLE, Key: { id: JSON.stringify([key.source, key.deliveryId, key.rule]) } }));
        }
        return next(args);
      },
      { step: 'initialize' },
    );

    expect(await store.claim(key, 'msg-2')).toEqual({ claimed: true, token: TOKEN, attempts: 0, uncertain: false });
    expect(expired).toBe(true);
    expect(await store.get(key)).toMatchObject({ status: 'in_progress', messageId: 'msg-2' });
  });
});

describe('the in-memory store of the unit tests (test/support/InMemoryIdempotencyStore.ts)', () => {
  type Operation =
    | { kind: 'advance'; ms: number }
    | { kind: 'claim'; key: number; messageId: string }
    | { kind: 'get'; key: number }
    | { kind: 'markCreated'; key: number; attempts: number; executionId?: string; at?: string; holder: Holder }
    | { kind: 'markRetrying'; key: number; attempts: number; uncertain: boolean; at?: string; holder: Holder }
    | { kind: 'markDeadLettered'; key: number; attempts: number; messageId: string; at?: string; holder: Holder }
    | { kind: 'markDeferred'; key: number; windowId: string; messageId: string }
    | { kind: 'markSuperseded'; key: number; windowId: string };
  /** Which claim a mark gives: the key's latest, an earlier one (a holder whose lease lapsed), or none. */
  type Holder = 'latest' | 'earlier' | 'none';

  const key = fc.nat(1);
  const messageId = fc.constantFrom('msg-1', 'msg-2', 'msg-3');
  const attempts = fc.nat(4);
  const at = fc.option(fc.constantFrom(isoAt(T0), isoAt(T0 + 1_000)), { nil: undefined });
  const holder = fc.constantFrom<Holder>('latest', 'earlier', 'none');
  const operation: fc.Arbitrary<Operation> = fc.oneof(
    fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(1_000, LEASE_MS - 1, LEASE_MS) }),
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('claim' as const), key, messageId }) },
    fc.record({ kind: fc.constant('get' as const), key }),
    fc.record({ kind: fc.constant('markCreated' as const), key, attempts, executionId: fc.option(fc.constant('e7a1c3d2'), { nil: undefined }), at, holder }),
    fc.record({ kind: fc.constant('markRetrying' as const), key, attempts, uncertain: fc.boolean(), at, holder }),
    fc.record({ kind: fc.constant('markDeadLettered' as const), key, attempts, messageId, at, holder }),
    fc.record({ kind: fc.constant('markDeferred' as const), key, windowId: fc.constantFrom('window-1', 'window-2'), messageId }),
    fc.record({ kind: fc.constant('markSuperseded' as const), key, windowId: fc.constantFrom('window-1', 'window-2') }),
  );

  type Store = Pick<IdempotencyStore, 'claim' | 'get' | 'markCreated' | 'markRetrying' | 'markDeadLettered' | 'markDeferred' | 'markSuperseded'>;

  /**
   * Runs the operation; a claim's answer without its token (random in each store), which is kept in
   * `tokens` (each key's claims, in order) for the marks to give.
   */
  async function apply(store: Store, operation: Exclude<Operation, { kind: 'advance' }>, keys: ExecutionKey[], tokens: string[][]): Promise<unknown> {
    const target = keys[operation.key] ?? newKey();
    const lastAttemptAt = isoAt(clockMs);
    const claims = (tokens[operation.key] ??= []);
    const token = 'holder' in operation ? { latest: claims.at(-1), earlier: claims.at(-2) ?? 'a-claim-no-one-made', none: undefined }[operation.holder] : undefined;
    switch (operation.kind) {
      case 'claim': {
        const claim = await store.claim(target, operation.messageId);
        if (!claim.claimed) return claim;
        const { token: made, ...answer } = claim;
        claims.push(made);
        return answer;
      }
      case 'get':
        return store.get(target);
      case 'markCreated':
        return store.markCreated(target, { token, executionId: operation.executionId, attempts: operation.attempts, firstAttemptAt: operation.at, lastAttemptAt });
      case 'markRetrying':
        return store.markRetrying(target, { token, uncertain: operation.uncertain, lastOutcome: 'HTTP 503', attempts: operation.attempts, firstAttemptAt: operation.at, lastAttemptAt });
      case 'markDeadLettered':
        return store.markDeadLettered(target, { token, messageId: operation.messageId, outcome: 'forbidden', attempts: operation.attempts, firstAttemptAt: operation.at, lastAttemptAt });
      case 'markDeferred':
        return store.markDeferred(target, { windowId: operation.windowId, key: ['github', 'acme/app', 'branch:main'], dueAt: lastAttemptAt }, operation.messageId);
      case 'markSuperseded':
        return store.markSuperseded(target, { supersededBy: 'github:newer', windowId: operation.windowId });
    }
  }

  it('answers every sequence of claims, marks and reads as the table does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 16 }), async (operations) => {
        clockMs = T0;
        const keys = [newKey('build'), newKey('deploy')];
        const dynamo = storeWith();
        const memory = new InMemoryIdempotencyStore({ leaseMs: LEASE_MS, now: () => clockMs });
        const memoryTokens: string[][] = [];
        const dynamoTokens: string[][] = [];
        for (const step of operations) {
          if (step.kind === 'advance') {
            advance(step.ms);
            continue;
          }
          expect(await apply(memory, step, keys, memoryTokens)).toEqual(await apply(dynamo, step, keys, dynamoTokens));
          for (const each of keys) expect(await memory.get(each)).toEqual(await dynamo.get(each));
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type QuietWindowStore, type WindowMember, QuietWindowStore as DynamoQuietWindowStore, compareMembers, firedRecordId, windowRecordId } from '../../../lambda/relay/QuietWindowStore';
import { type LocalTable, startLocalTable } from '../../../local/localAws';
import { InMemoryQuietWindowStore } from '../../support/InMemoryQuietWindowStore';

const TABLE = 'relay-quiet-windows';
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const QUIET_MS = 300_000;
const DAY_S = 86_400;

let table: LocalTable;
let clockMs = T0;
let sequence = 0;

beforeAll(async () => {
  table = await startLocalTable({ tableName: TABLE });
});

afterAll(async () => {
  await table.stop();
});

beforeEach(() => {
  clockMs = T0;
});

type Store = Pick<QuietWindowStore, 'join' | 'fire'>;

const STORES: [string, () => Store][] = [
  ['in DynamoDB (dynalite)', () => new DynamoQuietWindowStore({ client: table.documentClient, tableName: TABLE, now: () => clockMs })],
  ['in memory (test/support/InMemoryQuietWindowStore.ts)', () => new InMemoryQuietWindowStore({ now: () => clockMs })],
];

/** A window key no other test touches. */
function newWindow(rule = 'build') {
  sequence += 1;
  return { rule, key: ['github', `acme/app-${sequence}`, 'branch:main'] };
}

/** A push received `afterMs` after T0. */
function push(deliveryId: string, afterMs: number, source = 'github'): WindowMember {
  return { source, deliveryId, receivedAt: new Date(T0 + afterMs).toISOString() };
}

const dueFrom = (ms: number) => new Date(ms + QUIET_MS).toISOString();

describe.each(STORES)('the quiet windows %s', (_name, makeStore) => {
  it('open at the first event, due a quiet period after the relay saw it', async () => {
    const store = makeStore();
    clockMs = T0 + 2_000;
    expect(await store.join(newWindow(), push('a', 0), QUIET_MS)).toEqual({ state: 'waiting', windowId: expect.any(String), dueAt: dueFrom(T0 + 2_000) });
  });

  it('take newer events in the same window, whose due time never moves', async () => {
    const store = makeStore();
    const window = newWindow();
    const first = await store.join(window, push('a', 0), QUIET_MS);
    clockMs += 250_000;
    expect(await store.join(window, push('b', 250_000), QUIET_MS)).toEqual(first);
    clockMs += 40_000;
    expect(await store.join(window, push('c', 290_000), QUIET_MS)).toEqual(first);
  });

  it('answer the same event again as before: a redelivery joins nothing new', async () => {
    const store = makeStore();
    const window = newWindow();
    const first = await store.join(window, push('a', 0), QUIET_MS);
    expect(await store.join(window, push('a', 0), QUIET_MS)).toEqual(first);
  });

  it('keep the newest by receipt time, whatever the order they come in: only it fires, the rest learn who runs', async () => {
    const store = makeStore();
    const window = newWindow();
    const { windowId } = (await store.join(window, push('b', 2_000), QUIET_MS)) as { windowId: string };
    await store.join(window, push('c', 3_000), QUIET_MS);
    // Received before c, but later to the relay: older than the newest, it is superseded at once.
    expect(await store.join(window, push('a', 1_000), QUIET_MS)).toEqual({ state: 'superseded', windowId, by: 'c' });

    expect(await store.fire(window, windowId, push('b', 2_000))).toEqual({ state: 'superseded', by: 'c' });
    expect(await store.fire(window, windowId, push('c', 3_000))).toEqual({ state: 'fired' });
  });

  it('break a tie of receipt times by delivery id, then by source', async () => {
    const store = makeStore();
    const window = newWindow();
    const { windowId } = (await store.join(window, push('b', 0, 'github'), QUIET_MS)) as { windowId: string };
    expect(await store.join(window, push('a', 0, 'github'), QUIET_MS)).toEqual({ state: 'superseded', windowId, by: 'b' });
    await store.join(window, push('b', 0, 'github-mirror'), QUIET_MS);
    expect(await store.fire(window, windowId, push('b', 0, 'github'))).toEqual({ state: 'superseded', by: 'b' });
    expect(await store.fire(window, windowId, push('b', 0, 'github-mirror'))).toEqual({ state: 'fired' });
  });

  it('fire again for the same event (a retry after a crash), and for no other', async () => {
    const store = makeStore();
    const window = newWindow();
    const { windowId } = (await store.join(window, push('a', 0), QUIET_MS)) as { windowId: string };
    expect(await store.fire(window, windowId, push('a', 0))).toEqual({ state: 'fired' });
    expect(await store.fire(window, windowId, push('a', 0))).toEqual({ state: 'fired' });
    expect(await store.fire(window, windowId, push('z', 0))).toEqual({ state: 'superseded', by: 'a' });
  });

  it('after firing: an older event is superseded by what ran, a newer one opens the next window', async () => {
    const store = makeStore();
    const window = newWindow();
    const { windowId } = (await store.join(window, push('b', 2_000), QUIET_MS)) as { windowId: string };
    clockMs += QUIET_MS;
    await store.fire(window, windowId, push('b', 2_000));

    expect(await store.join(window, push('a', 1_000), QUIET_MS)).toEqual({ state: 'superseded', windowId, by: 'b' });
    // The fired event itself, whose first pass is redelivered: it waits in the window it ran in.
    expect(await store.join(window, push('b', 2_000), QUIET_MS)).toEqual({ state: 'waiting', windowId, dueAt: dueFrom(T0) });
    clockMs += 1_000;
    const next = await store.join(window, push('c', 301_000), QUIET_MS);
    expect(next).toEqual({ state: 'waiting', windowId: expect.any(String), dueAt: dueFrom(clockMs) });
    expect((next as { windowId: string }).windowId).not.toBe(windowId);
  });

  it('still answer for a fired window after newer ones replaced it', async () => {
    const store = makeStore();
    const window = newWindow();
    const first = (await store.join(window, push('a', 0), QUIET_MS)) as { windowId: string };
    await store.join(window, push('b', 1_000), QUIET_MS);
    await store.fire(window, first.windowId, push('b', 1_000));
    const second = (await store.join(window, push('c', 2_000), QUIET_MS)) as { windowId: string };
    await store.fire(window, second.windowId, push('c', 2_000));
    await store.join(window, push('d', 3_000), QUIET_MS);

    // A late retry of the first window's events: what ran there is known still.
    expect(await store.fire(window, first.windowId, push('b', 1_000))).toEqual({ state: 'fired' });
    expect(await store.fire(window, first.windowId, push('a', 0))).toEqual({ state: 'superseded', by: 'b' });
    expect(await store.fire(window, second.windowId, push('c', 2_000))).toEqual({ state: 'fired' });
  });

  it('keep windows apart per rule and per key', async () => {
    const store = makeStore();
    const window = newWindow('build');
    const other = { ...window, rule: 'deploy' };
    const branch = { ...window, key: [window.key[0] ?? '', window.key[1] ?? '', 'branch:dev'] };
    const { windowId } = (await store.join(window, push('b', 1_000), QUIET_MS)) as { windowId: string };
    expect(await store.join(other, push('a', 0), QUIET_MS)).toMatchObject({ state: 'waiting' });
    expect(await store.join(branch, push('a', 0), QUIET_MS)).toMatchObject({ state: 'waiting' });
    expect(await store.fire(window, windowId, push('b', 1_000))).toEqual({ state: 'fired' });
  });

  it('answer a window no one recorded as superseded by no one known', async () => {
    expect(await makeStore().fire(newWindow(), 'no-such-window', push('a', 0))).toEqual({ state: 'superseded', by: undefined });
  });
});

describe('the quiet windows in DynamoDB', () => {
  const store = () => new DynamoQuietWindowStore({ client: table.documentClient, tableName: TABLE, now: () => clockMs });
  const item = async (id: string) => (await table.documentClient.send(new GetCommand({ TableName: TABLE, Key: { id }, ConsistentRead: true }))).Item;

  it('keep the key for people, and expire 15 days after the window is due (TTL)', async () => {
    const window = newWindow();
    await store().join(window, push('a', 0), QUIET_MS);

    expect(await item(windowRecordId(window))).toMatchObject({
      rule: 'build',
      key: window.key,
      status: 'waiting',
      latestDeliveryId: 'a',
      openedAt: new Date(T0).toISOString(),
      dueAt: dueFrom(T0),
      expiresAt: Math.floor((T0 + QUIET_MS) / 1000) + 15 * DAY_S,
    });
  });

  it('keep a fired window under its own id, expiring 15 days after a newer one replaced it', async () => {
    const window = newWindow();
    const { windowId } = (await store().join(window, push('a', 0), QUIET_MS)) as { windowId: string };
    clockMs += QUIET_MS;
    await store().fire(window, windowId, push('a', 0));
    clockMs += 60_000;
    await store().join(window, push('b', QUIET_MS + 60_000), QUIET_MS);

    expect(await item(firedRecordId(windowId))).toMatchObject({
      windowId,
      status: 'fired',
      latestDeliveryId: 'a',
      firedAt: new Date(T0 + QUIET_MS).toISOString(),
      expiresAt: Math.floor(clockMs / 1000) + 15 * DAY_S,
    });
    expect(await item(windowRecordId(window))).toMatchObject({ status: 'waiting', latestDeliveryId: 'b', expiresAt: Math.floor((clockMs + QUIET_MS) / 1000) + 15 * DAY_S });
  });

  it('hash the key into the id, so that long values stay within DynamoDB’s 2 KiB', async () => {
    const window = { rule: 'build', key: ['github', 'x'.repeat(5_000)] };
    expect(await store().join(window, push('a', 0), QUIET_MS)).toMatchObject({ state: 'waiting' });
    expect(windowRecordId(window).length).toBeLessThan(120);
  });

  it('under concurrent joins and a fire, from several relays: each window runs exactly one event, its newest', async () => {
    const window = newWindow();
    const stores = Array.from({ length: 4 }, store);
    const first = push('push-00', 0);
    const { windowId } = (await stores[0]!.join(window, first, QUIET_MS)) as { windowId: string };
    // Receipt times in shuffled order: the relay sees them out of order, as concurrent Lambdas do.
    const members = Array.from({ length: 30 }, (_unused, index) => push(`push-${String(index + 1).padStart(2, '0')}`, ((index * 7) % 30) * 100 + 1));
    const answers = await Promise.all([
      ...members.map((member, index) => stores[index % stores.length]!.join(window, member, QUIET_MS)),
      stores[1]!.fire(window, windowId, first),
    ]);
    const joined = answers.slice(0, members.length) as Awaited<ReturnType<QuietWindowStore['join']>>[];

    // Every event, once due, tries to fire the window it waits in; the superseded ones learned so already.
    const windows = new Map<string, WindowMember[]>([[windowId, [first]]]);
    joined.forEach((answer, index) => windows.set(answer.windowId, [...(windows.get(answer.windowId) ?? []), members[index]!]));
    expect(windows.size).toBeLessThanOrEqual(2);
    const fired: string[] = [];
    for (const [id, inWindow] of windows) {
      const outcomes = await Promise.all(inWindow.map((member) => stores[0]!.fire(window, id, member)));
      const runs = inWindow.filter((_member, index) => outcomes[index]?.state === 'fired');
      expect(runs).toHaveLength(1);
      const newest = [...inWindow].sort(compareMembers).at(-1);
      expect(runs[0]).toEqual(newest);
      for (const outcome of outcomes) if (outcome.state === 'superseded') expect(outcome.by).toBe(newest?.deliveryId);
      fired.push(runs[0]!.deliveryId);
    }
    // An event superseded at once was so by a newer one of its window.
    const byId = new Map([first, ...members].map((member) => [member.deliveryId, member]));
    for (const [index, answer] of joined.entries()) {
      if (answer.state === 'superseded') expect(compareMembers(byId.get(answer.by)!, members[index]!)).toBeGreaterThan(0);
    }
    // And the newest of all ran.
    expect(fired).toContain([...byId.values()].sort(compareMembers).at(-1)?.deliveryId);
  });
});

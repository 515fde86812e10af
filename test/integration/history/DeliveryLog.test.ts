import { DynamoDeliveryLog } from '../../../lambda/history/DynamoDeliveryLog';
import { DeliveryHistory } from '../../../cli/history/DeliveryHistory';
import { type LocalTable, startLocalTable } from '../../../local/localAws';
import type { RuleDecision } from '../../../lambda/history/DeliveryRecord';

let table: LocalTable;
let log: DynamoDeliveryLog;
let history: DeliveryHistory;
const NOW = new Date('2026-11-30T12:00:00.000Z');

beforeAll(async () => {
  table = await startLocalTable();
  log = new DynamoDeliveryLog({ client: () => table.documentClient, tableName: table.deliveriesTableName });
  history = new DeliveryHistory(table.documentClient, table.deliveriesTableName, 'test', () => NOW);
});
afterAll(() => table.stop());

/** What the relay logs of a delivery with its first decisions, as the queued message `messageId` had it. */
const details = (messageId = 'm-1') => ({
  provider: 'github',
  status: 202,
  bodyBytes: 12,
  senderIp: '192.0.2.7',
  userAgent: 'GitHub-Hookshot/abc',
  eventKind: 'push',
  summary: 'acme/app main 1a2b3c4',
  headers: { 'x-github-event': 'push' },
  query: {},
  events: [],
  body: '{"ref":"x"}',
  messageId,
});

/** A delivery logged with no decision yet. */
const accept = (deliveryId: string, receivedAt: string, source = 'github-acme', messageId = 'm-1') => log.decided({ source, deliveryId, receivedAt }, [], details(messageId));

const decision = (rule: string, outcome: RuleDecision['outcome'], extra: Partial<RuleDecision> = {}): RuleDecision => ({ rule, event: 0, outcome, at: NOW.toISOString(), ...extra });

describe('the delivery log over dynalite', () => {
  test('an accepted delivery and its decisions read back as one record, whichever was written first', async () => {
    await log.decided({ source: 'github-acme', deliveryId: 'early', receivedAt: '2026-11-30T10:00:00.000Z' }, [decision('build', 'created', { executionId: 'e1', executionLink: 'https://cs.example/x' })]);
    await accept('early', '2026-11-30T10:00:00.000Z');
    await log.decided({ source: 'github-acme', deliveryId: 'early', receivedAt: '2026-11-30T10:00:00.000Z' }, [decision('deploy', 'no_match', { reason: 'branch main is not release/*' })]);
    const record = await history.get('github-acme/early');
    expect(record).toMatchObject({ id: 'github-acme/early', status: 202, body: '{"ref":"x"}', headers: { 'x-github-event': 'push' }, receipts: 1, outcomes: ['created', 'no_match'], rules: ['build'] });
    expect(record?.decisions?.map((entry) => [entry.rule, entry.outcome, entry.executionLink])).toEqual([
      ['build', 'created', 'https://cs.example/x'],
      ['deploy', 'no_match', undefined],
    ]);
  });

  test('a redelivery of the same id, in another message, counts a receipt and keeps the decisions; a retry of the same message does not', async () => {
    await accept('again', '2026-11-30T10:01:00.000Z');
    await accept('again', '2026-11-30T10:01:00.000Z');
    await log.decided({ source: 'github-acme', deliveryId: 'again', receivedAt: '2026-11-30T10:01:00.000Z' }, [decision('build', 'dead_lettered', { reason: '401' })]);
    await accept('again', '2026-11-30T10:01:00.000Z', 'github-acme', 'm-2');
    await history.markRedriven('github-acme', 'again');
    await history.markRedriven('github-acme', 'never-logged');
    expect(await history.get('github-acme/again')).toMatchObject({ receipts: 2, redrives: 1, outcomes: ['dead_lettered'] });
    expect(await history.get('github-acme/never-logged')).toBeUndefined();
  });

  test('a refused request keeps metadata only, under an id of its own', async () => {
    await log.refused({ source: 'github-acme', provider: 'github', receivedAt: '2026-11-30T10:02:00.000Z', status: 401, error: 'invalid_signature', message: 'bad', bodyBytes: 99, senderIp: '203.0.113.9', userAgent: 'curl/8' });
    const page = await history.list({ status: 'refused' });
    const refused = page.items.find((item) => item.error === 'invalid_signature');
    expect(refused?.id).toMatch(/^refused:[0-9a-f-]{36}$/);
    const record = await history.get(refused?.id ?? '');
    expect(record).toMatchObject({ status: 401, bodyBytes: 99, senderIp: '203.0.113.9' });
    expect(record).not.toHaveProperty('body');
    expect(record).not.toHaveProperty('headers');
  });

  test('lists newest first across days, filtered, page by page with a cursor', async () => {
    const days = ['2026-11-27', '2026-11-28', '2026-11-29'];
    for (const [index, day] of days.entries()) {
      for (let n = 0; n < 5; n += 1) {
        const id = `page-${index}-${n}`;
        await accept(id, `${day}T0${n}:00:00.000Z`, 'gitlab-paging');
        if (n % 2 === 0) await log.decided({ source: 'gitlab-paging', deliveryId: id, receivedAt: `${day}T0${n}:00:00.000Z` }, [decision('paged-rule', 'created')]);
      }
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await history.list({ since: new Date('2026-11-27T00:00:00.000Z'), rule: 'paged-rule', limit: 4, cursor });
      seen.push(...page.items.map((item) => item.deliveryId ?? ''));
      cursor = page.cursor;
    } while (cursor !== undefined);
    expect(seen).toEqual(['page-2-4', 'page-2-2', 'page-2-0', 'page-1-4', 'page-1-2', 'page-1-0', 'page-0-4', 'page-0-2', 'page-0-0']);
    const bySource = await history.list({ source: 'gitlab-paging', limit: 3 });
    expect(bySource.items.map((item) => item.deliveryId)).toEqual(['page-2-4', 'page-2-3', 'page-2-2']);
    const next = await history.list({ source: 'gitlab-paging', limit: 3, cursor: bySource.cursor });
    expect(next.items.map((item) => item.deliveryId)).toEqual(['page-2-1', 'page-2-0', 'page-1-4']);
    expect((await history.list({ source: 'gitlab-paging', outcome: 'created', since: new Date('2026-11-29T00:00:00.000Z') })).items).toHaveLength(3);
  });

  test('a body larger than the log keeps is left out, with why', async () => {
    await log.decided({ source: 'github-acme', deliveryId: 'big', receivedAt: '2026-11-30T10:03:00.000Z' }, [], { ...details(), body: 'x'.repeat(200_000) });
    const record = await history.get('github-acme/big');
    expect(record?.body).toBeUndefined();
    expect(record?.bodyOmitted).toMatch(/200000 bytes/);
  });

  test('reads with queries and single gets only, never a scan', async () => {
    const sent: string[] = [];
    const counting = { send: (command: { constructor: { name: string } }) => (sent.push(command.constructor.name), table.documentClient.send(command as never)), destroy: () => undefined };
    const reader = new DeliveryHistory(counting as unknown as typeof table.documentClient, table.deliveriesTableName, 'test', () => NOW);
    await reader.list({});
    await reader.list({ source: 'gitlab-paging', outcome: 'created', status: 'accepted' });
    await reader.get('github-acme/early');
    expect(new Set(sent)).toEqual(new Set(['QueryCommand', 'GetCommand']));
  });

  test('a cursor the log did not give is refused with a clear message', async () => {
    await expect(history.list({ cursor: 'not-a-cursor' })).rejects.toThrow(/cursor is not one a list of this log gave/);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDeliveryHistory } from '../../../cli/history/DeliveryHistory';
import { main } from '../../../cli/main';
import type { DeliveryHistoryReader } from '../../../cli/history/DeliveryQuery';
import type { DeliveryRecord } from '../../../lambda/history/DeliveryRecord';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import type { LocalRelay } from '../../../local/LocalRelay';
import { PUSH_BODY, inProcessRelay, pushTo } from '../../support/inProcessRelay';
import { PIPELINES, startSimulator } from '../../support/simulatorFixture';
import { until } from '../../support/until';

const ROOT = path.join(__dirname, '../../..');
const WEBHOOK_SECRET = 'delivery-log-test-secret';

let simulator: CodeStreamSimulator;
let dir: string;
let relay: LocalRelay;
let url: string;
let history: DeliveryHistoryReader;
const printed: string[] = [];

beforeAll(async () => {
  simulator = await startSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'relay-history-'));
  relay = inProcessRelay({
    dir,
    codestreamUrl: simulator.url,
    webhookSecret: WEBHOOK_SECRET,
    rules: [
      `  - { name: build, when: { events: [push] }, pipeline: { id: ${PIPELINES.build.id} } }`,
      `  - { name: release, when: { events: [push] }, pipeline: { id: ${PIPELINES.restricted.id} } }`,
      `  - { name: old-tags, when: { events: [tag], tags: ["v0.*"] }, pipeline: { id: ${PIPELINES.build.id} } }`,
    ].join('\n'),
    print: (line) => printed.push(line),
  });
  url = (await relay.start()).url;
  history = openDeliveryHistory({ 'state-dir': path.join(dir, 'state') });
});

afterAll(async () => {
  history?.close();
  await relay?.stop();
  await simulator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const push = (deliveryId: string, secret = WEBHOOK_SECRET) => pushTo(url, { deliveryId, secret, headers: { 'User-Agent': 'GitHub-Hookshot/044aadd' } });

it('records an accepted delivery with its events and each rule’s decision, the execution link absolute', async () => {
  expect(await push('logged-1')).toBe(202);
  let record: DeliveryRecord | undefined;
  await until(async () => (record = await history.get('github/logged-1'))?.decisions?.length === 2, 20_000, () => `${JSON.stringify(record)}\n${printed.join('\n')}`);
  expect(record).toMatchObject({ source: 'github', provider: 'github', deliveryId: 'logged-1', status: 202, receipts: 1, eventKind: 'push', userAgent: 'GitHub-Hookshot/044aadd' });
  expect(record?.senderIp).toMatch(/127\.0\.0\.1/);
  expect(record?.summary).toMatch(/: push to /);
  expect(record?.headers?.['x-github-event']).toBe('push');
  expect(JSON.parse(record?.body ?? '')).toEqual(JSON.parse(PUSH_BODY.toString('utf8')));
  expect(record?.events?.[0]).toMatchObject({ kind: 'push', deliveryId: 'logged-1' });
  const decisions = Object.fromEntries((record?.decisions ?? []).map((decision) => [decision.rule, decision]));
  const [execution] = simulator.executions.filter((candidate) => candidate.tags.includes('delivery:logged-1'));
  expect(decisions.build).toMatchObject({ outcome: 'created', executionId: execution?.id, pipeline: `id:${PIPELINES.build.id}`, attempts: 1 });
  expect(decisions.build?.executionLink).toBe(`${simulator.url}/codestream/api/executions/${execution?.id}`);
  expect(decisions.build?.request?.tags).toContain('delivery:logged-1');
  expect(decisions.release).toMatchObject({ outcome: 'dead_lettered', status: 403 });
  expect(decisions['old-tags']).toBeUndefined();
  expect(record?.outcomes).toEqual(['created', 'dead_lettered']);
  expect(record?.rules).toEqual(['build', 'release']);
});

it('records a request that failed authentication with metadata only', async () => {
  expect(await push('forged-1', 'not-the-secret')).toBe(401);
  let refused: DeliveryRecord | undefined;
  await until(async () => {
    const page = await history.list({ source: 'github', status: 'refused' });
    refused = page.items[0] && (await history.get(page.items[0].id));
    return refused !== undefined;
  }, 10_000);
  expect(refused).toMatchObject({ status: 401, error: 'invalid_signature', bodyBytes: PUSH_BODY.length, userAgent: 'GitHub-Hookshot/044aadd' });
  for (const kept of ['headers', 'body', 'events', 'query', 'decisions']) expect(refused).not.toHaveProperty(kept);
  expect(JSON.stringify(refused)).not.toContain('not-the-secret');
});

it('records why no rule matched', async () => {
  const tag = readFileSync(path.join(ROOT, 'test/fixtures/webhooks/github/push.tag.json'));
  expect(await pushTo(url, { deliveryId: 'no-match-1', secret: WEBHOOK_SECRET, body: tag })).toBe(202);
  let record: DeliveryRecord | undefined;
  await until(async () => (record = await history.get('github/no-match-1'))?.decisions !== undefined, 20_000, () => printed.join('\n'));
  expect(record?.outcomes).toEqual(['no_match']);
  expect(record?.decisions?.map((decision) => [decision.rule, decision.outcome])).toEqual([
    ['build', 'no_match'],
    ['old-tags', 'no_match'],
    ['release', 'no_match'],
  ]);
  expect(record?.decisions?.find((decision) => decision.rule === 'old-tags')?.reason).toMatch(/v0\.\*/);
});

describe('relay deliveries and relay dlq redrive, against the running local mode', () => {
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main([...args, '--state-dir', path.join(dir, 'state')], { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  it('lists what the log has, filtered, and shows one delivery in full', async () => {
    await until(async () => (await history.get('github/logged-1'))?.decisions?.length === 2, 20_000);
    const dead = await run('deliveries', 'list', '--outcome', 'dead_lettered', '--json');
    expect(dead.code).toBe(0);
    expect((JSON.parse(dead.stdout) as { items: { id: string }[] }).items.map((item) => item.id)).toEqual(['github/logged-1']);
    const shown = await run('deliveries', 'show', 'github/logged-1');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/rule build, event 0: created/);
    expect(shown.stdout).toMatch(/rule release, event 0: dead_lettered/);
    expect(shown.stdout).toContain(`${simulator.url}/codestream/api/executions/`);
    expect(shown.stdout).not.toContain(WEBHOOK_SECRET);
  });

  it('a redrive is counted on the delivery, and its rule decided again', async () => {
    const before = (await history.get('github/logged-1'))?.decisions?.find((decision) => decision.rule === 'release')?.at;
    const redriven = await run('dlq', 'redrive', 'logged-1');
    expect(redriven).toMatchObject({ code: 0, stderr: '' });
    let record: DeliveryRecord | undefined;
    await until(async () => {
      record = await history.get('github/logged-1');
      return record?.redrives === 1 && record.decisions?.find((decision) => decision.rule === 'release')?.at !== before;
    }, 20_000, () => JSON.stringify(record));
    expect(record?.decisions?.find((decision) => decision.rule === 'release')).toMatchObject({ outcome: 'dead_lettered', status: 403 });
    expect(record?.decisions?.find((decision) => decision.rule === 'build')).toMatchObject({ outcome: 'created' });
  });
});

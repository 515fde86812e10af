import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../../cli/main';
import { serializeRelayMessage } from '../../../lambda/events/RelayMessage';
import { SqsDeadLetterQueue } from '../../../lambda/relay/DeadLetterQueue';
import { IdempotencyStore } from '../../../lambda/relay/IdempotencyStore';
import { type LocalQueues, type LocalTable, startLocalQueues, startLocalTable } from '../../../local/localAws';
import { localStateOf } from '../../support/localStateOf';
import { queuedMessage } from '../../support/queuedMessage';
import { fixture } from '../../support/webhookFixtures';

/** Issue #15: `relay test` and `relay replay` say when a rule has a quiet period, and when the relay recorded an event superseded. */

const FIXTURES = path.join(__dirname, '../../fixtures/webhooks');
const PUSH_DELIVERY = '5ecc39b7-d405-47c5-a937-cc1e658d5686';
const KEY = ['github', 'Codertocat/Hello-World', 'branch:master'];
const QUIET_LINE = `      quiet     waits 5 min, then runs only the newest event per key ${JSON.stringify(KEY)}`;
const SUPERSEDED_LINE = '                superseded by delivery newer-push-7, a newer event of its quiet window';

let sqs: LocalQueues;
let table: LocalTable;
let stateDir: string;
let config: string;

beforeAll(() => {
  config = path.join(mkdtempSync(path.join(tmpdir(), 'relay-cli-quiet-')), 'relay.config.yaml');
  writeFileSync(
    config,
    `codestream: { url: "https://vra.example.com", auth: refreshToken, secret: codestream/relay }
sources:
  github: { provider: github, secrets: [webhooks/github] }
rules:
  - { name: build, when: { events: [push] }, pipeline: { id: build-pipeline }, quietPeriod: { minutes: 5 } }
  - { name: lint, when: { events: [push] }, pipeline: { id: lint-pipeline } }
`,
  );
});

beforeEach(async () => {
  [sqs, table] = await Promise.all([startLocalQueues(), startLocalTable()]);
  stateDir = localStateOf(sqs, config, table);
});

afterEach(async () => {
  await Promise.all([sqs.stop(), table.stop()]);
});

async function relay(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

const TEST_ARGS = () => [
  'test',
  '--config',
  config,
  '--source',
  'github',
  '--body',
  path.join(FIXTURES, 'github/push.branch-created.json'),
  '--headers',
  path.join(FIXTURES, 'github/push.branch-created.headers.json'),
];

/** What the relay records when a newer push superseded this one in its window (lambda/relay/deferral.ts). */
async function superseded(): Promise<void> {
  const store = new IdempotencyStore({ client: table.documentClient, tableName: table.tableName, leaseMs: 60_000 });
  const key = { source: 'github', deliveryId: PUSH_DELIVERY, rule: 'build' };
  await store.markDeferred(key, { windowId: 'window-1', key: KEY, dueAt: new Date().toISOString() }, 'msg-1');
  expect(await store.markSuperseded(key, { supersededBy: 'newer-push-7', windowId: 'window-1' })).toBe(true);
}

describe('relay test', () => {
  it('says how long a rule with a quiet period waits, and its key for this delivery', async () => {
    const { code, stdout, stderr } = await relay(...TEST_ARGS());
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`${QUIET_LINE}\n`);
    expect(stdout.split('\n').filter((line) => line.includes('quiet '))).toHaveLength(1);
    expect(stdout).not.toContain('superseded');
  });

  it('with local mode’s table, says which newer delivery superseded the event; --json adds quietPeriod and supersededBy', async () => {
    await superseded();
    const { code, stdout } = await relay(...TEST_ARGS(), '--state-dir', stateDir);
    expect(code).toBe(0);
    expect(stdout).toContain(`${QUIET_LINE}\n${SUPERSEDED_LINE}\n`);

    const json = await relay(...TEST_ARGS(), '--json', '--state-dir', stateDir);
    const [output] = json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { decisions: Record<string, unknown>[] });
    expect(output?.decisions.map(({ rule, quietPeriod, supersededBy }) => ({ rule, quietPeriod, supersededBy }))).toEqual([
      { rule: 'build', quietPeriod: { waits: '5 min', key: KEY }, supersededBy: 'newer-push-7' },
      { rule: 'lint', quietPeriod: undefined, supersededBy: undefined },
    ]);
  });
});

describe('a deferred delivery in the DLQ', () => {
  beforeEach(async () => {
    const { message } = await queuedMessage('github', fixture('github/push.branch-created'));
    const deferred = { ...message, deferred: { rule: 'build', eventDeliveryId: PUSH_DELIVERY, key: KEY, windowId: 'window-1', dueAt: '2026-12-01T10:05:00.000Z' } };
    await new SqsDeadLetterQueue(sqs.client, sqs.dlqUrl).send(serializeRelayMessage(deferred).json, {
      deliveryId: PUSH_DELIVERY,
      outcome: 'forbidden',
      status: 403,
      reason: 'Code Stream refused the execution',
      snippet: '',
      rule: 'build',
      pipeline: 'id:build-pipeline',
      attempts: 1,
    });
  });

  it('shows its deferral with relay dlq show', async () => {
    const { code, stdout } = await relay('dlq', 'show', PUSH_DELIVERY, '--state-dir', stateDir);
    expect(code).toBe(0);
    expect(stdout).toContain('"deferred": {');
    expect(stdout).toContain('"windowId": "window-1"');
  });

  it('replays with its rule’s quiet period and what the table recorded', async () => {
    await superseded();
    const { code, stdout } = await relay('replay', PUSH_DELIVERY, '--state-dir', stateDir);
    expect(code).toBe(0);
    expect(stdout).toContain(`${QUIET_LINE}\n${SUPERSEDED_LINE}\n`);
  });
});

import { hash } from 'node:crypto';
import path from 'node:path';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { main } from '../../../cli/main';
import { messageBody, type RelayMessage } from '../../../lambda/events/RelayMessage';
import { SqsDeadLetterQueue } from '../../../lambda/relay/DeadLetterQueue';
import { IdempotencyStore } from '../../../lambda/relay/IdempotencyStore';
import { type LocalQueues, type LocalTable, startLocalQueues, startLocalTable } from '../../../local/localAws';
import { localStateOf } from '../../support/localStateOf';
import { queuedMessage } from '../../support/queuedMessage';
import { fixture } from '../../support/webhookFixtures';

/** Issue #14: `relay replay` and `relay test` say when the relay takes a delivery for a repeat of an earlier one with the same body. */

const ROOT = path.join(__dirname, '../../..');
const CONFIG = path.join(ROOT, 'relay.config.yaml');
const FIXTURES = path.join(ROOT, 'test/fixtures/webhooks');
const TAG_DELIVERY = '52786a74-3eb5-40e3-b2d9-7addb6d1bf34';
const FIRST_DELIVERY = 'b0a1d2c3-0000-4000-8000-00000000f1r5';
const DAY_MS = 86_400_000;
const REPEAT_LINE = `delivery ${TAG_DELIVERY} is a repeat of delivery ${FIRST_DELIVERY}: rules whose execution ${FIRST_DELIVERY} created will not run again\n`;

let TAG: { message: RelayMessage; body: string };
let sqs: LocalQueues;
let table: LocalTable;
let stateDir: string;

beforeAll(async () => {
  TAG = await queuedMessage('github', fixture('github/push.tag'));
});

beforeEach(async () => {
  [sqs, table] = await Promise.all([startLocalQueues(), startLocalTable()]);
  stateDir = localStateOf(sqs, CONFIG, table);
  await new SqsDeadLetterQueue(sqs.client, sqs.dlqUrl).send(TAG.body, {
    deliveryId: TAG_DELIVERY,
    outcome: 'rejected',
    status: 400,
    reason: 'Code Stream refused the execution',
    snippet: '',
    rule: 'release-tags',
    pipeline: 'name:demo/build',
    attempts: 1,
  });
});

afterEach(async () => {
  await Promise.all([sqs.stop(), table.stop()]);
});

/** What the relay records when it processes the first delivery of the body (lambda/relay/processRecord.ts). */
async function seen(firstDeliveryId: string, now: () => number = Date.now): Promise<void> {
  const store = new IdempotencyStore({ client: table.documentClient, tableName: table.tableName, leaseMs: 60_000, now });
  const sha = hash('sha256', messageBody(TAG.message), 'hex');
  expect(await store.firstDelivery('github', sha, firstDeliveryId, DAY_MS)).toBe(firstDeliveryId);
}

/** Forgets the body, as the TTL does once its window has passed. */
async function forget(): Promise<void> {
  const id = JSON.stringify(['body', 'github', hash('sha256', messageBody(TAG.message), 'hex')]);
  await table.documentClient.send(new DeleteCommand({ TableName: table.tableName, Key: { id } }));
}

async function relay(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

const TEST_ARGS = ['test', '--config', CONFIG, '--source', 'github', '--body', path.join(FIXTURES, 'github/push.tag.json'), '--headers', path.join(FIXTURES, 'github/push.tag.headers.json')];

function parsed(stdout: string): Record<string, unknown>[] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('relay replay, of a body the source sent before under another delivery id', () => {
  it('says whose repeat the delivery is, before the decisions; --json adds repeatOf', async () => {
    await seen(FIRST_DELIVERY);
    const { code, stdout, stderr } = await relay('replay', TAG_DELIVERY, '--state-dir', stateDir);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.startsWith(REPEAT_LINE)).toBe(true);
    expect(stdout).toContain(`delivery ${TAG_DELIVERY}; dead-letter record `);

    const json = await relay('replay', TAG_DELIVERY, '--json', '--state-dir', stateDir);
    expect(json.code).toBe(0);
    const [output, ...more] = parsed(json.stdout);
    expect(more).toEqual([]);
    expect(Object.keys(output ?? {})).toEqual(['deliveryId', 'event', 'decisions', 'repeatOf']);
    expect(output?.repeatOf).toBe(FIRST_DELIVERY);
  });

  it('says nothing for the first delivery itself, nor once the window has passed', async () => {
    await seen(TAG_DELIVERY);
    const first = await relay('replay', TAG_DELIVERY, '--state-dir', stateDir);
    expect(first.code).toBe(0);
    expect(first.stdout).not.toContain('is a repeat of');
    expect(Object.keys(parsed((await relay('replay', TAG_DELIVERY, '--json', '--state-dir', stateDir)).stdout)[0] ?? {})).toEqual(['deliveryId', 'event', 'decisions']);

    await forget();
    await seen(FIRST_DELIVERY, () => Date.now() - DAY_MS - 60_000);
    expect((await relay('replay', TAG_DELIVERY, '--state-dir', stateDir)).stdout).not.toContain('is a repeat of');
  });

  it('refuses --table in local mode, whose table is in local.json', async () => {
    const { code, stderr } = await relay('replay', TAG_DELIVERY, '--table', 'relay-idempotency', '--state-dir', stateDir);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^--table names the idempotency table in AWS/);
  });
});

describe('relay test, with --state-dir or --table', () => {
  const saved = { ...process.env };
  const names = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_DYNAMODB'];
  // AWS, as the SDK finds it from the environment, is dynalite here.
  beforeEach(() => {
    Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: table.endpoint });
  });
  afterEach(() => {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('--table: says whose repeat the delivery is; --json adds repeatOf', async () => {
    await seen(FIRST_DELIVERY);
    const { code, stdout, stderr } = await relay(...TEST_ARGS, '--table', table.tableName);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.startsWith(REPEAT_LINE)).toBe(true);
    const json = await relay(...TEST_ARGS, '--json', '--table', table.tableName);
    expect(parsed(json.stdout).map((output) => output.repeatOf)).toEqual([FIRST_DELIVERY]);
  });

  it('--state-dir reads local mode’s table; nothing is said for the first delivery, or without either option', async () => {
    await seen(FIRST_DELIVERY);
    expect((await relay(...TEST_ARGS, '--state-dir', stateDir)).stdout.startsWith(REPEAT_LINE)).toBe(true);
    const without = await relay(...TEST_ARGS, '--json');
    expect(Object.keys(parsed(without.stdout)[0] ?? {})).toEqual(['deliveryId', 'event', 'decisions']);

    await forget();
    await seen(TAG_DELIVERY);
    expect((await relay(...TEST_ARGS, '--table', table.tableName)).stdout).not.toContain('is a repeat of');
  });

  it('refuses both options at once, and names a table it cannot read', async () => {
    expect((await relay(...TEST_ARGS, '--state-dir', stateDir, '--table', table.tableName)).code).toBe(2);
    const missing = await relay(...TEST_ARGS, '--table', 'no-such-table');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^cannot read the idempotency records in the table no-such-table: ResourceNotFoundException/);
  });
});

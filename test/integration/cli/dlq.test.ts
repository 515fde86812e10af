import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { main } from '../../../cli/main';
import { type DeadLetterReason, SqsDeadLetterQueue } from '../../../lambda/relay/DeadLetterQueue';
import type { CanonicalEvent } from '../../../lambda/events/CanonicalEvent';
import type { RelayMessage } from '../../../lambda/events/RelayMessage';
import { type LocalState, writeLocalState } from '../../../local/LocalState';
import { type LocalQueues, startLocalQueues } from '../../../local/localAws';
import { localStateOf } from '../../support/localStateOf';
import { queuedMessage } from '../../support/queuedMessage';
import { fixture } from '../../support/webhookFixtures';

const ROOT = path.join(__dirname, '../../..');
const CONFIG = path.join(ROOT, 'relay.config.yaml');
const FIXTURES = path.join(ROOT, 'test/fixtures/webhooks');
const TAG_DELIVERY = '52786a74-3eb5-40e3-b2d9-7addb6d1bf34';
const BRANCH_DELIVERY = '5ecc39b7-d405-47c5-a937-cc1e658d5686';
const MALFORMED_DELIVERY = 'f00dfeed-0000-4000-8000-000000000001';

/** A stored GitHub delivery as ingress queues it: the message, and the body SQS holds. */
interface Queued {
  message: RelayMessage;
  events: CanonicalEvent[];
  body: string;
  /** The message as the commands show it: the delivery's body as text, where a message written before issue #12 has it. */
  shown: Record<string, unknown>;
}

async function queued(name: string): Promise<Queued> {
  const { message, body, events } = await queuedMessage('github', fixture(name));
  const { bodyBase64: _encoded, headers, query, ...envelope } = message;
  return { message, body, events, shown: { ...envelope, body: fixture(name).body.toString('utf8'), headers, query } };
}

let TAG: Queued;
let BRANCH: Queued;

beforeAll(async () => {
  [TAG, BRANCH] = await Promise.all([queued('github/push.tag'), queued('github/push.branch-created')]);
});

/** Why each seeded record is in the DLQ, as the relay says it (lambda/relay/processRecord.ts). */
const TAG_EXHAUSTED: DeadLetterReason = {
  deliveryId: TAG_DELIVERY,
  outcome: 'retryable',
  status: 503,
  reason: 'retries exhausted after 8 receives: Code Stream answered 503 Service Unavailable',
  snippet: '{"message":"Service Unavailable"}',
  rule: 'release-tags',
  pipeline: 'name:demo/build',
  attempts: 24,
  firstAttemptAt: '2026-11-28T12:00:01.000Z',
  lastAttemptAt: '2026-11-28T14:11:09.000Z',
};
const BRANCH_REJECTED: DeadLetterReason = {
  deliveryId: BRANCH_DELIVERY,
  outcome: 'rejected',
  status: 400,
  reason: 'Code Stream refused the execution: input GIT_REF is not declared by the pipeline',
  snippet: '{"message":"Invalid input GIT_REF"}',
  rule: 'build-main-lines',
  pipeline: 'name:demo/build',
  attempts: 1,
  firstAttemptAt: '2026-11-28T12:00:02.000Z',
  lastAttemptAt: '2026-11-28T12:00:02.000Z',
};
const BRANCH_FORBIDDEN: DeadLetterReason = {
  ...BRANCH_REJECTED,
  outcome: 'forbidden',
  status: 403,
  reason: 'Code Stream refused the relay: the user may not run pipelines of project demo',
  snippet: '{"message":"Forbidden"}',
  rule: 'build-code-changes',
};
const MALFORMED: DeadLetterReason = { deliveryId: MALFORMED_DELIVERY, outcome: 'malformed', reason: 'the message body is not JSON', snippet: '', attempts: 0 };

let sqs: LocalQueues;
let stateDir: string;

beforeEach(async () => {
  sqs = await startLocalQueues();
  stateDir = localStateOf(sqs, CONFIG);
});

afterEach(async () => {
  await sqs.stop();
});

/** The DLQ as the relay leaves it: a tag whose retries ran out, a branch push two rules failed on, a record that is no delivery. */
async function seed(): Promise<void> {
  const dlq = new SqsDeadLetterQueue(sqs.client, sqs.dlqUrl);
  await dlq.send(TAG.body, TAG_EXHAUSTED);
  await dlq.send(BRANCH.body, BRANCH_REJECTED);
  await dlq.send(BRANCH.body, BRANCH_FORBIDDEN);
  await dlq.send('not json', MALFORMED);
}

async function relay(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

interface Listed {
  messageId: string;
  deliveryId: string | null;
  attributes: Record<string, string>;
  body: unknown;
}

/** `relay dlq list --json` against the local state, which must succeed. */
async function listed(...options: string[]): Promise<Listed[]> {
  const { code, stdout, stderr } = await relay('dlq', 'list', '--json', ...(options.length > 0 ? options : ['--state-dir', stateDir]));
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(stdout) as Listed[];
}

/** SQS carries every attribute as text, its Number ones too; empty ones are not sent. */
function asListed(why: DeadLetterReason): Record<string, string> {
  return Object.fromEntries(Object.entries(why).map(([name, value]) => [name, String(value)]));
}

function recordOf(records: Listed[], rule: string): Listed {
  const record = records.find((candidate) => candidate.attributes.rule === rule);
  if (!record) throw new Error(`no record for rule ${rule}`);
  return record;
}

/** Every message on the main queue, read once (they stay hidden afterwards). */
async function mainQueue(): Promise<{ body: string; attributes: Record<string, string | undefined> }[]> {
  const seen = new Map<string, Message>();
  for (;;) {
    const before = seen.size;
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 0, VisibilityTimeout: 60 }),
    );
    for (const message of Messages) seen.set(message.MessageId ?? '', message);
    if (seen.size === before) break;
  }
  return [...seen.values()].map((message) => ({
    body: message.Body ?? '',
    attributes: Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue])),
  }));
}

const TAG_ATTRIBUTES = { source: 'github', provider: 'github', eventKind: 'tag', deliveryId: TAG_DELIVERY };
const BRANCH_ATTRIBUTES = { source: 'github', provider: 'github', eventKind: 'push', deliveryId: BRANCH_DELIVERY };

describe('relay dlq list', () => {
  it('--json gives every record once: its attributes as the relay sent them and the queued message, its body as text', async () => {
    await seed();
    const records = await listed();
    expect(records).toHaveLength(4);
    expect(new Set(records.map((record) => record.messageId)).size).toBe(4);
    expect(recordOf(records, 'release-tags')).toEqual({ messageId: expect.any(String), deliveryId: TAG_DELIVERY, attributes: asListed(TAG_EXHAUSTED), body: TAG.shown });
    expect(recordOf(records, 'build-code-changes')).toEqual({ messageId: expect.any(String), deliveryId: BRANCH_DELIVERY, attributes: asListed(BRANCH_FORBIDDEN), body: BRANCH.shown });
    expect(records.find((record) => record.attributes.outcome === 'malformed')).toEqual({
      messageId: expect.any(String),
      deliveryId: MALFORMED_DELIVERY,
      attributes: { deliveryId: MALFORMED_DELIVERY, outcome: 'malformed', reason: 'the message body is not JSON', attempts: '0' },
      body: 'not json',
    });
  });

  it('prints a block per record for people, and leaves every record in the queue, visible at once', async () => {
    await seed();
    const { code, stdout, stderr } = await relay('dlq', 'list', '--state-dir', stateDir);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const tag = recordOf(await listed(), 'release-tags');
    expect(stdout).toContain(
      [
        tag.messageId,
        `  delivery  ${TAG_DELIVERY}`,
        '  rule      release-tags → name:demo/build',
        '  outcome   retryable, status 503, 24 attempts, last at 2026-11-28T14:11:09.000Z',
        '  reason    retries exhausted after 8 receives: Code Stream answered 503 Service Unavailable',
        '',
      ].join('\n'),
    );
    expect(stdout).toContain(`  delivery  ${MALFORMED_DELIVERY}\n  outcome   malformed, 0 attempts\n  reason    the message body is not JSON\n`);
    expect(stdout).toContain('  outcome   rejected, status 400, 1 attempt, last at 2026-11-28T12:00:02.000Z\n');
    expect(stdout.endsWith(`\n4 records in ${sqs.dlqUrl}\n`)).toBe(true);
    // Listing again right away sees them all: a read hides nothing once the command is done.
    expect(await listed()).toHaveLength(4);
  });

  it('says so when the queue is empty', async () => {
    expect(await relay('dlq', 'list', '--state-dir', stateDir)).toEqual({ code: 0, stdout: `the dead-letter queue ${sqs.dlqUrl} is empty\n`, stderr: '' });
    expect(await listed()).toEqual([]);
  });

  it('a record SQS moved by its redrive policy has no reason, and says how it got there', async () => {
    await new SqsDeadLetterQueue(sqs.client, sqs.dlqUrl).send(TAG.body, { deliveryId: TAG_DELIVERY, outcome: '', reason: '', snippet: '', attempts: 0 });
    const { stdout } = await relay('dlq', 'list', '--state-dir', stateDir);
    expect(stdout).toContain('  outcome   none: moved by the queue after too many receives (the relay crashed or timed out on it)\n');
  });

  it('reads more records than one receive returns', async () => {
    const dlq = new SqsDeadLetterQueue(sqs.client, sqs.dlqUrl);
    for (let index = 0; index < 23; index++) await dlq.send(TAG.body, { ...TAG_EXHAUSTED, deliveryId: `${TAG_DELIVERY}-${index}` });
    const records = await listed();
    expect(records.map((record) => record.deliveryId).sort()).toEqual(Array.from({ length: 23 }, (_, index) => `${TAG_DELIVERY}-${index}`).sort());
  });
});

describe('relay dlq show', () => {
  it('prints one record in full: every attribute and the pretty-printed message, its body as text', async () => {
    await seed();
    const tag = recordOf(await listed(), 'release-tags');
    const { code, stdout, stderr } = await relay('dlq', 'show', tag.messageId, '--state-dir', stateDir);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(new RegExp(`^message  ${tag.messageId}\nqueue    ${sqs.dlqUrl}\nsent     \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\nattributes\n`));
    expect(stdout).toContain(
      [
        `  deliveryId      ${TAG_DELIVERY}`,
        '  outcome         retryable',
        '  status          503',
        '  reason          retries exhausted after 8 receives: Code Stream answered 503 Service Unavailable',
        '  snippet         {"message":"Service Unavailable"}',
        '  rule            release-tags',
        '  pipeline        name:demo/build',
        '  attempts        24',
        '  firstAttemptAt  2026-11-28T12:00:01.000Z',
        '  lastAttemptAt   2026-11-28T14:11:09.000Z',
        'body, a relay message',
        JSON.stringify(TAG.shown, null, 2),
        '',
      ].join('\n'),
    );
  });

  it('by delivery id, shows every record of that delivery; a body that is no delivery is printed as it is', async () => {
    await seed();
    const branch = await relay('dlq', 'show', BRANCH_DELIVERY, '--state-dir', stateDir);
    expect(branch.code).toBe(0);
    expect(branch.stdout.match(/^message {2}/gm)).toHaveLength(2);
    expect(branch.stdout).toContain('  rule            build-main-lines\n');
    expect(branch.stdout).toContain('  rule            build-code-changes\n');
    const malformed = await relay('dlq', 'show', MALFORMED_DELIVERY, '--state-dir', stateDir);
    expect(malformed.stdout).toContain('body, not a relay message (the message body is not JSON)\nnot json\n');
  });

  it('exits 1 naming the ID and the queue when no record has it', async () => {
    await seed();
    expect(await relay('dlq', 'show', 'no-such-id', '--state-dir', stateDir)).toEqual({
      code: 1,
      stdout: '',
      stderr: `no record in the dead-letter queue ${sqs.dlqUrl} has the messageId or delivery id no-such-id\n`,
    });
    expect((await relay('dlq', 'show', '--state-dir', stateDir)).code).toBe(2);
  });
});

describe('relay dlq redrive', () => {
  it('sends exactly the chosen record back with its original attributes, then removes it from the DLQ', async () => {
    await seed();
    const tag = recordOf(await listed(), 'release-tags');
    const { code, stdout, stderr } = await relay('dlq', 'redrive', tag.messageId, '--state-dir', stateDir);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(new RegExp(`^redriven ${tag.messageId} \\(delivery ${TAG_DELIVERY}\\) to ${sqs.queueUrl} as [\\w-]+\n1 of 1 record redriven\n$`));
    expect(await mainQueue()).toEqual([{ body: TAG.body, attributes: TAG_ATTRIBUTES }]);
    const left = await listed();
    expect(left.map((record) => record.attributes.rule ?? record.attributes.outcome).sort()).toEqual(['build-code-changes', 'build-main-lines', 'malformed']);
  });

  it('by delivery id, redrives every record of the delivery; several IDs at once', async () => {
    await seed();
    const { code, stdout } = await relay('dlq', 'redrive', BRANCH_DELIVERY, MALFORMED_DELIVERY, '--state-dir', stateDir);
    expect(code).toBe(0);
    expect(stdout).toContain('3 of 3 records redriven\n');
    const sent = await mainQueue();
    expect(sent).toHaveLength(3);
    expect(sent.filter((message) => message.body === BRANCH.body).map((message) => message.attributes)).toEqual([BRANCH_ATTRIBUTES, BRANCH_ATTRIBUTES]);
    // A body that is no delivery goes back as it was, with the one attribute that is known.
    expect(sent.find((message) => message.body === 'not json')?.attributes).toEqual({ deliveryId: MALFORMED_DELIVERY });
    expect((await listed()).map((record) => record.deliveryId)).toEqual([TAG_DELIVERY]);
  });

  it('--all empties the DLQ onto the main queue', async () => {
    await seed();
    const { code, stdout } = await relay('dlq', 'redrive', '--all', '--state-dir', stateDir);
    expect(code).toBe(0);
    expect(stdout.match(/^redriven /gm)).toHaveLength(4);
    expect(stdout).toContain('4 of 4 records redriven\n');
    expect((await mainQueue()).map((message) => message.body).sort()).toEqual([BRANCH.body, BRANCH.body, TAG.body, 'not json'].sort());
    expect(await relay('dlq', 'list', '--state-dir', stateDir)).toMatchObject({ code: 0, stdout: `the dead-letter queue ${sqs.dlqUrl} is empty\n` });
    expect(await relay('dlq', 'redrive', '--all', '--state-dir', stateDir)).toMatchObject({ code: 0, stdout: `the dead-letter queue ${sqs.dlqUrl} is empty: nothing to redrive\n` });
  });

  it('moves nothing when one of the IDs is unknown', async () => {
    await seed();
    const { code, stderr } = await relay('dlq', 'redrive', TAG_DELIVERY, 'mistyped', '--state-dir', stateDir);
    expect({ code, stderr }).toEqual({ code: 1, stderr: `no record in the dead-letter queue ${sqs.dlqUrl} has the messageId or delivery id mistyped\n` });
    expect(await mainQueue()).toEqual([]);
    expect(await listed()).toHaveLength(4);
  });

  it('needs --all or IDs, not both', async () => {
    const none = await relay('dlq', 'redrive', '--state-dir', stateDir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^relay dlq redrive needs --all or the IDs of the records to redrive\nusage: relay/);
    expect((await relay('dlq', 'redrive', '--all', TAG_DELIVERY, '--state-dir', stateDir)).stderr).toMatch(/^relay dlq redrive --all redrives every record: give it no IDs\n/);
    expect((await relay('dlq', 'purge')).code).toBe(2);
  });
});

describe('where the queues are', () => {
  it('without a running local mode, says how to start it or name the queues', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'relay-state-'));
    expect(await relay('dlq', 'list', '--state-dir', empty)).toEqual({
      code: 1,
      stdout: '',
      stderr: `no running local relay found (${path.join(empty, 'local.json')}): start it with npm start, or name the queues (--queue-url and --dlq-url, or --queue and --dlq)\n`,
    });
  });

  it('reads RELAY_STATE_DIR when no --state-dir is given', async () => {
    await seed();
    process.env.RELAY_STATE_DIR = stateDir;
    try {
      expect(await listed('--json')).toHaveLength(4);
    } finally {
      delete process.env.RELAY_STATE_DIR;
    }
  });

  it('names the queue and the state file when local mode is gone', async () => {
    const gone = await startLocalQueues();
    await gone.stop();
    const state = JSON.parse(readFileSync(path.join(stateDir, 'local.json'), 'utf8')) as LocalState;
    writeLocalState(stateDir, { ...state, sqsEndpoint: gone.endpoint });
    const { code, stderr } = await relay('dlq', 'list', '--state-dir', stateDir);
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot read the dead-letter queue ${sqs.dlqUrl} (local mode at ${gone.endpoint}, from ${path.join(stateDir, 'local.json')}): `);
  }, 15_000);

  describe('in AWS, with the SDK’s default credentials and region', () => {
    const saved = { ...process.env };
    // AWS, as the SDK finds it from the environment, is local-aws-sqs here.
    beforeEach(() => {
      Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_ENDPOINT_URL_SQS: sqs.endpoint });
    });
    afterEach(() => {
      for (const name of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_SQS']) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    });

    it('--queue-url and --dlq-url: list and redrive', async () => {
      await seed();
      const urls = ['--queue-url', sqs.queueUrl, '--dlq-url', sqs.dlqUrl];
      expect(await listed(...urls)).toHaveLength(4);
      const { code, stdout } = await relay('dlq', 'redrive', TAG_DELIVERY, ...urls);
      expect(code).toBe(0);
      expect(stdout).toContain('1 of 1 record redriven\n');
      expect(await mainQueue()).toEqual([{ body: TAG.body, attributes: TAG_ATTRIBUTES }]);
    }, 15_000);

    it('--queue and --dlq: the names are resolved with GetQueueUrl', async () => {
      await seed();
      expect(await listed('--queue', 'relay-deliveries', '--dlq', 'relay-deliveries-dlq')).toHaveLength(4);
      const missing = await relay('dlq', 'list', '--queue', 'relay-deliveries', '--dlq', 'no-such-queue');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^cannot find the queue named "no-such-queue": /);
    }, 15_000);

    it('refuses half an address, or both kinds at once', async () => {
      expect((await relay('dlq', 'list', '--dlq-url', sqs.dlqUrl)).stderr).toMatch(/^name the main queue too: --queue-url URL or --queue NAME\n/);
      expect((await relay('dlq', 'list', '--queue', 'a', '--queue-url', sqs.queueUrl, '--dlq', 'b')).stderr).toMatch(/^name the main queue once/);
      const mixed = await relay('dlq', 'list', '--state-dir', stateDir, '--queue-url', sqs.queueUrl, '--dlq-url', sqs.dlqUrl);
      expect(mixed.code).toBe(2);
      expect(mixed.stderr).toMatch(/^--state-dir is for local mode/);
    });
  });
});

/** `relay test --json` on the same stored delivery: replay must print the same decisions. */
async function tested(name: string): Promise<{ deliveryId: string; decisions: unknown[] }[]> {
  const { stdout } = await relay(
    'test',
    '--config',
    CONFIG,
    '--source',
    'github',
    '--body',
    path.join(FIXTURES, `${name}.json`),
    '--headers',
    path.join(FIXTURES, `${name}.headers.json`),
    '--json',
  );
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { deliveryId: string; decisions: unknown[] })
    .map(({ deliveryId, decisions }) => ({ deliveryId, decisions }));
}

describe('relay replay', () => {
  it('dry-runs the stored delivery through the rules the local relay runs, and sends nothing', async () => {
    await seed();
    const tag = recordOf(await listed(), 'release-tags');
    const { code, stdout, stderr } = await relay('replay', tag.messageId, '--state-dir', stateDir);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('github (github) push → tag: tag simple-tag pushed by Codertocat\n');
    expect(stdout).toContain(`delivery ${TAG_DELIVERY}; dead-letter record ${tag.messageId}; dry run, nothing sent\n`);
    expect(stdout).toMatch(/ {2}✗ build-main-lines +when\.events: event kind "tag" is not one of push\n/);
    expect(stdout).toMatch(/ {2}✓ release-tags +→ pipeline demo\/build\n/);
    expect(stdout).toContain('        RELEASE_TAG = "simple-tag"');
    expect(await mainQueue()).toEqual([]);
    expect(await listed()).toHaveLength(4);
  });

  it('--json prints the contract of relay test --json, with the same decisions', async () => {
    await seed();
    const { code, stdout } = await relay('replay', TAG_DELIVERY, '--json', '--state-dir', stateDir);
    expect(code).toBe(0);
    const [output, ...more] = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { deliveryId: string; event: unknown; decisions: unknown[] });
    expect(more).toEqual([]);
    expect(Object.keys(output ?? {})).toEqual(['deliveryId', 'event', 'decisions']);
    expect(output?.event).toEqual(TAG.events[0]);
    const [expected] = await tested('github/push.tag');
    expect({ deliveryId: output?.deliveryId, decisions: output?.decisions }).toEqual(expected);
  });

  it('a delivery with a record per failed rule is replayed once', async () => {
    await seed();
    const { code, stdout } = await relay('replay', BRANCH_DELIVERY, '--json', '--state-dir', stateDir);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { deliveryId: string; decisions: unknown[] });
    expect(lines.map((line) => ({ deliveryId: line.deliveryId, decisions: line.decisions }))).toEqual(await tested('github/push.branch-created'));
  });

  it('uses the current rules: --config, else the local relay’s config', async () => {
    await seed();
    const changed = path.join(mkdtempSync(path.join(tmpdir(), 'relay-config-')), 'relay.config.yaml');
    writeFileSync(changed, readFileSync(CONFIG, 'utf8').replace('tags: ["v*", "/^\\\\d+\\\\.\\\\d+\\\\.\\\\d+$/", simple-tag]', 'tags: ["v*"]'));
    expect(readFileSync(changed, 'utf8')).not.toContain('simple-tag');
    const given = await relay('replay', TAG_DELIVERY, '--config', changed, '--state-dir', stateDir);
    expect(given.stdout).toMatch(/ {2}✗ release-tags +when\.tags: /);
    writeLocalState(stateDir, { ...(JSON.parse(readFileSync(path.join(stateDir, 'local.json'), 'utf8')) as LocalState), configFile: changed });
    const local = await relay('replay', TAG_DELIVERY, '--state-dir', stateDir);
    expect(local.stdout).toMatch(/ {2}✗ release-tags +when\.tags: /);
    expect(local.stdout).toContain('0 of ');
  });

  it('--execute redrives the record, as dlq redrive does', async () => {
    await seed();
    const { code, stdout } = await relay('replay', TAG_DELIVERY, '--execute', '--state-dir', stateDir);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^redriven [\\w-]+ \\(delivery ${TAG_DELIVERY}\\) to ${sqs.queueUrl} as [\\w-]+\n1 of 1 record redriven\n$`));
    expect(await mainQueue()).toEqual([{ body: TAG.body, attributes: TAG_ATTRIBUTES }]);
    expect(await listed()).toHaveLength(3);
  });

  it('exits 1 for a record that holds no delivery, or an unknown ID; 2 without an ID', async () => {
    await seed();
    const malformed = await relay('replay', MALFORMED_DELIVERY, '--state-dir', stateDir);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/^the dead-letter record [\w-]+ holds no delivery to replay: the message body is not JSON\n$/);
    expect((await relay('replay', 'no-such-id', '--state-dir', stateDir)).code).toBe(1);
    expect((await relay('replay', '--state-dir', stateDir)).code).toBe(2);
    expect((await relay('replay', TAG_DELIVERY, '--execute', '--json', '--state-dir', stateDir)).code).toBe(2);
  });
});

describe('a record queued before issue #12, its body as text', () => {
  it('is listed and shown as a record of today is, replayed through the rules, and redriven unchanged', async () => {
    // The message as ingress wrote it then: the fields of today's, the body as text in place of bodyBase64.
    const legacy = JSON.stringify(TAG.shown);
    expect(legacy).not.toContain('bodyBase64');
    await new SqsDeadLetterQueue(sqs.client, sqs.dlqUrl).send(legacy, TAG_EXHAUSTED);

    const [record, ...more] = await listed();
    expect(more).toEqual([]);
    expect(record?.body).toEqual(TAG.shown);
    const shown = await relay('dlq', 'show', TAG_DELIVERY, '--state-dir', stateDir);
    expect({ code: shown.code, stderr: shown.stderr }).toEqual({ code: 0, stderr: '' });
    expect(shown.stdout).toContain(`body, a relay message\n${JSON.stringify(TAG.shown, null, 2)}\n`);

    const replayed = await relay('replay', TAG_DELIVERY, '--json', '--state-dir', stateDir);
    expect(replayed.code).toBe(0);
    const [output] = replayed.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { deliveryId: string; decisions: unknown[] });
    expect([{ deliveryId: output?.deliveryId, decisions: output?.decisions }]).toEqual(await tested('github/push.tag'));

    expect((await relay('dlq', 'redrive', TAG_DELIVERY, '--state-dir', stateDir)).code).toBe(0);
    expect(await mainQueue()).toEqual([{ body: legacy, attributes: TAG_ATTRIBUTES }]);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../../lambda/config/loadConfig';
import type { RelayMessage } from '../../../lambda/events/RelayMessage';
import { createIngressHandler } from '../../../lambda/handlers/ingress';
import { createRelayHandler } from '../../../lambda/handlers/relay';
import { relayDependencies } from '../../../lambda/handlers/relayDependencies';
import { SqsDeliveryQueue } from '../../../lambda/ingress/DeliveryQueue';
import { IdempotencyStore } from '../../../lambda/relay/IdempotencyStore';
import { type WindowMember, compareMembers } from '../../../lambda/relay/QuietWindowStore';
import { ApiGatewayServer } from '../../../local/ApiGatewayServer';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { type LocalQueues, type LocalTable, startLocalQueues, startLocalTable } from '../../../local/localAws';
import { SqsEventSourceMapping } from '../../../local/SqsEventSourceMapping';
import { captureOutput } from '../../support/captureOutput';
import { fakeIngressDependencies } from '../../support/fakeIngressDependencies';
import { InMemorySecretStore } from '../../support/InMemorySecretStore';
import { PIPELINES, REFRESH_TOKEN, startSimulator } from '../../support/simulatorFixture';
import { until } from '../../support/until';
import { TEST_SECRET, fixture, fixtureJson, signed, withHeaders } from '../../support/webhookFixtures';

/*
 * A rule with a quiet period of a few seconds, end to end over loopback: signed pushes to the API
 * Gateway server, the real ingress and relay handlers, local SQS (with its delays), dynalite and
 * Code Stream's simulator; three pollers, as Lambda runs several invocations at once.
 */

const SHA256 = { header: 'x-hub-signature-256', algorithm: 'sha256', prefix: 'sha256=' };
const QUIET_SECONDS = 3;
const PUSHES_PER_BRANCH = 10;
const BRANCHES = ['main', 'develop'];
/** Generous: the suite must pass on a busy machine, and beside another copy of itself. */
const SETTLED_MS = 90_000;

let sqs: LocalQueues;
let dynamo: LocalTable;
let simulator: CodeStreamSimulator;
let api: ApiGatewayServer;
let url: string;
let mappings: SqsEventSourceMapping[];
let store: IdempotencyStore;
/** What ingress queued, by delivery id: its receipt time, as the relay orders a window's events. */
const queued = new Map<string, RelayMessage>();
let sequence = 0;

const secrets = new InMemorySecretStore({ 'webhooks/github': TEST_SECRET, 'codestream/relay': JSON.stringify({ refreshToken: REFRESH_TOKEN }) });
const quietLogger = () => new Logger({ serviceName: 'relay-test', logLevel: 'WARN' });

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  [sqs, dynamo, simulator] = await Promise.all([startLocalQueues({ maxReceiveCount: 10, visibilityTimeoutSeconds: 20 }), startLocalTable(), startSimulator()]);
  const configFile = path.join(mkdtempSync(path.join(tmpdir(), 'relay-quiet-')), 'relay.config.yaml');
  writeFileSync(
    configFile,
    `codestream: { url: "${simulator.url}", auth: refreshToken, secret: codestream/relay }
sources:
  github: { provider: github, secrets: [webhooks/github] }
rules:
  - { name: coalesced, when: { events: [push] }, pipeline: { id: ${PIPELINES.build.id} }, quietPeriod: { seconds: ${QUIET_SECONDS} } }
`,
  );
  const { config } = loadConfig(configFile);
  const queue = new SqsDeliveryQueue(sqs.client, sqs.queueUrl);
  const ingress = createIngressHandler(() =>
    fakeIngressDependencies({
      sources: config.sources,
      secrets,
      logger: quietLogger(),
      now: () => new Date(),
      queue: {
        send: async (message: RelayMessage, body: string) => {
          await queue.send(message, body);
          queued.set(message.deliveryId, message);
        },
      },
    }),
  );
  api = new ApiGatewayServer(ingress, () => true);
  url = await api.listen(0);
  const relay = createRelayHandler(() => ({
    ...relayDependencies(
      {
        QUEUE_URL: sqs.queueUrl,
        DEAD_LETTER_QUEUE_URL: sqs.dlqUrl,
        IDEMPOTENCY_TABLE: dynamo.tableName,
        MAX_RECEIVE_COUNT: '6',
        RETRY_BASE_SECONDS: '1',
        RETRY_MAX_SECONDS: '2',
        CODESTREAM_TIMEOUT_MS: '5000',
        FUNCTION_TIMEOUT_MS: '15000',
        IDEMPOTENCY_LEASE_MS: '20000',
      },
      { sqs: sqs.client, dynamodb: dynamo.client, secrets, config },
    ),
    logger: quietLogger(),
  }));
  mappings = Array.from(
    { length: 3 },
    () => new SqsEventSourceMapping({ client: sqs.client, queueUrl: sqs.queueUrl, queueArn: sqs.queueArn, handler: relay, functionTimeoutMs: 15_000, onError: () => undefined }),
  );
  for (const mapping of mappings) mapping.start();
  store = new IdempotencyStore({ client: dynamo.documentClient, tableName: dynamo.tableName, leaseMs: 0 });
});

afterAll(async () => {
  await Promise.all(mappings?.map((mapping) => mapping.stop()) ?? []);
  await api?.close();
  await Promise.all([sqs?.stop(), dynamo?.stop(), simulator?.stop()]);
  delete process.env.POWERTOOLS_METRICS_DISABLED;
});

beforeEach(() => {
  captureOutput();
});

/** A signed push of a commit of its own to `branch`; resolves with its delivery id once ingress answered 202. */
async function push(branch: string): Promise<{ deliveryId: string; commit: string }> {
  sequence += 1;
  const deliveryId = `quiet-${process.pid}-${sequence}`;
  const commit = `${String(sequence).padStart(8, '0')}${'c'.repeat(32)}`;
  const template = fixtureJson('github/push.branch-created');
  const body = Buffer.from(JSON.stringify({ ...template, ref: `refs/heads/${branch}`, after: commit, head_commit: { ...(template.head_commit as object), id: commit } }));
  const request = withHeaders(signed(fixture('github/push.branch-created'), body, TEST_SECRET, SHA256), { 'x-github-delivery': deliveryId });
  const answer = await fetch(`${url}/hooks/github`, { method: 'POST', headers: request.headers as Record<string, string>, body: request.body });
  expect(answer.status).toBe(202);
  return { deliveryId, commit };
}

const executionsOf = (deliveryIds: readonly string[]) =>
  simulator.executions.filter((execution) => execution.tags.includes('rule:coalesced') && deliveryIds.some((id) => execution.tags.includes(`delivery:${id}`)));

const recordOf = (deliveryId: string) => store.get({ source: 'github', deliveryId, rule: 'coalesced' });

/** Whether every push has its decision: executed (created) or superseded. A read that fails is tried again at the next check. */
async function decided(deliveryIds: readonly string[]): Promise<boolean> {
  const records = await Promise.all(deliveryIds.map(recordOf)).catch(() => []);
  return records.length > 0 && records.every((record) => record?.status === 'created' || record?.status === 'superseded');
}

/** The push that ran in place of this one: its `supersededBy`, followed to one that was not superseded. */
async function supersededChain(deliveryId: string): Promise<string> {
  const record = await recordOf(deliveryId);
  expect(record).toMatchObject({ status: 'superseded' });
  const by = record?.status === 'superseded' ? record.supersededBy : '';
  const next = await recordOf(by);
  expect(compareMembers(memberOf(by), memberOf(deliveryId))).toBeGreaterThan(0);
  return next?.status === 'superseded' ? supersededChain(by) : by;
}

const memberOf = (deliveryId: string): WindowMember => ({ source: 'github', deliveryId, receivedAt: queued.get(deliveryId)?.receivedAt ?? '' });

function newest(deliveryIds: readonly string[]): string {
  return deliveryIds.map(memberOf).sort(compareMembers).at(-1)?.deliveryId ?? '';
}

async function deadLetters(): Promise<Message[]> {
  const { Messages = [] } = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: sqs.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  return Messages;
}

it('runs one execution per branch, with the newest push’s commit, however many concurrent pushes; a later push runs once more', async () => {
  const pushes = await Promise.all(BRANCHES.flatMap((branch) => Array.from({ length: PUSHES_PER_BRANCH }, () => push(branch).then((sent) => ({ ...sent, branch })))));
  const ids = pushes.map((sent) => sent.deliveryId);
  await until(() => decided(ids), SETTLED_MS, () => `executions: ${executionsOf(ids).length}`);

  for (const branch of BRANCHES) {
    const ofBranch = pushes.filter((sent) => sent.branch === branch);
    const winner = newest(ofBranch.map((sent) => sent.deliveryId));
    const executions = executionsOf(ofBranch.map((sent) => sent.deliveryId));
    expect(executions).toHaveLength(1);
    expect(executions[0]?.tags).toContain(`delivery:${winner}`);
    expect(executions[0]?.input.GIT_COMMIT_ID).toBe(ofBranch.find((sent) => sent.deliveryId === winner)?.commit);
    expect(executions[0]?.input.GIT_BRANCH_NAME).toBe(branch);
    // Each of the others is superseded by a newer push of its branch: the winner, or one the winner
    // superseded in turn (a push older than the window's newest when it came is superseded at once).
    for (const { deliveryId } of ofBranch.filter((sent) => sent.deliveryId !== winner)) {
      expect(await supersededChain(deliveryId)).toBe(winner);
    }
  }

  // The windows ran: a push now opens the next window of its branch, and runs after its own quiet period.
  const later = await push('main');
  await until(() => decided([later.deliveryId]), SETTLED_MS);
  expect(executionsOf([later.deliveryId]).map((execution) => execution.input.GIT_COMMIT_ID)).toEqual([later.commit]);
  expect(executionsOf([...ids, later.deliveryId])).toHaveLength(BRANCHES.length + 1);
  expect(await deadLetters()).toEqual([]);
}, 240_000);

import '../local/processEnvironment';
import { once } from 'node:events';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueAttributesCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CodeStreamSimulator } from '../local/codestream-simulator/CodeStreamSimulator';
import { loadSeed } from '../local/codestream-simulator/seed';
import { LOCAL_CREDENTIALS } from '../local/LocalState';
import { LOCAL_REGION, type LocalTable, startLocalQueues, startLocalTable } from '../local/localAws';
import { freePort } from '../test/support/freePort';

const ROOT = path.join(__dirname, '..');
const FIXTURES = path.join(ROOT, 'test/fixtures/webhooks');
const SECRET = "It's a Secret to Everybody";
const BUILD = '3f9e2a40-7c1d-4b8e-9a6f-2d5c8b1e0a11';
const RELEASE = 'c4b7e9f2-5a3d-4c1e-8f6b-9d2a0e3b4c33';

export interface Delivery {
  id: string;
  source: string;
  headers: Record<string, string>;
  query: string;
  body: Buffer;
  /** The rules it must start, and those whose pipeline Code Stream refuses (dead-lettered). */
  expected: string[];
  refused: string[];
}

/** What the soak and the end-to-end benchmark run against: everything but the relay process outlives it. */
export interface LocalStack {
  simulator: CodeStreamSimulator;
  /** The relay's queues, those of the stack or, with `relayQueues`, the relay's own (then only while it runs). */
  sqs: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** The relay's idempotency table, where it records each decision. */
  table: LocalTable;
  port: number;
  /** Starts `npm start`'s relay against this stack, in a process group of its own; resolves once /health answers 200. */
  startRelay(): Promise<ChildProcess>;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  faultProbability: number;
  /**
   * The relay keeps its queues itself, journaled on disk, as `npm start` does (on a fixed port, so
   * that they have one address across restarts), rather than using the stack's, which outlive it.
   */
  relayQueues?: boolean;
  /** A quiet period, in seconds, for the rule of pushes: only the newest push per branch runs. @default none */
  quietSeconds?: number;
}

/**
 * Code Stream's simulator (failing `faultProbability` of calls: 5xx, 429 with Retry-After, answers
 * slower than the client's 1 s timeout, resets; every token expired every 250 calls), SQS with a
 * DLQ, and DynamoDB, in this process; the relay runs as `npm start` does, in a process of its own
 * that can be killed. Its rules: pushes and tags execute; pull requests go to a pipeline the
 * relay's user may not run (403) and image pushes to one that does not exist (404).
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dir = mkdtempSync(path.join(tmpdir(), 'relay-stack-'));
  const simulator = new CodeStreamSimulator({
    seed: loadSeed(path.join(ROOT, 'local/codestream-simulator/seed.example.json')),
    faults: {
      probability: options.faultProbability,
      seed: 42,
      pick: [
        { kind: 'status', status: 500 },
        { kind: 'status', status: 502 },
        { kind: 'status', status: 503 },
        { kind: 'status', status: 504 },
        { kind: 'status', status: 429, retryAfter: '1' },
        { kind: 'slow', delayMs: 1_500 },
        { kind: 'reset' },
      ],
    },
    expireTokensEvery: 250,
  });
  const codestreamUrl = await simulator.start();
  // The visibility timeout is above the relay's lease, so a killed invocation's records come back once its claims lapse.
  const queues = options.relayQueues ? undefined : await startLocalQueues({ visibilityTimeoutSeconds: 8, maxReceiveCount: 14 });
  const sqsPort = await freePort();
  const sqsEndpoint = queues?.endpoint ?? `http://127.0.0.1:${sqsPort}`;
  const sqs = queues?.client ?? new SQSClient({ region: LOCAL_REGION, endpoint: sqsEndpoint, credentials: LOCAL_CREDENTIALS });
  const table = await startLocalTable();

  const configFile = path.join(dir, 'relay.config.yaml');
  writeFileSync(
    configFile,
    `codestream: { url: "${codestreamUrl}", auth: refreshToken, secret: codestream/relay }
sources:
  github: { provider: github, secrets: [webhooks/github] }
  gitlab: { provider: gitlab, secrets: [webhooks/gitlab] }
  dockerhub: { provider: dockerhub, secrets: [webhooks/dockerhub] }
rules:
  - { name: pushes, when: { events: [push] }, pipeline: { id: ${BUILD} }${options.quietSeconds === undefined ? '' : `, quietPeriod: { seconds: ${options.quietSeconds} }`} }
  - { name: tags, when: { events: [tag] }, pipeline: { project: demo, name: deploy-image } }
  - { name: reviews, when: { events: [pull_request] }, pipeline: { id: ${RELEASE} } }
  - { name: images, when: { events: [artifact_push] }, pipeline: { id: no-such-pipeline } }
`,
  );
  const secretsFile = path.join(dir, 'relay.secrets.json');
  writeFileSync(
    secretsFile,
    JSON.stringify({ 'codestream/relay': { refreshToken: 'local-refresh-token' }, 'webhooks/github': SECRET, 'webhooks/gitlab': SECRET, 'webhooks/dockerhub': SECRET }),
  );
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    CONSOLE_PORT: '0',
    RELAY_CONFIG: configFile,
    RELAY_SECRETS: secretsFile,
    RELAY_STATE_DIR: path.join(dir, 'state'),
    CODESTREAM_URL: codestreamUrl,
    ...(queues ? { SQS_ENDPOINT: queues.endpoint } : { SQS_PORT: String(sqsPort) }),
    DYNAMODB_ENDPOINT: table.endpoint,
    CODESTREAM_TIMEOUT_MS: '1000',
    RELAY_FUNCTION_TIMEOUT_MS: '5000',
    IDEMPOTENCY_LEASE_MS: '10000',
    MAX_RECEIVE_COUNT: '12',
    RETRY_BASE_SECONDS: '1',
    RETRY_MAX_SECONDS: '3',
    RELAY_CONCURRENCY: '4',
    UNCERTAIN_SETTLE_MS: '3000',
  };

  return {
    simulator,
    sqs,
    // local-aws-sqs's queue URLs: the endpoint, its account, the name.
    queueUrl: queues?.queueUrl ?? `${sqsEndpoint}/123456789012/relay-deliveries`,
    deadLetterQueueUrl: queues?.dlqUrl ?? `${sqsEndpoint}/123456789012/relay-deliveries-dlq`,
    table,
    port,
    startRelay: () => startRelay(env, port),
    stop: async () => {
      await simulator.stop();
      if (!queues) sqs.destroy();
      await Promise.all([queues?.stop(), table.stop()]);
    },
  };
}

/** A GitHub push of `commit` to `branch`, with its own delivery id, signed as GitHub signs it. */
export function pushDelivery(id: string, branch: string, commit: string): Delivery {
  const template = JSON.parse(readFileSync(path.join(FIXTURES, 'github/push.branch-created.json'), 'utf8')) as Record<string, unknown>;
  const body = Buffer.from(JSON.stringify({ ...template, ref: `refs/heads/${branch}`, after: commit, head_commit: { ...(template.head_commit as object), id: commit }, soak: id }));
  const headers = JSON.parse(readFileSync(path.join(FIXTURES, 'github/push.branch-created.headers.json'), 'utf8')) as Record<string, string>;
  headers['X-Hub-Signature-256'] = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  if (headers['X-Hub-Signature']) headers['X-Hub-Signature'] = `sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}`;
  return { id, source: 'github', headers: { ...headers, 'X-GitHub-Delivery': id }, query: '', body, expected: ['pushes'], refused: [] };
}

export /** Five kinds of delivery in turn, each with an id and a body of its own: the same body again would be a replay. */
function delivery(index: number): Delivery {
  const id = `soak-${index}`;
  const fixture = (name: string) => {
    const body = Buffer.from(JSON.stringify({ ...(JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as object), soak: id }));
    const headers = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.headers.json`), 'utf8')) as Record<string, string>;
    // GitHub signs the body; GitLab and Docker Hub send a token.
    if (headers['X-Hub-Signature-256']) headers['X-Hub-Signature-256'] = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    if (headers['X-Hub-Signature']) headers['X-Hub-Signature'] = `sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}`;
    return { body, headers };
  };
  switch (index % 5) {
    case 0: {
      const { body, headers } = fixture('github/push.branch-created');
      return { id, source: 'github', headers: { ...headers, 'X-GitHub-Delivery': id }, query: '', body, expected: ['pushes'], refused: [] };
    }
    case 1: {
      const { body, headers } = fixture('github/push.tag');
      return { id, source: 'github', headers: { ...headers, 'X-GitHub-Delivery': id }, query: '', body, expected: ['tags'], refused: [] };
    }
    case 2: {
      const { body, headers } = fixture('github/pull_request.opened');
      return { id, source: 'github', headers: { ...headers, 'X-GitHub-Delivery': id }, query: '', body, expected: [], refused: ['reviews'] };
    }
    case 3: {
      const { body, headers } = fixture('gitlab/push');
      return { id, source: 'gitlab', headers: { ...headers, 'Idempotency-Key': id }, query: '', body, expected: ['pushes'], refused: [] };
    }
    default: {
      // Docker Hub sends no delivery id: the relay hashes the body.
      const { body, headers } = fixture('dockerhub/push');
      const hashId = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      return { id: hashId, source: 'dockerhub', headers, query: `?token=${encodeURIComponent(SECRET)}`, body, expected: [], refused: ['images'] };
    }
  }
}

export /** As a provider does: retry until the relay accepts the delivery. */
async function sendUntilAccepted(delivery: Delivery, port: number): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    const started = performance.now();
    try {
      const response = await fetch(`http://127.0.0.1:${port}/hooks/${delivery.source}${delivery.query}`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
      if (response.status === 202) return performance.now() - started;
      if (response.status < 500) throw new Error(`delivery ${delivery.id} refused with ${response.status}: ${await response.text()}`);
    } catch (error) {
      if ((error as Error).message.startsWith('delivery ')) throw error;
    }
    await sleep(Math.min(2_000, 100 * 2 ** attempt));
  }
}

async function startRelay(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  // In a group of its own, as a terminal starts it: killGroup kills all of it, as `kill -9 -PGID` does.
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'local/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  // RELAY_LOG names a file for the relay's lines, to read after a failed run.
  if (env.RELAY_LOG) child.stdout?.on('data', (chunk: Buffer) => appendFileSync(env.RELAY_LOG as string, chunk));
  else child.stdout?.resume();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/health`).then((response) => response.status === 200, () => false);
    if (ready) return child;
    if (Date.now() > deadline) throw new Error('the relay did not become ready within 30 s');
    await sleep(100);
  }
}

/** SIGKILL to the relay's whole process group; resolves once the relay has exited. */
export async function killGroup(relay: ChildProcess): Promise<void> {
  if (relay.pid === undefined || relay.exitCode !== null || relay.signalCode !== null) return;
  const exited = once(relay, 'exit');
  process.kill(-relay.pid, 'SIGKILL');
  await exited;
}

export async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next];
        next += 1;
        if (item !== undefined) await work(item);
      }
    }),
  );
}

export /** Waits until the queue has held nothing, visible or in flight, for three seconds; false if it never did. */
async function quiescent(sqs: SQSClient, queueUrl: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let emptySince: number | undefined;
  while (Date.now() < deadline) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    const depth = Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible) + Number(Attributes.ApproximateNumberOfMessagesDelayed);
    if (depth === 0) {
      emptySince ??= Date.now();
      if (Date.now() - emptySince >= 3_000) return true;
    } else emptySince = undefined;
    await sleep(250);
  }
  return false;
}

export async function readAll(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 600, WaitTimeSeconds: 0 }),
    );
    for (const message of Messages) if (message.MessageId) seen.set(message.MessageId, message);
    if (Messages.length > 0) continue;
    // An empty answer under load is not proof of an empty queue: stop when the queue counts no more
    // messages than were read (local-aws-sqs counts the ones in flight too).
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    const counted = Math.max(Number(Attributes.ApproximateNumberOfMessages ?? 0), Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0));
    if (counted <= seen.size) return [...seen.values()];
    await sleep(100);
  }
}

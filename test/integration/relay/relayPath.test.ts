import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { type Message, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { relayDependencies } from '../../../lambda/handlers/relayDependencies';
import { createIngressHandler } from '../../../lambda/handlers/ingress';
import { createRelayHandler } from '../../../lambda/handlers/relay';
import type { IngressDependencies } from '../../../lambda/ingress/acceptWebhook';
import { SqsDeliveryQueue } from '../../../lambda/ingress/DeliveryQueue';
import type { WebhookRequest } from '../../../lambda/providers/types';
import type { RelayDependencies } from '../../../lambda/relay/RelayDependencies';
import { loadConfig } from '../../../lambda/config/loadConfig';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { ApiGatewayServer } from '../../../local/ApiGatewayServer';
import { lambdaContext } from '../../../local/lambdaContext';
import { type LocalQueues, type LocalTable, startLocalQueues, startLocalTable } from '../../../local/localAws';
import { SqsEventSourceMapping } from '../../../local/SqsEventSourceMapping';
import { apiGatewayEvent } from '../../support/apiGatewayEvent';
import { captureOutput } from '../../support/captureOutput';
import { fakeIngressDependencies } from '../../support/fakeIngressDependencies';
import { InMemorySecretStore } from '../../support/InMemorySecretStore';
import { RecordingMetrics } from '../../support/recordingObservability';
import { PIPELINES, REFRESH_TOKEN, startSimulator } from '../../support/simulatorFixture';
import { until } from '../../support/until';
import { TEST_SECRET, fixture, fixtureJson, signed, withHeaders } from '../../support/webhookFixtures';

const SHA256 = { header: 'x-hub-signature-256', algorithm: 'sha256', prefix: 'sha256=' };

let sqs: LocalQueues;
let dynamo: LocalTable;
let simulator: CodeStreamSimulator;
let printed: string[];
let ingress: ReturnType<typeof createIngressHandler>;
let mapping: SqsEventSourceMapping;
let configFile: string;

const secrets = new InMemorySecretStore({ 'webhooks/github': TEST_SECRET, 'codestream/relay': JSON.stringify({ refreshToken: REFRESH_TOKEN }) });

function config(url: string): string {
  return `codestream: { url: "${url}", auth: refreshToken, secret: codestream/relay }
sources:
  github: { provider: github, secrets: [webhooks/github] }
  ecr: { provider: aws-ecr, secrets: [] }
rules:
  - { name: deploy-image, when: { sources: [ecr], events: [artifact_push] }, pipeline: { id: ${PIPELINES.build.id} } }
  - { name: build, when: { events: [push] }, pipeline: { id: ${PIPELINES.build.id} } }
  - { name: audit, when: { events: [push], expression: 'event.git.branch == "audited"' }, pipeline: { project: demo, name: build } }
  - { name: release, when: { events: [tag] }, pipeline: { id: ${PIPELINES.restricted.id} } }
  - { name: review, when: { events: [pull_request] }, pipeline: { id: no-such-pipeline } }
  - { name: retired, when: { events: [create] }, pipeline: { id: ${PIPELINES.disabled.id} } }
  - { name: needs-tag, when: { events: [delete] }, pipeline: { id: ${PIPELINES.build.id} }, input: { TAG: "\${event.git.after}" } }
`;
}

const quietLogger = () => new Logger({ serviceName: 'relay-test', logLevel: 'DEBUG' });

function ingressDependencies(overrides: Partial<IngressDependencies> = {}): IngressDependencies {
  return fakeIngressDependencies({
    sources: loadConfig(configFile).config.sources,
    secrets,
    queue: new SqsDeliveryQueue(sqs.client, sqs.queueUrl),
    logger: quietLogger(),
    ...overrides,
  });
}

async function send(request: WebhookRequest, source = 'github', overrides?: Partial<IngressDependencies>) {
  const handler = overrides ? createIngressHandler(() => ingressDependencies(overrides)) : ingress;
  const result = await handler(apiGatewayEvent({ source, ...request }), lambdaContext({ functionName: 'ingress', timeoutMs: 10_000 }));
  return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
}

async function deadLetters(): Promise<Message[]> {
  const found: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: sqs.dlqUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return found;
    found.push(...Messages);
  }
}

function attributes(message: Message): Record<string, string> {
  return Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? '']));
}

/** A delivery of the GitHub push fixture, with its own delivery id and body. */
/** A push of its own: the body differs per delivery, as real pushes do (the same body under a new id is a replay). */
function push(deliveryId: string, branch = 'master'): WebhookRequest {
  const body = Buffer.from(JSON.stringify({ ...fixtureJson('github/push.branch-created'), ref: `refs/heads/${branch}`, test_delivery: deliveryId }));
  return withHeaders(signed(fixture('github/push.branch-created'), body, TEST_SECRET, SHA256), { 'x-github-delivery': deliveryId });
}

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  [sqs, dynamo, simulator] = await Promise.all([startLocalQueues({ maxReceiveCount: 10 }), startLocalTable(), startSimulator()]);
  configFile = path.join(mkdtempSync(path.join(tmpdir(), 'relay-')), 'relay.config.yaml');
  writeFileSync(configFile, config(simulator.url));
  ingress = createIngressHandler(() => ingressDependencies());
  const relay = createRelayHandler((): RelayDependencies => {
    const built = relayDependencies(
      {
        QUEUE_URL: sqs.queueUrl,
        DEAD_LETTER_QUEUE_URL: sqs.dlqUrl,
        IDEMPOTENCY_TABLE: dynamo.tableName,
        MAX_RECEIVE_COUNT: '4',
        RETRY_BASE_SECONDS: '1',
        RETRY_MAX_SECONDS: '1',
        CODESTREAM_TIMEOUT_MS: '1000',
        FUNCTION_TIMEOUT_MS: '15000',
        IDEMPOTENCY_LEASE_MS: '20000',
        UNCERTAIN_SETTLE_MS: '1500',
      },
      { sqs: sqs.client, dynamodb: dynamo.client, secrets, config: loadConfig(configFile).config },
    );
    return { ...built, logger: quietLogger(), policy: { ...built.policy, invocationBaseDelayMs: 20, invocationMaxDelayMs: 50 } };
  });
  mapping = new SqsEventSourceMapping({ client: sqs.client, queueUrl: sqs.queueUrl, queueArn: sqs.queueArn, handler: relay, functionTimeoutMs: 15_000 });
});

afterAll(async () => {
  await Promise.all([sqs?.stop(), dynamo?.stop(), simulator?.stop()]);
  delete process.env.POWERTOOLS_METRICS_DISABLED;
});

beforeEach(() => {
  simulator.setFaults({});
  printed = captureOutput();
});

afterEach(async () => {
  jest.restoreAllMocks();
  await deadLetters();
});

const executionsWith = (deliveryId: string) => simulator.executions.filter((execution) => execution.tags.includes(`delivery:${deliveryId}`));

describe('ingress', () => {
  it('answers 202 with the delivery id only once the delivery is on the queue', async () => {
    expect(await send(push('ingress-202'))).toEqual({ status: 202, body: { deliveryId: 'ingress-202' } });
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 1, VisibilityTimeout: 0 }),
    );
    const queued = Messages.find((message) => attributes(message).deliveryId === 'ingress-202');
    expect(attributes(queued!)).toEqual({ deliveryId: 'ingress-202', source: 'github', provider: 'github', eventKind: 'push' });
    expect(JSON.parse(queued!.Body!)).toMatchObject({ version: 1, source: 'github', deliveryId: 'ingress-202', eventKind: 'push' });
    await mapping.drain(15_000);
  });

  it('answers 503 when the delivery cannot be queued, so the sender retries', async () => {
    const broken = new SqsDeliveryQueue(sqs.client, `${sqs.queueUrl}-missing`);
    expect(await send(push('ingress-503'), 'github', { queue: broken })).toEqual({
      status: 503,
      body: { error: 'queue_unavailable', message: 'the delivery could not be queued; retry it' },
    });
  });

  it('answers 401, 404, 413, 400, 200 for a ping, and 503 when secrets cannot be read', async () => {
    const wrongSignature = withHeaders(push('x'), { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` });
    expect(await send(wrongSignature)).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
    expect(await send(withHeaders(push('x'), { 'x-hub-signature-256': undefined, 'x-hub-signature': undefined }))).toMatchObject({
      status: 401,
      body: { error: 'missing_signature' },
    });
    expect(await send(push('x'), 'svn')).toEqual({ status: 404, body: { error: 'unknown_source', message: 'no webhook source is named "svn"' } });
    expect(await send(push('x'), 'github', { maxBodyBytes: 100 })).toMatchObject({ status: 413, body: { error: 'body_too_large' } });
    const notJson = signed(fixture('github/push.tag'), Buffer.from('{"ref": '), TEST_SECRET, SHA256);
    expect(await send(notJson)).toMatchObject({ status: 400, body: { error: 'malformed_body' } });
    expect(await send(fixture('github/ping'))).toEqual({ status: 200, body: { deliveryId: '5320b1b9-66fb-4639-ac08-6e11c0df7adc', ping: true } });
    expect(await send(push('x'), 'github', { secrets: new InMemorySecretStore({}) })).toMatchObject({ status: 503, body: { error: 'secrets_unavailable' } });
  });

  it('over loopback HTTP, logs one line per refusal and counts it, with nothing of the request but its size', async () => {
    const metrics = new RecordingMetrics();
    const api = new ApiGatewayServer(createIngressHandler(() => ingressDependencies({ metrics })), () => true);
    const url = await api.listen(0);
    const forged = withHeaders(push('loopback-401'), { 'x-hub-signature-256': `sha256=${'2'.repeat(64)}` });
    const longName = `${'n'.repeat(64)}${'o'.repeat(200)}`;
    try {
      for (const [path, status] of [['github', 401], [longName, 404]] as const) {
        const answer = await fetch(`${url}/hooks/${path}`, { method: 'POST', headers: forged.headers, body: forged.body });
        expect(answer.status).toBe(status);
      }
    } finally {
      await api.close();
    }

    const lines = printed.filter((text) => text.includes('"Delivery refused"')).map((text) => JSON.parse(text) as Record<string, unknown>);
    const bodyBytes = forged.body.length;
    expect(lines).toEqual([
      expect.objectContaining({ level: 'WARN', source: 'github', provider: 'github', status: 401, error: 'invalid_signature', bodyBytes, reason: expect.any(String) }),
      expect.objectContaining({ level: 'WARN', source: `${'n'.repeat(64)}…`, status: 404, error: 'unknown_source', bodyBytes }),
    ]);
    expect(lines.map((line) => line.deliveryId)).toEqual([undefined, undefined]);
    expect(metrics.points).toEqual([
      { name: 'refused', unit: 'Count', value: 1, dimensions: { source: 'github', error: 'invalid_signature' } },
      { name: 'refused', unit: 'Count', value: 1, dimensions: { source: '(unknown)', error: 'unknown_source' } },
    ]);
    const everything = printed.join('');
    for (const held of [TEST_SECRET, forged.headers['x-hub-signature-256'], forged.headers['user-agent'], forged.body.toString('utf8').slice(0, 40), 'o'.repeat(200)]) {
      expect(everything).not.toContain(held);
    }
  });
});

describe('relay', () => {
  it('created: starts the execution, stamped with the delivery id', async () => {
    await send(push('created-1'));
    await mapping.drain(15_000);
    expect(executionsWith('created-1')).toEqual([
      expect.objectContaining({
        pipelineId: PIPELINES.build.id,
        tags: ['delivery:created-1', 'rule:build'],
        input: expect.objectContaining({ GIT_BRANCH_NAME: 'master' }),
      }),
    ]);
  });

  it('a 503 storm ends in success, retried in the invocation and back on the queue', async () => {
    simulator.setFaults({ script: [503, 503, 503, 503].map((status) => ({ kind: 'status' as const, status, retryAfter: '0' })) });
    await send(push('storm-1'));
    const started = Date.now();
    await mapping.drain(20_000);
    expect(executionsWith('storm-1')).toHaveLength(1);
    expect(simulator.requests.filter((request) => request.fault === 'status').length).toBe(4);
    // Three tries in the first invocation; the record came back after its visibility delay.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await deadLetters()).toEqual([]);
  }, 30_000);

  it('retries exhausted: the record goes to the DLQ with the last failure’s reason', async () => {
    simulator.setFaults({ script: Array.from({ length: 30 }, () => ({ kind: 'status' as const, status: 502 })) });
    await send(push('exhausted-1'));
    await mapping.drain(25_000);
    const [dead, ...more] = await deadLetters();
    expect(more).toEqual([]);
    expect(JSON.parse(dead!.Body!)).toMatchObject({ deliveryId: 'exhausted-1' });
    expect(attributes(dead!)).toMatchObject({
      deliveryId: 'exhausted-1',
      outcome: 'retryable',
      status: '502',
      rule: 'build',
      pipeline: `id:${PIPELINES.build.id}`,
      reason: expect.stringMatching(/^retries exhausted after \d+ receives: Code Stream answered 502 for pipeline /),
      snippet: '{"message":"simulated 502"}',
    });
    expect(Number(attributes(dead!).attempts)).toBeGreaterThanOrEqual(4);
    expect(Date.parse(attributes(dead!).lastAttemptAt!)).toBeGreaterThan(Date.parse(attributes(dead!).firstAttemptAt!));
    expect(executionsWith('exhausted-1')).toEqual([]);
  }, 40_000);

  it('a call that timed out after Code Stream started the execution is not repeated', async () => {
    // The client gives up after 1 s; the simulator still creates the execution, as a real server would.
    simulator.setFaults({ script: [{ kind: 'slow', delayMs: 1_500 }] });
    await send(push('timeout-1'));
    await mapping.drain(15_000);
    // Once the simulator has answered every call, no execution can still appear.
    await until(() => simulator.requests.every((request) => request.status !== undefined));
    expect(executionsWith('timeout-1')).toHaveLength(1);
    expect(simulator.requests.filter((request) => request.endpoint === 'executions.list' && request.pipelineId === PIPELINES.build.id).length).toBeGreaterThanOrEqual(1);
    expect(await deadLetters()).toEqual([]);
  });

  it('401 → one token renewal → success', async () => {
    simulator.setFaults({ script: [{ kind: 'status', status: 401 }] });
    await send(push('renewed-1'));
    await mapping.drain(15_000);
    expect(executionsWith('renewed-1')).toHaveLength(1);
  });

  it('401 twice → DLQ at once, no retry', async () => {
    simulator.setFaults({ script: [{ kind: 'status', status: 401 }, { kind: 'status', status: 401 }] });
    const before = simulator.count('execute.byId');
    await send(push('unauthorized-1'));
    await mapping.drain(15_000);
    expect(simulator.count('execute.byId') - before).toBe(2);
    const [dead] = await deadLetters();
    expect(attributes(dead!)).toMatchObject({ deliveryId: 'unauthorized-1', outcome: 'unauthorized', status: '401', attempts: '1', rule: 'build' });
  });

  it.each([
    ['403 → forbidden', 'github/push.tag', 'release', 'forbidden', '403'],
    ['404 → not found', 'github/pull_request.opened', 'review', 'notFound', '404'],
    ['400 → rejected', 'github/create.branch', 'retired', 'rejected', '400'],
  ])('%s: DLQ at once with the reason', async (_name, fixtureName, rule, outcome, status) => {
    const before = simulator.count('execute.byId');
    const deliveryId = fixture(fixtureName).headers['x-github-delivery']!;
    await send(fixture(fixtureName));
    await mapping.drain(15_000);
    expect(simulator.count('execute.byId') - before).toBe(1);
    const [dead, ...more] = await deadLetters();
    expect(more).toEqual([]);
    expect(attributes(dead!)).toMatchObject({ deliveryId, outcome, status, rule, attempts: '1', reason: expect.any(String), snippet: expect.any(String) });
  });

  it('a template that needs a missing field dead-letters that rule as rejected, without calling Code Stream', async () => {
    const before = simulator.count('execute.byId');
    await send(fixture('github/delete.tag'));
    await mapping.drain(15_000);
    expect(simulator.count('execute.byId')).toBe(before);
    const [dead] = await deadLetters();
    expect(attributes(dead!)).toMatchObject({ outcome: 'rejected', rule: 'needs-tag', reason: expect.stringContaining('${event.git.after} has no value') });
  });

  it('a duplicate delivery and a redriven message create no second execution', async () => {
    await send(push('duplicate-1'));
    const { Messages = [] } = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl, WaitTimeSeconds: 1, VisibilityTimeout: 0 }));
    const queued = Messages.find((message) => message.Body?.includes('"deliveryId":"duplicate-1"'));
    await send(push('duplicate-1'));
    await mapping.drain(15_000);
    expect(executionsWith('duplicate-1')).toHaveLength(1);
    // As if the record had crashed the function after Code Stream answered, and an operator redrove it.
    await sqs.client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: queued!.Body! }));
    await mapping.drain(15_000);
    expect(executionsWith('duplicate-1')).toHaveLength(1);
    expect(await deadLetters()).toEqual([]);
  });

  it('a redrive after one rule succeeded and another failed re-runs only the failed one', async () => {
    // "audit" starts demo/build by name, which the script below refuses once with 403.
    simulator.setFaults({ script: [{ kind: 'pass' }, { kind: 'status', status: 403 }] });
    await send(push('partial-1', 'audited'));
    await mapping.drain(15_000);
    expect(executionsWith('partial-1')).toHaveLength(1);
    const [dead] = await deadLetters();
    expect(attributes(dead!)).toMatchObject({ deliveryId: 'partial-1', rule: 'audit', outcome: 'forbidden' });
    // The operator fixed the cause and redrives the record unchanged.
    await sqs.client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: dead!.Body! }));
    await mapping.drain(15_000);
    expect(executionsWith('partial-1').map((execution) => execution.tags)).toEqual([
      ['delivery:partial-1', 'rule:build'],
      ['delivery:partial-1', 'rule:audit'],
    ]);
  });

  it('one poisoned record does not fail its batch neighbours', async () => {
    await sqs.client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: 'not a relay message' }));
    await send(push('neighbour-1'));
    await mapping.drain(15_000);
    expect(executionsWith('neighbour-1')).toHaveLength(1);
    const dead = await deadLetters();
    expect(dead.map((message) => [message.Body, attributes(message).outcome])).toEqual([['not a relay message', 'malformed']]);
  });
});

describe('other ways in and out', () => {
  it('relays an ECR event that an EventBridge rule put straight on the queue', async () => {
    const event = fixtureJson('aws-ecr/image-action.push');
    await sqs.client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: JSON.stringify(event) }));
    await mapping.drain(15_000);
    expect(executionsWith(String(event.id))).toEqual([
      expect.objectContaining({ tags: [`delivery:${String(event.id)}`, 'rule:deploy-image'], input: expect.objectContaining({ DOCKER_IMAGE_TAG: 'latest' }) }),
    ]);
  });

  it('logs why a delivery matched no rule', async () => {
    await send(withHeaders(push('unmatched-1'), { 'x-github-event': 'issues' }));
    await mapping.drain(15_000);
    const line = printed.find((text) => text.includes('"No rule matched"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      deliveryId: 'unmatched-1',
      source: 'github',
      eventKind: 'other',
      reasons: { build: 'when.events: event kind "other" is not one of push', 'deploy-image': 'when.sources: source "github" is not one of ecr' },
    });
  });
});

describe('secrets', () => {
  it('appear in no log line and no dead-letter record', async () => {
    simulator.setFaults({ script: [{ kind: 'status', status: 401 }, { kind: 'status', status: 401 }] });
    await send(push('secrets-1'));
    await send(withHeaders(push('secrets-2'), { 'x-hub-signature-256': `sha256=${'1'.repeat(64)}` }));
    await mapping.drain(15_000);
    const dead = await deadLetters();
    expect(dead).toHaveLength(1);
    expect(printed.join('')).toContain('secrets-1');
    const everything = [...printed, ...dead.map((message) => JSON.stringify(message))].join('\n');
    expect(everything).not.toContain(TEST_SECRET);
    expect(everything).not.toContain(REFRESH_TOKEN);
    expect(everything).not.toContain(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url'));
  });
});

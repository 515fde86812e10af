import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../lambda/config/loadConfig';
import { ingressDependencies } from '../../../lambda/handlers/ingressDependencies';
import { relayDependencies } from '../../../lambda/handlers/relayDependencies';
import { createIngressHandler } from '../../../lambda/handlers/ingress';
import { createRelayHandler } from '../../../lambda/handlers/relay';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { lambdaContext } from '../../../local/lambdaContext';
import { type LocalQueues, type LocalTable, startLocalQueues, startLocalTable } from '../../../local/localAws';
import { SqsEventSourceMapping } from '../../../local/SqsEventSourceMapping';
import { apiGatewayEvent } from '../../support/apiGatewayEvent';
import { InMemorySecretStore } from '../../support/InMemorySecretStore';
import { PIPELINES, REFRESH_TOKEN, startSimulator } from '../../support/simulatorFixture';
import { until } from '../../support/until';
import { TEST_SECRET, fixture, signed } from '../../support/webhookFixtures';

/** A subsegment as the X-Ray SDK sends it to the daemon. */
interface Subsegment {
  name: string;
  namespace?: string;
  aws?: { operation?: string };
  http?: { request?: { url?: string } };
  subsegments?: Subsegment[];
}

const daemon = createSocket('udp4');
const documents: Subsegment[] = [];
let sqs: LocalQueues;
let dynamo: LocalTable;
let simulator: CodeStreamSimulator;
let configFile: string;

const secrets = new InMemorySecretStore({ 'webhooks/github': TEST_SECRET, 'codestream/relay': JSON.stringify({ refreshToken: REFRESH_TOKEN }) });

beforeAll(async () => {
  // What Lambda sets for a function with active tracing, and the daemon it sends segments to.
  daemon.on('message', (message) => {
    const [, json] = message.toString('utf8').split('\n', 2);
    if (json) documents.push(JSON.parse(json) as Subsegment);
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    POWERTOOLS_TRACE_ENABLED: 'true',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    LAMBDA_TASK_ROOT: '/var/task',
    _HANDLER: 'index.handler',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  });
  [sqs, dynamo, simulator] = await Promise.all([startLocalQueues(), startLocalTable(), startSimulator()]);
  configFile = path.join(mkdtempSync(path.join(tmpdir(), 'relay-tracing-')), 'relay.config.yaml');
  writeFileSync(
    configFile,
    `codestream: { url: "${simulator.url}", auth: refreshToken, secret: codestream/relay }
sources: { github: { provider: github, secrets: [webhooks/github] } }
rules: [{ name: build, when: { events: [push] }, pipeline: { id: ${PIPELINES.build.id} } }]
`,
  );
});

afterAll(async () => {
  for (const name of ['POWERTOOLS_TRACE_ENABLED', 'POWERTOOLS_METRICS_DISABLED', 'AWS_EXECUTION_ENV', 'LAMBDA_TASK_ROOT', '_HANDLER', 'AWS_XRAY_DAEMON_ADDRESS', 'AWS_XRAY_CONTEXT_MISSING', '_X_AMZN_TRACE_ID']) {
    delete process.env[name];
  }
  daemon.close();
  await Promise.all([sqs.stop(), dynamo.stop(), simulator.stop()]);
});

const flatten = (list: Subsegment[]): Subsegment[] => list.flatMap((document) => [document, ...flatten(document.subsegments ?? [])]);

it('with tracing on, the AWS SDK calls and the Code Stream calls are subsegments of the handlers', async () => {
  const env = { QUEUE_URL: sqs.queueUrl, DEAD_LETTER_QUEUE_URL: sqs.dlqUrl, IDEMPOTENCY_TABLE: dynamo.tableName };
  const overrides = { sqs: sqs.client, dynamodb: dynamo.client, secrets, config: loadConfig(configFile).config, withoutMetrics: true };
  const ingress = createIngressHandler(() => ingressDependencies(env, overrides), { publishMetrics: false });
  const relay = createRelayHandler(() => relayDependencies(env, overrides), { publishMetrics: false });
  const request = signed(fixture('github/push.branch-created'), fixture('github/push.branch-created').body, TEST_SECRET, {
    header: 'x-hub-signature-256',
    algorithm: 'sha256',
    prefix: 'sha256=',
  });

  expect((await ingress(apiGatewayEvent({ source: 'github', ...request }), lambdaContext({ functionName: 'ingress', timeoutMs: 20_000 }))).statusCode).toBe(202);
  const mapping = new SqsEventSourceMapping({ client: sqs.client, queueUrl: sqs.queueUrl, queueArn: sqs.queueArn, handler: relay, waitTimeSeconds: 0 });
  await until(async () => (await mapping.pollOnce()).received > 0);
  expect(simulator.executions).toHaveLength(1);

  await until(() => {
    const names = flatten(documents).map((document) => document.name);
    return ['SQS', 'DynamoDB', '127.0.0.1'].every((name) => names.includes(name));
  }, 10_000, () => JSON.stringify(documents, null, 1).slice(0, 4000));
  const subsegments = flatten(documents);
  expect(subsegments.filter((document) => document.name === 'SQS').map((document) => document.aws?.operation)).toContain('SendMessage');
  expect(subsegments.filter((document) => document.name === 'DynamoDB').map((document) => document.aws?.operation)).toContain('UpdateItem');
  // The X-Ray SDK names a remote call by its host, and records its URL without the port.
  const codeStreamCalls = subsegments.filter((document) => document.name === '127.0.0.1' && document.namespace === 'remote');
  expect(codeStreamCalls.map((document) => new URL(document.http?.request?.url ?? '').pathname)).toEqual(
    expect.arrayContaining(['/iaas/api/login', `/codestream/api/pipelines/${PIPELINES.build.id}/executions`]),
  );
  expect(subsegments.map((document) => document.name)).toContain('## index.handler');
}, 30_000);

import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { LocalRelay } from '../../../local/LocalRelay';
import { readLocalState } from '../../../local/LocalState';
import { PIPELINES, REFRESH_TOKEN, startSimulator } from '../../support/simulatorFixture';
import { type TestCertificates, createTestCertificates } from '../../support/testCertificates';
import { startProxy } from '../../support/testProxy';
import { until } from '../../support/until';

const ROOT = path.join(__dirname, '../../..');
const BODY = readFileSync(path.join(ROOT, 'test/fixtures/webhooks/github/push.branch-created.json'));
const WEBHOOK_SECRET = 'company-network-test-secret';

let certificates: TestCertificates;
let simulator: CodeStreamSimulator;
let dir: string;
let relay: LocalRelay | undefined;
const printed: string[] = [];

beforeAll(async () => {
  certificates = createTestCertificates();
  simulator = await startSimulator({ tls: certificates.server });
});

afterAll(async () => {
  await simulator.stop();
  certificates.remove();
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'relay-network-'));
  writeFileSync(path.join(dir, 'secrets.json'), JSON.stringify({ 'codestream/relay': { refreshToken: REFRESH_TOKEN }, 'webhooks/github': WEBHOOK_SECRET }));
  writeFileSync(path.join(dir, 'company-ca.pem'), certificates.caCertificate);
  printed.length = 0;
});

afterEach(async () => {
  await relay?.stop();
  relay = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Local mode, in this process, against the HTTPS simulator: CODESTREAM_URL=https://… as a user sets it. */
async function startRelay(codestream: string): Promise<string> {
  const configFile = path.join(dir, 'relay.config.yaml');
  writeFileSync(
    configFile,
    `codestream: { url: "https://vra.corp.example", auth: refreshToken, secret: codestream/relay${codestream} }
sources:
  github: { provider: github, secrets: [webhooks/github] }
rules:
  - { name: build, when: { events: [push] }, pipeline: { id: ${PIPELINES.build.id} } }
`,
  );
  relay = new LocalRelay({
    port: 0,
    configFile,
    secretsFile: path.join(dir, 'secrets.json'),
    stateDir: path.join(dir, 'state'),
    codestreamUrl: simulator.url,
    env: { MAX_RECEIVE_COUNT: '3', RETRY_BASE_SECONDS: '1', RETRY_MAX_SECONDS: '1' },
    drainMs: 0,
    print: (line) => printed.push(line),
  });
  return (await relay.start()).url;
}

async function push(url: string, deliveryId: string): Promise<number> {
  const response = await fetch(`${url}/hooks/github`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': deliveryId,
      'X-Hub-Signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(BODY).digest('hex')}`,
    },
    body: BODY,
  });
  return response.status;
}

async function deadLetters(): Promise<Message[]> {
  const state = readLocalState(path.join(dir, 'state'));
  const sqs = new SQSClient({ region: state.region, endpoint: state.sqsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: state.deadLetterQueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 0, WaitTimeSeconds: 0 }),
    );
    return Messages;
  } finally {
    sqs.destroy();
  }
}

const executionsOf = (deliveryId: string) => simulator.executions.filter((execution) => execution.tags.includes(`delivery:${deliveryId}`));

it('without the CA in the config: dead-lettered at once as tls, with the reason, and never retried', async () => {
  const url = await startRelay('');
  expect(await push(url, 'untrusted-1')).toBe(202);

  let dead: Message[] = [];
  await until(async () => (dead = await deadLetters()).length > 0, 20_000, () => printed.join('\n'));
  const attributes = Object.fromEntries(Object.entries(dead[0]?.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]));
  expect(attributes).toMatchObject({ deliveryId: 'untrusted-1', outcome: 'tls', rule: 'build', attempts: '1' });
  expect(attributes.reason).toMatch(/^Code Stream's certificate is not trusted \(self-signed certificate in certificate chain; .*\): add its CA to codestream\.caCertificates$/);
  expect(printed.filter((line) => line.includes('Retrying later'))).toEqual([]);
  expect(executionsOf('untrusted-1')).toEqual([]);
}, 30_000);

it('with the CA file named in the config: the execution is created over HTTPS', async () => {
  const url = await startRelay(', caCertificates: ./company-ca.pem');
  expect(await push(url, 'trusted-1')).toBe(202);

  await until(() => executionsOf('trusted-1').length === 1, 20_000, () => printed.join('\n'));
  expect(await deadLetters()).toEqual([]);
});

it('through the proxy of codestream.proxy: the proxy tunnels, the simulator is called, the CA trusted inside', async () => {
  const proxy = await startProxy();
  try {
    const url = await startRelay(`, caCertificates: [./company-ca.pem], proxy: "${proxy.url}"`);
    expect(await push(url, 'proxied-1')).toBe(202);

    await until(() => executionsOf('proxied-1').length === 1, 20_000, () => printed.join('\n'));
    expect(proxy.connects).toContain(new URL(simulator.url).host);
  } finally {
    await proxy.stop();
  }
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import type { LocalRelay } from '../../../local/LocalRelay';
import { readLocalState } from '../../../local/LocalState';
import { inProcessRelay, pushTo } from '../../support/inProcessRelay';
import { PIPELINES, startSimulator } from '../../support/simulatorFixture';
import { type TestCertificates, createTestCertificates } from '../../support/testCertificates';
import { startProxy } from '../../support/testProxy';
import { until } from '../../support/until';

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
  relay = inProcessRelay({
    dir,
    codestreamUrl: simulator.url,
    webhookSecret: WEBHOOK_SECRET,
    codestream,
    rules: `  - { name: build, when: { events: [push] }, pipeline: { id: ${PIPELINES.build.id} } }`,
    print: (line) => printed.push(line),
  });
  return (await relay.start()).url;
}

const push = (url: string, deliveryId: string) => pushTo(url, { deliveryId, secret: WEBHOOK_SECRET });

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

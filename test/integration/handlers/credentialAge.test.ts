import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../lambda/config/loadConfig';
import { relayDependencies } from '../../../lambda/handlers/relayDependencies';
import { metrics } from '../../../lambda/handlers/observability';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { captureOutput } from '../../support/captureOutput';
import { InMemorySecretStore } from '../../support/InMemorySecretStore';
import { PIPELINES, REFRESH_TOKEN, startSimulator } from '../../support/simulatorFixture';

const DAY_SECONDS = 86_400;
let simulator: CodeStreamSimulator;

beforeAll(async () => {
  simulator = await startSimulator();
});

afterAll(async () => simulator.stop());

it("publishes the Code Stream credential's age at each login, in seconds, for the rotation alarm", async () => {
  const configFile = path.join(mkdtempSync(path.join(tmpdir(), 'relay-age-')), 'relay.config.yaml');
  writeFileSync(configFile, `codestream: { url: "${simulator.url}", auth: refreshToken, secret: codestream/relay }\nsources: {}\nrules: []\n`);
  const createdAt = new Date(Date.now() - 83 * DAY_SECONDS * 1000);
  const secrets = new InMemorySecretStore({ 'codestream/relay': { value: JSON.stringify({ refreshToken: REFRESH_TOKEN }), createdAt } });
  const env = { QUEUE_URL: 'http://127.0.0.1:9/q', DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:9/dlq', IDEMPOTENCY_TABLE: 't' };
  const { codestream } = relayDependencies(env, { secrets, config: loadConfig(configFile).config });

  expect(await codestream.execute({ id: PIPELINES.build.id }, { comments: 'push' })).toMatchObject({ kind: 'created' });
  const printed = captureOutput();
  metrics.publishStoredMetrics();
  jest.restoreAllMocks();

  const emf = printed.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => 'codeStreamCredentialAge' in line);
  expect(emf?._aws).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'CodeStreamRelay', Metrics: [{ Name: 'codeStreamCredentialAge', Unit: 'Seconds' }] }] });
  expect(emf?.codeStreamCredentialAge).toBeGreaterThanOrEqual(83 * DAY_SECONDS);
  expect(emf?.codeStreamCredentialAge).toBeLessThan(83 * DAY_SECONDS + 60);
  expect(emf?.service).toBe('codestream-relay');
});

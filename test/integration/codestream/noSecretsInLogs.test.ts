import { Logger } from '@aws-lambda-powertools/logger';
import { CodeStreamClient, type CodeStreamClientOptions } from '../../../lambda/codestream/CodeStreamClient';
import { SecretCredentials } from '../../../lambda/codestream/SecretCredentials';
import { SecretsManagerSecretStore } from '../../../lambda/secrets/SecretsManagerSecretStore';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { captureOutput } from '../../support/captureOutput';
import { SecretsManagerStub } from '../../support/SecretsManagerStub';
import { API_TOKEN, PIPELINES, REFRESH_TOKEN, fixedCredentials, startSimulator } from '../../support/simulatorFixture';

// Every bearer token the simulator issues is a JWT that starts with this header.
const ISSUED_TOKEN_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const WRONG_REFRESH_TOKEN = 'wrong-refresh-token-c0ffee';
const BARE_SECRET = 'bare-secret-value-deadbeef';

let simulator: CodeStreamSimulator;
let secretsManager: SecretsManagerStub;
let printed: string[];

beforeEach(async () => {
  simulator = await startSimulator();
  secretsManager = new SecretsManagerStub();
  await secretsManager.start();
  printed = captureOutput();
});

afterEach(async () => {
  jest.restoreAllMocks();
  await simulator.stop();
  await secretsManager.stop();
});

function client(options: Partial<CodeStreamClientOptions>): CodeStreamClient {
  return new CodeStreamClient({
    baseUrl: simulator.url,
    auth: { flow: 'refreshToken' },
    credentials: fixedCredentials({ refreshToken: REFRESH_TOKEN, apiToken: API_TOKEN }),
    logger: new Logger({ serviceName: 'relay', logLevel: 'DEBUG' }),
    timeoutMs: 200,
    ...options,
  });
}

it('never prints or returns a credential or a bearer token, whatever the outcome', async () => {
  const outcomes = [];
  const build = { id: PIPELINES.build.id };
  const request = { input: { GIT_BRANCH_NAME: 'main' } };

  outcomes.push(await client({}).execute(build, request));
  const renewing = client({});
  outcomes.push(await renewing.execute(build, request));
  simulator.expireTokens();
  outcomes.push(await renewing.execute(build, request));
  simulator.setFaults({ script: [{ kind: 'status', status: 401 }, { kind: 'status', status: 401 }] });
  outcomes.push(await renewing.execute(build, request));
  simulator.setFaults({ script: [{ kind: 'status', status: 503, retryAfter: '2' }, { kind: 'reset' }, { kind: 'slow', delayMs: 1_000 }] });
  outcomes.push(await renewing.execute(build, request));
  outcomes.push(await renewing.execute(build, request));
  outcomes.push(await renewing.execute(build, request));
  outcomes.push(await renewing.execute({ id: PIPELINES.restricted.id }, request));
  outcomes.push(await client({ credentials: fixedCredentials({ refreshToken: WRONG_REFRESH_TOKEN }) }).execute(build, request));
  outcomes.push(
    await client({
      auth: { flow: 'apiToken', authorizeUrl: `${simulator.url}/csp/gateway/am/api/auth/api-tokens/authorize` },
    }).execute(build, request),
  );
  secretsManager.set('codestream/bare', { secretString: BARE_SECRET });
  outcomes.push(
    await client({
      credentials: new SecretCredentials(new SecretsManagerSecretStore({ client: secretsManager.client() }), 'codestream/bare'),
    }).execute(build, request),
  );

  expect(outcomes.map((outcome) => `${outcome.stage}:${outcome.kind}`)).toEqual([
    'execute:created',
    'execute:created',
    'execute:created',
    'execute:unauthorized',
    'execute:retryable',
    'execute:retryable',
    'execute:retryable',
    'execute:forbidden',
    'login:unauthorized',
    'execute:created',
    'credentials:unauthorized',
  ]);
  // The logger did print: the check below is not vacuous.
  expect(printed.join('')).toContain('Logged in to Aria Automation');
  const everything = [...printed, ...outcomes.map((outcome) => JSON.stringify(outcome))].join('\n');
  for (const secret of [REFRESH_TOKEN, API_TOKEN, WRONG_REFRESH_TOKEN, BARE_SECRET, ISSUED_TOKEN_HEADER]) {
    expect(everything).not.toContain(secret);
  }
  // Nor does the simulator's own record, which a person watching local mode reads.
  const recorded = JSON.stringify(simulator.requests);
  for (const secret of [REFRESH_TOKEN, API_TOKEN, WRONG_REFRESH_TOKEN, ISSUED_TOKEN_HEADER]) {
    expect(recorded).not.toContain(secret);
  }
});

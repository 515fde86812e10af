import { CodeStreamClient } from '../../../lambda/codestream/CodeStreamClient';
import { AuthenticationError } from '../../../lambda/codestream/errors';
import { SecretCredentials } from '../../../lambda/codestream/SecretCredentials';
import { SecretsManagerSecretStore } from '../../../lambda/secrets/SecretsManagerSecretStore';
import type { CodeStreamSimulator } from '../../../local/codestream-simulator/CodeStreamSimulator';
import { SecretsManagerStub } from '../../support/SecretsManagerStub';
import { API_TOKEN, PIPELINES, REFRESH_TOKEN, startSimulator } from '../../support/simulatorFixture';

const SECRET_ID = 'codestream/relay';
const REQUEST = { comments: 'tag v1.2.0', input: { GIT_BRANCH_NAME: 'main' } };

let secretsManager: SecretsManagerStub;
let simulator: CodeStreamSimulator;

beforeEach(async () => {
  secretsManager = new SecretsManagerStub();
  await secretsManager.start();
  simulator = await startSimulator();
});

afterEach(async () => {
  await secretsManager.stop();
  await simulator.stop();
});

function credentials(secretId = SECRET_ID): SecretCredentials {
  return new SecretCredentials(new SecretsManagerSecretStore({ client: secretsManager.client() }), secretId);
}

it('reads the refresh token through the real SDK and logs in with it', async () => {
  secretsManager.set(SECRET_ID, { secretString: JSON.stringify({ refreshToken: REFRESH_TOKEN }) });
  const client = new CodeStreamClient({ baseUrl: simulator.url, auth: { flow: 'refreshToken' }, credentials: credentials() });

  expect(await client.execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'created' });
  expect(secretsManager.reads).toEqual([SECRET_ID]);
});

it('reads the API token for the cloud flow from the same secret shape', async () => {
  secretsManager.set(SECRET_ID, { secretString: JSON.stringify({ apiToken: API_TOKEN }) });
  const client = new CodeStreamClient({
    baseUrl: simulator.url,
    auth: { flow: 'apiToken', authorizeUrl: `${simulator.url}/csp/gateway/am/api/auth/api-tokens/authorize` },
    credentials: credentials(),
  });
  expect(await client.execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'created' });
});

it("reports at each login when the credential's version was created, from Secrets Manager's CreatedDate", async () => {
  secretsManager.set(SECRET_ID, { secretString: JSON.stringify({ refreshToken: REFRESH_TOKEN }) });
  const logins: unknown[] = [];
  const client = new CodeStreamClient({
    baseUrl: simulator.url,
    auth: { flow: 'refreshToken' },
    credentials: credentials(),
    onLogin: (login) => logins.push(login),
  });

  expect(await client.execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'created' });
  expect(await client.execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'created' });
  // The stub's CreatedDate is the one of the AWS documentation's example answer: 1523477145.713.
  expect(logins).toEqual([{ flow: 'refreshToken', credentialCreatedAt: new Date(1_523_477_145_713) }]);
});

it('caches the secret: many reads within maxAge cost one call to Secrets Manager', async () => {
  secretsManager.set(SECRET_ID, { secretString: JSON.stringify({ refreshToken: REFRESH_TOKEN }) });
  const source = credentials();
  for (let read = 0; read < 5; read += 1) {
    await expect(source.credential('refreshToken', { fresh: false })).resolves.toMatchObject({ value: REFRESH_TOKEN });
  }
  expect(secretsManager.reads).toHaveLength(1);
  await source.credential('refreshToken', { fresh: true });
  expect(secretsManager.reads).toHaveLength(2);
});

it('picks up a rotated refresh token when Code Stream refuses the old one', async () => {
  secretsManager.set(SECRET_ID, { secretString: JSON.stringify({ refreshToken: REFRESH_TOKEN }) });
  const client = new CodeStreamClient({ baseUrl: simulator.url, auth: { flow: 'refreshToken' }, credentials: credentials() });
  await client.execute({ id: PIPELINES.build.id }, REQUEST);

  // The refresh token is rotated: the old one and the bearer tokens it gave stop working.
  const rotated = 'rotated-refresh-token-77a1';
  simulator.setUsers([{ name: 'relay', refreshToken: rotated }]);
  simulator.expireTokens();
  secretsManager.set(SECRET_ID, { secretString: JSON.stringify({ refreshToken: rotated }) });

  expect(await client.execute({ id: PIPELINES.build.id }, REQUEST)).toMatchObject({ kind: 'created' });
  expect(secretsManager.reads).toHaveLength(2);
});

it.each([
  ['not JSON', 'just-a-bare-token-9f8e', 'it is not JSON; expected {"refreshToken": "…"}'],
  ['a JSON array', '["x"]', 'it is not a JSON object'],
  ['missing the key', '{"apiToken":"at-1234"}', 'it has no non-empty string "refreshToken" (keys present: apiToken)'],
  ['an empty token', '{"refreshToken":""}', 'it has no non-empty string "refreshToken"'],
])('reports a secret that is %s as unauthorized, without its value', async (_case, secretString, problem) => {
  secretsManager.set(SECRET_ID, { secretString });
  const client = new CodeStreamClient({ baseUrl: simulator.url, auth: { flow: 'refreshToken' }, credentials: credentials() });

  const outcome = await client.execute({ id: PIPELINES.build.id }, REQUEST);

  expect(outcome).toMatchObject({ kind: 'unauthorized', stage: 'credentials' });
  expect(outcome.reason).toContain(`the Code Stream credentials secret "${SECRET_ID}" cannot be used: ${problem}`);
  expect(JSON.stringify(outcome)).not.toContain('just-a-bare-token-9f8e');
  expect(JSON.stringify(outcome)).not.toContain('at-1234');
  expect(simulator.requests).toHaveLength(0);
});

it('reports a missing secret as unauthorized: retrying cannot create it', async () => {
  const outcome = await new CodeStreamClient({
    baseUrl: simulator.url,
    auth: { flow: 'refreshToken' },
    credentials: credentials('codestream/missing'),
  }).execute({ id: PIPELINES.build.id }, REQUEST);
  expect(outcome).toMatchObject({ kind: 'unauthorized', stage: 'credentials' });
  expect(outcome.reason).toContain('could not read the secret "codestream/missing": ResourceNotFoundException');
});

it('reports a denied read as unauthorized', async () => {
  secretsManager.set(SECRET_ID, { status: 400, type: 'AccessDeniedException', message: 'not allowed to read it' });
  await expect(credentials().credential('refreshToken', { fresh: false })).rejects.toMatchObject({
    outcome: { kind: 'unauthorized', stage: 'credentials', reason: expect.stringContaining('AccessDeniedException') },
  });
});

it('reports a Secrets Manager fault as retryable', async () => {
  secretsManager.set(SECRET_ID, { status: 500, type: 'InternalServiceError', message: 'try again' });
  const error = await credentials()
    .credential('refreshToken', { fresh: false })
    .catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as AuthenticationError).outcome).toMatchObject({ kind: 'retryable', stage: 'credentials', cause: 'service' });
});

import { generateKeyPairSync, verify } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { CommitStatus, PostOutcome, ReportingProvider, StatusCredential, StatusTarget } from '../../../lambda/status/CommitStatus';
import { HttpStatusPoster, type HttpStatusPosterOptions } from '../../../lambda/status/HttpStatusPoster';
import { captureOutput } from '../../support/captureOutput';
import { GitStatusStub } from '../../support/GitStatusStub';
import { secretForms } from '../../support/secretEncodings';
import { type TestCertificates, createTestCertificates } from '../../support/testCertificates';
import { type TestProxy, startProxy } from '../../support/testProxy';

const SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const STATUS: CommitStatus = { state: 'pending', context: 'codestream/build', description: 'Code Stream demo/build: running', targetUrl: 'https://vra.example.com/codestream/#/executions/e-1' };
const TOKEN = 'tok3n-Sécret+/=value';
const PASSWORD = 'app-pa55word:with/colon';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const APP: StatusCredential = { kind: 'githubApp', appId: '123456', privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), installationId: '987' };

const REPOSITORIES: Record<ReportingProvider, string> = {
  github: 'acme/app',
  gitlab: 'platform/backend/app',
  'bitbucket-cloud': 'acme/app',
  'bitbucket-server': 'PLAT/app',
  gitea: 'acme/app',
  forgejo: 'acme/app',
};
const CREDENTIALS: Record<ReportingProvider, StatusCredential> = {
  github: { kind: 'token', token: TOKEN },
  gitlab: { kind: 'token', token: TOKEN },
  'bitbucket-cloud': { kind: 'basic', username: 'relay-bot', password: PASSWORD },
  'bitbucket-server': { kind: 'token', token: TOKEN },
  gitea: { kind: 'token', token: TOKEN },
  forgejo: { kind: 'token', token: TOKEN },
};
const PROVIDERS = Object.keys(REPOSITORIES) as ReportingProvider[];

let stub: GitStatusStub;
let certificates: TestCertificates | undefined;
let proxy: TestProxy | undefined;

afterEach(async () => {
  await stub?.stop();
  await proxy?.stop();
  proxy = undefined;
  certificates?.remove();
  certificates = undefined;
  for (const name of ['HTTPS_PROXY', 'NO_PROXY']) delete process.env[name];
});

function poster(options: HttpStatusPosterOptions = {}): HttpStatusPoster {
  return new HttpStatusPoster({ timeoutMs: 5_000, ...options });
}

function target(provider: ReportingProvider): StatusTarget {
  return { provider, apiUrl: stub.apiUrl(provider), repository: REPOSITORIES[provider], sha: SHA };
}

/** No form of any of the secrets in the texts. */
function expectNoSecrets(texts: readonly string[], secrets: readonly string[]): void {
  const joined = texts.join('\n');
  for (const secret of secrets) for (const form of secretForms(secret)) expect(joined).not.toContain(form);
}

const reasonOf = (outcome: PostOutcome) => ('reason' in outcome ? outcome.reason : '');

describe('each provider over loopback HTTP', () => {
  beforeEach(async () => {
    stub = await GitStatusStub.start();
  });

  it.each([
    ['github', 201, `/github/api/v3/repos/acme/app/statuses/${SHA}`, { authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'codestream-webhook-relay' }, { state: 'pending', context: 'codestream/build', description: STATUS.description, target_url: STATUS.targetUrl }],
    ['gitlab', 201, `/gitlab/api/v4/projects/platform%2Fbackend%2Fapp/statuses/${SHA}`, { 'private-token': TOKEN }, { state: 'running', name: 'codestream/build', description: STATUS.description, target_url: STATUS.targetUrl }],
    ['bitbucket-cloud', 201, `/bitbucket-cloud/2.0/repositories/acme/app/commit/${SHA}/statuses/build`, { authorization: `Basic ${Buffer.from(`relay-bot:${PASSWORD}`).toString('base64')}` }, { key: 'codestream/build', state: 'INPROGRESS', name: 'codestream/build', url: STATUS.targetUrl, description: STATUS.description }],
    ['bitbucket-server', 204, `/bitbucket-server/rest/api/latest/projects/PLAT/repos/app/commits/${SHA}/builds`, { authorization: `Bearer ${TOKEN}` }, { key: 'codestream/build', state: 'INPROGRESS', name: 'codestream/build', url: STATUS.targetUrl, description: STATUS.description }],
    ['gitea', 201, `/gitea/api/v1/repos/acme/app/statuses/${SHA}`, { authorization: `token ${TOKEN}` }, { state: 'pending', context: 'codestream/build', description: STATUS.description, target_url: STATUS.targetUrl }],
    ['forgejo', 201, `/forgejo/api/v1/repos/acme/app/statuses/${SHA}`, { authorization: `token ${TOKEN}` }, { state: 'pending', context: 'codestream/build', description: STATUS.description, target_url: STATUS.targetUrl }],
  ] as const)('%s: posted, the request as the provider documents it', async (provider, status, path, headers, body) => {
    expect(await poster().post(target(provider), STATUS, CREDENTIALS[provider])).toEqual({ kind: 'posted', status });
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]).toMatchObject({ route: provider, method: 'POST', path, headers: { ...headers, 'content-type': expect.stringMatching(/^application\/json/) }, body });
  });

  it.each(PROVIDERS)('%s: 500 twice is retry twice, then posted', async (provider) => {
    stub.script({ status: 500, times: 2 });
    const statusPoster = poster();
    const outcomes = [];
    for (let attempt = 0; attempt < 3; attempt += 1) outcomes.push(await statusPoster.post(target(provider), STATUS, CREDENTIALS[provider]));
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['retry', 'retry', 'posted']);
    expect(outcomes[0]).toMatchObject({ status: 500, reason: expect.stringMatching(/ answered 500 to the pending status of /) });
    expect(stub.requests).toHaveLength(3);
  });

  it.each(PROVIDERS)('%s: 429 with Retry-After is retry after that long', async (provider) => {
    stub.script({ status: 429, times: 1, headers: { 'Retry-After': '7' } });
    expect(await poster().post(target(provider), STATUS, CREDENTIALS[provider])).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 7_000 });
  });

  it.each(PROVIDERS)('%s: a reset connection is retry', async (provider) => {
    stub.script({ reset: true, times: 1 });
    const outcome = await poster().post(target(provider), STATUS, CREDENTIALS[provider]);
    expect(outcome).toMatchObject({ kind: 'retry' });
    expect(reasonOf(outcome)).toMatch(/^the connection to .+ failed with (ECONNRESET|EPIPE|ERR_BAD_RESPONSE) \(posting the pending status of /);
  });

  it('a server that is not listening is retry', async () => {
    const url = stub.apiUrl('gitea');
    await stub.stop();
    expect(await poster().post({ ...target('gitea'), apiUrl: url }, STATUS, CREDENTIALS.gitea)).toMatchObject({ kind: 'retry', reason: expect.stringContaining('ECONNREFUSED') });
    stub = await GitStatusStub.start();
  });

  it.each(PROVIDERS.flatMap((provider) => [401, 403, 404, 422].map((status) => [provider, status] as const)))('%s: %i is failed, with a reason and no credential in it', async (provider, status) => {
    // The server quotes the credential, as a careless one might, as sent, URL-encoded and in base64: the reason still holds none of it.
    const secret = provider === 'bitbucket-cloud' ? PASSWORD : TOKEN;
    stub.script({ status, times: 1, body: { message: `refused ${secret} ${encodeURIComponent(secret)} ${Buffer.from(secret).toString('base64')}` } });
    const outcome = await poster().post(target(provider), STATUS, CREDENTIALS[provider]);
    expect(outcome).toMatchObject({ kind: 'failed', status });
    expect(reasonOf(outcome)).toMatch(status === 422 ? / rejected the pending status of .+ with 422/ : new RegExp(` answered ${status}`));
    expect(reasonOf(outcome)).toContain('refused [redacted] [redacted] [redacted]');
    expectNoSecrets([reasonOf(outcome)], [TOKEN, PASSWORD]);
  });

  it('a status that GitLab already has (a retried post whose first try arrived) is posted', async () => {
    stub.script({ status: 400, times: 1, body: { message: 'Cannot transition status via :run from :running (Reason(s): Status cannot transition via "run")' } });
    expect(await poster().post(target('gitlab'), STATUS, CREDENTIALS.gitlab)).toEqual({ kind: 'posted', status: 400 });
  });

  it('a repository name of the wrong form is failed without a request', async () => {
    expect(await poster().post({ ...target('github'), repository: 'acme' }, STATUS, CREDENTIALS.github)).toMatchObject({ kind: 'failed', reason: expect.stringContaining('is not of the form owner/name') });
    expect(await poster().post(target('gitlab'), STATUS, APP)).toEqual({ kind: 'failed', reason: 'GitLab takes a token, and the secret holds a GitHub App' });
    expect(stub.requests).toEqual([]);
  });
});

describe('a GitHub App', () => {
  beforeEach(async () => {
    stub = await GitStatusStub.start();
  });

  it('exchanges a JWT the app’s public key verifies for an installation token, and posts with it', async () => {
    expect(await poster().post(target('github'), STATUS, APP)).toEqual({ kind: 'posted', status: 201 });
    const [exchange, post] = stub.requests;
    expect(exchange).toMatchObject({ route: 'github-installation-token', method: 'POST', path: '/github/api/v3/app/installations/987/access_tokens' });
    const jwt = String(exchange?.headers.authorization).replace(/^Bearer /, '');
    const [header, claims, signature] = jwt.split('.');
    expect(verify('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature ?? '', 'base64url'))).toBe(true);
    expect(JSON.parse(Buffer.from(claims ?? '', 'base64url').toString())).toMatchObject({ iss: 123456 });
    expect(post).toMatchObject({ route: 'github', headers: { authorization: `Bearer ${stub.issuedTokens[0]}` } });
  });

  it('keeps the installation token until shortly before it expires, then exchanges again', async () => {
    let now = Date.now();
    const statusPoster = poster({ now: () => now, renewBeforeMs: 5 * 60_000 });
    await statusPoster.post(target('github'), STATUS, APP);
    await statusPoster.post(target('github'), { ...STATUS, state: 'success' }, APP);
    expect(stub.requestsOf('github-installation-token')).toHaveLength(1);
    now += 56 * 60_000;
    await statusPoster.post(target('github'), STATUS, APP);
    expect(stub.requestsOf('github-installation-token')).toHaveLength(2);
    expect(stub.requestsOf('github').map((request) => request.headers.authorization)).toEqual([
      `Bearer ${stub.issuedTokens[0]}`,
      `Bearer ${stub.issuedTokens[0]}`,
      `Bearer ${stub.issuedTokens[1]}`,
    ]);
  });

  it('posts that find no token share one exchange', async () => {
    const statusPoster = poster();
    const outcomes = await Promise.all([1, 2, 3].map(() => statusPoster.post(target('github'), STATUS, APP)));
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['posted', 'posted', 'posted']);
    expect(stub.requestsOf('github-installation-token')).toHaveLength(1);
  });

  it('a token GitHub refuses (401) is dropped: one new exchange, one more post', async () => {
    const statusPoster = poster();
    await statusPoster.post(target('github'), STATUS, APP);
    stub.script({ route: 'github', status: 401, times: 1, body: { message: 'Bad credentials' } });
    expect(await statusPoster.post(target('github'), STATUS, APP)).toEqual({ kind: 'posted', status: 201 });
    expect(stub.requestsOf('github-installation-token')).toHaveLength(2);
    expect(stub.requestsOf('github').at(-1)?.headers.authorization).toBe(`Bearer ${stub.issuedTokens[1]}`);
  });

  it('a 401 that persists is failed, after one renewal', async () => {
    stub.script({ route: 'github', status: 401, body: { message: 'Bad credentials' } });
    expect(await poster().post(target('github'), STATUS, APP)).toMatchObject({ kind: 'failed', status: 401, reason: expect.stringContaining('freshly issued installation token') });
    expect(stub.requestsOf('github')).toHaveLength(2);
  });

  it.each([
    [401, 'failed', 'check the appId'],
    [404, 'failed', 'there is no installation 987 of GitHub App 123456'],
    [503, 'retry', 'GitHub answered 503 when asked for an installation token'],
  ] as const)('an exchange answered %i is %s, and nothing is posted', async (status, kind, reason) => {
    stub.script({ route: 'github-installation-token', status, times: 1 });
    expect(await poster().post(target('github'), STATUS, APP)).toMatchObject({ kind, status, reason: expect.stringContaining(reason) });
    expect(stub.requestsOf('github')).toEqual([]);
  });
});

describe('on a company network', () => {
  beforeEach(async () => {
    certificates = createTestCertificates();
    stub = await GitStatusStub.start({ tls: certificates.server });
  });

  it('a server whose certificate a private CA issued: failed without the CA, posted with it', async () => {
    const untrusted = await poster().post(target('gitlab'), STATUS, CREDENTIALS.gitlab);
    expect(untrusted).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^GitLab's certificate is not trusted \(.+\): add its CA to report\.caCertificates$/) });
    expect(stub.requests).toEqual([]);
    expect(await poster({ caCertificates: [certificates?.caCertificate ?? ''] }).post(target('gitlab'), STATUS, CREDENTIALS.gitlab)).toEqual({ kind: 'posted', status: 201 });
  });

  it('HTTPS_PROXY: a CONNECT tunnel to the server, the CA trusted inside it; NO_PROXY bypasses it', async () => {
    proxy = await startProxy();
    process.env.HTTPS_PROXY = proxy.url;
    const caCertificates = [certificates?.caCertificate ?? ''];
    expect(await poster({ caCertificates }).post(target('bitbucket-server'), STATUS, CREDENTIALS['bitbucket-server'])).toEqual({ kind: 'posted', status: 204 });
    expect(proxy.connects).toEqual([new URL(stub.url).host]);
    process.env.NO_PROXY = '127.0.0.1';
    expect(await poster({ caCertificates }).post(target('gitea'), STATUS, CREDENTIALS.gitea)).toEqual({ kind: 'posted', status: 201 });
    expect(proxy.connects).toHaveLength(1);
  });

  it('the proxy setting wins over the environment, for the GitHub App exchange too', async () => {
    proxy = await startProxy();
    process.env.NO_PROXY = '127.0.0.1';
    expect(await poster({ caCertificates: [certificates?.caCertificate ?? ''], proxy: proxy.url }).post(target('github'), STATUS, APP)).toEqual({ kind: 'posted', status: 201 });
    expect(proxy.connects.length).toBeGreaterThanOrEqual(1);
    expect(stub.requests.map((request) => request.route)).toEqual(['github-installation-token', 'github']);
  });

  it('a proxy that asks for credentials: failed, saying so', async () => {
    proxy = await startProxy({ password: 'proxy-pass' });
    const outcome = await poster({ caCertificates: [certificates?.caCertificate ?? ''], proxy: proxy.url }).post(target('gitea'), STATUS, CREDENTIALS.gitea);
    expect(outcome).toMatchObject({ kind: 'failed', status: 407, reason: expect.stringContaining('refused the tunnel to Gitea with 407') });
  });
});

it('never prints or returns a credential, a private key, a JWT or an installation token, whatever the outcome', async () => {
  stub = await GitStatusStub.start();
  const printed = captureOutput();
  const statusPoster = poster({ logger: new Logger({ serviceName: 'relay', logLevel: 'DEBUG' }) });
  const outcomes: PostOutcome[] = [];
  for (const provider of PROVIDERS) {
    outcomes.push(await statusPoster.post(target(provider), STATUS, CREDENTIALS[provider]));
    stub.script({ status: 503, times: 1, headers: { 'Retry-After': '1' } }, { reset: true, times: 1 }, { status: 403, times: 1 }, { status: 401, times: 1 });
    for (let attempt = 0; attempt < 4; attempt += 1) outcomes.push(await statusPoster.post(target(provider), STATUS, CREDENTIALS[provider]));
  }
  outcomes.push(await statusPoster.post(target('github'), STATUS, APP));
  stub.script({ route: 'github', status: 401 });
  outcomes.push(await statusPoster.post(target('github'), STATUS, APP));
  stub.script({ route: 'github-installation-token', status: 401, times: 1 });
  outcomes.push(await poster().post(target('github'), STATUS, APP));

  const jwts = stub.requestsOf('github-installation-token').map((request) => String(request.headers.authorization).replace(/^Bearer /, ''));
  const secrets = [TOKEN, PASSWORD, Buffer.from(`relay-bot:${PASSWORD}`).toString('base64'), APP.kind === 'githubApp' ? APP.privateKey : '', ...jwts, ...stub.issuedTokens];
  expect(jwts.length).toBeGreaterThanOrEqual(2);
  expect(printed.join('')).toContain('Commit status post');
  expect(printed.join('')).toContain('Obtained a GitHub App installation token');
  expectNoSecrets([...printed, ...outcomes.map((outcome) => JSON.stringify(outcome))], secrets);
});

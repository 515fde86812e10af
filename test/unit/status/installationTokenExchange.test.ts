import { generateKeyPairSync } from 'node:crypto';
import { type GitHubAppCredential, installationTokenRequest, readInstallationToken } from '../../../lambda/status/installationTokenExchange';
import { StatusPostError } from '../../../lambda/status/StatusPostError';

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const APP: GitHubAppCredential = { kind: 'githubApp', appId: '123', privateKey: PEM, installationId: '456' };
const NOW = Date.parse('2026-11-28T10:00:00Z');

function thrown(call: () => unknown): StatusPostError {
  try {
    call();
  } catch (error) {
    if (error instanceof StatusPostError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

it('POSTs to /app/installations/{id}/access_tokens with the JWT as Bearer', () => {
  const request = installationTokenRequest('https://github.example.com/api/v3/', APP, NOW);
  expect(request).toMatchObject({ method: 'post', url: 'https://github.example.com/api/v3/app/installations/456/access_tokens', body: {} });
  expect(request.headers).toMatchObject({ Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28', 'User-Agent': 'codestream-webhook-relay' });
  expect(request.headers.Authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
});

it('a key that cannot sign: failed, naming the app and not the key', () => {
  const error = thrown(() => installationTokenRequest('https://api.github.com', { ...APP, privateKey: 'garbage' }, NOW));
  expect(error.outcome).toEqual({ kind: 'failed', reason: "the privateKey of GitHub App 123 cannot sign a JWT: give the app's RSA private key, in PEM" });
});

it('reads the token and its expiry from a 201', () => {
  expect(readInstallationToken({ status: 201, headers: {}, body: JSON.stringify({ token: 'ghs_abc', expires_at: '2026-11-28T11:00:00Z' }) }, APP, NOW)).toEqual({
    token: 'ghs_abc',
    expiresAt: Date.parse('2026-11-28T11:00:00Z'),
  });
});

it.each([
  [201, '{}', {}, { kind: 'failed', status: 201, reason: expect.stringContaining('holds no token and expiry') }],
  [500, '', {}, { kind: 'retry', status: 500, reason: 'GitHub answered 500 when asked for an installation token of installation 456 of GitHub App 123' }],
  [429, '', { 'retry-after': '10' }, { kind: 'retry', status: 429, retryAfterMs: 10_000, reason: expect.stringMatching(/; it asked to retry after 10 s$/) }],
  [401, '', {}, { kind: 'failed', status: 401, reason: expect.stringContaining("check the appId, that privateKey is one of the app's current private keys, and this machine's clock") }],
  [404, '', {}, { kind: 'failed', status: 404, reason: expect.stringContaining('there is no installation 456 of GitHub App 123') }],
  [403, '', {}, { kind: 'failed', status: 403, reason: expect.stringContaining('is the installation suspended?') }],
])('%i: %j', (status, body, headers, outcome) => {
  expect(thrown(() => readInstallationToken({ status, headers, body }, APP, NOW)).outcome).toEqual(outcome);
});

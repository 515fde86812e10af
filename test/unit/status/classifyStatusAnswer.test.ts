import { type AnswerContext, classifyStatusAnswer } from '../../../lambda/status/classifyStatusAnswer';
import type { ReportingProvider } from '../../../lambda/status/CommitStatus';

const NOW = Date.parse('2026-11-28T10:00:00Z');
const SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';

function context(provider: ReportingProvider, overrides: Partial<AnswerContext> = {}): AnswerContext {
  return { target: { provider, apiUrl: 'https://git.example.com/api', repository: 'acme/app', sha: SHA }, state: 'pending', credential: 'token', now: NOW, secrets: ['tok3n'], ...overrides };
}

const answer = (status: number, body: unknown = '', headers: Record<string, string> = {}) => ({ status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

it.each([200, 201, 204])('%i: posted', (status) => {
  expect(classifyStatusAnswer(answer(status), context('github'))).toEqual({ kind: 'posted', status });
});

it.each([500, 502, 503, 504, 408, 429])('%i: retry', (status) => {
  expect(classifyStatusAnswer(answer(status), context('gitlab'))).toEqual({ kind: 'retry', status, reason: `GitLab answered ${status} to the pending status of acme/app@9fceb02d0ae5` });
});

it('Retry-After: retry after that long, said in the reason', () => {
  expect(classifyStatusAnswer(answer(503, { message: 'maintenance' }, { 'retry-after': '30' }), context('gitea'))).toEqual({
    kind: 'retry',
    status: 503,
    retryAfterMs: 30_000,
    reason: 'Gitea answered 503 to the pending status of acme/app@9fceb02d0ae5 (maintenance); it asked to retry after 30 s',
  });
});

it.each([501, 505])('%i: failed, the server will never do it', (status) => {
  expect(classifyStatusAnswer(answer(status), context('github'))).toMatchObject({ kind: 'failed', status });
});

it('GitHub 403 for a token: what scope or permission it needs', () => {
  expect(classifyStatusAnswer(answer(403, { message: 'Resource not accessible by personal access token' }), context('github'))).toEqual({
    kind: 'failed',
    status: 403,
    reason:
      'GitHub answered 403 (Resource not accessible by personal access token): the token may not write commit statuses of acme/app (it needs repo:status, or a fine-grained token with Commit statuses: Read and write)',
  });
});

it.each([
  ['github', 'githubApp', 'the GitHub App may not write commit statuses of acme/app (give it the Commit statuses: Read and write permission'],
  ['gitlab', 'token', 'it needs the api scope and at least the Developer role in the project'],
  ['bitbucket-cloud', 'basic', 'a status another user created can be changed only by that user or a repository admin'],
  ['bitbucket-server', 'token', 'it needs at least Repository read permission on it'],
  ['gitea', 'token', 'it needs the write:repository scope'],
  ['forgejo', 'token', 'it needs the write:repository scope'],
] as const)('%s 403 (%s): says what to fix', (provider, credential, remedy) => {
  const outcome = classifyStatusAnswer(answer(403), context(provider, { credential }));
  expect(outcome).toMatchObject({ kind: 'failed', status: 403 });
  expect('reason' in outcome && outcome.reason).toContain(remedy);
});

it.each([
  ['token', 'the token is not valid (expired, revoked or mistyped): update the secret'],
  ['basic', 'the username or app password is wrong, or the app password was revoked: update the secret'],
  ['githubApp', 'it refused a freshly issued installation token of the GitHub App: check that the installation is active'],
] as const)('401 with a %s credential', (credential, remedy) => {
  expect(classifyStatusAnswer(answer(401, { message: 'Bad credentials' }), context('github', { credential }))).toEqual({ kind: 'failed', status: 401, reason: `GitHub answered 401 (Bad credentials): ${remedy}` });
});

it('404: the repository or commit, the credential’s visibility, the API URL', () => {
  expect(classifyStatusAnswer(answer(404, { message: '404 Project Not Found' }), context('gitlab'))).toEqual({
    kind: 'failed',
    status: 404,
    reason: `GitLab answered 404 (404 Project Not Found): acme/app or its commit ${SHA} does not exist, or the credential cannot see it; check the repository name and the API URL https://git.example.com/api`,
  });
  expect(classifyStatusAnswer(answer(404), context('bitbucket-server'))).toMatchObject({ reason: expect.stringMatching(/, and that Bitbucket is 7\.4 or later$/) });
  expect(classifyStatusAnswer(answer(404), context('github', { credential: 'githubApp' }))).toMatchObject({ reason: expect.stringContaining('or the GitHub App is not installed on it') });
});

it('422 and other 4xx: failed, quoting the server’s message from each provider’s error shape', () => {
  expect(classifyStatusAnswer(answer(422, { message: 'No commit found for SHA: 9fceb02' }), context('github', { state: 'success' }))).toEqual({
    kind: 'failed',
    status: 422,
    reason: 'GitHub rejected the success status of acme/app@9fceb02d0ae5 with 422 (No commit found for SHA: 9fceb02)',
  });
  expect(classifyStatusAnswer(answer(400, { type: 'error', error: { message: 'key: Ensure this value has at most 40 characters' } }), context('bitbucket-cloud'))).toMatchObject({
    reason: expect.stringContaining('(key: Ensure this value has at most 40 characters)'),
  });
  expect(classifyStatusAnswer(answer(400, { errors: [{ message: 'Invalid state' }] }), context('bitbucket-server'))).toMatchObject({ reason: expect.stringContaining('(Invalid state)') });
  expect(classifyStatusAnswer(answer(400, { message: { name: ['is too long'] } }), context('gitlab'))).toMatchObject({ reason: expect.stringContaining('({"name":["is too long"]})') });
  expect(classifyStatusAnswer(answer(400, '<html>Bad</html>'), context('gitea'))).toMatchObject({ reason: 'Gitea rejected the pending status of acme/app@9fceb02d0ae5 with 400' });
});

it('a redirect: failed, pointing at the API URL', () => {
  expect(classifyStatusAnswer(answer(301, '', { location: 'https://git.example.com/login' }), context('gitea'))).toMatchObject({
    kind: 'failed',
    reason: 'Gitea rejected the pending status of acme/app@9fceb02d0ae5 with 301 (a redirect to https://git.example.com/login: check the API URL https://git.example.com/api)',
  });
});

it('GitLab refusing to set the state the status already has: posted (a retry whose first try arrived)', () => {
  const refusal = (from: string) => answer(400, { message: `Cannot transition status via :run from :${from} (Reason(s): Status cannot transition via "run")` });
  expect(classifyStatusAnswer(refusal('running'), context('gitlab'))).toEqual({ kind: 'posted', status: 400 });
  expect(classifyStatusAnswer(refusal('success'), context('gitlab'))).toMatchObject({ kind: 'failed', status: 400, reason: expect.stringContaining('Cannot transition status via :run from :success') });
  expect(classifyStatusAnswer(refusal('running'), context('github'))).toMatchObject({ kind: 'failed' });
});

it('GitHub’s primary rate limit (403, none remaining): retry at its reset', () => {
  const reset = String(NOW / 1000 + 120);
  expect(classifyStatusAnswer(answer(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), context('github'))).toEqual({
    kind: 'retry',
    status: 403,
    retryAfterMs: 120_000,
    reason: "GitHub's rate limit for the credential is spent (API rate limit exceeded); it asked to retry after 120 s",
  });
});

it('GitHub’s secondary rate limit (403 with Retry-After): retry after it; a 403 of another provider with Retry-After stays failed', () => {
  expect(classifyStatusAnswer(answer(403, { message: 'secondary rate limit' }, { 'retry-after': '60' }), context('github'))).toMatchObject({ kind: 'retry', retryAfterMs: 60_000 });
  expect(classifyStatusAnswer(answer(403, '', { 'retry-after': '60' }), context('gitea'))).toMatchObject({ kind: 'failed' });
});

it('takes every secret out of the quoted message, and bounds it', () => {
  const outcome = classifyStatusAnswer(answer(400, { message: `token tok3n is bad ${'x'.repeat(500)}` }), context('gitea'));
  expect('reason' in outcome && outcome.reason).not.toContain('tok3n');
  expect('reason' in outcome && outcome.reason.length).toBeLessThan(320);
});

import { bitbucketCloudStatusRequest } from '../../../lambda/status/bitbucketCloudStatusRequest';
import type { CommitStatus, StatusTarget } from '../../../lambda/status/CommitStatus';

const SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const TARGET: StatusTarget = { provider: 'bitbucket-cloud', apiUrl: 'https://api.bitbucket.org/2.0', repository: 'acme/app', sha: SHA };
const STATUS: CommitStatus = { state: 'pending', context: 'codestream/build', description: 'Code Stream demo/build: running', targetUrl: 'https://vra.example.com/x' };

it('posts to /repositories/{workspace}/{repo_slug}/commit/{sha}/statuses/build, an app password as Basic', () => {
  expect(bitbucketCloudStatusRequest(TARGET, STATUS, { kind: 'basic', username: 'relay-bot', password: 'app-pass' })).toEqual({
    method: 'post',
    url: `https://api.bitbucket.org/2.0/repositories/acme/app/commit/${SHA}/statuses/build`,
    headers: { Authorization: `Basic ${Buffer.from('relay-bot:app-pass').toString('base64')}`, Accept: 'application/json' },
    body: { key: 'codestream/build', state: 'INPROGRESS', name: 'codestream/build', url: 'https://vra.example.com/x', description: 'Code Stream demo/build: running' },
  });
});

it('sends an access token as Bearer', () => {
  expect(bitbucketCloudStatusRequest(TARGET, STATUS, { kind: 'token', token: 'ATCTT3x' }).headers.Authorization).toBe('Bearer ATCTT3x');
});

it.each([
  ['pending', 'INPROGRESS'],
  ['success', 'SUCCESSFUL'],
  ['failure', 'FAILED'],
  ['canceled', 'STOPPED'],
  ['error', 'FAILED'],
] as const)('maps %s to %s', (state, expected) => {
  expect(bitbucketCloudStatusRequest(TARGET, { ...STATUS, state }, { kind: 'token', token: 't' }).body.state).toBe(expected);
});

it('shortens a context longer than 40 characters to a key that is stable and tells two such contexts apart, the name kept whole', () => {
  const context = 'codestream/platform-team/build-and-deploy-to-staging';
  const request = bitbucketCloudStatusRequest(TARGET, { ...STATUS, context }, { kind: 'token', token: 't' });
  const again = bitbucketCloudStatusRequest(TARGET, { ...STATUS, context, state: 'success' }, { kind: 'token', token: 't' });
  const other = bitbucketCloudStatusRequest(TARGET, { ...STATUS, context: `${context}-eu` }, { kind: 'token', token: 't' });
  expect(request.body.key).toHaveLength(40);
  expect(request.body.key).toMatch(/^codestream\/platform-team\/build--[0-9a-f]{8}$/);
  expect(again.body.key).toBe(request.body.key);
  expect(other.body.key).not.toBe(request.body.key);
  expect(request.body.name).toBe(context);
});

it('keeps a context of exactly 40 characters as its key', () => {
  const context = 'c'.repeat(40);
  expect(bitbucketCloudStatusRequest(TARGET, { ...STATUS, context }, { kind: 'token', token: 't' }).body.key).toBe(context);
});

it('encodes a workspace and slug as path segments', () => {
  expect(bitbucketCloudStatusRequest({ ...TARGET, repository: '{a1b2}/my repo' }, STATUS, { kind: 'token', token: 't' }).url).toBe(
    `https://api.bitbucket.org/2.0/repositories/%7Ba1b2%7D/my%20repo/commit/${SHA}/statuses/build`,
  );
});

it('names the branch as refname, which links the status to the branch’s pull requests', () => {
  expect(bitbucketCloudStatusRequest({ ...TARGET, ref: 'refs/heads/feature/x' }, STATUS, { kind: 'token', token: 't' }).body.refname).toBe('feature/x');
  expect(bitbucketCloudStatusRequest(TARGET, STATUS, { kind: 'token', token: 't' }).body).not.toHaveProperty('refname');
});

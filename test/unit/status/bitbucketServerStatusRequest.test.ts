import { bitbucketServerStatusRequest } from '../../../lambda/status/bitbucketServerStatusRequest';
import type { CommitStatus, StatusTarget } from '../../../lambda/status/CommitStatus';

const SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const TARGET: StatusTarget = { provider: 'bitbucket-server', apiUrl: 'https://bitbucket.example.com', repository: 'PLAT/app', sha: SHA };
const STATUS: CommitStatus = { state: 'pending', context: 'codestream/build', description: 'Code Stream demo/build: running', targetUrl: 'https://vra.example.com/x' };

it('posts to the repository-scoped builds resource with a Bearer token', () => {
  expect(bitbucketServerStatusRequest(TARGET, STATUS, 'BBDC-token')).toEqual({
    method: 'post',
    url: `https://bitbucket.example.com/rest/api/latest/projects/PLAT/repos/app/commits/${SHA}/builds`,
    headers: { Authorization: 'Bearer BBDC-token', Accept: 'application/json' },
    body: { key: 'codestream/build', state: 'INPROGRESS', name: 'codestream/build', url: 'https://vra.example.com/x', description: 'Code Stream demo/build: running' },
  });
});

it.each([
  ['pending', 'INPROGRESS'],
  ['success', 'SUCCESSFUL'],
  ['failure', 'FAILED'],
  ['canceled', 'CANCELLED'],
  ['error', 'FAILED'],
] as const)('maps %s to %s', (state, expected) => {
  expect(bitbucketServerStatusRequest(TARGET, { ...STATUS, state }, 't').body.state).toBe(expected);
});

it('keeps the key, the name and the description to 255 characters; a context path in the base URL and a personal project (~USER) stay', () => {
  const context = 'k'.repeat(300);
  const request = bitbucketServerStatusRequest({ ...TARGET, apiUrl: 'https://example.com/bitbucket/', repository: '~ALICE/my.repo' }, { ...STATUS, context, description: 'd'.repeat(300) }, 't');
  expect(request.url).toBe(`https://example.com/bitbucket/rest/api/latest/projects/~ALICE/repos/my.repo/commits/${SHA}/builds`);
  expect(request.body.key).toMatch(/^k{246}-[0-9a-f]{8}$/);
  expect(request.body.name).toHaveLength(255);
  expect(request.body.description).toHaveLength(255);
});

it('names the fully qualified ref, where the event has one', () => {
  expect(bitbucketServerStatusRequest({ ...TARGET, ref: 'refs/heads/feature/x' }, STATUS, 't').body.ref).toBe('refs/heads/feature/x');
  expect(bitbucketServerStatusRequest(TARGET, STATUS, 't').body).not.toHaveProperty('ref');
});

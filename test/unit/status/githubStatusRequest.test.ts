import type { CommitStatus, StatusTarget } from '../../../lambda/status/CommitStatus';
import { githubStatusRequest } from '../../../lambda/status/githubStatusRequest';

const SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const TARGET: StatusTarget = { provider: 'github', apiUrl: 'https://api.github.com', repository: 'acme/app', sha: SHA };
const STATUS: CommitStatus = { state: 'pending', context: 'codestream/build', description: 'Code Stream demo/build: running', targetUrl: 'https://vra.example.com/codestream/#/executions/e-1' };

it('posts to /repos/{owner}/{repo}/statuses/{sha} with the token, the API version and a User-Agent', () => {
  expect(githubStatusRequest(TARGET, STATUS, 'ghp_token')).toEqual({
    method: 'post',
    url: `https://api.github.com/repos/acme/app/statuses/${SHA}`,
    headers: {
      Authorization: 'Bearer ghp_token',
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'codestream-webhook-relay',
    },
    body: { state: 'pending', context: 'codestream/build', description: 'Code Stream demo/build: running', target_url: STATUS.targetUrl },
  });
});

it.each([
  ['pending', 'pending'],
  ['success', 'success'],
  ['failure', 'failure'],
  ['canceled', 'error'],
  ['error', 'error'],
] as const)('maps %s to %s', (state, expected) => {
  expect(githubStatusRequest(TARGET, { ...STATUS, state }, 't').body.state).toBe(expected);
});

it('says canceled in the description of a canceled execution, posted as error', () => {
  expect(githubStatusRequest(TARGET, { ...STATUS, state: 'canceled', description: 'Code Stream demo/build after 4 min' }, 't').body.description).toBe(
    'Canceled: Code Stream demo/build after 4 min',
  );
  expect(githubStatusRequest(TARGET, { ...STATUS, state: 'canceled', description: 'Code Stream demo/build: canceled after 4 min' }, 't').body.description).toBe(
    'Code Stream demo/build: canceled after 4 min',
  );
});

it('keeps a description to 140 characters, counting characters not UTF-16 units, the last an ellipsis', () => {
  const long = `${'é'.repeat(100)}${'🚀'.repeat(60)}`;
  const description = githubStatusRequest(TARGET, { ...STATUS, description: long }, 't').body.description ?? '';
  expect([...description]).toHaveLength(140);
  expect(description.endsWith('🚀…')).toBe(true);
  const canceled = githubStatusRequest(TARGET, { ...STATUS, state: 'canceled', description: 'x'.repeat(140) }, 't').body.description ?? '';
  expect(canceled).toMatch(/^Canceled: x+…$/);
  expect(canceled).toHaveLength(140);
});

it('takes a GitHub Enterprise Server API URL, a trailing slash dropped, and encodes the owner, name and sha as path segments', () => {
  const request = githubStatusRequest({ ...TARGET, apiUrl: 'https://github.example.com/api/v3/', repository: 'acme corp/app#1', sha: 'a/b' }, STATUS, 't');
  expect(request.url).toBe('https://github.example.com/api/v3/repos/acme%20corp/app%231/statuses/a%2Fb');
});

it.each(['acme', 'acme/app/extra', '/app', 'acme/'])('refuses the repository name %j, naming the form it takes', (repository) => {
  expect(() => githubStatusRequest({ ...TARGET, repository }, STATUS, 't')).toThrow(`the repository name ${JSON.stringify(repository)} is not of the form owner/name that GitHub takes`);
});

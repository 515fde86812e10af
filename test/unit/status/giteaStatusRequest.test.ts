import type { CommitStatus, StatusTarget } from '../../../lambda/status/CommitStatus';
import { giteaStatusRequest } from '../../../lambda/status/giteaStatusRequest';

const SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const TARGET: StatusTarget = { provider: 'gitea', apiUrl: 'https://gitea.example.com/api/v1', repository: 'acme/app', sha: SHA };
const STATUS: CommitStatus = { state: 'pending', context: 'codestream/build', description: 'Code Stream demo/build: running', targetUrl: 'https://vra.example.com/x' };

it.each(['gitea', 'forgejo'] as const)('%s: posts to /repos/{owner}/{repo}/statuses/{sha} with Authorization: token', (provider) => {
  expect(giteaStatusRequest({ ...TARGET, provider, apiUrl: 'https://code.example.com/api/v1' }, STATUS, 'gitea-token')).toEqual({
    method: 'post',
    url: `https://code.example.com/api/v1/repos/acme/app/statuses/${SHA}`,
    headers: { Authorization: 'token gitea-token', Accept: 'application/json' },
    body: { state: 'pending', context: 'codestream/build', description: 'Code Stream demo/build: running', target_url: 'https://vra.example.com/x' },
  });
});

it.each([
  ['pending', 'pending'],
  ['success', 'success'],
  ['failure', 'failure'],
  ['canceled', 'error'],
  ['error', 'error'],
] as const)('maps %s to %s', (state, expected) => {
  expect(giteaStatusRequest(TARGET, { ...STATUS, state }, 't').body.state).toBe(expected);
});

it('says canceled in the description of a canceled execution', () => {
  expect(giteaStatusRequest(TARGET, { ...STATUS, state: 'canceled', description: '' }, 't').body.description).toBe('Canceled');
});

it('encodes an owner and name with special characters', () => {
  expect(giteaStatusRequest({ ...TARGET, repository: 'my org/ä?x' }, STATUS, 't').url).toBe(`https://gitea.example.com/api/v1/repos/my%20org/%C3%A4%3Fx/statuses/${SHA}`);
});

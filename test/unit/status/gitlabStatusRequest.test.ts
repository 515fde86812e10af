import type { CommitStatus, StatusTarget } from '../../../lambda/status/CommitStatus';
import { gitlabStatusRequest } from '../../../lambda/status/gitlabStatusRequest';

const SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const TARGET: StatusTarget = { provider: 'gitlab', apiUrl: 'https://gitlab.example.com/api/v4', repository: 'platform/backend/app', sha: SHA };
const STATUS: CommitStatus = { state: 'pending', context: 'codestream/build', description: 'Code Stream demo/build: running', targetUrl: 'https://vra.example.com/x' };

it('posts to /projects/{full path, URL-encoded as one segment}/statuses/{sha} with PRIVATE-TOKEN', () => {
  expect(gitlabStatusRequest(TARGET, STATUS, 'glpat-secret')).toEqual({
    method: 'post',
    url: `https://gitlab.example.com/api/v4/projects/platform%2Fbackend%2Fapp/statuses/${SHA}`,
    headers: { 'PRIVATE-TOKEN': 'glpat-secret', Accept: 'application/json' },
    body: { state: 'running', name: 'codestream/build', target_url: 'https://vra.example.com/x', description: 'Code Stream demo/build: running' },
  });
});

it.each([
  ['pending', 'running'],
  ['success', 'success'],
  ['failure', 'failed'],
  ['canceled', 'canceled'],
  ['error', 'failed'],
] as const)('maps %s to %s', (state, expected) => {
  expect(gitlabStatusRequest(TARGET, { ...STATUS, state }, 't').body.state).toBe(expected);
});

it('encodes the characters a project path may hold besides slashes', () => {
  expect(gitlabStatusRequest({ ...TARGET, repository: 'my-group/sub.group/app_1+x', apiUrl: 'https://gitlab.example.com/gitlab/api/v4/' }, STATUS, 't').url).toBe(
    `https://gitlab.example.com/gitlab/api/v4/projects/my-group%2Fsub.group%2Fapp_1%2Bx/statuses/${SHA}`,
  );
});

it('names the branch or tag the status refers to, short, where the event has one', () => {
  expect(gitlabStatusRequest({ ...TARGET, ref: 'refs/heads/release/2.x' }, STATUS, 't').body.ref).toBe('release/2.x');
  expect(gitlabStatusRequest({ ...TARGET, ref: 'refs/tags/v1.2.0' }, STATUS, 't').body.ref).toBe('v1.2.0');
  expect(gitlabStatusRequest(TARGET, STATUS, 't').body).not.toHaveProperty('ref');
});

import { buildStatusRequest } from '../../../lambda/status/buildStatusRequest';
import { type CommitStatus, REPORTING_PROVIDERS, type StatusTarget } from '../../../lambda/status/CommitStatus';
import { StatusPostError } from '../../../lambda/status/StatusPostError';

const STATUS: CommitStatus = { state: 'success', context: 'codestream/build', description: 'done', targetUrl: 'https://vra.example.com/x' };
const target = (provider: StatusTarget['provider']): StatusTarget => ({ provider, apiUrl: 'https://git.example.com/api', repository: 'acme/app', sha: 'abc123' });

it.each([
  ['github', 'https://git.example.com/api/repos/acme/app/statuses/abc123'],
  ['gitlab', 'https://git.example.com/api/projects/acme%2Fapp/statuses/abc123'],
  ['bitbucket-cloud', 'https://git.example.com/api/repositories/acme/app/commit/abc123/statuses/build'],
  ['bitbucket-server', 'https://git.example.com/api/rest/api/latest/projects/acme/repos/app/commits/abc123/builds'],
  ['gitea', 'https://git.example.com/api/repos/acme/app/statuses/abc123'],
  ['forgejo', 'https://git.example.com/api/repos/acme/app/statuses/abc123'],
] as const)('%s: the provider’s own request', (provider, url) => {
  expect(buildStatusRequest(target(provider), STATUS, { kind: 'token', token: 't' }).url).toBe(url);
});

it('covers every reporting provider', () => {
  for (const provider of REPORTING_PROVIDERS) expect(buildStatusRequest(target(provider), STATUS, { kind: 'token', token: 't' }).method).toBe('post');
});

it.each(REPORTING_PROVIDERS.filter((provider) => provider !== 'bitbucket-cloud'))('%s: a username and app password is refused as failed, naming no value', (provider) => {
  let thrown: unknown;
  try {
    buildStatusRequest(target(provider), STATUS, { kind: 'basic', username: 'bot', password: 'pa55word' });
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(StatusPostError);
  expect((thrown as StatusPostError).outcome).toEqual({ kind: 'failed', reason: expect.stringMatching(/ takes a token, and the secret holds a username and app password$/) });
  expect((thrown as StatusPostError).message).not.toContain('pa55word');
});

import type { ProviderName } from '../../../lambda/events/CanonicalEvent';
import { normaliseDelivery } from '../../../lambda/providers/receiveWebhook';
import { statusTargetOf } from '../../../lambda/status/statusTarget';
import { fixture } from '../../support/webhookFixtures';

/** The first event of a fixture delivery, as the relay reads it. */
function eventOf(provider: ProviderName, name: string) {
  const [event] = normaliseDelivery({ name: provider, provider, secrets: [] }, fixture(name));
  if (!event) throw new Error(`${name} has no event`);
  return event;
}

const REPORT = { secret: 'status/token' };

describe('where an execution’s status goes, from real deliveries', () => {
  it.each([
    ['github', 'github/push.branch-created', 'https://api.github.com', 'Codertocat/Hello-World', '6113728f27ae82c7b1a177c8d03f9e96e0adf246', 'refs/heads/master'],
    ['github', 'github/pull_request.synchronize', 'https://api.github.com', 'Codertocat/Hello-World', 'ec26c3e57ca3a959ca5aad62de7213c562f8c821', 'refs/heads/changes'],
    ['gitlab', 'gitlab/push', 'http://example.com/api/v4', 'mike/diaspora', 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7', 'refs/heads/master'],
    ['gitlab', 'gitlab/merge_request.open', 'http://example.com/api/v4', 'gitlabhq/gitlab-test', 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7', 'refs/heads/ms-viewport'],
    ['bitbucket-cloud', 'bitbucket-cloud/repo_push.branch', 'https://api.bitbucket.org/2.0', 'brydzewski/foo', '141977fedf5cf35aa290ac87d4b5177ac4cd9de1', 'refs/heads/master'],
    ['bitbucket-server', 'bitbucket-server/pr_opened', 'https://server.bitbucket.local', '~gopher/webhook-test', '32a0b8a740c2963c6f56bd8baf3dc05683d299e0', 'refs/heads/feature/wip'],
    ['gitea', 'gitea/push', 'http://localhost:3000/api/v1', 'example/example', '67b56589a45103f891bdee7c0546e5d40bc02001', 'refs/heads/master'],
  ] as const)('%s %s: %s, %s, %s, %s', (provider, name, apiUrl, repository, sha, ref) => {
    expect(statusTargetOf(eventOf(provider, name), REPORT)).toEqual({ provider, apiUrl, repository, sha, ref });
  });

  it('a pull request’s head, not its merge commit', () => {
    const event = eventOf('bitbucket-server', 'bitbucket-server/pr_merged');
    expect(event.git?.commit?.id).not.toBe(event.git?.pullRequest?.headCommit);
    expect(statusTargetOf(event, REPORT)).toMatchObject({ sha: event.git?.pullRequest?.headCommit });
  });

  it('the source’s apiUrl wins, without a trailing slash', () => {
    expect(statusTargetOf(eventOf('github', 'github/push.branch-created'), { ...REPORT, apiUrl: 'https://github.corp.example/api/v3/' })).toMatchObject({ apiUrl: 'https://github.corp.example/api/v3' });
  });

  it('a GitHub Enterprise server’s API below its web URL, served under a path too', () => {
    const event = eventOf('github', 'github/push.branch-created');
    const onServer = { ...event, git: { ...event.git!, repository: { ...event.git!.repository, url: 'https://code.corp.example/git/Codertocat/Hello-World' } } };
    expect(statusTargetOf(onServer, REPORT)).toMatchObject({ apiUrl: 'https://code.corp.example/git/api/v3' });
  });

  it('no commit, no status: a deleted branch, a release of a branch, an image', () => {
    expect(statusTargetOf(eventOf('github', 'github/delete.tag'), REPORT)).toEqual({ unreportable: 'the delete event names no commit' });
    expect(statusTargetOf(eventOf('github', 'github/release.published'), REPORT)).toEqual({ unreportable: 'the release event names no commit' });
    expect(statusTargetOf(eventOf('harbor', 'harbor/PUSH_ARTIFACT'), REPORT)).toEqual({ unreportable: 'a harbor event has no commit a status can be posted to' });
  });

  it('a self-hosted server whose repository URL does not end in the repository needs report.apiUrl', () => {
    const event = eventOf('gitea', 'gitea/push');
    const odd = { ...event, git: { ...event.git!, repository: { ...event.git!.repository, url: 'https://gitea.corp.example/elsewhere' } } };
    expect(statusTargetOf(odd, REPORT)).toEqual({ unreportable: 'the API of https://gitea.corp.example/elsewhere is not known: set report.apiUrl on the source' });
  });
});

import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { InvalidSignatureError, MalformedBodyError, MissingSignatureError, UnknownEventError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, signed, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const GITEA_SIGNATURE = { header: 'x-gitea-signature', algorithm: 'sha256' };
const ZERO = '0000000000000000000000000000000000000000';

function receive(request: WebhookRequest) {
  const { events } = receiveWebhook({ name: 'gitea-acme', provider: 'gitea', secrets: [TEST_SECRET] }, request, RECEIVED_AT);
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** A variant of the captured push delivery with another body, signed as Gitea signs, under `eventType`. */
function delivery(body: unknown, eventType: string, event = eventType): WebhookRequest {
  const raw = Buffer.from(JSON.stringify(body));
  return withHeaders(signed(fixture('gitea/push'), raw, TEST_SECRET, GITEA_SIGNATURE), {
    'x-gitea-event-type': eventType,
    'x-gitea-event': event,
  });
}

/**
 * A pull request delivery around the captured push's repository and sender. The pull_request object
 * is trimmed from a captured Gitea delivery (go-playground/webhooks testdata/gitea/pull-request-event.json),
 * with the head branch renamed so that source and target differ.
 */
function pullRequestBody(action: string, changes: Record<string, unknown> = {}): Record<string, unknown> {
  const { repository, sender } = fixtureJson('gitea/push');
  return {
    action,
    number: 2,
    pull_request: {
      id: 1,
      number: 2,
      title: 'update',
      state: 'open',
      html_url: 'http://localhost:3000/example/example/pulls/2',
      merged: false,
      merge_commit_sha: null,
      base: { label: 'master', ref: 'master', sha: '67b56589a45103f891bdee7c0546e5d40bc02001' },
      head: { label: 'feature', ref: 'feature', sha: '48e773f892a831faa47c0a160d1b7f0cd369ae2a' },
      created_at: '2022-03-09T16:31:06+09:00',
      updated_at: '2022-03-09T16:31:06+09:00',
      ...changes,
    },
    repository,
    sender,
  };
}

/** A create or delete delivery around the captured push's repository and sender, shaped as Gitea sends them. */
function refBody(ref: string, refType: string, sha?: string): Record<string, unknown> {
  const { repository, sender } = fixtureJson('gitea/push');
  return { sha, ref, ref_type: refType, repository, sender };
}

describeCommonCases('gitea');

describe('gitea: authentication details', () => {
  it('falls back to X-Hub-Signature-256 when X-Gitea-Signature is absent or empty', () => {
    for (const value of [undefined, '']) {
      const request = withHeaders(fixture('gitea/push'), { 'x-gitea-signature': value });
      expect(receive(request).kind).toBe('push');
    }
  });

  it('does not fall back when X-Gitea-Signature is present but wrong', () => {
    const request = withHeaders(fixture('gitea/push'), { 'x-gitea-signature': 'ab'.repeat(32) });
    expect(() => receive(request)).toThrow(InvalidSignatureError);
    expect(() => receive(request)).toThrow('x-gitea-signature');
  });

  it('names the header to set when the delivery is not signed', () => {
    const request = withHeaders(fixture('gitea/push'), { 'x-gitea-signature': undefined, 'x-hub-signature-256': undefined });
    expect(() => receive(request)).toThrow(new MissingSignatureError('the X-Gitea-Signature header is missing: set a secret on the Gitea webhook'));
  });
});

describe('gitea: normalising', () => {
  it('captured push creating a branch', () => {
    expect(receive(fixture('gitea/push'))).toEqual({
      source: 'gitea-acme',
      provider: 'gitea',
      kind: 'push',
      event: 'push',
      deliveryId: '184d119e-002c-40ba-b4a6-f997d48c1fc8',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2022-03-09T07:23:39.000Z',
      sender: 'example',
      git: {
        serverUrl: 'http://localhost:3000',
        repository: {
          fullName: 'example/example',
          name: 'example',
          owner: 'example',
          url: 'http://localhost:3000/example/example',
          cloneUrl: 'http://localhost:3000/example/example.git',
          defaultBranch: 'master',
        },
        ref: 'refs/heads/master',
        refType: 'branch',
        branch: 'master',
        before: ZERO,
        after: '67b56589a45103f891bdee7c0546e5d40bc02001',
        commit: {
          id: '67b56589a45103f891bdee7c0546e5d40bc02001',
          message: 'example\n',
          // The author has no account: Gitea sends an empty username, so the name stands in.
          author: 'example',
          timestamp: '2022-03-09T07:23:39.000Z',
          url: 'http://localhost:3000/example/example/commit/67b56589a45103f891bdee7c0546e5d40bc02001',
        },
        changedFiles: { added: ['example'], modified: [], removed: [] },
      },
    });
  });

  it('docs push without head_commit: the commit is the one whose id is `after`; native inputs', () => {
    const event = receive(fixture('gitea/push.docs'));
    expect(event).toMatchObject({
      kind: 'push',
      deliveryId: '12e104c0-686b-43e4-a429-c2328459119a',
      occurredAt: '2017-03-13T17:52:11.000Z',
      sender: 'gitea',
      git: {
        serverUrl: 'http://localhost:3000',
        repository: { fullName: 'gitea/webhooks', owner: 'gitea', defaultBranch: 'main' },
        branch: 'develop',
        before: '28e1879d029cb852e4844d9c718537df08844e03',
        after: 'bffeb74224043ba2feb48d137756c8a9331c449a',
        commit: { id: 'bffeb74224043ba2feb48d137756c8a9331c449a', message: 'Webhooks Yay!', author: 'gitea' },
      },
    });
    // The docs' commits list no files.
    expect(event.git?.changedFiles).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'develop',
      GIT_COMMIT_ID: 'bffeb74224043ba2feb48d137756c8a9331c449a',
      GIT_CHANGE_SUBJECT: 'Webhooks Yay!',
      GIT_EVENT_OWNER_NAME: 'gitea',
      GIT_EVENT_DESCRIPTION: 'push to develop by gitea',
      GIT_EVENT_TIMESTAMP: '2017-03-13T17:52:11.000Z',
      GIT_REPO_NAME: 'gitea/webhooks',
      GIT_SERVER_URL: 'http://localhost:3000',
    });
  });

  it("never copies the docs body's deprecated secret field into the event", () => {
    const secret = fixtureJson('gitea/push.docs').secret as string;
    expect(secret).toBe('3gEsCfjlV2ugRwgpU#w1*WaW*wa4NXgGmpCfkbG3');
    expect(JSON.stringify(receive(fixture('gitea/push.docs')))).not.toContain(secret);
  });

  it('reads the coarse X-Gitea-Event when X-Gitea-Event-Type is absent, and prefers the fine-grained one', () => {
    expect(receive(withHeaders(fixture('gitea/push'), { 'x-gitea-event-type': undefined })).event).toBe('push');
    const body = pullRequestBody('synchronized');
    expect(receive(delivery(body, 'pull_request_sync', 'pull_request')).event).toBe('pull_request_sync');
  });

  it('a server under a path keeps the path in its URL', () => {
    const body = fixtureJson('gitea/push');
    const repository = body.repository as Record<string, unknown>;
    repository.html_url = 'https://example.com/git/example/example';
    expect(receive(delivery(body, 'push')).git?.serverUrl).toBe('https://example.com/git');
  });

  it('push of a tag, with its native inputs', () => {
    const body = { ...fixtureJson('gitea/push'), ref: 'refs/tags/v1.0.0' };
    const event = receive(delivery(body, 'push'));
    expect(event).toMatchObject({ kind: 'tag', git: { ref: 'refs/tags/v1.0.0', refType: 'tag', tag: 'v1.0.0' } });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: '',
      GIT_COMMIT_ID: '67b56589a45103f891bdee7c0546e5d40bc02001',
      GIT_CHANGE_SUBJECT: 'example',
      GIT_EVENT_OWNER_NAME: 'example',
      GIT_EVENT_DESCRIPTION: 'tag v1.0.0 pushed by example',
      GIT_EVENT_TIMESTAMP: '2022-03-09T07:23:39.000Z',
      GIT_REPO_NAME: 'example/example',
      GIT_SERVER_URL: 'http://localhost:3000',
    });
  });

  it('captured release published: the tag, its target branch, the release, and GIT_* inputs', () => {
    const event = receive(fixture('gitea/release.published'));
    expect(event).toEqual({
      source: 'gitea-acme',
      provider: 'gitea',
      kind: 'release',
      event: 'release',
      action: 'published',
      deliveryId: '677a036d-b0e6-4d46-a6f3-014b47bf2c93',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2022-03-09T07:25:04.000Z',
      sender: 'example',
      git: {
        serverUrl: 'http://localhost:3000',
        repository: {
          fullName: 'example/example',
          name: 'example',
          owner: 'example',
          url: 'http://localhost:3000/example/example',
          cloneUrl: 'http://localhost:3000/example/example.git',
          defaultBranch: 'master',
        },
        ref: 'refs/tags/example',
        refType: 'tag',
        tag: 'example',
        branch: 'master',
        release: { name: '0.0.0', url: 'http://localhost:3000/example/example/releases/tag/example', prerelease: false, draft: false },
      },
    });
    expect(event.git?.commit).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: '',
      GIT_CHANGE_SUBJECT: '0.0.0',
      GIT_EVENT_OWNER_NAME: 'example',
      GIT_EVENT_DESCRIPTION: 'release example published by example',
      GIT_EVENT_TIMESTAMP: '2022-03-09T07:25:04.000Z',
      GIT_REPO_NAME: 'example/example',
      GIT_SERVER_URL: 'http://localhost:3000',
    });
  });

  it('a release made from a commit names the commit, not a branch', () => {
    const body = fixtureJson('gitea/release.published') as { release: Record<string, unknown> };
    const event = receive(delivery({ ...body, release: { ...body.release, target_commitish: '67b56589a45103f891bdee7c0546e5d40bc02001' } }, 'release'));
    expect(event.git).toMatchObject({ tag: 'example', commit: { id: '67b56589a45103f891bdee7c0546e5d40bc02001' } });
    expect(event.git?.branch).toBeUndefined();
  });

  it('a push whose after is zeros deletes the ref', () => {
    const { head_commit: _head, ...captured } = fixtureJson('gitea/push');
    const body = { ...captured, before: '67b56589a45103f891bdee7c0546e5d40bc02001', after: ZERO, commits: [] };
    const event = receive(delivery(body, 'push'));
    expect(event).toMatchObject({ kind: 'delete', event: 'push', git: { branch: 'master', after: ZERO } });
    expect(event.git?.commit).toBeUndefined();
    expect(event.occurredAt).toBe('2026-11-28T12:00:00.000Z');
  });

  it.each([
    ['create', 'feature/login', 'branch', { branch: 'feature/login', ref: 'refs/heads/feature/login' }],
    ['create', 'v2.0.0', 'tag', { tag: 'v2.0.0', ref: 'refs/tags/v2.0.0' }],
    ['delete', 'v2.0.0', 'tag', { tag: 'v2.0.0', ref: 'refs/tags/v2.0.0' }],
  ])('%s of %s (%s)', (kind, ref, refType, expected) => {
    const sha = kind === 'create' ? '67b56589a45103f891bdee7c0546e5d40bc02001' : undefined;
    const event = receive(delivery(refBody(ref, refType, sha), kind));
    expect(event).toMatchObject({ kind, event: kind, sender: 'example', git: { refType, ...expected, repository: { fullName: 'example/example' } } });
    expect(event.git?.after).toBe(sha);
    expect(nativeTriggerInput(event).GIT_EVENT_DESCRIPTION).toBe(`${refType} ${ref} ${kind}d by example`);
  });

  it('create with a full ref keeps it', () => {
    const event = receive(delivery(refBody('refs/heads/main', 'branch'), 'create'));
    expect(event.git).toMatchObject({ ref: 'refs/heads/main', branch: 'main' });
  });

  it('pull request opened: target branch, source head and title as native inputs', () => {
    const event = receive(delivery(pullRequestBody('opened'), 'pull_request'));
    expect(event).toMatchObject({
      kind: 'pull_request',
      event: 'pull_request',
      action: 'opened',
      occurredAt: '2022-03-09T07:31:06.000Z',
      sender: 'example',
      git: {
        repository: { fullName: 'example/example' },
        commit: { id: '48e773f892a831faa47c0a160d1b7f0cd369ae2a', message: 'update' },
        pullRequest: {
          number: 2,
          title: 'update',
          state: 'open',
          sourceBranch: 'feature',
          targetBranch: 'master',
          merged: false,
          url: 'http://localhost:3000/example/example/pulls/2',
          headCommit: '48e773f892a831faa47c0a160d1b7f0cd369ae2a',
        },
      },
    });
    expect(event.git?.pullRequest?.mergeCommit).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: '48e773f892a831faa47c0a160d1b7f0cd369ae2a',
      GIT_CHANGE_SUBJECT: 'update',
      GIT_EVENT_OWNER_NAME: 'example',
      GIT_EVENT_DESCRIPTION: 'pull request #2 opened by example',
      GIT_EVENT_TIMESTAMP: '2022-03-09T07:31:06.000Z',
      GIT_REPO_NAME: 'example/example',
      GIT_SERVER_URL: 'http://localhost:3000',
    });
  });

  it('a merged pull request uses the merge commit', () => {
    const mergeCommit = '9c8e6d2b1a0f4e3d2c1b0a9f8e7d6c5b4a3f2e1d';
    const body = pullRequestBody('closed', { state: 'closed', merged: true, merge_commit_sha: mergeCommit });
    const event = receive(delivery(body, 'pull_request'));
    expect(event.git?.pullRequest).toMatchObject({ state: 'merged', merged: true, mergeCommit });
    expect(nativeTriggerInput(event)).toMatchObject({ GIT_COMMIT_ID: mergeCommit, GIT_EVENT_DESCRIPTION: 'pull request #2 merged by example' });
  });

  it('a closed, unmerged pull request ignores merge_commit_sha', () => {
    const body = pullRequestBody('closed', { state: 'closed', merge_commit_sha: '9c8e6d2b1a0f4e3d2c1b0a9f8e7d6c5b4a3f2e1d' });
    const event = receive(delivery(body, 'pull_request'));
    expect(event.git?.pullRequest).toMatchObject({ state: 'closed', merged: false, mergeCommit: undefined });
  });

  it.each([
    ['pull_request_sync', 'synchronized'],
    ['pull_request_assign', 'assigned'],
    ['pull_request_label', 'label_updated'],
    ['pull_request_milestone', 'milestoned'],
    ['pull_request_review_request', 'review_requested'],
  ])('%s is a pull_request event with action %s', (eventType, action) => {
    const event = receive(delivery(pullRequestBody(action), eventType, 'pull_request'));
    expect(event).toMatchObject({ kind: 'pull_request', event: eventType, action, git: { pullRequest: { number: 2 } } });
  });

  it.each([
    ['pull_request_review_approved', 'reviewed'],
    ['pull_request_comment', 'created'],
  ])('%s is other, with the repository', (eventType, action) => {
    const event = receive(delivery(pullRequestBody(action), eventType));
    expect(event).toMatchObject({ kind: 'other', event: eventType, action, sender: 'example', git: { repository: { fullName: 'example/example' } } });
  });

  it('names events it does not model as other', () => {
    const { repository, sender } = fixtureJson('gitea/push');
    const event = receive(delivery({ action: 'opened', issue: { number: 1 }, repository, sender }, 'issues'));
    expect(event).toMatchObject({ kind: 'other', event: 'issues', action: 'opened', git: { repository: { fullName: 'example/example' } } });
    expect(receive(delivery({ action: 'created', package: { name: 'app' }, sender }, 'package', '')).git).toBeUndefined();
  });
});

describe('gitea: bad input', () => {
  it('refuses a delivery without an event header', () => {
    const request = withHeaders(fixture('gitea/push'), { 'x-gitea-event-type': undefined, 'x-gitea-event': undefined });
    expect(() => receive(request)).toThrow(new UnknownEventError('the event header is missing: expected X-Gitea-Event-Type or X-Gitea-Event'));
  });

  it.each([
    ['a push without a repository', '{"ref": "refs/heads/main"}', 'push', 'the body has no repository'],
    ['a push without a ref', '{"repository": {"full_name": "a/b"}}', 'push', 'the body has no ref'],
    ['a repository without full_name', '{"ref": "refs/heads/main", "repository": {"name": "b"}}', 'push', 'the body has no repository.full_name'],
    ['a create without ref_type', '{"ref": "main", "repository": {"full_name": "a/b"}}', 'create', 'the body has no ref_type'],
    ['a pull request without pull_request', '{"action": "opened", "repository": {"full_name": "a/b"}}', 'pull_request', 'the body has no pull_request'],
    [
      'a pull request without a head branch',
      '{"pull_request": {"number": 1, "head": {"sha": "abc"}, "base": {"ref": "main"}}, "repository": {"full_name": "a/b"}}',
      'pull_request',
      'the body has no pull_request.head.ref',
    ],
  ])('refuses a body that is %s', (_case, body, eventType, message) => {
    const request = withHeaders(signed(fixture('gitea/push'), Buffer.from(body), TEST_SECRET, GITEA_SIGNATURE), {
      'x-gitea-event-type': eventType,
    });
    expect(() => receive(request)).toThrow(MalformedBodyError);
    expect(() => receive(request)).toThrow(message);
  });
});

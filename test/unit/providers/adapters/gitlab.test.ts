import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { MalformedBodyError, UnknownEventError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const ZEROS = '0000000000000000000000000000000000000000';

function receive(request: WebhookRequest) {
  const { events } = receiveWebhook({ name: 'gitlab-acme', provider: 'gitlab', secrets: [TEST_SECRET] }, request, RECEIVED_AT);
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** A fixture with another body and, optionally, other headers; the token does not cover the body. */
function variant(
  name: string,
  change: (body: Record<string, unknown>) => void,
  headers: Record<string, string | undefined> = {},
): WebhookRequest {
  const body = fixtureJson(name);
  change(body);
  return withHeaders({ ...fixture(name), body: Buffer.from(JSON.stringify(body)) }, headers);
}

describeCommonCases('gitlab');

describe('gitlab: normalising', () => {
  it('push to a branch, with its native-trigger inputs', () => {
    const event = receive(fixture('gitlab/push'));
    expect(event).toEqual({
      source: 'gitlab-acme',
      provider: 'gitlab',
      kind: 'push',
      event: 'Push Hook',
      deliveryId: '2412fd9d-7362-4e14-9d0f-3db4f591d277',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2012-01-03T21:36:29.000Z',
      sender: 'jsmith',
      git: {
        serverUrl: 'https://gitlab.com',
        repository: {
          fullName: 'mike/diaspora',
          name: 'diaspora',
          owner: 'mike',
          url: 'http://example.com/mike/diaspora',
          cloneUrl: 'http://example.com/mike/diaspora.git',
          defaultBranch: 'master',
        },
        ref: 'refs/heads/master',
        refType: 'branch',
        branch: 'master',
        before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
        after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        commit: {
          id: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
          message: 'fixed readme',
          author: 'GitLab dev user',
          timestamp: '2012-01-03T21:36:29.000Z',
          url: 'http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        },
        changedFiles: { added: ['CHANGELOG'], modified: ['app/controller/application.rb'], removed: [] },
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      GIT_CHANGE_SUBJECT: 'fixed readme',
      GIT_EVENT_OWNER_NAME: 'jsmith',
      GIT_EVENT_DESCRIPTION: 'push to master by jsmith',
      GIT_EVENT_TIMESTAMP: '2012-01-03T21:36:29.000Z',
      GIT_REPO_NAME: 'mike/diaspora',
      GIT_SERVER_URL: 'https://gitlab.com',
    });
  });

  it('takes the delivery id from X-Gitlab-Event-UUID when GitLab sends no Idempotency-Key', () => {
    const request = withHeaders(fixture('gitlab/push'), { 'idempotency-key': undefined });
    expect(receive(request).deliveryId).toBe('485b6c92-722c-4d4c-8991-6decc29d6c5d');
  });

  it('takes the server URL from the project when GitLab sends no X-Gitlab-Instance', () => {
    const request = withHeaders(fixture('gitlab/push'), { 'x-gitlab-instance': undefined });
    expect(receive(request).git?.serverUrl).toBe('http://example.com');
  });

  it('tag push: the commit is the one the tag points at (checkout_sha), not the tag object', () => {
    const request = variant(
      'gitlab/push',
      (body) => {
        const tagObject = '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7';
        Object.assign(body, { object_kind: 'tag_push', ref: 'refs/tags/v1.0.0', before: ZEROS, after: tagObject, commits: [] });
      },
      { 'x-gitlab-event': 'Tag Push Hook' },
    );
    const event = receive(request);
    expect(event).toMatchObject({
      kind: 'tag',
      event: 'Tag Push Hook',
      git: { ref: 'refs/tags/v1.0.0', refType: 'tag', tag: 'v1.0.0', before: ZEROS, commit: { id: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' } },
    });
    expect(event.git?.changedFiles).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: '',
      GIT_COMMIT_ID: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      GIT_CHANGE_SUBJECT: '',
      GIT_EVENT_OWNER_NAME: 'jsmith',
      GIT_EVENT_DESCRIPTION: 'tag v1.0.0 pushed by jsmith',
      GIT_EVENT_TIMESTAMP: '2026-11-28T12:00:00.000Z',
      GIT_REPO_NAME: 'mike/diaspora',
      GIT_SERVER_URL: 'https://gitlab.com',
    });
  });

  it('a push whose after is all zeros deletes the branch', () => {
    const event = receive(variant('gitlab/push', (body) => Object.assign(body, { after: ZEROS, checkout_sha: null, commits: [] })));
    expect(event).toMatchObject({ kind: 'delete', git: { branch: 'master', before: '95790bf891e76fee5e1747ab589903a6a1f80f22', after: ZEROS } });
    expect(event.git?.commit).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: ZEROS,
      GIT_CHANGE_SUBJECT: '',
      GIT_EVENT_OWNER_NAME: 'jsmith',
      GIT_EVENT_DESCRIPTION: 'branch master deleted by jsmith',
      GIT_EVENT_TIMESTAMP: '2026-11-28T12:00:00.000Z',
      GIT_REPO_NAME: 'mike/diaspora',
      GIT_SERVER_URL: 'https://gitlab.com',
    });
  });

  it('reads a System Hook by its object_kind, keeping the header as the event name', () => {
    const request = withHeaders(fixture('gitlab/push'), { 'x-gitlab-event': 'System Hook' });
    expect(receive(request)).toMatchObject({
      kind: 'push',
      event: 'System Hook',
      git: { branch: 'master', repository: { fullName: 'mike/diaspora' } },
    });
  });

  it('merge request opened: target branch, source head and title as native inputs', () => {
    const event = receive(fixture('gitlab/merge_request.open'));
    expect(event).toEqual({
      source: 'gitlab-acme',
      provider: 'gitlab',
      kind: 'pull_request',
      event: 'Merge Request Hook',
      action: 'open',
      deliveryId: '882cd60e-c348-4bb0-8746-fbce01379ab8',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2013-12-03T17:23:34.000Z',
      sender: 'root',
      git: {
        serverUrl: 'https://gitlab.com',
        repository: {
          fullName: 'gitlabhq/gitlab-test',
          name: 'gitlab-test',
          owner: 'gitlabhq',
          url: 'http://example.com/gitlabhq/gitlab-test',
          cloneUrl: 'http://example.com/gitlabhq/gitlab-test.git',
          defaultBranch: 'master',
        },
        commit: { id: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7', message: 'MS-Viewport' },
        pullRequest: {
          number: 1,
          title: 'MS-Viewport',
          state: 'opened',
          sourceBranch: 'ms-viewport',
          targetBranch: 'master',
          merged: false,
          url: 'http://example.com/diaspora/merge_requests/1',
          headCommit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        },
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      GIT_CHANGE_SUBJECT: 'MS-Viewport',
      GIT_EVENT_OWNER_NAME: 'root',
      GIT_EVENT_DESCRIPTION: 'pull request #1 opened by root',
      GIT_EVENT_TIMESTAMP: '2013-12-03T17:23:34.000Z',
      GIT_REPO_NAME: 'gitlabhq/gitlab-test',
      GIT_SERVER_URL: 'https://gitlab.com',
    });
  });

  it('a merged merge request uses its merge commit', () => {
    const mergeCommit = '4d9a2a7e3c5b1f0e8d7c6b5a4f3e2d1c0b9a8f7e';
    const event = receive(
      variant('gitlab/merge_request.open', (body) => {
        Object.assign(body.object_attributes as Record<string, unknown>, { action: 'merge', state: 'merged', merge_commit_sha: mergeCommit });
      }),
    );
    expect(event).toMatchObject({
      action: 'merge',
      git: { commit: { id: mergeCommit }, pullRequest: { state: 'merged', merged: true, mergeCommit } },
    });
    expect(nativeTriggerInput(event)).toMatchObject({ GIT_COMMIT_ID: mergeCommit, GIT_EVENT_DESCRIPTION: 'pull request #1 merged by root' });
  });

  it('an update of an open merge request does not take its merge_commit_sha', () => {
    const event = receive(
      variant('gitlab/merge_request.open', (body) => {
        const mergeCommit = '4d9a2a7e3c5b1f0e8d7c6b5a4f3e2d1c0b9a8f7e';
        Object.assign(body.object_attributes as Record<string, unknown>, { action: 'update', merge_commit_sha: mergeCommit });
      }),
    );
    expect(event).toMatchObject({ action: 'update', git: { pullRequest: { merged: false } } });
    expect(event.git?.pullRequest?.mergeCommit).toBeUndefined();
  });

  it('pipeline: its id, status and URL, on the branch and commit it ran for', () => {
    const event = receive(fixture('gitlab/pipeline'));
    expect(event).toMatchObject({
      kind: 'pipeline',
      event: 'Pipeline Hook',
      deliveryId: 'd8c6a01a-dca2-4d6d-9424-11aadbbff29d',
      occurredAt: '2016-08-12T15:26:29.000Z',
      sender: 'root',
      git: {
        serverUrl: 'https://gitlab.com',
        repository: { fullName: 'gitlab-org/gitlab-test', url: 'http://192.168.64.1:3005/gitlab-org/gitlab-test' },
        ref: 'refs/heads/master',
        refType: 'branch',
        branch: 'master',
        commit: {
          id: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
          message: 'test\n',
          author: 'User',
          timestamp: '2016-08-12T15:23:21.000Z',
          url: 'http://example.com/gitlab-org/gitlab-test/commit/bcbb5ec396a2c0f828686f14fac9b80b780504f2',
        },
        pipeline: { id: '31', status: 'success', url: 'http://example.com/gitlab-org/gitlab-test/-/pipelines/31' },
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
      GIT_CHANGE_SUBJECT: 'test',
      GIT_EVENT_OWNER_NAME: 'root',
      GIT_EVENT_DESCRIPTION: 'pipeline success on master',
      GIT_EVENT_TIMESTAMP: '2016-08-12T15:26:29.000Z',
      GIT_REPO_NAME: 'gitlab-org/gitlab-test',
      GIT_SERVER_URL: 'https://gitlab.com',
    });
  });

  it('a running pipeline for a tag: the tag, its creation time, and the sha when no commit is sent', () => {
    const event = receive(
      variant('gitlab/pipeline', (body) => {
        Object.assign(body.object_attributes as Record<string, unknown>, { ref: 'v1.0.0', tag: true, status: 'running', finished_at: null });
        delete body.commit;
      }),
    );
    expect(event).toMatchObject({
      occurredAt: '2016-08-12T15:23:28.000Z',
      git: {
        ref: 'refs/tags/v1.0.0',
        refType: 'tag',
        tag: 'v1.0.0',
        commit: { id: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2' },
        pipeline: { status: 'running' },
      },
    });
  });

  it('release created: its tag, the commit it points at, the release, and GIT_* inputs', () => {
    const event = receive(fixture('gitlab/release.create'));
    expect(event).toEqual({
      source: 'gitlab-acme',
      provider: 'gitlab',
      kind: 'release',
      event: 'Release Hook',
      action: 'create',
      deliveryId: 'd1122245-a935-4077-b4a9-a1b265e0a6ab',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2020-11-02T12:55:12.000Z',
      git: {
        serverUrl: 'https://gitlab.com',
        repository: {
          fullName: 'gitlab-org/release-webhook-example',
          name: 'release-webhook-example',
          owner: 'gitlab-org',
          url: 'https://example.com/gitlab-org/release-webhook-example',
          cloneUrl: 'https://example.com/gitlab-org/release-webhook-example.git',
          defaultBranch: 'master',
        },
        ref: 'refs/tags/v1.1',
        refType: 'tag',
        tag: 'v1.1',
        commit: {
          id: 'ee0a3fb31ac16e11b9dbb596ad16d4af654d08f8',
          message: 'Release v1.1',
          author: 'Example User',
          timestamp: '2020-10-31T03:58:32.000Z',
          url: 'https://example.com/gitlab-org/release-webhook-example/-/commit/ee0a3fb31ac16e11b9dbb596ad16d4af654d08f8',
        },
        release: { name: 'v1.1', url: 'https://example.com/gitlab-org/release-webhook-example/-/releases/v1.1' },
      },
    });
    // GitLab names no branch and no user in a release event.
    expect(event.git?.branch).toBeUndefined();
    expect(event.sender).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: '',
      GIT_COMMIT_ID: 'ee0a3fb31ac16e11b9dbb596ad16d4af654d08f8',
      GIT_CHANGE_SUBJECT: 'v1.1',
      GIT_EVENT_OWNER_NAME: 'Example User',
      GIT_EVENT_DESCRIPTION: 'release v1.1 created',
      GIT_EVENT_TIMESTAMP: '2020-11-02T12:55:12.000Z',
      GIT_REPO_NAME: 'gitlab-org/release-webhook-example',
      GIT_SERVER_URL: 'https://gitlab.com',
    });
  });

  it('a release update keeps its action; a release without a tag is refused', () => {
    expect(receive(variant('gitlab/release.create', (body) => (body.action = 'update')))).toMatchObject({ kind: 'release', action: 'update' });
    expect(() => receive(variant('gitlab/release.create', (body) => delete body.tag))).toThrow(MalformedBodyError);
  });

  it('names events it does not model as other, with their action and project', () => {
    const request = variant('gitlab/merge_request.open', (body) => Object.assign(body, { object_kind: 'issue', event_type: 'issue' }), {
      'x-gitlab-event': 'Issue Hook',
    });
    const event = receive(request);
    expect(event).toMatchObject({
      kind: 'other',
      event: 'Issue Hook',
      action: 'open',
      sender: 'root',
      git: { repository: { fullName: 'gitlabhq/gitlab-test' } },
    });
    expect(event.git?.pullRequest).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: '',
      GIT_COMMIT_ID: '',
      GIT_CHANGE_SUBJECT: '',
      GIT_EVENT_OWNER_NAME: 'root',
      GIT_EVENT_DESCRIPTION: 'Issue Hook from gitlab by root',
      GIT_EVENT_TIMESTAMP: '2026-11-28T12:00:00.000Z',
      GIT_REPO_NAME: 'gitlabhq/gitlab-test',
      GIT_SERVER_URL: 'https://gitlab.com',
    });
  });

  it('a system hook of another kind is other, and needs no project', () => {
    const request = variant(
      'gitlab/push',
      (body) => Object.assign(body, { object_kind: undefined, event_name: 'user_create', project: undefined }),
      { 'x-gitlab-event': 'System Hook' },
    );
    expect(receive(request)).toMatchObject({ kind: 'other', event: 'System Hook', sender: 'jsmith' });
    expect(receive(request).git).toBeUndefined();
  });
});

describe('gitlab: bad input', () => {
  it('refuses a delivery without X-Gitlab-Event', () => {
    expect(() => receive(withHeaders(fixture('gitlab/push'), { 'x-gitlab-event': undefined }))).toThrow(
      new UnknownEventError('the X-Gitlab-Event header is missing'),
    );
  });

  it('refuses an event name GitLab never sends', () => {
    expect(() => receive(withHeaders(fixture('gitlab/push'), { 'x-gitlab-event': 'push' }))).toThrow(
      new UnknownEventError('the X-Gitlab-Event header "push" is not a GitLab event'),
    );
  });

  it.each([
    ['a push without a project', 'gitlab/push', '{"ref": "refs/heads/main"}', 'the body has no project'],
    ['a push without a ref', 'gitlab/push', '{"project": {"path_with_namespace": "a/b"}}', 'the body has no ref'],
    [
      'a push whose project has no path',
      'gitlab/push',
      '{"ref": "refs/heads/main", "project": {"name": "b"}}',
      'the body has no project.path_with_namespace',
    ],
    [
      'a merge request without attributes',
      'gitlab/merge_request.open',
      '{"project": {"path_with_namespace": "a/b"}}',
      'the body has no object_attributes',
    ],
    [
      'a merge request without an iid',
      'gitlab/merge_request.open',
      '{"project": {"path_with_namespace": "a/b"}, "object_attributes": {"iid": "one"}}',
      'the body has no object_attributes.iid',
    ],
    [
      'a pipeline without a ref',
      'gitlab/pipeline',
      '{"object_attributes": {"id": 31, "status": "success"}}',
      'the body has no object_attributes.ref',
    ],
  ])('refuses a body that is %s', (_case, name, body, message) => {
    const request = { ...fixture(name), body: Buffer.from(body) };
    expect(() => receive(request)).toThrow(MalformedBodyError);
    expect(() => receive(request)).toThrow(message);
  });
});

import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { MalformedBodyError, UnknownEventError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, signed, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const SHA256 = { header: 'x-hub-signature', algorithm: 'sha256', prefix: 'sha256=' };
const ZEROS = '0000000000000000000000000000000000000000';
const PUSHED = '141977fedf5cf35aa290ac87d4b5177ac4cd9de1';

function receiveAll(request: WebhookRequest) {
  return receiveWebhook({ name: 'bitbucket-acme', provider: 'bitbucket-cloud', secrets: [TEST_SECRET] }, request, RECEIVED_AT).events;
}

function receive(request: WebhookRequest) {
  const events = receiveAll(request);
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** A fixture with another body, signed again, and optionally other headers. */
function variant(
  name: string,
  change: (body: Record<string, unknown>) => void,
  headers: Record<string, string | undefined> = {},
): WebhookRequest {
  const body = fixtureJson(name);
  change(body);
  return withHeaders(signed(fixture(name), Buffer.from(JSON.stringify(body)), TEST_SECRET, SHA256), headers);
}

function firstChange(body: Record<string, unknown>): Record<string, unknown> {
  return (body.push as { changes: Record<string, unknown>[] }).changes[0]!;
}

function pullRequestOf(body: Record<string, unknown>): Record<string, unknown> {
  return body.pullrequest as Record<string, unknown>;
}

describeCommonCases('bitbucket-cloud');

describe('bitbucket-cloud: normalising', () => {
  it('push to a branch, with its native-trigger inputs', () => {
    const event = receive(fixture('bitbucket-cloud/repo_push.branch'));
    expect(event).toEqual({
      source: 'bitbucket-acme',
      provider: 'bitbucket-cloud',
      kind: 'push',
      event: 'repo:push',
      deliveryId: '5de779eb-62d3-406f-924f-421c09f9b9fa',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2018-07-02T20:26:56.000Z',
      sender: 'brydzewski',
      git: {
        serverUrl: 'https://bitbucket.org',
        repository: { fullName: 'brydzewski/foo', name: 'foo', owner: 'brydzewski', url: 'https://bitbucket.org/brydzewski/foo' },
        ref: 'refs/heads/master',
        refType: 'branch',
        branch: 'master',
        before: '40e7580cf11311d84a6e5e97e2cbba6df1675750',
        after: PUSHED,
        commit: {
          id: PUSHED,
          message: 'Update README\n',
          author: 'brydzewski',
          timestamp: '2018-07-02T20:26:56.000Z',
          url: `https://bitbucket.org/brydzewski/foo/commits/${PUSHED}`,
        },
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: PUSHED,
      GIT_CHANGE_SUBJECT: 'Update README',
      GIT_EVENT_OWNER_NAME: 'brydzewski',
      GIT_EVENT_DESCRIPTION: 'push to master by brydzewski',
      GIT_EVENT_TIMESTAMP: '2018-07-02T20:26:56.000Z',
      GIT_REPO_NAME: 'brydzewski/foo',
      GIT_SERVER_URL: 'https://bitbucket.org',
    });
  });

  it('one push moving three refs gives three events, each with its own delivery id', () => {
    const request = variant('bitbucket-cloud/repo_push.branch', (body) => {
      const update = firstChange(body);
      const createdTag = { ...update, created: true, old: null, new: { ...(update.new as object), type: 'tag', name: 'v1.0.0' } };
      const deletedBranch = { ...update, closed: true, new: null, old: { ...(update.old as object), name: 'feature/old' } };
      (body.push as { changes: unknown[] }).changes = [update, createdTag, deletedBranch];
    });
    const [push, tag, deleted] = receiveAll(request);
    expect(push).toMatchObject({ kind: 'push', deliveryId: '5de779eb-62d3-406f-924f-421c09f9b9fa#1', git: { branch: 'master' } });
    expect(tag).toMatchObject({
      kind: 'tag',
      deliveryId: '5de779eb-62d3-406f-924f-421c09f9b9fa#2',
      git: { ref: 'refs/tags/v1.0.0', refType: 'tag', tag: 'v1.0.0', before: ZEROS, after: PUSHED },
    });
    expect(nativeTriggerInput(tag!)).toEqual({
      GIT_BRANCH_NAME: '',
      GIT_COMMIT_ID: PUSHED,
      GIT_CHANGE_SUBJECT: 'Update README',
      GIT_EVENT_OWNER_NAME: 'brydzewski',
      GIT_EVENT_DESCRIPTION: 'tag v1.0.0 pushed by brydzewski',
      GIT_EVENT_TIMESTAMP: '2018-07-02T20:26:56.000Z',
      GIT_REPO_NAME: 'brydzewski/foo',
      GIT_SERVER_URL: 'https://bitbucket.org',
    });
    expect(deleted).toMatchObject({
      kind: 'delete',
      deliveryId: '5de779eb-62d3-406f-924f-421c09f9b9fa#3',
      git: {
        ref: 'refs/heads/feature/old',
        refType: 'branch',
        branch: 'feature/old',
        before: '40e7580cf11311d84a6e5e97e2cbba6df1675750',
        after: ZEROS,
      },
    });
    expect(deleted?.git?.commit).toBeUndefined();
    expect(nativeTriggerInput(deleted!)).toEqual({
      GIT_BRANCH_NAME: 'feature/old',
      GIT_COMMIT_ID: ZEROS,
      GIT_CHANGE_SUBJECT: '',
      GIT_EVENT_OWNER_NAME: 'brydzewski',
      GIT_EVENT_DESCRIPTION: 'branch feature/old deleted by brydzewski',
      GIT_EVENT_TIMESTAMP: '2026-11-28T12:00:00.000Z',
      GIT_REPO_NAME: 'brydzewski/foo',
      GIT_SERVER_URL: 'https://bitbucket.org',
    });
  });

  it('prefers nicknames (Bitbucket dropped usernames in 2019), else the Git author name without the email', () => {
    const request = variant('bitbucket-cloud/repo_push.branch', (body) => {
      body.actor = { display_name: 'Brad Rydzewski', nickname: 'brad' };
      const target = (firstChange(body).new as { target: Record<string, unknown> }).target;
      target.author = { raw: 'Brad Rydzewski <brad.rydzewski@gmail.com>', type: 'author' };
    });
    expect(receive(request)).toMatchObject({ sender: 'brad', git: { commit: { author: 'Brad Rydzewski' } } });
  });

  it('pull request created: target branch, source head and title as native inputs', () => {
    const event = receive(fixture('bitbucket-cloud/pullrequest_created'));
    expect(event).toEqual({
      source: 'bitbucket-acme',
      provider: 'bitbucket-cloud',
      kind: 'pull_request',
      event: 'pullrequest:created',
      action: 'created',
      deliveryId: 'e88441e4-9dcc-421b-8835-9024339fd4a9',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2018-07-02T21:51:39.532Z',
      sender: 'brydzewski',
      git: {
        serverUrl: 'https://bitbucket.org',
        repository: { fullName: 'brydzewski/foo', name: 'foo', owner: 'brydzewski', url: 'https://bitbucket.org/brydzewski/foo' },
        commit: { id: '507a576e59b3', message: 'Awesome new feature' },
        pullRequest: {
          number: 1,
          title: 'Awesome new feature',
          state: 'OPEN',
          sourceBranch: 'develop',
          targetBranch: 'master',
          merged: false,
          url: 'https://bitbucket.org/brydzewski/foo/pull-requests/1',
          headCommit: '507a576e59b3',
        },
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: '507a576e59b3',
      GIT_CHANGE_SUBJECT: 'Awesome new feature',
      GIT_EVENT_OWNER_NAME: 'brydzewski',
      GIT_EVENT_DESCRIPTION: 'pull request #1 opened by brydzewski',
      GIT_EVENT_TIMESTAMP: '2018-07-02T21:51:39.532Z',
      GIT_REPO_NAME: 'brydzewski/foo',
      GIT_SERVER_URL: 'https://bitbucket.org',
    });
  });

  it('a fulfilled pull request is merged and uses its merge commit', () => {
    const request = variant(
      'bitbucket-cloud/pullrequest_created',
      (body) => Object.assign(pullRequestOf(body), { state: 'MERGED', merge_commit: { hash: '9f2c4e1a7b3d' } }),
      { 'x-event-key': 'pullrequest:fulfilled' },
    );
    const event = receive(request);
    expect(event).toMatchObject({
      action: 'fulfilled',
      git: {
        commit: { id: '9f2c4e1a7b3d' },
        pullRequest: { state: 'MERGED', merged: true, headCommit: '507a576e59b3', mergeCommit: '9f2c4e1a7b3d' },
      },
    });
    expect(nativeTriggerInput(event)).toMatchObject({
      GIT_COMMIT_ID: '9f2c4e1a7b3d',
      GIT_EVENT_DESCRIPTION: 'pull request #1 merged by brydzewski',
    });
  });

  it('a rejected (declined) pull request is not merged', () => {
    const request = variant('bitbucket-cloud/pullrequest_created', (body) => Object.assign(pullRequestOf(body), { state: 'DECLINED' }), {
      'x-event-key': 'pullrequest:rejected',
    });
    const event = receive(request);
    expect(event).toMatchObject({ kind: 'pull_request', action: 'rejected', git: { pullRequest: { state: 'DECLINED', merged: false } } });
    expect(event.git?.pullRequest?.mergeCommit).toBeUndefined();
  });

  it('a comment on a pull request is other, still naming the pull request', () => {
    const request = withHeaders(fixture('bitbucket-cloud/pullrequest_created'), { 'x-event-key': 'pullrequest:comment_created' });
    const event = receive(request);
    expect(event).toMatchObject({
      kind: 'other',
      event: 'pullrequest:comment_created',
      action: 'comment_created',
      git: { pullRequest: { number: 1 } },
    });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: '507a576e59b3',
      GIT_CHANGE_SUBJECT: 'Awesome new feature',
      GIT_EVENT_OWNER_NAME: 'brydzewski',
      GIT_EVENT_DESCRIPTION: 'pullrequest:comment_created from bitbucket-cloud by brydzewski',
      GIT_EVENT_TIMESTAMP: '2018-07-02T21:51:39.532Z',
      GIT_REPO_NAME: 'brydzewski/foo',
      GIT_SERVER_URL: 'https://bitbucket.org',
    });
  });

  it('names events it does not model as other, with the repository', () => {
    const request = withHeaders(fixture('bitbucket-cloud/repo_push.branch'), { 'x-event-key': 'repo:fork' });
    expect(receive(request)).toMatchObject({
      kind: 'other',
      event: 'repo:fork',
      action: 'fork',
      sender: 'brydzewski',
      git: { serverUrl: 'https://bitbucket.org', repository: { fullName: 'brydzewski/foo' } },
    });
  });
});

describe('bitbucket-cloud: bad input', () => {
  it('refuses a delivery without X-Event-Key', () => {
    expect(() => receive(withHeaders(fixture('bitbucket-cloud/repo_push.branch'), { 'x-event-key': undefined }))).toThrow(
      new UnknownEventError('the X-Event-Key header is missing'),
    );
  });

  it('refuses an event key Bitbucket never sends', () => {
    expect(() => receive(withHeaders(fixture('bitbucket-cloud/repo_push.branch'), { 'x-event-key': 'Push Hook' }))).toThrow(
      new UnknownEventError('the X-Event-Key header "Push Hook" is not a Bitbucket event'),
    );
  });

  it.each([
    ['a push without push', 'bitbucket-cloud/repo_push.branch', '{"repository": {"full_name": "a/b"}}', 'the body has no push'],
    ['a push without changes', 'bitbucket-cloud/repo_push.branch', '{"push": {"changes": []}}', 'the body has no push.changes'],
    [
      'a push without a repository',
      'bitbucket-cloud/repo_push.branch',
      '{"push": {"changes": [{"new": {"type": "branch", "name": "main"}}]}}',
      'the body has no repository',
    ],
    [
      'a change without a ref name',
      'bitbucket-cloud/repo_push.branch',
      '{"push": {"changes": [{"new": {"type": "branch"}}]}}',
      'the body has no push.changes[].new.name',
    ],
    [
      'a pull request without pullrequest',
      'bitbucket-cloud/pullrequest_created',
      '{"repository": {"full_name": "a/b"}}',
      'the body has no pullrequest',
    ],
    [
      'a pull request without an id',
      'bitbucket-cloud/pullrequest_created',
      '{"repository": {"full_name": "a/b"}, "pullrequest": {"title": "t"}}',
      'the body has no pullrequest.id',
    ],
  ])('refuses a body that is %s', (_case, name, body, message) => {
    const request = signed(fixture(name), Buffer.from(body), TEST_SECRET, SHA256);
    expect(() => receiveAll(request)).toThrow(MalformedBodyError);
    expect(() => receiveAll(request)).toThrow(message);
  });
});

import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { InvalidSignatureError, MalformedBodyError, MissingSignatureError, UnknownEventError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, signed, tampered, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const SHA256 = { header: 'x-hub-signature', algorithm: 'sha256', prefix: 'sha256=' };
const ZEROS = '0000000000000000000000000000000000000000';
const WIP_HEAD = '32a0b8a740c2963c6f56bd8baf3dc05683d299e0';
const MERGE_COMMIT = 'cbf26be7bfc8394906abbd571498fb8d28888b58';
const REPOSITORY = {
  fullName: '~gopher/webhook-test',
  name: 'webhook-test',
  owner: '~gopher',
  url: 'https://server.bitbucket.local/users/gopher/repos/webhook-test',
  cloneUrl: 'https://server.bitbucket.local/scm/~gopher/webhook-test.git',
};

function receiveAll(request: WebhookRequest, options?: Record<string, unknown>) {
  return receiveWebhook({ name: 'bitbucket-dc', provider: 'bitbucket-server', secrets: [TEST_SECRET], options }, request, RECEIVED_AT).events;
}

function receive(request: WebhookRequest, options?: Record<string, unknown>) {
  const events = receiveAll(request, options);
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

/** The fixture as a webhook with Basic authentication instead of a secret sends it. */
function withBasicAuth(name: string, user: string, password: string): WebhookRequest {
  const credentials = Buffer.from(`${user}:${password}`).toString('base64');
  return withHeaders(fixture(name), { 'x-hub-signature': undefined, authorization: `Basic ${credentials}` });
}

describeCommonCases('bitbucket-server');

describe('bitbucket-server: Basic authentication', () => {
  it('accepts a secret as the password, with any user unless one is configured', () => {
    expect(receive(withBasicAuth('bitbucket-server/pr_opened', 'ci', TEST_SECRET)).kind).toBe('pull_request');
    expect(receive(withBasicAuth('bitbucket-server/pr_opened', 'ci', TEST_SECRET), { username: 'ci' }).kind).toBe('pull_request');
  });

  it('refuses a wrong password', () => {
    expect(() => receive(withBasicAuth('bitbucket-server/pr_opened', 'ci', 'a-wrong-secret'))).toThrow(InvalidSignatureError);
  });

  it('refuses another user than the configured one', () => {
    expect(() => receive(withBasicAuth('bitbucket-server/pr_opened', 'mallory', TEST_SECRET), { username: 'ci' })).toThrow(
      new InvalidSignatureError("the Basic credentials match none of the source's secrets"),
    );
  });

  it('refuses an Authorization header that is not Basic', () => {
    const request = withHeaders(fixture('bitbucket-server/pr_opened'), { 'x-hub-signature': undefined, authorization: 'Bearer abc' });
    expect(() => receive(request)).toThrow(MissingSignatureError);
  });

  it('checks the signature whenever one is sent, whatever the Basic credentials', () => {
    const credentials = Buffer.from(`ci:${TEST_SECRET}`).toString('base64');
    const request = withHeaders(tampered(fixture('bitbucket-server/pr_opened')), { authorization: `Basic ${credentials}` });
    expect(() => receive(request)).toThrow(InvalidSignatureError);
  });
});

describe('bitbucket-server: normalising', () => {
  it('refs_changed deleting a branch, with its native-trigger inputs', () => {
    const event = receive(fixture('bitbucket-server/repo_refs_changed'));
    expect(event).toEqual({
      source: 'bitbucket-dc',
      provider: 'bitbucket-server',
      kind: 'delete',
      event: 'repo:refs_changed',
      deliveryId: 'b85b07f8-3300-4ea9-b663-00ab6fcf534a',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2019-03-01T09:37:14.000Z',
      sender: 'gopher',
      git: {
        serverUrl: 'https://server.bitbucket.local',
        repository: REPOSITORY,
        ref: 'refs/heads/feature/wip',
        refType: 'branch',
        branch: 'feature/wip',
        before: WIP_HEAD,
        after: ZEROS,
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'feature/wip',
      GIT_COMMIT_ID: ZEROS,
      GIT_CHANGE_SUBJECT: '',
      GIT_EVENT_OWNER_NAME: 'gopher',
      GIT_EVENT_DESCRIPTION: 'branch feature/wip deleted by gopher',
      GIT_EVENT_TIMESTAMP: '2019-03-01T09:37:14.000Z',
      GIT_REPO_NAME: '~gopher/webhook-test',
      GIT_SERVER_URL: 'https://server.bitbucket.local',
    });
  });

  it('one refs_changed moving three refs gives three events; Data Center 8 commit details are used', () => {
    const pushed = 'e2f5b7c1d3a4968b0f1e2d3c4b5a69788796a5b4';
    const tagged = '7a1c3e5f9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a';
    const request = variant('bitbucket-server/repo_refs_changed', (body) => {
      const [deletion] = body.changes as unknown[];
      body.changes = [
        {
          ref: { id: 'refs/heads/master', displayId: 'master', type: 'BRANCH' },
          refId: 'refs/heads/master',
          fromHash: WIP_HEAD,
          toHash: pushed,
          type: 'UPDATE',
        },
        {
          ref: { id: 'refs/tags/v1.0.0', displayId: 'v1.0.0', type: 'TAG' },
          refId: 'refs/tags/v1.0.0',
          fromHash: ZEROS,
          toHash: tagged,
          type: 'ADD',
        },
        deletion,
      ];
      body.toCommit = {
        id: pushed,
        displayId: pushed.slice(0, 11),
        message: 'Update README\n\nWith more detail.',
        author: { name: 'gopher', emailAddress: 'foo@bar.com' },
        authorTimestamp: 1551433020000,
      };
    });
    const [push, tag, deleted] = receiveAll(request);
    expect(push).toMatchObject({
      kind: 'push',
      deliveryId: 'b85b07f8-3300-4ea9-b663-00ab6fcf534a#1',
      git: {
        branch: 'master',
        before: WIP_HEAD,
        after: pushed,
        commit: { id: pushed, message: 'Update README\n\nWith more detail.', author: 'gopher', timestamp: '2019-03-01T09:37:00.000Z' },
      },
    });
    expect(nativeTriggerInput(push!)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: pushed,
      GIT_CHANGE_SUBJECT: 'Update README',
      GIT_EVENT_OWNER_NAME: 'gopher',
      GIT_EVENT_DESCRIPTION: 'push to master by gopher',
      GIT_EVENT_TIMESTAMP: '2019-03-01T09:37:14.000Z',
      GIT_REPO_NAME: '~gopher/webhook-test',
      GIT_SERVER_URL: 'https://server.bitbucket.local',
    });
    expect(tag).toMatchObject({
      kind: 'tag',
      deliveryId: 'b85b07f8-3300-4ea9-b663-00ab6fcf534a#2',
      git: { ref: 'refs/tags/v1.0.0', refType: 'tag', tag: 'v1.0.0', before: ZEROS, after: tagged, commit: { id: tagged } },
    });
    expect(nativeTriggerInput(tag!)).toEqual({
      GIT_BRANCH_NAME: '',
      GIT_COMMIT_ID: tagged,
      GIT_CHANGE_SUBJECT: '',
      GIT_EVENT_OWNER_NAME: 'gopher',
      GIT_EVENT_DESCRIPTION: 'tag v1.0.0 pushed by gopher',
      GIT_EVENT_TIMESTAMP: '2019-03-01T09:37:14.000Z',
      GIT_REPO_NAME: '~gopher/webhook-test',
      GIT_SERVER_URL: 'https://server.bitbucket.local',
    });
    expect(deleted).toMatchObject({ kind: 'delete', deliveryId: 'b85b07f8-3300-4ea9-b663-00ab6fcf534a#3', git: { branch: 'feature/wip' } });
  });

  it('keeps the context path of a server not at the root of its host', () => {
    const request = variant('bitbucket-server/repo_refs_changed', (body) => {
      const repository = body.repository as Record<string, unknown>;
      repository.links = { self: [{ href: 'https://example.com/stash/projects/TF/repos/webhook-test/browse' }] };
    });
    expect(receive(request).git).toMatchObject({
      serverUrl: 'https://example.com/stash',
      repository: { url: 'https://example.com/stash/projects/TF/repos/webhook-test' },
    });
  });

  it('takes the server URL from the serverUrl option when the repository has no link', () => {
    const request = variant('bitbucket-server/repo_refs_changed', (body) => {
      delete (body.repository as Record<string, unknown>).links;
    });
    expect(receive(request, { serverUrl: 'https://bitbucket.example.com/' }).git?.serverUrl).toBe('https://bitbucket.example.com');
    expect(receive(request).git?.serverUrl).toBe('');
  });

  it('pull request opened: target branch, source head and title as native inputs', () => {
    const event = receive(fixture('bitbucket-server/pr_opened'));
    expect(event).toEqual({
      source: 'bitbucket-dc',
      provider: 'bitbucket-server',
      kind: 'pull_request',
      event: 'pr:opened',
      action: 'opened',
      deliveryId: 'e8c134d5-e701-4476-afa8-057d4c831c50',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2019-03-01T09:31:15.000Z',
      sender: 'gopher',
      git: {
        serverUrl: 'https://server.bitbucket.local',
        repository: REPOSITORY,
        commit: { id: WIP_HEAD, message: 'Update README' },
        pullRequest: {
          number: 5,
          title: 'Update README',
          state: 'OPEN',
          sourceBranch: 'feature/wip',
          targetBranch: 'master',
          merged: false,
          url: 'https://server.bitbucket.local/users/gopher/repos/webhook-test/pull-requests/5',
          headCommit: WIP_HEAD,
        },
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: WIP_HEAD,
      GIT_CHANGE_SUBJECT: 'Update README',
      GIT_EVENT_OWNER_NAME: 'gopher',
      GIT_EVENT_DESCRIPTION: 'pull request #5 opened by gopher',
      GIT_EVENT_TIMESTAMP: '2019-03-01T09:31:15.000Z',
      GIT_REPO_NAME: '~gopher/webhook-test',
      GIT_SERVER_URL: 'https://server.bitbucket.local',
    });
  });

  it('pull request merged: the merge commit from its properties', () => {
    const event = receive(fixture('bitbucket-server/pr_merged'));
    expect(event).toMatchObject({
      kind: 'pull_request',
      event: 'pr:merged',
      action: 'merged',
      deliveryId: '1e8d051e-9c8a-4fce-8c2b-ed43b70f033e',
      occurredAt: '2019-03-01T09:37:14.000Z',
      sender: 'gopher',
      git: {
        repository: { fullName: '~gopher/webhook-test' },
        commit: { id: MERGE_COMMIT, message: 'Update README' },
        pullRequest: {
          number: 5,
          state: 'MERGED',
          merged: true,
          sourceBranch: 'feature/wip',
          targetBranch: 'master',
          headCommit: WIP_HEAD,
          mergeCommit: MERGE_COMMIT,
        },
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: MERGE_COMMIT,
      GIT_CHANGE_SUBJECT: 'Update README',
      GIT_EVENT_OWNER_NAME: 'gopher',
      GIT_EVENT_DESCRIPTION: 'pull request #5 merged by gopher',
      GIT_EVENT_TIMESTAMP: '2019-03-01T09:37:14.000Z',
      GIT_REPO_NAME: '~gopher/webhook-test',
      GIT_SERVER_URL: 'https://server.bitbucket.local',
    });
  });

  it('a reviewer approving is a pull request event with a two-part action', () => {
    const request = withHeaders(fixture('bitbucket-server/pr_merged'), { 'x-event-key': 'pr:reviewer:approved' });
    expect(receive(request)).toMatchObject({ kind: 'pull_request', action: 'reviewer:approved', git: { pullRequest: { number: 5 } } });
  });

  it('a comment on a pull request is other, still naming the pull request', () => {
    const event = receive(withHeaders(fixture('bitbucket-server/pr_opened'), { 'x-event-key': 'pr:comment:added' }));
    expect(event).toMatchObject({ kind: 'other', event: 'pr:comment:added', action: 'comment:added', git: { pullRequest: { number: 5 } } });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: WIP_HEAD,
      GIT_CHANGE_SUBJECT: 'Update README',
      GIT_EVENT_OWNER_NAME: 'gopher',
      GIT_EVENT_DESCRIPTION: 'pr:comment:added from bitbucket-server by gopher',
      GIT_EVENT_TIMESTAMP: '2019-03-01T09:31:15.000Z',
      GIT_REPO_NAME: '~gopher/webhook-test',
      GIT_SERVER_URL: 'https://server.bitbucket.local',
    });
  });

  it('names events it does not model as other, with the repository', () => {
    const request = withHeaders(fixture('bitbucket-server/repo_refs_changed'), { 'x-event-key': 'repo:modified' });
    expect(receive(request)).toMatchObject({
      kind: 'other',
      event: 'repo:modified',
      action: 'modified',
      sender: 'gopher',
      git: { repository: REPOSITORY },
    });
  });

  it('diagnostics:ping ("Test connection") is a ping', () => {
    const request = signed(
      withHeaders(fixture('bitbucket-server/pr_opened'), { 'x-event-key': 'diagnostics:ping' }),
      Buffer.from('{"test": true}'),
      TEST_SECRET,
      SHA256,
    );
    const event = receive(request);
    expect(event).toEqual({
      source: 'bitbucket-dc',
      provider: 'bitbucket-server',
      kind: 'ping',
      event: 'diagnostics:ping',
      deliveryId: 'e8c134d5-e701-4476-afa8-057d4c831c50',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2026-11-28T12:00:00.000Z',
    });
    expect(nativeTriggerInput(event)).toEqual({});
  });
});

describe('bitbucket-server: bad input', () => {
  it('refuses a delivery without X-Event-Key', () => {
    expect(() => receive(withHeaders(fixture('bitbucket-server/pr_opened'), { 'x-event-key': undefined }))).toThrow(
      new UnknownEventError('the X-Event-Key header is missing'),
    );
  });

  it('refuses an event key Bitbucket never sends', () => {
    expect(() => receive(withHeaders(fixture('bitbucket-server/pr_opened'), { 'x-event-key': 'pr' }))).toThrow(
      new UnknownEventError('the X-Event-Key header "pr" is not a Bitbucket event'),
    );
  });

  const repository = '"repository": {"slug": "r", "project": {"key": "P"}}';
  it.each([
    ['a push without changes', 'bitbucket-server/repo_refs_changed', `{${repository}}`, 'the body has no changes'],
    [
      'a push without a repository',
      'bitbucket-server/repo_refs_changed',
      '{"changes": [{"ref": {"id": "refs/heads/main"}}]}',
      'the body has no repository',
    ],
    [
      'a push whose repository has no project',
      'bitbucket-server/repo_refs_changed',
      '{"repository": {"slug": "r"}, "changes": [{"ref": {"id": "refs/heads/main"}}]}',
      'the body has no repository.project.key',
    ],
    [
      'a change without a ref',
      'bitbucket-server/repo_refs_changed',
      `{${repository}, "changes": [{"toHash": "abc"}]}`,
      'the body has no changes[].ref.id',
    ],
    ['a pull request event without pullRequest', 'bitbucket-server/pr_opened', `{${repository}}`, 'the body has no pullRequest'],
    [
      'a pull request without its target repository',
      'bitbucket-server/pr_opened',
      '{"pullRequest": {"id": 5}}',
      'the body has no pullRequest.toRef.repository',
    ],
    [
      'a pull request without an id',
      'bitbucket-server/pr_opened',
      `{"pullRequest": {"toRef": {"displayId": "main", ${repository}}}}`,
      'the body has no pullRequest.id',
    ],
  ])('refuses a body that is %s', (_case, name, body, message) => {
    const request = signed(fixture(name), Buffer.from(body), TEST_SECRET, SHA256);
    expect(() => receiveAll(request)).toThrow(MalformedBodyError);
    expect(() => receiveAll(request)).toThrow(message);
  });
});

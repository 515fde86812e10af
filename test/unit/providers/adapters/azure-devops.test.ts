import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { azureDevops } from '../../../../lambda/providers/adapters/azure-devops';
import { InvalidSignatureError, MalformedBodyError, MissingSignatureError, UnknownEventError } from '../../../../lambda/providers/errors';
import { bodyDeliveryId, receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const ZERO = '0000000000000000000000000000000000000000';
const HEAD = '33b55f7cb7e7e245323987634f960cf4a6e6bc74';
const REMOTE_URL = 'https://dev.azure.com/fabrikam-fiber-inc/DefaultCollection/_git/Fabrikam-Fiber-Git';

function receiveAll(request: WebhookRequest, options?: Record<string, unknown>) {
  return receiveWebhook({ name: 'azure-acme', provider: 'azure-devops', secrets: [TEST_SECRET], options }, request, RECEIVED_AT).events;
}

function receive(request: WebhookRequest, options?: Record<string, unknown>) {
  const events = receiveAll(request, options);
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** The captured push delivery (its Basic credentials intact: they do not cover the body) with another body. */
function delivery(body: unknown): WebhookRequest {
  return { ...fixture('azure-devops/git.push'), body: Buffer.from(JSON.stringify(body)) };
}

/** The push body with its resource changed. */
function pushBody(resource: Record<string, unknown>, changes: Record<string, unknown> = {}): Record<string, unknown> {
  const body = fixtureJson('azure-devops/git.push');
  return { ...body, resource: { ...(body.resource as Record<string, unknown>), ...resource }, ...changes };
}

/**
 * A pull request delivery around the push's repository. The resource is trimmed from Microsoft's
 * pull request examples (go-playground/webhooks testdata/azuredevops/git.pullrequest.*.json), with the
 * target branch set to this repository's default branch.
 */
function pullRequestBody(eventType: string, status: string): Record<string, unknown> {
  const body = fixtureJson('azure-devops/git.push');
  const { repository } = body.resource as Record<string, unknown>;
  return {
    ...body,
    id: '6872ee8c-b333-4eff-bfb9-0d5274943566',
    eventType,
    resource: {
      repository,
      pullRequestId: 1,
      status,
      createdBy: { displayName: 'Jamal Hartnett', uniqueName: 'fabrikamfiber4@hotmail.com' },
      creationDate: '2014-06-17T16:55:46.589889Z',
      title: 'my first pull request',
      sourceRefName: 'refs/heads/mytopic',
      targetRefName: 'refs/heads/main',
      mergeStatus: 'succeeded',
      lastMergeSourceCommit: { commitId: '53d54ac915144006c2c9e90d2c7d3880920db49c' },
      lastMergeTargetCommit: { commitId: 'a511f535b1ea495ee0c903badb68fbc83772c882' },
      lastMergeCommit: { commitId: 'eef717f69257a6333f221566c1c987dc94cc0d72' },
    },
    createdDate: '2016-09-19T13:03:27.3156388Z',
  };
}

describeCommonCases('azure-devops');

describe('azure-devops: authentication options', () => {
  it('declares its options', () => {
    expect(azureDevops.optionsSchema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: { username: { type: 'string' }, tokenHeader: { type: 'string' } },
    });
  });

  it('checks the Basic user name when the option is set', () => {
    expect(receive(fixture('azure-devops/git.push'), { username: 'relay' }).kind).toBe('push');
    expect(() => receive(fixture('azure-devops/git.push'), { username: 'someone-else' })).toThrow(InvalidSignatureError);
  });

  it('with a token header, ignores Basic credentials: the header must carry the secret', () => {
    expect(() => receive(fixture('azure-devops/git.push'), { tokenHeader: 'X-Relay-Token' })).toThrow(
      new MissingSignatureError('the X-Relay-Token header is missing'),
    );
  });

  it('refuses Basic credentials without a colon', () => {
    const request = withHeaders(fixture('azure-devops/git.push'), { authorization: `Basic ${Buffer.from(TEST_SECRET).toString('base64')}` });
    expect(() => receive(request)).toThrow(InvalidSignatureError);
  });
});

describe('azure-devops: normalising', () => {
  it('the docs push: one ref update, one event', () => {
    expect(receive(fixture('azure-devops/git.push'))).toEqual({
      source: 'azure-acme',
      provider: 'azure-devops',
      kind: 'push',
      event: 'git.push',
      deliveryId: '03c164c2-8912-4d5e-8009-3707d5f83734',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2016-09-19T13:03:27.037Z',
      sender: 'Windows Live ID\\fabrikamfiber4@hotmail.com',
      git: {
        // The docs example names no collection URL: the origin of the remote URL stands in.
        serverUrl: 'https://dev.azure.com',
        repository: {
          fullName: 'Fabrikam-Fiber-Git/Fabrikam-Fiber-Git',
          name: 'Fabrikam-Fiber-Git',
          owner: 'Fabrikam-Fiber-Git',
          url: REMOTE_URL,
          cloneUrl: REMOTE_URL,
          defaultBranch: 'main',
        },
        ref: 'refs/heads/main',
        refType: 'branch',
        branch: 'main',
        before: 'aad331d8d3b131fa9ae03cf5e53965b51942618a',
        after: HEAD,
        commit: {
          id: HEAD,
          message: 'Fixed bug in web.config file',
          author: 'Jamal Hartnett',
          timestamp: '2015-02-25T19:01:00.000Z',
          url: `${REMOTE_URL}/commit/${HEAD}`,
        },
      },
    });
  });

  it('the docs push as native inputs', () => {
    expect(nativeTriggerInput(receive(fixture('azure-devops/git.push')))).toEqual({
      GIT_BRANCH_NAME: 'main',
      GIT_COMMIT_ID: HEAD,
      GIT_CHANGE_SUBJECT: 'Fixed bug in web.config file',
      GIT_EVENT_OWNER_NAME: 'Windows Live ID\\fabrikamfiber4@hotmail.com',
      GIT_EVENT_DESCRIPTION: 'push to main by Windows Live ID\\fabrikamfiber4@hotmail.com',
      GIT_EVENT_TIMESTAMP: '2016-09-19T13:03:27.037Z',
      GIT_REPO_NAME: 'Fabrikam-Fiber-Git/Fabrikam-Fiber-Git',
      GIT_SERVER_URL: 'https://dev.azure.com',
    });
  });

  it('one push updating several refs gives one event per ref, each with its own delivery id', () => {
    const body = pushBody({
      refUpdates: [
        { name: 'refs/heads/main', oldObjectId: 'aad331d8d3b131fa9ae03cf5e53965b51942618a', newObjectId: HEAD },
        { name: 'refs/tags/v1.0.0', oldObjectId: ZERO, newObjectId: HEAD },
        { name: 'refs/heads/old-topic', oldObjectId: 'aad331d8d3b131fa9ae03cf5e53965b51942618a', newObjectId: ZERO },
      ],
    });
    const [branch, tag, deleted, ...rest] = receiveAll(delivery(body));
    expect(rest).toEqual([]);
    expect(branch).toMatchObject({ kind: 'push', deliveryId: '03c164c2-8912-4d5e-8009-3707d5f83734#1', git: { branch: 'main', commit: { id: HEAD } } });
    expect(tag).toMatchObject({
      kind: 'tag',
      deliveryId: '03c164c2-8912-4d5e-8009-3707d5f83734#2',
      git: { tag: 'v1.0.0', before: ZERO, after: HEAD, commit: { message: 'Fixed bug in web.config file' } },
    });
    expect(deleted).toMatchObject({ kind: 'delete', deliveryId: '03c164c2-8912-4d5e-8009-3707d5f83734#3', git: { branch: 'old-topic', after: ZERO } });
    expect(deleted?.git?.commit).toBeUndefined();
    expect(nativeTriggerInput(tag!)).toMatchObject({ GIT_COMMIT_ID: HEAD, GIT_EVENT_DESCRIPTION: 'tag v1.0.0 pushed by Windows Live ID\\fabrikamfiber4@hotmail.com' });
    expect(nativeTriggerInput(deleted!).GIT_EVENT_DESCRIPTION).toBe('branch old-topic deleted by Windows Live ID\\fabrikamfiber4@hotmail.com');
  });

  it('gives the delivery id as sent beside its events, even one that ends like an event’s', () => {
    const updates = [
      { name: 'refs/heads/main', newObjectId: HEAD },
      { name: 'refs/heads/next', newObjectId: HEAD },
    ];
    const request = delivery(pushBody({ refUpdates: updates }, { id: 'retry#1' }));
    const { deliveryId, events } = receiveWebhook({ name: 'azure-acme', provider: 'azure-devops', secrets: [TEST_SECRET] }, request, RECEIVED_AT);
    expect({ deliveryId, events: events.map((event) => event.deliveryId) }).toEqual({ deliveryId: 'retry#1', events: ['retry#1#1', 'retry#1#2'] });
  });

  it('a ref whose commit is not listed has no commit when the push updated several refs', () => {
    const body = pushBody({
      refUpdates: [
        { name: 'refs/heads/main', oldObjectId: 'aad331d8d3b131fa9ae03cf5e53965b51942618a', newObjectId: HEAD },
        { name: 'refs/heads/other', oldObjectId: ZERO, newObjectId: 'a511f535b1ea495ee0c903badb68fbc83772c882' },
      ],
    });
    const other = receiveAll(delivery(body))[1];
    expect(other?.git?.commit).toBeUndefined();
    expect(nativeTriggerInput(other!).GIT_COMMIT_ID).toBe('a511f535b1ea495ee0c903badb68fbc83772c882');
  });

  it('takes the server URL from the collection, else the account, without a trailing slash', () => {
    const collection = pushBody({}, { resourceContainers: { collection: { id: 'c12d', baseUrl: 'https://dev.azure.com/fabrikam-fiber-inc/' } } });
    expect(receive(delivery(collection)).git?.serverUrl).toBe('https://dev.azure.com/fabrikam-fiber-inc');
    const account = pushBody({}, { resourceContainers: { account: { id: 'f844', baseUrl: 'https://tfs.example.com/tfs/DefaultCollection/' } } });
    expect(receive(delivery(account)).git?.serverUrl).toBe('https://tfs.example.com/tfs/DefaultCollection');
  });

  it('falls back to notificationId, then to a hash of the body, for the delivery id', () => {
    const { id: _id, ...withoutId } = fixtureJson('azure-devops/git.push');
    expect(receive(delivery({ ...withoutId, notificationId: 4 })).deliveryId).toBe('4');
    const request = delivery(withoutId);
    expect(receive(request).deliveryId).toBe(bodyDeliveryId(request.body));
  });

  it('pull request created: target branch, source head and title as native inputs', () => {
    const event = receive(delivery(pullRequestBody('git.pullrequest.created', 'active')));
    expect(event).toMatchObject({
      kind: 'pull_request',
      event: 'git.pullrequest.created',
      action: 'created',
      deliveryId: '6872ee8c-b333-4eff-bfb9-0d5274943566',
      occurredAt: '2016-09-19T13:03:27.315Z',
      sender: 'fabrikamfiber4@hotmail.com',
      git: {
        repository: { fullName: 'Fabrikam-Fiber-Git/Fabrikam-Fiber-Git' },
        commit: { id: '53d54ac915144006c2c9e90d2c7d3880920db49c', message: 'my first pull request' },
        pullRequest: {
          number: 1,
          title: 'my first pull request',
          state: 'active',
          sourceBranch: 'mytopic',
          targetBranch: 'main',
          merged: false,
          url: `${REMOTE_URL}/pullrequest/1`,
          headCommit: '53d54ac915144006c2c9e90d2c7d3880920db49c',
        },
      },
    });
    expect(event.git?.pullRequest?.mergeCommit).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'main',
      GIT_COMMIT_ID: '53d54ac915144006c2c9e90d2c7d3880920db49c',
      GIT_CHANGE_SUBJECT: 'my first pull request',
      GIT_EVENT_OWNER_NAME: 'fabrikamfiber4@hotmail.com',
      GIT_EVENT_DESCRIPTION: 'pull request #1 opened by fabrikamfiber4@hotmail.com',
      GIT_EVENT_TIMESTAMP: '2016-09-19T13:03:27.315Z',
      GIT_REPO_NAME: 'Fabrikam-Fiber-Git/Fabrikam-Fiber-Git',
      GIT_SERVER_URL: 'https://dev.azure.com',
    });
  });

  it.each([
    ['git.pullrequest.updated', 'updated'],
    ['git.pullrequest.merged', 'merged'],
  ])('a completed pull request (%s) is merged, with its merge commit', (eventType, action) => {
    const event = receive(delivery(pullRequestBody(eventType, 'completed')));
    expect(event).toMatchObject({
      kind: 'pull_request',
      action,
      git: { pullRequest: { state: 'completed', merged: true, mergeCommit: 'eef717f69257a6333f221566c1c987dc94cc0d72' } },
    });
    expect(nativeTriggerInput(event)).toMatchObject({
      GIT_COMMIT_ID: 'eef717f69257a6333f221566c1c987dc94cc0d72',
      GIT_EVENT_DESCRIPTION: 'pull request #1 merged by fabrikamfiber4@hotmail.com',
    });
  });

  it('git.pullrequest.merged on an active pull request is only a trial merge: not merged', () => {
    const event = receive(delivery(pullRequestBody('git.pullrequest.merged', 'active')));
    expect(event).toMatchObject({ kind: 'pull_request', action: 'merged', git: { pullRequest: { state: 'active', merged: false } } });
    expect(event.git?.pullRequest?.mergeCommit).toBeUndefined();
    expect(nativeTriggerInput(event).GIT_COMMIT_ID).toBe('53d54ac915144006c2c9e90d2c7d3880920db49c');
  });

  it('an abandoned pull request is not merged', () => {
    const event = receive(delivery(pullRequestBody('git.pullrequest.updated', 'abandoned')));
    expect(event.git?.pullRequest).toMatchObject({ state: 'abandoned', merged: false });
  });

  it('a pull request comment is other, with the repository of its pull request', () => {
    const pr = pullRequestBody('git.pullrequest.created', 'active');
    const body = {
      ...pr,
      eventType: 'ms.vss-code.git-pullrequest-comment-event',
      resource: { comment: { id: 2, content: 'Looks good' }, pullRequest: pr.resource },
    };
    expect(receive(delivery(body))).toMatchObject({
      kind: 'other',
      event: 'ms.vss-code.git-pullrequest-comment-event',
      git: { serverUrl: 'https://dev.azure.com', repository: { fullName: 'Fabrikam-Fiber-Git/Fabrikam-Fiber-Git' } },
    });
  });

  it('an event about no repository is other, without git', () => {
    const body = { ...fixtureJson('azure-devops/git.push'), eventType: 'build.complete', resource: { id: 2, status: 'succeeded' } };
    const event = receive(delivery(body));
    expect(event).toMatchObject({ kind: 'other', event: 'build.complete', occurredAt: '2016-09-19T13:03:27.037Z' });
    expect(event.git).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({});
  });
});

describe('azure-devops: bad input', () => {
  it('refuses a body without eventType', () => {
    const { eventType: _eventType, ...body } = fixtureJson('azure-devops/git.push');
    expect(() => receive(delivery(body))).toThrow(new UnknownEventError('the body has no eventType'));
  });

  it.each([
    ['a push without refUpdates', pushBody({ refUpdates: [] }), 'the body has no resource.refUpdates'],
    ['a ref update without newObjectId', pushBody({ refUpdates: [{ name: 'refs/heads/main' }] }), 'the body has no resource.refUpdates[0].newObjectId'],
    ['a push without a repository', pushBody({ repository: undefined }), 'the body has no resource.repository'],
    ['a repository without its project', pushBody({ repository: { name: 'r', remoteUrl: REMOTE_URL } }), 'the body has no resource.repository.project.name'],
    ['a pull request whose repository has no name', { ...pullRequestBody('git.pullrequest.created', 'active'), resource: { repository: {} } }, 'the body has no resource.repository.name'],
  ])('refuses a body that is %s', (_case, body, message) => {
    expect(() => receiveAll(delivery(body))).toThrow(MalformedBodyError);
    expect(() => receiveAll(delivery(body))).toThrow(message);
  });

  it('refuses a pull request without pullRequestId', () => {
    const body = pullRequestBody('git.pullrequest.created', 'active');
    delete (body.resource as Record<string, unknown>).pullRequestId;
    expect(() => receive(delivery(body))).toThrow(new MalformedBodyError('the body has no resource.pullRequestId'));
  });
});

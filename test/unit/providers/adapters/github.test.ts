import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { MalformedBodyError, UnknownEventError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, signed, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const SHA256 = { header: 'x-hub-signature-256', algorithm: 'sha256', prefix: 'sha256=' };

function receive(request: WebhookRequest) {
  const { events } = receiveWebhook({ name: 'github-acme', provider: 'github', secrets: [TEST_SECRET] }, request, RECEIVED_AT);
  expect(events).toHaveLength(1);
  return events[0]!;
}

describeCommonCases('github');

describe('github: normalising', () => {
  it('push creating a branch', () => {
    const event = receive(fixture('github/push.branch-created'));
    expect(event).toEqual({
      source: 'github-acme',
      provider: 'github',
      kind: 'push',
      event: 'push',
      deliveryId: '5ecc39b7-d405-47c5-a937-cc1e658d5686',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: expect.any(String),
      sender: 'Codertocat',
      git: expect.objectContaining({
        serverUrl: 'https://github.com',
        repository: {
          fullName: 'Codertocat/Hello-World',
          name: 'Hello-World',
          owner: 'Codertocat',
          url: 'https://github.com/Codertocat/Hello-World',
          cloneUrl: 'https://github.com/Codertocat/Hello-World.git',
          defaultBranch: 'master',
        },
        ref: 'refs/heads/master',
        refType: 'branch',
        branch: 'master',
        before: '0000000000000000000000000000000000000000',
        changedFiles: { added: ['README.md'], modified: [], removed: [] },
      }),
    });
    expect(event.git?.commit?.author).toBe('Codertocat');
    expect(event.git?.after).toBe(event.git?.commit?.id);
  });

  it('push of a tag, with its native-trigger inputs', () => {
    const event = receive(fixture('github/push.tag'));
    expect(event).toMatchObject({
      kind: 'tag',
      deliveryId: '52786a74-3eb5-40e3-b2d9-7addb6d1bf34',
      occurredAt: '2019-05-15T15:20:41.000Z',
      git: {
        ref: 'refs/tags/simple-tag',
        refType: 'tag',
        tag: 'simple-tag',
        after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        commit: {
          id: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
          message: 'Adding a .gitignore file',
          author: 'Codertocat',
          timestamp: '2019-05-15T15:20:41.000Z',
          url: 'https://github.com/Codertocat/Hello-World/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        },
        changedFiles: { added: ['.gitignore'], modified: [], removed: [] },
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: '',
      GIT_COMMIT_ID: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      GIT_CHANGE_SUBJECT: 'Adding a .gitignore file',
      GIT_EVENT_OWNER_NAME: 'Codertocat',
      GIT_EVENT_DESCRIPTION: 'tag simple-tag pushed by Codertocat',
      GIT_EVENT_TIMESTAMP: '2019-05-15T15:20:41.000Z',
      GIT_REPO_NAME: 'Codertocat/Hello-World',
      GIT_SERVER_URL: 'https://github.com',
    });
  });

  it.each([
    ['github/create.tag', 'create', 'tag', { tag: 'simple-tag', ref: 'refs/tags/simple-tag' }, 'Codertocat/Hello-World'],
    ['github/create.branch', 'create', 'branch', { branch: 'feature-branch', ref: 'refs/heads/feature-branch' }, 'bradrydzewski/drone-test-go'],
    ['github/delete.tag', 'delete', 'tag', { tag: 'simple-tag', ref: 'refs/tags/simple-tag' }, 'Codertocat/Hello-World'],
  ])('%s is a %s of a %s', (name, kind, refType, ref, repository) => {
    const event = receive(fixture(name));
    expect(event).toMatchObject({ kind, event: kind, git: { refType, ...ref, repository: { fullName: repository } } });
    expect(nativeTriggerInput(event).GIT_EVENT_DESCRIPTION).toMatch(new RegExp(`^${refType} \\S+ ${kind}d by \\S+$`));
  });

  it('pull request opened: target branch, source head and title as native inputs', () => {
    const event = receive(fixture('github/pull_request.opened'));
    expect(event).toMatchObject({
      kind: 'pull_request',
      action: 'opened',
      occurredAt: '2019-05-15T15:20:33.000Z',
      sender: 'Codertocat',
      git: {
        pullRequest: {
          number: 2,
          title: 'Update the README with new information.',
          state: 'open',
          sourceBranch: 'changes',
          targetBranch: 'master',
          merged: false,
          url: 'https://github.com/Codertocat/Hello-World/pull/2',
          headCommit: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
        },
      },
    });
    expect(nativeTriggerInput(event)).toMatchObject({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      GIT_CHANGE_SUBJECT: 'Update the README with new information.',
      GIT_EVENT_DESCRIPTION: 'pull request #2 opened by Codertocat',
    });
  });

  it('pull request synchronize and closed-unmerged keep their actions; unmerged has no merge commit', () => {
    expect(receive(fixture('github/pull_request.synchronize'))).toMatchObject({ action: 'synchronize', git: { pullRequest: { merged: false } } });
    const closed = receive(fixture('github/pull_request.closed-unmerged'));
    expect(closed).toMatchObject({ action: 'closed', git: { pullRequest: { state: 'closed', merged: false } } });
    expect(closed.git?.pullRequest?.mergeCommit).toBeUndefined();
  });

  it('a merged pull request uses the merge commit', () => {
    const body = fixtureJson('github/pull_request.closed-unmerged');
    const pr = body.pull_request as Record<string, unknown>;
    pr.merged = true;
    const raw = Buffer.from(JSON.stringify(body));
    const event = receive(signed(fixture('github/pull_request.closed-unmerged'), raw, TEST_SECRET, SHA256));
    expect(event.git?.pullRequest).toMatchObject({ merged: true, state: 'merged', mergeCommit: 'c4295bd74fb0f4fda03689c3df3f2803b658fd85' });
    expect(nativeTriggerInput(event)).toMatchObject({
      GIT_COMMIT_ID: 'c4295bd74fb0f4fda03689c3df3f2803b658fd85',
      GIT_EVENT_DESCRIPTION: 'pull request #2 merged by Codertocat',
    });
  });

  it('ping is recognised', () => {
    expect(receive(fixture('github/ping'))).toMatchObject({
      kind: 'ping',
      deliveryId: '5320b1b9-66fb-4639-ac08-6e11c0df7adc',
      git: { repository: { fullName: 'Octocoders/Hello-World' } },
    });
  });

  it('package published is an artifact push', () => {
    const event = receive(fixture('github/package.published'));
    expect(event).toMatchObject({
      kind: 'artifact_push',
      event: 'package',
      action: 'published',
      sender: 'Codertocat',
      artifact: {
        registry: 'ghcr.io',
        registryUrl: 'https://ghcr.io',
        namespace: 'Codertocat',
        repository: 'hello-world',
        image: 'Codertocat/hello-world',
        digest: 'sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b',
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        packageType: 'npm',
        pusher: 'Codertocat',
      },
    });
    expect(event.artifact?.tag).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2019-05-09T23:28:29.000Z',
      DOCKER_IMAGE_TAG: 'sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b',
      DOCKER_OWNER_NAME: 'Codertocat',
      DOCKER_REPO_NAME: 'hello-world',
      DOCKER_REPO_NAMESPACE: 'Codertocat',
      DOCKER_SERVER_URL: 'https://ghcr.io',
    });
  });

  it('registry_package is read like package', () => {
    const body = fixtureJson('github/package.published');
    const raw = Buffer.from(JSON.stringify({ ...body, registry_package: body.package, package: undefined }));
    const request = withHeaders(signed(fixture('github/package.published'), raw, TEST_SECRET, SHA256), { 'x-github-event': 'registry_package' });
    expect(receive(request)).toMatchObject({ kind: 'artifact_push', event: 'registry_package', artifact: { image: 'Codertocat/hello-world' } });
  });

  it('registry_package for a container: the image on ghcr.io, its digest, and DOCKER_* inputs', () => {
    const event = receive(fixture('github/registry_package.published'));
    expect(event).toEqual({
      source: 'github-acme',
      provider: 'github',
      kind: 'artifact_push',
      event: 'registry_package',
      action: 'published',
      deliveryId: '305b44ca-7c79-4bc2-9bbb-63ce6572a50b',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2019-05-09T23:28:29.000Z',
      sender: 'github-actions[bot]',
      artifact: {
        registry: 'ghcr.io',
        registryUrl: 'https://ghcr.io',
        namespace: 'Codertocat',
        repository: 'hello-world',
        image: 'Codertocat/hello-world',
        digest: 'sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b',
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        packageType: 'npm',
        pusher: 'github-actions[bot]',
        url: 'https://github.com/orgs/Codertocat/packages/container/hello-world/57755791',
      },
    });
    // The example's container tag is empty and its version a digest: no tag.
    expect(event.artifact?.tag).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2019-05-09T23:28:29.000Z',
      DOCKER_IMAGE_TAG: 'sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b',
      DOCKER_OWNER_NAME: 'github-actions[bot]',
      DOCKER_REPO_NAME: 'hello-world',
      DOCKER_REPO_NAMESPACE: 'Codertocat',
      DOCKER_SERVER_URL: 'https://ghcr.io',
    });
  });

  it('a container version that is no digest is its tag; a digest version serves when no metadata names one', () => {
    const body = fixtureJson('github/registry_package.published') as { registry_package: { package_version: Record<string, unknown> } };
    const version = body.registry_package.package_version;
    const resend = (changes: Record<string, unknown>) => {
      const raw = Buffer.from(JSON.stringify({ ...body, registry_package: { ...body.registry_package, package_version: { ...version, ...changes } } }));
      return receive(signed(fixture('github/registry_package.published'), raw, TEST_SECRET, SHA256)).artifact;
    };
    expect(resend({ version: '1.2.0' })).toMatchObject({ tag: '1.2.0', digest: 'sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b' });
    expect(resend({ container_metadata: undefined })).toMatchObject({ tag: undefined, digest: version.version });
  });

  it('release published: the tag, the branch it targets, the release, and GIT_* inputs', () => {
    const event = receive(fixture('github/release.published'));
    expect(event).toEqual({
      source: 'github-acme',
      provider: 'github',
      kind: 'release',
      event: 'release',
      action: 'published',
      deliveryId: '8d856731-893f-4b53-b4b2-c2b58d39f688',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2019-05-15T15:20:53.000Z',
      sender: 'Codertocat',
      git: {
        serverUrl: 'https://github.com',
        repository: {
          fullName: 'Codertocat/Hello-World',
          name: 'Hello-World',
          owner: 'Codertocat',
          url: 'https://github.com/Codertocat/Hello-World',
          cloneUrl: 'https://github.com/Codertocat/Hello-World.git',
          defaultBranch: 'master',
        },
        ref: 'refs/tags/0.0.1',
        refType: 'tag',
        tag: '0.0.1',
        branch: 'master',
        release: { url: 'https://github.com/Codertocat/Hello-World/releases/tag/0.0.1', prerelease: false, draft: false },
      },
    });
    // target_commitish names a branch here, so there is no commit, and the empty name is absent.
    expect(event.git?.commit).toBeUndefined();
    expect(event.git?.release?.name).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'master',
      GIT_COMMIT_ID: '',
      GIT_CHANGE_SUBJECT: '0.0.1',
      GIT_EVENT_OWNER_NAME: 'Codertocat',
      GIT_EVENT_DESCRIPTION: 'release 0.0.1 published by Codertocat',
      GIT_EVENT_TIMESTAMP: '2019-05-15T15:20:53.000Z',
      GIT_REPO_NAME: 'Codertocat/Hello-World',
      GIT_SERVER_URL: 'https://github.com',
    });
  });

  it('release prereleased: prerelease is true', () => {
    expect(receive(fixture('github/release.prereleased'))).toMatchObject({
      kind: 'release',
      action: 'prereleased',
      deliveryId: 'aee1235e-65ff-4cb7-82aa-0430f3caefb9',
      git: { tag: '0.0.1', branch: 'master', release: { prerelease: true, draft: false } },
    });
  });

  it('a release made from a commit: the commit, no branch; its name is the change subject', () => {
    const body = fixtureJson('github/release.published') as { release: Record<string, unknown> };
    const commit = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
    const raw = Buffer.from(JSON.stringify({ ...body, release: { ...body.release, target_commitish: commit, name: 'Version 0.0.1' } }));
    const event = receive(signed(fixture('github/release.published'), raw, TEST_SECRET, SHA256));
    expect(event.git).toMatchObject({ tag: '0.0.1', commit: { id: commit }, release: { name: 'Version 0.0.1' } });
    expect(event.git?.branch).toBeUndefined();
    expect(nativeTriggerInput(event)).toMatchObject({ GIT_BRANCH_NAME: '', GIT_COMMIT_ID: commit, GIT_CHANGE_SUBJECT: 'Version 0.0.1' });
  });

  it('reads a form-encoded delivery, signed over the form bytes', () => {
    const form = Buffer.from(`payload=${encodeURIComponent(fixture('github/push.tag').body.toString('utf8'))}`);
    const request = withHeaders(signed(fixture('github/push.tag'), form, TEST_SECRET, SHA256), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(receive(request)).toMatchObject({ kind: 'tag', git: { tag: 'simple-tag' } });
  });

  it('takes the server URL of GitHub Enterprise Server from its header', () => {
    const request = withHeaders(fixture('github/push.tag'), { 'x-github-enterprise-host': 'github.example.com' });
    expect(receive(request).git?.serverUrl).toBe('https://github.example.com');
  });

  it('accepts the legacy SHA-1 signature when no SHA-256 one is sent', () => {
    const request = withHeaders(fixture('github/push.tag'), { 'x-hub-signature-256': undefined });
    expect(receive(request).kind).toBe('tag');
  });

  it('names events it does not model as other', () => {
    const request = withHeaders(fixture('github/push.tag'), { 'x-github-event': 'issues' });
    expect(receive(request)).toMatchObject({ kind: 'other', event: 'issues', git: { repository: { fullName: 'Codertocat/Hello-World' } } });
  });
});

describe('github: bad input', () => {
  it('refuses a delivery without X-GitHub-Event', () => {
    expect(() => receive(withHeaders(fixture('github/push.tag'), { 'x-github-event': undefined }))).toThrow(
      new UnknownEventError('the X-GitHub-Event header is missing'),
    );
  });

  it.each([
    ['a push without a repository', '{"ref": "refs/heads/main"}', 'the body has no repository'],
    ['a push without a ref', '{"repository": {"full_name": "a/b"}}', 'the body has no ref'],
  ])('refuses a body that is %s', (_case, body, message) => {
    const request = signed(fixture('github/push.tag'), Buffer.from(body), TEST_SECRET, SHA256);
    expect(() => receive(request)).toThrow(MalformedBodyError);
    expect(() => receive(request)).toThrow(message);
  });

  it('refuses a form body without a payload field', () => {
    const request = withHeaders(signed(fixture('github/push.tag'), Buffer.from('other=1'), TEST_SECRET, SHA256), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(() => receive(request)).toThrow('the form-encoded body has no payload field');
  });
});

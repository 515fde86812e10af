import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { MalformedBodyError, UnknownEventError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const ZEROS = '0000000000000000000000000000000000000000';
const SERVER = 'http://959be7129610';

function receive(request: WebhookRequest, options?: Record<string, unknown>) {
  const { deliveryId, events } = receiveWebhook({ name: 'gerrit-acme', provider: 'gerrit', secrets: [TEST_SECRET], options }, request, RECEIVED_AT);
  expect(events).toHaveLength(1);
  expect(events[0]!.deliveryId).toBe(deliveryId);
  return events[0]!;
}

/** A stored delivery with the token in the URL, as a remote's `url` carries it. */
function delivery(name: string): WebhookRequest {
  return fixture(name, { token: TEST_SECRET });
}

/** A fixture with another body; the token does not cover the body. */
function variant(name: string, change: (body: Record<string, unknown>) => void): WebhookRequest {
  const body = fixtureJson(name);
  change(body);
  return { ...delivery(name), body: Buffer.from(JSON.stringify(body)) };
}

const TEST_REPO = { fullName: 'TestRepo', name: 'TestRepo', owner: '', url: `${SERVER}/admin/repos/TestRepo`, cloneUrl: `${SERVER}/TestRepo` };

describeCommonCases('gerrit');

describe('gerrit: normalising', () => {
  it('patchset-created is a pull request: the change, its patch set and who uploaded it, with its native-trigger inputs', () => {
    const event = receive(delivery('gerrit/patchset-created'));
    expect(event).toEqual({
      source: 'gerrit-acme',
      provider: 'gerrit',
      kind: 'pull_request',
      event: 'patchset-created',
      action: 'patchset-created',
      // The plugin sends no id: the body's hash is the id.
      deliveryId: 'sha256:c8271d6face68a7566ea7aa20b60f7370b35d3cd0e56b52a207ab0e52a46c8d5',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2023-11-20T11:12:12.000Z',
      sender: 'admin',
      git: {
        serverUrl: SERVER,
        repository: { fullName: 'TestRepo1', name: 'TestRepo1', owner: '', url: `${SERVER}/admin/repos/TestRepo1`, cloneUrl: `${SERVER}/TestRepo1` },
        commit: {
          id: 'b59138869113bfd9d3e7fbf9439d74e1ae6c54b8',
          message: 'test.file added\n\nChange-Id: Ie10fd901201c53e9fe3b9766343060763ac81dc6\n',
          author: 'admin',
          timestamp: '2023-11-20T11:12:11.000Z',
        },
        pullRequest: {
          number: 2,
          title: 'test.file added',
          state: 'NEW',
          sourceBranch: 'patch_create',
          targetBranch: 'patch_create',
          merged: false,
          url: `${SERVER}/c/TestRepo1/+/2`,
          headCommit: 'b59138869113bfd9d3e7fbf9439d74e1ae6c54b8',
        },
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'patch_create',
      GIT_COMMIT_ID: 'b59138869113bfd9d3e7fbf9439d74e1ae6c54b8',
      GIT_CHANGE_SUBJECT: 'test.file added',
      GIT_EVENT_OWNER_NAME: 'admin',
      GIT_EVENT_DESCRIPTION: 'pull request #2 patchset-created by admin',
      GIT_EVENT_TIMESTAMP: '2023-11-20T11:12:12.000Z',
      GIT_REPO_NAME: 'TestRepo1',
      GIT_SERVER_URL: SERVER,
    });
  });

  it('change-merged is a merged pull request whose commit is newRev, the commit the submit put on the branch', () => {
    const event = receive(delivery('gerrit/change-merged'));
    expect(event).toEqual({
      source: 'gerrit-acme',
      provider: 'gerrit',
      kind: 'pull_request',
      event: 'change-merged',
      action: 'change-merged',
      deliveryId: 'sha256:f8e76ac97519edf5b9f08b38005797211a528682b9cd296ddacd9cba517c3d50',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2023-11-17T14:34:58.000Z',
      sender: 'admin',
      git: {
        serverUrl: SERVER,
        repository: TEST_REPO,
        commit: { id: '4c688da535ea3352536e3b320880aa353bd404b2' },
        pullRequest: {
          number: 1,
          title: 'updates to the test branch 2 Change-Id: I55862204ef71f69bc88c79fe2259f7cb8365699a',
          state: 'MERGED',
          sourceBranch: 'test_branch',
          targetBranch: 'test_branch',
          merged: true,
          url: `${SERVER}/c/TestRepo/+/1`,
          headCommit: 'ba8c3584916c93b3e17a1ab63072b0ebd0d3ed84',
          mergeCommit: '4c688da535ea3352536e3b320880aa353bd404b2',
        },
      },
    });
    expect(nativeTriggerInput(event)).toMatchObject({ GIT_COMMIT_ID: '4c688da535ea3352536e3b320880aa353bd404b2', GIT_EVENT_DESCRIPTION: 'pull request #1 merged by admin' });
  });

  it('change-merged from a server that sends no newRev: merged, its commit the patch set', () => {
    const event = receive(variant('gerrit/change-merged', (body) => delete body.newRev));
    expect(event.git?.pullRequest).toMatchObject({ merged: true, headCommit: 'ba8c3584916c93b3e17a1ab63072b0ebd0d3ed84' });
    expect(event.git?.pullRequest?.mergeCommit).toBeUndefined();
    expect(event.git?.commit?.id).toBe('ba8c3584916c93b3e17a1ab63072b0ebd0d3ed84');
  });

  it('change-abandoned is a closed, unmerged pull request; the abandoner is the sender', () => {
    const event = receive(delivery('gerrit/change-abandoned'));
    expect(event).toEqual({
      source: 'gerrit-acme',
      provider: 'gerrit',
      kind: 'pull_request',
      event: 'change-abandoned',
      action: 'change-abandoned',
      deliveryId: 'sha256:d26145cadd3c5ead98ade82bdc82f65884e2830018e20b84b79aa47eace5d4ac',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2023-11-17T15:56:03.000Z',
      sender: 'admin',
      git: {
        serverUrl: SERVER,
        repository: TEST_REPO,
        commit: {
          id: 'e88822ed72749d99e3b1d09fe73a1fdffc8e482c',
          message:
            'Revert "updates to the test branch 2"\n\nThis reverts commit ba8c3584916c93b3e17a1ab63072b0ebd0d3ed84.\n\nReason for revert: Testing abort\n\nChange-Id: Ifc7af9f849cbfb677ef6f1adcf05956292d4f571\n',
          author: 'admin',
          timestamp: '2023-11-17T15:52:24.000Z',
        },
        pullRequest: {
          number: 21,
          title: 'Revert "updates to the test branch 2"',
          state: 'ABANDONED',
          sourceBranch: 'test_branch',
          targetBranch: 'test_branch',
          merged: false,
          url: `${SERVER}/c/TestRepo/+/21`,
          headCommit: 'e88822ed72749d99e3b1d09fe73a1fdffc8e482c',
        },
      },
    });
  });

  it('comment-added is other, as comments are elsewhere, with the change it is on: rules can still match it', () => {
    const event = receive(delivery('gerrit/comment-added'));
    expect(event).toEqual({
      source: 'gerrit-acme',
      provider: 'gerrit',
      kind: 'other',
      event: 'comment-added',
      action: 'comment-added',
      deliveryId: 'sha256:b6e90ab111615c819239660ac485c25495b7140741fbfc8c51acdb0d7649f56e',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2023-11-17T14:33:42.000Z',
      sender: 'admin',
      git: {
        serverUrl: SERVER,
        repository: TEST_REPO,
        commit: {
          id: 'ba8c3584916c93b3e17a1ab63072b0ebd0d3ed84',
          message: 'updates to the test branch 2\nChange-Id: I55862204ef71f69bc88c79fe2259f7cb8365699a\n',
          author: 'admin',
          timestamp: '2023-11-17T14:09:24.000Z',
        },
        pullRequest: {
          number: 1,
          title: 'updates to the test branch 2 Change-Id: I55862204ef71f69bc88c79fe2259f7cb8365699a',
          state: 'NEW',
          sourceBranch: 'test_branch',
          targetBranch: 'test_branch',
          merged: false,
          url: `${SERVER}/c/TestRepo/+/1`,
          headCommit: 'ba8c3584916c93b3e17a1ab63072b0ebd0d3ed84',
        },
      },
    });
  });

  it('ref-updated of a branch is a push; no link in the body, so the server URL is the option', () => {
    const event = receive(delivery('gerrit/ref-updated.branch-created'), { serverUrl: 'https://review.example.com/r/' });
    expect(event).toEqual({
      source: 'gerrit-acme',
      provider: 'gerrit',
      kind: 'push',
      event: 'ref-updated',
      deliveryId: 'sha256:f50b7f6dd73d5c47bd92f3fa8d5ac6ea9996c9892dfa3c6d5a8603cd4f01eed1',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2023-11-16T15:14:30.000Z',
      sender: 'admin',
      git: {
        serverUrl: 'https://review.example.com/r',
        repository: {
          fullName: 'TestRepo',
          name: 'TestRepo',
          owner: '',
          url: 'https://review.example.com/r/admin/repos/TestRepo',
          cloneUrl: 'https://review.example.com/r/TestRepo',
        },
        ref: 'refs/heads/test_branch',
        refType: 'branch',
        branch: 'test_branch',
        before: ZEROS,
        after: '0c8c548ca93b44dd501c000ebb79ecc8f9aa4bd6',
        commit: { id: '0c8c548ca93b44dd501c000ebb79ecc8f9aa4bd6' },
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      GIT_BRANCH_NAME: 'test_branch',
      GIT_COMMIT_ID: '0c8c548ca93b44dd501c000ebb79ecc8f9aa4bd6',
      GIT_CHANGE_SUBJECT: '',
      GIT_EVENT_OWNER_NAME: 'admin',
      GIT_EVENT_DESCRIPTION: 'push to test_branch by admin',
      GIT_EVENT_TIMESTAMP: '2023-11-16T15:14:30.000Z',
      GIT_REPO_NAME: 'TestRepo',
      GIT_SERVER_URL: 'https://review.example.com/r',
    });
  });

  it('ref-updated without the serverUrl option: the server URL is empty, the repository has no links', () => {
    const event = receive(delivery('gerrit/ref-updated.branch-created'));
    expect(event.git).toMatchObject({ serverUrl: '', repository: { fullName: 'TestRepo', name: 'TestRepo', owner: '', url: '' } });
    expect(event.git?.repository.cloneUrl).toBeUndefined();
  });

  it('ref-updated whose newRev is all zeros deletes the branch', () => {
    const event = receive(delivery('gerrit/ref-updated.branch-deleted'));
    expect(event).toMatchObject({
      kind: 'delete',
      event: 'ref-updated',
      sender: 'admin',
      occurredAt: '2023-11-17T11:54:41.000Z',
      git: { ref: 'refs/heads/test_branch', refType: 'branch', branch: 'test_branch', before: '0c8c548ca93b44dd501c000ebb79ecc8f9aa4bd6', after: ZEROS },
    });
    expect(event.git?.commit).toBeUndefined();
  });

  it('ref-updated of a change ref (refs/changes/…) is other: Gerrit moves its own refs on every upload and review', () => {
    const event = receive(delivery('gerrit/ref-updated.change-ref'));
    expect(event).toEqual({
      source: 'gerrit-acme',
      provider: 'gerrit',
      kind: 'other',
      event: 'ref-updated',
      deliveryId: 'sha256:7b063e42122299bc78c7aa50855ada5b74217e82cf986da2f3374d75c95361d2',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2023-11-20T11:12:12.000Z',
      sender: 'admin',
      git: { serverUrl: '', repository: { fullName: 'TestRepo1', name: 'TestRepo1', owner: '', url: '' }, ref: 'refs/changes/02/2/1' },
    });
  });

  // No public tag ref-updated was found (PROVENANCE): the branch one with a tag's ref.
  it('ref-updated of refs/tags/* is a tag', () => {
    const event = receive(
      variant('gerrit/ref-updated.branch-created', (body) => Object.assign(body.refUpdate as Record<string, unknown>, { refName: 'refs/tags/v1.0' })),
    );
    expect(event).toMatchObject({ kind: 'tag', git: { ref: 'refs/tags/v1.0', refType: 'tag', tag: 'v1.0', after: '0c8c548ca93b44dd501c000ebb79ecc8f9aa4bd6' } });
  });

  it('ref-updated naming a bare branch, as old servers do, is a push to refs/heads/', () => {
    const event = receive(variant('gerrit/ref-updated.branch-created', (body) => Object.assign(body.refUpdate as Record<string, unknown>, { refName: 'master' })));
    expect(event).toMatchObject({ kind: 'push', git: { ref: 'refs/heads/master', branch: 'master' } });
  });

  it('a hierarchical project is owner/name; the option overrides the server URL that the change URL gives', () => {
    const request = variant('gerrit/patchset-created', (body) => Object.assign(body.change as Record<string, unknown>, { project: 'tools/gerrit' }));
    expect(receive(request).git?.repository).toMatchObject({ fullName: 'tools/gerrit', name: 'gerrit', owner: 'tools' });
    expect(receive(request, { serverUrl: 'https://review.example.com' }).git?.serverUrl).toBe('https://review.example.com');
  });

  it('keeps a context path of the change URL, and reads the short URLs of old servers', () => {
    const withPath = variant('gerrit/patchset-created', (body) => Object.assign(body.change as Record<string, unknown>, { url: 'https://example.com/r/c/TestRepo1/+/2' }));
    expect(receive(withPath).git?.serverUrl).toBe('https://example.com/r');
    const short = variant('gerrit/patchset-created', (body) => Object.assign(body.change as Record<string, unknown>, { url: 'http://machina:8080/56', number: '56' }));
    expect(receive(short).git).toMatchObject({ serverUrl: 'http://machina:8080', pullRequest: { number: 56 } });
  });

  it('reads events without a change (project-created, as the CDEvents RFC shows it) as other, naming the project', () => {
    const request = variant('gerrit/ref-updated.branch-created', (body) => {
      for (const key of Object.keys(body)) delete body[key];
      Object.assign(body, { projectName: 'TestRepo3', headName: 'refs/heads/master', type: 'project-created', eventCreatedOn: 1700131789 });
    });
    expect(receive(request)).toMatchObject({ kind: 'other', event: 'project-created', occurredAt: '2023-11-16T10:49:49.000Z', git: { repository: { fullName: 'TestRepo3' } } });
  });

  it('refuses a body without a type, or with one Gerrit never sends', () => {
    expect(() => receive(variant('gerrit/patchset-created', (body) => delete body.type))).toThrow(UnknownEventError);
    expect(() => receive(variant('gerrit/patchset-created', (body) => (body.type = 'Push Hook')))).toThrow(UnknownEventError);
  });

  it('refuses a change event without the change number, and a ref-updated without its refUpdate', () => {
    expect(() => receive(variant('gerrit/patchset-created', (body) => delete (body.change as Record<string, unknown>).number))).toThrow(
      new MalformedBodyError('the body has no change.number'),
    );
    expect(() => receive(variant('gerrit/ref-updated.branch-created', (body) => delete body.refUpdate))).toThrow(MalformedBodyError);
  });
});

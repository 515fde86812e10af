import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { InvalidSignatureError, MalformedBodyError, MissingSignatureError, UnknownEventError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases, forgejoDelivery, forgejoResigned } from '../../../support/authenticationCases';
import { TEST_SECRET, fixtureJson, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const SIGNATURE_HEADERS = ['x-forgejo-signature', 'x-gitea-signature', 'x-gogs-signature', 'x-hub-signature-256', 'x-hub-signature'];

function receive(request: WebhookRequest) {
  const { events } = receiveWebhook({ name: 'forgejo-acme', provider: 'forgejo', secrets: [TEST_SECRET] }, request, RECEIVED_AT);
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** The same delivery with only its X-Forgejo-* headers (and Content-Type) left. */
function forgejoOnly(request: WebhookRequest): WebhookRequest {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name.startsWith('x-forgejo-') || name === 'content-type'));
  return { ...request, headers };
}

describeCommonCases('forgejo');

describe('forgejo: authentication details', () => {
  it('accepts a delivery that carries only the X-Forgejo-* headers', () => {
    const event = receive(forgejoOnly(forgejoDelivery('gitea/push')));
    expect(event).toMatchObject({ provider: 'forgejo', kind: 'push', event: 'push', deliveryId: '184d119e-002c-40ba-b4a6-f997d48c1fc8' });
  });

  it('checks X-Forgejo-Signature first: a wrong one is refused even beside a right X-Gitea-Signature', () => {
    const request = withHeaders(forgejoDelivery('gitea/push'), { 'x-forgejo-signature': 'ab'.repeat(32) });
    expect(() => receive(request)).toThrow(InvalidSignatureError);
    expect(() => receive(request)).toThrow('x-forgejo-signature');
  });

  it('falls back to X-Gitea-Signature, then X-Hub-Signature-256', () => {
    const withoutForgejo = withHeaders(forgejoDelivery('gitea/push'), { 'x-forgejo-signature': undefined });
    expect(receive(withoutForgejo).kind).toBe('push');
    expect(receive(withHeaders(withoutForgejo, { 'x-gitea-signature': undefined })).kind).toBe('push');
  });

  it('names X-Forgejo-Signature when the delivery is not signed', () => {
    const request = withHeaders(forgejoDelivery('gitea/push'), Object.fromEntries(SIGNATURE_HEADERS.map((name) => [name, undefined])));
    expect(() => receive(request)).toThrow(
      new MissingSignatureError('the X-Forgejo-Signature header is missing: set a secret on the Forgejo webhook'),
    );
  });
});

describe('forgejo: normalising (Gitea bodies)', () => {
  it('captured push creating a branch: the event Gitea gives, under Forgejo', () => {
    const request = forgejoDelivery('gitea/push');
    const [onGitea] = receiveWebhook({ name: 'forgejo-acme', provider: 'gitea', secrets: [TEST_SECRET] }, request, RECEIVED_AT).events;
    expect(receive(request)).toEqual({ ...onGitea, provider: 'forgejo' });
    expect(onGitea).toMatchObject({ kind: 'push', git: { branch: 'master', repository: { fullName: 'example/example' } } });
  });

  it('docs push, with its native inputs, and without the body secret', () => {
    const event = receive(forgejoDelivery('gitea/push.docs'));
    expect(event).toMatchObject({
      provider: 'forgejo',
      kind: 'push',
      deliveryId: '12e104c0-686b-43e4-a429-c2328459119a',
      git: { branch: 'develop', commit: { id: 'bffeb74224043ba2feb48d137756c8a9331c449a', message: 'Webhooks Yay!', author: 'gitea' } },
    });
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
    expect(JSON.stringify(event)).not.toContain(fixtureJson('gitea/push.docs').secret as string);
  });

  it('reads X-Forgejo-* before X-Gitea-*', () => {
    const request = withHeaders(forgejoDelivery('gitea/push'), {
      'x-forgejo-delivery': '7d3c1a52-9f0e-4b6a-8e21-3c5d7f9a1b2e',
      'x-gitea-event-type': 'release',
      'x-gitea-event': 'release',
    });
    expect(receive(request)).toMatchObject({ kind: 'push', event: 'push', deliveryId: '7d3c1a52-9f0e-4b6a-8e21-3c5d7f9a1b2e' });
  });

  it('takes the Gitea headers where the Forgejo ones are absent', () => {
    const request = withHeaders(forgejoDelivery('gitea/push'), {
      'x-forgejo-delivery': undefined,
      'x-forgejo-event-type': undefined,
      'x-forgejo-event': undefined,
    });
    expect(receive(request)).toMatchObject({ kind: 'push', deliveryId: '184d119e-002c-40ba-b4a6-f997d48c1fc8' });
  });

  it('a tag push and a pull request read as on Gitea', () => {
    const tagBody = Buffer.from(JSON.stringify({ ...fixtureJson('gitea/push'), ref: 'refs/tags/v1.0.0' }));
    expect(receive(forgejoResigned(forgejoDelivery('gitea/push'), tagBody, TEST_SECRET))).toMatchObject({ kind: 'tag', git: { tag: 'v1.0.0' } });

    // The pull_request object is trimmed from a captured Gitea delivery (go-playground/webhooks testdata/gitea/pull-request-event.json).
    const { repository, sender } = fixtureJson('gitea/push');
    const pullRequest = {
      number: 2,
      title: 'update',
      state: 'open',
      merged: false,
      base: { ref: 'master', sha: '67b56589a45103f891bdee7c0546e5d40bc02001' },
      head: { ref: 'feature', sha: '48e773f892a831faa47c0a160d1b7f0cd369ae2a' },
      updated_at: '2022-03-09T16:31:06+09:00',
    };
    const prBody = Buffer.from(JSON.stringify({ action: 'synchronized', number: 2, pull_request: pullRequest, repository, sender }));
    const request = withHeaders(forgejoResigned(forgejoDelivery('gitea/push'), prBody, TEST_SECRET), {
      'x-forgejo-event-type': 'pull_request_sync',
      'x-forgejo-event': 'pull_request',
    });
    const event = receive(request);
    expect(event).toMatchObject({
      provider: 'forgejo',
      kind: 'pull_request',
      event: 'pull_request_sync',
      action: 'synchronized',
      git: { pullRequest: { number: 2, sourceBranch: 'feature', targetBranch: 'master', headCommit: '48e773f892a831faa47c0a160d1b7f0cd369ae2a' } },
    });
    expect(nativeTriggerInput(event)).toMatchObject({ GIT_BRANCH_NAME: 'master', GIT_COMMIT_ID: '48e773f892a831faa47c0a160d1b7f0cd369ae2a' });
  });

  it('a release reads as on Gitea', () => {
    expect(receive(forgejoDelivery('gitea/release.published'))).toMatchObject({
      provider: 'forgejo',
      kind: 'release',
      action: 'published',
      git: { ref: 'refs/tags/example', tag: 'example', branch: 'master', release: { name: '0.0.0', prerelease: false, draft: false } },
    });
  });

  it('names events it does not model as other', () => {
    const request = withHeaders(forgejoDelivery('gitea/push'), { 'x-forgejo-event-type': 'issues', 'x-forgejo-event': 'issues' });
    expect(receive(request)).toMatchObject({ kind: 'other', event: 'issues', git: { repository: { fullName: 'example/example' } } });
  });
});

describe('forgejo: bad input', () => {
  it('refuses a delivery without an event header, naming the Forgejo ones first', () => {
    const request = withHeaders(forgejoDelivery('gitea/push'), {
      'x-forgejo-event-type': undefined,
      'x-forgejo-event': undefined,
      'x-gitea-event-type': undefined,
      'x-gitea-event': undefined,
    });
    expect(() => receive(request)).toThrow(
      new UnknownEventError('the event header is missing: expected X-Forgejo-Event-Type or X-Forgejo-Event or X-Gitea-Event-Type or X-Gitea-Event'),
    );
  });

  it.each([
    ['a push without a repository', '{"ref": "refs/heads/main"}', 'the body has no repository'],
  ])('refuses a body that is %s', (_case, body, message) => {
    const request = forgejoResigned(forgejoDelivery('gitea/push'), Buffer.from(body), TEST_SECRET);
    expect(() => receive(request)).toThrow(MalformedBodyError);
    expect(() => receive(request)).toThrow(message);
  });
});

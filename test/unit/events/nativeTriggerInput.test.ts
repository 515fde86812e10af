import type { CanonicalEvent } from '../../../lambda/events/CanonicalEvent';
import { nativeTriggerInput } from '../../../lambda/events/nativeTriggerInput';

function event(overrides: Partial<CanonicalEvent>): CanonicalEvent {
  return {
    source: 's',
    provider: 'generic',
    kind: 'push',
    event: 'push',
    deliveryId: 'd-1',
    receivedAt: '2026-11-28T12:00:00.000Z',
    occurredAt: '2026-11-28T11:59:00.000Z',
    ...overrides,
  };
}

const repository = { fullName: 'acme/app', name: 'app', owner: 'acme', url: 'https://git.example.com/acme/app' };

it('gives empty strings, never "undefined", for what a provider did not send', () => {
  const input = nativeTriggerInput(event({ git: { serverUrl: 'https://git.example.com', repository } }));
  expect(input).toEqual({
    GIT_BRANCH_NAME: '',
    GIT_COMMIT_ID: '',
    GIT_CHANGE_SUBJECT: '',
    GIT_EVENT_OWNER_NAME: '',
    GIT_EVENT_DESCRIPTION: 'push to a branch',
    GIT_EVENT_TIMESTAMP: '2026-11-28T11:59:00.000Z',
    GIT_REPO_NAME: 'acme/app',
    GIT_SERVER_URL: 'https://git.example.com',
  });
  expect(JSON.stringify(input)).not.toContain('undefined');
});

it('takes the first line of the commit message and falls back to the commit author', () => {
  const input = nativeTriggerInput(
    event({
      git: {
        serverUrl: 'https://git.example.com',
        repository,
        branch: 'main',
        after: 'abc',
        commit: { id: 'abc', message: 'Fix the build\r\n\nLonger text', author: 'bob' },
      },
    }),
  );
  expect(input).toMatchObject({ GIT_CHANGE_SUBJECT: 'Fix the build', GIT_EVENT_OWNER_NAME: 'bob', GIT_COMMIT_ID: 'abc', GIT_EVENT_DESCRIPTION: 'push to main' });
});

it('uses the digest as the image tag of an untagged push', () => {
  const input = nativeTriggerInput(
    event({
      kind: 'artifact_push',
      sender: 'ci-bot',
      artifact: { registry: 'r.example.com', registryUrl: 'https://r.example.com', namespace: 'ns', repository: 'img', image: 'ns/img', digest: 'sha256:ff' },
    }),
  );
  expect(input).toEqual({
    DOCKER_EVENT_TIMESTAMP: '2026-11-28T11:59:00.000Z',
    DOCKER_IMAGE_TAG: 'sha256:ff',
    DOCKER_OWNER_NAME: 'ci-bot',
    DOCKER_REPO_NAME: 'img',
    DOCKER_REPO_NAMESPACE: 'ns',
    DOCKER_SERVER_URL: 'https://r.example.com',
  });
});

it('gives no inputs for an event with neither Git nor artifact details', () => {
  expect(nativeTriggerInput(event({ kind: 'other', event: 'webhook' }))).toEqual({});
});

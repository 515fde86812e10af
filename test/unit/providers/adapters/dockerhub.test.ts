import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { InvalidSignatureError, MalformedBodyError, MissingSignatureError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
// sha256 of dockerhub/push.json (index.json): Docker Hub sends no delivery id.
const BODY_HASH = 'sha256:98e2f723186ba9ea341dc6b13da0d5d72092c32fc6530373ae1065137c0ec816';

function receive(request: WebhookRequest, options?: Record<string, unknown>) {
  const { events } = receiveWebhook({ name: 'dockerhub-acme', provider: 'dockerhub', secrets: [TEST_SECRET], options }, request, RECEIVED_AT);
  expect(events).toHaveLength(1);
  return events[0]!;
}

function withBody(body: unknown): WebhookRequest {
  return { ...fixture('dockerhub/push', { token: TEST_SECRET }), body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

describeCommonCases('dockerhub');

describe('dockerhub: the token in a header or a renamed place', () => {
  it('honours a renamed header and query parameter, and then ignores the default ones', () => {
    const options = { tokenHeader: 'X-Hook-Key', tokenQuery: 'key' };
    expect(receive(withHeaders(fixture('dockerhub/push'), { 'x-hook-key': TEST_SECRET }), options).kind).toBe('artifact_push');
    expect(receive(fixture('dockerhub/push', { key: TEST_SECRET }), options).kind).toBe('artifact_push');
    expect(() => receive(fixture('dockerhub/push', { token: TEST_SECRET }), options)).toThrow(
      new MissingSignatureError('no token: send the source\'s secret in the x-hook-key header or the "key" query parameter of the webhook URL'),
    );
    expect(() => receive(fixture('dockerhub/push', { key: 'a-wrong-secret' }), options)).toThrow(
      new InvalidSignatureError('the "key" query parameter matches none of the source\'s secrets'),
    );
  });
});

describe('dockerhub: normalising', () => {
  it('push: the docs delivery, with its native-trigger inputs', () => {
    const event = receive(fixture('dockerhub/push', { token: TEST_SECRET }));
    expect(event).toEqual({
      source: 'dockerhub-acme',
      provider: 'dockerhub',
      kind: 'artifact_push',
      event: 'push',
      deliveryId: BODY_HASH,
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2014-12-03T00:22:41.000Z',
      sender: 'trustedbuilder',
      artifact: {
        registry: 'registry.hub.docker.com',
        registryUrl: 'https://registry.hub.docker.com',
        namespace: 'svendowideit',
        repository: 'testhook',
        image: 'svendowideit/testhook',
        tag: 'latest',
        pusher: 'trustedbuilder',
        url: 'https://registry.hub.docker.com/u/svendowideit/testhook/',
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2014-12-03T00:22:41.000Z',
      DOCKER_IMAGE_TAG: 'latest',
      DOCKER_OWNER_NAME: 'trustedbuilder',
      DOCKER_REPO_NAME: 'testhook',
      DOCKER_REPO_NAMESPACE: 'svendowideit',
      DOCKER_SERVER_URL: 'https://registry.hub.docker.com',
    });
  });

  it('takes the registry from repo_url, and namespace and name from repo_name when they are absent', () => {
    const body = fixtureJson('dockerhub/push');
    const repository = body.repository as Record<string, unknown>;
    repository.repo_url = 'https://hub.docker.com/r/svendowideit/testhook';
    delete repository.namespace;
    delete repository.name;
    expect(receive(withBody(body)).artifact).toMatchObject({
      registry: 'hub.docker.com',
      registryUrl: 'https://hub.docker.com',
      namespace: 'svendowideit',
      repository: 'testhook',
      image: 'svendowideit/testhook',
    });
  });

  it('falls back to Docker Hub and receipt time when repo_url and pushed_at are absent', () => {
    const body = fixtureJson('dockerhub/push');
    delete (body.repository as Record<string, unknown>).repo_url;
    delete (body.push_data as Record<string, unknown>).pushed_at;
    const event = receive(withBody(body));
    expect(event.occurredAt).toBe('2026-11-28T12:00:00.000Z');
    expect(event.artifact).toMatchObject({ registry: 'registry.hub.docker.com', registryUrl: 'https://registry.hub.docker.com' });
    expect(event.artifact?.url).toBeUndefined();
  });
});

describe('dockerhub: bad input', () => {
  // Docker Hub names no event: every delivery is a push, so a body it cannot read is malformed, never unknown.
  it.each([
    ['a push without push_data', { ...fixtureJson('dockerhub/push'), push_data: undefined }, 'the body has no push_data'],
    ['a push without a repository', { ...fixtureJson('dockerhub/push'), repository: undefined }, 'the body has no repository'],
    [
      'a repository without repo_name',
      { ...fixtureJson('dockerhub/push'), repository: { name: 'testhook' } },
      'the body has no repository.repo_name',
    ],
  ])('refuses a body that is %s', (_case, body, message) => {
    expect(() => receive(withBody(body))).toThrow(MalformedBodyError);
    expect(() => receive(withBody(body))).toThrow(message);
  });
});

import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { jfrogArtifactory } from '../../../../lambda/providers/adapters/jfrog-artifactory';
import { InvalidSignatureError, MalformedBodyError, UnknownEventError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, signed } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const SIGNED = { header: 'x-jfrog-event-auth', algorithm: 'sha256' };

function receive(request: WebhookRequest, options?: Record<string, unknown>) {
  const source = { name: 'jfrog-acme', provider: 'jfrog-artifactory' as const, secrets: [TEST_SECRET], options };
  const { events } = receiveWebhook(source, request, RECEIVED_AT);
  expect(events).toHaveLength(1);
  return events[0]!;
}

const PUSHED = fixtureJson('jfrog-artifactory/docker.pushed');
const PUSHED_DATA = PUSHED.data as Record<string, unknown>;

/** The docker.pushed delivery with some envelope fields changed; the token does not cover the body. */
function dockerVariant(changes: Record<string, unknown>): WebhookRequest {
  return { ...fixture('jfrog-artifactory/docker.pushed'), body: Buffer.from(JSON.stringify({ ...PUSHED, ...changes })) };
}

describeCommonCases('jfrog-artifactory');

describe('jfrog-artifactory: authentication modes', () => {
  it('with signedPayload, refuses the secret sent as-is', () => {
    expect(() => receive(fixture('jfrog-artifactory/docker.pushed'), { signedPayload: true })).toThrow(InvalidSignatureError);
  });

  it('without signedPayload, refuses a signature in place of the secret', () => {
    const request = fixture('jfrog-artifactory/docker.pushed');
    expect(() => receive(signed(request, request.body, TEST_SECRET, SIGNED))).toThrow(InvalidSignatureError);
  });

  it('says in its options schema that the signing algorithm is not confirmed', () => {
    expect(jfrogArtifactory.optionsSchema).toMatchObject({
      additionalProperties: false,
      properties: { signedPayload: { type: 'boolean', description: expect.stringContaining('not confirmed') } },
    });
  });
});

describe('jfrog-artifactory: normalising', () => {
  it('docker tag pushed, with its native-trigger inputs', () => {
    const event = receive(fixture('jfrog-artifactory/docker.pushed'));
    expect(event).toEqual({
      source: 'jfrog-acme',
      provider: 'jfrog-artifactory',
      kind: 'artifact_push',
      event: 'docker/pushed',
      deliveryId: 'sha256:80694d101893915f165ff53d9ef22abea395eab25f70cb73a1f8b718a43714a0',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2026-11-28T12:00:00.000Z',
      sender: 'user@example.com',
      artifact: {
        registry: 'example.jfrog.io',
        registryUrl: 'https://example.jfrog.io',
        namespace: 'docker-remote-cache',
        repository: 'library/ubuntu',
        image: 'docker-remote-cache/library/ubuntu',
        tag: 'latest',
        digest: 'sha256:35c4a2c15539c6c1e4e5fa4e554dac323ad0107d8eb5c582d6ff386b383b7dce',
        packageType: 'docker',
        pusher: 'user@example.com',
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2026-11-28T12:00:00.000Z',
      DOCKER_IMAGE_TAG: 'latest',
      DOCKER_OWNER_NAME: 'user@example.com',
      DOCKER_REPO_NAME: 'library/ubuntu',
      DOCKER_REPO_NAMESPACE: 'docker-remote-cache',
      DOCKER_SERVER_URL: 'https://example.jfrog.io',
    });
  });

  it('artifact deployed (the docs example, with its placeholders)', () => {
    const event = receive(fixture('jfrog-artifactory/artifact.deployed'));
    expect(event).toMatchObject({
      kind: 'artifact_push',
      event: 'artifact/deployed',
      deliveryId: 'sha256:cfd7c46cb5eaee8f60e5f593c8576980d7c50c0f4d4b94d86829509d155046d8',
      sender: '<your_source>',
      artifact: {
        // `https://<your_origin>` is no URL: no registry rather than a made-up one.
        registry: '',
        registryUrl: '',
        namespace: 'sample_repo',
        repository: 'sample.txt',
        image: 'sample_repo/sample_dir/sample.txt',
        pusher: '<your_source>',
      },
    });
    // `sample_checksum` is no digest, and a plain artifact has neither tag nor package type.
    expect(event.artifact?.digest).toBeUndefined();
    expect(event.artifact?.tag).toBeUndefined();
    expect(event.artifact?.packageType).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2026-11-28T12:00:00.000Z',
      DOCKER_IMAGE_TAG: '',
      DOCKER_OWNER_NAME: '<your_source>',
      DOCKER_REPO_NAME: 'sample.txt',
      DOCKER_REPO_NAMESPACE: 'sample_repo',
      DOCKER_SERVER_URL: '',
    });
  });

  it('refuses the docs example that is only the data object: no envelope names the event', () => {
    expect(() => receive(fixture('jfrog-artifactory/docker.pushed.docs-data-only'))).toThrow(
      new UnknownEventError('the body has no domain and event_type: it is not a JFrog webhook envelope'),
    );
  });

  it.each([
    ['docker', 'deleted', 'artifact_delete'],
    ['docker', 'promoted', 'other'],
    ['artifact', 'deleted', 'artifact_delete'],
    ['artifact', 'moved', 'other'],
  ])('%s/%s is %s, naming its artifact', (domain, eventType, kind) => {
    const event = receive(dockerVariant({ domain, event_type: eventType }));
    expect(event).toMatchObject({ kind, event: `${domain}/${eventType}`, sender: 'user@example.com' });
    expect(event.artifact?.namespace).toBe('docker-remote-cache');
    expect(event.artifact?.image).toBe(
      domain === 'docker' ? 'docker-remote-cache/library/ubuntu' : 'docker-remote-cache/library/ubuntu/latest/list.manifest.json',
    );
  });

  it('an event of another domain is other, without an artifact when its data names none', () => {
    const event = receive(dockerVariant({ domain: 'build', event_type: 'uploaded', data: { build_name: 'app', build_number: '7' } }));
    expect(event).toMatchObject({ kind: 'other', event: 'build/uploaded', sender: 'user@example.com' });
    expect(event.artifact).toBeUndefined();
  });

  it('keeps a source without the jfrog/ prefix as it is', () => {
    expect(receive(dockerVariant({ source: 'alice' })).sender).toBe('alice');
  });

  it('reads a signed delivery the same way', () => {
    const request = fixture('jfrog-artifactory/docker.pushed');
    const event = receive(signed(request, request.body, TEST_SECRET, SIGNED), { signedPayload: true });
    expect(event).toMatchObject({ kind: 'artifact_push', artifact: { image: 'docker-remote-cache/library/ubuntu', tag: 'latest' } });
  });
});

describe('jfrog-artifactory: bad input', () => {
  it.each([
    ['a docker push without data', Buffer.from('{"domain": "docker", "event_type": "pushed"}'), 'the body has no data'],
  ])('refuses a body that is %s', (_case, body, message) => {
    const request = { ...fixture('jfrog-artifactory/docker.pushed'), body };
    expect(() => receive(request)).toThrow(MalformedBodyError);
    expect(() => receive(request)).toThrow(message);
  });

  it.each([
    ['repo_key', 'the body has no data.repo_key'],
    ['image_name', 'the body has no data.image_name'],
  ])('refuses a docker push whose data has no %s', (field, message) => {
    const request = dockerVariant({ data: { ...PUSHED_DATA, [field]: undefined } });
    expect(() => receive(request)).toThrow(new MalformedBodyError(message));
  });
});

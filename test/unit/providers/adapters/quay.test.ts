import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { MalformedBodyError, MissingSignatureError, UnknownEventError } from '../../../../lambda/providers/errors';
import { bodyDeliveryId, receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
// sha256 of quay/repo_push.json (index.json): Quay sends no delivery id.
const BODY_HASH = 'sha256:01a0f0ea9f30c48b4a336bad73c0b8e256dd189b2102bf853fee4421f176a6cd';
const DIGEST = 'sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4';
// The docs example's own values; its name and homepage say "repository" where docker_url says "test".
const ARTIFACT = {
  registry: 'quay.io',
  registryUrl: 'https://quay.io',
  namespace: 'dgangaia',
  repository: 'repository',
  image: 'dgangaia/repository',
  url: 'https://quay.io/repository/dgangaia/repository',
};

function receiveAll(request: WebhookRequest, options?: Record<string, unknown>) {
  return receiveWebhook({ name: 'quay-acme', provider: 'quay', secrets: [TEST_SECRET], options }, request, RECEIVED_AT).events;
}

function receive(request: WebhookRequest, options?: Record<string, unknown>) {
  const events = receiveAll(request, options);
  expect(events).toHaveLength(1);
  return events[0]!;
}

function withBody(body: unknown): WebhookRequest {
  return { ...fixture('quay/repo_push', { token: TEST_SECRET }), body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

/** The docs' repo_push turned into another notification: Quay builds every one on the same repository fields. */
function notification(fields: Record<string, unknown>): Record<string, unknown> {
  const { updated_tags: _updatedTags, ...repository } = fixtureJson('quay/repo_push');
  return { ...repository, ...fields };
}

describeCommonCases('quay');

describe('quay: the token in a header or a renamed place', () => {
  it('takes the token from the X-Relay-Token header', () => {
    expect(receive(withHeaders(fixture('quay/repo_push'), { 'x-relay-token': TEST_SECRET })).kind).toBe('artifact_push');
  });

  it('honours a renamed header and query parameter, and then ignores the default ones', () => {
    const options = { tokenHeader: 'X-Quay-Key', tokenQuery: 'secret' };
    expect(receive(withHeaders(fixture('quay/repo_push'), { 'x-quay-key': TEST_SECRET }), options).kind).toBe('artifact_push');
    expect(receive(fixture('quay/repo_push', { secret: TEST_SECRET }), options).kind).toBe('artifact_push');
    expect(() => receive(withHeaders(fixture('quay/repo_push', { token: TEST_SECRET }), { 'x-relay-token': TEST_SECRET }), options)).toThrow(
      new MissingSignatureError('no token: send the source\'s secret in the x-quay-key header or the "secret" query parameter of the webhook URL'),
    );
  });
});

describe('quay: normalising', () => {
  it('repo_push: the docs delivery, with its native-trigger inputs', () => {
    const event = receive(fixture('quay/repo_push', { token: TEST_SECRET }));
    expect(event).toEqual({
      source: 'quay-acme',
      provider: 'quay',
      kind: 'artifact_push',
      event: 'repo_push',
      deliveryId: BODY_HASH,
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2026-11-28T12:00:00.000Z',
      artifact: { ...ARTIFACT, tag: 'latest' },
    });
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2026-11-28T12:00:00.000Z',
      DOCKER_IMAGE_TAG: 'latest',
      DOCKER_OWNER_NAME: '',
      DOCKER_REPO_NAME: 'repository',
      DOCKER_REPO_NAMESPACE: 'dgangaia',
      DOCKER_SERVER_URL: 'https://quay.io',
    });
  });

  it('repo_push of several tags is one artifact_push per tag, each with its own delivery id', () => {
    const request = withBody({ ...fixtureJson('quay/repo_push'), updated_tags: ['latest', 'v1.2.0'] });
    const events = receiveAll(request);
    expect(events.map((event) => [event.kind, event.artifact?.tag, event.deliveryId])).toEqual([
      ['artifact_push', 'latest', `${bodyDeliveryId(request.body)}#1`],
      ['artifact_push', 'v1.2.0', `${bodyDeliveryId(request.body)}#2`],
    ]);
  });

  it('takes the registry URL from docker_url when there is no homepage', () => {
    const body = { ...fixtureJson('quay/repo_push'), homepage: undefined, docker_url: 'registry.example.com:8443/dgangaia/repository' };
    expect(receive(withBody(body)).artifact).toMatchObject({
      registry: 'registry.example.com:8443',
      registryUrl: 'https://registry.example.com:8443',
    });
  });

  it('vulnerability_found is one artifact_scan per tag; an untagged manifest is named by its digest', () => {
    const body = notification({
      tags: ['latest', DIGEST],
      vulnerable_index_report_created: 'true',
      vulnerability: { id: 'CVE-2023-0464', priority: 'High', has_fix: true },
    });
    const events = receiveAll(withBody(body));
    expect(events).toMatchObject([
      { kind: 'artifact_scan', event: 'vulnerability_found', artifact: { ...ARTIFACT, tag: 'latest' } },
      { kind: 'artifact_scan', event: 'vulnerability_found', artifact: { ...ARTIFACT, digest: DIGEST } },
    ]);
    expect(events[1]?.artifact?.tag).toBeUndefined();
    expect(nativeTriggerInput(events[1]!)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2026-11-28T12:00:00.000Z',
      DOCKER_IMAGE_TAG: DIGEST,
      DOCKER_OWNER_NAME: '',
      DOCKER_REPO_NAME: 'repository',
      DOCKER_REPO_NAMESPACE: 'dgangaia',
      DOCKER_SERVER_URL: 'https://quay.io',
    });
  });

  it('build notifications are other, named build, with the repository as artifact', () => {
    const body = notification({
      build_id: '296ec063-5f86-4706-a469-f0a400bf9df2',
      build_name: 'some-build',
      docker_tags: ['latest'],
      trigger_kind: 'github',
      trigger_metadata: { ref: 'refs/heads/main', commit: '42d4a62c53350993ea41069e9f2cfdefb0df097d' },
      error_message: 'the Dockerfile could not be found',
    });
    const event = receive(withBody(body));
    expect(event).toMatchObject({ kind: 'other', event: 'build', artifact: ARTIFACT });
    expect(event.artifact?.tag).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2026-11-28T12:00:00.000Z',
      DOCKER_IMAGE_TAG: '',
      DOCKER_OWNER_NAME: '',
      DOCKER_REPO_NAME: 'repository',
      DOCKER_REPO_NAMESPACE: 'dgangaia',
      DOCKER_SERVER_URL: 'https://quay.io',
    });
  });
});

describe('quay: bad input', () => {
  it('refuses a body that is none of the notifications it reads', () => {
    const mirrorSync = notification({ message: 'TEST NOTIFICATION' });
    expect(() => receive(withBody(mirrorSync))).toThrow(
      new UnknownEventError('the body has none of updated_tags, vulnerability or build_id: not a Quay notification the relay reads'),
    );
  });

  it.each([
    ['a repo_push without tags', { ...fixtureJson('quay/repo_push'), updated_tags: [] }, 'the body has no updated_tags'],
    ['a repo_push without a namespace', { ...fixtureJson('quay/repo_push'), namespace: undefined }, 'the body has no namespace'],
    ['a repo_push without a name', { ...fixtureJson('quay/repo_push'), name: '' }, 'the body has no name'],
    ['a repo_push without a docker_url', { ...fixtureJson('quay/repo_push'), docker_url: undefined }, 'the body has no docker_url'],
    ['a vulnerability without tags', notification({ vulnerability: { id: 'CVE-2023-0464' } }), 'the body has no tags'],
  ])('refuses a body that is %s', (_case, body, message) => {
    expect(() => receive(withBody(body))).toThrow(MalformedBodyError);
    expect(() => receive(withBody(body))).toThrow(message);
  });
});

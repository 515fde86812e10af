import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { InvalidSignatureError, MalformedBodyError, MissingSignatureError, UnknownEventError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const PUSHED_DIGEST = 'sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4';
const DELETED_DIGEST = 'sha256:2bb501e6173d9d006e56de5bce2720eb06396803300fe1687b58a7ff32bf4c14';
const ALPINE = { registry: 'localhost', registryUrl: 'https://localhost', namespace: 'harbor', repository: 'alpine', image: 'harbor/alpine' };
const DELETED = { ...ALPINE, tag: '3.8', digest: DELETED_DIGEST, pusher: 'harbor-jobservice', url: 'localhost/harbor/alpine:3.8' };
const SCANNED = { ...ALPINE, digest: PUSHED_DIGEST, pusher: 'auto', url: `localhost/harbor/alpine@${PUSHED_DIGEST}` };

function receiveAll(request: WebhookRequest, secrets: string[] = [TEST_SECRET]) {
  return receiveWebhook({ name: 'harbor-acme', provider: 'harbor', secrets }, request, RECEIVED_AT).events;
}

function receive(request: WebhookRequest, secrets?: string[]) {
  const events = receiveAll(request, secrets);
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** The fixture's headers (Authorization, Content-Type) with another body: Harbor's credential does not cover it. */
function withBody(name: string, body: unknown): WebhookRequest {
  return { ...fixture(name), body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

describeCommonCases('harbor');

describe('harbor: the Authorization header', () => {
  it('accepts the bare secret as well as Bearer + secret', () => {
    expect(receive(withHeaders(fixture('harbor/PUSH_ARTIFACT'), { authorization: TEST_SECRET })).kind).toBe('artifact_push');
  });

  it('accepts a secret configured as the whole header value, Basic included', () => {
    expect(receive(fixture('harbor/PUSH_ARTIFACT'), [`Bearer ${TEST_SECRET}`]).kind).toBe('artifact_push');
    const basic = 'Basic cmVsYXk6czNjcmV0';
    expect(receive(withHeaders(fixture('harbor/PUSH_ARTIFACT'), { authorization: basic }), [basic]).kind).toBe('artifact_push');
  });

  it('names the header, never the secret', () => {
    expect(() => receive(withHeaders(fixture('harbor/PUSH_ARTIFACT'), { authorization: 'Bearer wrong' }))).toThrow(
      new InvalidSignatureError("the Authorization header matches none of the source's secrets"),
    );
    expect(() => receive(withHeaders(fixture('harbor/PUSH_ARTIFACT'), { authorization: undefined }))).toThrow(
      new MissingSignatureError('the Authorization header is missing'),
    );
  });
});

describe('harbor: normalising', () => {
  it('PUSH_ARTIFACT by digest: no tag, the digest as image tag input', () => {
    const event = receive(fixture('harbor/PUSH_ARTIFACT'));
    expect(event).toEqual({
      source: 'harbor-acme',
      provider: 'harbor',
      kind: 'artifact_push',
      event: 'PUSH_ARTIFACT',
      // sha256 of harbor/PUSH_ARTIFACT.json (index.json): the Default format has no delivery id.
      deliveryId: 'sha256:23d39c3ab00c6166252a4dbb4d300fab67a81df7939027a4fe02cc0759959619',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2023-04-03T06:04:53.000Z',
      sender: 'harbor-jobservice',
      artifact: { ...ALPINE, digest: PUSHED_DIGEST, pusher: 'harbor-jobservice', url: `localhost/harbor/alpine@${PUSHED_DIGEST}` },
    });
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2023-04-03T06:04:53.000Z',
      DOCKER_IMAGE_TAG: PUSHED_DIGEST,
      DOCKER_OWNER_NAME: 'harbor-jobservice',
      DOCKER_REPO_NAME: 'alpine',
      DOCKER_REPO_NAMESPACE: 'harbor',
      DOCKER_SERVER_URL: 'https://localhost',
    });
  });

  it('DELETE_ARTIFACT, with its native-trigger inputs', () => {
    const event = receive(fixture('harbor/DELETE_ARTIFACT'));
    expect(event).toMatchObject({
      kind: 'artifact_delete',
      event: 'DELETE_ARTIFACT',
      deliveryId: 'sha256:2da02242623f9a51989233a41d7b51f977533a7612fa7032614be8c63399b0a1',
      occurredAt: '2023-04-03T06:16:38.000Z',
      sender: 'harbor-jobservice',
    });
    expect(event.artifact).toEqual(DELETED);
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2023-04-03T06:16:38.000Z',
      DOCKER_IMAGE_TAG: '3.8',
      DOCKER_OWNER_NAME: 'harbor-jobservice',
      DOCKER_REPO_NAME: 'alpine',
      DOCKER_REPO_NAMESPACE: 'harbor',
      DOCKER_SERVER_URL: 'https://localhost',
    });
  });

  it('harbor.artifact.deleted (CloudEvents): the id as delivery id, the same artifact as the Default format', () => {
    const event = receive(fixture('harbor/DELETE_ARTIFACT.cloudevents'));
    expect(event).toMatchObject({
      kind: 'artifact_delete',
      event: 'harbor.artifact.deleted',
      deliveryId: '343f1623-7cba-487c-88f1-c5ebf55e93aa',
      occurredAt: '2023-04-03T06:16:38.000Z',
      sender: 'harbor-jobservice',
    });
    expect(event.artifact).toEqual(DELETED);
  });

  it('SCANNING_COMPLETED, with its native-trigger inputs', () => {
    const event = receive(fixture('harbor/SCANNING_COMPLETED'));
    expect(event).toMatchObject({
      kind: 'artifact_scan',
      event: 'SCANNING_COMPLETED',
      deliveryId: 'sha256:18fe85fab03e7a9633cf50d5c167a8f235c73d82a94e2c418e08eee7af5f118a',
      occurredAt: '2023-04-03T06:12:55.000Z',
      sender: 'auto',
    });
    expect(event.artifact).toEqual(SCANNED);
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2023-04-03T06:12:55.000Z',
      DOCKER_IMAGE_TAG: PUSHED_DIGEST,
      DOCKER_OWNER_NAME: 'auto',
      DOCKER_REPO_NAME: 'alpine',
      DOCKER_REPO_NAMESPACE: 'harbor',
      DOCKER_SERVER_URL: 'https://localhost',
    });
  });

  it('harbor.scan.completed (CloudEvents)', () => {
    const event = receive(fixture('harbor/SCANNING_COMPLETED.cloudevents'));
    expect(event).toMatchObject({
      kind: 'artifact_scan',
      event: 'harbor.scan.completed',
      deliveryId: '64bce2fe-6159-454d-8389-852d01ef1e9d',
      occurredAt: '2023-04-03T06:12:55.000Z',
      sender: 'auto',
    });
    expect(event.artifact).toEqual(SCANNED);
  });

  it('harbor.artifact.pushed (CloudEvents) is an artifact push, told by the body even when labelled application/json', () => {
    const body = { ...fixtureJson('harbor/DELETE_ARTIFACT.cloudevents'), type: 'harbor.artifact.pushed' };
    const request = withHeaders(withBody('harbor/DELETE_ARTIFACT.cloudevents', body), { 'content-type': 'application/json' });
    expect(receive(request)).toMatchObject({
      kind: 'artifact_push',
      event: 'harbor.artifact.pushed',
      deliveryId: '343f1623-7cba-487c-88f1-c5ebf55e93aa',
      artifact: { image: 'harbor/alpine', tag: '3.8' },
    });
  });

  it('one event per resource, each with its own delivery id', () => {
    const body = fixtureJson('harbor/DELETE_ARTIFACT.cloudevents');
    const data = body.data as { resources: Record<string, unknown>[] };
    data.resources.push({ digest: PUSHED_DIGEST, tag: 'latest', resource_url: 'localhost/harbor/alpine:latest' });
    const events = receiveAll(withBody('harbor/DELETE_ARTIFACT.cloudevents', body));
    expect(events.map((event) => [event.deliveryId, event.artifact?.tag, event.artifact?.digest])).toEqual([
      ['343f1623-7cba-487c-88f1-c5ebf55e93aa#1', '3.8', DELETED_DIGEST],
      ['343f1623-7cba-487c-88f1-c5ebf55e93aa#2', 'latest', PUSHED_DIGEST],
    ]);
  });

  it('takes the registry host and port from resource_url', () => {
    const body = fixtureJson('harbor/DELETE_ARTIFACT');
    (body.event_data as { resources: Record<string, unknown>[] }).resources[0]!.resource_url = 'harbor.example.com:8443/harbor/alpine:3.8';
    expect(receive(withBody('harbor/DELETE_ARTIFACT', body)).artifact).toMatchObject({
      registry: 'harbor.example.com:8443',
      registryUrl: 'https://harbor.example.com:8443',
    });
  });

  it('PULL_ARTIFACT is other, with its artifact', () => {
    const event = receive(withBody('harbor/DELETE_ARTIFACT', { ...fixtureJson('harbor/DELETE_ARTIFACT'), type: 'PULL_ARTIFACT' }));
    expect(event).toMatchObject({ kind: 'other', event: 'PULL_ARTIFACT', occurredAt: '2023-04-03T06:16:38.000Z', artifact: DELETED });
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2023-04-03T06:16:38.000Z',
      DOCKER_IMAGE_TAG: '3.8',
      DOCKER_OWNER_NAME: 'harbor-jobservice',
      DOCKER_REPO_NAME: 'alpine',
      DOCKER_REPO_NAMESPACE: 'harbor',
      DOCKER_SERVER_URL: 'https://localhost',
    });
  });

  it('REPLICATION names no artifact: other, without one', () => {
    const body = { ...fixtureJson('harbor/DELETE_ARTIFACT'), type: 'REPLICATION', event_data: { replication: { job_status: 'Success' } } };
    const event = receive(withBody('harbor/DELETE_ARTIFACT', body));
    expect(event).toMatchObject({ kind: 'other', event: 'REPLICATION', sender: 'harbor-jobservice', occurredAt: '2023-04-03T06:16:38.000Z' });
    expect(event.artifact).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({});
  });
});

describe('harbor: bad input', () => {
  it.each(['harbor/PUSH_ARTIFACT', 'harbor/SCANNING_COMPLETED.cloudevents'])('refuses %s without a type', (name) => {
    const body = { ...fixtureJson(name), type: undefined };
    expect(() => receive(withBody(name, body))).toThrow(new UnknownEventError('the body has no type'));
  });

  const pushed = fixtureJson('harbor/PUSH_ARTIFACT');
  const deleted = fixtureJson('harbor/DELETE_ARTIFACT.cloudevents');
  const deletedData = deleted.data as Record<string, unknown>;
  it.each([
    ['a push without event_data', 'harbor/PUSH_ARTIFACT', { ...pushed, event_data: undefined }, 'the body has no event_data.resources'],
    ['a push without resources', 'harbor/PUSH_ARTIFACT', { ...pushed, event_data: { resources: [] } }, 'the body has no event_data.resources'],
    [
      'a CloudEvents delete without resource_url',
      'harbor/DELETE_ARTIFACT.cloudevents',
      { ...deleted, data: { ...deletedData, resources: [{ digest: DELETED_DIGEST, tag: '3.8' }] } },
      'the body has no data.resources[].resource_url',
    ],
    [
      'a CloudEvents delete without a repository',
      'harbor/DELETE_ARTIFACT.cloudevents',
      { ...deleted, data: { ...deletedData, repository: undefined } },
      'the body has no data.repository.namespace',
    ],
  ])('refuses a body that is %s', (_case, name, body, message) => {
    expect(() => receive(withBody(name, body))).toThrow(MalformedBodyError);
    expect(() => receive(withBody(name, body))).toThrow(message);
  });
});

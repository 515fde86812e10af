import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { MalformedBodyError, UnknownEventError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, signed, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const SHA1 = { header: 'x-nexus-webhook-signature', algorithm: 'sha1' };
const ASSET = fixtureJson('nexus/repository.asset.created');

function receive(request: WebhookRequest, options?: Record<string, unknown>) {
  const { events } = receiveWebhook({ name: 'nexus-acme', provider: 'nexus', secrets: [TEST_SECRET], options }, request, RECEIVED_AT);
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** The asset delivery with another body (compact, as Nexus sends it) and event header, re-signed. */
function variant(body: Record<string, unknown>, event = 'rm:repository:asset'): WebhookRequest {
  const request = withHeaders(fixture('nexus/repository.asset.created'), { 'x-nexus-webhook-id': event });
  return signed(request, Buffer.from(JSON.stringify(body)), TEST_SECRET, SHA1);
}

/** The docs' asset turned into a component of that name with a version. */
function component(action: string): Record<string, unknown> {
  return { ...ASSET, action, asset: undefined, component: { ...(ASSET.asset as Record<string, unknown>), version: '1.4.0' } };
}

describeCommonCases('nexus');

describe('nexus: normalising', () => {
  it('asset created (the docs example)', () => {
    const event = receive(fixture('nexus/repository.asset.created'));
    expect(event).toEqual({
      source: 'nexus-acme',
      provider: 'nexus',
      kind: 'artifact_push',
      event: 'rm:repository:asset',
      action: 'CREATED',
      deliveryId: '4cfe1766-6d68-44c4-a056-fb6883859f84',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2016-11-10T23:57:49.664Z',
      sender: 'admin',
      artifact: {
        registry: '',
        registryUrl: '',
        namespace: 'npm-proxy',
        repository: 'concrete',
        image: 'npm-proxy/concrete',
        tag: undefined,
        packageType: 'npm',
        pusher: 'admin',
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2016-11-10T23:57:49.664Z',
      DOCKER_IMAGE_TAG: '',
      DOCKER_OWNER_NAME: 'admin',
      DOCKER_REPO_NAME: 'concrete',
      DOCKER_REPO_NAMESPACE: 'npm-proxy',
      DOCKER_SERVER_URL: '',
    });
  });

  it('takes the registry from the serverUrl option, keeping its context path', () => {
    const event = receive(fixture('nexus/repository.asset.created'), { serverUrl: 'https://nexus.example.com:8443/nexus/' });
    expect(event.artifact).toMatchObject({ registry: 'nexus.example.com:8443', registryUrl: 'https://nexus.example.com:8443/nexus' });
  });

  it('component created: its version is the tag, with its native-trigger inputs', () => {
    const event = receive(variant(component('CREATED'), 'rm:repository:component'), { serverUrl: 'https://nexus.example.com' });
    expect(event).toMatchObject({
      kind: 'artifact_push',
      event: 'rm:repository:component',
      action: 'CREATED',
      artifact: { registry: 'nexus.example.com', namespace: 'npm-proxy', repository: 'concrete', tag: '1.4.0', packageType: 'npm' },
    });
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2016-11-10T23:57:49.664Z',
      DOCKER_IMAGE_TAG: '1.4.0',
      DOCKER_OWNER_NAME: 'admin',
      DOCKER_REPO_NAME: 'concrete',
      DOCKER_REPO_NAMESPACE: 'npm-proxy',
      DOCKER_SERVER_URL: 'https://nexus.example.com',
    });
  });

  it.each([
    ['rm:repository:asset', 'UPDATED', 'artifact_push'],
    ['rm:repository:asset', 'DELETED', 'artifact_delete'],
    ['rm:repository:component', 'UPDATED', 'artifact_push'],
    ['rm:repository:component', 'DELETED', 'artifact_delete'],
    ['rm:repository:asset', 'PURGED', 'other'],
  ])('%s %s is %s', (event, action, kind) => {
    const body = event === 'rm:repository:asset' ? { ...ASSET, action } : component(action);
    expect(receive(variant(body, event))).toMatchObject({ kind, event, action, artifact: { image: 'npm-proxy/concrete' } });
  });

  it.each([
    ['rm:repository', { ...ASSET, asset: undefined, action: 'UPDATED', repository: { format: 'npm', type: 'proxy', name: 'npm-proxy' } }],
    ['rm:audit', { ...ASSET, asset: undefined, action: undefined, audit: { domain: 'security.user', type: 'created' } }],
  ])('%s is other, with who and when', (event, body) => {
    const received = receive(variant(body, event));
    expect(received).toMatchObject({ kind: 'other', event, sender: 'admin', occurredAt: '2016-11-10T23:57:49.664Z' });
    expect(received.artifact).toBeUndefined();
  });
});

describe('nexus: bad input', () => {
  it('refuses a delivery without X-Nexus-Webhook-Id', () => {
    expect(() => receive(withHeaders(fixture('nexus/repository.asset.created'), { 'x-nexus-webhook-id': undefined }))).toThrow(
      new UnknownEventError('the X-Nexus-Webhook-Id header is missing'),
    );
  });

  it.each([
    ['an action', { ...ASSET, action: undefined }, 'the body has no action'],
    ['a repositoryName', { ...ASSET, repositoryName: undefined }, 'the body has no repositoryName'],
    ['an asset', { ...ASSET, asset: undefined }, 'the body has no asset'],
    ['an asset name', { ...ASSET, asset: { format: 'npm' } }, 'the body has no asset.name'],
  ])('refuses an asset event without %s', (_case, body, message) => {
    expect(() => receive(variant(body))).toThrow(new MalformedBodyError(message));
  });
});

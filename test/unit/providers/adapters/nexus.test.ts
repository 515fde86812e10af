import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { MalformedBodyError, UnknownEventError } from '../../../../lambda/providers/errors';
import { receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, signed, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const SHA1 = { header: 'x-nexus-webhook-signature', algorithm: 'sha1' };
const ASSET = fixtureJson('nexus/repository.asset.created');
const COMPONENT = fixtureJson('nexus/repository.component.created');

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

  it('component created (the docs example): the npm scope stays in the name, as @scope/name', () => {
    // Nexus keeps an npm scope in `group` without its `@` ("group": "types").
    const event = receive(fixture('nexus/repository.component.created'), { serverUrl: 'https://nexus.example.com' });
    expect(event).toEqual({
      source: 'nexus-acme',
      provider: 'nexus',
      kind: 'artifact_push',
      event: 'rm:repository:component',
      action: 'CREATED',
      deliveryId: '86dbe2af-71f2-4839-9a6d-916fe1f44240',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2016-11-14T19:32:13.515Z',
      sender: 'anonymous',
      artifact: {
        registry: 'nexus.example.com',
        registryUrl: 'https://nexus.example.com',
        namespace: 'npm-proxy',
        repository: '@types/angular2',
        image: 'npm-proxy/@types/angular2',
        tag: '0.0.2',
        packageType: 'npm',
        pusher: 'anonymous',
      },
    });
    expect(nativeTriggerInput(event)).toMatchObject({ DOCKER_REPO_NAME: '@types/angular2', DOCKER_REPO_NAMESPACE: 'npm-proxy', DOCKER_IMAGE_TAG: '0.0.2' });
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

  describe('groups', () => {
    // Derived, not published: Sonatype documents no webhook payload with a Maven group. The docs'
    // component example with only its format, group and name changed, to those of the maven2
    // component in Sonatype's Components API docs (help.sonatype.com/en/components-api.html).
    it('component with a Maven group (derived from the docs example: format, group and name changed) is groupId:artifactId', () => {
      const body = { ...COMPONENT, component: { ...(COMPONENT.component as Record<string, unknown>), format: 'maven2', group: 'com.google.guava', name: 'guava' } };
      const event = receive(variant(body, 'rm:repository:component'));
      expect(event.artifact).toMatchObject({ namespace: 'npm-proxy', repository: 'com.google.guava:guava', image: 'npm-proxy/com.google.guava:guava', tag: '0.0.2', packageType: 'maven2' });
      expect(nativeTriggerInput(event)).toMatchObject({ DOCKER_REPO_NAME: 'com.google.guava:guava' });
    });

    // Derived, not published: the docs' component example with its group removed, and with its name
    // already scoped. Neither gets a scope added.
    it.each([
      ['without a group (derived from the docs example: group removed)', { group: undefined }, 'angular2'],
      ['with an empty group (derived from the docs example: group emptied)', { group: '' }, 'angular2'],
      ['whose name already carries the scope (derived from the docs example: name changed)', { name: '@types/angular2' }, '@types/angular2'],
      ['of a format with no written form for its group (derived from the docs example: format changed)', { format: 'raw' }, 'angular2'],
    ])('component %s keeps its name', (_case, change, repository) => {
      const body = { ...COMPONENT, component: { ...(COMPONENT.component as Record<string, unknown>), ...change } };
      expect(receive(variant(body, 'rm:repository:component')).artifact).toMatchObject({ repository, image: `npm-proxy/${repository}` });
    });

    it('asset without a group (the docs example) is unchanged', () => {
      expect(receive(fixture('nexus/repository.asset.created')).artifact).toMatchObject({ repository: 'concrete', image: 'npm-proxy/concrete' });
    });

    // Derived, not published: the docs' asset example with only its name changed to a path that carries
    // the group (Nexus names an asset by its path). Nexus sends no `group` with an asset: the path is
    // kept whole, nothing is parsed out of it or added to it.
    it.each([
      ['npm', '@types/angular2/-/angular2-0.0.2.tgz'],
      ['maven2', 'com/google/guava/guava/21.0/guava-21.0.jar'],
    ])('%s asset whose path carries the group (derived from the docs example: name and format changed) keeps the path', (format, name) => {
      const body = { ...ASSET, asset: { ...(ASSET.asset as Record<string, unknown>), format, name } };
      expect(receive(variant(body)).artifact).toMatchObject({ repository: name, image: `npm-proxy/${name}`, packageType: format });
    });

    // Derived, not published: should an asset carry its own `group`, it is used as for a component,
    // unless the name already carries it.
    it.each([
      ['npm', 'types', 'angular2', '@types/angular2'],
      ['npm', 'types', '@types/angular2/-/angular2-0.0.2.tgz', '@types/angular2/-/angular2-0.0.2.tgz'],
      ['maven2', 'com.google.guava', 'guava', 'com.google.guava:guava'],
      ['maven2', 'com.google.guava', 'com/google/guava/guava/21.0/guava-21.0.jar', 'com/google/guava/guava/21.0/guava-21.0.jar'],
    ])('%s asset with a group (derived from the docs example: format, group and name changed): %s + %s is %s', (format, group, name, repository) => {
      const body = { ...ASSET, asset: { ...(ASSET.asset as Record<string, unknown>), format, group, name } };
      expect(receive(variant(body)).artifact).toMatchObject({ repository });
    });
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

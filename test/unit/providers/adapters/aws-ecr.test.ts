import { nativeTriggerInput } from '../../../../lambda/events/nativeTriggerInput';
import { MalformedBodyError, MissingSignatureError, UnknownEventError } from '../../../../lambda/providers/errors';
import { normaliseDelivery, receiveWebhook } from '../../../../lambda/providers/receiveWebhook';
import type { SourceConfig, WebhookRequest } from '../../../../lambda/providers/types';
import { describeCommonCases } from '../../../support/authenticationCases';
import { TEST_SECRET, fixture, fixtureJson, withHeaders } from '../../../support/webhookFixtures';

const RECEIVED_AT = new Date('2026-11-28T12:00:00Z');
const SOURCE: SourceConfig = { name: 'ecr-prod', provider: 'aws-ecr', secrets: [TEST_SECRET] };
const PUSH = fixtureJson('aws-ecr/image-action.push');
const SCAN = fixtureJson('aws-ecr/image-scan.basic');

function receive(request: WebhookRequest, options?: Record<string, unknown>) {
  const { events } = receiveWebhook({ ...SOURCE, options }, request, RECEIVED_AT);
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** The push event with some fields changed; the API key does not cover the body. */
function pushVariant(changes: Record<string, unknown>, detail: Record<string, unknown> = {}): WebhookRequest {
  const body = { ...PUSH, ...changes, detail: { ...(PUSH.detail as Record<string, unknown>), ...detail } };
  return { ...fixture('aws-ecr/image-action.push'), body: Buffer.from(JSON.stringify(body)) };
}

describeCommonCases('aws-ecr');

describe('aws-ecr: authentication', () => {
  it('reads the header a source configures', () => {
    const request = withHeaders(fixture('aws-ecr/image-action.push'), { 'x-api-key': undefined, 'x-relay-key': TEST_SECRET });
    expect(receive(request, { tokenHeader: 'X-Relay-Key' }).kind).toBe('artifact_push');
    expect(() => receive(request)).toThrow(new MissingSignatureError(
      'no token: send the source\'s secret in the x-api-key header or the "token" query parameter of the webhook URL',
    ));
  });
});

describe('aws-ecr: normalising', () => {
  it('image pushed, with its native-trigger inputs', () => {
    const event = receive(fixture('aws-ecr/image-action.push'));
    expect(event).toEqual({
      source: 'ecr-prod',
      provider: 'aws-ecr',
      kind: 'artifact_push',
      event: 'ECR Image Action',
      action: 'PUSH',
      deliveryId: '13cde686-328b-6117-af20-0e5566167482',
      receivedAt: '2026-11-28T12:00:00.000Z',
      occurredAt: '2019-11-16T01:54:34.000Z',
      artifact: {
        registry: '123456789012.dkr.ecr.us-west-2.amazonaws.com',
        registryUrl: 'https://123456789012.dkr.ecr.us-west-2.amazonaws.com',
        namespace: '',
        repository: 'my-repository-name',
        image: 'my-repository-name',
        tag: 'latest',
        digest: 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234',
        mediaType: undefined,
      },
    });
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2019-11-16T01:54:34.000Z',
      DOCKER_IMAGE_TAG: 'latest',
      DOCKER_OWNER_NAME: '',
      DOCKER_REPO_NAME: 'my-repository-name',
      DOCKER_REPO_NAMESPACE: '',
      DOCKER_SERVER_URL: 'https://123456789012.dkr.ecr.us-west-2.amazonaws.com',
    });
  });

  it('image scan completed: no tag, so the digest is the native tag input', () => {
    const event = receive(fixture('aws-ecr/image-scan.basic'));
    expect(event).toMatchObject({
      kind: 'artifact_scan',
      event: 'ECR Image Scan',
      deliveryId: '85fc3613-e913-7fc4-a80c-a3753e4aa9ae',
      occurredAt: '2019-10-29T02:36:48.000Z',
      artifact: {
        registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
        repository: 'my-repository-name',
        digest: 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234',
      },
    });
    expect(event.action).toBeUndefined();
    expect(event.artifact?.tag).toBeUndefined();
    expect(nativeTriggerInput(event)).toEqual({
      DOCKER_EVENT_TIMESTAMP: '2019-10-29T02:36:48.000Z',
      DOCKER_IMAGE_TAG: 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234',
      DOCKER_OWNER_NAME: '',
      DOCKER_REPO_NAME: 'my-repository-name',
      DOCKER_REPO_NAMESPACE: '',
      DOCKER_SERVER_URL: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com',
    });
  });

  it.each(['aws-ecr/image-action.push', 'aws-ecr/image-scan.basic'])(
    '%s straight from an EventBridge rule (no HTTP, no credential) gives the same event',
    (name) => {
      const fromRule = normaliseDelivery(SOURCE, { body: fixture(name).body, headers: {}, query: {} }, RECEIVED_AT);
      expect(fromRule).toEqual([receive(fixture(name))]);
    },
  );

  it('a scan names the first of the image tags it lists', () => {
    const body = { ...SCAN, detail: { ...(SCAN.detail as Record<string, unknown>), 'image-tags': ['v1.2.0', 'latest'] } };
    const request = { ...fixture('aws-ecr/image-scan.basic'), body: Buffer.from(JSON.stringify(body)) };
    expect(receive(request).artifact?.tag).toBe('v1.2.0');
  });

  it('splits a repository name with slashes into namespace and repository', () => {
    const event = receive(pushVariant({}, { 'repository-name': 'team/backend/api' }));
    expect(event.artifact).toMatchObject({ namespace: 'team/backend', repository: 'api', image: 'team/backend/api' });
  });

  it('keeps the manifest media type, and names China-region registries under amazonaws.com.cn', () => {
    const event = receive(
      pushVariant({ region: 'cn-north-1' }, { 'manifest-media-type': 'application/vnd.oci.image.manifest.v1+json' }),
    );
    expect(event.artifact).toMatchObject({
      registry: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
  });

  it.each([
    [{}, { 'action-type': 'DELETE' }, 'artifact_delete', 'DELETE'],
    [{}, { result: 'FAILED' }, 'other', 'PUSH'],
    [{ 'detail-type': 'ECR Replication Action' }, { 'action-type': 'REPLICATE' }, 'other', 'REPLICATE'],
  ])('names %j %j as %s', (changes, detail, kind, action) => {
    const event = receive(pushVariant(changes, detail));
    expect(event).toMatchObject({ kind, action, artifact: { image: 'my-repository-name' } });
  });

  it('an ECR event of another detail-type without a repository has no artifact', () => {
    const request = pushVariant({ 'detail-type': 'ECR Scan Resource Change' }, { 'repository-name': undefined });
    const event = receive(request);
    expect(event).toMatchObject({ kind: 'other', event: 'ECR Scan Resource Change' });
    expect(event.artifact).toBeUndefined();
  });
});

describe('aws-ecr: bad input', () => {
  it.each([
    ['another source', { source: 'aws.s3' }, 'the body is not an EventBridge event with source aws.ecr'],
    ['no source', { source: undefined }, 'the body is not an EventBridge event with source aws.ecr'],
    ['no detail-type', { 'detail-type': undefined }, 'the body has no detail-type'],
  ])('refuses an event with %s', (_case, changes, message) => {
    expect(() => receive(pushVariant(changes))).toThrow(new UnknownEventError(message));
  });

  it.each([
    ['an account', { account: undefined }, {}, 'the body has no account'],
    ['a region', { region: undefined }, {}, 'the body has no region'],
    ['a repository name', {}, { 'repository-name': undefined }, 'the body has no detail.repository-name'],
  ])('refuses a push without %s', (_case, changes, detail, message) => {
    expect(() => receive(pushVariant(changes, detail))).toThrow(new MalformedBodyError(message));
  });
});

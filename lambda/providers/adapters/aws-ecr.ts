import type { ArtifactEvent, EventKind } from '../../events/CanonicalEvent';
import { urlTokenAuthentication } from '../auth/urlToken';
import { UnknownEventError } from '../errors';
import { toIsoUtc } from '../gitFields';
import { at, record, required, strings, text } from '../json';
import type { EventFields, NormalisedDelivery, ProviderAdapter, WebhookRequest } from '../types';

const IMAGE_ACTION_KINDS = new Map<string, EventKind>([
  ['PUSH', 'artifact_push'],
  ['DELETE', 'artifact_delete'],
]);

/**
 * Amazon ECR, through EventBridge: ECR has no webhooks, an EventBridge rule on `source: aws.ecr`
 * forwards its events. Either to an API destination, whose Connection adds an API key header
 * (`x-api-key` unless configured; or a `token` query parameter): that is all the authentication
 * there is, nothing signs the body. Or straight into the relay's queue, where nothing crosses the
 * internet and the relay normalises without authenticating: such a source needs no secret. The
 * body is the EventBridge event, its `id` the delivery id.
 */
export const awsEcr: ProviderAdapter = {
  name: 'aws-ecr',
  requiresSecret: false,
  describes: ['artifact'],
  ...urlTokenAuthentication({ tokenHeader: 'x-api-key', tokenQuery: 'token' }),

  normalise(_request, body): NormalisedDelivery {
    if (text(body, 'source') !== 'aws.ecr') throw new UnknownEventError('the body is not an EventBridge event with source aws.ecr');
    const detailType = text(body, 'detail-type');
    if (!detailType) throw new UnknownEventError('the body has no detail-type');
    return { deliveryId: text(body, 'id'), events: [fields(detailType, body)] };
  },

  // An EventBridge rule whose target is the queue puts the event there as it is, in no envelope.
  fromQueue(message, raw): WebhookRequest | undefined {
    if (text(message, 'source') !== 'aws.ecr' || at(message, 'detail-type') === undefined) return undefined;
    return { body: Buffer.from(raw), headers: { 'content-type': 'application/json' }, query: {} };
  },
};

function fields(event: string, body: Record<string, unknown>): EventFields {
  const detail = record(body, 'detail');
  const kind = kindOf(event, detail);
  // Other ECR events (replication, pull-through cache, …) still name a repository where they have one.
  const artifact = kind !== 'other' || text(detail, 'repository-name') !== undefined ? artifactOf(body) : undefined;
  return { kind, event, action: text(detail, 'action-type'), occurredAt: toIsoUtc(text(body, 'time')), artifact };
}

function kindOf(event: string, detail: Record<string, unknown> | undefined): EventKind {
  if (event === 'ECR Image Scan') return 'artifact_scan';
  if (event !== 'ECR Image Action' || text(detail, 'result') === 'FAILED') return 'other';
  return IMAGE_ACTION_KINDS.get(text(detail, 'action-type') ?? '') ?? 'other';
}

function artifactOf(body: Record<string, unknown>): ArtifactEvent {
  const detail = required(record(body, 'detail'), 'detail');
  const account = required(text(body, 'account'), 'account');
  const region = required(text(body, 'region'), 'region');
  const image = required(text(detail, 'repository-name'), 'detail.repository-name');
  // Repository names may hold slashes (`team/app`): the last segment is the repository.
  const slash = image.lastIndexOf('/');
  // China regions live under amazonaws.com.cn.
  const registry = `${account}.dkr.ecr.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
  return {
    registry,
    registryUrl: `https://${registry}`,
    namespace: slash < 0 ? '' : image.slice(0, slash),
    repository: image.slice(slash + 1),
    image,
    // A scan event lists the image's tags instead of the one pushed.
    tag: text(detail, 'image-tag') || strings(detail, 'image-tags')[0],
    digest: text(detail, 'image-digest'),
    mediaType: text(detail, 'manifest-media-type'),
  };
}

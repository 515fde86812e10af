import type { ArtifactEvent, EventKind } from '../../events/CanonicalEvent';
import { authenticatedBy, headerToken } from '../auth/authentication';
import { UnknownEventError } from '../errors';
import { toIsoUtc } from '../gitFields';
import { integer, list, record, required, text } from '../json';
import { NO_OPTIONS } from '../optionsSchema';
import type { EventFields, NormalisedDelivery, ProviderAdapter } from '../types';

const KINDS = new Map<string, EventKind>([
  ['PUSH_ARTIFACT', 'artifact_push'],
  ['harbor.artifact.pushed', 'artifact_push'],
  ['DELETE_ARTIFACT', 'artifact_delete'],
  ['harbor.artifact.deleted', 'artifact_delete'],
  ['SCANNING_COMPLETED', 'artifact_scan'],
  ['harbor.scan.completed', 'artifact_scan'],
]);

/**
 * Harbor. No body signature: the policy's "auth header" arrives verbatim as `Authorization`, and
 * is accepted when it equals a secret or `Bearer ` + a secret. Two formats, told apart by the body
 * (`specversion`) since proxies may relabel Content-Type: Default `{type, occur_at, operator,
 * event_data}` and CloudEvents `{specversion, id, type: harbor.*, time, operator, data}`. One event
 * per resource. Only CloudEvents deliveries carry an id. A push by digest repeats the digest as
 * its tag: that is not a tag, so it is dropped.
 */
export const harbor: ProviderAdapter = {
  name: 'harbor',
  optionsSchema: NO_OPTIONS,
  requiresSecret: true,
  describes: ['artifact'],
  // The policy may be given the bare token or the whole header value.
  ...authenticatedBy({ credentials: [headerToken('authorization', 'the Authorization header', ['Bearer '])], missing: 'the Authorization header is missing' }),

  normalise(_request, body): NormalisedDelivery {
    const cloudEvents = text(body, 'specversion') !== undefined;
    const event = text(body, 'type');
    if (!event) throw new UnknownEventError('the body has no type');
    const dataField = cloudEvents ? 'data' : 'event_data';
    const common: EventFields = {
      kind: KINDS.get(event) ?? 'other',
      event,
      occurredAt: cloudEvents ? toIsoUtc(text(body, 'time')) : epochSeconds(integer(body, 'occur_at')),
      sender: text(body, 'operator'),
    };
    return { deliveryId: (cloudEvents && text(body, 'id')) || undefined, events: perResource(common, record(body, dataField), dataField) };
  },
};

function epochSeconds(seconds: number | undefined): string | undefined {
  return seconds === undefined ? undefined : toIsoUtc(seconds * 1000);
}

function perResource(common: EventFields, data: Record<string, unknown> | undefined, dataField: string): EventFields[] {
  // Quota, replication and retention events name no pullable artifact: they stay without one.
  if (common.kind === 'other' && !namesArtifacts(data)) return [common];
  const resources = list(data, 'resources');
  required(resources[0], `${dataField}.resources`);
  return resources.map((resource) => Object.assign({}, common, { artifact: artifactOf(resource, data, dataField, common.sender) }));
}

function namesArtifacts(data: Record<string, unknown> | undefined): boolean {
  const resources = list(data, 'resources');
  const named = text(data, 'repository', 'name') !== undefined && text(data, 'repository', 'namespace') !== undefined;
  return named && resources.length > 0 && resources.every((resource) => text(resource, 'resource_url') !== undefined);
}

function artifactOf(resource: unknown, data: Record<string, unknown> | undefined, dataField: string, pusher: string | undefined): ArtifactEvent {
  // resource_url is `host/namespace/name:tag` or `…@digest`, without a scheme.
  const resourceUrl = required(text(resource, 'resource_url'), `${dataField}.resources[].resource_url`);
  const registry = resourceUrl.split('/')[0] ?? resourceUrl;
  const namespace = required(text(data, 'repository', 'namespace'), `${dataField}.repository.namespace`);
  const name = required(text(data, 'repository', 'name'), `${dataField}.repository.name`);
  const digest = text(resource, 'digest');
  const tag = text(resource, 'tag');
  return {
    registry,
    registryUrl: `https://${registry}`,
    namespace,
    repository: name,
    image: text(data, 'repository', 'repo_full_name') ?? `${namespace}/${name}`,
    tag: tag && tag !== digest ? tag : undefined,
    digest,
    pusher,
    url: resourceUrl,
  };
}

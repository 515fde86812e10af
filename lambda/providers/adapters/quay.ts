import type { ArtifactEvent, EventKind } from '../../events/CanonicalEvent';
import { urlTokenAuthentication } from '../auth/urlToken';
import { UnknownEventError } from '../errors';
import { originOf } from '../gitFields';
import { at, record, required, strings, text } from '../json';
import type { EventFields, NormalisedDelivery, ProviderAdapter } from '../types';

/**
 * Quay.io and Red Hat Quay. Quay signs nothing and sends no secret, so the source's secret travels
 * in the webhook URL (`?token=`) or in an `X-Relay-Token` header; options may rename either.
 * The webhook POSTs the notification's event data alone: no event name, no time, no delivery id,
 * no pusher. The notification is told by its fields: `updated_tags` (repo_push, one artifact_push
 * per tag), `vulnerability` (vulnerability_found, one artifact_scan per tag), `build_id` (the five
 * build_* notifications, which their bodies do not tell apart: `build`, kind other). Quay's "test
 * notification" sends sample data of the chosen event, so it reads as that event.
 */
export const quay: ProviderAdapter = {
  name: 'quay',
  requiresSecret: true,
  describes: ['artifact'],
  ...urlTokenAuthentication({ tokenHeader: 'x-relay-token', tokenQuery: 'token' }),

  normalise(_request, body): NormalisedDelivery {
    if (at(body, 'updated_tags') !== undefined) return { events: perTag('artifact_push', 'repo_push', body, 'updated_tags') };
    if (record(body, 'vulnerability')) return { events: perTag('artifact_scan', 'vulnerability_found', body, 'tags') };
    if (text(body, 'build_id') !== undefined) return { events: [{ kind: 'other', event: 'build', artifact: artifactOf(body) }] };
    throw new UnknownEventError('the body has none of updated_tags, vulnerability or build_id: not a Quay notification the relay reads');
  },
};

function perTag(kind: EventKind, event: string, body: Record<string, unknown>, field: string): EventFields[] {
  const references = strings(body, field);
  required(references[0], field);
  return references.map((reference) => ({ kind, event, artifact: Object.assign(artifactOf(body), referenceOf(reference)) }));
}

/** A vulnerability on an untagged manifest names its digest instead of a tag; a tag never holds a colon. */
function referenceOf(reference: string): Pick<ArtifactEvent, 'tag' | 'digest'> {
  return reference.includes(':') ? { digest: reference } : { tag: reference };
}

function artifactOf(body: Record<string, unknown>): ArtifactEvent {
  const namespace = required(text(body, 'namespace'), 'namespace');
  const name = required(text(body, 'name'), 'name');
  // docker_url is `host/namespace/name`, without a scheme.
  const registry = required(text(body, 'docker_url')?.split('/')[0], 'docker_url');
  const homepage = text(body, 'homepage');
  return {
    registry,
    registryUrl: originOf(homepage) ?? `https://${registry}`,
    namespace,
    repository: name,
    image: `${namespace}/${name}`,
    url: homepage,
  };
}

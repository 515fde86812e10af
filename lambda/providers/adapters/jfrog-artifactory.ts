import type { ArtifactEvent, EventKind } from '../../events/CanonicalEvent';
import { authenticatedBy, headerToken, signature } from '../auth/authentication';
import { UnknownEventError } from '../errors';
import { originOf } from '../gitFields';
import { bool, record, required, text } from '../json';
import type { EventFields, NormalisedDelivery, ProviderAdapter } from '../types';

const AUTH_HEADER = 'x-jfrog-event-auth';

/** `domain/event_type` → kind; every other event JFrog sends (moved, promoted, build, …) is `other`. */
const KINDS = new Map<string, EventKind>([
  ['docker/pushed', 'artifact_push'],
  ['docker/deleted', 'artifact_delete'],
  ['artifact/deployed', 'artifact_push'],
  ['artifact/deleted', 'artifact_delete'],
]);

/**
 * JFrog Artifactory (JFrog Platform webhooks). By default `X-JFrog-Event-Auth` carries the secret
 * token itself. With the option `signedPayload` (JFrog's `use_secret_for_signing`) the secret is
 * not sent; the header is then taken to carry hex HMAC-SHA256 of the raw body, an algorithm JFrog's
 * docs do not confirm. The event is the body's `domain/event_type`; JFrog sends no delivery id and
 * no event time.
 */
export const jfrogArtifactory: ProviderAdapter = {
  name: 'jfrog-artifactory',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      signedPayload: {
        type: 'boolean',
        default: false,
        description:
          "The webhook has JFrog's use_secret_for_signing set: X-JFrog-Event-Auth carries hex HMAC-SHA256 of the body instead of the secret. " +
          "The algorithm is assumed, not confirmed by JFrog's docs: check one delivery before relying on it.",
      },
    },
  },
  requiresSecret: true,
  describes: ['artifact'],
  ...authenticatedBy((options) =>
    bool(options, 'signedPayload') === true
      ? { credentials: [signature({ header: AUTH_HEADER, algorithm: 'sha256' })], missing: 'the X-JFrog-Event-Auth header is missing: the delivery is not signed' }
      : { credentials: [headerToken(AUTH_HEADER, 'the X-JFrog-Event-Auth header')], missing: 'the X-JFrog-Event-Auth header is missing' },
  ),

  normalise(_request, body): NormalisedDelivery {
    const domain = text(body, 'domain');
    const eventType = text(body, 'event_type');
    // The docs print only the `data` object of some events; without the envelope nothing names the event.
    if (!domain || !eventType) throw new UnknownEventError('the body has no domain and event_type: it is not a JFrog webhook envelope');
    return { events: [fields(`${domain}/${eventType}`, domain, body)] };
  },
};

function fields(event: string, domain: string, body: Record<string, unknown>): EventFields {
  const kind = KINDS.get(event) ?? 'other';
  const sender = senderOf(body);
  // Events the relay does not model still name an artifact where their data has one (moved, copied, promoted).
  const artifact = kind !== 'other' || hasArtifact(domain, body) ? artifactOf(domain, body, sender) : undefined;
  return { kind, event, sender, artifact };
}

function hasArtifact(domain: string, body: Record<string, unknown>): boolean {
  return text(body, 'data', 'repo_key') !== undefined && text(body, 'data', repositoryField(domain)) !== undefined;
}

function repositoryField(domain: string): string {
  return domain === 'docker' ? 'image_name' : 'name';
}

function artifactOf(domain: string, body: Record<string, unknown>, pusher: string | undefined): ArtifactEvent {
  const data = required(record(body, 'data'), 'data');
  const namespace = required(text(data, 'repo_key'), 'data.repo_key');
  const field = repositoryField(domain);
  const repository = required(text(data, field), `data.${field}`);
  const origin = originOf(text(body, 'jpd_origin'));
  const registry = origin === undefined ? '' : new URL(origin).host;
  const sha256 = text(data, 'sha256');
  return {
    registry,
    registryUrl: origin ?? '',
    namespace,
    repository,
    image: `${namespace}/${domain === 'docker' ? repository : (text(data, 'path') ?? repository)}`,
    tag: text(data, 'tag'),
    // The docs' artifact example has the placeholder `sample_checksum`: only a real digest is one.
    digest: sha256 !== undefined && /^[0-9a-f]{64}$/i.test(sha256) ? `sha256:${sha256.toLowerCase()}` : undefined,
    packageType: domain === 'docker' ? 'docker' : undefined,
    pusher,
  };
}

/** `source` names who caused the event as `jfrog/<user>`. */
function senderOf(body: Record<string, unknown>): string | undefined {
  const source = text(body, 'source');
  return (source?.startsWith('jfrog/') ? source.slice('jfrog/'.length) : source) || undefined;
}

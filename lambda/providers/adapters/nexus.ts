import type { ArtifactEvent, EventKind } from '../../events/CanonicalEvent';
import { authenticatedBy, signature } from '../auth/authentication';
import { UnknownEventError } from '../errors';
import { originOf, toIsoUtc } from '../gitFields';
import { record, required, text } from '../json';
import type { EventFields, NormalisedDelivery, ProviderAdapter } from '../types';

/** The events about one asset or component; the rest (rm:repository, rm:audit, …) are `other`. */
const ARTIFACT_EVENTS = new Map([
  ['rm:repository:asset', 'asset'],
  ['rm:repository:component', 'component'],
]);

const KINDS_BY_ACTION = new Map<string, EventKind>([
  ['CREATED', 'artifact_push'],
  ['UPDATED', 'artifact_push'],
  ['DELETED', 'artifact_delete'],
]);

/**
 * Sonatype Nexus Repository 3. Signed with `X-Nexus-Webhook-Signature`: hex HMAC-SHA1 of the raw
 * body, no prefix. `X-Nexus-Webhook-Id` names the event, `X-Nexus-Webhook-Delivery` the delivery.
 * Nexus puts no URL of its own in the body: the option `serverUrl` supplies the registry.
 */
export const nexus: ProviderAdapter = {
  name: 'nexus',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      serverUrl: {
        type: 'string',
        format: 'uri',
        description: "The Nexus server's base URL, e.g. https://nexus.example.com; Nexus does not send it. Without it the registry is empty.",
      },
    },
  },
  requiresSecret: true,
  describes: ['artifact'],
  ...authenticatedBy({
    credentials: [signature({ header: 'x-nexus-webhook-signature', algorithm: 'sha1' })],
    missing: 'the X-Nexus-Webhook-Signature header is missing: the delivery is not signed',
  }),

  normalise(request, body, options): NormalisedDelivery {
    const event = request.headers['x-nexus-webhook-id'];
    if (!event) throw new UnknownEventError('the X-Nexus-Webhook-Id header is missing');
    return { deliveryId: request.headers['x-nexus-webhook-delivery'], events: [fields(event, body, options)] };
  },
};

function fields(event: string, body: Record<string, unknown>, options: Record<string, unknown>): EventFields {
  const action = text(body, 'action');
  // `initiator` is `user/ip`.
  const sender = text(body, 'initiator')?.split('/')[0] || undefined;
  const common = { event, action, occurredAt: toIsoUtc(text(body, 'timestamp')), sender };
  const subject = ARTIFACT_EVENTS.get(event);
  if (subject === undefined) return { kind: 'other', ...common };
  return Object.assign({ kind: KINDS_BY_ACTION.get(required(action, 'action')) ?? 'other' }, common, { artifact: artifactOf(subject, body, options, sender) });
}

function artifactOf(subject: string, body: Record<string, unknown>, options: Record<string, unknown>, pusher: string | undefined): ArtifactEvent {
  const item = required(record(body, subject), subject);
  const namespace = required(text(body, 'repositoryName'), 'repositoryName');
  const packageType = text(item, 'format');
  const repository = qualifiedName(packageType, text(item, 'group'), required(text(item, 'name'), `${subject}.name`));
  const { registry, registryUrl } = serverOf(options);
  return { registry, registryUrl, namespace, repository, image: `${namespace}/${repository}`, tag: text(item, 'version'), packageType, pusher };
}

/**
 * The name with the item's own `group` in front, written as its format writes it: npm
 * `@scope/name` (Nexus keeps the scope without its `@`: `"group": "types"`), Maven
 * `groupId:artifactId`. Only the payload's `group` is used; nothing is read out of a path. A name
 * that already carries the group is left alone: an npm name starting with `@`, a Maven name with
 * a `/` (an asset's name is its path, `org/example/lib/1.0/lib-1.0.jar`). Other formats keep
 * their name: their groups (a raw directory, for one) are already part of it or have no usual
 * written form.
 */
function qualifiedName(format: string | undefined, group: string | undefined, name: string): string {
  if (!group) return name;
  switch (format) {
    case 'npm':
      return name.startsWith('@') ? name : `@${group.replace(/^@/, '')}/${name}`;
    case 'maven2':
      return name.includes('/') ? name : `${group}:${name}`;
    default:
      return name;
  }
}

type Server = Pick<ArtifactEvent, 'registry' | 'registryUrl'>;

/**
 * Kept per source's options: the server is config, the same for every delivery, and parsing its
 * URL would cost more than the rest of normalising one.
 */
const SERVERS = new WeakMap<Record<string, unknown>, Server>();

function serverOf(options: Record<string, unknown>): Server {
  let server = SERVERS.get(options);
  if (server === undefined) {
    server = configuredServer(options);
    SERVERS.set(options, server);
  }
  return server;
}

function configuredServer(options: Record<string, unknown>): Server {
  const url = text(options, 'serverUrl');
  const origin = originOf(url);
  if (url === undefined || origin === undefined) return { registry: '', registryUrl: '' };
  // Nexus may be served under a context path (`/nexus`): the base URL keeps it.
  return { registry: new URL(origin).host, registryUrl: url.replace(/\/+$/, '') };
}

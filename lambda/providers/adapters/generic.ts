import { EVENT_KINDS } from '../../events/CanonicalEvent';
import type { EventKind } from '../../events/CanonicalEvent';
import { type Authentication, type Credential, authenticatedBy, headerToken, queryToken, signature } from '../auth/authentication';
import type { HmacAlgorithm, HmacScheme } from '../auth/hmacSignature';
import { TIMESTAMP_DEFAULTS, type TimestampFormat, type TimestampScheme, signsTimestampAndBody, timestampedSignature } from '../auth/timestampedSignature';
import { UnknownEventError } from '../errors';
import { record, text } from '../json';
import type { NormalisedDelivery, ProviderAdapter, WebhookRequest } from '../types';

const ALGORITHMS: readonly HmacAlgorithm[] = ['sha1', 'sha256', 'sha512'];
const ENCODINGS: readonly NonNullable<HmacScheme['encoding']>[] = ['hex', 'base64'];
const TIMESTAMP_FORMATS: readonly TimestampFormat[] = ['unix', 'unix-ms', 'iso'];

const KIND = { type: 'string', enum: [...EVENT_KINDS] };

const PLACE = {
  type: 'string',
  pattern: '^(header:[^\\s:]+|[^.\\s]+(\\.[^.\\s]+)*)$',
  description: '`header:<name>` for a header, or a dot path into the JSON body such as `meta.type` (array items by index: `items.0.id`).',
};

/**
 * Any other sender of JSON webhooks, described by the source's options: an HMAC of the raw body
 * (`signature`), or of a timestamp and the body where the sender signs one (`signature.timestamp`:
 * a delivery beyond its tolerance of now is refused), or a shared token in a header or query parameter (`token`); where the event name
 * and delivery id are (`event`, `deliveryId`); which canonical kind each event name is (`kinds`,
 * `defaultKind`). Events carry no Git or artifact details: rules match the raw body. A source
 * whose options name neither a signature nor a token (the schema forbids it; a config that slipped
 * through) refuses every delivery with MissingSignatureError naming the missing option, rather
 * than accepting it unauthenticated.
 */
export const generic: ProviderAdapter = {
  name: 'generic',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      signature: {
        type: 'object',
        additionalProperties: false,
        required: ['header'],
        description: 'The sender signs the raw body: HMAC under the secret, in a header.',
        properties: {
          header: { type: 'string', minLength: 1, description: 'Header carrying the signature, e.g. X-Signature.' },
          algorithm: { type: 'string', enum: [...ALGORITHMS], default: 'sha256', description: 'HMAC hash.' },
          prefix: { type: 'string', default: '', description: 'Text before the digest in the header, e.g. `sha256=`.' },
          encoding: { type: 'string', enum: [...ENCODINGS], default: 'hex', description: 'How the digest is written.' },
          timestamp: {
            type: 'object',
            additionalProperties: false,
            required: ['header'],
            description: 'The sender signs a timestamp with the body (as Stripe and Slack do); one beyond the tolerance is refused.',
            properties: {
              header: { type: 'string', minLength: 1, description: 'Header carrying the timestamp, e.g. X-Signature-Timestamp.' },
              toleranceSeconds: {
                type: 'number',
                exclusiveMinimum: 0,
                default: TIMESTAMP_DEFAULTS.toleranceSeconds,
                description: 'How far, either way, the timestamp may be from now.',
              },
              format: {
                type: 'string',
                enum: [...TIMESTAMP_FORMATS],
                default: TIMESTAMP_DEFAULTS.format,
                description: 'Unix seconds, Unix milliseconds, or ISO 8601 with a time zone.',
              },
              signedPayload: {
                type: 'string',
                allOf: [{ pattern: '\\{timestamp\\}' }, { pattern: '\\{body\\}' }],
                default: TIMESTAMP_DEFAULTS.signedPayload,
                description: 'What is signed: {timestamp} (the header as sent) and {body} (the raw body) in this text, e.g. `v0:{timestamp}:{body}`.',
              },
            },
          },
        },
      },
      token: {
        type: 'object',
        additionalProperties: false,
        anyOf: [{ required: ['header'] }, { required: ['query'] }],
        description: "The sender sends the secret itself, in a header or the webhook URL's query; the header is tried first.",
        properties: {
          header: { type: 'string', minLength: 1, description: 'Header carrying the secret.' },
          query: { type: 'string', minLength: 1, description: 'Query parameter of the webhook URL carrying the secret.' },
        },
      },
      event: { ...PLACE, description: `Where the event name is. ${PLACE.description} Without it every event is named \`webhook\`.` },
      deliveryId: {
        ...PLACE,
        description: `Where the delivery id is. ${PLACE.description} Without it, or when a delivery lacks it, a hash of the body is the id.`,
      },
      kinds: {
        type: 'object',
        propertyNames: { minLength: 1 },
        additionalProperties: { ...KIND, description: 'The canonical kind of events with this name.' },
        description: 'Event name → canonical kind, e.g. {"build.finished": "artifact_push"}.',
      },
      defaultKind: { ...KIND, default: 'other', description: 'The kind of an event name that `kinds` does not list.' },
    },
    oneOf: [{ required: ['signature'] }, { required: ['token'] }],
  },
  requiresSecret: true,
  describes: ['git', 'artifact'],
  ...authenticatedBy(authentication),

  normalise(request, body, options): NormalisedDelivery {
    const eventPlace = text(options, 'event');
    const event = eventPlace === undefined ? 'webhook' : valueAt(request, body, eventPlace);
    if (event === undefined) throw new UnknownEventError(`the delivery has no event name at ${eventPlace}`);
    const deliveryPlace = text(options, 'deliveryId');
    return {
      deliveryId: deliveryPlace === undefined ? undefined : valueAt(request, body, deliveryPlace),
      events: [{ kind: kindOf(event, options), event }],
    };
  },
};

/** An HMAC of the body, with a timestamp where configured (`signature`), else a token in a header, the query or both (`token`), the header tried first. */
function authentication(options: Record<string, unknown>): Authentication {
  const signed = record(options, 'signature');
  if (signed) {
    const scheme = hmacScheme(signed);
    if (typeof scheme === 'string') return misconfigured(scheme);
    const stamped = record(signed, 'timestamp');
    const timestamp = stamped && timestampScheme(stamped);
    if (typeof timestamp === 'string') return misconfigured(timestamp);
    return {
      credentials: [timestamp ? timestampedSignature(scheme, timestamp) : signature(scheme)],
      missing: `the ${scheme.header} header is missing: the delivery is not signed`,
    };
  }
  const token = record(options, 'token');
  if (!token) return misconfigured('neither options.signature nor options.token is set');
  const header = text(token, 'header')?.toLowerCase();
  const query = text(token, 'query');
  if (!header && !query) return misconfigured('options.token names neither a header nor a query parameter');
  const credentials: Credential[] = [];
  if (header) credentials.push(headerToken(header, `the ${header} header`));
  if (query) credentials.push(queryToken(query));
  const places = [header ? `the ${header} header` : '', query ? `the "${query}" query parameter` : ''].filter((place) => place !== '');
  return { credentials, missing: `no token: ${places.join(' or ')} is missing` };
}

/**
 * Not the sender's fault, but no way to tell a genuine delivery from a forged one either: every
 * delivery is refused with MissingSignatureError naming what is missing.
 */
function misconfigured(what: string): Authentication {
  return { credentials: [], missing: `the generic source is misconfigured, ${what}: no delivery can be authenticated` };
}

/** The scheme the options describe, or what is wrong with them. */
function hmacScheme(signature: Record<string, unknown>): HmacScheme | string {
  const header = text(signature, 'header');
  const algorithm = ALGORITHMS.find((known) => known === (text(signature, 'algorithm') ?? 'sha256'));
  const encoding = ENCODINGS.find((known) => known === (text(signature, 'encoding') ?? 'hex'));
  if (!header) return 'options.signature.header is not set';
  if (!algorithm) return 'options.signature.algorithm is not sha1, sha256 or sha512';
  if (!encoding) return 'options.signature.encoding is not hex or base64';
  return { header: header.toLowerCase(), algorithm, prefix: text(signature, 'prefix') ?? '', encoding };
}

/** The timestamp the options describe, with its defaults, or what is wrong with them. */
function timestampScheme(timestamp: Record<string, unknown>): TimestampScheme | string {
  const header = text(timestamp, 'header');
  const tolerance = timestamp.toleranceSeconds ?? TIMESTAMP_DEFAULTS.toleranceSeconds;
  const format = TIMESTAMP_FORMATS.find((known) => known === (text(timestamp, 'format') ?? TIMESTAMP_DEFAULTS.format));
  const signedPayload = timestamp.signedPayload ?? TIMESTAMP_DEFAULTS.signedPayload;
  if (!header) return 'options.signature.timestamp.header is not set';
  if (typeof tolerance !== 'number' || !(tolerance > 0) || !Number.isFinite(tolerance)) {
    return 'options.signature.timestamp.toleranceSeconds is not a positive number';
  }
  if (!format) return 'options.signature.timestamp.format is not unix, unix-ms or iso';
  if (typeof signedPayload !== 'string' || !signsTimestampAndBody(signedPayload)) {
    return 'options.signature.timestamp.signedPayload does not contain both {timestamp} and {body}';
  }
  return { header: header.toLowerCase(), toleranceSeconds: tolerance, format, signedPayload };
}

/** `header:<name>` or a dot path into the body; an empty value counts as absent. */
function valueAt(request: WebhookRequest, body: Record<string, unknown>, place: string): string | undefined {
  const value = place.startsWith('header:') ? request.headers[place.slice('header:'.length).toLowerCase()] : text(body, ...place.split('.'));
  return value || undefined;
}

/** A kind the schema would refuse (a config that slipped through) is ignored rather than trusted. */
function kindOf(event: string, options: Record<string, unknown>): EventKind {
  const kinds = record(options, 'kinds');
  const mapped = kinds && Object.hasOwn(kinds, event) ? text(kinds, event) : undefined;
  return asKind(mapped) ?? asKind(text(options, 'defaultKind')) ?? 'other';
}

function asKind(value: string | undefined): EventKind | undefined {
  return EVENT_KINDS.find((kind) => kind === value);
}

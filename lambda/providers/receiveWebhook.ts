import { hash } from 'node:crypto';
import type { CanonicalEvent } from '../events/CanonicalEvent';
import { adapterFor } from './registry';
import { isoUtc } from './gitFields';
import { parseBody } from './parseBody';
import type { EventFields, ProviderAdapter, SourceConfig, WebhookRequest } from './types';

/** A delivery read: its id, its canonical events, and its body as text. */
export interface ReceivedDelivery {
  /** The provider's delivery id; a hash of the body where it sends none. */
  deliveryId: string;
  /**
   * Usually one event. Where the delivery gives several, each carries `<deliveryId>#n`: an
   * execution is made at most once per event id and rule, so each event needs its own.
   */
  events: CanonicalEvent[];
  /** When it was received, ISO 8601 UTC, as its events say. */
  receivedAt: string;
  /** The body as UTF-8 text, decoded once: what the queue message carries. */
  text: string;
}

/**
 * Authenticates a delivery for its source, then turns it into canonical events.
 *
 * @throws WebhookError (missing or invalid signature, unknown event, malformed body); nothing else.
 * @example
 * const { deliveryId, events } = receiveWebhook(
 *   { name: 'github-acme', provider: 'github', secrets: [currentSecret, previousSecret] },
 *   { body: rawBytes, headers: lowerCasedHeaders, query: {} },
 * );
 */
export function receiveWebhook(source: SourceConfig, request: WebhookRequest, receivedAt: Date = new Date()): ReceivedDelivery {
  const adapter = adapterFor(source.provider);
  adapter.authenticate(request, source.secrets, source.options ?? {});
  return read(adapter, source, request, receivedAt);
}

/**
 * Reads a delivery without authenticating it: for one that never crossed the internet (an
 * EventBridge rule feeding the queue).
 */
export function readDelivery(source: SourceConfig, request: WebhookRequest, receivedAt: Date = new Date()): ReceivedDelivery {
  return read(adapterFor(source.provider), source, request, receivedAt);
}

/** The events of a delivery read without authenticating it: for dry runs, which check no signature. */
export function normaliseDelivery(source: SourceConfig, request: WebhookRequest, receivedAt: Date = new Date()): CanonicalEvent[] {
  return readDelivery(source, request, receivedAt).events;
}

function read(adapter: ProviderAdapter, source: SourceConfig, request: WebhookRequest, receivedAt: Date): ReceivedDelivery {
  const text = request.body.toString('utf8');
  const delivery = adapter.normalise(request, parseBody(request, text), source.options ?? {});
  const deliveryId = delivery.deliveryId ?? bodyDeliveryId(request.body);
  const received = isoUtc(receivedAt.getTime());
  return { deliveryId, receivedAt: received, events: canonicalEvents(adapter, source, delivery.events, deliveryId, received), text };
}

/**
 * The events of a delivery read before, under the id and time it was given then: what the relay
 * reads from a queued message, whose body was authenticated by ingress and parsed (`body`) since.
 * The id is not read again: where the provider sends none it is the hash of the body as received,
 * and the queued body may have lost a credential.
 *
 * @throws WebhookError (unknown event, malformed body); nothing else.
 */
export function queuedDeliveryEvents(
  source: SourceConfig,
  request: WebhookRequest,
  body: Record<string, unknown>,
  given: { deliveryId: string; receivedAt: string },
): CanonicalEvent[] {
  const adapter = adapterFor(source.provider);
  return canonicalEvents(adapter, source, adapter.normalise(request, body, source.options ?? {}).events, given.deliveryId, given.receivedAt);
}

function canonicalEvents(adapter: ProviderAdapter, source: SourceConfig, fields: readonly EventFields[], deliveryId: string, receivedAt: string): CanonicalEvent[] {
  const several = fields.length > 1;
  return fields.map((one, index) =>
    canonicalEvent(one, { source: source.name, provider: adapter.name, deliveryId: several ? `${deliveryId}#${index + 1}` : deliveryId, receivedAt }),
  );
}

/**
 * The adapter's fields with the driver's, absent ones left out. Built key by key in one order
 * rather than by spreading: every event then has one of a few shapes, which keeps it cheap.
 */
function canonicalEvent(
  { kind, event, action, occurredAt, sender, git, artifact }: EventFields,
  driver: Pick<CanonicalEvent, 'source' | 'provider' | 'deliveryId' | 'receivedAt'>,
): CanonicalEvent {
  const canonical: Partial<CanonicalEvent> = { source: driver.source, provider: driver.provider, kind, event };
  if (action !== undefined) canonical.action = action;
  canonical.deliveryId = driver.deliveryId;
  canonical.receivedAt = driver.receivedAt;
  canonical.occurredAt = occurredAt ?? driver.receivedAt;
  if (sender !== undefined) canonical.sender = sender;
  if (git !== undefined) canonical.git = git;
  if (artifact !== undefined) canonical.artifact = artifact;
  return canonical as CanonicalEvent;
}

/** For providers that send no delivery id: the same body always gets the same id. */
export function bodyDeliveryId(body: Buffer): string {
  return `sha256:${hash('sha256', body, 'hex')}`;
}

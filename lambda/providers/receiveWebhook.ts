import { createHash } from 'node:crypto';
import type { CanonicalEvent } from '../events/CanonicalEvent';
import { adapterFor } from './registry';
import { parseBody } from './parseBody';
import type { SourceConfig, WebhookRequest } from './types';

/**
 * Authenticates a delivery for its source, then turns it into canonical events.
 *
 * @throws WebhookError (missing or invalid signature, unknown event, malformed body); nothing else.
 * @example
 * const [event] = receiveWebhook(
 *   { name: 'github-acme', provider: 'github', secrets: [currentSecret, previousSecret] },
 *   { body: rawBytes, headers: lowerCasedHeaders, query: {} },
 * );
 */
export function receiveWebhook(source: SourceConfig, request: WebhookRequest, receivedAt: Date = new Date()): CanonicalEvent[] {
  adapterFor(source.provider).authenticate(request, source.secrets, source.options ?? {});
  return normaliseDelivery(source, request, receivedAt);
}

/**
 * Turns a delivery into canonical events without authenticating it: for a delivery already
 * authenticated, or one that never crossed the internet (an EventBridge rule feeding the queue).
 */
export function normaliseDelivery(source: SourceConfig, request: WebhookRequest, receivedAt: Date = new Date()): CanonicalEvent[] {
  const adapter = adapterFor(source.provider);
  const delivery = adapter.normalise(request, parseBody(request), source.options ?? {});
  const deliveryId = delivery.deliveryId ?? bodyDeliveryId(request.body);
  const received = receivedAt.toISOString();
  const several = delivery.events.length > 1;
  return delivery.events.map(({ kind, event, action, occurredAt, sender, git, artifact }, index) => ({
    source: source.name,
    provider: adapter.name,
    kind,
    event,
    ...(action === undefined ? {} : { action }),
    // Each event of a delivery needs its own id: the idempotency record is keyed by it.
    deliveryId: several ? `${deliveryId}#${index + 1}` : deliveryId,
    receivedAt: received,
    occurredAt: occurredAt ?? received,
    ...(sender === undefined ? {} : { sender }),
    ...(git === undefined ? {} : { git }),
    ...(artifact === undefined ? {} : { artifact }),
  }));
}

/** For providers that send no delivery id: the same body always gets the same id. */
export function bodyDeliveryId(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

import type { CanonicalEvent } from '../events/CanonicalEvent';
import { MalformedMessageError, type RelayMessage } from '../events/RelayMessage';
import type { SourceDefinition } from '../config/RelayConfig';
import { queuedDeliveryEvents } from '../providers/receiveWebhook';
import type { WebhookRequest } from '../providers/types';

/**
 * The canonical events of a queued delivery (`request`: its body's bytes, headers and query;
 * `body`: the body parsed): those the message
 * carries (one queued before ingress stopped writing them, or from another route), else read from
 * the body and headers by the adapter of the message's provider, with the options of its source.
 *
 * @throws MalformedMessageError when the source is no longer configured for that provider, or
 *   WebhookError when the adapter cannot read the delivery.
 */
export function messageEvents(
  message: RelayMessage,
  request: WebhookRequest,
  body: Record<string, unknown>,
  sources: Readonly<Record<string, SourceDefinition>>,
): CanonicalEvent[] {
  if (message.events !== undefined) return message.events;
  const definition = Object.hasOwn(sources, message.source) ? sources[message.source] : undefined;
  if (definition?.provider !== message.provider) {
    throw new MalformedMessageError(
      `no ${message.provider} source named "${message.source}" is configured to read this delivery with: restore it, then redrive the record`,
    );
  }
  return queuedDeliveryEvents({ name: message.source, provider: message.provider, secrets: [], options: definition.options }, request, body, message);
}

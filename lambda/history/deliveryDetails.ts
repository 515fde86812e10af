import type { CanonicalEvent } from '../events/CanonicalEvent';
import { type RelayMessage, eventKindOf } from '../events/RelayMessage';
import type { DeliveryDetails } from './DeliveryLog';
import { summarizeDelivery } from './summarizeDelivery';

/** The most of a user agent the log keeps: the sender chooses it. */
const LOGGED_AGENT_CHARACTERS = 256;

/**
 * What the log keeps of a delivery the relay received in SQS message `messageId`: what ingress
 * queued, without credentials (`bytes`, its body), and the events the relay read from it.
 */
export function deliveryDetails(message: RelayMessage, messageId: string, bytes: Buffer, events: readonly CanonicalEvent[]): DeliveryDetails {
  return {
    provider: message.provider,
    status: 202,
    bodyBytes: bytes.length,
    senderIp: message.senderIp,
    userAgent: message.headers['user-agent']?.slice(0, LOGGED_AGENT_CHARACTERS),
    eventKind: message.eventKind ?? eventKindOf(events),
    summary: summarizeDelivery(events),
    headers: message.headers,
    query: message.query,
    events: [...events],
    body: bytes.toString('utf8'),
    messageId,
  };
}

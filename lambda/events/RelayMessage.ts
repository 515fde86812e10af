import type { CanonicalEvent, ProviderName } from './CanonicalEvent';

/**
 * What ingress puts on the queue for one delivery, and what a dead-lettered record keeps unchanged:
 * the canonical events, and the delivery itself for rules that read the raw body and headers.
 * Credentials are redacted from it before it is sent (see redactCredentials).
 */
export interface RelayMessage {
  version: 1;
  source: string;
  provider: ProviderName;
  /** The delivery's id; each event carries its own (`<id>#n` where one delivery holds several). */
  deliveryId: string;
  receivedAt: string;
  events: CanonicalEvent[];
  /** The body as received, as UTF-8 text. */
  body: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  query: Record<string, string>;
}

/** SQS message attributes every queued delivery carries, so a record is recognisable in any queue. */
export const MESSAGE_ATTRIBUTES = {
  source: 'source',
  provider: 'provider',
  eventKind: 'eventKind',
  deliveryId: 'deliveryId',
} as const;

export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

/** @throws MalformedMessageError naming what is wrong. */
export function parseRelayMessage(text: string): RelayMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedMessageError('the message body is not JSON');
  }
  const message = value as Partial<RelayMessage> | null;
  if (message === null || typeof message !== 'object' || message.version !== 1) {
    throw new MalformedMessageError('the message is not a relay message of version 1');
  }
  for (const field of ['source', 'provider', 'deliveryId', 'receivedAt', 'body'] as const) {
    if (typeof message[field] !== 'string') throw new MalformedMessageError(`the message has no ${field}`);
  }
  if (!Array.isArray(message.events) || message.events.length === 0) throw new MalformedMessageError('the message has no events');
  if (typeof message.headers !== 'object' || message.headers === null) throw new MalformedMessageError('the message has no headers');
  return { ...message, query: message.query ?? {} } as RelayMessage;
}

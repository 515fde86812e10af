import type { BodyReference } from '../bodies/BodyStore';
import type { CanonicalEvent, ProviderName } from './CanonicalEvent';

/** SQS's largest message, which a queued delivery must fit with its envelope and attributes. */
export const SQS_MAX_MESSAGE_BYTES = 1024 * 1024;

/** What every relay message carries beside the body. */
interface RelayEnvelope {
  version: 1;
  source: string;
  provider: ProviderName;
  /** The delivery's id; each event carries its own (`<id>#n` where one delivery holds several). */
  deliveryId: string;
  receivedAt: string;
  /**
   * The kinds of its events, comma-separated, as the `eventKind` attribute says: what a person or
   * a redrive reads without the config. Absent in messages queued before it was written.
   */
  eventKind?: string;
  /**
   * The canonical events, in messages queued before ingress stopped writing them and in those of
   * other routes. Ingress writes none: the relay reads them from the body and headers, which then
   * are the only account of the delivery, and carry no credential that events could repeat.
   */
  events?: CanonicalEvent[];
  /** The sender's address, as API Gateway saw it: for the delivery log, which the relay writes. */
  senderIp?: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /**
   * Set by the relay on a delivery it sent back to the queue to wait out a rule's quiet period:
   * then only that rule runs, for that event. Absent on what ingress queues.
   */
  deferred?: Deferral;
}

/** What a deferred delivery waits for: one rule's quiet window, for one of its events. */
export interface Deferral {
  rule: string;
  /** The event's delivery id as the relay keys its execution (`<id>#n` for one of several; a repeat's, that of the first delivery). */
  eventDeliveryId: string;
  /** The key of the rule's window the event waits in (rules/quietPeriod.ts). */
  key: string[];
  /** Which window of that key: a new one opens once one has run. */
  windowId: string;
  /** When the window is due, ISO 8601 UTC. */
  dueAt: string;
}

/**
 * What ingress puts on the queue for one delivery, and what a dead-lettered record keeps unchanged:
 * the canonical events, and the delivery itself for rules that read the raw body and headers.
 * Credentials are redacted from it before it is sent (see redactCredentials).
 *
 * The body travels in one of three forms; read it with {@link messageBody} or {@link messageText},
 * never from a field:
 * - `bodyBase64`, its bytes base64-encoded, is what ingress writes: the text API Gateway handed it,
 *   which JSON carries without escaping a character.
 * - `bodyRef`, where the body is kept in S3, is what ingress writes for a body too large for an
 *   SQS message with it; {@link withBody} puts the body read from there in its place.
 * - `body`, the bytes as UTF-8 text, is what messages queued before issue #12 hold, on the queue or
 *   in the dead-letter queue; the relay builds it too for an event another route queued.
 */
export type RelayMessage = RelayEnvelope &
  (
    | { bodyBase64: string; body?: never; bodyRef?: never }
    | { body: string; bodyBase64?: never; bodyRef?: never }
    | { bodyRef: BodyReference; body?: never; bodyBase64?: never }
  );

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

/**
 * The body's bytes, whichever form the message carries.
 *
 * @throws Error for a message whose body is in S3 and not read yet ({@link withBody}).
 */
export function messageBody(message: RelayMessage): Buffer {
  if (message.bodyBase64 !== undefined) return Buffer.from(message.bodyBase64, 'base64');
  if (message.body !== undefined) return Buffer.from(message.body, 'utf8');
  throw new Error(`the body of delivery ${message.deliveryId} is in s3://${message.bodyRef.bucket}/${message.bodyRef.key}: read it first`);
}

/** The body as UTF-8 text, whichever form the message carries. @throws as {@link messageBody} */
export function messageText(message: RelayMessage): string {
  return message.body ?? messageBody(message).toString('utf8');
}

/** The message with its body, read from where `bodyRef` says, in the message's place. */
export function withBody(message: RelayMessage, body: Buffer): RelayMessage {
  const { bodyRef: _reference, body: _text, bodyBase64: _bytes, ...rest } = message;
  return { ...rest, bodyBase64: body.toString('base64') };
}

/** The message for people to read: the body as text, where the message has it base64-encoded; a reference to S3 as it is. */
export function withTextBody(message: RelayMessage): RelayMessage {
  if (message.bodyRef !== undefined) return message;
  const { bodyBase64: _bytes, body: _text, headers, query, ...envelope } = message;
  return { ...envelope, body: messageText(message), headers, query };
}

/** The SQS message attributes of a queued delivery, by name; each one's data type is String. */
export function messageAttributes(message: RelayMessage): Record<string, string> {
  const attributes: Record<string, string> = {
    [MESSAGE_ATTRIBUTES.source]: message.source,
    [MESSAGE_ATTRIBUTES.provider]: message.provider,
  };
  // SQS refuses an empty attribute; only a message that says nothing of its events has none.
  const eventKind = message.eventKind ?? eventKindOf(message.events ?? []);
  if (eventKind !== '') attributes[MESSAGE_ATTRIBUTES.eventKind] = eventKind;
  attributes[MESSAGE_ATTRIBUTES.deliveryId] = message.deliveryId;
  return attributes;
}

/** {@link messageAttributes} as SendMessage takes them. */
export function sqsMessageAttributes(message: RelayMessage): Record<string, { DataType: 'String'; StringValue: string }> {
  const attributes: Record<string, { DataType: 'String'; StringValue: string }> = {};
  for (const [name, value] of Object.entries(messageAttributes(message))) attributes[name] = { DataType: 'String', StringValue: value };
  return attributes;
}

/** The `eventKind` of a delivery with these events: each kind once, in order, comma-separated. */
export function eventKindOf(events: readonly Pick<CanonicalEvent, 'kind'>[]): string {
  const kinds: string[] = [];
  for (const { kind } of events) if (!kinds.includes(kind)) kinds.push(kind);
  return kinds.join(',');
}

/**
 * The size SQS holds against its limit for a message whose body takes `bodyBytes` in UTF-8, with
 * these String attributes: the body, and each attribute's name, data type and value.
 */
export function sqsMessageBytes(bodyBytes: number, attributes: Record<string, string>): number {
  let bytes = bodyBytes;
  for (const name in attributes) bytes += Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(attributes[name] ?? '');
  return bytes;
}

/** A relay message as JSON, ready to send, and its size in UTF-8 bytes. */
export interface SerializedRelayMessage {
  json: string;
  bytes: number;
}

const BODY_BASE64_KEY = ',"bodyBase64":"';
const BODY_BASE64_END = '"}';

/**
 * The message as JSON, a `bodyBase64` spliced in rather than passed through JSON.stringify, which
 * reads every character of a string to escape it: a body of 1 MiB costs it milliseconds, more than
 * anything else ingress does. `bodyBase64` must hold only base64 characters (letters, digits,
 * `+/-_=`), which JSON carries as they are: Buffer's base64 does, and ingress checks API Gateway's.
 * Being ASCII, they count one byte each: the size is had without reading the body again.
 */
export function serializeRelayMessage(message: RelayMessage): SerializedRelayMessage {
  if (message.bodyBase64 === undefined) {
    const json = JSON.stringify(message);
    return { json, bytes: Buffer.byteLength(json) };
  }
  const { bodyBase64, ...envelope } = message;
  const json = JSON.stringify(envelope);
  // Measured whole: a slice of a string is slower to measure than the string.
  const headBytes = Buffer.byteLength(json) - '}'.length;
  return {
    json: `${json.slice(0, -1)}${BODY_BASE64_KEY}${bodyBase64}${BODY_BASE64_END}`,
    bytes: headBytes + BODY_BASE64_KEY.length + bodyBase64.length + BODY_BASE64_END.length,
  };
}

/** @throws MalformedMessageError naming what is wrong. */
export function parseRelayMessage(text: string): RelayMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedMessageError('the message body is not JSON');
  }
  return relayMessageOf(value);
}

/** A queue message already parsed from JSON, checked as a relay message. @throws MalformedMessageError naming what is wrong. */
export function relayMessageOf(value: unknown): RelayMessage {
  const message = value as Partial<Record<keyof RelayEnvelope | 'body' | 'bodyBase64' | 'bodyRef', unknown>> | null;
  if (message === null || typeof message !== 'object' || message.version !== 1) {
    throw new MalformedMessageError('the message is not a relay message of version 1');
  }
  for (const field of ['source', 'provider', 'deliveryId', 'receivedAt'] as const) {
    if (typeof message[field] !== 'string') throw new MalformedMessageError(`the message has no ${field}`);
  }
  const forms = [message.bodyBase64, message.body, message.bodyRef].filter((form) => form !== undefined).length;
  if (forms > 1) throw new MalformedMessageError('the message has more than one of body, bodyBase64 and bodyRef');
  if (message.bodyRef !== undefined && !isBodyReference(message.bodyRef)) throw new MalformedMessageError('the message\'s bodyRef is not a bucket, a key and a size');
  if (message.bodyRef === undefined && typeof (message.bodyBase64 ?? message.body) !== 'string') throw new MalformedMessageError('the message has no body');
  if (message.events !== undefined && (!Array.isArray(message.events) || message.events.length === 0)) {
    throw new MalformedMessageError('the message\'s events are not a list of events');
  }
  if (message.eventKind !== undefined && typeof message.eventKind !== 'string') throw new MalformedMessageError('the message\'s eventKind is not text');
  if (message.senderIp !== undefined && typeof message.senderIp !== 'string') throw new MalformedMessageError('the message\'s senderIp is not text');
  if (message.deferred !== undefined && !isDeferral(message.deferred)) {
    throw new MalformedMessageError('the message\'s deferred is not a rule, an event delivery id, a key, a window id and a due time');
  }
  if (typeof message.headers !== 'object' || message.headers === null) throw new MalformedMessageError('the message has no headers');
  return { ...message, query: message.query ?? {} } as RelayMessage;
}

function isDeferral(value: unknown): value is Deferral {
  const deferral = value as Partial<Record<keyof Deferral, unknown>> | null;
  return (
    deferral !== null &&
    typeof deferral === 'object' &&
    typeof deferral.rule === 'string' &&
    typeof deferral.eventDeliveryId === 'string' &&
    Array.isArray(deferral.key) &&
    deferral.key.every((part) => typeof part === 'string') &&
    typeof deferral.windowId === 'string' &&
    typeof deferral.dueAt === 'string' &&
    Number.isFinite(Date.parse(deferral.dueAt))
  );
}

function isBodyReference(value: unknown): value is BodyReference {
  const reference = value as Partial<Record<keyof BodyReference, unknown>> | null;
  return reference !== null && typeof reference === 'object' && typeof reference.bucket === 'string' && typeof reference.key === 'string' && typeof reference.bytes === 'number';
}

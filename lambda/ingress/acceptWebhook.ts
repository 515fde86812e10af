import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { WebhookError } from '../providers/errors';
import { type ReceivedDelivery, receiveWebhook } from '../providers/receiveWebhook';
import type { SourceConfig } from '../providers/types';
import { type RelayMessage, eventKindOf, messageAttributes, serializeRelayMessage, sqsMessageBytes } from '../events/RelayMessage';
import type { SourceDefinition } from '../config/RelayConfig';
import type { SecretStore } from '../secrets/SecretStore';
import type { DeliveryQueue } from './DeliveryQueue';
import { redactCredentials } from './redactCredentials';

/** SQS's largest message, which a queued delivery must fit with its envelope. */
export const SQS_MAX_MESSAGE_BYTES = 1024 * 1024;

/** What a queued message keeps beside the body for the rest: ids, event kinds, headers, query, attributes. */
const ENVELOPE_BYTES = 64 * 1024;

/**
 * The default body limit, 737,280 bytes (720 KiB): the queue carries the body base64-encoded, 3
 * bytes in 4 characters, so a body this large fills what the envelope leaves of SQS's limit.
 */
export const DEFAULT_MAX_BODY_BYTES = ((SQS_MAX_MESSAGE_BYTES - ENVELOPE_BYTES) / 4) * 3;

export interface IngressDependencies {
  sources: Readonly<Record<string, SourceDefinition>>;
  secrets: SecretStore;
  queue: DeliveryQueue;
  /** The largest body accepted, in bytes; larger ones get 413. */
  maxBodyBytes: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics?: Pick<Metrics, 'addMetric'>;
  now?: () => Date;
}

/**
 * `POST /hooks/{source}`: authenticates a delivery, normalises it, and answers 202 only once it
 * is on the queue. Every refusal is a JSON body `{"error": code, "message": …}`.
 */
export async function acceptWebhook(event: APIGatewayProxyEvent, dependencies: IngressDependencies): Promise<APIGatewayProxyResult> {
  const { logger } = dependencies;
  const name = event.pathParameters?.source ?? '';
  if (event.httpMethod !== 'POST') return answer(405, { error: 'method_not_allowed', message: `${event.httpMethod} is not allowed: send POST` });
  const definition = Object.hasOwn(dependencies.sources, name) ? dependencies.sources[name] : undefined;
  if (!definition) return answer(404, { error: 'unknown_source', message: `no webhook source is named "${name}"` });
  // Context goes on each line rather than into the logger: one logger may serve concurrent requests.
  const context: Record<string, string> = { source: name, provider: definition.provider };
  try {
    const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    if (body.length > dependencies.maxBodyBytes) {
      return answer(413, { error: 'body_too_large', message: `the body is ${body.length} bytes; the limit is ${dependencies.maxBodyBytes}` });
    }
    let secrets: string[];
    try {
      secrets = (await Promise.all(definition.secrets.map((secret) => dependencies.secrets.get(secret)))).map((secret) => secret.value);
    } catch (error) {
      logger.error('The source’s secrets cannot be read', { ...context, error: described(error) });
      return answer(503, { error: 'secrets_unavailable', message: 'the relay cannot read this source’s secrets now; retry later' });
    }
    const request = { body, headers: lowerCased(event.headers), query: definedOnly(event.queryStringParameters) };
    const source: SourceConfig = { name, provider: definition.provider, secrets, options: definition.options };
    const receivedAt = (dependencies.now ?? (() => new Date()))();
    let delivery: ReceivedDelivery;
    try {
      delivery = receiveWebhook(source, request, receivedAt);
    } catch (error) {
      if (!(error instanceof WebhookError)) throw error;
      logger.warn('Delivery refused', { ...context, error: error.code, reason: error.message });
      return answer(error.status, error.toJSON());
    }
    const { deliveryId, events } = delivery;
    context.deliveryId = deliveryId;
    dependencies.metrics?.addMetric('received', MetricUnit.Count, 1);
    if (events.every((canonical) => canonical.kind === 'ping')) {
      logger.info('Ping answered', context);
      return answer(200, { deliveryId, ping: true });
    }
    const redacted = redactCredentials(request, source, delivery.text);
    const eventKind = eventKindOf(events);
    // No events: the relay reads them from the body again (lambda/relay/messageEvents.ts).
    const message: RelayMessage & { bodyBase64: string } = {
      version: 1,
      source: name,
      provider: definition.provider,
      deliveryId,
      receivedAt: delivery.receivedAt,
      eventKind,
      bodyBase64: encodedBody(event, body, delivery.text, redacted.body),
      headers: redacted.headers,
      query: redacted.query,
    };
    // Made once: the size checked is that of the very message sent, attributes included.
    const serialized = serializeRelayMessage(message);
    const size = sqsMessageBytes(serialized.bytes, messageAttributes(message));
    if (size > SQS_MAX_MESSAGE_BYTES) {
      return answer(413, { error: 'body_too_large', message: `with its envelope the delivery is ${size} bytes; a queued message holds at most ${SQS_MAX_MESSAGE_BYTES}` });
    }
    try {
      await dependencies.queue.send(message, serialized.json);
    } catch (error) {
      logger.error('The delivery could not be queued', { ...context, error: described(error) });
      return answer(503, { error: 'queue_unavailable', message: 'the delivery could not be queued; retry it' });
    }
    context.events = eventKind;
    logger.info('Delivery queued', context);
    return answer(202, { deliveryId });
  } catch (error) {
    logger.error('Unexpected failure', { ...context, error: described(error) });
    return answer(500, { error: 'internal_error', message: 'the relay failed to handle this delivery; retry it' });
  }
}

/**
 * The body as the message carries it, base64-encoded, which JSON holds without escaping a
 * character: the text API Gateway handed over, unless redaction changed the body (then the
 * redacted text is encoded) or that text is not plain base64 of the bytes read (then they are).
 */
function encodedBody(event: APIGatewayProxyEvent, bytes: Buffer, text: string, redacted: string): string {
  if (redacted !== text) return Buffer.from(redacted).toString('base64');
  const encoded = event.body ?? '';
  return event.isBase64Encoded && encodesOnly(encoded, bytes) ? encoded : bytes.toString('base64');
}

/**
 * Whether the text `encoded`, which Node's base64 decoding turned into `bytes`, holds nothing but
 * base64 characters that encode them. That decoding skips what is not base64 rather than failing,
 * and reads a character beyond ASCII by its low byte: with ASCII only (its UTF-8 length is its
 * length), the standard encoding's length and padding leave no room for a character it skipped.
 * The text then carries no more than was checked, and JSON holds it without escaping.
 */
function encodesOnly(encoded: string, bytes: Buffer): boolean {
  return (
    encoded.length === Math.ceil(bytes.length / 3) * 4 &&
    encoded.endsWith('='.repeat((3 - (bytes.length % 3)) % 3)) &&
    Buffer.byteLength(encoded) === encoded.length
  );
}

/** What a failure was, for the log, whatever was thrown (a rejection need not be an Error). */
function described(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function answer(statusCode: number, body: object): APIGatewayProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

/** API Gateway keeps header names as sent; providers and adapters use lower case. */
function lowerCased(headers: APIGatewayProxyEvent['headers'] | null): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) lower[name.toLowerCase()] = value;
  }
  return lower;
}

function definedOnly(values: APIGatewayProxyEvent['queryStringParameters']): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const name in values) {
    const value = values[name];
    if (value !== undefined) defined[name] = value;
  }
  return defined;
}

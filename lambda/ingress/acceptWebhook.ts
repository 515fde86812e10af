import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { WebhookError } from '../providers/errors';
import { receiveWebhook } from '../providers/receiveWebhook';
import type { SourceConfig } from '../providers/types';
import type { RelayMessage } from '../events/RelayMessage';
import type { SourceDefinition } from '../config/RelayConfig';
import type { SecretStore } from '../secrets/SecretStore';
import type { DeliveryQueue } from './DeliveryQueue';
import { redactCredentials } from './redactCredentials';

/** SQS's largest message, which a queued delivery must fit with its envelope. */
export const SQS_MAX_MESSAGE_BYTES = 1024 * 1024;

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
      secrets = await Promise.all(definition.secrets.map(async (secret) => (await dependencies.secrets.get(secret)).value));
    } catch (error) {
      logger.error('The source’s secrets cannot be read', { ...context, error: described(error) });
      return answer(503, { error: 'secrets_unavailable', message: 'the relay cannot read this source’s secrets now; retry later' });
    }
    const request = { body, headers: lowerCased(event), query: definedOnly(event.queryStringParameters ?? {}) };
    const source: SourceConfig = { name, provider: definition.provider, secrets, options: definition.options };
    const receivedAt = (dependencies.now ?? (() => new Date()))();
    let events;
    try {
      events = receiveWebhook(source, request, receivedAt);
    } catch (error) {
      if (!(error instanceof WebhookError)) throw error;
      logger.warn('Delivery refused', { ...context, error: error.code, reason: error.message });
      return answer(error.status, error.toJSON());
    }
    const deliveryId = deliveryIdOf(events.map((canonical) => canonical.deliveryId));
    context.deliveryId = deliveryId;
    dependencies.metrics?.addMetric('received', MetricUnit.Count, 1);
    if (events.every((canonical) => canonical.kind === 'ping')) {
      logger.info('Ping answered', context);
      return answer(200, { deliveryId, ping: true });
    }
    const redacted = redactCredentials(request, source);
    const message: RelayMessage = {
      version: 1,
      source: name,
      provider: definition.provider,
      deliveryId,
      receivedAt: receivedAt.toISOString(),
      events,
      ...redacted,
    };
    const serialized = JSON.stringify(message);
    const size = Buffer.byteLength(serialized);
    if (size > SQS_MAX_MESSAGE_BYTES) {
      return answer(413, { error: 'body_too_large', message: `with its envelope the delivery is ${size} bytes; a queued message holds at most ${SQS_MAX_MESSAGE_BYTES}` });
    }
    try {
      await dependencies.queue.send(message, serialized);
    } catch (error) {
      logger.error('The delivery could not be queued', { ...context, error: described(error) });
      return answer(503, { error: 'queue_unavailable', message: 'the delivery could not be queued; retry it' });
    }
    logger.info('Delivery queued', { ...context, events: events.map((canonical) => canonical.kind).join(',') });
    return answer(202, { deliveryId });
  } catch (error) {
    logger.error('Unexpected failure', { ...context, error: described(error) });
    return answer(500, { error: 'internal_error', message: 'the relay failed to handle this delivery; retry it' });
  }
}

/** What a failure was, for the log, whatever was thrown (a rejection need not be an Error). */
function described(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function answer(statusCode: number, body: object): APIGatewayProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

/** API Gateway keeps header names as sent; providers and adapters use lower case. */
function lowerCased(event: APIGatewayProxyEvent): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  return headers;
}

function definedOnly(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The delivery's own id: its events' id, without the `#n` that tells several events apart. */
function deliveryIdOf(ids: string[]): string {
  return ids.length > 1 ? (ids[0] ?? '').replace(/#1$/, '') : (ids[0] ?? '');
}

import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { WebhookError, type WebhookErrorCode } from '../providers/errors';
import { type ReceivedDelivery, receiveWebhook } from '../providers/receiveWebhook';
import type { SourceConfig } from '../providers/types';
import {
  type RelayMessage,
  type SerializedRelayMessage,
  SQS_MAX_MESSAGE_BYTES,
  eventKindOf,
  messageAttributes,
  serializeRelayMessage,
  sqsMessageBytes,
} from '../events/RelayMessage';
import type { SourceDefinition } from '../config/RelayConfig';
import type { SecretStore } from '../secrets/SecretStore';
import type { BodyStore } from '../bodies/BodyStore';
import type { DeliveryQueue } from './DeliveryQueue';
import type { DeliveryLog } from '../history/DeliveryLog';
import { logWriteFailure } from '../history/logWriteFailure';
import { redactCredentials } from './redactCredentials';

export { SQS_MAX_MESSAGE_BYTES };

/**
 * The largest body a queued message could carry, 786,432 bytes: base64-encoded, 3 bytes in 4
 * characters, it alone fills SQS's limit. A body that does not fit with its envelope is kept in
 * S3 and the message carries its reference.
 */
const INLINE_BODY_BYTES = (SQS_MAX_MESSAGE_BYTES / 4) * 3;

/** Lambda's quota for a synchronous invocation's payload: API Gateway's event, with the body base64-encoded in it. */
export const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** What API Gateway's event holds beside the body, at most: the headers twice (10 KiB each at most), the request context. */
const EVENT_BYTES = 64 * 1024;

/**
 * The default body limit, 4,669,440 bytes: the largest body whose event surely fits Lambda's
 * quota. A larger one may still fit with few headers, but past about 4.7 MB Lambda refuses the
 * event before ingress runs, and API Gateway answers without the relay's JSON.
 */
export const DEFAULT_MAX_BODY_BYTES = ((LAMBDA_PAYLOAD_BYTES - EVENT_BYTES) / 4) * 3;

export interface IngressDependencies {
  sources: Readonly<Record<string, SourceDefinition>>;
  secrets: SecretStore;
  queue: DeliveryQueue;
  /** Where a body too large for a queued message is kept; without it, such a delivery gets 413. */
  bodies?: BodyStore;
  /** The largest body accepted, in bytes; larger ones get 413. */
  maxBodyBytes: number;
  /** Where refusals and pings are recorded (lambda/history): the relay records what is queued. */
  deliveries?: DeliveryLog;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** `singleMetric` counts a refusal with dimensions of its own, which the other metrics do not have. */
  metrics?: Pick<Metrics, 'addMetric' | 'singleMetric'>;
  now?: () => Date;
}

/** The `error` of every refusal ingress answers: a fixed set, so it can be a metric dimension. */
type RefusalCode =
  | WebhookErrorCode
  | 'unknown_source'
  | 'method_not_allowed'
  | 'body_too_large'
  | 'secrets_unavailable'
  | 'queue_unavailable'
  | 'body_store_unavailable'
  | 'internal_error';

/**
 * The `source` dimension of a refusal whose source is not configured. The requested name is the
 * sender's to choose, so it never becomes a dimension; no configured name can start with "(".
 */
const UNKNOWN_SOURCE = '(unknown)';

/** How much of a requested name that is no source a refusal's line keeps: the sender chooses its length. */
const LOGGED_NAME_CHARACTERS = 64;

/** What a refusal's line says of the request, as far as it was read: never its body, headers, query or a credential. */
interface RefusedRequest {
  dependencies: IngressDependencies;
  /** The requested name: a configured source's, or, with no provider, anything. */
  source: string;
  /** Known when the source is configured. */
  provider?: string;
  bodyBytes: number;
  /** Known once the delivery is authenticated and read. */
  deliveryId?: string;
  /** Known once the clock was read; before that, the log takes the time it writes. */
  receivedAt?: Date;
  senderIp?: string;
  userAgent?: string;
}

/** The most of a user agent the log keeps: the sender chooses it. */
const LOGGED_AGENT_CHARACTERS = 256;

/**
 * `POST /hooks/{source}`: authenticates a delivery, normalises it, and answers 202 only once it
 * is on the queue. Every refusal is a JSON body `{"error": code, "message": …}`, logged and
 * counted by {@link refusal}.
 */
export async function acceptWebhook(event: APIGatewayProxyEvent, dependencies: IngressDependencies): Promise<APIGatewayProxyResult> {
  const { logger } = dependencies;
  const name = event.pathParameters?.source ?? sourceOfResource(event.resource);
  const definition = Object.hasOwn(dependencies.sources, name) ? dependencies.sources[name] : undefined;
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const identity = event.requestContext?.identity;
  const known: RefusedRequest = {
    dependencies,
    source: name,
    provider: definition?.provider,
    bodyBytes: body.length,
    senderIp: identity?.sourceIp || undefined,
    userAgent: identity?.userAgent?.slice(0, LOGGED_AGENT_CHARACTERS) || undefined,
  };
  if (event.httpMethod !== 'POST') return refusal(known, 405, { error: 'method_not_allowed', message: `${event.httpMethod} is not allowed: send POST` });
  if (!definition) return refusal(known, 404, { error: 'unknown_source', message: `no webhook source is named "${name}"` });
  // Context goes on each line rather than into the logger: one logger may serve concurrent requests.
  const context: Record<string, string> = { source: name, provider: definition.provider };
  try {
    if (body.length > dependencies.maxBodyBytes) {
      const tooLarge = { error: 'body_too_large', message: `the body is ${body.length} bytes; the limit is ${dependencies.maxBodyBytes}` } as const;
      return refusal(known, 413, tooLarge, tooLarge.message);
    }
    let secrets: string[];
    try {
      secrets = (await Promise.all(definition.secrets.map((secret) => dependencies.secrets.get(secret)))).map((secret) => secret.value);
    } catch (error) {
      return refusal(known, 503, { error: 'secrets_unavailable', message: 'the relay cannot read this source’s secrets now; retry later' }, described(error));
    }
    const request = { body, headers: lowerCased(event.headers), query: definedOnly(event.queryStringParameters) };
    const source: SourceConfig = { name, provider: definition.provider, secrets, options: definition.options };
    const receivedAt = (dependencies.now ?? (() => new Date()))();
    known.receivedAt = receivedAt;
    let delivery: ReceivedDelivery;
    try {
      delivery = receiveWebhook(source, request, receivedAt);
    } catch (error) {
      if (!(error instanceof WebhookError)) throw error;
      return refusal(known, error.status, error.toJSON(), error.message);
    }
    const { deliveryId, events } = delivery;
    context.deliveryId = known.deliveryId = deliveryId;
    dependencies.metrics?.addMetric('received', MetricUnit.Count, 1);
    const redacted = redactCredentials(request, source, delivery.text);
    if (events.every((canonical) => canonical.kind === 'ping')) {
      await logPing(known, redacted, delivery);
      logger.info('Ping answered', context);
      return answer(200, { deliveryId, ping: true });
    }
    const eventKind = eventKindOf(events);
    // No events: the relay reads them from the body again (lambda/relay/messageEvents.ts). One
    // envelope, spread into either message, rather than a function building them: a closure over
    // this function's variables would make every access to them slower (V8 moves captured
    // variables into a heap context).
    const envelope = { version: 1 as const, source: name, provider: definition.provider, deliveryId, receivedAt: delivery.receivedAt, eventKind, senderIp: known.senderIp };
    const inline: RelayMessage | undefined =
      body.length > INLINE_BODY_BYTES
        ? undefined
        : { ...envelope, bodyBase64: encodedBody(event, body, delivery.text, redacted.body), headers: redacted.headers, query: redacted.query };
    // Made once: the size checked is that of the very message sent, attributes included.
    let serialized: SerializedRelayMessage | undefined = inline && serializeRelayMessage(inline);
    const inlineBytes = inline && serialized ? sqsMessageBytes(serialized.bytes, messageAttributes(inline)) : undefined;
    let message: RelayMessage | undefined = inline;
    if (!message || !serialized || inlineBytes === undefined || inlineBytes > SQS_MAX_MESSAGE_BYTES) {
      if (!dependencies.bodies) {
        const tooLarge = {
          error: 'body_too_large',
          message:
            inlineBytes === undefined
              ? `the body is ${body.length} bytes; base64-encoded it cannot fit a queued message (${SQS_MAX_MESSAGE_BYTES} bytes), and no bucket is set for larger bodies`
              : `with its envelope the delivery is ${inlineBytes} bytes; a queued message holds at most ${SQS_MAX_MESSAGE_BYTES}`,
        } as const;
        return refusal(known, 413, tooLarge, tooLarge.message);
      }
      try {
        const bodyRef = await dependencies.bodies.put(redacted.body === delivery.text ? body : Buffer.from(redacted.body), name);
        message = { ...envelope, bodyRef, headers: redacted.headers, query: redacted.query };
      } catch (error) {
        return refusal(known, 503, { error: 'body_store_unavailable', message: 'the delivery is too large for the queue and could not be stored; retry it' }, described(error));
      }
      serialized = serializeRelayMessage(message);
      const size = sqsMessageBytes(serialized.bytes, messageAttributes(message));
      if (size > SQS_MAX_MESSAGE_BYTES) {
        const tooLarge = { error: 'body_too_large', message: `the delivery's headers and query alone take ${size} bytes; a queued message holds at most ${SQS_MAX_MESSAGE_BYTES}` } as const;
        return refusal(known, 413, tooLarge, tooLarge.message);
      }
      context.bodyStored = `s3://${message.bodyRef?.bucket}/${message.bodyRef?.key}`;
    }
    try {
      await dependencies.queue.send(message, serialized.json);
    } catch (error) {
      return refusal(known, 503, { error: 'queue_unavailable', message: 'the delivery could not be queued; retry it' }, described(error));
    }
    context.events = eventKind;
    logger.info('Delivery queued', context);
    return answer(202, { deliveryId });
  } catch (error) {
    return refusal(known, 500, { error: 'internal_error', message: 'the relay failed to handle this delivery; retry it' }, described(error));
  }
}

/**
 * The one way ingress refuses: the answer, one line "Delivery refused" (warn for 4xx, error for
 * 5xx) and one count of `refused` by source and error code, a single metric, as no other metric
 * has those dimensions. `reason` is for the line only: what the code does not say (a size, a
 * failure's description), never a credential.
 */
async function refusal(
  request: RefusedRequest,
  status: number,
  answered: { error: RefusalCode; message: string },
  reason?: string,
): Promise<APIGatewayProxyResult> {
  const { error } = answered;
  const { dependencies, source, provider, bodyBytes, deliveryId } = request;
  const { logger, metrics } = dependencies;
  const line: Record<string, string | number> = { source: provider === undefined ? bounded(source) : source };
  if (provider !== undefined) line.provider = provider;
  line.status = status;
  line.error = error;
  line.bodyBytes = bodyBytes;
  if (deliveryId !== undefined) line.deliveryId = deliveryId;
  if (reason !== undefined) line.reason = reason;
  if (status >= 500) logger.error('Delivery refused', line);
  else logger.warn('Delivery refused', line);
  metrics
    ?.singleMetric()
    .addDimension('source', provider === undefined ? UNKNOWN_SOURCE : source)
    .addDimension('error', error)
    .addMetric('refused', MetricUnit.Count, 1);
  await logRefused(request, status, answered);
  return answer(status, answered);
}

/** Records a refusal in the delivery log: metadata only, never the body or headers of a request that may not be the source's. */
async function logRefused(request: RefusedRequest, status: number, answered: { error: RefusalCode; message: string }): Promise<void> {
  const { dependencies } = request;
  const { deliveries } = dependencies;
  if (!deliveries) return;
  try {
    await deliveries.refused({
      source: request.provider === undefined ? bounded(request.source) : request.source,
      provider: request.provider,
      deliveryId: request.deliveryId,
      receivedAt: (request.receivedAt ?? new Date()).toISOString(),
      status,
      error: answered.error,
      message: answered.message,
      bodyBytes: request.bodyBytes,
      senderIp: request.senderIp,
      userAgent: request.userAgent,
    });
  } catch (error) {
    logFailed(dependencies, request.source, request.deliveryId, error);
  }
}

/**
 * Records a ping, which is answered here and never queued: its headers, query and body without
 * credentials, as a queued delivery's. Its events are left out: read from the body as sent, they
 * could repeat a credential that redaction took out of the body.
 */
async function logPing(request: RefusedRequest, redacted: ReturnType<typeof redactCredentials>, delivery: ReceivedDelivery): Promise<void> {
  const { dependencies } = request;
  if (!dependencies.deliveries) return;
  try {
    await dependencies.deliveries.answered({
      source: request.source,
      provider: request.provider,
      deliveryId: delivery.deliveryId,
      receivedAt: delivery.receivedAt,
      status: 200,
      bodyBytes: request.bodyBytes,
      senderIp: request.senderIp,
      userAgent: request.userAgent,
      eventKind: 'ping',
      summary: 'ping: the sender testing the webhook',
      headers: redacted.headers,
      query: redacted.query,
      body: redacted.body,
    });
  } catch (error) {
    logFailed(dependencies, request.source, delivery.deliveryId, error);
  }
}

function logFailed(dependencies: IngressDependencies, source: string, deliveryId: string | undefined, error: unknown): void {
  logWriteFailure(dependencies, { source: bounded(source), deliveryId: deliveryId ?? '' }, error);
}

/** The first characters of a name no source has, marked where cut: enough to recognise a typo. */
function bounded(name: string): string {
  return name.length > LOGGED_NAME_CHARACTERS ? `${name.slice(0, LOGGED_NAME_CHARACTERS)}…` : name;
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

/**
 * The source a resource of its own names, `/hooks/<name>`, where API Gateway gives no path
 * parameter (infra/WebhookApi.ts throttles each source on its own resource); '' for any other.
 * `resource` is the API's template, never the sender's path.
 */
function sourceOfResource(resource: string | undefined): string {
  const name = resource?.startsWith('/hooks/') ? resource.slice('/hooks/'.length) : '';
  return name.includes('/') || name.includes('{') ? '' : name;
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

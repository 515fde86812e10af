import { MalformedBodyError } from './errors';
import type { WebhookRequest } from './types';

/**
 * The body as a JSON object. A form-encoded body carries the JSON in its `payload` field (GitHub's
 * `application/x-www-form-urlencoded` deliveries); anything else is read as JSON, whatever its
 * Content-Type says, since several registries label JSON loosely. `decoded` is the body as UTF-8
 * text, where the caller has it already.
 */
export function parseBody(request: WebhookRequest, decoded: string = request.body.toString('utf8')): Record<string, unknown> {
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  let text = decoded;
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw new MalformedBodyError('the form-encoded body has no payload field');
    text = payload;
  }
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    // Only the position: V8's message quotes the body, which may hold a secret (Gitea's legacy "secret" field).
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new MalformedBodyError(`the body is not valid JSON${position === undefined ? '' : ` (at byte ${position})`}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedBodyError('the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

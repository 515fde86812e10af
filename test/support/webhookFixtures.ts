import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WebhookRequest } from '../../lambda/providers/types';

/** GitHub's documented test secret; every fixture is signed or carries a token made with it. */
export const TEST_SECRET = "It's a Secret to Everybody";

const ROOT = path.join(__dirname, '../fixtures/webhooks');

interface IndexEntry {
  provider: string;
  event: string;
  file: string;
  headers: string;
}

/** Every delivery of the corpus (test/fixtures/webhooks/index.json), as `provider/name` without `.json`. */
export function fixtureNames(provider?: string): string[] {
  const index = JSON.parse(readFileSync(path.join(ROOT, 'index.json'), 'utf8')) as { entries: IndexEntry[] };
  return index.entries
    .filter((entry) => provider === undefined || entry.provider === provider)
    .map((entry) => entry.file.replace(/\.json$/, ''));
}

/** A stored delivery as the relay receives it: exact body bytes, header names in lower case. */
export function fixture(name: string, query: Record<string, string> = {}): WebhookRequest {
  const body = readFileSync(path.join(ROOT, `${name}.json`));
  const stored = JSON.parse(readFileSync(path.join(ROOT, `${name}.headers.json`), 'utf8')) as Record<string, string>;
  const headers = Object.fromEntries(Object.entries(stored).map(([key, value]) => [key.toLowerCase(), value]));
  return { body, headers, query };
}

/** The fixture's body, parsed: for tests that build variants of a real delivery. */
export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(ROOT, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** A copy of the request with some headers replaced or (with undefined) removed. */
export function withHeaders(request: WebhookRequest, changes: Record<string, string | undefined>): WebhookRequest {
  const headers = { ...request.headers };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  return { ...request, headers };
}

/** A copy of the request with another body, re-signed into `header` with HMAC `algorithm`, `prefix` + hex. */
export function signed(
  request: WebhookRequest,
  body: Buffer,
  secret: string,
  scheme: { header: string; algorithm: string; prefix?: string; encoding?: 'hex' | 'base64' },
): WebhookRequest {
  const digest = createHmac(scheme.algorithm, secret).update(body).digest(scheme.encoding ?? 'hex');
  return withHeaders({ ...request, body }, { [scheme.header]: `${scheme.prefix ?? ''}${digest}` });
}

/** The body with one byte changed in the middle: what a tampering proxy would send. */
export function tampered(request: WebhookRequest): WebhookRequest {
  const body = Buffer.from(request.body);
  const middle = Math.floor(body.length / 2);
  body[middle] = body[middle] === 0x20 ? 0x09 : 0x20;
  return { ...request, body };
}

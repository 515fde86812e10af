import { InvalidSignatureError, MissingSignatureError } from '../errors';
import type { WebhookRequest } from '../types';
import type { Credential } from './authentication';
import { type HmacScheme, hmacMatches } from './hmacSignature';

export type TimestampFormat = 'unix' | 'unix-ms' | 'iso';

/** Where a signature's timestamp is, how it is written, how it is signed and how old it may be. */
export interface TimestampScheme {
  /** Header carrying the timestamp, lower-case, e.g. `x-signature-timestamp`. Not a credential. */
  header: string;
  /** How far, either way, the timestamp may be from now. */
  toleranceSeconds: number;
  /** Seconds or milliseconds since the epoch (digits only), or ISO 8601 with a time zone. */
  format: TimestampFormat;
  /** What is signed: `{timestamp}` (the header's text as sent) and `{body}` (the raw body) in this text, e.g. `v0:{timestamp}:{body}`. */
  signedPayload: string;
}

/** Milliseconds since the epoch. */
export type Clock = () => number;

export const TIMESTAMP_DEFAULTS = { toleranceSeconds: 300, format: 'unix', signedPayload: '{timestamp}.{body}' } as const;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An HMAC, in `scheme.header`, of the signed payload that `timestamp.signedPayload` describes (the
 * timestamp header's text and the raw body), whose timestamp must be within the tolerance of
 * `now()`: a copy replayed later is refused. The signature header is the credential; the
 * timestamp header is not.
 */
export function timestampedSignature(scheme: HmacScheme, timestamp: TimestampScheme, now: Clock = () => Date.now()): Credential {
  const template = templateParts(timestamp.signedPayload);
  return { place: { header: scheme.header }, verify: (request, secrets) => verifyTimestampedHmac(request, secrets, scheme, timestamp, template, now()) };
}

/**
 * @throws MissingSignatureError when the signature or timestamp header is absent; InvalidSignatureError
 * when the timestamp does not parse, no secret matches, or the timestamp is beyond the tolerance.
 */
function verifyTimestampedHmac(
  request: WebhookRequest,
  secrets: readonly string[],
  scheme: HmacScheme,
  timestamp: TimestampScheme,
  template: readonly string[],
  now: number,
): void {
  const value = request.headers[scheme.header];
  if (value === undefined || value.trim() === '') {
    throw new MissingSignatureError(`the ${scheme.header} header is missing: the delivery is not signed`);
  }
  const sent = request.headers[timestamp.header];
  if (sent === undefined || sent.trim() === '') {
    throw new MissingSignatureError(`the ${timestamp.header} timestamp header is missing: the signature cannot be checked`);
  }
  const at = parseTimestamp(sent.trim(), timestamp.format);
  if (at === undefined) {
    throw new InvalidSignatureError(`the ${timestamp.header} timestamp header is not a ${FORMAT_NAMES[timestamp.format]}`);
  }
  // The timestamp is public: its age is checked first, so a replayed old delivery costs no HMAC.
  const age = now - at;
  if (Math.abs(age) > timestamp.toleranceSeconds * 1000) {
    const seconds = Math.abs(age) / 1000;
    const which = age > 0 ? `stale by ${seconds} seconds` : `from the future by ${seconds} seconds`;
    throw new InvalidSignatureError(`the ${scheme.header} signature is ${which} (${timestamp.header}; the tolerance is ${timestamp.toleranceSeconds} seconds)`);
  }
  if (!hmacMatches(signedPayload(template, sent, request.body), value.trim(), secrets, scheme)) {
    throw new InvalidSignatureError(`the ${scheme.header} signature does not match the timestamp and body for any of the source's secrets`);
  }
}

const FORMAT_NAMES: Record<TimestampFormat, string> = {
  unix: 'Unix time in seconds',
  'unix-ms': 'Unix time in milliseconds',
  iso: 'ISO 8601 time with a time zone',
};

/** Milliseconds since the epoch, or undefined when the text is not in the format. */
function parseTimestamp(text: string, format: TimestampFormat): number | undefined {
  if (format === 'iso') {
    if (!ISO_8601.test(text)) return undefined;
    const parsed = Date.parse(text);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  if (!/^\d{1,16}$/.test(text)) return undefined;
  return format === 'unix' ? Number(text) * 1000 : Number(text);
}

/** The template split around its placeholders, which are kept as parts of their own. */
function templateParts(template: string): string[] {
  return template.split(/(\{timestamp\}|\{body\})/).filter((part) => part !== '');
}

/** Whether a template signs both the timestamp and the body: one that signs less protects nothing. */
export function signsTimestampAndBody(template: string): boolean {
  return template.includes('{timestamp}') && template.includes('{body}');
}

/** The bytes signed: the timestamp's text as sent, the body's bytes as received, joined as the template says. */
function signedPayload(template: readonly string[], timestamp: string, body: Buffer): Buffer {
  return Buffer.concat(template.map((part) => (part === '{body}' ? body : Buffer.from(part === '{timestamp}' ? timestamp : part, 'utf8'))));
}

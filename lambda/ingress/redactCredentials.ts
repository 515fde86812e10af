import { adapterFor } from '../providers/registry';
import type { SourceConfig, WebhookRequest } from '../providers/types';

const REDACTED = '[redacted]';

/** Headers any HTTP request may carry a credential in, whoever sends it. */
const HTTP_CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie'];

/** The delivery as the queue message carries it, credentials removed. */
export interface RedactedDelivery {
  body: string;
  headers: Record<string, string>;
  query: Record<string, string>;
}

/**
 * The delivery without its credentials, fit for the queue, logs and the dead-letter queue: the
 * places the source's provider declares (headers, query parameters, body fields) and the HTTP
 * credential headers are redacted whole, and any text that holds one of the source's secrets
 * loses it: in a header or a parameter as sent or URL-encoded, in the body as a JSON or form body
 * would carry it. Signatures stay: they prove nothing without the secret. `text` is the body as
 * UTF-8 text, where the caller has decoded it already.
 */
export function redactCredentials(request: WebhookRequest, source: SourceConfig, text: string = request.body.toString('utf8')): RedactedDelivery {
  const places = adapterFor(source.provider).credentialPlaces(source.options ?? {});
  // Gathered in a loop: flatMap would cost more than the scrubbing of a small delivery.
  const inJson: string[] = [];
  const inUrl: string[] = [];
  for (const secret of source.secrets) {
    if (secret === '') continue;
    const forms = formsOf(secret);
    inJson.push(...forms.inJson);
    inUrl.push(...forms.inUrl);
  }
  const formBody = (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
  const headers = places.headers ?? [];
  const query = places.query ?? [];
  return {
    body: scrub((places.bodyFields ?? []).reduce(redactBodyField, text), formBody ? inUrl : inJson),
    headers: redactPlaces(request.headers, (name) => HTTP_CREDENTIAL_HEADERS.includes(name) || headers.includes(name), inUrl),
    query: redactPlaces(request.query, (name) => query.includes(name), inUrl),
  };
}

/** The values, those in a credential's place redacted whole, the others scrubbed of the secrets' forms. */
function redactPlaces(values: Record<string, string>, isPlace: (name: string) => boolean, forms: readonly string[]): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const name of Object.keys(values)) redacted[name] = isPlace(name) ? REDACTED : scrub(values[name] ?? '', forms);
  return redacted;
}

function scrub(value: string, forms: readonly string[]): string {
  let scrubbed = value;
  for (const form of forms) if (scrubbed.includes(form)) scrubbed = scrubbed.split(form).join(REDACTED);
  return scrubbed;
}

/** How a secret reads where it may travel; each list starts with the secret as it is. */
interface SecretForms {
  /** In a JSON body: also escaped, where it has a character JSON escapes. */
  inJson: readonly string[];
  /** In a URL, a header or a form body: also URL-encoded, and form-encoded (`+` for a space). */
  inUrl: readonly string[];
}

const FORMS = new Map<string, SecretForms>();

/** Kept per secret, as the secret store keeps the secrets themselves: encoding them for every delivery would cost more than scrubbing. */
function formsOf(secret: string): SecretForms {
  let forms = FORMS.get(secret);
  if (forms === undefined) {
    forms = {
      inJson: [...new Set([secret, JSON.stringify(secret).slice(1, -1)])],
      inUrl: [...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice('s='.length)])],
    };
    FORMS.set(secret, forms);
  }
  return forms;
}

const BODY_FIELD_PATTERNS = new Map<string, RegExp>();

/**
 * The JSON text with every string value of the key `field` redacted, wherever it is, keeping the
 * bytes around it. In valid JSON a quoted name followed by a colon is always a key, never text
 * within a string, whose quotes are escaped.
 */
function redactBodyField(text: string, field: string): string {
  let pattern = BODY_FIELD_PATTERNS.get(field);
  if (pattern === undefined) {
    const key = JSON.stringify(field).replace(/[.*+?^$|()[\]{}\\]/g, '\\$&');
    pattern = new RegExp(`(${key}\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'g');
    BODY_FIELD_PATTERNS.set(field, pattern);
  }
  return text.replace(pattern, `$1"${REDACTED}"`);
}

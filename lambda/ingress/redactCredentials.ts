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
 * places the source's provider declares (signature and token headers, query parameters, body
 * fields) and the HTTP credential headers are redacted whole, and any text that holds one of the
 * source's secrets loses it. A header or a parameter is searched as sent and URL-encoded; a body
 * as its reader decodes it: each JSON string, whatever its escapes, and each field of a form body
 * (GitHub's `payload=`, itself JSON), for the secret as it is, JSON-escaped, and URL- or
 * form-encoded. `text` is the body as UTF-8 text, where the caller has decoded it already.
 */
export function redactCredentials(request: WebhookRequest, source: SourceConfig, text: string = request.body.toString('utf8')): RedactedDelivery {
  const places = adapterFor(source.provider).credentialPlaces(source.options ?? {});
  // Gathered in a loop: flatMap would cost more than the scrubbing of a small delivery.
  const secrets: SecretForms[] = [];
  const inText: string[] = [];
  const inUrl: string[] = [];
  for (const secret of source.secrets) {
    if (secret === '') continue;
    const forms = formsOf(secret);
    secrets.push(forms);
    inText.push(...forms.inText);
    inUrl.push(...forms.inUrl);
  }
  const body: BodySearch = { secrets, forms: inText, fields: places.bodyFields ?? [] };
  const formBody = (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
  const headers = places.headers ?? [];
  const query = places.query ?? [];
  return {
    body: formBody ? scrub(redactForm(text, body), inUrl) : redactJson(text, body),
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

function holdsAny(value: string, forms: readonly string[]): boolean {
  for (const form of forms) if (value.includes(form)) return true;
  return false;
}

/** How a secret reads where it may travel; each list starts with the secret as it is. */
interface SecretForms {
  /** In text decoded from the body (a JSON string, a form field): also JSON-escaped, URL- and form-encoded. */
  inText: readonly string[];
  /** How each of `inText` reads within a JSON string where no character is escaped but as it must be. */
  inJson: readonly string[];
  /** In a header, a query value or a form body as sent: also URL- and form-encoded (`+` for a space). */
  inUrl: readonly string[];
  /**
   * A run of its characters that none of those encodings changes, and that JSON can escape only
   * as `\uXXXX`: a form holds it as it is. Empty where the secret has no such character.
   */
  anchor: string;
  /** The characters of the anchor, and of all of `inText`, by code. */
  anchorCodes: ReadonlySet<number>;
  codes: ReadonlySet<number>;
  /** Whether a form has a `/`, which JSON may also write `\/`. */
  slash: boolean;
}

const FORMS = new Map<string, SecretForms>();

/** Kept per secret, as the secret store keeps the secrets themselves: encoding them for every delivery would cost more than scrubbing. */
function formsOf(secret: string): SecretForms {
  let forms = FORMS.get(secret);
  if (forms === undefined) {
    const urlEncoded = encodeURIComponent(secret);
    const formEncoded = new URLSearchParams({ s: secret }).toString().slice('s='.length);
    const inText = [...new Set([secret, JSON.stringify(secret).slice(1, -1), urlEncoded, formEncoded])];
    const anchor = anchorOf(secret);
    forms = {
      inText,
      inJson: [...new Set(inText.map((form) => JSON.stringify(form).slice(1, -1)))],
      inUrl: [...new Set([secret, urlEncoded, formEncoded])],
      anchor,
      anchorCodes: codesOf(anchor),
      codes: codesOf(inText.join('')),
      slash: secret.includes('/'),
    };
    FORMS.set(secret, forms);
  }
  return forms;
}

/** The characters of anchors, from the most common in webhook bodies to the least; upper-case letters are rarer still. */
const COMMON_FIRST = '0123456789-_.etaoinshrdlcumwfgypbvkjxqz';

/** An anchor this long is rarely found by chance: a shorter one is taken only where the secret has no longer run. */
const ANCHOR_LENGTH = 5;

/**
 * The secret's anchor that a body is searched for the fastest. V8 finds a needle by its first
 * character: of the runs' tails of ANCHOR_LENGTH characters (or the longest there are), the one
 * that starts with the rarest character, the longest of those (`vious` rather than `previous`,
 * which costs ten times more to look for in a GitHub body).
 */
function anchorOf(secret: string): string {
  let anchor = '';
  let score = [-1, -1, -1];
  for (const run of secret.match(/[A-Za-z0-9_.-]+/g) ?? []) {
    for (let start = 0; start < run.length; start += 1) {
      const tail = run.length - start;
      const common = COMMON_FIRST.indexOf(run.charAt(start));
      const candidate = [Math.min(tail, ANCHOR_LENGTH), common < 0 ? COMMON_FIRST.length : common, tail];
      if (ranksAbove(candidate, score)) {
        anchor = run.slice(start);
        score = candidate;
      }
    }
  }
  return anchor;
}

/** Whether `a` ranks above `b`, compared item by item. */
function ranksAbove(a: readonly number[], b: readonly number[]): boolean {
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return (a[index] ?? 0) > (b[index] ?? 0);
  return false;
}

function codesOf(text: string): ReadonlySet<number> {
  const codes = new Set<number>();
  for (let index = 0; index < text.length; index += 1) codes.add(text.charCodeAt(index));
  return codes;
}

/** What a body is searched for: the secrets, all their forms in decoded text, and the keys whose string values are credentials. */
interface BodySearch {
  secrets: readonly SecretForms[];
  forms: readonly string[];
  fields: readonly string[];
}

/**
 * The JSON text with each string (value or key) that holds a form of a secret rewritten without
 * it, and each string value of a credential field redacted whole; every other byte kept. The
 * strings are read decoded, so no escape hides a secret (`\u0027` for `'`, or every character
 * escaped). Text outside the strings (a number) loses the forms as text.
 */
function redactJson(text: string, search: BodySearch): string {
  // A field under its plain name is found by a pattern, which costs far less than reading every string.
  const redacted = search.fields.reduce(redactBodyField, text);
  return mayHold(redacted, search) ? rewriteStrings(redacted, search) : redacted;
}

/**
 * Whether a string of the JSON text may hold a form of a secret, or be a credential field's name
 * written with escapes; false only where none can. A form is written with each character as it
 * is, escaped as JSON must (`\"`), as `\/`, or as `\uXXXX`: without escapes of the last two
 * kinds, a string holds a form only where the text holds it as JSON.stringify writes it. Where the
 * text lacks a secret's anchor, a form can be there only with a character of the anchor written
 * `\uXXXX`, which no encoder writes for a letter or a digit: the escapes that bodies do carry
 * (Go's `\u0026` for `&`) then need no look.
 */
function mayHold(text: string, { secrets, fields }: BodySearch): boolean {
  const watched: ReadonlySet<number>[] = [];
  for (const secret of secrets) {
    if (!text.includes(secret.anchor)) {
      watched.push(secret.anchorCodes);
      continue;
    }
    if (holdsAny(text, secret.inJson) || (secret.slash && text.includes('\\/'))) return true;
    watched.push(secret.codes);
  }
  for (let escape = text.indexOf('\\u'); escape >= 0; escape = text.indexOf('\\u', escape + 2)) {
    const code = escapedCode(text, escape + 2);
    if (code < 0) continue;
    for (const codes of watched) if (codes.has(code)) return true;
    for (const field of fields) if (field.includes(String.fromCharCode(code))) return true;
  }
  return false;
}

/** The code of the character that the four hex digits at `at` write; -1 where they are not four hex digits. */
function escapedCode(text: string, at: number): number {
  if (at + 4 > text.length) return -1;
  let code = 0;
  for (let digit = at; digit < at + 4; digit += 1) {
    const character = text.charCodeAt(digit);
    // 0-9, then a-f and A-F alike (0x20 makes a letter lower case).
    const value = character >= 0x30 && character <= 0x39 ? character - 0x30 : (character | 0x20) >= 0x61 && (character | 0x20) <= 0x66 ? (character | 0x20) - 0x57 : -1;
    if (value < 0) return -1;
    code = code * 16 + value;
  }
  return code;
}

function rewriteStrings(text: string, { forms, fields }: BodySearch): string {
  let rewritten = '';
  let copied = 0;
  let credentialAt = -1;
  for (let open = text.indexOf('"'); open >= 0; ) {
    const close = closingQuote(text, open);
    if (close < 0) break;
    const decoded = decodedString(text.slice(open, close + 1));
    let replacement: string | undefined;
    if (open === credentialAt) replacement = `"${REDACTED}"`;
    else if (decoded !== undefined) {
      if (fields.includes(decoded)) credentialAt = valueAfterKey(text, close + 1);
      if (holdsAny(decoded, forms)) replacement = JSON.stringify(scrub(decoded, forms));
    }
    if (replacement !== undefined) {
      rewritten += scrub(text.slice(copied, open), forms) + replacement;
      copied = close + 1;
    }
    open = text.indexOf('"', close + 1);
  }
  return rewritten + scrub(text.slice(copied), forms);
}

/** The string a JSON string literal (quotes included) stands for; undefined where it is not valid JSON. */
function decodedString(literal: string): string | undefined {
  if (!literal.includes('\\')) return literal.slice(1, -1);
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}

/** The quote that closes the string opened at `open`: the next one not escaped; -1 if none. */
function closingQuote(text: string, open: number): number {
  for (let quote = text.indexOf('"', open + 1); quote >= 0; quote = text.indexOf('"', quote + 1)) {
    if (!escaped(text, quote, open + 1)) return quote;
  }
  return -1;
}

/** Whether the character at `at` follows an odd number of backslashes, counted back to `from`. */
function escaped(text: string, at: number, from: number): boolean {
  let backslashes = 0;
  for (let before = at - 1; before >= from && text.charCodeAt(before) === 0x5c; before -= 1) backslashes += 1;
  return backslashes % 2 === 1;
}

const BODY_FIELD_PATTERNS = new Map<string, RegExp>();

/**
 * The JSON text with every string value of the key `field`, written plain, redacted, wherever it
 * is, keeping the bytes around it. In valid JSON a quoted name followed by a colon is always a
 * key, never text within a string, whose quotes are escaped.
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

/** Where the string value of the key that ends before `after` starts; -1 where it is no key, or its value no string. */
function valueAfterKey(text: string, after: number): number {
  let at = skipWhitespace(text, after);
  if (text[at] !== ':') return -1;
  at = skipWhitespace(text, at + 1);
  return text[at] === '"' ? at : -1;
}

function skipWhitespace(text: string, from: number): number {
  let at = from;
  while (at < text.length && ' \t\n\r'.includes(text[at] ?? '')) at += 1;
  return at;
}

/**
 * The form body with each field that holds a form of a secret rewritten without it, the JSON in
 * `payload` redacted as a JSON body; the other fields as sent. Percent-encoding may hide any
 * character, so every field is decoded, as parseBody decodes it (URLSearchParams, split on `&`).
 */
function redactForm(text: string, search: BodySearch): string {
  const fields = text.split('&');
  let changed = false;
  for (let index = 0; index < fields.length; index += 1) {
    const [entry] = new URLSearchParams(fields[index]);
    if (entry === undefined) continue;
    const [name, value] = entry;
    const redactedName = scrub(name, search.forms);
    const redactedValue = name === 'payload' ? redactJson(value, search) : scrub(value, search.forms);
    if (redactedName !== name || redactedValue !== value) {
      fields[index] = new URLSearchParams([[redactedName, redactedValue]]).toString();
      changed = true;
    }
  }
  return changed ? fields.join('&') : text;
}

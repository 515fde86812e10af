export const DEFAULT_SNIPPET_CHARS = 512;

const REDACTED = '[redacted]';

/**
 * The start of a response body, fit for a log line or a dead-letter attribute: every occurrence of
 * a known secret is replaced first, then the text is cut to `maxChars`.
 */
export function responseSnippet(
  body: string,
  secrets: readonly (string | undefined)[],
  maxChars: number = DEFAULT_SNIPPET_CHARS,
): string {
  let text = body;
  for (const secret of secrets) {
    if (secret) text = text.split(secret).join(REDACTED);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

/** Names of fields whose values are credentials: secretToken and refreshToken, and any like them. */
const CREDENTIAL_NAME = /token|secret|passw(or)?d|credential|api[-_]?key|private[-_]?key/i;

export function isCredentialField(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

/**
 * The credentials Code Stream served in its webhooks (their secretToken and refreshToken, and any
 * field or input named like one), so that nothing the command prints can hold one: they are
 * replaced before anything is written. Mapping leaves them out; this catches what mapping cannot
 * foresee (a token quoted in a description).
 */
export class WebhookCredentials {
  readonly #values = new Set<string>();

  /** Collects every credential-named string in the webhook, at any depth. */
  collect(webhook: unknown): void {
    const visit = (value: unknown, credential: boolean): void => {
      if (typeof value === 'string') {
        if (credential && value !== '') this.#values.add(value);
      } else if (Array.isArray(value)) {
        for (const item of value) visit(item, credential);
      } else if (value !== null && typeof value === 'object') {
        for (const [name, item] of Object.entries(value)) visit(item, credential || isCredentialField(name));
      }
    };
    visit(webhook, false);
  }

  /** Whether the text holds a credential. */
  appearsIn(text: string): boolean {
    return [...this.#values].some((value) => text.includes(value));
  }

  /** The text with each credential replaced by `[redacted]`, longest first so that none leaves a part of another behind. */
  redact(text: string): string {
    return [...this.#values].sort((a, b) => b.length - a.length).reduce((result, value) => result.split(value).join('[redacted]'), text);
  }
}

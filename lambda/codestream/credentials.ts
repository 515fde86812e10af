import { AuthenticationError } from './errors';

/**
 * How the relay logs in to Aria Automation (DESIGN §5):
 * - `refreshToken`: on-premises; the refresh (API) token is exchanged at `POST /iaas/api/login`.
 * - `apiToken`: cloud; the API token is exchanged at CSP's `api-tokens/authorize`.
 */
export type AuthFlow = 'refreshToken' | 'apiToken';

/**
 * Where the credential comes from. The secret's JSON shape is one key named after the flow:
 * `{"refreshToken": "…"}` or `{"apiToken": "…"}`.
 */
export interface CredentialSource {
  /** Reads the credential; `fresh` bypasses any cache, as after Code Stream refused a token. */
  credential(flow: AuthFlow, options: { fresh: boolean }): Promise<Credential>;
}

/** A credential, and when it was stored where the source knows: vRA's refresh token expires after 90 days. */
export interface Credential {
  value: string;
  createdAt?: Date;
}

/**
 * Picks the flow's credential out of a secret's text, with errors that say what is wrong and
 * never what the secret holds.
 */
export function credentialFromSecret(secretText: string, flow: AuthFlow, secretName: string): string {
  let value: unknown;
  try {
    value = JSON.parse(secretText);
  } catch {
    // JSON.parse's own message quotes the text it read, which here is the secret.
    throw unusable(secretName, `it is not JSON; expected {"${flow}": "…"}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw unusable(secretName, `it is not a JSON object; expected {"${flow}": "…"}`);
  }
  const credential = (value as Record<string, unknown>)[flow];
  if (typeof credential !== 'string' || credential.trim() === '') {
    const keys = Object.keys(value).join(', ') || 'none';
    throw unusable(secretName, `it has no non-empty string "${flow}" (keys present: ${keys})`);
  }
  return credential.trim();
}

function unusable(secretName: string, problem: string): AuthenticationError {
  return new AuthenticationError({
    kind: 'unauthorized',
    stage: 'credentials',
    reason: `the Code Stream credentials secret "${secretName}" cannot be used: ${problem}`,
    snippet: '',
  });
}

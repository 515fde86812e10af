import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type AuthFlow, type CredentialSource, credentialFromSecret } from './credentials';
import { AuthenticationError } from './errors';

export interface SecretsManagerCredentialsOptions {
  /** Name or ARN of the secret holding `{"refreshToken": "…"}` or `{"apiToken": "…"}`. */
  secretId: string;
  /**
   * How long a read secret is reused, in seconds. A bearer token outlives many reads anyway; the
   * cache matters for the cold start of each login and for picking up a rotated secret.
   * @default 300
   */
  maxAgeSeconds?: number;
  /** The SDK client to use (region, endpoint, credentials). @default a client from the environment */
  client?: SecretsManagerClient;
}

/** The credential, read from AWS Secrets Manager through Powertools' cached SecretsProvider. */
export class SecretsManagerCredentials implements CredentialSource {
  readonly #secretId: string;
  readonly #maxAgeSeconds: number;
  readonly #provider: SecretsProvider;

  constructor(options: SecretsManagerCredentialsOptions) {
    this.#secretId = options.secretId;
    this.#maxAgeSeconds = options.maxAgeSeconds ?? 300;
    this.#provider = new SecretsProvider(options.client ? { awsSdkV3Client: options.client } : {});
  }

  async credential(flow: AuthFlow, options: { fresh: boolean }): Promise<string> {
    let value: string | Uint8Array | undefined;
    try {
      value = await this.#provider.get(this.#secretId, { maxAge: this.#maxAgeSeconds, forceFetch: options.fresh });
    } catch (error) {
      throw new AuthenticationError(readFailure(error, this.#secretId));
    }
    if (value === undefined) {
      throw new AuthenticationError({
        kind: 'unauthorized',
        stage: 'credentials',
        reason: `the Code Stream credentials secret "${this.#secretId}" has no value`,
        snippet: '',
      });
    }
    const text = typeof value === 'string' ? value : new TextDecoder().decode(value);
    return credentialFromSecret(text, flow, this.#secretId);
  }
}

interface SdkFailure {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
}

/**
 * A missing secret, a denied read or a failed decryption stay broken until someone acts, so they
 * are final; throttling, service faults and network errors pass, so they are retryable.
 */
function readFailure(error: unknown, secretId: string): AuthenticationError['outcome'] {
  const failure: SdkFailure = (error instanceof Error && (error.cause as SdkFailure | undefined)) || (error as SdkFailure);
  const name = failure.name ?? failure.code ?? 'an unknown error';
  const reason = `could not read the Code Stream credentials secret "${secretId}": ${name}${failure.message ? ` (${failure.message})` : ''}`;
  const permanent = failure.$fault === 'client' && !failure.$retryable && name !== 'ThrottlingException';
  return permanent
    ? { kind: 'unauthorized', stage: 'credentials', reason, snippet: '' }
    : { kind: 'retryable', stage: 'credentials', cause: 'service', reason, snippet: '' };
}

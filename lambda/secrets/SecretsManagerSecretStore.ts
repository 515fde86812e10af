import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretReadError, type SecretStore } from './SecretStore';

export interface SecretsManagerSecretStoreOptions {
  /**
   * How long a read secret is reused, in seconds: the cold start reads each secret once, a
   * rotation is picked up within this time.
   * @default 300
   */
  maxAgeSeconds?: number;
  /** The SDK client to use (region, endpoint, credentials). @default a client from the environment */
  client?: SecretsManagerClient;
}

/** Secrets from AWS Secrets Manager, through Powertools' cached SecretsProvider. */
export class SecretsManagerSecretStore implements SecretStore {
  readonly #maxAgeSeconds: number;
  readonly #provider: SecretsProvider;

  constructor(options: SecretsManagerSecretStoreOptions = {}) {
    this.#maxAgeSeconds = options.maxAgeSeconds ?? 300;
    this.#provider = new SecretsProvider(options.client ? { awsSdkV3Client: options.client } : {});
  }

  async get(name: string, options: { fresh?: boolean } = {}): Promise<string> {
    let value: string | Uint8Array | undefined;
    try {
      value = await this.#provider.get(name, { maxAge: this.#maxAgeSeconds, forceFetch: options.fresh === true });
    } catch (error) {
      throw readFailure(error, name);
    }
    if (value === undefined) throw new SecretReadError(`the secret "${name}" has no value`, true);
    return typeof value === 'string' ? value : new TextDecoder().decode(value);
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
 * are permanent; throttling, service faults and network errors pass.
 */
function readFailure(error: unknown, name: string): SecretReadError {
  const failure: SdkFailure = (error instanceof Error && (error.cause as SdkFailure | undefined)) || (error as SdkFailure);
  const kind = failure.name ?? failure.code ?? 'an unknown error';
  const permanent = failure.$fault === 'client' && !failure.$retryable && kind !== 'ThrottlingException';
  return new SecretReadError(`could not read the secret "${name}": ${kind}${failure.message ? ` (${failure.message})` : ''}`, permanent);
}

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretReadError, type SecretStore, type SecretVersion } from './SecretStore';

export interface SecretsManagerSecretStoreOptions {
  /**
   * How long a read secret is reused, in seconds: the cold start reads each secret once, a
   * rotation is picked up within this time.
   * @default 300
   */
  maxAgeSeconds?: number;
  /** The SDK client to use (region, endpoint, credentials). @default a client from the environment */
  client?: SecretsManagerClient;
  /** Clock, in epoch ms. @default Date.now */
  now?: () => number;
}

/**
 * Secrets from AWS Secrets Manager, cached for a while. GetSecretValue is called directly rather
 * than through Powertools' SecretsProvider because the relay needs the version's CreatedDate too:
 * the age of the Code Stream credential, which expires (DESIGN §7).
 */
export class SecretsManagerSecretStore implements SecretStore {
  readonly #maxAgeMs: number;
  readonly #client: SecretsManagerClient;
  readonly #now: () => number;
  readonly #cache = new Map<string, { version: SecretVersion; until: number }>();

  constructor(options: SecretsManagerSecretStoreOptions = {}) {
    this.#maxAgeMs = (options.maxAgeSeconds ?? 300) * 1000;
    this.#client = options.client ?? new SecretsManagerClient({});
    this.#now = options.now ?? Date.now;
  }

  async get(name: string, options: { fresh?: boolean } = {}): Promise<SecretVersion> {
    const cached = this.#cache.get(name);
    if (cached && !options.fresh && cached.until > this.#now()) return cached.version;
    let answer;
    try {
      answer = await this.#client.send(new GetSecretValueCommand({ SecretId: name }));
    } catch (error) {
      throw readFailure(error, name);
    }
    const value = answer.SecretString ?? (answer.SecretBinary ? new TextDecoder().decode(answer.SecretBinary) : undefined);
    if (value === undefined) throw new SecretReadError(`the secret "${name}" has no value`, true);
    const version = { value, createdAt: answer.CreatedDate };
    this.#cache.set(name, { version, until: this.#now() + this.#maxAgeMs });
    return version;
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
  const failure = error as SdkFailure;
  const kind = failure.name ?? failure.code ?? 'an unknown error';
  const permanent = failure.$fault === 'client' && !failure.$retryable && kind !== 'ThrottlingException';
  return new SecretReadError(`could not read the secret "${name}": ${kind}${failure.message ? ` (${failure.message})` : ''}`, permanent);
}

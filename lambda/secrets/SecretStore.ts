/** Where the relay's secrets live: AWS Secrets Manager in the cloud, a local file in local mode. */
export interface SecretStore {
  /** The secret's text; `fresh` bypasses any cache, as after a credential was refused. */
  get(name: string, options?: { fresh?: boolean }): Promise<string>;
}

/**
 * A secret that could not be read. `permanent` when retrying cannot help until someone acts
 * (missing, access denied, not decryptable); otherwise a transient failure worth retrying.
 * The message names the secret and the failure, never a value.
 */
export class SecretReadError extends Error {
  override readonly name = 'SecretReadError';

  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

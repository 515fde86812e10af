/** One secret as read: its text, and when its current version was created, where the store knows. */
export interface SecretVersion {
  value: string;
  /** Secrets Manager's CreatedDate of the version read: how old a credential is. */
  createdAt?: Date;
}

/** Where the relay's secrets live: AWS Secrets Manager in the cloud, a local file in local mode. */
export interface SecretStore {
  /** The secret's current version; `fresh` bypasses any cache, as after a credential was refused. */
  get(name: string, options?: { fresh?: boolean }): Promise<SecretVersion>;
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

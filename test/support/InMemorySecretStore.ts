import { SecretReadError, type SecretStore, type SecretVersion } from '../../lambda/secrets/SecretStore';

/** Secrets held in memory, read as Secrets Manager's store reads them: a missing one is a permanent SecretReadError. */
export class InMemorySecretStore implements SecretStore {
  /** The names read, in order. */
  readonly reads: string[] = [];

  /** @param secrets name → value, or the version with its creation date */
  constructor(private readonly secrets: Readonly<Record<string, string | SecretVersion>>) {}

  async get(name: string): Promise<SecretVersion> {
    this.reads.push(name);
    const secret = Object.hasOwn(this.secrets, name) ? this.secrets[name] : undefined;
    if (secret === undefined) throw new SecretReadError(`could not read the secret "${name}": it does not exist`, true);
    return typeof secret === 'string' ? { value: secret } : secret;
  }
}

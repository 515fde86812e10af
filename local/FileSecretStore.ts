import { readFileSync } from 'node:fs';
import { SecretReadError, type SecretStore, type SecretVersion } from '../lambda/secrets/SecretStore';

/**
 * Local mode's secrets: a JSON file mapping each secret name the config uses to its value (a
 * string, or for the Code Stream credential an object). Read anew on each `fresh` read.
 */
export class FileSecretStore implements SecretStore {
  #secrets?: Record<string, unknown>;

  constructor(private readonly file: string) {}

  /** No creation date: a file has no versions. */
  async get(name: string, options: { fresh?: boolean } = {}): Promise<SecretVersion> {
    if (!this.#secrets || options.fresh) this.#secrets = this.#read();
    if (!Object.hasOwn(this.#secrets, name)) throw new SecretReadError(`the secret "${name}" is not in ${this.file}`, true);
    const value = this.#secrets[name];
    return { value: typeof value === 'string' ? value : JSON.stringify(value) };
  }

  #read(): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      throw new SecretReadError(`cannot read the secrets file ${this.file}: ${(error as Error).message.split('\n', 1)[0]}`, true);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new SecretReadError(`the secrets file ${this.file} must be a JSON object of secret names and values`, true);
    }
    return value as Record<string, unknown>;
  }
}

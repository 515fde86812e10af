import { SecretReadError, type SecretStore, type SecretVersion } from '../secrets/SecretStore';
import { type AuthFlow, type Credential, type CredentialSource, credentialFromSecret } from './credentials';
import { AuthenticationError } from './errors';

/** The Code Stream credential, read from a secret store (Secrets Manager, or a file in local mode). */
export class SecretCredentials implements CredentialSource {
  constructor(
    private readonly store: SecretStore,
    /** Name or ARN of the secret holding `{"refreshToken": "…"}` or `{"apiToken": "…"}`. */
    private readonly secretId: string,
  ) {}

  async credential(flow: AuthFlow, options: { fresh: boolean }): Promise<Credential> {
    let secret: SecretVersion;
    try {
      secret = await this.store.get(this.secretId, { fresh: options.fresh });
    } catch (error) {
      if (!(error instanceof SecretReadError)) throw error;
      const reason = `the Code Stream credentials: ${error.message}`;
      throw new AuthenticationError(
        error.permanent
          ? { kind: 'unauthorized', stage: 'credentials', reason, snippet: '' }
          : { kind: 'retryable', stage: 'credentials', cause: 'service', reason, snippet: '' },
      );
    }
    return { value: credentialFromSecret(secret.value, flow, this.secretId), createdAt: secret.createdAt };
  }
}

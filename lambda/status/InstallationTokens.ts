import { BearerTokenCache, type IssuedToken } from '../codestream/BearerTokenCache';
import type { GitHubAppCredential } from './installationTokenExchange';
import { apiBase } from './targetPaths';

/** Obtains an installation token from GitHub; throws StatusPostError when it cannot. */
export type ExchangeJwt = (apiUrl: string, app: GitHubAppCredential) => Promise<IssuedToken>;

export interface InstallationTokensOptions {
  /** Renew a token this long before its `expires_at` (or at half its life, if that comes later). */
  renewBeforeMs: number;
  now: () => number;
}

/**
 * The installation tokens of the GitHub Apps the relay posts as, one per server, app and
 * installation, each kept until shortly before it expires: a post then costs one request, not
 * two. Posts that find a token due share one exchange. Each exchange signs with the private key
 * of the latest post, so that a rotated key is used as soon as the secret is read again.
 */
export class InstallationTokens {
  readonly #installations = new Map<string, { cache: BearerTokenCache; app: GitHubAppCredential }>();

  constructor(
    private readonly exchange: ExchangeJwt,
    private readonly options: InstallationTokensOptions,
  ) {}

  /** @throws StatusPostError when no token can be obtained. */
  get(apiUrl: string, app: GitHubAppCredential): Promise<string> {
    const key = keyOf(apiUrl, app);
    let installation = this.#installations.get(key);
    if (!installation) {
      const cache = new BearerTokenCache(() => this.exchange(apiUrl, this.#installations.get(key)?.app ?? app), this.options);
      installation = { cache, app };
      this.#installations.set(key, installation);
    }
    installation.app = app;
    return installation.cache.get();
  }

  /** Forgets a token GitHub refused (revoked, or the installation's permissions changed): the next post exchanges a new JWT. */
  invalidate(apiUrl: string, app: GitHubAppCredential, token: string): void {
    this.#installations.get(keyOf(apiUrl, app))?.cache.invalidate(token);
  }
}

function keyOf(apiUrl: string, app: GitHubAppCredential): string {
  return [apiBase({ apiUrl }), app.appId, app.installationId].join('\n');
}

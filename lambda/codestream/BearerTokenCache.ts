/** A bearer token and the instant (epoch ms) after which Code Stream no longer accepts it. */
export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/** Obtains a new token; `freshCredentials` asks to re-read the credential rather than reuse a cached one. */
export type Login = (options: { freshCredentials: boolean }) => Promise<IssuedToken>;

export interface BearerTokenCacheOptions {
  /** Renew this long before expiry, or at half the token's life if that comes later. */
  renewBeforeMs: number;
  now: () => number;
}

/**
 * Holds the bearer token for the life of the container. Callers that find it due for renewal
 * share one login in flight. A token Code Stream refused is dropped with `invalidate`, and the
 * next login re-reads the credential in case it was rotated.
 */
export class BearerTokenCache {
  #current?: IssuedToken & { renewAt: number };
  #inFlight?: Promise<IssuedToken>;
  #credentialsSuspect = false;

  constructor(
    private readonly login: Login,
    private readonly options: BearerTokenCacheOptions,
  ) {}

  async get(): Promise<string> {
    const current = this.#current;
    if (current && this.options.now() < current.renewAt) return current.token;
    try {
      return (await this.#renew()).token;
    } catch (error) {
      // A renewal ahead of expiry that fails leaves the old token usable until it expires.
      if (current && current === this.#current && this.options.now() < current.expiresAt) return current.token;
      throw error;
    }
  }

  /** Forgets `token` if it is the one held; a token already replaced is left alone. */
  invalidate(token: string): void {
    if (this.#current?.token !== token) return;
    this.#current = undefined;
    this.#credentialsSuspect = true;
  }

  #renew(): Promise<IssuedToken> {
    if (!this.#inFlight) {
      const issuedAt = this.options.now();
      const freshCredentials = this.#credentialsSuspect;
      this.#inFlight = this.login({ freshCredentials })
        .then((issued) => {
          const lifetime = issued.expiresAt - issuedAt;
          const lead = Math.min(this.options.renewBeforeMs, lifetime / 2);
          this.#current = { ...issued, renewAt: issued.expiresAt - lead };
          this.#credentialsSuspect = false;
          return issued;
        })
        .finally(() => {
          this.#inFlight = undefined;
        });
    }
    return this.#inFlight;
  }
}

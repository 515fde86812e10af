import { createHmac, randomBytes, randomUUID } from 'node:crypto';

interface Grant {
  user: string;
  expiresAt: number;
}

/**
 * Issues bearer tokens shaped like Aria Automation's (a JWT with `sub` and `exp`) and checks them.
 * A token is valid only if this issuer made it, it has not expired, and it was not revoked.
 */
export class TokenIssuer {
  readonly #key = randomBytes(32);
  readonly #grants = new Map<string, Grant>();

  constructor(
    private readonly lifetimeMs: number,
    private readonly now: () => number,
  ) {}

  issue(user: string): { token: string; expiresAt: number } {
    const issuedAt = this.now();
    // A JWT's exp is in whole seconds; the grant ends exactly when the token says it does.
    const exp = Math.floor((issuedAt + this.lifetimeMs) / 1000);
    const expiresAt = exp * 1000;
    const header = encode({ alg: 'HS256', typ: 'JWT' });
    const payload = encode({
      sub: user,
      iat: Math.floor(issuedAt / 1000),
      exp,
      jti: randomUUID(),
    });
    const signature = createHmac('sha256', this.#key).update(`${header}.${payload}`).digest('base64url');
    const token = `${header}.${payload}.${signature}`;
    this.#grants.set(token, { user, expiresAt });
    return { token, expiresAt };
  }

  /** The user the token was issued to, or why it is refused. */
  verify(token: string): { user: string } | { refused: 'unknown' | 'expired' } {
    const grant = this.#grants.get(token);
    if (!grant) return { refused: 'unknown' };
    if (this.now() >= grant.expiresAt) return { refused: 'expired' };
    return { user: grant.user };
  }

  /** Revokes every token issued so far, as a restarted identity service or a forced expiry would. */
  revokeAll(): number {
    const count = this.#grants.size;
    this.#grants.clear();
    return count;
  }
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

import type { Failure } from './Outcome';

/**
 * Raised inside the client when it cannot obtain a bearer token: the secret could not be read or
 * used, or the login was refused or failed (an answer, a connection, a certificate). It carries
 * the outcome that the execute call returns. It never wraps the underlying error: an HTTP client error holds the request, and the login
 * request holds the credential.
 */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';

  constructor(readonly outcome: Failure) {
    super(outcome.reason);
  }
}

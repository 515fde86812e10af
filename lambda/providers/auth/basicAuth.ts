import { InvalidSignatureError, MissingSignatureError } from '../errors';
import { constantTimeEqual, matchesAny } from './constantTimeEqual';

/**
 * Verifies `Authorization: Basic base64(user:password)`: the password must be one of the
 * source's secrets, and the user name `username` when one is configured.
 */
export function verifyBasicAuth(authorization: string | undefined, secrets: readonly string[], username?: string): void {
  const match = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new MissingSignatureError('the Authorization header with Basic credentials is missing');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidSignatureError('the Basic credentials are not in user:password form');
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const userMatches = username === undefined || constantTimeEqual(user, username);
  const passwordMatches = matchesAny(password, secrets);
  if (!(userMatches && passwordMatches)) {
    throw new InvalidSignatureError("the Basic credentials match none of the source's secrets");
  }
}

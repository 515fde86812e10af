import { InvalidSignatureError, MissingSignatureError } from '../errors';
import { matchesAny } from './constantTimeEqual';

/**
 * Verifies a secret sent as-is (GitLab's X-Gitlab-Token, JFrog's X-JFrog-Event-Auth, a token in
 * the webhook URL). `where` names the place for the error message, e.g. `the X-Gitlab-Token header`.
 */
export function verifySharedToken(provided: string | undefined, secrets: readonly string[], where: string): void {
  if (provided === undefined || provided === '') throw new MissingSignatureError(`${where} is missing`);
  if (!matchesAny(provided, secrets)) throw new InvalidSignatureError(`${where} matches none of the source's secrets`);
}

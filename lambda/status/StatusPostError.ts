import type { PostOutcome } from './CommitStatus';

/**
 * A post that ended before the status's own request was answered: the request could not be built
 * (a repository name or a credential of the wrong form) or the GitHub App's installation token could
 * not be obtained. Carries the outcome to report; its message is the outcome's reason, which names
 * no credential.
 */
export class StatusPostError extends Error {
  override readonly name = 'StatusPostError';

  constructor(readonly outcome: Exclude<PostOutcome, { kind: 'posted' }>) {
    super(outcome.reason);
  }
}

/** The request cannot be built, and never will be until someone changes the config or the secret. */
export function unpostable(reason: string): StatusPostError {
  return new StatusPostError({ kind: 'failed', reason });
}

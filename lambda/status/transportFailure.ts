import type { Failure } from '../codestream/Outcome';
import type { PostOutcome } from './CommitStatus';

/**
 * A post that got no answer from the Git server, as sendRequest reports it (its reason names the
 * server and the source's `report` settings): a timeout or a failed connection is worth retrying;
 * a certificate, or a proxy that refuses the tunnel or is not set right, is not.
 */
export function transportFailure(failure: Failure): Exclude<PostOutcome, { kind: 'posted' }> {
  const status = failure.status === undefined ? {} : { status: failure.status };
  return failure.kind === 'retryable' ? { kind: 'retry', ...status, reason: failure.reason } : { kind: 'failed', ...status, reason: failure.reason };
}

import type { PostOutcome } from './CommitStatus';

/** A `retry` outcome for an answer worth trying again, saying how long the server asked to wait, if it did. */
export function retryOutcome(status: number, reason: string, retryAfterMs: number | undefined): Extract<PostOutcome, { kind: 'retry' }> {
  if (retryAfterMs === undefined) return { kind: 'retry', status, reason };
  return { kind: 'retry', status, reason: `${reason}; it asked to retry after ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs };
}

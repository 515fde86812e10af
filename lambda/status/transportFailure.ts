import type { Failure } from '../codestream/Outcome';
import type { PostOutcome } from './CommitStatus';

/**
 * A post that got no answer from the Git server, as sendRequest reports it: a timeout or a failed
 * connection is worth retrying; a certificate, or a proxy that refuses the tunnel or is not set
 * right, is not. sendRequest words its reasons for Code Stream, whose client it was written for;
 * they are retold about the Git server, and the settings they name are the source's `report`
 * settings that mirror them: `codestream.url` is `report.apiUrl`, `codestream.caCertificates` and
 * `codestream.proxy` are `report.caCertificates` and `report.proxy`.
 */
export function transportFailure(failure: Failure, server: string): Exclude<PostOutcome, { kind: 'posted' }> {
  const reason = failure.reason.replaceAll('Code Stream', server).replaceAll('codestream.url', 'report.apiUrl').replaceAll('codestream.', 'report.');
  const status = failure.status === undefined ? {} : { status: failure.status };
  return failure.kind === 'retryable' ? { kind: 'retry', ...status, reason } : { kind: 'failed', ...status, reason };
}

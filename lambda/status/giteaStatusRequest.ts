import { canceledDescription } from './canceledDescription';
import type { CommitStatus, StatusState, StatusTarget } from './CommitStatus';
import type { StatusRequest } from './StatusRequest';
import { apiBase, encodedSha, twoPartRepository } from './targetPaths';

/** Gitea's (and Forgejo's) states: pending, success, error, failure, warning; no canceled, as GitHub. */
const GITEA_STATES: Record<StatusState, string> = {
  pending: 'pending',
  success: 'success',
  failure: 'failure',
  canceled: 'error',
  error: 'error',
};

/**
 * `POST {apiUrl}/repos/{owner}/{repo}/statuses/{sha}`, Gitea's CreateStatus, which Forgejo keeps
 * unchanged: the status shows on the commit and on the pull requests whose head it is.
 */
export function giteaStatusRequest(target: StatusTarget, status: CommitStatus, token: string): StatusRequest {
  const { owner, name } = twoPartRepository(target);
  return {
    method: 'post',
    url: `${apiBase(target)}/repos/${owner}/${name}/statuses/${encodedSha(target)}`,
    headers: { Authorization: `token ${token}`, Accept: 'application/json' },
    body: {
      state: GITEA_STATES[status.state],
      context: status.context,
      description: canceledDescription(status),
      target_url: status.targetUrl,
    },
  };
}

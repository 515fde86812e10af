import type { CommitStatus, StatusState, StatusTarget } from './CommitStatus';
import type { StatusRequest } from './StatusRequest';
import { apiBase, encodedSha, shortRef } from './targetPaths';

/**
 * GitLab's states (pending, running, success, failed, canceled, skipped). Ours is `running`, not
 * `pending`: the execution has started, and GitLab shows `pending` as waiting for a runner. An
 * execution the relay lost track of is `failed`: GitLab has no state for "unknown".
 */
export const GITLAB_STATES: Record<StatusState, string> = {
  pending: 'running',
  success: 'success',
  failure: 'failed',
  canceled: 'canceled',
  error: 'failed',
};

/**
 * `POST {apiUrl}/projects/{id}/statuses/{sha}`, the project named by its full path, URL-encoded
 * as one segment (`group/sub/project` → `group%2Fsub%2Fproject`): the status shows on the commit,
 * and on the merge requests of its branch as an external stage of the pipeline. `PRIVATE-TOKEN`
 * carries a personal, project or group access token.
 */
export function gitlabStatusRequest(target: StatusTarget, status: CommitStatus, token: string): StatusRequest {
  return {
    method: 'post',
    url: `${apiBase(target)}/projects/${encodeURIComponent(target.repository)}/statuses/${encodedSha(target)}`,
    headers: { 'PRIVATE-TOKEN': token, Accept: 'application/json' },
    body: {
      state: GITLAB_STATES[status.state],
      name: status.context,
      target_url: status.targetUrl,
      description: status.description,
      ...(target.ref ? { ref: shortRef(target.ref) } : {}),
    },
  };
}

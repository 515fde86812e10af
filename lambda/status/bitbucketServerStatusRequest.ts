import type { CommitStatus, StatusState, StatusTarget } from './CommitStatus';
import type { StatusRequest } from './StatusRequest';
import { apiBase, encodedSha, twoPartRepository } from './targetPaths';
import { fitText, stableKey } from './textLimits';

/** CANCELLED exists since Bitbucket 8.0; an execution the relay lost track of is FAILED (UNKNOWN would not block a merge). */
const BITBUCKET_SERVER_STATES: Record<StatusState, string> = {
  pending: 'INPROGRESS',
  success: 'SUCCESSFUL',
  failure: 'FAILED',
  canceled: 'CANCELLED',
  error: 'FAILED',
};

/** Bitbucket Data Center keeps at most 255 characters of the key, the name and the description. */
const FIELD_LIMIT = 255;

/**
 * `POST {apiUrl}/rest/api/latest/projects/{projectKey}/repos/{repositorySlug}/commits/{commitId}/builds`,
 * the repository-scoped builds resource of Bitbucket 7.4 and later, rather than the older
 * `/rest/build-status/1.0/commits/{commitId}`, which reaches back further but is deprecated since
 * 7.14, is tied to no repository, and so does not count for a repository's required-builds merge
 * check. Every supported version (8.x, 9.x) has it. The build shows on the commit and on the pull
 * requests whose source it is. An HTTP access token goes as Bearer.
 */
export function bitbucketServerStatusRequest(target: StatusTarget, status: CommitStatus, token: string): StatusRequest {
  const { owner: projectKey, name: slug } = twoPartRepository(target);
  return {
    method: 'post',
    url: `${apiBase(target)}/rest/api/latest/projects/${projectKey}/repos/${slug}/commits/${encodedSha(target)}/builds`,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    body: {
      key: stableKey(status.context, FIELD_LIMIT),
      state: BITBUCKET_SERVER_STATES[status.state],
      name: fitText(status.context, FIELD_LIMIT),
      url: status.targetUrl,
      description: fitText(status.description, FIELD_LIMIT),
      ...(target.ref ? { ref: target.ref } : {}),
    },
  };
}

import { canceledDescription } from './canceledDescription';
import type { CommitStatus, StatusState, StatusTarget } from './CommitStatus';
import { USER_AGENT, type StatusRequest } from './StatusRequest';
import { apiBase, encodedSha, twoPartRepository } from './targetPaths';
import { fitText } from './textLimits';

/** GitHub's states: it has no canceled one; `error` with a description that says canceled is the closest. */
const GITHUB_STATES: Record<StatusState, string> = {
  pending: 'pending',
  success: 'success',
  failure: 'failure',
  canceled: 'error',
  error: 'error',
};

/** GitHub keeps at most 140 characters of a description, and refuses longer ones. */
const DESCRIPTION_LIMIT = 140;

/** The REST API version the request is written against, pinned so that GitHub does not change it under us. */
export const GITHUB_API_VERSION = '2022-11-28';

/** The headers of every call to GitHub's REST API with a bearer token (a personal token, an installation token, an App's JWT). */
export function githubHeaders(bearer: string): Record<string, string> {
  return {
    Authorization: `Bearer ${bearer}`,
    Accept: 'application/vnd.github+json',
    'X-GitHub-Api-Version': GITHUB_API_VERSION,
    'User-Agent': USER_AGENT,
  };
}

/**
 * `POST {apiUrl}/repos/{owner}/{repo}/statuses/{sha}` (GitHub.com and GitHub Enterprise Server
 * alike): the status shows on the commit and on every pull request whose head it is. `token` is a
 * personal access token or a GitHub App's installation token.
 */
export function githubStatusRequest(target: StatusTarget, status: CommitStatus, token: string): StatusRequest {
  const { owner, name } = twoPartRepository(target);
  return {
    method: 'post',
    url: `${apiBase(target)}/repos/${owner}/${name}/statuses/${encodedSha(target)}`,
    headers: githubHeaders(token),
    body: {
      state: GITHUB_STATES[status.state],
      context: status.context,
      description: fitText(canceledDescription(status), DESCRIPTION_LIMIT),
      target_url: status.targetUrl,
    },
  };
}

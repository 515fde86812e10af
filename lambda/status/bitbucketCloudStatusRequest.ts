import type { CommitStatus, StatusCredential, StatusState, StatusTarget } from './CommitStatus';
import type { StatusRequest } from './StatusRequest';
import { apiBase, encodedSha, shortRef, twoPartRepository } from './targetPaths';
import { stableKey } from './textLimits';

const BITBUCKET_CLOUD_STATES: Record<StatusState, string> = {
  pending: 'INPROGRESS',
  success: 'SUCCESSFUL',
  failure: 'FAILED',
  canceled: 'STOPPED',
  error: 'FAILED',
};

/** Bitbucket Cloud's limit on a build status's key. */
const KEY_LIMIT = 40;

/**
 * `POST {apiUrl}/repositories/{workspace}/{repo_slug}/commit/{sha}/statuses/build`: the build
 * shows on the commit and on the pull requests whose source it is. The key identifies the status
 * (a later post with the same key replaces it), so a context too long for one is shortened the
 * same way each time. A username with an app password (or an Atlassian API token, with the
 * account's e-mail as username) goes as Basic; an access token as Bearer.
 */
export function bitbucketCloudStatusRequest(target: StatusTarget, status: CommitStatus, credential: Extract<StatusCredential, { kind: 'token' | 'basic' }>): StatusRequest {
  const { owner: workspace, name: slug } = twoPartRepository(target);
  const authorization =
    credential.kind === 'basic' ? `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}` : `Bearer ${credential.token}`;
  return {
    method: 'post',
    url: `${apiBase(target)}/repositories/${workspace}/${slug}/commit/${encodedSha(target)}/statuses/build`,
    headers: { Authorization: authorization, Accept: 'application/json' },
    body: {
      key: stableKey(status.context, KEY_LIMIT),
      state: BITBUCKET_CLOUD_STATES[status.state],
      name: status.context,
      url: status.targetUrl,
      description: status.description,
      ...(target.ref ? { refname: shortRef(target.ref) } : {}),
    },
  };
}

import { bitbucketCloudStatusRequest } from './bitbucketCloudStatusRequest';
import { bitbucketServerStatusRequest } from './bitbucketServerStatusRequest';
import type { CommitStatus, StatusCredential, StatusTarget } from './CommitStatus';
import { giteaStatusRequest } from './giteaStatusRequest';
import { githubStatusRequest } from './githubStatusRequest';
import { gitlabStatusRequest } from './gitlabStatusRequest';
import { SERVER_NAMES } from './serverNames';
import { unpostable } from './StatusPostError';
import type { StatusRequest } from './StatusRequest';

/** A credential that goes in the request as it is: a GitHub App's is first exchanged for an installation token. */
export type RequestCredential = Extract<StatusCredential, { kind: 'token' | 'basic' }>;

/**
 * The request that posts `status` to the target's provider.
 *
 * @throws StatusPostError when the repository name or the credential is not of a form the provider takes.
 */
export function buildStatusRequest(target: StatusTarget, status: CommitStatus, credential: RequestCredential): StatusRequest {
  switch (target.provider) {
    case 'github':
      return githubStatusRequest(target, status, tokenOf(credential, target));
    case 'gitlab':
      return gitlabStatusRequest(target, status, tokenOf(credential, target));
    case 'bitbucket-cloud':
      return bitbucketCloudStatusRequest(target, status, credential);
    case 'bitbucket-server':
      return bitbucketServerStatusRequest(target, status, tokenOf(credential, target));
    case 'gitea':
    case 'forgejo':
      return giteaStatusRequest(target, status, tokenOf(credential, target));
  }
}

function tokenOf(credential: RequestCredential, target: StatusTarget): string {
  if (credential.kind === 'token') return credential.token;
  throw unpostable(`${SERVER_NAMES[target.provider]} takes a token, and the secret holds a username and app password`);
}

import type { StatusTarget } from './CommitStatus';
import { SERVER_NAMES } from './serverNames';
import { unpostable } from './StatusPostError';

/** The target's API URL without a trailing slash, for appending paths. */
export function apiBase(target: Pick<StatusTarget, 'apiUrl'>): string {
  return target.apiUrl.replace(/\/+$/, '');
}

/** The commit id as a path segment. */
export function encodedSha(target: StatusTarget): string {
  return encodeURIComponent(target.sha);
}

/**
 * The two parts of a repository name that GitHub, Bitbucket and Gitea put in their paths (owner and
 * name, workspace and slug, project key and slug), each encoded as a path segment.
 *
 * @throws StatusPostError when the name is not two non-empty parts.
 */
export function twoPartRepository(target: StatusTarget): { owner: string; name: string } {
  const parts = target.repository.split('/');
  const [owner, name] = parts;
  if (parts.length !== 2 || !owner || !name) {
    throw unpostable(`the repository name ${JSON.stringify(target.repository)} is not of the form owner/name that ${SERVER_NAMES[target.provider]} takes`);
  }
  return { owner: encodeURIComponent(owner), name: encodeURIComponent(name) };
}

/** A fully qualified ref as GitLab and Bitbucket Cloud name it: `main` for `refs/heads/main`, `v1.2.0` for `refs/tags/v1.2.0`. */
export function shortRef(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

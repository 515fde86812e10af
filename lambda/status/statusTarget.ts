import type { CanonicalEvent } from '../events/CanonicalEvent';
import type { StatusReporting } from './CommitStatus';
import { REPORTING_PROVIDERS, type ReportingProvider, type StatusTarget } from './CommitStatus';

/**
 * Where the status of an execution an event started goes: the commit the event is about (a pull
 * request's head, else the commit pushed, tagged or released) on its source's Git server, at
 * `report.apiUrl`, else the cloud service's API, else the API the repository's URL implies.
 * @returns why there is no such commit, for events that name none (a branch deleted, a release of
 *   a branch, an image pushed).
 */
export function statusTargetOf(event: CanonicalEvent, reporting: StatusReporting): StatusTarget | { unreportable: string } {
  const provider = event.provider as ReportingProvider;
  if (!(REPORTING_PROVIDERS as readonly string[]).includes(provider)) return { unreportable: `a ${event.provider} event has no commit a status can be posted to` };
  const { git } = event;
  const sha = (event.kind === 'pull_request' ? git?.pullRequest?.headCommit : undefined) ?? git?.commit?.id;
  if (!git || !sha) return { unreportable: `the ${event.kind} event names no commit` };
  const apiUrl = reporting.apiUrl ?? defaultApiUrl(provider, git.repository.url, git.repository.fullName);
  if (apiUrl === undefined) return { unreportable: `the API of ${git.repository.url || 'the Git server'} is not known: set report.apiUrl on the source` };
  const ref = event.kind === 'pull_request' && git.pullRequest ? `refs/heads/${git.pullRequest.sourceBranch}` : git.ref;
  return { provider, apiUrl: apiUrl.replace(/\/+$/, ''), repository: git.repository.fullName, sha, ...(ref ? { ref } : {}) };
}

/** The cloud services' APIs, and a self-hosted server's below the web URL the repository has. */
function defaultApiUrl(provider: ReportingProvider, repositoryUrl: string, fullName: string): string | undefined {
  let url: URL;
  try {
    url = new URL(repositoryUrl);
  } catch {
    return undefined;
  }
  if (provider === 'github' && url.hostname === 'github.com') return 'https://api.github.com';
  if (provider === 'bitbucket-cloud') return 'https://api.bitbucket.org/2.0';
  const base = serverBase(provider, url, fullName);
  if (base === undefined) return undefined;
  switch (provider) {
    case 'github':
      return `${base}/api/v3`;
    case 'gitlab':
      return `${base}/api/v4`;
    case 'gitea':
    case 'forgejo':
      return `${base}/api/v1`;
    default:
      return base;
  }
}

/**
 * The server's own URL, with any path it is served under: the repository's web URL without the
 * repository (`/owner/name`), or for Bitbucket Data Center without `/projects/…` or `/users/…`.
 */
function serverBase(provider: ReportingProvider, url: URL, fullName: string): string | undefined {
  const pathname = url.pathname.replace(/\/+$/, '');
  if (provider === 'bitbucket-server') {
    const at = pathname.search(/\/(projects|users)\//);
    return at < 0 ? undefined : `${url.origin}${pathname.slice(0, at)}`;
  }
  return pathname.endsWith(`/${fullName}`) ? `${url.origin}${pathname.slice(0, -fullName.length - 1)}` : undefined;
}

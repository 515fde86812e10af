import type { ProviderName } from '../../lambda/events/CanonicalEvent';
import type { ServerKey } from './ServerKey';

/** The Git providers of the relay (lambda/providers/registry.ts), for messages. */
const GIT_PROVIDERS: readonly ProviderName[] = ['github', 'gitlab', 'bitbucket-cloud', 'bitbucket-server', 'gitea', 'forgejo', 'azure-devops', 'gerrit'];

/** A webhook's repoName: a full name (`owner/repo`), or where it is a URL, the server's host and base URL too. */
export interface RepositoryLocation {
  fullName?: string;
  host?: string;
  serverUrl?: string;
}

/**
 * Reads repoName, which is a full name (`Codertocat/Hello-World`, GitLab's `group/sub/project`,
 * Bitbucket's `PROJECT/slug`) or a repository's URL (`https://bitbucket.example.com/scm/prj/repo.git`,
 * `git@github.com:owner/repo.git`), whose host tells servers apart.
 */
export function repositoryLocation(repoName: string | undefined): RepositoryLocation {
  if (!repoName) return {};
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.+)$/.exec(repoName);
  if (scp) return { host: scp[1]?.toLowerCase(), fullName: fullNameOf(scp[2] ?? '') };
  if (!/^(https?|ssh|git):\/\//i.test(repoName)) return { fullName: repoName };
  let url: URL;
  try {
    url = new URL(repoName);
  } catch {
    return { fullName: repoName };
  }
  const web = url.protocol === 'https:' || url.protocol === 'http:';
  return { host: url.hostname.toLowerCase(), serverUrl: web ? url.origin : undefined, fullName: fullNameOf(decodeURIComponent(url.pathname)) };
}

/** A repository's full name from its URL's path, in the relay's terms (`git.repository.fullName`). */
function fullNameOf(path: string): string | undefined {
  const segments = path
    .replace(/\.git\/?$/, '')
    .split('/')
    .filter((segment) => segment !== '');
  // Bitbucket Data Center: /scm/PRJ/repo.git, /projects/PRJ/repos/repo/browse; the SSH port's paths lack /scm.
  const projects = segments.indexOf('projects');
  if (projects >= 0 && segments[projects + 2] === 'repos') return [segments[projects + 1], segments[projects + 3]].join('/');
  if (segments[0] === 'scm') return segments.slice(1, 3).join('/');
  // GitLab's pages below a project: /group/project/-/tree/main.
  const dash = segments.indexOf('-');
  const name = (dash >= 0 ? segments.slice(0, dash) : segments).join('/');
  return name || undefined;
}

interface Flavour {
  provider: ProviderName;
  name: string;
  description: string;
  /** The one host of the hosted service, whose webhooks all share one server. */
  host?: string;
}

const GITHUB: Flavour = { provider: 'github', name: 'github', description: 'GitHub', host: 'github.com' };
const GITHUB_ENTERPRISE: Flavour = { provider: 'github', name: 'github-enterprise', description: 'GitHub Enterprise Server' };
const GITLAB: Flavour = { provider: 'gitlab', name: 'gitlab', description: 'GitLab', host: 'gitlab.com' };
const GITLAB_SELF_MANAGED: Flavour = { provider: 'gitlab', name: 'gitlab-self-managed', description: 'GitLab self-managed' };
const BITBUCKET_CLOUD: Flavour = { provider: 'bitbucket-cloud', name: 'bitbucket-cloud', description: 'Bitbucket Cloud', host: 'bitbucket.org' };
const BITBUCKET_SERVER: Flavour = { provider: 'bitbucket-server', name: 'bitbucket-server', description: 'Bitbucket Data Center' };
const OTHERS: Record<string, Flavour> = {
  gitea: { provider: 'gitea', name: 'gitea', description: 'Gitea' },
  forgejo: { provider: 'forgejo', name: 'forgejo', description: 'Forgejo' },
  azuredevops: { provider: 'azure-devops', name: 'azure-devops', description: 'Azure DevOps' },
  azurerepos: { provider: 'azure-devops', name: 'azure-devops', description: 'Azure DevOps' },
  gerrit: { provider: 'gerrit', name: 'gerrit', description: 'Gerrit' },
};

/** Providers whose source takes the server's base URL as `options.serverUrl`. */
const SERVER_URL_PROVIDERS: readonly ProviderName[] = ['bitbucket-server', 'gerrit'];

/** Words in a server type that mean a company's own server rather than the hosted service. */
const ON_PREMISES = /enterprise|server|selfmanaged|selfhosted|onprem|datacenter/;

/**
 * The provider and server of a Git webhook, from its serverType (the swagger's example:
 * `GITHUB/GITLAB/BITBUCKET`; spelling and case vary) and, where repoName is a URL, its host: the
 * hosted service's host means the cloud flavour, any other a company's server.
 * @returns the server, or why the relay has no provider for it; `ambiguous` when a guess was made.
 */
export function gitServer(serverType: string | undefined, location: RepositoryLocation): { key: ServerKey; ambiguous?: string } | { unsupported: string } {
  const type = (serverType ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
  const cloud = (hosted: Flavour, own: Flavour): Flavour =>
    location.host !== undefined ? (location.host === hosted.host ? hosted : own) : ON_PREMISES.test(type) ? own : hosted;
  let flavour: Flavour | undefined;
  let ambiguous: string | undefined;
  if (type.startsWith('github')) flavour = cloud(GITHUB, GITHUB_ENTERPRISE);
  else if (type.startsWith('gitlab')) flavour = cloud(GITLAB, GITLAB_SELF_MANAGED);
  else if (type.startsWith('bitbucket')) {
    if (location.host !== undefined || ON_PREMISES.test(type)) flavour = cloud(BITBUCKET_CLOUD, BITBUCKET_SERVER);
    else if (/cloud|org/.test(type)) flavour = BITBUCKET_CLOUD;
    else {
      // Code Stream's Git webhooks began with Bitbucket Enterprise; its plain BITBUCKET says no more.
      flavour = BITBUCKET_SERVER;
      ambiguous = `server type ${serverType ?? ''} does not say whether Bitbucket Cloud or Data Center, and repoName is no URL: imported as bitbucket-server (Data Center); make the source's provider bitbucket-cloud if the repository is on bitbucket.org`;
    }
  } else if (type === '' && location.host !== undefined) {
    flavour = [GITHUB, GITLAB, BITBUCKET_CLOUD].find((hosted) => hosted.host === location.host);
  } else flavour = OTHERS[type];
  if (!flavour) {
    const what = serverType ? `server type "${serverType}"` : 'no serverType';
    return { unsupported: `${what}: the relay has no provider for it (its Git providers: ${GIT_PROVIDERS.join(', ')})` };
  }
  const own = flavour.host === undefined;
  const key: ServerKey = {
    provider: flavour.provider,
    name: flavour.name,
    qualifier: own ? location.host : undefined,
    description: `${flavour.description}${own && location.host !== undefined ? ` at ${location.host}` : ''}`,
    serverType,
    serverUrl: own && SERVER_URL_PROVIDERS.includes(flavour.provider) ? location.serverUrl : undefined,
  };
  return ambiguous === undefined ? { key } : { key, ambiguous };
}

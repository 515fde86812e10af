import type { ReportingProvider } from './CommitStatus';

/** How reasons name each provider's server. */
export const SERVER_NAMES: Record<ReportingProvider, string> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  'bitbucket-cloud': 'Bitbucket Cloud',
  'bitbucket-server': 'Bitbucket Data Center',
  gitea: 'Gitea',
  forgejo: 'Forgejo',
};

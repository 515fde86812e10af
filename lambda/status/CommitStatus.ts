import type { ProviderName } from '../events/CanonicalEvent';

/** The providers whose Git servers take a commit status from the relay. */
export const REPORTING_PROVIDERS = ['github', 'gitlab', 'bitbucket-cloud', 'bitbucket-server', 'gitea', 'forgejo'] as const satisfies readonly ProviderName[];
export type ReportingProvider = (typeof REPORTING_PROVIDERS)[number];

/**
 * A commit status as the relay means it, whatever the provider calls it:
 * - `pending`: the execution was created and runs;
 * - `success`: it completed;
 * - `failure`: it failed, or was rolled back;
 * - `canceled`: it was canceled;
 * - `error`: the relay could not follow it to its end (gave up after the maximum age).
 */
export type StatusState = 'pending' | 'success' | 'failure' | 'canceled' | 'error';

export interface CommitStatus {
  state: StatusState;
  /** The status's name on the commit (GitHub's context, GitLab's name, Bitbucket's key and name): the rule's `report.context`. */
  context: string;
  /** One line, at most 140 characters (GitHub's limit), e.g. `Code Stream demo/build: completed in 4 min`. */
  description: string;
  /** The absolute link to the execution in Code Stream. */
  targetUrl: string;
}

/** Where a status goes: the commit of a repository on a Git server. */
export interface StatusTarget {
  provider: ReportingProvider;
  /**
   * The API's base URL: `https://api.github.com`, `https://github.example.com/api/v3`,
   * `https://gitlab.example.com/api/v4`, `https://api.bitbucket.org/2.0`,
   * `https://bitbucket.example.com` (Data Center), `https://gitea.example.com/api/v1`.
   */
  apiUrl: string;
  /** The repository's full name as the canonical event has it: `owner/name`, GitLab's `group/sub/project`, Bitbucket DC's `PROJECT/repo`. */
  repository: string;
  /** The commit's full id. */
  sha: string;
  /**
   * The ref that pointed to the commit, fully qualified (`refs/heads/main`, `refs/tags/v1.2.0`; a
   * pull request's source branch): GitLab and Bitbucket tie the status to it, Bitbucket Cloud to
   * link it with the branch's pull requests.
   */
  ref?: string;
}

/**
 * A Git server's credential for posting statuses, as read from the source's `report.secret` in
 * Secrets Manager: a token (GitHub, GitLab, Bitbucket access token, Gitea, Forgejo), a Bitbucket
 * Cloud app password with its username, or a GitHub App's id, private key and installation.
 */
export type StatusCredential =
  | { kind: 'token'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'githubApp'; appId: string; privateKey: string; installationId: string };

/**
 * What became of one post: `posted`; `retry` (5xx, 429, a timeout or connection failure: worth
 * trying again later, `retryAfterMs` where the server said); `failed` (401, 403, 404, 422, …:
 * another try would fail the same way), always with a reason that names no credential.
 */
export type PostOutcome =
  | { kind: 'posted'; status: number }
  | { kind: 'retry'; status?: number; reason: string; retryAfterMs?: number }
  | { kind: 'failed'; status?: number; reason: string };

/** Posts commit statuses to Git servers; one implementation covers every provider. */
export interface StatusPoster {
  post(target: StatusTarget, status: CommitStatus, credential: StatusCredential): Promise<PostOutcome>;
}

/** A source's `report` block: its Git server, as the relay posts commit statuses to it. */
export interface StatusReporting {
  /** Secrets Manager secret holding the credential (parseStatusCredential.ts). */
  secret: string;
  /** The API's base URL. @default the cloud service's, else derived from the repository's URL */
  apiUrl?: string;
  /** As `codestream.caCertificates`: PEM texts once loaded. */
  caCertificates?: string | string[];
  /** As `codestream.proxy`. */
  proxy?: string | false;
}

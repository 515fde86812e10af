/**
 * One provider-neutral event (DESIGN §3): what every provider adapter produces and what rules
 * match on. Git servers fill `git`, registries fill `artifact`. Fields a provider does not send
 * are absent, never the word "undefined".
 */
export interface CanonicalEvent {
  /** The configured source the delivery arrived on, e.g. `github-acme`. */
  source: string;
  provider: ProviderName;
  kind: EventKind;
  /** The provider's own event name: a header value (`push`, `Merge Request Hook`) or a body field (`PUSH_ARTIFACT`). */
  event: string;
  /** The provider's action within the event, where it has one: `opened`, `closed`, `published`, `CREATED`, … */
  action?: string;
  /** The provider's delivery id; a hash of the body where it sends none. Unique per event of a delivery. */
  deliveryId: string;
  /** When the relay received the delivery, ISO 8601 UTC. */
  receivedAt: string;
  /** When the event happened, ISO 8601 UTC; the provider's time, else `receivedAt`. */
  occurredAt: string;
  /** Login or username of who caused the event (pusher, author, merger). */
  sender?: string;
  git?: GitEvent;
  artifact?: ArtifactEvent;
}

export type ProviderName =
  | 'github'
  | 'gitlab'
  | 'bitbucket-cloud'
  | 'bitbucket-server'
  | 'gitea'
  | 'forgejo'
  | 'gerrit'
  | 'azure-devops'
  | 'dockerhub'
  | 'harbor'
  | 'jfrog-artifactory'
  | 'nexus'
  | 'quay'
  | 'aws-ecr'
  | 'generic';

/**
 * - `push`: commits pushed to a branch (including the push that creates it);
 * - `tag`: a tag pushed;
 * - `create` / `delete`: a branch or tag created or deleted, as its own event (`git.refType` says which);
 * - `pull_request`: a pull or merge request opened, updated, closed or merged (`action`, `git.pullRequest`);
 * - `pipeline`: a CI pipeline on the Git server changed state (GitLab);
 * - `release`: a release of a tag published, created or changed (`action`, `git.release`);
 * - `artifact_push` / `artifact_delete`: an image or package pushed or deleted;
 * - `artifact_scan`: a vulnerability scan of an artifact completed;
 * - `ping`: the provider testing the webhook;
 * - `other`: an event the provider names but the relay does not model; rules may still match its raw body.
 */
export type EventKind =
  | 'push'
  | 'tag'
  | 'create'
  | 'delete'
  | 'pull_request'
  | 'pipeline'
  | 'release'
  | 'artifact_push'
  | 'artifact_delete'
  | 'artifact_scan'
  | 'ping'
  | 'other';

export const EVENT_KINDS: readonly EventKind[] = [
  'push',
  'tag',
  'create',
  'delete',
  'pull_request',
  'pipeline',
  'release',
  'artifact_push',
  'artifact_delete',
  'artifact_scan',
  'ping',
  'other',
];

export interface GitEvent {
  /** Base URL of the Git server: `https://github.com`, the GitLab or Bitbucket instance URL. */
  serverUrl: string;
  repository: Repository;
  /** The full ref, e.g. `refs/heads/main` or `refs/tags/v1.2.0`. */
  ref?: string;
  refType?: 'branch' | 'tag';
  /** Branch name without `refs/heads/`. */
  branch?: string;
  /** Tag name without `refs/tags/`. */
  tag?: string;
  /** Commit before and after a push; all zeros where the ref was created or deleted. */
  before?: string;
  after?: string;
  /** The commit the event is about (after a push, the new head; for a pull request, its source head). */
  commit?: Commit;
  /** Paths changed by the pushed commits, where the provider sends them. */
  changedFiles?: ChangedFiles;
  pullRequest?: PullRequest;
  /** For `pipeline` events: the pipeline's id and status. */
  pipeline?: { id: string; status: string; url?: string };
  /** For `release` events: the release of `tag`, as the provider describes it. */
  release?: Release;
}

export interface Release {
  /** The release's title; providers allow it empty, and then it is absent. */
  name?: string;
  /** The release's web page. */
  url?: string;
  prerelease?: boolean;
  draft?: boolean;
}

export interface Repository {
  /** owner/name; GitLab's path_with_namespace; Bitbucket's workspace/slug or PROJECT/slug. */
  fullName: string;
  name: string;
  /** Owner, group, workspace or project key. */
  owner: string;
  /** The repository's web URL. */
  url: string;
  cloneUrl?: string;
  defaultBranch?: string;
}

export interface Commit {
  id: string;
  message?: string;
  /** The author's login/username where the provider sends it, else the author's name. */
  author?: string;
  timestamp?: string;
  url?: string;
}

export interface ChangedFiles {
  added: string[];
  modified: string[];
  removed: string[];
}

export interface PullRequest {
  number: number;
  title: string;
  /** The provider's state: `open`, `closed`, `merged`, `OPEN`, `MERGED`, `declined`, … */
  state: string;
  sourceBranch: string;
  targetBranch: string;
  merged: boolean;
  url?: string;
  /** Head commit of the source branch. */
  headCommit?: string;
  /** The merge commit, once merged, where the provider sends it. */
  mergeCommit?: string;
}

export interface ArtifactEvent {
  /** Registry host, e.g. `registry.hub.docker.com`, `harbor.example.com`, `123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
  registry: string;
  /** The registry's base URL, `https://` + host unless the provider says otherwise. */
  registryUrl: string;
  /** Namespace, project, organisation or owner. */
  namespace: string;
  /** The repository within its namespace. */
  repository: string;
  /** namespace/repository (or just repository where there is no namespace). */
  image: string;
  tag?: string;
  digest?: string;
  mediaType?: string;
  /** The package type where the registry serves several: `docker`, `npm`, `maven`, … */
  packageType?: string;
  /** Who pushed, where the provider says. */
  pusher?: string;
  /** Where the artifact can be pulled from or viewed. */
  url?: string;
}

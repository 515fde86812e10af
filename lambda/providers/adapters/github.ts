import type { ArtifactEvent, GitEvent, Repository } from '../../events/CanonicalEvent';
import { authenticatedBy, signature } from '../auth/authentication';
import { UnknownEventError } from '../errors';
import { changedFilesOf, hostOf, originOf, refParts, releaseOf, toIsoUtc } from '../gitFields';
import { bool, integer, list, record, required, text } from '../json';
import { NO_OPTIONS } from '../optionsSchema';
import type { EventFields, NormalisedDelivery, ProviderAdapter, WebhookRequest } from '../types';

/**
 * GitHub and GitHub Enterprise Server. Signed with `X-Hub-Signature-256` (HMAC-SHA256, `sha256=`
 * hex); servers that send only the legacy `X-Hub-Signature` (HMAC-SHA1) are checked with that.
 * JSON and form-encoded (`payload=`) bodies. `package` and `registry_package` are artifact events.
 */
export const github: ProviderAdapter = {
  name: 'github',
  optionsSchema: NO_OPTIONS,
  requiresSecret: true,
  describes: ['git', 'artifact'],
  ...authenticatedBy({
    credentials: [
      signature({ header: 'x-hub-signature-256', algorithm: 'sha256', prefix: 'sha256=' }),
      signature({ header: 'x-hub-signature', algorithm: 'sha1', prefix: 'sha1=' }),
    ],
    missing: 'the X-Hub-Signature-256 header is missing: set a secret on the GitHub webhook',
  }),

  normalise(request, body): NormalisedDelivery {
    const event = request.headers['x-github-event'];
    if (!event) throw new UnknownEventError('the X-GitHub-Event header is missing');
    return { deliveryId: request.headers['x-github-delivery'], events: [fields(event, request, body)] };
  },
};

function fields(event: string, request: WebhookRequest, body: Record<string, unknown>): EventFields {
  const sender = text(body, 'sender', 'login');
  const action = text(body, 'action');
  switch (event) {
    case 'ping':
      return { kind: 'ping', event, occurredAt: toIsoUtc(text(body, 'hook', 'created_at')), sender, git: optionalGit(request, body) };
    case 'push':
      return push(event, request, body, sender);
    case 'create':
    case 'delete': {
      const refType = required(text(body, 'ref_type'), 'ref_type') === 'tag' ? 'tag' : 'branch';
      const name = required(text(body, 'ref'), 'ref');
      return {
        kind: event,
        event,
        sender,
        git: Object.assign(base(request, body), refParts(`refs/${refType === 'tag' ? 'tags' : 'heads'}/${name}`)),
      };
    }
    case 'pull_request':
      return pullRequest(event, request, body, sender);
    case 'release':
      return release(event, request, body, sender);
    case 'package':
    case 'registry_package':
      return { kind: 'artifact_push', event, action, occurredAt: packageTime(body), sender, artifact: packageArtifact(body, event) };
    default:
      return { kind: 'other', event, action, sender, git: optionalGit(request, body) };
  }
}

function push(event: string, request: WebhookRequest, body: Record<string, unknown>, sender: string | undefined): EventFields {
  const ref = refParts(required(text(body, 'ref'), 'ref'));
  const deleted = bool(body, 'deleted') === true;
  const head = record(body, 'head_commit');
  const git: GitEvent = Object.assign(base(request, body), ref, {
    before: text(body, 'before'),
    after: text(body, 'after'),
    commit: head && {
      id: required(text(head, 'id'), 'head_commit.id'),
      message: text(head, 'message'),
      author: text(head, 'author', 'username') ?? text(head, 'author', 'name'),
      timestamp: toIsoUtc(text(head, 'timestamp')),
      url: text(head, 'url'),
    },
    // The docs' tag push lists no commits but a head_commit with its files.
    changedFiles: changedFilesOf(list(body, 'commits').length > 0 ? list(body, 'commits') : [head]),
  });
  const pushedAt = integer(body, 'repository', 'pushed_at');
  return {
    kind: deleted ? 'delete' : ref.refType === 'tag' ? 'tag' : 'push',
    event,
    occurredAt: git.commit?.timestamp ?? (pushedAt === undefined ? undefined : toIsoUtc(pushedAt * 1000)),
    sender: sender ?? text(body, 'pusher', 'name'),
    git,
  };
}

function pullRequest(event: string, request: WebhookRequest, body: Record<string, unknown>, sender: string | undefined): EventFields {
  const pr = required(record(body, 'pull_request'), 'pull_request');
  const merged = bool(pr, 'merged') === true;
  const headCommit = text(pr, 'head', 'sha');
  const mergeCommit = merged ? text(pr, 'merge_commit_sha') : undefined;
  return {
    kind: 'pull_request',
    event,
    action: text(body, 'action'),
    occurredAt: toIsoUtc(text(pr, 'updated_at')),
    sender,
    git: Object.assign(base(request, body), {
      commit: { id: required(mergeCommit ?? headCommit, 'pull_request.head.sha'), message: text(pr, 'title') },
      pullRequest: {
        number: required(integer(pr, 'number') ?? integer(body, 'number'), 'pull_request.number'),
        title: text(pr, 'title') ?? '',
        state: merged ? 'merged' : (text(pr, 'state') ?? ''),
        sourceBranch: required(text(pr, 'head', 'ref'), 'pull_request.head.ref'),
        targetBranch: required(text(pr, 'base', 'ref'), 'pull_request.base.ref'),
        merged,
        url: text(pr, 'html_url'),
        headCommit,
        mergeCommit,
      },
    }),
  };
}

/** A release: its tag, and the branch or commit it was cut from (gitFields.ts's releaseOf). */
function release(event: string, request: WebhookRequest, body: Record<string, unknown>, sender: string | undefined): EventFields {
  const { occurredAt, git } = releaseOf(body);
  return { kind: 'release', event, action: text(body, 'action'), occurredAt, sender, git: Object.assign(base(request, body), git) };
}

function base(request: WebhookRequest, body: Record<string, unknown>): Pick<GitEvent, 'serverUrl' | 'repository'> {
  const repository = required(record(body, 'repository'), 'repository');
  return { serverUrl: serverUrl(request, repository), repository: repositoryOf(repository) };
}

function optionalGit(request: WebhookRequest, body: Record<string, unknown>): GitEvent | undefined {
  return record(body, 'repository') ? base(request, body) : undefined;
}

function repositoryOf(repository: Record<string, unknown>): Repository {
  const fullName = required(text(repository, 'full_name'), 'repository.full_name');
  return {
    fullName,
    name: text(repository, 'name') ?? fullName.split('/').pop() ?? fullName,
    owner: text(repository, 'owner', 'login') ?? text(repository, 'owner', 'name') ?? fullName.split('/')[0] ?? '',
    url: text(repository, 'html_url') ?? '',
    cloneUrl: text(repository, 'clone_url'),
    defaultBranch: text(repository, 'default_branch') ?? text(repository, 'master_branch'),
  };
}

/** GitHub Enterprise Server names itself in a header; otherwise the repository's URL says where it lives. */
function serverUrl(request: WebhookRequest, repository: Record<string, unknown>): string {
  const enterpriseHost = request.headers['x-github-enterprise-host'];
  if (enterpriseHost) return `https://${enterpriseHost}`;
  return originOf(text(repository, 'html_url')) ?? 'https://github.com';
}

function packageArtifact(body: Record<string, unknown>, event: string): ArtifactEvent {
  const pkg = required(record(body, event), event);
  const version = record(pkg, 'package_version');
  // package_url is `host/namespace/name:tag` (ghcr.io/octo-org/app:1.0); the tag may be empty.
  const [host = '', ...urlPath] = (text(version, 'package_url') ?? '').replace(/:[^/]*$/, '').split('/');
  const fromUrl = urlPath.length > 0;
  const registry = fromUrl ? host : (hostOf(text(pkg, 'registry', 'url')) ?? 'ghcr.io');
  const path = fromUrl ? urlPath : [text(pkg, 'owner', 'login') ?? '', required(text(pkg, 'name'), `${event}.name`)];
  const repository = path[path.length - 1] ?? '';
  const namespace = path.slice(0, -1).join('/');
  // A container's `version` is its tag, or its digest when pushed untagged.
  const versionName = text(version, 'version') || undefined;
  const versionIsDigest = versionName?.startsWith('sha256:') === true;
  const tag = text(version, 'container_metadata', 'tag', 'name') || (versionIsDigest ? undefined : versionName);
  return {
    registry,
    registryUrl: `https://${registry}`,
    namespace,
    repository,
    image: namespace ? `${namespace}/${repository}` : repository,
    tag,
    digest:
      text(version, 'container_metadata', 'tag', 'digest') ||
      text(version, 'container_metadata', 'manifest', 'digest') ||
      (versionIsDigest ? versionName : undefined),
    mediaType: text(version, 'container_metadata', 'manifest', 'media_type'),
    packageType: text(pkg, 'package_type')?.toLowerCase(),
    pusher: text(body, 'sender', 'login'),
    url: text(version, 'html_url') ?? text(pkg, 'html_url'),
  };
}

function packageTime(body: Record<string, unknown>): string | undefined {
  const pkg = record(body, 'package') ?? record(body, 'registry_package');
  return toIsoUtc(text(pkg, 'updated_at'));
}

import type { Commit, GitEvent, Repository } from '../../events/CanonicalEvent';
import { authenticatedBy, headerToken } from '../auth/authentication';
import { UnknownEventError } from '../errors';
import { changedFilesOf, isZeroCommit, originOf, refParts, toIsoUtc } from '../gitFields';
import { bool, integer, list, record, required, text } from '../json';
import { NO_OPTIONS } from '../optionsSchema';
import type { EventFields, NormalisedDelivery, ProviderAdapter, WebhookRequest } from '../types';

/**
 * GitLab (gitlab.com and self-managed). Nothing is signed: the webhook's secret token arrives as-is
 * in `X-Gitlab-Token`, so it proves the sender but not the body (TLS protects that). GitLab has no
 * ping: its "Test" button sends a sample of the chosen event. System hooks say only `System Hook` in
 * the header and are read by their body's `object_kind`.
 */
export const gitlab: ProviderAdapter = {
  name: 'gitlab',
  optionsSchema: NO_OPTIONS,
  requiresSecret: true,
  describes: ['git'],
  ...authenticatedBy({ credentials: [headerToken('x-gitlab-token', 'the X-Gitlab-Token header')], missing: 'the X-Gitlab-Token header is missing' }),

  normalise(request, body): NormalisedDelivery {
    const event = request.headers['x-gitlab-event'];
    if (!event) throw new UnknownEventError('the X-Gitlab-Event header is missing');
    // Every event GitLab sends is named `<Something> Hook`.
    if (!/^[A-Za-z ]+ Hook$/.test(event)) {
      throw new UnknownEventError(`the X-Gitlab-Event header ${JSON.stringify(event)} is not a GitLab event`);
    }
    // Idempotency-Key (GitLab 17.4+) stays the same across retries; older servers send only the event's UUID.
    const deliveryId = request.headers['idempotency-key'] || request.headers['x-gitlab-event-uuid'];
    return { deliveryId, events: [fields(event, request, body)] };
  },
};

const SYSTEM_HOOK_EVENTS = new Map([
  ['push', 'Push Hook'],
  ['tag_push', 'Tag Push Hook'],
  ['merge_request', 'Merge Request Hook'],
]);

function fields(event: string, request: WebhookRequest, body: Record<string, unknown>): EventFields {
  const hook = event === 'System Hook' ? (SYSTEM_HOOK_EVENTS.get(text(body, 'object_kind') ?? '') ?? event) : event;
  switch (hook) {
    case 'Push Hook':
    case 'Tag Push Hook':
      return push(event, request, body);
    case 'Merge Request Hook':
      return mergeRequest(event, request, body);
    case 'Pipeline Hook':
      return pipeline(event, request, body);
    case 'Release Hook':
      return release(event, request, body);
    default:
      return {
        kind: 'other',
        event,
        action: text(body, 'object_attributes', 'action') ?? text(body, 'action'),
        sender: senderOf(body),
        git: record(body, 'project') ? base(request, body) : undefined,
      };
  }
}

function push(event: string, request: WebhookRequest, body: Record<string, unknown>): EventFields {
  const ref = refParts(required(text(body, 'ref'), 'ref'));
  const after = text(body, 'after');
  const deleted = isZeroCommit(after);
  const commits = list(body, 'commits');
  // For a tag, `after` is the tag object and checkout_sha the commit it points at.
  const headId = deleted ? undefined : (text(body, 'checkout_sha') ?? after);
  const head = headId === undefined ? undefined : (commitOf(commits.find((commit) => text(commit, 'id') === headId)) ?? { id: headId });
  return {
    kind: deleted ? 'delete' : ref.refType === 'tag' ? 'tag' : 'push',
    event,
    occurredAt: head?.timestamp,
    sender: senderOf(body),
    git: Object.assign(base(request, body), ref, {
      before: text(body, 'before'),
      after,
      commit: head,
      changedFiles: changedFilesOf(commits),
    }),
  };
}

function mergeRequest(event: string, request: WebhookRequest, body: Record<string, unknown>): EventFields {
  const mr = required(record(body, 'object_attributes'), 'object_attributes');
  const action = text(mr, 'action');
  const state = text(mr, 'state') ?? '';
  const merged = action === 'merge' || state === 'merged';
  const headCommit = text(mr, 'last_commit', 'id');
  const mergeCommit = merged ? text(mr, 'merge_commit_sha') : undefined;
  const commitId = mergeCommit ?? headCommit;
  return {
    kind: 'pull_request',
    event,
    action,
    occurredAt: toIsoUtc(text(mr, 'updated_at')),
    sender: senderOf(body),
    git: Object.assign(base(request, body), {
      commit: commitId === undefined ? undefined : { id: commitId, message: text(mr, 'title') },
      pullRequest: {
        number: required(integer(mr, 'iid'), 'object_attributes.iid'),
        title: text(mr, 'title') ?? '',
        state,
        sourceBranch: required(text(mr, 'source_branch'), 'object_attributes.source_branch'),
        targetBranch: required(text(mr, 'target_branch'), 'object_attributes.target_branch'),
        merged,
        url: text(mr, 'url'),
        headCommit,
        mergeCommit,
      },
    }),
  };
}

function pipeline(event: string, request: WebhookRequest, body: Record<string, unknown>): EventFields {
  const attributes = required(record(body, 'object_attributes'), 'object_attributes');
  // `ref` is the branch or tag name; `tag` says which.
  const name = required(text(attributes, 'ref'), 'object_attributes.ref');
  const sha = text(attributes, 'sha');
  return {
    kind: 'pipeline',
    event,
    occurredAt: toIsoUtc(text(attributes, 'finished_at') ?? text(attributes, 'created_at')),
    sender: senderOf(body),
    git: Object.assign(base(request, body), refParts(bool(attributes, 'tag') === true ? `refs/tags/${name}` : name), {
      commit: commitOf(record(body, 'commit')) ?? (sha === undefined ? undefined : { id: sha }),
      pipeline: {
        id: required(text(attributes, 'id'), 'object_attributes.id'),
        status: required(text(attributes, 'status'), 'object_attributes.status'),
        url: text(attributes, 'url'),
      },
    }),
  };
}

/** GitLab names a release's tag and commit, not the branch it was cut from. */
function release(event: string, request: WebhookRequest, body: Record<string, unknown>): EventFields {
  const tag = required(text(body, 'tag'), 'tag');
  return {
    kind: 'release',
    event,
    action: text(body, 'action'),
    occurredAt: toIsoUtc(text(body, 'released_at') ?? text(body, 'created_at')),
    sender: senderOf(body),
    git: Object.assign(base(request, body), refParts(`refs/tags/${tag}`), {
      commit: commitOf(record(body, 'commit')),
      release: { name: text(body, 'name') || undefined, url: text(body, 'url') },
    }),
  };
}

/** A commit as GitLab writes it in pushes, pipelines and merge requests; its author is a name only. */
function commitOf(commit: unknown): Commit | undefined {
  const id = text(commit, 'id');
  if (id === undefined) return undefined;
  return {
    id,
    message: text(commit, 'message'),
    author: text(commit, 'author', 'name'),
    timestamp: toIsoUtc(text(commit, 'timestamp')),
    url: text(commit, 'url'),
  };
}

/** Push events name the user at the top level; the others carry a `user` object. */
function senderOf(body: Record<string, unknown>): string | undefined {
  return text(body, 'user_username') ?? text(body, 'user', 'username');
}

function base(request: WebhookRequest, body: Record<string, unknown>): Pick<GitEvent, 'serverUrl' | 'repository'> {
  const project = required(record(body, 'project'), 'project');
  // X-Gitlab-Instance (GitLab 15.5+) keeps a relative URL root that the project's URL alone cannot reveal.
  const instance = request.headers['x-gitlab-instance']?.replace(/\/+$/, '');
  return { serverUrl: instance || originOf(text(project, 'web_url')) || '', repository: repositoryOf(project) };
}

/** name and owner come from the path (`group/subgroup/project`), not the display names GitLab also sends. */
function repositoryOf(project: Record<string, unknown>): Repository {
  const fullName = required(text(project, 'path_with_namespace'), 'project.path_with_namespace');
  const slash = fullName.lastIndexOf('/');
  return {
    fullName,
    name: fullName.slice(slash + 1),
    owner: slash < 0 ? '' : fullName.slice(0, slash),
    url: text(project, 'web_url') ?? '',
    cloneUrl: text(project, 'git_http_url') ?? text(project, 'http_url'),
    defaultBranch: text(project, 'default_branch'),
  };
}

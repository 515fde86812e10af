import type { Commit, GitEvent } from '../../events/CanonicalEvent';
import { type Authentication, authenticatedBy, basicAuth, headerToken } from '../auth/authentication';
import { UnknownEventError } from '../errors';
import { isZeroCommit, originOf, refParts, toIsoUtc } from '../gitFields';
import { integer, list, record, required, text } from '../json';
import type { EventFields, ProviderAdapter } from '../types';

const OPTIONS_SCHEMA: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, description: 'The Basic authentication user name the subscription sends; any when unset.' },
    tokenHeader: {
      type: 'string',
      minLength: 1,
      description: 'A custom HTTP header of the subscription that carries the secret, checked instead of Basic authentication.',
    },
  },
};

/**
 * Azure DevOps Services and Server, through a service hook subscription with the Web Hooks
 * consumer. Azure signs nothing: the secret is the password of the subscription's Basic
 * authentication (with option `username` checked when set), or, with option `tokenHeader`, the
 * value of a custom header the subscription adds. Neither binds the body. One `git.push` may
 * update several refs: each ref update is its own event.
 */
export const azureDevops: ProviderAdapter = {
  name: 'azure-devops',
  optionsSchema: OPTIONS_SCHEMA,
  requiresSecret: true,
  describes: ['git'],
  ...authenticatedBy(authentication),

  normalise(_request, body) {
    const event = text(body, 'eventType');
    if (!event) throw new UnknownEventError('the body has no eventType');
    return { deliveryId: text(body, 'id') ?? text(body, 'notificationId'), events: events(event, body) };
  },
};

function authentication(options: Record<string, unknown>): Authentication {
  const tokenHeader = text(options, 'tokenHeader');
  if (tokenHeader) return { credentials: [headerToken(tokenHeader.toLowerCase(), `the ${tokenHeader} header`)], missing: `the ${tokenHeader} header is missing` };
  return { credentials: [basicAuth(text(options, 'username'))], missing: 'the Authorization header with Basic credentials is missing' };
}

function events(event: string, body: Record<string, unknown>): EventFields[] {
  const resource = record(body, 'resource');
  const sender = identity(resource, 'pushedBy') ?? identity(resource, 'createdBy');
  const occurredAt = toIsoUtc(text(body, 'createdDate'));
  switch (event) {
    case 'git.push':
      return refUpdates(body).map((update) => ({ kind: pushKind(update), event, occurredAt, sender, git: push(body, update) }));
    case 'git.pullrequest.created':
    case 'git.pullrequest.updated':
    case 'git.pullrequest.merged':
      return [{ kind: 'pull_request', event, action: event.slice('git.pullrequest.'.length), occurredAt, sender, git: pullRequest(body) }];
    default:
      return [{ kind: 'other', event, occurredAt, sender, git: optionalGit(body) }];
  }
}

interface RefUpdate {
  ref: string;
  before?: string;
  after: string;
}

function refUpdates(body: Record<string, unknown>): RefUpdate[] {
  const updates = list(body, 'resource', 'refUpdates');
  required(updates[0], 'resource.refUpdates');
  return updates.map((update, index) => ({
    ref: required(text(update, 'name'), `resource.refUpdates[${index}].name`),
    before: text(update, 'oldObjectId'),
    after: required(text(update, 'newObjectId'), `resource.refUpdates[${index}].newObjectId`),
  }));
}

function pushKind(update: RefUpdate): EventFields['kind'] {
  if (isZeroCommit(update.after)) return 'delete';
  return refParts(update.ref).refType === 'tag' ? 'tag' : 'push';
}

function push(body: Record<string, unknown>, update: RefUpdate): GitEvent {
  return Object.assign(base(body), refParts(update.ref), { before: update.before, after: update.after, commit: pushedCommit(body, update) });
}

/** The commit a ref now points at; with a single ref update, the push's first commit stands in for it. */
function pushedCommit(body: Record<string, unknown>, update: RefUpdate): Commit | undefined {
  if (isZeroCommit(update.after)) return undefined;
  const commits = list(body, 'resource', 'commits');
  const single = list(body, 'resource', 'refUpdates').length === 1;
  const commit = commits.find((candidate) => text(candidate, 'commitId') === update.after) ?? (single ? commits[0] : undefined);
  if (commit === undefined) return undefined;
  return {
    id: required(text(commit, 'commitId'), 'resource.commits[].commitId'),
    message: text(commit, 'comment'),
    author: text(commit, 'author', 'name'),
    timestamp: toIsoUtc(text(commit, 'author', 'date')),
    url: text(commit, 'url'),
  };
}

function pullRequest(body: Record<string, unknown>): GitEvent {
  const resource = required(record(body, 'resource'), 'resource');
  const git = base(body);
  const number = required(integer(resource, 'pullRequestId'), 'resource.pullRequestId');
  const status = text(resource, 'status') ?? '';
  // git.pullrequest.merged is Azure's "merge commit created": it also fires for the trial merge of an
  // active pull request, and for a merge with conflicts. Only a completed pull request has landed.
  const merged = status === 'completed';
  const headCommit = text(resource, 'lastMergeSourceCommit', 'commitId');
  const mergeCommit = merged ? text(resource, 'lastMergeCommit', 'commitId') : undefined;
  const title = text(resource, 'title') ?? '';
  return Object.assign(git, {
    commit: { id: required(mergeCommit ?? headCommit, 'resource.lastMergeSourceCommit.commitId'), message: title },
    pullRequest: {
      number,
      title,
      state: status,
      sourceBranch: shortBranch(required(text(resource, 'sourceRefName'), 'resource.sourceRefName')),
      targetBranch: shortBranch(required(text(resource, 'targetRefName'), 'resource.targetRefName')),
      merged,
      url: `${git.repository.url}/pullrequest/${number}`,
      headCommit,
      mergeCommit,
    },
  });
}

function base(body: Record<string, unknown>): Pick<GitEvent, 'serverUrl' | 'repository'> {
  return baseOf(body, required(record(body, 'resource', 'repository'), 'resource.repository'));
}

/** Comment events carry the repository inside the pull request. */
function optionalGit(body: Record<string, unknown>): GitEvent | undefined {
  const repository = record(body, 'resource', 'repository') ?? record(body, 'resource', 'pullRequest', 'repository');
  const complete = repository && text(repository, 'name') && text(repository, 'project', 'name') && text(repository, 'remoteUrl');
  return complete ? baseOf(body, repository) : undefined;
}

function baseOf(body: Record<string, unknown>, repository: Record<string, unknown>): Pick<GitEvent, 'serverUrl' | 'repository'> {
  const name = required(text(repository, 'name'), 'resource.repository.name');
  const project = required(text(repository, 'project', 'name'), 'resource.repository.project.name');
  const remoteUrl = required(text(repository, 'remoteUrl'), 'resource.repository.remoteUrl');
  const defaultBranch = text(repository, 'defaultBranch');
  return {
    serverUrl: collectionUrl(body) ?? originOf(remoteUrl) ?? remoteUrl,
    repository: {
      fullName: `${project}/${name}`,
      name,
      owner: project,
      url: remoteUrl,
      cloneUrl: remoteUrl,
      defaultBranch: defaultBranch && shortBranch(defaultBranch),
    },
  };
}

/** The organisation or collection URL (`https://dev.azure.com/fabrikam`), where the delivery names it. */
function collectionUrl(body: Record<string, unknown>): string | undefined {
  const url = text(body, 'resourceContainers', 'collection', 'baseUrl') || text(body, 'resourceContainers', 'account', 'baseUrl');
  return url ? url.replace(/\/+$/, '') : undefined;
}

/** Who caused the event: the identity's unique (login) name, else its display name. */
function identity(resource: Record<string, unknown> | undefined, field: string): string | undefined {
  return text(resource, field, 'uniqueName') || text(resource, field, 'displayName') || undefined;
}

function shortBranch(ref: string): string {
  return ref.replace(/^refs\/heads\//, '');
}

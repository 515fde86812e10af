import type { Commit, GitEvent, Repository } from '../../events/CanonicalEvent';
import { authenticatedBy, basicAuth, signature } from '../auth/authentication';
import { MalformedBodyError, UnknownEventError } from '../errors';
import { isZeroCommit, originOf, refParts, toIsoUtc } from '../gitFields';
import { integer, list, record, required, text } from '../json';
import type { EventFields, NormalisedDelivery, ProviderAdapter } from '../types';

/**
 * Bitbucket Server and Data Center. Signed with `X-Hub-Signature` (`sha256=` hex HMAC-SHA256 of the
 * body) when the webhook has a secret; a webhook with Basic authentication instead sends
 * `Authorization: Basic`, whose password must be one of the source's secrets (and its user
 * `options.username`, when set). One `repo:refs_changed` gives one event per ref it changed.
 * Pushes list no changed files. `diagnostics:ping` is the webhook's "Test connection".
 */
export const bitbucketServer: ProviderAdapter = {
  name: 'bitbucket-server',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      username: { type: 'string', minLength: 1, description: 'With Basic authentication: the user name the webhook must send.' },
      serverUrl: {
        type: 'string',
        format: 'uri',
        description: "The server's base URL, for deliveries whose body has no repository link (diagnostics:ping).",
      },
    },
  },
  requiresSecret: true,
  describes: ['git'],
  ...authenticatedBy((options) => ({
    credentials: [signature({ header: 'x-hub-signature', algorithm: 'sha256', prefix: 'sha256=' }), basicAuth(text(options, 'username'))],
    missing: 'neither the X-Hub-Signature header nor Basic credentials: set a secret or Basic authentication on the Bitbucket webhook',
  })),

  normalise(request, body, options): NormalisedDelivery {
    const event = request.headers['x-event-key'];
    if (!event) throw new UnknownEventError('the X-Event-Key header is missing');
    // Every key Bitbucket sends is `category:action`, some with a sub-category: pr:reviewer:approved.
    if (!/^[a-z_]+(:[a-z_]+)+$/.test(event)) {
      throw new UnknownEventError(`the X-Event-Key header ${JSON.stringify(event)} is not a Bitbucket event`);
    }
    return { deliveryId: request.headers['x-request-id'], events: eventsOf(event, body, options) };
  },
};

function eventsOf(event: string, body: Record<string, unknown>, options: Record<string, unknown>): EventFields[] {
  const sender = text(body, 'actor', 'name');
  const occurredAt = toIsoUtc(text(body, 'date'));
  const action = event.slice(event.indexOf(':') + 1);
  const repository = record(body, 'repository');
  if (event === 'repo:refs_changed') {
    return changesOf(body).map((change) => Object.assign(refChange(event, body, change, options), { occurredAt, sender }));
  }
  if (event.startsWith('pr:')) return [Object.assign(pullRequest(event, action, body, options), { occurredAt, sender })];
  return [
    {
      kind: event === 'diagnostics:ping' ? 'ping' : 'other',
      event,
      action: event === 'diagnostics:ping' ? undefined : action,
      occurredAt,
      sender,
      git: repository && base(repository, 'repository', options),
    },
  ];
}

function changesOf(body: Record<string, unknown>): Record<string, unknown>[] {
  const changes = list(body, 'changes');
  if (changes.length === 0) throw new MalformedBodyError('the body has no changes');
  return changes.map((change) => required(record(change), 'changes[]'));
}

/** One ref of a push; type is ADD, UPDATE or DELETE. */
function refChange(
  event: string,
  body: Record<string, unknown>,
  change: Record<string, unknown>,
  options: Record<string, unknown>,
): EventFields {
  const ref = refParts(required(text(change, 'ref', 'id') ?? text(change, 'refId'), 'changes[].ref.id'));
  const after = text(change, 'toHash');
  const deleted = text(change, 'type') === 'DELETE' || isZeroCommit(after);
  return {
    kind: deleted ? 'delete' : ref.refType === 'tag' ? 'tag' : 'push',
    event,
    git: Object.assign(base(required(record(body, 'repository'), 'repository'), 'repository', options), ref, {
      before: text(change, 'fromHash'),
      after,
      commit: deleted || after === undefined ? undefined : commitOf(body, after),
    }),
  };
}

/** Data Center 8+ adds the pushed commits (`toCommit`, `commits`); older servers send only the hash. */
function commitOf(body: Record<string, unknown>, id: string): Commit {
  const found = [record(body, 'toCommit'), ...list(body, 'commits')].find((commit) => text(commit, 'id') === id);
  if (found === undefined) return { id };
  const authored = integer(found, 'authorTimestamp');
  return {
    id,
    message: text(found, 'message'),
    author: text(found, 'author', 'name'),
    timestamp: authored === undefined ? undefined : toIsoUtc(authored),
  };
}

function pullRequest(event: string, action: string, body: Record<string, unknown>, options: Record<string, unknown>): EventFields {
  const pr = required(record(body, 'pullRequest'), 'pullRequest');
  const state = text(pr, 'state') ?? '';
  const merged = action === 'merged' || state === 'MERGED';
  const headCommit = text(pr, 'fromRef', 'latestCommit');
  const mergeCommit = merged ? text(pr, 'properties', 'mergeCommit', 'id') : undefined;
  const commitId = mergeCommit ?? headCommit;
  return {
    // Comments on a pull request do not change it (GitLab's Note Hook and GitHub's comment events are apart too).
    kind: action.startsWith('comment:') ? 'other' : 'pull_request',
    event,
    action,
    // The pull request's target repository: PR events have no top-level repository.
    git: Object.assign(base(required(record(pr, 'toRef', 'repository'), 'pullRequest.toRef.repository'), 'pullRequest.toRef.repository', options), {
      commit: commitId === undefined ? undefined : { id: commitId, message: text(pr, 'title') },
      pullRequest: {
        number: required(integer(pr, 'id'), 'pullRequest.id'),
        title: text(pr, 'title') ?? '',
        state,
        sourceBranch: required(text(pr, 'fromRef', 'displayId'), 'pullRequest.fromRef.displayId'),
        targetBranch: required(text(pr, 'toRef', 'displayId'), 'pullRequest.toRef.displayId'),
        merged,
        url: text(pr, 'links', 'self', 0, 'href'),
        headCommit,
        mergeCommit,
      },
    }),
  };
}

function base(
  repository: Record<string, unknown>,
  where: string,
  options: Record<string, unknown>,
): Pick<GitEvent, 'serverUrl' | 'repository'> {
  return { serverUrl: serverUrlOf(repository, options), repository: repositoryOf(repository, where) };
}

function repositoryOf(repository: Record<string, unknown>, where: string): Repository {
  const key = required(text(repository, 'project', 'key'), `${where}.project.key`);
  const slug = required(text(repository, 'slug'), `${where}.slug`);
  const httpClone = list(repository, 'links', 'clone').find((link) => text(link, 'name') === 'http');
  return {
    fullName: `${key}/${slug}`,
    name: slug,
    owner: key,
    url: text(repository, 'links', 'self', 0, 'href')?.replace(/\/browse$/, '') ?? '',
    cloneUrl: text(httpClone, 'href'),
  };
}

/**
 * The base URL from the repository's browse link, `<base>/projects/KEY/repos/slug/browse` (or
 * `/users/…` for a personal repository): keeps a context path such as `/bitbucket` that the origin alone would lose.
 */
function serverUrlOf(repository: Record<string, unknown>, options: Record<string, unknown>): string {
  const link = text(repository, 'links', 'self', 0, 'href');
  const origin = originOf(link);
  if (link === undefined || origin === undefined) return text(options, 'serverUrl')?.replace(/\/+$/, '') ?? '';
  const path = new URL(link).pathname;
  const repositoryPath = path.search(/\/(?:projects|users)\/[^/]+\/repos\//);
  return origin + (repositoryPath > 0 ? path.slice(0, repositoryPath) : '');
}

import type { Commit, GitEvent, Repository } from '../../events/CanonicalEvent';
import { authenticatedBy, signature } from '../auth/authentication';
import { MalformedBodyError, UnknownEventError } from '../errors';
import { ZERO_COMMIT, originOf, refParts, toIsoUtc } from '../gitFields';
import { integer, list, record, required, text } from '../json';
import { NO_OPTIONS } from '../optionsSchema';
import type { EventFields, NormalisedDelivery, ProviderAdapter } from '../types';

/**
 * Bitbucket Cloud (bitbucket.org). Signed with `X-Hub-Signature` (`sha256=` hex HMAC-SHA256 of the
 * body), sent only when the webhook has a secret. One `repo:push` can move several refs: it gives one
 * event per change. Pushes list no changed files, and pull requests carry Bitbucket's 12-character
 * short commit hashes. Pull request comments are `other`.
 */
export const bitbucketCloud: ProviderAdapter = {
  name: 'bitbucket-cloud',
  optionsSchema: NO_OPTIONS,
  requiresSecret: true,
  describes: ['git'],
  ...authenticatedBy({
    credentials: [signature({ header: 'x-hub-signature', algorithm: 'sha256', prefix: 'sha256=' })],
    missing: 'the X-Hub-Signature header is missing: set a secret on the Bitbucket webhook',
  }),

  normalise(request, body): NormalisedDelivery {
    const event = request.headers['x-event-key'];
    if (!event) throw new UnknownEventError('the X-Event-Key header is missing');
    // Every key Bitbucket sends is `category:action`, e.g. repo:push, pullrequest:fulfilled.
    if (!/^[a-z_]+:[a-z_]+$/.test(event)) {
      throw new UnknownEventError(`the X-Event-Key header ${JSON.stringify(event)} is not a Bitbucket event`);
    }
    return { deliveryId: request.headers['x-request-uuid'], events: eventsOf(event, body) };
  },
};

function eventsOf(event: string, body: Record<string, unknown>): EventFields[] {
  const sender = text(body, 'actor', 'nickname') ?? text(body, 'actor', 'username') ?? text(body, 'actor', 'display_name');
  const [category, action = ''] = event.split(':');
  if (event === 'repo:push') return changesOf(body).map((change) => refChange(event, body, change, sender));
  if (category === 'pullrequest') return [pullRequest(event, action, body, sender)];
  return [{ kind: 'other', event, action, sender, git: record(body, 'repository') ? base(body) : undefined }];
}

function changesOf(body: Record<string, unknown>): Record<string, unknown>[] {
  const changes = list(required(record(body, 'push'), 'push'), 'changes');
  if (changes.length === 0) throw new MalformedBodyError('the body has no push.changes');
  return changes.map((change) => required(record(change), 'push.changes[]'));
}

/** One ref a push moved: `new` is null when the ref was deleted, `old` null when it was created. */
function refChange(event: string, body: Record<string, unknown>, change: Record<string, unknown>, sender: string | undefined): EventFields {
  const moved = record(change, 'new');
  const previous = record(change, 'old');
  const ref = required(moved ?? previous, 'push.changes[].new');
  const name = required(text(ref, 'name'), 'push.changes[].new.name');
  const isTag = text(ref, 'type') === 'tag';
  const target = record(moved, 'target');
  const commit = target && commitOf(target);
  return {
    kind: moved === undefined ? 'delete' : isTag ? 'tag' : 'push',
    event,
    occurredAt: commit?.timestamp,
    sender,
    git: Object.assign(base(body), refParts(`refs/${isTag ? 'tags' : 'heads'}/${name}`), {
      before: text(previous, 'target', 'hash') ?? ZERO_COMMIT,
      after: commit?.id ?? ZERO_COMMIT,
      commit,
    }),
  };
}

function commitOf(target: Record<string, unknown>): Commit {
  // Since 2019 Bitbucket hides usernames behind nickname; `raw` is the Git author, `Name <email>`.
  const user = record(target, 'author', 'user');
  const raw = text(target, 'author', 'raw')?.replace(/\s*<[^>]*>\s*$/, '');
  return {
    id: required(text(target, 'hash'), 'push.changes[].new.target.hash'),
    message: text(target, 'message'),
    author: text(user, 'nickname') ?? text(user, 'username') ?? raw,
    timestamp: toIsoUtc(text(target, 'date')),
    url: text(target, 'links', 'html', 'href'),
  };
}

function pullRequest(event: string, action: string, body: Record<string, unknown>, sender: string | undefined): EventFields {
  const pr = required(record(body, 'pullrequest'), 'pullrequest');
  const state = text(pr, 'state') ?? '';
  const merged = action === 'fulfilled' || state === 'MERGED';
  const headCommit = text(pr, 'source', 'commit', 'hash');
  const mergeCommit = merged ? text(pr, 'merge_commit', 'hash') : undefined;
  const commitId = mergeCommit ?? headCommit;
  return {
    // Comments on a pull request do not change it (GitLab's Note Hook and GitHub's comment events are apart too).
    kind: action.startsWith('comment_') ? 'other' : 'pull_request',
    event,
    action,
    occurredAt: toIsoUtc(text(pr, 'updated_on')),
    sender,
    git: Object.assign(base(body), {
      commit: commitId === undefined ? undefined : { id: commitId, message: text(pr, 'title') },
      pullRequest: {
        number: required(integer(pr, 'id'), 'pullrequest.id'),
        title: text(pr, 'title') ?? '',
        state,
        sourceBranch: required(text(pr, 'source', 'branch', 'name'), 'pullrequest.source.branch.name'),
        targetBranch: required(text(pr, 'destination', 'branch', 'name'), 'pullrequest.destination.branch.name'),
        merged,
        url: text(pr, 'links', 'html', 'href'),
        headCommit,
        mergeCommit,
      },
    }),
  };
}

function base(body: Record<string, unknown>): Pick<GitEvent, 'serverUrl' | 'repository'> {
  const repository = required(record(body, 'repository'), 'repository');
  const serverUrl = originOf(text(repository, 'links', 'html', 'href')) ?? 'https://bitbucket.org';
  return { serverUrl, repository: repositoryOf(repository) };
}

/** name and owner come from full_name (`workspace/slug`): `name` is a display name that may differ from the slug. */
function repositoryOf(repository: Record<string, unknown>): Repository {
  const fullName = required(text(repository, 'full_name'), 'repository.full_name');
  const slash = fullName.indexOf('/');
  return {
    fullName,
    name: fullName.slice(slash + 1),
    owner: slash < 0 ? '' : fullName.slice(0, slash),
    url: text(repository, 'links', 'html', 'href') ?? '',
    defaultBranch: text(repository, 'mainbranch', 'name'),
  };
}

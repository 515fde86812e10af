import type { Commit, EventKind, GitEvent, Repository } from '../../events/CanonicalEvent';
import { urlTokenAuthentication } from '../auth/urlToken';
import { UnknownEventError } from '../errors';
import { isZeroCommit, originOf, refParts, toIsoUtc } from '../gitFields';
import { integer, record, required, text } from '../json';
import type { EventFields, NormalisedDelivery, ProviderAdapter } from '../types';

const tokenAuthentication = urlTokenAuthentication({ tokenHeader: 'x-relay-token', tokenQuery: 'token' });

/**
 * Gerrit Code Review, through its webhooks plugin, which POSTs each event as `gerrit stream-events`
 * prints it. The plugin signs nothing, sends no id and no headers of its own (only Content-Type),
 * so the secret travels in the remote's URL (`?token=`), or in an `X-Relay-Token` header where a
 * proxy adds one; options may rename either. A change is the pull request: patchset-created,
 * change-merged, change-abandoned and change-restored are `pull_request`; every other change event
 * (comment-added, reviewer-added, …) is `other` with the change's details, as comments are for
 * Bitbucket. ref-updated of a branch or tag is a push, a tag or a delete; of any other ref (a
 * change's patch sets and NoteDb `meta` refs, refs/meta/config) it is `other`.
 */
export const gerrit: ProviderAdapter = {
  name: 'gerrit',
  optionsSchema: {
    ...tokenAuthentication.optionsSchema,
    properties: {
      ...(tokenAuthentication.optionsSchema.properties as Record<string, unknown>),
      serverUrl: {
        type: 'string',
        format: 'uri',
        description: "The Gerrit server's base URL (its canonicalWebUrl): ref-updated events carry no link to it.",
      },
    },
  },
  requiresSecret: true,
  describes: ['git'],
  credentialPlaces: tokenAuthentication.credentialPlaces,
  authenticate: tokenAuthentication.authenticate,

  normalise(_request, body, options): NormalisedDelivery {
    const type = text(body, 'type');
    if (!type) throw new UnknownEventError('the body has no type: not a Gerrit event');
    // Every event Gerrit streams is named in lower-case words joined by hyphens. The value is not
    // quoted back: a body that is not Gerrit's may hold anything there, a credential too.
    if (!/^[a-z]+(-[a-z]+)*$/.test(type)) throw new UnknownEventError('the type is not a Gerrit event name (lower-case words joined by hyphens)');
    const event = fields(type, body, options);
    const created = integer(body, 'eventCreatedOn');
    // eventCreatedOn is in seconds since the epoch.
    return { events: [Object.assign(event, { occurredAt: created === undefined ? undefined : toIsoUtc(created * 1000), sender: senderOf(body) })] };
  },
};

const CHANGE_KINDS: ReadonlyMap<string, EventKind> = new Map([
  ['patchset-created', 'pull_request'],
  ['change-merged', 'pull_request'],
  ['change-abandoned', 'pull_request'],
  ['change-restored', 'pull_request'],
]);

/** Who caused the event, by the key each event names them with. */
const ACTORS = ['uploader', 'submitter', 'abandoner', 'restorer', 'author'];

function fields(type: string, body: Record<string, unknown>, options: Record<string, unknown>): EventFields {
  if (type === 'ref-updated') return refUpdated(type, body, options);
  const change = record(body, 'change');
  if (change) return changeEvent(type, body, change, options);
  // project-created and the like name a project at most.
  const project = text(body, 'projectName') ?? projectOf(body);
  return { kind: 'other', event: type, git: project === undefined ? undefined : base(project, serverUrlOf(options)) };
}

function refUpdated(type: string, body: Record<string, unknown>, options: Record<string, unknown>): EventFields {
  const update = required(record(body, 'refUpdate'), 'refUpdate');
  const project = required(text(update, 'project'), 'refUpdate.project');
  const name = required(text(update, 'refName'), 'refUpdate.refName');
  const git = base(project, serverUrlOf(options));
  // Old servers name a branch without refs/heads/; other refs/ are Gerrit's own (changes, meta).
  if (name.startsWith('refs/') && !name.startsWith('refs/heads/') && !name.startsWith('refs/tags/')) {
    return { kind: 'other', event: type, git: Object.assign(git, { ref: name }) };
  }
  const ref = refParts(name);
  const after = text(update, 'newRev');
  const deleted = isZeroCommit(after);
  return {
    kind: deleted ? 'delete' : ref.refType === 'tag' ? 'tag' : 'push',
    event: type,
    git: Object.assign(git, ref, { before: text(update, 'oldRev'), after, commit: deleted || after === undefined ? undefined : { id: after } }),
  };
}

function changeEvent(type: string, body: Record<string, unknown>, change: Record<string, unknown>, options: Record<string, unknown>): EventFields {
  const project = required(text(change, 'project'), 'change.project');
  const branch = required(text(change, 'branch'), 'change.branch');
  const url = text(change, 'url');
  const state = text(change, 'status') ?? '';
  const merged = type === 'change-merged' || state === 'MERGED';
  const patchSet = record(body, 'patchSet');
  const headCommit = text(patchSet, 'revision');
  // change-merged's newRev is the commit the submit put on the branch (old servers omit it): a rebase or merge makes it differ from the patch set.
  const mergeCommit = merged ? text(body, 'newRev') : undefined;
  return {
    kind: CHANGE_KINDS.get(type) ?? 'other',
    event: type,
    action: type,
    git: Object.assign(base(project, serverUrlOf(options) ?? serverUrlFromChange(url)), {
      commit: mergeCommit !== undefined ? { id: mergeCommit } : patchSetCommit(patchSet, change),
      pullRequest: {
        number: required(integer(change, 'number'), 'change.number'),
        title: text(change, 'subject') ?? '',
        state,
        // A change has no source branch: its patch sets are pushed for review onto the target.
        sourceBranch: branch,
        targetBranch: branch,
        merged,
        url,
        headCommit,
        mergeCommit,
      },
    }),
  };
}

function patchSetCommit(patchSet: Record<string, unknown> | undefined, change: Record<string, unknown>): Commit | undefined {
  const id = text(patchSet, 'revision');
  if (id === undefined) return undefined;
  const created = integer(patchSet, 'createdOn');
  return {
    id,
    message: text(change, 'commitMessage') ?? text(change, 'subject'),
    author: text(patchSet, 'author', 'username') ?? text(patchSet, 'author', 'name'),
    timestamp: created === undefined ? undefined : toIsoUtc(created * 1000),
  };
}

function senderOf(body: Record<string, unknown>): string | undefined {
  for (const actor of ACTORS) {
    const username = text(body, actor, 'username');
    if (username !== undefined) return username;
  }
  return undefined;
}

/** The webhooks plugin writes the event's project as `{"name": …}`; stream-events as the name itself. */
function projectOf(body: Record<string, unknown>): string | undefined {
  return text(body, 'project', 'name') ?? text(body, 'project');
}

function serverUrlOf(options: Record<string, unknown>): string | undefined {
  return text(options, 'serverUrl')?.replace(/\/+$/, '');
}

/**
 * The base URL from a change's URL, `<base>/c/<project>/+/<number>` (or `<base>/<number>` before
 * Gerrit 2.16): keeps a context path such as `/r` that the origin alone would lose.
 */
function serverUrlFromChange(url: string | undefined): string | undefined {
  const found = url === undefined ? undefined : /^(.+?)\/(?:c\/.+\/\+\/)?\d+\/?$/.exec(url)?.[1];
  return originOf(found) === undefined ? undefined : found;
}

/** Project names are paths (`tools/gerrit`): the last step is the name, the rest its parent. */
function base(project: string, serverUrl: string | undefined): Pick<GitEvent, 'serverUrl' | 'repository'> {
  const slash = project.lastIndexOf('/');
  const repository: Repository = {
    fullName: project,
    name: project.slice(slash + 1),
    owner: slash < 0 ? '' : project.slice(0, slash),
    url: serverUrl === undefined ? '' : `${serverUrl}/admin/repos/${project}`,
    cloneUrl: serverUrl === undefined ? undefined : `${serverUrl}/${project}`,
  };
  return { serverUrl: serverUrl ?? '', repository };
}

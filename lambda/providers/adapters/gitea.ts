import type { GitEvent, ProviderName, Repository } from '../../events/CanonicalEvent';
import { authenticatedBy, signature } from '../auth/authentication';
import { UnknownEventError } from '../errors';
import { changedFilesOf, isZeroCommit, originOf, refParts, releaseOf, toIsoUtc } from '../gitFields';
import { bool, integer, list, record, required, text } from '../json';
import { NO_OPTIONS } from '../optionsSchema';
import type { EventFields, ProviderAdapter, WebhookRequest } from '../types';

/** How one server of the Gitea family names its headers. */
export interface GiteaFlavour {
  name: ProviderName;
  /** The product, as error messages name it. */
  label: string;
  /** Header prefixes, read in this order: `X-Forgejo` before `X-Gitea` on Forgejo. */
  prefixes: readonly string[];
}

/**
 * An adapter for Gitea or a fork of it that sends Gitea's bodies (Forgejo). Signed with
 * `<prefix>-Signature` (hex HMAC-SHA256 of the raw body, no prefix), else `X-Hub-Signature-256`.
 * The event is the fine-grained `<prefix>-Event-Type` (`pull_request_sync`), else `<prefix>-Event`.
 * Beside those, every server of the family sends the same digest in `X-Gogs-Signature` and an
 * HMAC-SHA1 in `X-Hub-Signature`: unchecked, but as replayable, so redacted too.
 */
export function giteaFamilyAdapter(flavour: GiteaFlavour): ProviderAdapter {
  const headers = (suffix: string) => flavour.prefixes.map((prefix) => `${prefix}-${suffix}`);
  const eventHeaders = flavour.prefixes.flatMap((prefix) => [`${prefix}-Event-Type`, `${prefix}-Event`]);
  return {
    name: flavour.name,
    optionsSchema: NO_OPTIONS,
    requiresSecret: true,
    describes: ['git'],
    ...authenticatedBy({
      credentials: [
        ...headers('Signature').map((header) => signature({ header: header.toLowerCase(), algorithm: 'sha256' })),
        signature({ header: 'x-hub-signature-256', algorithm: 'sha256', prefix: 'sha256=' }),
      ],
      missing: `the ${headers('Signature')[0]} header is missing: set a secret on the ${flavour.label} webhook`,
      // The unchecked signatures; and old Gitea servers send the webhook's secret itself in the body.
      alsoSent: { headers: ['x-gogs-signature', 'x-hub-signature'], bodyFields: ['secret'] },
    }),

    normalise(request, body) {
      const event = firstHeader(request, eventHeaders)?.value;
      if (!event) throw new UnknownEventError(`the event header is missing: expected ${eventHeaders.join(' or ')}`);
      return { deliveryId: firstHeader(request, headers('Delivery'))?.value, events: [fields(event, body)] };
    },
  };
}

/**
 * Gitea. Signed with `X-Gitea-Signature` (hex HMAC-SHA256, no `sha256=` prefix), else
 * `X-Hub-Signature-256`. Old Gitea versions also send the webhook secret in the body's `secret`
 * field: it is never copied into the event.
 */
export const gitea: ProviderAdapter = giteaFamilyAdapter({ name: 'gitea', label: 'Gitea', prefixes: ['X-Gitea'] });

/** The first of `names` the delivery carries with a value; `header` in lower case, as requests hold it. */
function firstHeader(request: WebhookRequest, names: readonly string[]): { header: string; value: string } | undefined {
  for (const name of names) {
    const header = name.toLowerCase();
    const value = request.headers[header];
    if (value) return { header, value };
  }
  return undefined;
}

function fields(event: string, body: Record<string, unknown>): EventFields {
  const sender = senderOf(body);
  switch (event) {
    case 'push':
      return push(event, body, sender);
    case 'create':
    case 'delete':
      return refChange(event, body, sender);
    // Gitea's own grouping: these types all carry a pull request body and share X-Gitea-Event `pull_request`.
    case 'pull_request':
    case 'pull_request_sync':
    case 'pull_request_assign':
    case 'pull_request_label':
    case 'pull_request_milestone':
    case 'pull_request_review_request':
      return pullRequest(event, body, sender);
    case 'release':
      return release(event, body, sender);
    default:
      return { kind: 'other', event, action: text(body, 'action'), sender, git: optionalGit(body) };
  }
}

function push(event: string, body: Record<string, unknown>, sender: string | undefined): EventFields {
  const ref = refParts(required(text(body, 'ref'), 'ref'));
  const after = text(body, 'after');
  const commits = list(body, 'commits');
  // The docs' example has no head_commit: the pushed head is then the commit whose id is `after`.
  const head = record(body, 'head_commit') ?? record(commits.find((commit) => text(commit, 'id') === after));
  const git: GitEvent = Object.assign(base(body), ref, {
    before: text(body, 'before'),
    after,
    commit: head && {
      id: required(text(head, 'id'), 'head_commit.id'),
      message: text(head, 'message'),
      // Gitea sends an empty username for authors without an account.
      author: text(head, 'author', 'username') || text(head, 'author', 'name'),
      timestamp: toIsoUtc(text(head, 'timestamp')),
      url: text(head, 'url'),
    },
    changedFiles: changedFilesOf(commits),
  });
  return {
    kind: isZeroCommit(after) ? 'delete' : ref.refType === 'tag' ? 'tag' : 'push',
    event,
    occurredAt: git.commit?.timestamp,
    sender,
    git,
  };
}

function refChange(event: 'create' | 'delete', body: Record<string, unknown>, sender: string | undefined): EventFields {
  const refType = required(text(body, 'ref_type'), 'ref_type') === 'tag' ? 'tag' : 'branch';
  const name = required(text(body, 'ref'), 'ref');
  // Gitea sends the short name; a full ref is taken as it is.
  const ref = name.startsWith('refs/') ? name : `refs/${refType === 'tag' ? 'tags' : 'heads'}/${name}`;
  return { kind: event, event, sender, git: Object.assign(base(body), refParts(ref), { after: text(body, 'sha') }) };
}

function pullRequest(event: string, body: Record<string, unknown>, sender: string | undefined): EventFields {
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
    git: Object.assign(base(body), {
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
function release(event: string, body: Record<string, unknown>, sender: string | undefined): EventFields {
  const { occurredAt, git } = releaseOf(body);
  return { kind: 'release', event, action: text(body, 'action'), occurredAt, sender, git: Object.assign(base(body), git) };
}

function senderOf(body: Record<string, unknown>): string | undefined {
  return (
    text(body, 'sender', 'login') ||
    text(body, 'sender', 'username') ||
    text(body, 'pusher', 'login') ||
    text(body, 'pusher', 'username') ||
    undefined
  );
}

function base(body: Record<string, unknown>): Pick<GitEvent, 'serverUrl' | 'repository'> {
  const repository = repositoryOf(required(record(body, 'repository'), 'repository'));
  return { serverUrl: serverUrl(repository), repository };
}

function optionalGit(body: Record<string, unknown>): GitEvent | undefined {
  return text(body, 'repository', 'full_name') ? base(body) : undefined;
}

function repositoryOf(repository: Record<string, unknown>): Repository {
  const fullName = required(text(repository, 'full_name'), 'repository.full_name');
  return {
    fullName,
    name: text(repository, 'name') ?? fullName.split('/').pop() ?? fullName,
    owner: text(repository, 'owner', 'login') || text(repository, 'owner', 'username') || (fullName.split('/')[0] ?? ''),
    url: text(repository, 'html_url') ?? '',
    cloneUrl: text(repository, 'clone_url'),
    defaultBranch: text(repository, 'default_branch'),
  };
}

/** Gitea often runs under a path (`https://example.com/git/`): the URL before `/owner/name`, else the origin. */
function serverUrl(repository: Repository): string {
  const suffix = `/${repository.fullName}`;
  if (repository.url.endsWith(suffix)) return repository.url.slice(0, -suffix.length);
  return originOf(repository.url) ?? '';
}

import type { CanonicalEvent } from './CanonicalEvent';

// Each provider has its own verbs for the same pull-request actions; a sentence uses one set.
const PULL_REQUEST_VERBS: Record<string, string> = {
  open: 'opened',
  opened: 'opened',
  created: 'opened',
  reopen: 'reopened',
  reopened: 'reopened',
  update: 'updated',
  updated: 'updated',
  modified: 'updated',
  edited: 'updated',
  synchronize: 'updated',
  synchronized: 'updated',
  from_ref_updated: 'updated',
  close: 'closed',
  closed: 'closed',
  declined: 'declined',
  rejected: 'declined',
  merge: 'merged',
  merged: 'merged',
  fulfilled: 'merged',
};

// The same for release actions: GitLab's `create`, GitHub's `released` and `prereleased`, …
const RELEASE_VERBS: Record<string, string> = {
  create: 'created',
  created: 'created',
  update: 'updated',
  updated: 'updated',
  edited: 'updated',
  published: 'published',
  released: 'published',
  prereleased: 'published',
  delete: 'deleted',
  deleted: 'deleted',
};

/** One short human sentence for an event, e.g. `push to main by alice` (GIT_EVENT_DESCRIPTION, log lines). */
export function describeEvent(event: CanonicalEvent): string {
  const by = event.sender ? ` by ${event.sender}` : '';
  const { git, artifact } = event;
  switch (event.kind) {
    case 'push':
      return `push to ${git?.branch ?? git?.ref ?? 'a branch'}${by}`;
    case 'tag':
      return `tag ${git?.tag ?? git?.ref ?? ''} pushed${by}`;
    case 'create':
    case 'delete':
      return `${git?.refType ?? 'ref'} ${git?.tag ?? git?.branch ?? ''} ${event.kind === 'create' ? 'created' : 'deleted'}${by}`;
    case 'pull_request': {
      const pr = git?.pullRequest;
      return `pull request #${pr?.number ?? '?'} ${pullRequestVerb(event.action, pr?.merged === true)}${by}`;
    }
    case 'pipeline':
      return `pipeline ${git?.pipeline?.status ?? event.action ?? 'event'} on ${git?.branch ?? git?.tag ?? git?.repository.fullName ?? ''}`;
    case 'release': {
      const verb = RELEASE_VERBS[event.action ?? 'published'] ?? event.action ?? 'published';
      return `release ${git?.tag ?? git?.ref ?? ''} ${verb}${by}`;
    }
    case 'artifact_push':
    case 'artifact_delete':
    case 'artifact_scan': {
      const verb = { artifact_push: 'pushed', artifact_delete: 'deleted', artifact_scan: 'scanned' }[event.kind];
      const reference = artifact?.tag ? `:${artifact.tag}` : artifact?.digest ? `@${artifact.digest}` : '';
      return `${artifact?.image ?? 'artifact'}${reference} ${verb}${by}`;
    }
    case 'ping':
      return `webhook test from ${event.provider}`;
    default:
      return `${event.event} from ${event.provider}${by}`;
  }
}

function pullRequestVerb(action: string | undefined, merged: boolean): string {
  if (merged) return 'merged';
  const verb = PULL_REQUEST_VERBS[action ?? 'updated'] ?? action ?? 'updated';
  // Azure DevOps reports merge attempts (trial merges, conflicts) that have not landed.
  return verb === 'merged' ? 'merge attempted' : verb;
}

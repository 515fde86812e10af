import type { CommitStatus } from './CommitStatus';

/**
 * The description of a status whose provider has no canceled state (GitHub, Gitea, Forgejo: it is
 * posted as `error`): the developer must still read that the execution was canceled, not that it broke.
 */
export function canceledDescription(status: CommitStatus): string {
  if (status.state !== 'canceled' || /cancel/i.test(status.description)) return status.description;
  return status.description ? `Canceled: ${status.description}` : 'Canceled';
}

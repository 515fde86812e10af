import type { CanonicalEvent } from '../events/CanonicalEvent';
import { describeEvent } from '../events/describeEvent';

/** The most a summary keeps: a commit message or a branch name is the sender's to choose. */
const SUMMARY_CHARACTERS = 200;

/**
 * One line about a delivery for lists: its first event's repository (or image) and what happened,
 * e.g. `acme/app: push to main by alice (1a2b3c4)`; `+2 more` when it has several events.
 */
export function summarizeDelivery(events: readonly CanonicalEvent[]): string | undefined {
  const [first] = events;
  if (first === undefined) return undefined;
  const where = first.git?.repository.fullName ?? (first.artifact ? `${first.artifact.registry}/${first.artifact.repository}` : undefined);
  const commit = first.git?.commit?.id ? ` (${first.git.commit.id.slice(0, 7)})` : '';
  const more = events.length > 1 ? ` +${events.length - 1} more` : '';
  const line = `${where ? `${where}: ` : ''}${describeEvent(first)}${commit}${more}`;
  return line.length > SUMMARY_CHARACTERS ? `${line.slice(0, SUMMARY_CHARACTERS - 1)}…` : line;
}

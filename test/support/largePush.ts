import { createHash } from 'node:crypto';
import { fixtureJson } from './webhookFixtures';

/**
 * GitHub's push fixture grown to at least `bytes`, for the delivery `deliveryId`: its one real commit repeated as a push of many
 * commits would list them (each with its own id, message and files), as a merge of a long-lived
 * branch does. GitHub lists up to 2,048 commits in a push; a large one is this shape.
 */
export function largePush(bytes: number, deliveryId: string): Buffer {
  const push = fixtureJson('github/push.branch-created') as { commits: Record<string, unknown>[] };
  const [commit] = push.commits;
  const commits: Record<string, unknown>[] = [];
  let size = JSON.stringify(push).length;
  for (let index = 0; size < bytes; index += 1) {
    const id = createHash('sha1').update(`commit ${index}`).digest('hex');
    const files = Array.from({ length: 8 }, (_unused, file) => `src/module-${index % 97}/file-${file}.ts`);
    const grown = { ...commit, id, tree_id: id, message: `Change ${index}: ${'a line of the commit message. '.repeat(8)}`, modified: files };
    commits.push(grown);
    size += JSON.stringify(grown).length + 1;
  }
  // Each delivery a body of its own: the same body under a new id would be a replay.
  return Buffer.from(JSON.stringify({ ...push, commits, test_delivery: deliveryId }));
}

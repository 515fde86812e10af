import type { ChangedFiles, GitEvent } from '../events/CanonicalEvent';
import { strings } from './json';

/** A Git object id of zeros: the "before" of a created ref, the "after" of a deleted one. */
export const ZERO_COMMIT = '0000000000000000000000000000000000000000';

/** The host (and port) of a URL, when it has one. */
export function hostOf(url: string | undefined): string | undefined {
  const origin = originOf(url);
  return origin === undefined ? undefined : new URL(origin).host;
}

/** Splits a full ref into its type and short name; a bare name is taken as a branch. */
export function refParts(ref: string): Pick<GitEvent, 'ref' | 'refType' | 'branch' | 'tag'> {
  if (ref.startsWith('refs/tags/')) return { ref, refType: 'tag', tag: ref.slice('refs/tags/'.length) };
  if (ref.startsWith('refs/heads/')) return { ref, refType: 'branch', branch: ref.slice('refs/heads/'.length) };
  return { ref: `refs/heads/${ref}`, refType: 'branch', branch: ref };
}

export function isZeroCommit(id: string | undefined): boolean {
  return id !== undefined && /^0+$/.test(id);
}

/** A timestamp in any form Date can read (with an offset, or epoch ms), as ISO 8601 UTC. */
export function toIsoUtc(value: string | number | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const at = new Date(typeof value === 'number' ? value : Date.parse(value));
  // Outside Date's range (±8.64e15 ms) a time is no time: the caller falls back to the receipt time.
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** The scheme, host and port of a URL: the server's base URL. */
export function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const { origin } = new URL(url);
    // Schemes without an origin (file:, data:, foo://) give the string "null".
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * The paths added, modified and removed across a push's commits, each once, in first-seen order,
 * from commits shaped `{added: [], modified: [], removed: []}` (GitHub, GitLab, Gitea).
 */
export function changedFilesOf(commits: unknown[]): ChangedFiles | undefined {
  const files: ChangedFiles = { added: [], modified: [], removed: [] };
  let any = false;
  for (const commit of commits) {
    for (const change of ['added', 'modified', 'removed'] as const) {
      for (const path of strings(commit, change)) {
        any = true;
        if (!files[change].includes(path)) files[change].push(path);
      }
    }
  }
  return any ? files : undefined;
}

import type { ChangedFiles, GitEvent } from '../events/CanonicalEvent';
import { bool, record, required, strings, text } from './json';

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
  const time = typeof value === 'number' ? new Date(value).getTime() : Date.parse(value);
  // Outside Date's range (±8.64e15 ms) a time is no time: the caller falls back to the receipt time.
  return Number.isNaN(time) ? undefined : isoUtc(time);
}

const DAY_MS = 86_400_000;

/**
 * A time within Date's range, in ms since the epoch, exactly as Date#toISOString writes it. For
 * the years 0 to 9999 it is computed from the number (the civil calendar from a day count, after
 * Howard Hinnant's days_from_civil): V8's toISOString costs more than parsing a small delivery.
 * Other years keep toISOString's extended form.
 */
export function isoUtc(time: number): string {
  const days = Math.floor(time / DAY_MS);
  const era = Math.floor((days + 719_468) / 146_097);
  const dayOfEra = days + 719_468 - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1_460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  // Months count from March, so that a leap day ends the year.
  const fromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const month = fromMarch < 10 ? fromMarch + 3 : fromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9_999) return new Date(time).toISOString();
  const day = dayOfYear - Math.floor((153 * fromMarch + 2) / 5) + 1;
  const ms = time - days * DAY_MS;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(Math.floor(ms / 3_600_000), 2)}:${pad(Math.floor(ms / 60_000) % 60, 2)}:${pad(Math.floor(ms / 1_000) % 60, 2)}.${pad(ms % 1_000, 3)}Z`;
}

function pad(value: number, digits: number): string {
  return String(value).padStart(digits, '0');
}

/** The scheme, host and port of a URL: the server's base URL. */
export function originOf(url: string | undefined): string | undefined {
  // Asked first: a URL constructor's TypeError costs more than a whole delivery's normalising.
  if (!url || !URL.canParse(url)) return undefined;
  const { origin } = new URL(url);
  // Schemes without an origin (file:, data:, foo://) give the string "null".
  return origin === 'null' ? undefined : origin;
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

/**
 * The release of a `release` event as GitHub sends it, and Gitea and Forgejo after it: its tag,
 * and `target_commitish`, the branch it was cut from or a commit id (40 hex digits; 64 for a
 * SHA-256 repository). Also when it happened, the release's time.
 */
export function releaseOf(body: Record<string, unknown>): { occurredAt: string | undefined; git: Pick<GitEvent, 'ref' | 'refType' | 'branch' | 'tag' | 'commit' | 'release'> } {
  const release = required(record(body, 'release'), 'release');
  const tag = required(text(release, 'tag_name'), 'release.tag_name');
  const target = text(release, 'target_commitish') || undefined;
  const targetIsCommit = target !== undefined && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(target);
  return {
    occurredAt: toIsoUtc(text(release, 'published_at') ?? text(release, 'created_at')),
    git: Object.assign(refParts(`refs/tags/${tag}`), {
      branch: targetIsCommit ? undefined : target,
      commit: targetIsCommit ? { id: target } : undefined,
      release: { name: text(release, 'name') || undefined, url: text(release, 'html_url'), prerelease: bool(release, 'prerelease'), draft: bool(release, 'draft') },
    }),
  };
}

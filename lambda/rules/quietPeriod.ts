import type { CanonicalEvent } from '../events/CanonicalEvent';
import type { ConditionIssue } from './conditions';
import type { Delivery } from './Delivery';
import type { QuietPeriodDefinition } from './RuleDefinition';

/**
 * A rule's quiet period, compiled: how long its windows wait, and the key that makes events one
 * window. The relay keeps the windows (relay/QuietWindowStore.ts); this says only what they are.
 */
export interface QuietPeriod {
  ms: number;
  /** `5 min`, `30 s`: for people. */
  text: string;
  /** The key of this delivery's window. @throws MissingFieldError when a key template needs a field the delivery lacks. */
  key(delivery: Delivery): string[];
}

/** The longest quiet period: a day, as the schema says. */
export const MAX_QUIET_PERIOD_MS = 86_400_000;

/** What the schema does not say clearly of a quiet period: that it gives minutes or seconds, not both. */
export function quietPeriodIssues(definition: QuietPeriodDefinition): ConditionIssue[] {
  if (definition.minutes === undefined || definition.seconds === undefined) return [];
  return [{ path: ['quietPeriod'], message: 'give the quiet period in minutes or in seconds, not both' }];
}

/** @param key the rendered key templates, where the rule gives them; else the default key. */
export function compileQuietPeriod(definition: QuietPeriodDefinition, key?: (delivery: Delivery) => string[]): QuietPeriod {
  const text = definition.minutes !== undefined ? `${definition.minutes} min` : `${definition.seconds ?? 0} s`;
  const ms = definition.minutes !== undefined ? definition.minutes * 60_000 : (definition.seconds ?? 0) * 1000;
  return { ms, text, key: key ?? (({ event }) => defaultQuietKey(event)) };
}

/**
 * The source, the repository (a registry's image) and what was pushed: `branch:<name>`,
 * `tag:<name>`, `pull-request:<number>` (the number, not the source branch: two forks' pull
 * requests from branches of one name stay apart, and each pull request keeps its own window), or a
 * registry's `tag:<tag>`; empty where the event has none. The prefixes keep a branch and a tag of
 * one name apart.
 */
export function defaultQuietKey(event: CanonicalEvent): string[] {
  const { git, artifact } = event;
  if (artifact) return [event.source, artifact.image, artifact.tag === undefined ? '' : `tag:${artifact.tag}`];
  if (!git) return [event.source, '', ''];
  const pushed = git.pullRequest
    ? `pull-request:${git.pullRequest.number}`
    : git.tag !== undefined
      ? `tag:${git.tag}`
      : git.branch !== undefined
        ? `branch:${git.branch}`
        : '';
  return [event.source, git.repository.fullName, pushed];
}

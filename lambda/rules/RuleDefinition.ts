import type { EventKind } from '../events/CanonicalEvent';

/** One rule of the config: when it applies, and which pipeline it starts with what. */
export interface RuleDefinition {
  name: string;
  description?: string;
  when?: RuleConditions;
  pipeline: { id: string } | { project: string; name: string };
  /** Added to (or overriding) the native-trigger inputs; values are templates. */
  input?: Record<string, string>;
  /** Whether the GIT_* / DOCKER_* inputs of Code Stream's native triggers are sent. @default true */
  nativeInput?: boolean;
  comments?: string;
  tags?: string[];
  source?: string;
  /** Wait this long after an event, then run only the newest event per key (rules/quietPeriod.ts). */
  quietPeriod?: QuietPeriodDefinition;
  /** Post the execution's state to the commit on the source's Git server (lambda/status). */
  report?: boolean | { context?: string };
}

/**
 * Code Stream's trigger delay, Jenkins's quiet period: a match waits, and of the events that
 * arrive meanwhile with the same key only the newest runs. Exactly one of `minutes` and `seconds`.
 */
export interface QuietPeriodDefinition {
  minutes?: number;
  seconds?: number;
  /** Templates whose values make the key. @default the source, the repository (or image) and the branch (or tag, or pull request) */
  key?: string[];
}

/** Every condition given must hold; a list holds when the value matches one of its patterns. */
export interface RuleConditions {
  sources?: string[];
  events?: EventKind[];
  repositories?: string[];
  branches?: string[];
  tags?: string[];
  actions?: string[];
  targetBranches?: string[];
  paths?: PathConditions;
  registries?: string[];
  namespaces?: string[];
  images?: string[];
  imageTags?: string[];
  expression?: string;
}

export interface PathConditions {
  include?: string[];
  exclude?: string[];
  /** Which list wins when a push touches files of both, as Code Stream's prioritizeExclusion. @default 'exclude' */
  prefer?: 'exclude' | 'include';
}

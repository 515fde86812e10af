import type { ChangedFiles } from '../events/CanonicalEvent';
import type { Delivery } from './Delivery';
import { type Expression, compileExpression } from './expressions';
import { lengthReason } from './linearRegex';
import { type PatternList, compilePatterns } from './patterns';
import type { PathConditions, RuleConditions } from './RuleDefinition';

/** One condition of a rule: passes (undefined) or says why not. */
export interface Condition {
  /** Where it is in the rule, e.g. `when.branches`. */
  field: string;
  test(delivery: Delivery): string | undefined;
  /** The values the condition needs exactly, when it is a plain list of literals: what rules are indexed by. */
  literals?: readonly string[];
}

/** The problems found compiling a rule's `when`, each with the field it is in. */
export interface ConditionIssue {
  path: (string | number)[];
  message: string;
  /** Where in the field's text (a template or an expression) the problem is, when it is at one place. */
  offset?: number;
}

/** The issue of a field whose text did not compile: the error's message, and its offset if it has one. */
export function issueOf(path: (string | number)[], error: unknown): ConditionIssue {
  const { message, offset } = error as { message: string; offset?: number };
  return offset === undefined ? { path, message } : { path, message, offset };
}

type Read = (delivery: Delivery) => string | undefined;

/** The order conditions are checked in: the cheapest and most selective first. */
const PATTERN_FIELDS: [keyof RuleConditions, Read, string][] = [
  ['repositories', ({ event }) => event.git?.repository.fullName, 'repository'],
  ['registries', ({ event }) => event.artifact?.registry, 'registry'],
  ['namespaces', ({ event }) => event.artifact?.namespace, 'namespace'],
  ['images', ({ event }) => event.artifact?.image, 'image'],
  ['branches', ({ event }) => event.git?.branch, 'branch'],
  ['tags', ({ event }) => event.git?.tag, 'tag'],
  ['imageTags', ({ event }) => event.artifact?.tag, 'image tag'],
  ['actions', ({ event }) => event.action, 'action'],
  ['targetBranches', ({ event }) => event.git?.pullRequest?.targetBranch, 'pull request target branch'],
];

/**
 * Compiles a rule's `when` into conditions, in the order they are checked.
 * @returns the conditions, or the issues that stop them compiling.
 */
export function compileConditions(when: RuleConditions = {}): { conditions: Condition[]; issues: ConditionIssue[] } {
  const conditions: Condition[] = [];
  const issues: ConditionIssue[] = [];
  if (when.sources) conditions.push(new Membership('when.sources', 'source', when.sources, ({ event }) => event.source));
  if (when.events) conditions.push(new Membership('when.events', 'event kind', when.events, ({ event }) => event.kind));
  for (const [field, read, noun] of PATTERN_FIELDS) {
    const patterns = when[field] as string[] | undefined;
    if (!patterns) continue;
    const compiled = patternsOrIssue(patterns, ['when', field], issues);
    if (compiled) conditions.push(new PatternCondition(`when.${field}`, noun, compiled, read));
  }
  if (when.paths) {
    const condition = pathCondition(when.paths, issues);
    if (condition) conditions.push(condition);
  }
  if (when.expression !== undefined) {
    try {
      conditions.push(expressionCondition(compileExpression(when.expression)));
    } catch (error) {
      issues.push(issueOf(['when', 'expression'], error));
    }
  }
  return { conditions, issues };
}

/*
 * The conditions every rule has are classes rather than closures: a config of 10,000 rules makes
 * tens of thousands of them, and an instance costs less to make than a closure.
 */

/** A value among a few literals (sources, event kinds): a list is as quick as a Set for so few, and cheaper to make. */
class Membership implements Condition {
  constructor(
    readonly field: string,
    private readonly noun: string,
    readonly literals: readonly string[],
    private readonly read: Read,
  ) {}

  test(delivery: Delivery): string | undefined {
    const value = this.read(delivery) ?? '';
    return this.literals.includes(value) ? undefined : `${this.noun} "${value}" is not one of ${this.literals.join(', ')}`;
  }
}

class PatternCondition implements Condition {
  readonly literals: readonly string[] | undefined;

  constructor(
    readonly field: string,
    private readonly noun: string,
    private readonly patterns: PatternList,
    private readonly read: Read,
  ) {
    this.literals = patterns.literals;
  }

  test(delivery: Delivery): string | undefined {
    const value = this.read(delivery);
    if (value === undefined) return `the event has no ${this.noun}`;
    if (this.patterns.tooLong(value)) return lengthReason(this.noun, value.length);
    return this.patterns.test(value) ? undefined : `${this.noun} "${value}" does not match ${this.patterns.text}`;
  }
}

function patternsOrIssue(patterns: string[], path: (string | number)[], issues: ConditionIssue[], basename = false): PatternList | undefined {
  try {
    return compilePatterns(patterns, { basename });
  } catch (error) {
    const index = (error as { index?: number }).index;
    issues.push({ path: index === undefined ? path : [...path, index], message: (error as Error).message });
    return undefined;
  }
}

/**
 * Code Stream's file filter, at the level of the whole push: with `prefer: exclude` (its
 * prioritizeExclusion) any excluded file stops the rule; with `prefer: include` any included file
 * starts it, even one that is also excluded. Otherwise a push whose files are all excluded does not count.
 */
function pathCondition(paths: PathConditions, issues: ConditionIssue[]): Condition | undefined {
  const include = paths.include && patternsOrIssue(paths.include, ['when', 'paths', 'include'], issues, true);
  const exclude = paths.exclude && patternsOrIssue(paths.exclude, ['when', 'paths', 'exclude'], issues, true);
  if ((paths.include && !include) || (paths.exclude && !exclude)) return undefined;
  const preferInclude = paths.prefer === 'include';
  return {
    field: 'when.paths',
    test: ({ event }) => {
      const files = changedFiles(event.git?.changedFiles);
      if (files === undefined) return 'the event lists no changed files (its provider does not send them)';
      if (files.length === 0) return 'the event changed no files';
      const long = files.find((file) => include?.tooLong(file) || exclude?.tooLong(file));
      if (long !== undefined) return lengthReason('a changed file', long.length);
      const included = include ? files.find((file) => include.test(file)) : undefined;
      const excluded = exclude ? files.find((file) => exclude.test(file)) : undefined;
      if (preferInclude && included !== undefined) return undefined;
      if (!preferInclude && excluded !== undefined) return `changed file "${excluded}" is excluded (${exclude?.text})`;
      if (include && included === undefined) return `no changed file matches ${include.text}`;
      if (exclude && files.every((file) => exclude.test(file))) return `every changed file is excluded (${exclude.text})`;
      return undefined;
    },
  };
}

function changedFiles(files: ChangedFiles | undefined): string[] | undefined {
  return files && [...files.added, ...files.modified, ...files.removed];
}

function expressionCondition(expression: Expression): Condition {
  return {
    field: 'when.expression',
    test: (delivery) => {
      const result = expression(delivery);
      return result.passed ? undefined : result.reason;
    },
  };
}

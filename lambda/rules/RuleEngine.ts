import type { ExecutionRequest, PipelineRef } from '../codestream/types';
import type { RuleDefinition } from './RuleDefinition';
import { type CompiledRule, compileRule, firstFailure, requestOrError } from './compileRule';
import type { Condition } from './conditions';
import type { Delivery } from './Delivery';
import type { QuietPeriod } from './quietPeriod';
import { MissingFieldError } from './templates';

/**
 * A rule the delivery matched: its pipeline and request, or why the request could not be built;
 * and the rule's quiet period, where it has one.
 */
export type Match = { rule: string; pipeline: PipelineRef; quietPeriod?: QuietPeriod; report?: { context: string } } & ({ request: ExecutionRequest } | { error: string });

/** What a rule made of a delivery, for `relay test` and "why didn't it fire?". */
export interface Decision {
  rule: string;
  matched: boolean;
  /** For a miss, the first condition that failed; for a match whose request failed, why; else null. */
  reason: string | null;
  pipeline: PipelineRef | null;
  request: ExecutionRequest | null;
}

/**
 * A rule as the index files it, with the conditions left to check: its place in the index
 * already proves its sources and event kinds, and the repositories or images it is filed under.
 */
interface Candidate {
  rule: CompiledRule;
  conditions: readonly Condition[];
}

interface Bucket {
  byRepository: Map<string, Candidate[]>;
  byImage: Map<string, Candidate[]>;
  rest: Candidate[];
}

const ANY = '*';

/**
 * Matches deliveries against compiled rules. Rules are indexed by source, event kind and exact
 * repository or image, so a delivery is checked only against the rules that could match it:
 * 10,000 rules for 10,000 repositories cost about what 10 do. Rules with repository globs are
 * checked in turn within their source and kind.
 */
export class RuleEngine {
  readonly #rules: readonly CompiledRule[];
  /** Made at the first lookup by name: only deferred deliveries need it. */
  #byName?: Map<string, CompiledRule>;
  readonly #buckets = new Map<string, Bucket>();
  /** By source, then kind: two lookups of strings the event has, rather than a key to build each delivery. */
  readonly #resolved = new Map<string, Map<string, Bucket>>();

  /**
   * Compiles the rules of a config that was checked already (the bundled config, checked at synth).
   * @throws Error naming the first rule that does not compile: the config was not checked after all.
   */
  static fromDefinitions(definitions: readonly RuleDefinition[]): RuleEngine {
    return new RuleEngine(
      definitions.map((definition, index) => {
        const { rule, issues } = compileRule(definition, index);
        if (!rule) throw new Error(`rule "${definition.name}" does not compile (${issues.map((issue) => issue.message).join('; ')}): check the config with relay validate`);
        return rule;
      }),
    );
  }

  constructor(rules: readonly CompiledRule[]) {
    this.#rules = rules;
    for (const rule of rules) {
      const sources = literalsOf(rule, 'when.sources') ?? [ANY];
      const kinds = literalsOf(rule, 'when.events') ?? [ANY];
      const filed = fileOf(rule);
      for (const source of sources) for (const kind of kinds) add(this.#bucket(key(source, kind)), filed);
    }
  }

  get size(): number {
    return this.#rules.length;
  }

  /** The rule of this name, if the config still has it. */
  rule(name: string): CompiledRule | undefined {
    this.#byName ??= new Map(this.#rules.map((rule) => [rule.name, rule]));
    return this.#byName.get(name);
  }

  /** The rules the delivery matches, in config order, each with the request to send. */
  match(delivery: Delivery): Match[] {
    const { event } = delivery;
    const bucket = this.#resolve(event.source, event.kind);
    const byRepository = event.git && bucket.byRepository.get(event.git.repository.fullName);
    const byImage = event.artifact && bucket.byImage.get(event.artifact.image);
    const named = byRepository && byImage ? mergeTwo(byRepository, byImage) : (byRepository ?? byImage ?? []);
    const { rest } = bucket;
    const matches: Match[] = [];
    // This runs on every delivery: the rules to check in turn and those the index named are each
    // in config order, and are walked side by side rather than merged into a new list.
    let next = 0;
    let nextNamed = 0;
    while (next < rest.length || nextNamed < named.length) {
      const a = rest[next];
      const b = named[nextNamed];
      let candidate: Candidate;
      if (b === undefined || (a !== undefined && a.rule.index < b.rule.index)) {
        candidate = a as Candidate;
        next += 1;
      } else {
        candidate = b;
        nextNamed += 1;
      }
      if (passes(candidate, delivery)) matches.push(matchOf(candidate.rule, delivery));
    }
    return matches;
  }

  /** Every rule's decision (or the first `limit`), in config order: checks each rule in turn, without the index. */
  explain(delivery: Delivery, limit = Infinity): Decision[] {
    return this.#rules.slice(0, limit).map((rule) => {
      const failure = firstFailure(rule, delivery);
      if (failure !== undefined) return { rule: rule.name, matched: false, reason: failure, pipeline: null, request: null };
      const built = requestOrError(rule, delivery);
      return 'request' in built
        ? { rule: rule.name, matched: true, reason: null, pipeline: rule.pipeline, request: built.request }
        : { rule: rule.name, matched: true, reason: built.error, pipeline: rule.pipeline, request: null };
    });
  }

  #bucket(name: string): Bucket {
    let bucket = this.#buckets.get(name);
    if (!bucket) {
      bucket = { byRepository: new Map(), byImage: new Map(), rest: [] };
      this.#buckets.set(name, bucket);
    }
    return bucket;
  }

  /** The rules that name this source and kind, or leave either open: merged once per pair, then reused. */
  #resolve(source: string, kind: string): Bucket {
    let kinds = this.#resolved.get(source);
    if (!kinds) {
      kinds = new Map();
      this.#resolved.set(source, kinds);
    }
    let resolved = kinds.get(kind);
    if (!resolved) {
      const parts = [key(source, kind), key(source, ANY), key(ANY, kind), key(ANY, ANY)]
        .filter((part, position, all) => all.indexOf(part) === position)
        .map((part) => this.#buckets.get(part))
        .filter((bucket): bucket is Bucket => bucket !== undefined);
      resolved = {
        byRepository: mergeMaps(parts.map((part) => part.byRepository)),
        byImage: mergeMaps(parts.map((part) => part.byImage)),
        rest: ordered(parts.map((part) => part.rest)),
      };
      kinds.set(kind, resolved);
    }
    return resolved;
  }
}

/** Whether the delivery meets every condition the index left: the reasons are for explain. */
function passes({ conditions }: Candidate, delivery: Delivery): boolean {
  for (const condition of conditions) if (condition.test(delivery) !== undefined) return false;
  return true;
}

/** What requestOrError says, as a match, without the object in between: this runs for every match. */
function matchOf(rule: CompiledRule, delivery: Delivery): Match {
  try {
    return { rule: rule.name, pipeline: rule.pipeline, quietPeriod: rule.quietPeriod, report: rule.report, request: rule.buildRequest(delivery) };
  } catch (error) {
    if (error instanceof MissingFieldError) return { rule: rule.name, pipeline: rule.pipeline, quietPeriod: rule.quietPeriod, report: rule.report, error: error.message };
    throw error;
  }
}

function key(source: string, kind: string): string {
  return `${source}\u0000${kind}`;
}

function literalsOf(rule: CompiledRule, field: string): readonly string[] | undefined {
  return rule.conditions.find((condition) => condition.field === field)?.literals;
}

/** Where a rule is filed in a bucket, and what is left to check there. */
interface Filed {
  /** The repositories or images it is filed under; none: it is checked in turn. */
  names: readonly string[];
  byImage: boolean;
  candidate: Candidate;
}

/**
 * A rule is filed under the exact repositories or images it names, else with the rules to check
 * in turn, without the conditions that filing proves: the bucket's source and kind are among the
 * rule's, and a rule filed under a name is only found for a delivery of that name.
 */
function fileOf(rule: CompiledRule): Filed {
  const repositories = literalsOf(rule, 'when.repositories');
  const images = repositories ? undefined : literalsOf(rule, 'when.images');
  const named = repositories ? 'when.repositories' : images ? 'when.images' : undefined;
  const conditions = rule.conditions.filter(({ field }) => field !== 'when.sources' && field !== 'when.events' && field !== named);
  return { names: repositories ?? images ?? [], byImage: images !== undefined, candidate: { rule, conditions } };
}

function add(bucket: Bucket, { names, byImage, candidate }: Filed): void {
  if (names.length === 0) {
    bucket.rest.push(candidate);
    return;
  }
  const index = byImage ? bucket.byImage : bucket.byRepository;
  for (const name of names) {
    const candidates = index.get(name);
    if (candidates) candidates.push(candidate);
    else index.set(name, [candidate]);
  }
}

function mergeMaps(maps: Map<string, Candidate[]>[]): Map<string, Candidate[]> {
  if (maps.length === 1 && maps[0]) return maps[0];
  const merged = new Map<string, Candidate[][]>();
  for (const map of maps) {
    for (const [name, candidates] of map) merged.set(name, [...(merged.get(name) ?? []), candidates]);
  }
  return new Map([...merged].map(([name, lists]) => [name, ordered(lists)]));
}

/** One list in config order from several that each are; a rule in several lists appears once. */
function ordered(lists: Candidate[][]): Candidate[] {
  let merged: Candidate[] = [];
  for (const list of lists) {
    if (list.length === 0) continue;
    merged = merged.length === 0 ? list : mergeTwo(merged, list);
  }
  return merged;
}

/** A linear merge of two lists sorted by rule index. */
function mergeTwo(left: Candidate[], right: Candidate[]): Candidate[] {
  const merged: Candidate[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const a = left[i];
    const b = right[j];
    if (b === undefined || (a !== undefined && a.rule.index < b.rule.index)) {
      merged.push(a as Candidate);
      i += 1;
    } else if (a === undefined || b.rule.index < a.rule.index) {
      merged.push(b);
      j += 1;
    } else {
      merged.push(a);
      i += 1;
      j += 1;
    }
  }
  return merged;
}

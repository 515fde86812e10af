import type { ExecutionRequest, PipelineRef } from '../codestream/types';
import type { RuleDefinition } from '../config/RelayConfig';
import { type CompiledRule, compileRule, firstFailure, requestOrError } from './compileRule';
import type { Delivery } from './Delivery';

/** A rule the delivery matched: its pipeline and request, or why the request could not be built. */
export type Match = { rule: string; pipeline: PipelineRef } & ({ request: ExecutionRequest } | { error: string });

/** What a rule made of a delivery, for `relay test` and "why didn't it fire?". */
export interface Decision {
  rule: string;
  matched: boolean;
  /** For a miss, the first condition that failed; for a match whose request failed, why; else null. */
  reason: string | null;
  pipeline: PipelineRef | null;
  request: ExecutionRequest | null;
}

interface Bucket {
  byRepository: Map<string, CompiledRule[]>;
  byImage: Map<string, CompiledRule[]>;
  rest: CompiledRule[];
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
  readonly #buckets = new Map<string, Bucket>();
  readonly #resolved = new Map<string, Bucket>();

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
      for (const source of sources) for (const kind of kinds) add(this.#bucket(key(source, kind)), rule);
    }
  }

  get size(): number {
    return this.#rules.length;
  }

  /** The rules the delivery matches, in config order, each with the request to send. */
  match(delivery: Delivery): Match[] {
    const { event } = delivery;
    const bucket = this.#resolve(event.source, event.kind);
    const candidates = ordered([
      bucket.rest,
      (event.git && bucket.byRepository.get(event.git.repository.fullName)) || [],
      (event.artifact && bucket.byImage.get(event.artifact.image)) || [],
    ]);
    const matches: Match[] = [];
    for (const rule of candidates) {
      if (firstFailure(rule, delivery) === undefined) {
        matches.push({ rule: rule.name, pipeline: rule.pipeline, ...requestOrError(rule, delivery) });
      }
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
    const name = key(source, kind);
    let resolved = this.#resolved.get(name);
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
      this.#resolved.set(name, resolved);
    }
    return resolved;
  }
}

function key(source: string, kind: string): string {
  return `${source}\u0000${kind}`;
}

function literalsOf(rule: CompiledRule, field: string): readonly string[] | undefined {
  return rule.conditions.find((condition) => condition.field === field)?.literals;
}

/** Files a rule under the exact repositories or images it names, else with the rules to check in turn. */
function add(bucket: Bucket, rule: CompiledRule): void {
  const repositories = literalsOf(rule, 'when.repositories');
  const images = repositories ? undefined : literalsOf(rule, 'when.images');
  const [index, names] = repositories ? [bucket.byRepository, repositories] : images ? [bucket.byImage, images] : [undefined, []];
  if (!index) {
    bucket.rest.push(rule);
    return;
  }
  for (const name of names) {
    const rules = index.get(name);
    if (rules) rules.push(rule);
    else index.set(name, [rule]);
  }
}

function mergeMaps(maps: Map<string, CompiledRule[]>[]): Map<string, CompiledRule[]> {
  if (maps.length === 1 && maps[0]) return maps[0];
  const merged = new Map<string, CompiledRule[][]>();
  for (const map of maps) {
    for (const [name, rules] of map) merged.set(name, [...(merged.get(name) ?? []), rules]);
  }
  return new Map([...merged].map(([name, lists]) => [name, ordered(lists)]));
}

/** One list in config order from several that each are; a rule in several lists appears once. */
function ordered(lists: CompiledRule[][]): CompiledRule[] {
  let merged: CompiledRule[] = [];
  for (const list of lists) {
    if (list.length === 0) continue;
    merged = merged.length === 0 ? list : mergeTwo(merged, list);
  }
  return merged;
}

/** A linear merge of two lists sorted by rule index: this runs on every delivery. */
function mergeTwo(left: CompiledRule[], right: CompiledRule[]): CompiledRule[] {
  const merged: CompiledRule[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const a = left[i];
    const b = right[j];
    if (b === undefined || (a !== undefined && a.index < b.index)) {
      merged.push(a as CompiledRule);
      i += 1;
    } else if (a === undefined || b.index < a.index) {
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

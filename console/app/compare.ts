import type { RuleDecision } from '../../lambda/history/DeliveryRecord';
import type { EventDecisions, QuietDecision } from '../../cli/printDecisions';

/** One rule for one event: what the current rules would do, beside what the log recorded. */
export interface ComparedDecision {
  rule: string;
  event: number;
  current: QuietDecision | undefined;
  recorded: RuleDecision | undefined;
  /** Why the two differ; undefined when they agree. */
  difference: string | undefined;
}

/**
 * The current decisions of a replay beside the recorded ones, rule by rule and event by event,
 * in the current config's order, then rules the log recorded that the config no longer has.
 */
export function compareDecisions(current: readonly EventDecisions[], recorded: readonly RuleDecision[] | null): ComparedDecision[] {
  const rows: ComparedDecision[] = [];
  const seen = new Set<string>();
  current.forEach((event, index) => {
    for (const decision of event.decisions) {
      const earlier = recorded?.find((candidate) => candidate.rule === decision.rule && candidate.event === index);
      seen.add(JSON.stringify([decision.rule, index]));
      rows.push({ rule: decision.rule, event: index, current: decision, recorded: earlier, difference: difference(decision, earlier, recorded !== null) });
    }
  });
  for (const earlier of recorded ?? []) {
    if (seen.has(JSON.stringify([earlier.rule, earlier.event]))) continue;
    rows.push({ rule: earlier.rule, event: earlier.event, current: undefined, recorded: earlier, difference: 'the current config has no such rule or event' });
  }
  return rows;
}

/** `id:<id>` or `name:<project>/<name>`, as the log writes a pipeline. */
export function pipelineName(pipeline: QuietDecision['pipeline']): string | undefined {
  if (pipeline === null) return undefined;
  return 'id' in pipeline ? `id:${pipeline.id}` : `name:${pipeline.project}/${pipeline.name}`;
}

function difference(current: QuietDecision, recorded: RuleDecision | undefined, logged: boolean): string | undefined {
  if (recorded === undefined) return logged ? 'the log recorded no decision of this rule' : undefined;
  const matchedThen = recorded.outcome !== 'no_match';
  if (current.matched !== matchedThen) return current.matched ? 'matches now, did not match then' : 'does not match now, matched then';
  if (!current.matched) return undefined;
  const now = pipelineName(current.pipeline);
  if (recorded.pipeline !== undefined && now !== recorded.pipeline) return `runs ${now ?? 'no pipeline'} now, ${recorded.pipeline} then`;
  if (recorded.request !== undefined && current.request !== null && canonical(current.request) !== canonical(recorded.request)) return 'sends another request now';
  return undefined;
}

/** JSON with keys in order, so that two requests compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b))) : inner,
  );
}

import { type ExecutionRequest, describePipeline } from '../lambda/codestream/types';
import type { CanonicalEvent } from '../lambda/events/CanonicalEvent';
import { describeEvent } from '../lambda/events/describeEvent';
import type { Delivery } from '../lambda/rules/Delivery';
import type { Decision, RuleEngine } from '../lambda/rules/RuleEngine';
import { MissingFieldError } from '../lambda/rules/templates';
import type { BodyHistory } from './BodyHistory';
import type { Io } from './Io';

export interface DecisionsOptions {
  /** One JSON object a line, {deliveryId, event, decisions}: the contract of `relay test --json`. */
  json: boolean;
  /** For people: where the delivery came from and what was not done, after its id. */
  note: string;
  /** The first delivery, where this one is a repeat of it: `--json` adds it as `repeatOf`. */
  repeatOf?: string;
  /** Events the relay recorded as superseded in a rule's quiet period ({@link readSupersessions}). */
  supersessions?: Supersessions;
}

/** The delivery that superseded an event in a rule's quiet period, by the event's delivery id and the rule. */
export type Supersessions = ReadonlyMap<string, string>;

/** A decision, with what a rule's quiet period makes of it where the rule has one. */
export type QuietDecision = Decision & { quietPeriod?: { waits: string; key: string[] | null; keyError?: string }; supersededBy?: string };

/** One event of a delivery and what the rules make of it: a line of `relay test --json`, without `repeatOf`. */
export interface EventDecisions {
  deliveryId: string;
  event: CanonicalEvent;
  decisions: QuietDecision[];
}

/**
 * What the rules make of each event of a delivery, as `relay test` and `relay replay` print it:
 * every rule in config order, why each miss missed, and what each match would send.
 */
export function printDecisions(io: Io, engine: RuleEngine, deliveries: readonly Delivery[], options: DecisionsOptions): void {
  const repeat = options.repeatOf === undefined ? {} : { repeatOf: options.repeatOf };
  for (const delivery of deliveries) {
    const decided = eventDecisions(engine, delivery, options.supersessions);
    io.stdout.write(options.json ? `${JSON.stringify({ ...decided, ...repeat })}\n` : report(delivery, decided.decisions, options.note));
  }
}

/** The decisions {@link printDecisions} prints, as data: one entry per event, every rule in config order. */
export function decide(engine: RuleEngine, deliveries: readonly Delivery[], supersessions?: Supersessions): EventDecisions[] {
  return deliveries.map((delivery) => eventDecisions(engine, delivery, supersessions));
}

function eventDecisions(engine: RuleEngine, delivery: Delivery, supersessions: Supersessions | undefined): EventDecisions {
  const { event } = delivery;
  return { deliveryId: event.deliveryId, event, decisions: engine.explain(delivery).map((decision) => withQuietPeriod(decision, engine, delivery, supersessions)) };
}

/**
 * What the idempotency table says of the matched rules with a quiet period: the events a newer one
 * superseded. A repeat's events are keyed as the relay keys them, by the first delivery's id.
 * @throws CommandError when the table cannot be read.
 */
export async function readSupersessions(
  history: BodyHistory | undefined,
  engine: RuleEngine,
  deliveries: readonly Delivery[],
  repeat?: { deliveryId: string; first: string },
): Promise<Supersessions> {
  const found = new Map<string, string>();
  if (!history) return found;
  for (const delivery of deliveries) {
    const { event } = delivery;
    const deliveryId = repeat ? `${repeat.first}${event.deliveryId.slice(repeat.deliveryId.length)}` : event.deliveryId;
    for (const decision of engine.explain(delivery)) {
      if (!decision.matched || !engine.rule(decision.rule)?.quietPeriod) continue;
      const by = await history.supersededBy({ source: event.source, deliveryId, rule: decision.rule });
      if (by !== undefined) found.set(supersessionKey(event, decision.rule), by);
    }
  }
  return found;
}

function supersessionKey(event: CanonicalEvent, rule: string): string {
  return JSON.stringify([event.deliveryId, rule]);
}

function withQuietPeriod(decision: Decision, engine: RuleEngine, delivery: Delivery, supersessions: Supersessions | undefined): QuietDecision {
  const quietPeriod = decision.matched ? engine.rule(decision.rule)?.quietPeriod : undefined;
  if (!quietPeriod) return decision;
  let key: string[] | null = null;
  let keyError: string | undefined;
  try {
    key = quietPeriod.key(delivery);
  } catch (error) {
    if (!(error instanceof MissingFieldError)) throw error;
    keyError = error.message;
  }
  const supersededBy = supersessions?.get(supersessionKey(delivery.event, decision.rule));
  return { ...decision, quietPeriod: { waits: quietPeriod.text, key, ...(keyError === undefined ? {} : { keyError }) }, ...(supersededBy === undefined ? {} : { supersededBy }) };
}

function report({ event }: Delivery, decisions: QuietDecision[], note: string): string {
  const width = Math.max(...decisions.map((decision) => decision.rule.length), 4);
  const lines = [`${event.source} (${event.provider}) ${event.event} → ${event.kind}: ${describeEvent(event)}`, `delivery ${event.deliveryId}; ${note}`, ''];
  for (const decision of decisions) {
    const name = decision.rule.padEnd(width);
    if (!decision.matched) lines.push(`  ✗ ${name}  ${decision.reason}`);
    else if (!decision.request) lines.push(`  ! ${name}  matches, but its request cannot be built: ${decision.reason}`);
    else lines.push(`  ✓ ${name}  → ${decision.pipeline ? describePipeline(decision.pipeline) : ''}`, ...requestLines(decision.request), ...quietLines(decision));
  }
  const matched = decisions.filter((decision) => decision.matched).length;
  lines.push('', `${matched} of ${decisions.length} rule${decisions.length === 1 ? '' : 's'} match.`, '');
  return lines.join('\n');
}


function quietLines({ quietPeriod, supersededBy }: QuietDecision): string[] {
  if (!quietPeriod) return [];
  const indent = '      ';
  const key = quietPeriod.key ? JSON.stringify(quietPeriod.key) : `that cannot be made: ${quietPeriod.keyError ?? ''}`;
  const lines = [`${indent}quiet     waits ${quietPeriod.waits}, then runs only the newest event per key ${key}`];
  if (supersededBy !== undefined) lines.push(`${indent}          superseded by delivery ${supersededBy}, a newer event of its quiet window`);
  return lines;
}

function requestLines(request: ExecutionRequest): string[] {
  const indent = '      ';
  return [
    `${indent}comments  ${request.comments ?? ''}`,
    `${indent}source    ${request.source ?? ''}`,
    `${indent}tags      ${(request.tags ?? []).join(', ')}`,
    `${indent}input`,
    ...Object.entries(request.input ?? {}).map(([name, value]) => `${indent}  ${name} = ${JSON.stringify(value)}`),
  ];
}

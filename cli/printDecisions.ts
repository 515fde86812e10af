import type { ExecutionRequest, PipelineRef } from '../lambda/codestream/types';
import { describeEvent } from '../lambda/events/describeEvent';
import type { Delivery } from '../lambda/rules/Delivery';
import type { Decision, RuleEngine } from '../lambda/rules/RuleEngine';
import type { Io } from './Io';

export interface DecisionsOptions {
  /** One JSON object a line, {deliveryId, event, decisions}: the contract of `relay test --json`. */
  json: boolean;
  /** For people: where the delivery came from and what was not done, after its id. */
  note: string;
  /** The first delivery, where this one is a repeat of it: `--json` adds it as `repeatOf`. */
  repeatOf?: string;
}

/**
 * What the rules make of each event of a delivery, as `relay test` and `relay replay` print it:
 * every rule in config order, why each miss missed, and what each match would send.
 */
export function printDecisions(io: Io, engine: RuleEngine, deliveries: readonly Delivery[], options: DecisionsOptions): void {
  for (const delivery of deliveries) {
    const { event } = delivery;
    const decisions = engine.explain(delivery);
    const repeat = options.repeatOf === undefined ? {} : { repeatOf: options.repeatOf };
    io.stdout.write(options.json ? `${JSON.stringify({ deliveryId: event.deliveryId, event, decisions, ...repeat })}\n` : report(delivery, decisions, options.note));
  }
}

function report({ event }: Delivery, decisions: Decision[], note: string): string {
  const width = Math.max(...decisions.map((decision) => decision.rule.length), 4);
  const lines = [`${event.source} (${event.provider}) ${event.event} → ${event.kind}: ${describeEvent(event)}`, `delivery ${event.deliveryId}; ${note}`, ''];
  for (const decision of decisions) {
    const name = decision.rule.padEnd(width);
    if (!decision.matched) lines.push(`  ✗ ${name}  ${decision.reason}`);
    else if (!decision.request) lines.push(`  ! ${name}  matches, but its request cannot be built: ${decision.reason}`);
    else lines.push(`  ✓ ${name}  → ${pipelineName(decision.pipeline)}`, ...requestLines(decision.request));
  }
  const matched = decisions.filter((decision) => decision.matched).length;
  lines.push('', `${matched} of ${decisions.length} rule${decisions.length === 1 ? '' : 's'} match.`, '');
  return lines.join('\n');
}

function pipelineName(pipeline: PipelineRef | null): string {
  if (!pipeline) return '';
  return 'id' in pipeline ? `pipeline ${pipeline.id}` : `pipeline ${pipeline.project}/${pipeline.name}`;
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

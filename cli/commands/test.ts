import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ExecutionRequest, PipelineRef } from '../../lambda/codestream/types';
import type { CanonicalEvent } from '../../lambda/events/CanonicalEvent';
import { describeEvent } from '../../lambda/events/describeEvent';
import { WebhookError } from '../../lambda/providers/errors';
import { parseBody } from '../../lambda/providers/parseBody';
import { normaliseDelivery } from '../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../lambda/providers/types';
import { ConfigError, formatProblem } from '../../lambda/rules/ConfigError';
import { loadConfig } from '../../lambda/rules/loadConfig';
import type { Decision } from '../../lambda/rules/RuleEngine';
import { configPath } from '../configPath';
import { EXIT, type Io } from '../Io';

const USAGE = 'usage: relay test --source NAME --body FILE [--headers FILE] [--config FILE] [--json]';

/**
 * `relay test`: a dry run of one delivery through the rules, with no network. The signature is not
 * checked (the secrets stay in Secrets Manager): it shows what the rules make of the delivery.
 * With `--json`, one JSON object per event: {deliveryId, event, decisions}.
 */
export function testCommand(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      source: { type: 'string' },
      body: { type: 'string' },
      headers: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.source || !values.body) return usage(io, 'relay test needs --source and --body');
  const file = configPath(values.config);
  let loaded;
  try {
    loaded = loadConfig(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) io.stderr.write(`${formatProblem(problem)}\n`);
    return EXIT.failed;
  }
  const source = loaded.config.sources[values.source];
  if (!Object.hasOwn(loaded.config.sources, values.source) || !source) {
    return usage(io, `unknown source "${values.source}"; the sources in ${file} are ${Object.keys(loaded.config.sources).join(', ')}`);
  }
  let request: WebhookRequest;
  try {
    request = { body: readFileSync(values.body), headers: readHeaders(values.headers), query: {} };
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  let events: CanonicalEvent[];
  let body: unknown;
  try {
    events = normaliseDelivery({ name: values.source, provider: source.provider, secrets: [], options: source.options }, request);
    body = parseBody(request);
  } catch (error) {
    if (!(error instanceof WebhookError)) throw error;
    io.stderr.write(`the ${source.provider} source refuses this delivery: ${error.code}: ${error.message}\n`);
    return EXIT.failed;
  }
  for (const event of events) {
    const decisions = loaded.engine.explain({ event, body, headers: request.headers, query: request.query });
    io.stdout.write(values.json ? `${JSON.stringify({ deliveryId: event.deliveryId, event, decisions })}\n` : report(event, decisions));
  }
  return EXIT.ok;
}

function readHeaders(file: string | undefined): Record<string, string> {
  if (file === undefined) return { 'content-type': 'application/json' };
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${file} must be a JSON object of header names and values`);
  }
  return Object.fromEntries(Object.entries(parsed).map(([name, value]) => [name.toLowerCase(), String(value)]));
}

function usage(io: Io, message: string): number {
  io.stderr.write(`${message}\n${USAGE}\n`);
  return EXIT.usage;
}

/** The decisions as a person reads them: every rule, why it missed, what a match would send. */
function report(event: CanonicalEvent, decisions: Decision[]): string {
  const width = Math.max(...decisions.map((decision) => decision.rule.length), 4);
  const lines = [
    `${event.source} (${event.provider}) ${event.event} → ${event.kind}: ${describeEvent(event)}`,
    `delivery ${event.deliveryId}; signature not checked (dry run)`,
    '',
  ];
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

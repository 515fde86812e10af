import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CanonicalEvent } from '../../lambda/events/CanonicalEvent';
import { WebhookError } from '../../lambda/providers/errors';
import { parseBody } from '../../lambda/providers/parseBody';
import { normaliseDelivery } from '../../lambda/providers/receiveWebhook';
import type { WebhookRequest } from '../../lambda/providers/types';
import { configPath } from '../configPath';
import { EXIT, type Io } from '../Io';
import { loadRelayConfig } from '../loadRelayConfig';
import { printDecisions } from '../printDecisions';

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
  const loaded = loadRelayConfig(file);
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
  const deliveries = events.map((event) => ({ event, body, headers: request.headers, query: request.query }));
  printDecisions(io, loaded.engine, deliveries, { json: values.json, note: 'signature not checked (dry run)' });
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

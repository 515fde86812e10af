import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { redactCredentials } from '../../lambda/ingress/redactCredentials';
import { WebhookError } from '../../lambda/providers/errors';
import { parseBody } from '../../lambda/providers/parseBody';
import { type ReceivedDelivery, readDelivery } from '../../lambda/providers/receiveWebhook';
import type { SourceConfig, WebhookRequest } from '../../lambda/providers/types';
import { readLocalState } from '../../local/LocalState';
import { BodyHistory, repeatLine, TABLE_OPTION, withBodyHistory } from '../BodyHistory';
import { configPath } from '../configPath';
import { CommandError, UsageError } from '../errors';
import { EXIT, type Io } from '../Io';
import { loadRelayConfig } from '../loadRelayConfig';
import { printDecisions } from '../printDecisions';

const USAGE = 'usage: relay test --source NAME --body FILE [--headers FILE] [--config FILE] [--json] [--state-dir DIR | --table NAME]';

/**
 * `relay test`: a dry run of one delivery through the rules, with no network. The signature is not
 * checked (the secrets stay in Secrets Manager): it shows what the rules make of the delivery.
 * With `--json`, one JSON object per event: {deliveryId, event, decisions}. With `--state-dir DIR`
 * (local mode's) or `--table NAME` (in AWS), it also says when the relay would take the delivery
 * for a repeat of an earlier one with the same body (`--json`: `repeatOf`), read from that
 * idempotency table.
 */
export async function testCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      source: { type: 'string' },
      body: { type: 'string' },
      headers: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      'state-dir': { type: 'string' },
      ...TABLE_OPTION,
    },
  });
  if (!values.source || !values.body) return usage(io, 'relay test needs --source and --body');
  if (values['state-dir'] !== undefined && values.table !== undefined) throw new UsageError('--state-dir names local mode\'s idempotency table; --table one in AWS: give one or the other');
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
  const read: SourceConfig = { name: values.source, provider: source.provider, secrets: [], options: source.options };
  let delivery: ReceivedDelivery;
  let body: unknown;
  try {
    delivery = readDelivery(read, request);
    body = parseBody(request);
  } catch (error) {
    if (!(error instanceof WebhookError)) throw error;
    io.stderr.write(`the ${source.provider} source refuses this delivery: ${error.code}: ${error.message}\n`);
    return EXIT.failed;
  }
  const deliveries = delivery.events.map((event) => ({ event, body, headers: request.headers, query: request.query }));
  const repeatOf = await withBodyHistory(historyOf(values['state-dir'], values.table), async (history) =>
    history?.repeatOf(read.name, queuedBody(read, request, delivery.text), delivery.deliveryId, source.replayWindowHours),
  );
  if (repeatOf !== undefined && !values.json) io.stdout.write(repeatLine(delivery.deliveryId, repeatOf));
  printDecisions(io, loaded.engine, deliveries, { json: values.json, note: 'signature not checked (dry run)', repeatOf });
  return EXIT.ok;
}

/** The idempotency table of `--state-dir`'s local mode, or `--table`'s in AWS; undefined without either. */
function historyOf(stateDir: string | undefined, table: string | undefined): BodyHistory | undefined {
  if (table !== undefined) return BodyHistory.inAws(table);
  if (stateDir === undefined) return undefined;
  try {
    return BodyHistory.ofLocalMode(readLocalState(path.resolve(stateDir)));
  } catch (error) {
    throw new CommandError((error as Error).message, { cause: error });
  }
}

/**
 * The body as ingress would queue it, which the relay hashes to find repeats: with the credentials
 * in the provider's body fields redacted (lambda/ingress/redactCredentials.ts). The source's
 * secrets are not read, so a body that holds one in other text hashes otherwise.
 */
function queuedBody(source: SourceConfig, request: WebhookRequest, text: string): Buffer {
  const redacted = redactCredentials(request, source, text).body;
  return redacted === text ? request.body : Buffer.from(redacted);
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

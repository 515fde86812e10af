import { readFileSync } from 'node:fs';
import path from 'node:path';
import { redactCredentials } from '../../lambda/ingress/redactCredentials';
import { WebhookError } from '../../lambda/providers/errors';
import { parseBody } from '../../lambda/providers/parseBody';
import { type ReceivedDelivery, readDelivery } from '../../lambda/providers/receiveWebhook';
import type { SourceConfig, WebhookRequest } from '../../lambda/providers/types';
import { readLocalState } from '../../local/LocalState';
import { BodyHistory, repeatLine, TABLE_OPTION, withBodyHistory } from '../BodyHistory';
import { checkAuthentication, readSecrets } from '../checkAuthentication';
import { configPath } from '../configPath';
import { CommandError, UsageError } from '../errors';
import { EXIT, type Io } from '../Io';
import { loadRelayConfig } from '../loadRelayConfig';
import { parseCommandArgs } from '../parseCommandArgs';
import { printDecisions, readSupersessions } from '../printDecisions';

export const TEST_USAGE = `usage: relay test --source NAME --body FILE [--headers FILE] [--header 'Name: value']... [--secrets FILE] [--config FILE] [--json] [--state-dir DIR | --table NAME]
dry-run a delivery through the rules; nothing is sent
  --source NAME             the source in the config the delivery is for
  --body FILE               the body, byte for byte as sent
  --headers FILE            a JSON object of its headers (default: content-type application/json)
  --header 'Name: value'    one header, repeatable; wins over --headers FILE for the same name
  --secrets FILE            a JSON object of secret name → value (as relay.secrets.local.json): check the
                            signature or token as ingress does, with the source's secrets, and say why it fails
  --config FILE             the config (else $RELAY_CONFIG, else ./relay.config.yaml)
  --json                    one JSON object per event: {"deliveryId", "event", "decisions"}
  --state-dir DIR           local mode's idempotency table, to tell a repeat of an earlier delivery
  --table NAME              the same, for the table in AWS`;

/**
 * `relay test`: a dry run of one delivery through the rules, with no network. The signature is not
 * checked (the secrets stay in Secrets Manager): it shows what the rules make of the delivery.
 * With `--json`, one JSON object per event: {deliveryId, event, decisions}. With `--state-dir DIR`
 * (local mode's) or `--table NAME` (in AWS), it also says when the relay would take the delivery
 * for a repeat of an earlier one with the same body (`--json`: `repeatOf`), and which events of a
 * rule with a quiet period a newer one superseded (`supersededBy`), read from that idempotency table.
 */
export async function testCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(TEST_USAGE, {
    args,
    options: {
      source: { type: 'string' },
      body: { type: 'string' },
      headers: { type: 'string' },
      header: { type: 'string', multiple: true },
      secrets: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      'state-dir': { type: 'string' },
      ...TABLE_OPTION,
    },
  });
  if (!values.source || !values.body) throw new UsageError('relay test needs --source and --body', TEST_USAGE);
  if (values['state-dir'] !== undefined && values.table !== undefined) {
    throw new UsageError('--state-dir names local mode\'s idempotency table; --table one in AWS: give one or the other', TEST_USAGE);
  }
  const headerFlags = headersOfFlags(values.header ?? []);
  const file = configPath(values.config);
  const loaded = loadRelayConfig(file);
  const source = loaded.config.sources[values.source];
  if (!Object.hasOwn(loaded.config.sources, values.source) || !source) {
    throw new UsageError(`unknown source "${values.source}"; the sources in ${file} are ${Object.keys(loaded.config.sources).join(', ')}`, TEST_USAGE, { code: 'unknown_source' });
  }
  let request: WebhookRequest;
  try {
    request = { body: readFileSync(values.body), headers: { ...readHeaders(values.headers), ...headerFlags }, query: {} };
  } catch (error) {
    throw new UsageError((error as Error).message, TEST_USAGE, { code: 'unreadable_file', cause: error });
  }
  const read: SourceConfig = { name: values.source, provider: source.provider, secrets: [], options: source.options };
  const authenticated = values.secrets === undefined ? undefined : checkAuthentication(read, request, readSecrets(values.secrets, source.secrets));
  let delivery: ReceivedDelivery;
  let body: unknown;
  try {
    delivery = readDelivery(read, request);
    body = parseBody(request);
  } catch (error) {
    if (!(error instanceof WebhookError)) throw error;
    throw new CommandError(`the ${source.provider} source refuses this delivery: ${error.code}: ${error.message}`, { code: error.code, cause: error });
  }
  const deliveries = delivery.events.map((event) => ({ event, body, headers: request.headers, query: request.query }));
  const { repeatOf, supersessions } = await withBodyHistory(historyOf(values['state-dir'], values.table), async (history) => {
    const first = await history?.repeatOf(read.name, queuedBody(read, request, delivery.text), delivery.deliveryId, source.replayWindowHours);
    const repeat = first === undefined ? undefined : { deliveryId: delivery.deliveryId, first };
    return { repeatOf: first, supersessions: await readSupersessions(history, loaded.engine, deliveries, repeat) };
  });
  if (repeatOf !== undefined && !values.json) io.stdout.write(repeatLine(delivery.deliveryId, repeatOf));
  printDecisions(io, loaded.engine, deliveries, { json: values.json, note: authenticated ?? 'signature not checked (dry run)', repeatOf, supersessions });
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

/** `--header 'Name: value'` flags as headers, names in lower case; the last wins for the same name. */
function headersOfFlags(flags: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const flag of flags) {
    const colon = flag.indexOf(':');
    const name = colon === -1 ? '' : flag.slice(0, colon).trim();
    if (name === '' || /\s/.test(name)) throw new UsageError(`--header "${flag}" is not a header: give it as 'Name: value'`, TEST_USAGE);
    headers[name.toLowerCase()] = flag.slice(colon + 1).trim();
  }
  return headers;
}

import type { CanonicalEvent } from '../../lambda/events/CanonicalEvent';
import type { RelayConfig } from '../../lambda/config/RelayConfig';
import { MalformedMessageError, messageBody } from '../../lambda/events/RelayMessage';
import { messageEvents } from '../../lambda/relay/messageEvents';
import { WebhookError } from '../../lambda/providers/errors';
import { parseBody } from '../../lambda/providers/parseBody';
import type { Delivery } from '../../lambda/rules/Delivery';
import { BodyHistory, repeatLine, TABLE_OPTION, withBodyHistory } from '../BodyHistory';
import { configPath } from '../configPath';
import type { DeadLetter } from '../DeadLetter';
import { CommandError, UsageError } from '../errors';
import { EXIT, type Io } from '../Io';
import { loadRelayConfig } from '../loadRelayConfig';
import { printDecisions, readSupersessions } from '../printDecisions';
import { parseCommandArgs } from '../parseCommandArgs';
import { QUEUE_OPTIONS, QUEUE_OPTIONS_USAGE, isLocalMode, withRelayQueues } from '../RelayQueues';
import { named, redriveAndReport } from './dlq';

export const REPLAY_USAGE = `usage: relay replay ID [--config FILE] [--json] [--table NAME] [QUEUES]
       relay replay ID --execute [QUEUES]
dry-run a dead-lettered delivery through the current rules (ID: a messageId or a delivery id); --execute redrives it
  --config FILE  the rules (else local mode's config, else $RELAY_CONFIG, else ./relay.config.yaml)
  --json         one JSON object per event, as relay test --json prints
  --table NAME   the idempotency table in AWS, to tell a repeat of an earlier delivery
  --execute      redrive the record, as relay dlq redrive ID does
${QUEUE_OPTIONS_USAGE}`;

/**
 * `relay replay ID [--execute]`: a dead-lettered delivery through the current rules. By default a
 * dry run that prints each event's decisions as `relay test` does (`--json`: its contract) and
 * sends nothing; with `--execute`, the record is redriven, as `relay dlq redrive ID` does. A dry
 * run says when the relay takes the delivery for a repeat of an earlier one with the same body, and
 * which events of a rule with a quiet period a newer one superseded, read from local mode's
 * idempotency table, or in AWS from `--table NAME`'s.
 */
export async function replayCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(REPLAY_USAGE, {
    args,
    options: {
      ...QUEUE_OPTIONS,
      ...TABLE_OPTION,
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      execute: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const [id, ...more] = positionals;
  if (id === undefined || more.length > 0) throw new UsageError('relay replay needs one ID: a dead-letter record\'s messageId or a delivery id', REPLAY_USAGE);
  if (values.execute && values.json) throw new UsageError('--json prints the dry run; relay replay --execute prints what it redrove', REPLAY_USAGE);
  const local = isLocalMode(values);
  if (local && values.table !== undefined) throw new UsageError('--table names the idempotency table in AWS; local mode\'s is in its local.json', REPLAY_USAGE);
  return withRelayQueues(values, async (queues) => {
    const records = named(await queues.readDeadLetters(), [id], queues);
    if (values.execute) return redriveAndReport(io, queues, records);
    // The current config: the one given, else the one the local relay runs, else the usual one.
    const { config, engine } = loadRelayConfig(values.config ?? queues.localState?.configFile ?? configPath(undefined));
    return withBodyHistory(queues.localState ? BodyHistory.ofLocalMode(queues.localState) : values.table === undefined ? undefined : BodyHistory.inAws(values.table), async (history) => {
      // A delivery with several failed rules has a record for each, all with its body: replay it once.
      const bodies = new Map(records.map((record) => [record.body, record]));
      for (const record of bodies.values()) {
        const message = record.message && (await queues.withBody(record.message));
        const deliveries = deliveriesOf({ ...record, message }, config.sources);
        const repeatOf = message && (await history?.repeatOf(message.source, messageBody(message), message.deliveryId, config.sources[message.source]?.replayWindowHours));
        if (message && repeatOf !== undefined && !values.json) io.stdout.write(repeatLine(message.deliveryId, repeatOf));
        const supersessions = await readSupersessions(history, engine, deliveries, message && repeatOf !== undefined ? { deliveryId: message.deliveryId, first: repeatOf } : undefined);
        printDecisions(io, engine, deliveries, { json: values.json, note: `dead-letter record ${record.messageId}; dry run, nothing sent`, repeatOf, supersessions });
      }
      return EXIT.ok;
    });
  });
}

/** The record's events as the relay gives them to the rules (lambda/relay/processRecord.ts). */
function deliveriesOf(record: DeadLetter, sources: RelayConfig['sources']): Delivery[] {
  const { message } = record;
  if (message === undefined) {
    throw new CommandError(`the dead-letter record ${record.messageId} holds no delivery to replay: ${record.malformed}`);
  }
  const request = { body: messageBody(message), headers: message.headers, query: message.query };
  let body: Record<string, unknown>;
  let events: CanonicalEvent[];
  try {
    body = parseBody(request);
    events = messageEvents(message, request, body, sources);
  } catch (error) {
    if (error instanceof MalformedMessageError) throw new CommandError(`the dead-letter record ${record.messageId} cannot be replayed: ${error.message}`, { cause: error });
    if (!(error instanceof WebhookError)) throw error;
    throw new CommandError(`the delivery in dead-letter record ${record.messageId} cannot be read: ${error.message}`, { cause: error });
  }
  return events.map((event) => ({ event, body, headers: message.headers, query: message.query }));
}

import { BodyHistory, repeatLine, TABLE_OPTION, withBodyHistory } from '../BodyHistory';
import { configPath } from '../configPath';
import { UsageError } from '../errors';
import { EXIT, type Io } from '../Io';
import { loadRelayConfig } from '../loadRelayConfig';
import { printDecisions } from '../printDecisions';
import { parseCommandArgs } from '../parseCommandArgs';
import { QUEUE_OPTIONS, QUEUE_OPTIONS_USAGE, isLocalMode, withRelayQueues } from '../RelayQueues';
import { replayDeadLetter } from '../replayDeadLetter';
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
    const loaded = loadRelayConfig(values.config ?? queues.localState?.configFile ?? configPath(undefined));
    return withBodyHistory(queues.localState ? BodyHistory.ofLocalMode(queues.localState) : values.table === undefined ? undefined : BodyHistory.inAws(values.table), async (history) => {
      // A delivery with several failed rules has a record for each, all with its body: replay it once.
      const bodies = new Map(records.map((record) => [record.body, record]));
      for (const record of bodies.values()) {
        const { message, deliveries, repeatOf, supersessions } = await replayDeadLetter(record, queues, loaded, history);
        if (repeatOf !== undefined && !values.json) io.stdout.write(repeatLine(message.deliveryId, repeatOf));
        printDecisions(io, loaded.engine, deliveries, { json: values.json, note: `dead-letter record ${record.messageId}; dry run, nothing sent`, repeatOf, supersessions });
      }
      return EXIT.ok;
    });
  });
}


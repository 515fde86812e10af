import { configPath } from '../configPath';
import { startConsole } from '../console/ConsoleServer';
import { UsageError } from '../errors';
import { type HistoryFlags, openDeliveryHistory } from '../history/DeliveryHistory';
import type { DeliveryHistoryReader } from '../history/DeliveryQuery';
import { EXIT, type Io } from '../Io';
import { parseCommandArgs } from '../parseCommandArgs';
import { QUEUE_OPTIONS, QUEUE_OPTIONS_USAGE, RelayQueues, isLocalMode } from '../RelayQueues';
import { TABLE_OPTION } from '../BodyHistory';

/** Local mode serves its own console on 3002; this one can run beside it. */
const DEFAULT_PORT = 3003;

export const CONSOLE_USAGE = `usage: relay console [--port N] [--config FILE] [--deliveries-table NAME] [--table NAME] [QUEUES]
a web console on 127.0.0.1: the delivery log, the dead-letter queue, redrive, and replay through the current rules
  --port N                 the port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 for a free one)
  --config FILE            the rules a replay runs (else local mode's config, else $RELAY_CONFIG, else ./relay.config.yaml)
  --deliveries-table NAME  the delivery log's table in AWS (the stack's DeliveriesTableName output); local mode's is in its local.json
  --table NAME             the idempotency table in AWS, for a replay to tell a repeat of an earlier delivery (as relay replay --table)
${QUEUE_OPTIONS_USAGE}`;

export interface ConsoleCommandOptions {
  /** Opens the delivery log the flags name: openDeliveryHistory, or a fake in tests. */
  open?: (flags: HistoryFlags) => DeliveryHistoryReader;
  /** Resolves when the console should stop; by default at SIGINT or SIGTERM. */
  stopped?: Promise<unknown>;
}

/**
 * `relay console`: serves the page `npm run build:console` built (it builds nothing itself) for
 * the operator's browser, with the operator's own access to the log and the queues: local mode's
 * by default, or in AWS the SDK's default credentials. Runs until SIGINT or SIGTERM.
 */
export async function consoleCommand(args: string[], io: Io, options: ConsoleCommandOptions = {}): Promise<number> {
  const { values } = parseCommandArgs(CONSOLE_USAGE, {
    args,
    options: { ...QUEUE_OPTIONS, ...TABLE_OPTION, port: { type: 'string' }, config: { type: 'string' }, 'deliveries-table': { type: 'string' } },
  });
  const port = values.port === undefined ? DEFAULT_PORT : /^\d{1,5}$/.test(values.port) ? Number(values.port) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw new UsageError(`--port must be a port number from 0 to 65535, not ${JSON.stringify(values.port)}`, CONSOLE_USAGE);
  const local = isLocalMode(values);
  if (local && values['deliveries-table'] !== undefined) {
    throw new UsageError('--deliveries-table names the delivery log in AWS; local mode\'s is in its local.json: name the queues in AWS too', CONSOLE_USAGE);
  }
  if (!local && values['deliveries-table'] === undefined) throw new UsageError('with queues in AWS, name the delivery log\'s table too: --deliveries-table NAME', CONSOLE_USAGE);
  if (local && values.table !== undefined) throw new UsageError('--table names the idempotency table in AWS; local mode\'s is in its local.json', CONSOLE_USAGE);
  // The queues are located now, so that a wrong name stops the command rather than every request.
  const probe = await RelayQueues.locate(values);
  await probe.close();
  const configFile = values.config ?? probe.localState?.configFile ?? configPath(undefined);
  const history = (options.open ?? openDeliveryHistory)({ 'state-dir': values['state-dir'], 'deliveries-table': values['deliveries-table'] });
  try {
    const running = await startConsole({ history, queues: () => RelayQueues.locate(values), configFile, port, idempotencyTable: values.table });
    io.stdout.write(`relay console at ${running.url}\n  log     ${history.origin}\n  queues  ${probe.deadLetterQueueUrl} (dead letters)\n  rules   ${configFile}\nCtrl-C stops it.\n`);
    await (options.stopped ?? nextSignal());
    await running.stop();
  } finally {
    history.close();
  }
  return EXIT.ok;
}

/** Resolves at the first SIGINT or SIGTERM, which then no longer end the process by default. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

import { dlqCommand } from './commands/dlq';
import { replayCommand } from './commands/replay';
import { schemaCommand } from './commands/schema';
import { testCommand } from './commands/test';
import { validateCommand } from './commands/validate';
import { CommandError, UsageError } from './errors';
import { EXIT, type Io } from './Io';

const USAGE = `usage: relay <command> [options]
  validate [--config FILE]                 check the config; exit 1 with every problem
  test --source NAME --body FILE [--headers FILE] [--config FILE] [--json] [--state-dir DIR | --table NAME]
                                           dry-run a delivery through the rules
  schema                                   print the config's JSON Schema
  dlq list [--json]                        every dead-lettered record and why
  dlq show ID                              one record in full (ID: its messageId or a delivery id)
  dlq redrive (--all | ID...)              send records back to the main queue
  replay ID [--config FILE] [--json] [--table NAME]
                                           dry-run a dead-lettered delivery through the current rules
  replay ID --execute                      redrive it, as dlq redrive ID does
The config is --config, else $RELAY_CONFIG, else ./relay.config.yaml (replay: else local mode's).
dlq and replay find the queues in the running local mode's state (--state-dir DIR, else
$RELAY_STATE_DIR, else ./.relay), or in AWS with --queue-url URL --dlq-url URL or
--queue NAME --dlq NAME (the SDK's default credentials and region).`;

/** The `relay` command line: runs one command and resolves to its exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'validate':
        return validateCommand(args, io);
      case 'test':
        return await testCommand(args, io);
      case 'schema':
        return schemaCommand(io);
      case 'dlq':
        return await dlqCommand(args, io);
      case 'replay':
        return await replayCommand(args, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        io.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
        return EXIT.usage;
    }
  } catch (error) {
    if (error instanceof CommandError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.failed;
    }
    // parseArgs refuses unknown options and missing values with an error that says which.
    const { code, message } = error as { code?: unknown; message?: string };
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(`${message}\n${USAGE}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

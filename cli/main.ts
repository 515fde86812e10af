import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONSOLE_USAGE, consoleCommand } from './commands/console';
import { DELIVERIES_LIST_USAGE, DELIVERIES_SHOW_USAGE, deliveriesCommand } from './commands/deliveries';
import { DLQ_LIST_USAGE, DLQ_REDRIVE_USAGE, DLQ_SHOW_USAGE, dlqCommand } from './commands/dlq';
import { IMPORT_USAGE, importCommand } from './commands/import';
import { REPLAY_USAGE, replayCommand } from './commands/replay';
import { SCHEMA_USAGE, schemaCommand } from './commands/schema';
import { TEST_USAGE, testCommand } from './commands/test';
import { VALIDATE_USAGE, validateCommand } from './commands/validate';
import { CommandError, HelpRequest, UsageError } from './errors';
import { EXIT, type Io } from './Io';
import { overview } from './usage';
import { packageRoot } from './packageRoot';

const USAGE = `usage: relay <command> [options]
       relay --help | --version
${[VALIDATE_USAGE, TEST_USAGE, SCHEMA_USAGE, DLQ_LIST_USAGE, DLQ_SHOW_USAGE, DLQ_REDRIVE_USAGE, REPLAY_USAGE, DELIVERIES_LIST_USAGE, DELIVERIES_SHOW_USAGE, CONSOLE_USAGE, IMPORT_USAGE].map(overview).join('\n')}
relay <command> --help prints the command's options. With --json, an error is one JSON object on
stdout, {"error": code, "message"}, with the same exit code.
The config is --config, else $RELAY_CONFIG, else ./relay.config.yaml (replay: else local mode's).
Exit codes: 0 done; 1 the command ran and failed; 2 the command line is wrong, or Code Stream
cannot be reached or refuses the credential (validate --live, import).`;

/** The `relay` command line: runs one command and resolves to its exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...args] = argv;
  // Errors are JSON when the command line asks for JSON anywhere, even where the command takes no --json.
  const json = argv.includes('--json');
  try {
    switch (command) {
      case 'validate':
        return await validateCommand(args, io);
      case 'test':
        return await testCommand(args, io);
      case 'schema':
        return schemaCommand(args, io);
      case 'dlq':
        return await dlqCommand(args, io);
      case 'replay':
        return await replayCommand(args, io);
      case 'deliveries':
        return await deliveriesCommand(args, io);
      case 'console':
        return await consoleCommand(args, io);
      case 'import':
        return await importCommand(args, io);
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return EXIT.ok;
      case '--version':
      case '-V':
        io.stdout.write(`${version()}\n`);
        return EXIT.ok;
      case undefined:
        throw new UsageError('relay needs a command', USAGE);
      default:
        throw new UsageError(`unknown command "${command}"`, USAGE);
    }
  } catch (error) {
    if (error instanceof HelpRequest) {
      io.stdout.write(`${error.usage}\n`);
      return EXIT.ok;
    }
    if (error instanceof CommandError) return fail(io, json, error.exit, error.code, error.message);
    if (error instanceof UsageError) return fail(io, json, EXIT.usage, error.code, error.message, error.usage ?? USAGE);
    throw error;
  }
}

/** The error on stderr (with the usage, for a usage error), or with `--json` as one JSON object on stdout. */
function fail(io: Io, json: boolean, exit: number, code: string, message: string, usage?: string): number {
  if (json) io.stdout.write(`${JSON.stringify({ error: code, message })}\n`);
  else io.stderr.write(`${message}\n${usage === undefined ? '' : `${usage}\n`}`);
  return exit;
}

/** The package's version, from its package.json. */
function version(): string {
  const { version: value } = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return value;
}

import { schemaCommand } from './commands/schema';
import { testCommand } from './commands/test';
import { validateCommand } from './commands/validate';
import { EXIT, type Io } from './Io';

const USAGE = `usage: relay <command> [options]
  validate [--config FILE]                 check the config; exit 1 with every problem
  test --source NAME --body FILE [--headers FILE] [--config FILE] [--json]
                                           dry-run a delivery through the rules
  schema                                   print the config's JSON Schema
The config is --config, else $RELAY_CONFIG, else ./relay.config.yaml.`;

/** The `relay` command line: runs one command and resolves to its exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'validate':
        return validateCommand(args, io);
      case 'test':
        return testCommand(args, io);
      case 'schema':
        return schemaCommand(io);
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
    // parseArgs refuses unknown options and missing values with an error that says which.
    const { code, message } = error as { code?: unknown; message?: string };
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`${message}\n${USAGE}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HelpRequest, UsageError } from './errors';

/** Whether the arguments ask for help: `--help` or `-h` anywhere before a `--`. */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/**
 * parseArgs for one command, with its usage: `--help`/`-h` throws HelpRequest before anything else
 * is checked, and an unknown option or a missing value throws UsageError with the usage.
 */
export function parseCommandArgs<T extends ParseArgsConfig & { args: string[] }>(usage: string, config: T): ReturnType<typeof parseArgs<T>> {
  if (asksForHelp(config.args)) throw new HelpRequest(usage);
  try {
    return parseArgs(config);
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: string };
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new UsageError(message ?? code, usage, { cause: error });
    throw error;
  }
}

import { parseArgs } from 'node:util';
import { ConfigError, formatProblem } from '../../lambda/config/ConfigError';
import { loadConfig } from '../../lambda/config/loadConfig';
import { configPath } from '../configPath';
import { EXIT, type Io } from '../Io';

/** `relay validate [--config FILE]`: exit 0 when valid; exit 1 with every problem on stderr. */
export function validateCommand(args: string[], io: Io): number {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
  const file = configPath(values.config);
  try {
    const { config, engine } = loadConfig(file);
    io.stdout.write(`${file}: valid: ${Object.keys(config.sources).length} sources, ${engine.size} rules\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) io.stderr.write(`${formatProblem(problem)}\n`);
    io.stderr.write(`${file}: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}\n`);
    return EXIT.failed;
  }
}

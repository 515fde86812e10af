import { ConfigError, formatProblem } from '../lambda/config/ConfigError';
import { type LoadedConfig, loadConfig } from '../lambda/config/loadConfig';
import { CommandError } from './errors';

/**
 * The config, for commands that run deliveries through its rules.
 * @throws CommandError with every problem of an invalid config, one a line.
 */
export function loadRelayConfig(file: string): LoadedConfig {
  try {
    return loadConfig(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CommandError(error.problems.map(formatProblem).join('\n'), { code: 'invalid_config', cause: error });
  }
}

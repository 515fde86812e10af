import { ConfigError, formatProblem } from '../../lambda/config/ConfigError';
import { parseConfig } from '../../lambda/config/loadConfig';

/** Every problem parseConfig finds in the text, as the CLI prints them. @throws Error when it accepts the text. */
export function configProblems(text: string, file = 'relay.config.yaml'): string[] {
  try {
    parseConfig(text, file);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error('the config was accepted');
}

import { ConfigError, formatProblem } from '../../lambda/config/ConfigError';
import { loadConfig } from '../../lambda/config/loadConfig';
import { configPath } from '../configPath';
import { EXIT, type Io } from '../Io';
import { parseCommandArgs } from '../parseCommandArgs';

export const VALIDATE_USAGE = `usage: relay validate [--config FILE] [--json]
check the config; exit 0 when valid, 1 with every problem
  --config FILE  the config (else $RELAY_CONFIG, else ./relay.config.yaml)
  --json         one JSON object on stdout: {"file", "valid": true, "sources", "rules"}
                 or {"file", "valid": false, "problems": [{"line", "column", "rule", "field", "message"}]}`;

/** `relay validate [--config FILE] [--json]`: exit 0 when valid; exit 1 with every problem (on stderr, or in the JSON on stdout). */
export function validateCommand(args: string[], io: Io): number {
  const { values } = parseCommandArgs(VALIDATE_USAGE, { args, options: { config: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const file = configPath(values.config);
  try {
    const { config, engine } = loadConfig(file);
    const sources = Object.keys(config.sources).length;
    io.stdout.write(values.json ? `${JSON.stringify({ file, valid: true, sources, rules: engine.size })}\n` : `${file}: valid: ${sources} sources, ${engine.size} rules\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (values.json) {
      // Every field present, null where the problem has none, so that consumers need not test for keys.
      const problems = error.problems.map(({ line, column, rule, field, message }) => ({
        line: line ?? null,
        column: line === undefined ? null : (column ?? 1),
        rule: rule ?? null,
        field,
        message,
      }));
      io.stdout.write(`${JSON.stringify({ file, valid: false, problems })}\n`);
      return EXIT.failed;
    }
    for (const problem of error.problems) io.stderr.write(`${formatProblem(problem)}\n`);
    io.stderr.write(`${file}: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}\n`);
    return EXIT.failed;
  }
}

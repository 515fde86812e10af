import { ConfigError, formatProblem } from '../../lambda/config/ConfigError';
import type { Locate } from '../../lambda/config/configLocator';
import { type LoadedConfig, loadConfig } from '../../lambda/config/loadConfig';
import { checkPipelines, type PipelineProblem } from '../checkPipelines';
import { CODESTREAM_OPTIONS, CODESTREAM_OPTIONS_USAGE, codeStreamForCli } from '../codeStreamForCli';
import { configPath } from '../configPath';
import { UsageError } from '../errors';
import { EXIT, type Io } from '../Io';
import { parseCommandArgs } from '../parseCommandArgs';

export const VALIDATE_USAGE = `usage: relay validate [--config FILE] [--json]
       relay validate --live [--url URL] [--secrets FILE] [--config FILE] [--json]
check the config; with --live, also each rule against its pipeline in Code Stream
  --config FILE  the config (else $RELAY_CONFIG, else ./relay.config.yaml)
  --live         then read each pipeline the rules name from Code Stream, once, and report a pipeline
                 not found or disabled, an input a rule sends that the pipeline does not declare, and
                 a declared input with an empty default that the rule never sets
${CODESTREAM_OPTIONS_USAGE}
  --json         one JSON object on stdout: {"file", "valid": true, "sources", "rules"}
                 or {"file", "valid": false, "problems": [{"line", "column", "rule", "field", "message"}]};
                 with --live, {"file", "valid", "sources", "rules", "live": {"codestream", "pipelines",
                 "problems": [{"rule", "line", "pipeline", "problem", "input", "message"}]}}
exit 0 when valid; 1 with every problem; 2 when Code Stream cannot be reached or refuses the credential`;

/**
 * `relay validate [--config FILE] [--json]`: exit 0 when valid; exit 1 with every problem (on stderr,
 * or in the JSON on stdout). With `--live`, a valid config's rules are then checked against their
 * pipelines in Code Stream; exit 2 when it cannot be reached or refuses the credential.
 */
export async function validateCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(VALIDATE_USAGE, {
    args,
    options: { config: { type: 'string' }, json: { type: 'boolean', default: false }, live: { type: 'boolean', default: false }, ...CODESTREAM_OPTIONS },
  });
  if (!values.live && (values.url !== undefined || values.secrets !== undefined)) {
    throw new UsageError('--url and --secrets say where --live reads the pipelines: add --live, or leave them out', VALIDATE_USAGE);
  }
  const file = configPath(values.config);
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return reportInvalid(file, error, values.json, io);
  }
  const { config, engine } = loaded;
  const summary = { file, valid: true, sources: Object.keys(config.sources).length, rules: engine.size };
  const offline = `${file}: valid: ${summary.sources} sources, ${summary.rules} rules`;
  if (!values.live) {
    io.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : `${offline}\n`);
    return EXIT.ok;
  }
  const url = values.url ?? config.codestream.url;
  const { pipelines, problems } = await checkPipelines(config, codeStreamForCli(config.codestream, values), url);
  const placed = located(loaded.locate, problems);
  if (values.json) {
    const live = { codestream: url, pipelines, problems: placed.map(({ rule, line, pipeline, problem, input, message }) => ({ rule, line, pipeline, problem, input, message })) };
    io.stdout.write(`${JSON.stringify({ ...summary, valid: problems.length === 0, live })}\n`);
  } else if (problems.length === 0) {
    io.stdout.write(`${offline}; the rules fit the ${pipelines} pipeline${plural(pipelines)} they name in Code Stream at ${url}\n`);
  } else {
    for (const problem of placed) io.stderr.write(`${formatProblem({ ...problem, line: problem.line ?? undefined, file })}\n`);
    io.stderr.write(`${file}: ${problems.length} problem${plural(problems.length)} with the pipelines in Code Stream at ${url}\n`);
  }
  return problems.length === 0 ? EXIT.ok : EXIT.failed;
}

function reportInvalid(file: string, error: ConfigError, json: boolean, io: Io): number {
  if (json) {
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
  io.stderr.write(`${file}: ${error.problems.length} problem${plural(error.problems.length)}\n`);
  return EXIT.failed;
}

/** Each problem with its line and column in the file, and its field. */
function located(locate: Locate, problems: readonly PipelineProblem[]): (PipelineProblem & { line: number | null; column: number; field: string })[] {
  return problems.map((problem) => {
    const placed = locate(problem.path, problem.message, problem.rule);
    return { ...problem, line: placed.line ?? null, column: placed.column ?? 1, field: placed.field };
  });
}

function plural(count: number): string {
  return count === 1 ? '' : 's';
}

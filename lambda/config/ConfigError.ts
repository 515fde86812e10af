/** One problem in a config file, located as precisely as the file allows. */
export interface ConfigProblem {
  file: string;
  /** 1-based; absent when the problem has no place in the file (a missing top-level key of an empty file). */
  line?: number;
  column?: number;
  /** The rule's name, when the problem is inside a rule. */
  rule?: string;
  /** Where in the config, e.g. `rules[2].when.branches[0]` or `sources.github.provider`. */
  field: string;
  message: string;
}

/** `relay.config.yaml:14:9: rule "build-main": rules[2].when.branches[0]: invalid glob "[": an unclosed "["` */
export function formatProblem(problem: ConfigProblem): string {
  const place = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  const rule = problem.rule === undefined ? '' : ` rule "${problem.rule}":`;
  const field = problem.field === '' ? '' : ` ${problem.field}:`;
  return `${place}:${rule}${field} ${problem.message}`;
}

/** A config file that cannot be used, with every problem found in it, in the order of the file. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const inFileOrder = [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${problems[0]?.file ?? 'the config'}:\n${inFileOrder.map(formatProblem).join('\n')}`,
    );
    this.problems = inFileOrder;
  }
}

import picomatch from 'picomatch';

/**
 * A list of patterns, each a glob (`release/*`, `src/**`) or a regular expression written between
 * slashes (`/^v\d+\.\d+$/i`); a leading `!` negates one. A value matches the list when it matches
 * a positive pattern (or the list has none) and no negative one.
 */
export interface PatternList {
  test(value: string): boolean;
  /** The patterns as written, for reasons: `main, release/*`. */
  readonly text: string;
  /** The values a match needs exactly, when every pattern is a plain positive literal: what rules are indexed by. */
  readonly literals?: readonly string[];
}

export interface PatternOptions {
  /** A pattern without a slash matches a path's last segment (`*.md` matches `docs/a.md`), as in .gitignore. */
  basename?: boolean;
}

const REGEX = /^\/(.+)\/([a-z]*)$/s;

/** @throws PatternError for a pattern that is not a valid glob or regular expression. */
export function compilePatterns(patterns: readonly string[], options: PatternOptions = {}): PatternList {
  const positive: ((value: string) => boolean)[] = [];
  const negative: ((value: string) => boolean)[] = [];
  const literals: string[] = [];
  let allLiteral = true;
  for (const [index, written] of patterns.entries()) {
    const negated = written.startsWith('!');
    const pattern = negated ? written.slice(1) : written;
    const matcher = compilePattern(pattern, options, written, index);
    (negated ? negative : positive).push(matcher.test);
    if (negated || !matcher.literal) allLiteral = false;
    else literals.push(pattern);
  }
  return {
    test: (value) => (positive.length === 0 || positive.some((test) => test(value))) && !negative.some((test) => test(value)),
    text: patterns.join(', '),
    literals: allLiteral && literals.length > 0 ? literals : undefined,
  };
}

export class PatternError extends Error {
  override readonly name = 'PatternError';

  /** The position of the bad pattern in its list. */
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

type Matcher = { test: (value: string) => boolean; literal: boolean };

// Thousands of rules repeat the same few patterns (`main`, `release/*`, `v*`): each is compiled once.
const compiled = new Map<string, Matcher>();

function compilePattern(pattern: string, options: PatternOptions, written: string, index: number): Matcher {
  const key = `${options.basename === true}\u0000${pattern}`;
  let matcher = compiled.get(key);
  if (!matcher) {
    matcher = compileUncached(pattern, options, written, index);
    compiled.set(key, matcher);
  }
  return matcher;
}

function compileUncached(pattern: string, options: PatternOptions, written: string, index: number): Matcher {
  const regex = REGEX.exec(pattern);
  if (regex) {
    try {
      // g and y make test() remember where it stopped: a pattern must answer the same every time.
      const expression = new RegExp(regex[1] ?? '', (regex[2] ?? '').replace(/[gy]/g, ''));
      return { test: (value) => expression.test(value), literal: false };
    } catch (error) {
      throw new PatternError(`invalid regular expression ${JSON.stringify(written)}: ${(error as Error).message}`, index);
    }
  }
  const problem = globProblem(pattern);
  if (problem) throw new PatternError(`invalid glob ${JSON.stringify(written)}: ${problem}`, index);
  // Only a pattern without a slash is about a file's name; `src/**` is about the whole path.
  const byName = options.basename === true && !pattern.includes('/');
  if (!picomatch.scan(pattern).isGlob && !pattern.includes('\\')) {
    return byName
      ? { test: (value) => value === pattern || value.endsWith(`/${pattern}`), literal: false }
      : { test: (value) => value === pattern, literal: true };
  }
  const glob = picomatch(pattern, { dot: true, basename: byName });
  return { test: (value) => glob(value), literal: false };
}

/** picomatch accepts anything, quietly matching nothing; these are the mistakes worth naming. */
function globProblem(pattern: string): string | undefined {
  if (pattern === '') return 'it is empty';
  const closers: Record<string, string> = { '[': ']', '{': '}', '(': ')' };
  const open: string[] = [];
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index] ?? '';
    if (char === '\\') {
      if (index === pattern.length - 1) return 'it ends with a lone backslash';
      index += 1;
    } else if (char in closers) {
      open.push(char);
    } else if (char === ']' || char === '}' || char === ')') {
      if (open.length > 0 && closers[open[open.length - 1] ?? ''] === char) open.pop();
      else if (char !== ']' || open.length > 0) return `an unmatched "${char}"`;
    }
  }
  if (open.length > 0) return `an unclosed "${open[open.length - 1]}"`;
  if (/[^/{,]\*\*|\*\*[^/},]/.test(pattern.replace(/\*{3,}/g, '**'))) return '"**" must be a whole path segment (a/**/b), else use "*"';
  if (/\*{3,}/.test(pattern)) return '"***" means nothing more than "**"';
  return undefined;
}

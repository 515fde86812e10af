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

// picomatch reads a backslash in a value as a path separator on Windows, and only there.
const WINDOWS = process.platform === 'win32';

/** Characters that no glob syntax uses. */
const PLAIN_NAME = /^[\w./:-]+$/;

/** @throws PatternError for a pattern that is not a valid glob or regular expression. */
export function compilePatterns(patterns: readonly string[], options: PatternOptions = {}): PatternList {
  const positive: Matcher[] = [];
  const negative: Matcher[] = [];
  const literals: string[] = [];
  let allLiteral = true;
  for (let index = 0; index < patterns.length; index += 1) {
    const written = patterns[index] ?? '';
    const negated = written.startsWith('!');
    const pattern = negated ? written.slice(1) : written;
    const matcher = compilePattern(pattern, options, written, index);
    (negated ? negative : positive).push(matcher);
    if (negated || !matcher.literal) allLiteral = false;
    else literals.push(pattern);
  }
  return new Patterns(positive, negative, patterns.join(', '), allLiteral && literals.length > 0 ? literals : undefined);
}

/**
 * A compiled list. Lists and matchers are classes rather than closures: a config of 10,000 rules
 * makes tens of thousands of them, and an instance costs less to make than a closure.
 */
class Patterns implements PatternList {
  constructor(
    private readonly positive: readonly Matcher[],
    private readonly negative: readonly Matcher[],
    readonly text: string,
    readonly literals: readonly string[] | undefined,
  ) {}

  test(value: string): boolean {
    if (this.positive.length > 0 && !this.positive.some((matcher) => matcher.test(value))) return false;
    return !this.negative.some((matcher) => matcher.test(value));
  }
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

interface Matcher {
  test(value: string): boolean;
  /** Whether the pattern matches only itself: what rules are indexed by. */
  readonly literal: boolean;
}

class Literal implements Matcher {
  readonly literal = true;

  constructor(private readonly pattern: string) {}

  test(value: string): boolean {
    return value === this.pattern;
  }
}

/** A file name without a glob: the whole path, or its last segment. */
class FileName implements Matcher {
  readonly literal = false;
  readonly #suffix: string;

  constructor(private readonly name: string) {
    this.#suffix = `/${name}`;
  }

  test(value: string): boolean {
    return value === this.name || value.endsWith(this.#suffix);
  }
}

class Expression implements Matcher {
  readonly literal = false;

  constructor(private readonly expression: RegExp) {}

  test(value: string): boolean {
    return this.expression.test(value);
  }
}

/**
 * A glob of a whole value. picomatch's matcher allocates two result objects a call, and rules
 * test globs on every delivery; this answers what that matcher does, from its regular
 * expression and after the same shortcuts: an empty value never matches, the glob itself always does.
 */
class Glob implements Matcher {
  readonly literal = false;
  readonly #expression: RegExp;

  constructor(private readonly glob: string) {
    this.#expression = picomatch.makeRe(glob, { dot: true, windows: WINDOWS });
  }

  test(value: string): boolean {
    if (value === '') return false;
    if (value === this.glob) return true;
    const posix = WINDOWS ? value.replace(/\\/g, '/') : value;
    return posix === this.glob || this.#expression.test(posix);
  }
}

/** A glob of a path's last segment (`*.md`), for changed files: rare enough for picomatch's own matcher. */
class FileNameGlob implements Matcher {
  readonly literal = false;
  readonly #matches: (value: string) => boolean;

  constructor(glob: string) {
    this.#matches = picomatch(glob, { dot: true, basename: true });
  }

  test(value: string): boolean {
    return this.#matches(value);
  }
}

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
      return new Expression(new RegExp(regex[1] ?? '', (regex[2] ?? '').replace(/[gy]/g, '')));
    } catch (error) {
      throw new PatternError(`invalid regular expression ${JSON.stringify(written)}: ${(error as Error).message}`, index);
    }
  }
  // Only a pattern without a slash is about a file's name; `src/**` is about the whole path.
  const byName = options.basename === true && !pattern.includes('/');
  // Names (`org/service`, `release-1.2`) are most patterns, and neither picomatch nor
  // globProblem finds anything in them: both are skipped.
  if (!PLAIN_NAME.test(pattern)) {
    const problem = globProblem(pattern);
    if (problem) throw new PatternError(`invalid glob ${JSON.stringify(written)}: ${problem}`, index);
    if (picomatch.scan(pattern).isGlob || pattern.includes('\\')) return byName ? new FileNameGlob(pattern) : new Glob(pattern);
  }
  return byName ? new FileName(pattern) : new Literal(pattern);
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

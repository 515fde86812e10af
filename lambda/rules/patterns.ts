import picomatch from 'picomatch';
import { MAX_MATCHED_LENGTH, REGEX_FLAGS, type Regex, RegexError, compileJavaScriptRegex, compileRegex } from './linearRegex';

/**
 * A list of patterns, each a glob (`release/*`, `src/**`) or a regular expression written between
 * slashes (`/^v\d+\.\d+$/i`); a leading `!` negates one. A value matches the list when it matches
 * a positive pattern (or the list has none) and no negative one. Globs and regular expressions run
 * on RE2, in time linear in the value, and never on a value longer than MAX_MATCHED_LENGTH.
 */
export interface PatternList {
  /** False for a value too long to match (see tooLong), whatever the patterns. */
  test(value: string): boolean;
  /** Whether the value is longer than MAX_MATCHED_LENGTH and a pattern of the list is a glob or regular expression. */
  tooLong(value: string): boolean;
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

/**
 * The lookaheads picomatch adds to a glob's expression, which RE2 cannot run: that a wildcard
 * matches no empty, `.` or `..` segment. Without them a glob also matches `release/` or `a/../b`,
 * which no branch, tag, path or image name is.
 */
const GLOB_GUARDS = ((chars) => [chars.NO_DOTS, chars.NO_DOTS_SLASH, chars.NO_DOT_SLASH, chars.ONE_CHAR])(picomatch.constants.globChars(WINDOWS));

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
  const limited = [...positive, ...negative].some((matcher) => matcher.runsRegex);
  return new Patterns(positive, negative, patterns.join(', '), allLiteral && literals.length > 0 ? literals : undefined, limited);
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
    /** Whether a pattern runs on RE2 (a glob or regular expression), which never sees a value longer than MAX_MATCHED_LENGTH. */
    private readonly limited: boolean,
  ) {}

  test(value: string): boolean {
    if (this.tooLong(value)) return false;
    if (this.positive.length > 0 && !this.positive.some((matcher) => matcher.test(value))) return false;
    return !this.negative.some((matcher) => matcher.test(value));
  }

  tooLong(value: string): boolean {
    return this.limited && value.length > MAX_MATCHED_LENGTH;
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
  /** Whether it runs a regular expression (on RE2): a glob or a regular expression, not a name. */
  readonly runsRegex: boolean;
}

class Literal implements Matcher {
  readonly literal = true;
  readonly runsRegex = false;

  constructor(private readonly pattern: string) {}

  test(value: string): boolean {
    return value === this.pattern;
  }
}

/** A file name without a glob: the whole path, or its last segment. */
class FileName implements Matcher {
  readonly literal = false;
  readonly runsRegex = false;
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
  readonly runsRegex = true;

  constructor(private readonly expression: Regex) {}

  test(value: string): boolean {
    return this.expression.test(value);
  }
}

/**
 * A glob of a whole value: what picomatch's matcher answers, after its shortcuts (an empty value
 * never matches, the glob itself always does), from its regular expression run on RE2.
 * picomatch's own matcher runs a backtracking RegExp: `*a*a*a*a*b` against 400 a's took a minute.
 */
class Glob implements Matcher {
  readonly literal = false;
  readonly runsRegex = true;

  constructor(
    private readonly glob: string,
    private readonly expression: Regex,
  ) {}

  test(value: string): boolean {
    if (value === '') return false;
    if (value === this.glob) return true;
    const posix = WINDOWS ? value.replace(/\\/g, '/') : value;
    return posix === this.glob || this.expression.test(posix);
  }
}

/** A glob of a path's last segment (`*.md`), for changed files: as picomatch's `basename` option, the whole path, else its last segment. */
class FileNameGlob extends Glob {
  override test(value: string): boolean {
    const posix = WINDOWS ? value.replace(/\\/g, '/') : value;
    const slash = posix.lastIndexOf('/');
    // A path without a slash is its own last segment: tested once.
    return super.test(posix) || (slash >= 0 && super.test(posix.slice(slash + 1)));
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
      return new Expression(compileRegex(regex[1] ?? '', regexFlags(regex[2] ?? '')));
    } catch (error) {
      if (!(error instanceof RegexError)) throw error;
      throw new PatternError(`invalid regular expression ${JSON.stringify(written)}: ${error.message}`, index);
    }
  }
  // Only a pattern without a slash is about a file's name; `src/**` is about the whole path.
  const byName = options.basename === true && !pattern.includes('/');
  // Names (`org/service`, `release-1.2`) are most patterns, and neither picomatch nor
  // globProblem finds anything in them: both are skipped.
  if (!PLAIN_NAME.test(pattern)) {
    const problem = globProblem(pattern);
    if (problem) throw new PatternError(`invalid glob ${JSON.stringify(written)}: ${problem}`, index);
    if (picomatch.scan(pattern).isGlob || pattern.includes('\\')) {
      const expression = globExpression(pattern, written, index);
      return byName ? new FileNameGlob(pattern, expression) : new Glob(pattern, expression);
    }
  }
  return byName ? new FileName(pattern) : new Literal(pattern);
}

function regexFlags(letters: string): number {
  let flags = 0;
  for (const letter of letters) {
    const flag = REGEX_FLAGS[letter];
    if (flag === undefined) throw new RegexError(`unknown flag "${letter}"; the flags are i, m and s`);
    flags |= flag;
  }
  return flags;
}

/** picomatch's expression for the glob, without the lookaheads RE2 cannot run, in RE2's syntax. */
function globExpression(glob: string, written: string, index: number): Regex {
  let source = picomatch.makeRe(glob, { dot: true, windows: WINDOWS }).source;
  for (const guard of GLOB_GUARDS) source = source.split(guard).join('');
  try {
    return compileJavaScriptRegex(source);
  } catch (error) {
    if (!(error instanceof RegexError)) throw error;
    // picomatch writes a negated extglob as a lookahead.
    const reason = glob.includes('!(') ? '"!(…)" cannot run in linear time; exclude with a leading "!" instead' : error.message;
    throw new PatternError(`invalid glob ${JSON.stringify(written)}: ${reason}`, index);
  }
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

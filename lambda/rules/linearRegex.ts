import { RE2JS, RE2JSSyntaxException } from 're2js';

/**
 * The longest value a rule's glob or regular expression is matched against, and the longest
 * pattern `matches()` compiles while a delivery waits: 4 KiB. Matching takes time linear in the
 * value, but the sender chooses the value: a longer one fails its condition with a reason instead.
 * No branch, tag, file path, repository or image name comes near it.
 */
export const MAX_MATCHED_LENGTH = 4096;

/** A regular expression the linear-time engine cannot run, and why. */
export class RegexError extends Error {
  override readonly name = 'RegexError';
}

/** A compiled regular expression: RE2 (re2js), whose matching takes time linear in the value, whatever the pattern. */
export interface Regex {
  /** Whether the expression matches anywhere in the value, as RegExp.prototype.test. */
  test(value: string): boolean;
  /** The instructions of the compiled program: what each match costs per character of the value. */
  programSize(): number;
}

/** The flags the `/…/flags` form may carry, as RE2's; the others JavaScript has mean nothing to a yes-or-no match. */
export const REGEX_FLAGS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  // g and y: RE2 keeps no position between matches. u: RE2 always reads code points. d: no indices are read.
  g: 0,
  y: 0,
  u: 0,
  d: 0,
};

/**
 * Compiles RE2 syntax (github.com/google/re2/wiki/Syntax).
 * @throws RegexError for a pattern RE2 cannot compile: a syntax error, or what no linear-time engine runs.
 */
export function compileRegex(source: string, flags = 0): Regex {
  try {
    return RE2JS.compile(source, flags);
  } catch (error) {
    throw new RegexError(error instanceof RE2JSSyntaxException ? readable(error) : (error as Error).message);
  }
}

/**
 * Compiles an expression written in JavaScript's syntax (as picomatch writes a glob's), with the
 * meaning JavaScript gives it.
 * @throws RegexError as compileRegex.
 */
export function compileJavaScriptRegex(source: string): Regex {
  // translateRegExp rewrites JavaScript's syntax as RE2's, but keeps these escaped letters, which
  // JavaScript reads as the letter itself and RE2 as something else (`\a` is a bell there).
  const letters = source.replace(/\\\\|\\([aAzQEpP])/g, (escape, letter?: string) => letter ?? escape);
  return compileRegex(RE2JS.translateRegExp(letters));
}

/** The reason a value is not matched: `event.git.ref is 10001 characters; patterns match at most 4096`. */
export function lengthReason(what: string, length: number): string {
  return `${what} is ${length} characters; patterns match at most ${MAX_MATCHED_LENGTH}`;
}

/** What RE2 reports for the constructs of backtracking engines, by its message and the text it quotes. */
const UNSUPPORTED: [error: string, input: RegExp, construct: string][] = [
  ['invalid escape sequence', /^\\[1-9]$/, 'a backreference'],
  ['invalid escape sequence', /^\\[kg]$/, 'a backreference'],
  ['invalid or unsupported Perl syntax', /^\(\?[=!]$/, 'a lookahead'],
  ['invalid named capture', /^\(\?<[=!]/, 'a lookbehind'],
  ['invalid or unsupported Perl syntax', /^\(\?>$/, 'an atomic group'],
  ['invalid nested repetition operator', /^(?:[?*+]|\{[\d,]+\})\+$/, 'a possessive quantifier'],
];

/** RE2's message, without its "error parsing regexp: " and with the constructs it lacks named. */
function readable({ error, input }: RE2JSSyntaxException): string {
  if (input === null) return error;
  // RE2 quotes the rest of the pattern for some errors: a few characters say where.
  const shown = input.length > 40 ? `${input.slice(0, 40)}…` : input;
  const lookbehind = /^\(\?<[=!]/.exec(input)?.[0];
  for (const [message, pattern, construct] of UNSUPPORTED) {
    if (error === message && pattern.test(input)) {
      return `\`${lookbehind ?? shown}\` is ${construct}, which RE2 (linear-time matching) does not support`;
    }
  }
  return `${error}: \`${shown}\``;
}

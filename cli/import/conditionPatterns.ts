import { PatternError, compilePatterns } from '../../lambda/rules/patterns';

/** A name the relay's patterns read as itself: nothing a glob or the `/…/` and `!` forms use (patterns.ts). */
const LITERAL = /^[\w.:-][\w./:-]*$/;

/**
 * A pattern that matches exactly `value`, as Code Stream compares a plain name or path: the value
 * itself where the relay would read it literally, else an anchored regular expression, so that
 * `*`, `[`, a leading `!` or `/…/` in a name mean nothing more. With `path`, a value without a
 * slash is a file at the top of the repository, not a file of that name anywhere, which is what
 * the relay makes of a path pattern without a slash (as .gitignore does).
 */
export function exactly(value: string, options: { path?: boolean; ignoreCase?: boolean } = {}): string {
  const literal = LITERAL.test(value) && !(options.path && !value.includes('/')) && !options.ignoreCase;
  return literal ? value : `/^${value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')}$/${options.ignoreCase ? 'i' : ''}`;
}

/** Code Stream's regular expression as a pattern of the relay: between slashes, as written. */
export function regex(value: string): string {
  return `/${value}/`;
}

/** Whether Code Stream's regular expression is anchored at both ends; else the relay finds it anywhere in the value. */
export function isAnchored(value: string): boolean {
  return value.startsWith('^') && value.endsWith('$');
}

/** The note for regular expressions without both anchors, e.g. `tagNamePattern "v1"`. */
export function unanchoredNote(fields: readonly string[]): string {
  return `${fields.join(', ')}: carried over as written, and the relay finds a regular expression anywhere in the value; if Code Stream matched it against the whole value, add ^ and $`;
}

/** Why the relay cannot use the pattern (a regular expression RE2 cannot run, say); undefined when it can. */
export function patternProblem(pattern: string, options: { path?: boolean } = {}): string | undefined {
  try {
    compilePatterns([pattern], { basename: options.path });
    return undefined;
  } catch (error) {
    if (error instanceof PatternError) return error.message;
    throw error;
  }
}

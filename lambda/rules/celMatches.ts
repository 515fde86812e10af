import type { ASTNode, Environment } from '@marcbachmann/cel-js';
import { MAX_MATCHED_LENGTH, type Regex, RegexError, compileRegex, lengthReason } from './linearRegex';

/** What a macro uses of cel-js's type checker and evaluator (lib/macros.js uses the same). */
interface CelType {
  type: string;
}
interface Checker {
  check(node: ASTNode, context: unknown): CelType;
  getType(name: string): CelType;
  createError(code: string, message: string, node: ASTNode): Error;
}
interface Evaluator {
  run(node: ASTNode, context: unknown): unknown;
  createError(code: string, message: string, node: ASTNode): Error;
}

/** The types `matches` takes: a string, or a value whose type is known only at run time. */
const STRING_TYPES = ['string', 'dyn'];

/**
 * Makes CEL's `text.matches(pattern)` run on RE2 rather than cel-js's JavaScript RegExp, which
 * backtracks: `^(a+)+$` against a branch of 28 a's and a "!" took 18 s there. CEL specifies RE2's
 * syntax for matches() in any case.
 *
 * cel-js refuses a second `string.matches(string)`, but a macro takes over every `x.matches(y)`
 * call at parse time whatever receiver type it is declared on: declared on bytes, so as not to
 * overlap the built-in, it checks that both sides are strings, as the built-in does.
 *
 * A literal pattern is compiled with the expression, so that one RE2 cannot run is a config
 * problem; any other is compiled when a delivery is evaluated, and fails the expression with the
 * reason if it does not compile. A text longer than MAX_MATCHED_LENGTH fails the expression, and
 * so does a pattern of the delivery's that long. The macro relies on how cel-js 8 finds macros (by
 * name and arity) and on the checker and evaluator calls its own macros make: the tests of
 * matches() fail if an upgrade changes either.
 */
export function registerLinearMatches(environment: Environment): void {
  environment.registerFunction('bytes.matches(ast): bool', ({ ast, receiver, args }: { ast: ASTNode; receiver: ASTNode; args: ASTNode[] }) => {
    const pattern = args[0] as ASTNode;
    const literal = pattern.op === 'value' && typeof pattern.args === 'string' ? literalRegex(pattern.args) : undefined;
    return {
      async: false,
      typeCheck(checker: Checker, _macro: unknown, context: unknown): CelType {
        const types = [checker.check(receiver, context).type, checker.check(pattern, context).type];
        if (!types.every((type) => STRING_TYPES.includes(type))) {
          throw checker.createError('no_matching_overload', `found no matching overload for '${types[0]}.matches(${types[1]})'`, ast);
        }
        return checker.getType('bool');
      },
      evaluate(evaluator: Evaluator, _macro: unknown, context: unknown): boolean {
        const text = evaluator.run(receiver, context);
        if (typeof text !== 'string') throw evaluator.createError('no_matching_overload', `matches() needs a string, and ${sourceOf(receiver)} is not one`, ast);
        if (text.length > MAX_MATCHED_LENGTH) throw evaluator.createError('too_long', lengthReason(sourceOf(receiver), text.length), ast);
        return (literal ?? runtimeRegex(evaluator, pattern, evaluator.run(pattern, context))).test(text);
      },
    };
  });
}

// Expressions repeat the same few patterns, and cel-js expands the macro again when it type-checks.
const literals = new Map<string, Regex>();

/** @throws RegexError naming the pattern: the expression does not compile. */
function literalRegex(source: string): Regex {
  let regex = literals.get(source);
  if (!regex) {
    try {
      regex = compileRegex(source);
    } catch (error) {
      if (error instanceof RegexError) throw new RegexError(`matches(${JSON.stringify(source)}): ${error.message}`);
      throw error;
    }
    literals.set(source, regex);
  }
  return regex;
}

/**
 * A pattern the delivery gives is the sender's to choose, and RE2 is linear in the value but not in
 * the pattern: compiling `(?:a{0,1000})` repeated takes a second, and each match costs the size of
 * the program. So such a pattern is at most this long, and compiles to at most this many
 * instructions (`^release/.*$` is 14, `[a-z0-9._-]{1,128}` 257).
 */
export const MAX_RUNTIME_PATTERN_LENGTH = 256;
export const MAX_RUNTIME_PROGRAM_SIZE = 1000;

/** The last patterns deliveries gave, compiled or refused, so that `exists(f, f.matches(p))` compiles p once. */
const runtimePatterns = new Map<string, Regex | string>();
const RUNTIME_PATTERNS_KEPT = 256;

/** A pattern only the delivery gives; one that does not compile, or is too large, fails the expression with the reason. */
function runtimeRegex(evaluator: Evaluator, node: ASTNode, source: unknown): Regex {
  const what = sourceOf(node);
  if (typeof source !== 'string') throw evaluator.createError('no_matching_overload', `matches() needs a string pattern, and ${what} is not one`, node);
  if (source.length > MAX_RUNTIME_PATTERN_LENGTH) {
    throw evaluator.createError('too_long', `the pattern ${what} is ${source.length} characters; a delivery's patterns have at most ${MAX_RUNTIME_PATTERN_LENGTH}`, node);
  }
  let compiled = runtimePatterns.get(source);
  if (compiled === undefined) {
    compiled = compileRuntime(source);
    if (runtimePatterns.size >= RUNTIME_PATTERNS_KEPT) runtimePatterns.delete(runtimePatterns.keys().next().value as string);
    runtimePatterns.set(source, compiled);
  }
  if (typeof compiled === 'string') throw evaluator.createError('invalid_regular_expression', `the pattern ${what} ${compiled}`, node);
  return compiled;
}

/** The pattern compiled, or why not, as the end of a sentence about it. */
function compileRuntime(source: string): Regex | string {
  let regex: ReturnType<typeof compileRegex>;
  try {
    regex = compileRegex(source);
  } catch (error) {
    if (error instanceof RegexError) return `is not RE2: ${error.message}`;
    throw error;
  }
  const size = regex.programSize();
  return size > MAX_RUNTIME_PROGRAM_SIZE ? `compiles to ${size} instructions; a delivery's patterns have at most ${MAX_RUNTIME_PROGRAM_SIZE}` : regex;
}

/** The node as written in the expression, e.g. `event.git.ref`. */
function sourceOf(node: ASTNode): string {
  return node.input.slice(node.start, node.end);
}

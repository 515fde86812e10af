import { Environment, type ObjectSchema, type TypeCheckResult } from '@marcbachmann/cel-js';
import { EVENT_FIELDS, type FieldKind, type ObjectFields } from '../events/eventFields';
import { registerLinearMatches } from './celMatches';
import { eventPathMistake } from './expressionEventPaths';
import { TEMPLATE_ROOTS, type TemplateContext } from './templates';

/**
 * A rule's `when.expression`, in CEL (cel.dev): side-effect free, always terminating, and the
 * language platform teams already write for Kubernetes admission policies and Tekton Triggers.
 * It reads the same roots as templates: `event`, `body`, `headers`, `query`.
 */
export type Expression = (context: TemplateContext) => { passed: true } | { passed: false; reason: string };

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';

  /** @param offset where in the expression the problem is, so that a config error can point at it. */
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

const OPTIONS = { unlistedVariablesAreDyn: false, enableOptionalTypes: true };

/**
 * The CEL type each kind of field is checked as. An `int` is CEL's int, so that
 * `event.git.pullRequest.number == 3` compiles; at run time it is a JSON number, as the body's
 * are, which compares with ints but adds only to doubles. Any other number is a double.
 */
const CEL_TYPES: Record<Exclude<FieldKind, ObjectFields>, string> = {
  string: 'string',
  int: 'int',
  number: 'double',
  bool: 'bool',
  'list<string>': 'list<string>',
};

/** The name of the event's type in the checker's messages; its objects are `CanonicalEvent.git`, … */
const EVENT_TYPE = 'CanonicalEvent';

/**
 * Evaluates: every root a map, read as the plain object it is. Typed, the event would be wrapped
 * in cel-js's objects at every evaluation, on the path every delivery takes; the checks are made
 * once, when the expression compiles.
 */
const evaluating = new Environment(OPTIONS);
for (const root of TEMPLATE_ROOTS) evaluating.registerVariable(root, 'map');
registerLinearMatches(evaluating);

/**
 * Checks: the event has CanonicalEvent's fields and their types; body, headers and query are the
 * delivery's, anything. Made at the first expression, not when the module loads: a config without
 * expressions never needs it.
 */
let checking: Environment | undefined;

function checkingEnvironment(): Environment {
  if (!checking) {
    checking = new Environment(OPTIONS);
    checking.registerType({ name: EVENT_TYPE, schema: celSchema(EVENT_FIELDS) });
    checking.registerVariable('event', EVENT_TYPE);
    for (const root of TEMPLATE_ROOTS) if (root !== 'event') checking.registerVariable(root, 'map');
    registerLinearMatches(checking);
  }
  return checking;
}

// Rules repeat the same expressions: each text is compiled, and checked, once.
const compiled = new Map<string, Expression>();

/**
 * @throws ExpressionError when the expression does not parse, reads a field the event cannot
 * have, does not type-check, cannot be a bool, or gives matches() a literal pattern RE2 cannot run.
 */
export function compileExpression(source: string): Expression {
  let expression = compiled.get(source);
  if (!expression) {
    expression = compileUncached(source);
    compiled.set(source, expression);
  }
  return expression;
}

function compileUncached(source: string): Expression {
  let program: ReturnType<Environment['parse']>;
  try {
    program = evaluating.parse(source);
  } catch (error) {
    throw new ExpressionError(`invalid CEL expression: ${firstLine((error as Error).message)}`);
  }
  const mistake = eventPathMistake(program.ast);
  if (mistake) throw new ExpressionError(mistake.message, mistake.offset);
  const checked = checkingEnvironment().check(source);
  if (!checked.valid) throw new ExpressionError(`invalid CEL expression: ${checkFailure(checked)}`, checked.error?.range?.start);
  const type = checked.type ?? 'unknown';
  if (type !== 'bool' && type !== 'dyn') throw new ExpressionError(`the expression gives ${describeType(type)}, not a bool`, 0);
  return (context) => {
    let result: unknown;
    try {
      result = program(context);
    } catch (error) {
      // A field the delivery lacks is a condition that does not hold, with the reason why.
      return { passed: false, reason: `the expression could not be evaluated: ${firstLine((error as Error).message)}` };
    }
    if (result === true) return { passed: true };
    if (result === false) return { passed: false, reason: 'the expression is false' };
    return { passed: false, reason: `the expression gave ${shown(result)}, not a bool` };
  };
}

/** The event's fields as a cel-js schema, which declares a type for each of its objects. */
function celSchema(fields: ObjectFields): ObjectSchema {
  const schema: ObjectSchema = {};
  for (const [name, kind] of Object.entries(fields)) schema[name] = typeof kind === 'object' ? celSchema(kind) : CEL_TYPES[kind];
  return schema;
}

/**
 * The checker's complaint. Comparing a field with null is the usual way to test for it elsewhere;
 * in CEL a field the delivery lacks is absent, not null, and has() tests for it.
 */
function checkFailure(checked: TypeCheckResult): string {
  const message = firstLine(checked.error?.message ?? 'it does not type-check');
  return checked.error?.code === 'no_such_overload' && / null$/.test(message) ? `${message}; test whether a field is there with has(…)` : message;
}

/** `a string`, `an int`, or for one of the event's objects `the object event.git.repository`. */
function describeType(type: string): string {
  if (type === EVENT_TYPE || type.startsWith(`${EVENT_TYPE}.`)) return `the object ${type.replace(EVENT_TYPE, 'event')}`;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** CEL ints are BigInts, which JSON cannot write. */
function shown(value: unknown): string {
  return typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value));
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

import { Environment } from '@marcbachmann/cel-js';
import { registerLinearMatches } from './celMatches';
import { TEMPLATE_ROOTS, type TemplateContext } from './templates';

/**
 * A rule's `when.expression`, in CEL (cel.dev): side-effect free, always terminating, and the
 * language platform teams already write for Kubernetes admission policies and Tekton Triggers.
 * It reads the same roots as templates: `event`, `body`, `headers`, `query`.
 */
export type Expression = (context: TemplateContext) => { passed: true } | { passed: false; reason: string };

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
}

const environment = new Environment({ unlistedVariablesAreDyn: false, enableOptionalTypes: true });
for (const root of TEMPLATE_ROOTS) environment.registerVariable(root, 'map');
registerLinearMatches(environment);

/**
 * @throws ExpressionError when the expression does not parse, names an unknown variable, cannot be
 * a bool, or gives matches() a literal pattern RE2 cannot run.
 */
export function compileExpression(source: string): Expression {
  let program: ReturnType<Environment['parse']>;
  try {
    program = environment.parse(source);
  } catch (error) {
    throw new ExpressionError(`invalid CEL expression: ${firstLine((error as Error).message)}`);
  }
  const checked = environment.check(source);
  if (!checked.valid) throw new ExpressionError(`invalid CEL expression: ${firstLine(checked.error?.message ?? 'it does not type-check')}`);
  const type = checked.type ?? 'unknown';
  if (type !== 'bool' && type !== 'dyn') {
    throw new ExpressionError(`the expression gives ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}, not a bool`);
  }
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

/** CEL ints are BigInts, which JSON cannot write. */
function shown(value: unknown): string {
  return typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value));
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

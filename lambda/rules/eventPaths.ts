import { EVENT_FIELDS, type FieldKind, type ObjectFields } from '../events/eventFields';
import { closestName } from './closestName';

/** A step of a path into the event: a field's name, or an index into a list. */
export type EventStep = string | number;

/** The first step of a path that the event's type does not allow (0: the first after `event`), and why. */
export interface EventPathProblem {
  step: number;
  message: string;
}

/**
 * Follows a path from `event` through CanonicalEvent's fields (EVENT_FIELDS), so that a misspelt
 * field is a config error rather than a template that fails every delivery or an expression that
 * never holds. Whether the field is present is the delivery's business: optional fields pass.
 * @returns the kind of what the path reads, or the first step that cannot be taken and why.
 */
export function resolveEventPath(steps: readonly EventStep[]): { kind: FieldKind } | EventPathProblem {
  let kind: FieldKind = EVENT_FIELDS;
  let written = 'event';
  for (const [index, step] of steps.entries()) {
    if (typeof step === 'number') {
      if (kind !== 'list<string>') return { step: index, message: `${written} is ${describeKind(kind)}, not a list: it cannot be indexed with [${step}]` };
      kind = 'string';
    } else if (typeof kind === 'object') {
      const field: FieldKind | undefined = Object.hasOwn(kind, step) ? kind[step] : undefined;
      if (field === undefined) return { step: index, message: unknownField(kind, step, written) };
      kind = field;
    } else {
      return { step: index, message: `${written} is ${describeKind(kind)}, which has no field "${step}"` };
    }
    written += shownStep(step);
  }
  return { kind };
}

function unknownField(fields: ObjectFields, name: string, written: string): string {
  const known = Object.keys(fields);
  const meant = closestName(name, known);
  const hint = meant === undefined ? `its fields are ${known.join(', ')}` : `did you mean ${written}${shownStep(meant)}?`;
  return `${written} has no field "${name}"; ${hint}`;
}

function describeKind(kind: FieldKind): string {
  switch (kind) {
    case 'list<string>':
      return 'a list of strings';
    case 'int':
      return 'an int';
    case 'string':
    case 'number':
    case 'bool':
      return `a ${kind}`;
    default:
      return 'an object';
  }
}

/** The step as a path writes it: `.name` (every field of the event has a plain name) or `[0]`. */
function shownStep(step: EventStep): string {
  return typeof step === 'number' ? `[${step}]` : `.${step}`;
}
